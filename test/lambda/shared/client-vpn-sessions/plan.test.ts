import { planTermination } from '../../../../lambda/shared/client-vpn-sessions/plan';
import { ObservedSession, SessionMatcher, SessionStatus } from '../../../../lambda/shared/client-vpn-sessions/selector';

let serial = 0;
function s(username: string | undefined, status: SessionStatus = 'active', commonName?: string): ObservedSession {
  serial++;
  return { connectionId: `c-${serial}`, status, ...(username ? { username } : {}), ...(commonName ? { commonName } : {}) };
}

describe('planTermination', () => {
  test('users within the limit get one call, others one per active session; blocking work first', () => {
    const matcher = new SessionMatcher({ endpointId: 'e', usernames: ['a', 'b'], commonNames: ['cn'], establishedBefore: 1000 });
    const sessions = [
      { ...s(undefined, 'active', 'cn'), establishedAt: 5000 }, // listed CN, after the cutoff
      s('a'), s('a'), s('a', 'terminated'),
      s('b'), s('b'), s('b'), s('b'), s('b', 'terminating'), s('b', 'failed-to-terminate'),
      s('stranger'),
    ];
    const plan = planTermination(matcher, sessions);
    expect(plan.work.map(w => (w.target.kind === 'user' ? `user:${w.target.username}` : `id:${w.target.connectionId}`))).toEqual([
      'user:a', `id:${sessions[4].connectionId}`, `id:${sessions[5].connectionId}`, `id:${sessions[6].connectionId}`,
      `id:${sessions[7].connectionId}`, `id:${sessions[0].connectionId}`,
    ]);
    expect(plan.work.map(w => w.blocking)).toEqual([true, true, true, true, true, false]);
    expect(plan.failed.map(f => f.session.connectionId)).toEqual([sessions[9].connectionId]);
    expect(plan.toEnd.size).toBe(9);
    expect(plan.ignored).toBe(1);
    expect(plan.counts).toEqual({ active: 7, terminating: 1, failed: 1, nonBlocking: 1 });
  });

  test('sessions of the same user that are not ours still count towards the five', () => {
    // allSessions with a cutoff owns no user outright; a listed user with a foreign-looking CN is still the user.
    const matcher = new SessionMatcher({ endpointId: 'e', usernames: ['u'], commonNames: [] });
    const plan = planTermination(matcher, [s('u'), s('u', 'active', 'phone'), s('u', 'terminating', 'tablet'), s('u'), s('u'), s('u', 'failed-to-terminate')]);
    expect(plan.work.every(w => w.target.kind === 'connection')).toBe(true);
    expect(plan.work).toHaveLength(4);
  });
});
