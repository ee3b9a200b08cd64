import { ObservedSession, parseConnectionTime, SessionMatcher } from '../../../../lambda/shared/client-vpn-sessions/selector';

describe('parseConnectionTime', () => {
  test.each([
    ['2019-08-12 07:57:14', Date.UTC(2019, 7, 12, 7, 57, 14)],
    ['2019-08-12T07:57:14Z', Date.UTC(2019, 7, 12, 7, 57, 14)],
    ['2019-08-12 07:57:14.25', Date.UTC(2019, 7, 12, 7, 57, 14, 250)],
    ['2019-08-12T07:57:14+00:00', Date.UTC(2019, 7, 12, 7, 57, 14)],
    [' 2024-02-29 23:59:59 ', Date.UTC(2024, 1, 29, 23, 59, 59)],
  ])('%s is read as UTC', (text, expected) => {
    expect(parseConnectionTime(text)).toBe(expected);
  });

  test.each([undefined, '', '-', 'yesterday', '2019-02-31 00:00:00', '2019-08-12 24:00:00', '2019-08-12 07:57', '2019-08-12 07:57:14+02:00'])(
    '%p cannot be read', text => {
      expect(parseConnectionTime(text)).toBeUndefined();
    });
});

describe('SessionMatcher', () => {
  const session = (over: Partial<ObservedSession>): ObservedSession => ({ connectionId: 'cvpn-connection-1', status: 'active', ...over });
  const cutoff = Date.UTC(2030, 0, 1);

  test('listed usernames and common names are ours, exactly; nobody else is', () => {
    const m = new SessionMatcher({ endpointId: 'e', usernames: ['alice'], commonNames: ['cert-1'] });
    expect(m.verdict(session({ username: 'alice' }))).toBe('end');
    expect(m.verdict(session({ commonName: 'cert-1' }))).toBe('end');
    expect(m.verdict(session({ username: 'Alice', commonName: 'Alice' }))).toBe('ignore');
    expect(m.verdict(session({ username: 'bob', commonName: 'cert-1' }))).toBe('end');
    expect(m.verdict(session({}))).toBe('ignore');
    expect(m.ownsUser('alice')).toBe(true);
    expect(m.ownsUser('bob')).toBe(false);
  });

  test('with a cutoff, a listed principal\'s later session still ends but does not block; allSessions spares it', () => {
    const listed = new SessionMatcher({ endpointId: 'e', usernames: ['alice'], commonNames: [], establishedBefore: cutoff });
    expect(listed.verdict(session({ username: 'alice', establishedAt: cutoff - 1 }))).toBe('end');
    expect(listed.verdict(session({ username: 'alice', establishedAt: cutoff }))).toBe('end-nonblocking');
    expect(listed.verdict(session({ username: 'alice' }))).toBe('end');

    const all = new SessionMatcher({ endpointId: 'e', usernames: [], commonNames: [], allSessions: true, establishedBefore: cutoff });
    expect(all.verdict(session({ username: 'zoe', establishedAt: cutoff - 1 }))).toBe('end');
    expect(all.verdict(session({ username: 'zoe', establishedAt: cutoff }))).toBe('ignore');
    expect(all.verdict(session({ username: 'zoe' }))).toBe('end');
    expect(all.ownsUser('zoe')).toBe(false);
    expect(new SessionMatcher({ endpointId: 'e', usernames: [], commonNames: [], allSessions: true }).ownsUser('zoe')).toBe(true);
  });
});
