/**
 * The termination engine against aws-sdk-client-mock: each error class and
 * each response shape of DescribeClientVpnConnections and
 * TerminateClientVpnConnections, one at a time.
 */
import { DescribeClientVpnConnectionsCommand, TerminateClientVpnConnectionsCommand, TerminateClientVpnConnectionsCommandInput } from '@aws-sdk/client-ec2';
import { connection, describeInputs, listing, terminatedOutput, terminateInputs, terminateSucceeds, terminateTargets } from './support';
import { PASS_STOP_MARGIN_MS, runTerminationPass, SessionSelector } from '../../../../lambda/shared/client-vpn-sessions';
import { HandlerError } from '../../../../lambda/shared/errors';
import { ec2, useHarness } from '../../ec2-mock';
import { awsError, ENDPOINT } from '../../fixtures';

const harness = useHarness();

function selector(overrides: Partial<SessionSelector> = {}): SessionSelector {
  return { endpointId: ENDPOINT, usernames: [], commonNames: [], ...overrides };
}

function pass(sel: SessionSelector, budgetMs = 14 * 60_000, maxInFlight?: number) {
  return runTerminationPass(sel, { stopBy: harness.clock.now() + budgetMs, ...(maxInFlight !== undefined ? { maxInFlight } : {}) });
}

const ID = (n: number) => `cvpn-connection-${n.toString(16).padStart(17, '0')}`;

describe('listing', () => {
  test('pages with the largest MaxResults EC2 allows and follows NextToken (EC2 may return fewer)', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .resolvesOnce({ Connections: [connection(ID(1), { commonName: 'a' })], NextToken: 'page-2' })
      .resolvesOnce({ Connections: [connection(ID(2), { commonName: 'b' })], NextToken: 'page-3' })
      .resolvesOnce({ Connections: [connection(ID(3), { commonName: 'a' })] });
    terminateSucceeds();

    const result = await pass(selector({ commonNames: ['a'] }));

    expect(describeInputs()).toEqual([
      { ClientVpnEndpointId: ENDPOINT, MaxResults: 1000 },
      { ClientVpnEndpointId: ENDPOINT, MaxResults: 1000, NextToken: 'page-2' },
      { ClientVpnEndpointId: ENDPOINT, MaxResults: 1000, NextToken: 'page-3' },
    ]);
    expect(terminateTargets().sort()).toEqual([`id:${ID(1)}`, `id:${ID(3)}`]);
    expect(result.calls).toEqual({ describe: 3, terminate: 2, throttled: 0 });
  });

  test('usernames only: the username filter, its values in chunks of 200', async () => {
    const usernames = Array.from({ length: 450 }, (_, i) => `user-${i}`);
    listing();
    const result = await pass(selector({ usernames }));
    const filters = describeInputs().map(input => input.Filters);
    expect(filters.map(f => f?.[0].Name)).toEqual(['username', 'username', 'username']);
    expect(filters.map(f => f?.[0].Values?.length)).toEqual([200, 200, 50]);
    expect(filters.flatMap(f => f?.[0].Values ?? [])).toEqual(usernames);
    expect(result).toMatchObject({ complete: true, remaining: 0, terminated: 0 });
  });

  test('common names, allSessions, or more than 1000 usernames: one unfiltered listing', async () => {
    listing();
    await pass(selector({ usernames: ['u'], commonNames: ['c'] }));
    await pass(selector({ allSessions: true }));
    await pass(selector({ usernames: Array.from({ length: 1001 }, (_, i) => `user-${i}`) }));
    expect(describeInputs().map(input => input.Filters)).toEqual([undefined, undefined, undefined]);
  });

  test('a filtered listing still checks every username client-side: a connection the filter should not have returned is left alone', async () => {
    listing(connection(ID(1), { username: 'alice' }), connection(ID(2), { username: 'mallory' }));
    terminateSucceeds({ alice: [ID(1)] });
    await pass(selector({ usernames: ['alice'] }));
    expect(terminateTargets()).toEqual(['user:alice']);
  });

  test('common names are matched exactly and case-sensitively', async () => {
    listing(
      connection(ID(1), { commonName: 'laptop.example.com' }),
      connection(ID(2), { commonName: 'Laptop.example.com' }),
      connection(ID(3), { commonName: 'laptop.example.com.evil' }),
      connection(ID(4), { commonName: 'laptop' }),
    );
    terminateSucceeds();
    await pass(selector({ commonNames: ['laptop.example.com'] }));
    expect(terminateTargets()).toEqual([`id:${ID(1)}`]);
  });

  test('a repeated NextToken stops the listing: what was seen is terminated, but the pass is not complete', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .resolvesOnce({ Connections: [], NextToken: 'same' })
      .resolves({ Connections: [connection(ID(1), { commonName: 'a', status: 'terminated' })], NextToken: 'same' });
    const result = await pass(selector({ commonNames: ['a'] }));
    expect(result).toMatchObject({ complete: false, remaining: 0 });
    expect(describeInputs()).toHaveLength(2);
  });

  test('a selector naming nobody makes no call and is complete', async () => {
    const result = await pass(selector());
    expect(result).toEqual({
      complete: true,
      terminated: 0,
      terminatedConnectionIds: [],
      remaining: 0,
      remainingConnectionIds: [],
      failedConnectionIds: [],
      calls: { describe: 0, terminate: 0, throttled: 0 },
    });
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('the five-session rule', () => {
  test('one Terminate by Username per user with at most five connections not yet terminated; by ConnectionId beyond', async () => {
    listing(
      // alice: 3 active -> one call by Username.
      connection(ID(1), { username: 'alice' }), connection(ID(2), { username: 'alice' }), connection(ID(3), { username: 'alice' }),
      // bob: 5 active + 1 terminating = 6 open -> by ConnectionId, the terminating one left alone.
      ...[4, 5, 6, 7, 8].map(n => connection(ID(n), { username: 'bob' })),
      connection(ID(9), { username: 'bob', status: 'terminating' }),
      // carol: 4 active + 1 terminating + 3 terminated = 5 open -> by Username.
      ...[10, 11, 12, 13].map(n => connection(ID(n), { username: 'carol' })),
      connection(ID(14), { username: 'carol', status: 'terminating' }),
      ...[15, 16, 17].map(n => connection(ID(n), { username: 'carol', status: 'terminated' })),
    );
    terminateSucceeds({ alice: [ID(1), ID(2), ID(3)], carol: [ID(10), ID(11), ID(12), ID(13)] });

    const result = await pass(selector({ usernames: ['alice', 'bob', 'carol'] }));

    expect(terminateTargets().sort()).toEqual([...[4, 5, 6, 7, 8].map(n => `id:${ID(n)}`), 'user:alice', 'user:carol'].sort());
    expect(result.terminated).toBe(12);
    expect([...result.terminatedConnectionIds].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13].map(ID).sort());
    // Everything is terminating now: nothing is left active, but nothing is terminated yet either.
    expect(result).toMatchObject({ complete: false, remaining: 14, failedConnectionIds: [] });
  });

  test('a listed common name never leads to a Terminate by Username of a user who is not listed', async () => {
    // Only dave's laptop certificate is revoked; a Username call would also end his phone's sessions.
    listing(...[1, 2, 3, 4, 5, 6].map(n => connection(ID(n), { username: 'dave', commonName: n === 1 ? 'dave-laptop' : 'dave-phone' })));
    terminateSucceeds();
    await pass(selector({ commonNames: ['dave-laptop'] }));
    expect(terminateTargets()).toEqual([`id:${ID(1)}`]);
  });

  test('the Username response reports every connection it ended, including one opened after the listing', async () => {
    listing(connection(ID(1), { username: 'erin' }));
    terminateSucceeds({ erin: [ID(1), ID(99)] });
    const result = await pass(selector({ usernames: ['erin'] }));
    expect([...result.terminatedConnectionIds].sort()).toEqual([ID(1), ID(99)]);
  });

  test('a Username call refused for more than five connections falls back to one call per connection seen', async () => {
    listing(connection(ID(1), { username: 'fay' }), connection(ID(2), { username: 'fay' }));
    ec2.on(TerminateClientVpnConnectionsCommand).callsFake((input: TerminateClientVpnConnectionsCommandInput) => {
      if (input.Username !== undefined) {
        throw awsError('ClientVpnTerminateConnectionsLimitExceeded', 'The number of client connections exceeds the limit.');
      }
      return terminatedOutput(input);
    });
    const result = await pass(selector({ usernames: ['fay'] }));
    expect(terminateTargets()).toEqual(['user:fay', `id:${ID(2)}`, `id:${ID(1)}`]);
    expect(result.terminated).toBe(2);
  });

  test('a Terminate answer without statuses is taken at its word for the connections it was meant for', async () => {
    listing(connection(ID(1), { username: 'gus' }), connection(ID(2), { username: 'gus' }));
    ec2.on(TerminateClientVpnConnectionsCommand).resolves({ ClientVpnEndpointId: ENDPOINT });
    const result = await pass(selector({ usernames: ['gus'] }));
    expect([...result.terminatedConnectionIds].sort()).toEqual([ID(1), ID(2)]);
  });
});

describe('states', () => {
  test('terminating and terminated are done: no call; the pass completes once nothing is terminating', async () => {
    listing(connection(ID(1), { username: 'hal', status: 'terminating' }), connection(ID(2), { username: 'hal', status: 'terminated' }));
    expect(await pass(selector({ usernames: ['hal'] }))).toMatchObject({ complete: false, remaining: 1, terminated: 0 });
    expect(ec2.commandCalls(TerminateClientVpnConnectionsCommand)).toHaveLength(0);

    ec2.reset();
    listing(connection(ID(1), { username: 'hal', status: 'terminated' }), connection(ID(2), { username: 'hal', status: 'terminated' }));
    expect(await pass(selector({ usernames: ['hal'] }))).toMatchObject({ complete: true, remaining: 0 });
  });

  test('a connection the Username call already ended is not named again by its own call', async () => {
    // kim's certificate session shows no Username in the listing, yet EC2 ends it with kim's others.
    listing(connection(ID(1), { username: 'kim' }), connection(ID(2), { commonName: 'kim-cert' }));
    terminateSucceeds({ kim: [ID(1), ID(2)] });
    const result = await pass(selector({ usernames: ['kim'], commonNames: ['kim-cert'] }), undefined, 1);
    expect(terminateTargets()).toEqual(['user:kim']);
    expect([...result.terminatedConnectionIds].sort()).toEqual([ID(1), ID(2)]);
  });

  test('a connection listed twice (a page that lagged) is terminated once', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .resolvesOnce({ Connections: [connection(ID(1), { commonName: 'ida' })], NextToken: 'p2' })
      .resolvesOnce({ Connections: [connection(ID(1), { commonName: 'ida' }), connection(ID(2), { commonName: 'ida' })] });
    terminateSucceeds();
    await pass(selector({ commonNames: ['ida'] }));
    expect(terminateTargets().sort()).toEqual([`id:${ID(1)}`, `id:${ID(2)}`]);
  });

  test('an unknown status is treated as active', async () => {
    listing({ ...connection(ID(1), { commonName: 'jo' }), Status: { Code: 'connecting' as never } });
    terminateSucceeds();
    await pass(selector({ commonNames: ['jo'] }));
    expect(terminateTargets()).toEqual([`id:${ID(1)}`]);
  });
});

describe('error classes', () => {
  test('InvalidClientVpnConnection.IdNotFound on Terminate: the connection is gone, which is done', async () => {
    listing(connection(ID(1), { commonName: 'kai' }));
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnConnection.IdNotFound'));
    expect(await pass(selector({ commonNames: ['kai'] }))).toMatchObject({ complete: true, remaining: 0, terminated: 0, failedConnectionIds: [] });
  });

  test('InvalidClientVpnConnection.UserNotFound on Terminate: nothing active left; the next listing confirms', async () => {
    listing(connection(ID(1), { username: 'lou' }));
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnConnection.UserNotFound'));
    expect(await pass(selector({ usernames: ['lou'] }))).toMatchObject({ complete: false, remaining: 1, terminated: 0 });
    expect(terminateTargets()).toEqual(['user:lou']);
  });

  test('InvalidClientVpnEndpointId.NotFound on Describe fails with the endpoint id in the reason', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound', `The Client VPN endpoint ID '${ENDPOINT}' does not exist`));
    const error = await pass(selector({ usernames: ['x'] })).catch(e => e);
    expect(error).toBeInstanceOf(HandlerError);
    expect(error.message).toBe(`Client VPN endpoint ${ENDPOINT} does not exist `
      + `(InvalidClientVpnEndpointId.NotFound: The Client VPN endpoint ID '${ENDPOINT}' does not exist)`);
  });

  test('InvalidClientVpnEndpointId.NotFound on Terminate (endpoint deleted mid-pass) fails the same way', async () => {
    listing(connection(ID(1), { commonName: 'mo' }));
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound'));
    await expect(pass(selector({ commonNames: ['mo'] }))).rejects.toThrow(new RegExp(`^Client VPN endpoint ${ENDPOINT} does not exist`));
  });

  test('Describe throttling is retried at a lowered rate and never surfaces', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolves({ Connections: [connection(ID(1), { commonName: 'ned', status: 'terminated' })] });
    const result = await pass(selector({ commonNames: ['ned'] }));
    expect(result).toMatchObject({ complete: true, calls: { describe: 3, terminate: 0, throttled: 2 } });
    expect(harness.clock.sleeps.length).toBeGreaterThan(0);
  });

  test('Terminate throttling: refused calls are resent, after a back-off, and are not failures', async () => {
    listing(connection(ID(1), { commonName: 'oz' }), connection(ID(2), { commonName: 'oz' }));
    let refusals = 3;
    ec2.on(TerminateClientVpnConnectionsCommand).callsFake((input: TerminateClientVpnConnectionsCommandInput) => {
      if (refusals-- > 0) throw awsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
      return terminatedOutput(input);
    });
    const result = await pass(selector({ commonNames: ['oz'] }));
    expect(result).toMatchObject({ terminated: 2, failedConnectionIds: [], calls: { terminate: 5, throttled: 3 } });
    expect(new Set(terminateTargets())).toEqual(new Set([`id:${ID(1)}`, `id:${ID(2)}`]));
  });

  test('throttled on every call: the pass returns incomplete before stopBy, without an error', async () => {
    listing(...[1, 2, 3].map(n => connection(ID(n), { commonName: 'pia' })));
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const stopBy = harness.clock.now() + 60_000;
    const result = await runTerminationPass(selector({ commonNames: ['pia'] }), { stopBy });
    expect(result).toMatchObject({ complete: false, remaining: 3, terminated: 0, failedConnectionIds: [] });
    expect(result.calls.throttled).toBe(result.calls.terminate);
    expect(harness.clock.now()).toBeLessThanOrEqual(stopBy - PASS_STOP_MARGIN_MS);
  });

  test('a 5xx on Terminate is not resent within the pass (the call may have happened); the next pass re-observes', async () => {
    listing(connection(ID(1), { commonName: 'quin' }));
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('InternalError', 'An internal error has occurred.', 500));
    expect(await pass(selector({ commonNames: ['quin'] }))).toMatchObject({ complete: false, remaining: 1, terminated: 0 });
    expect(terminateInputs()).toHaveLength(1);
  });

  test('a 5xx on Describe is retried within the listing; a persistent one leaves the pass incomplete, not failed', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .rejectsOnce(awsError('InternalError', 'An internal error has occurred.', 500))
      .resolves({ Connections: [] });
    expect(await pass(selector({ usernames: ['rex'] }))).toMatchObject({ complete: true });

    ec2.reset();
    ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('InternalError', 'An internal error has occurred.', 500));
    expect(await pass(selector({ usernames: ['rex'] }))).toMatchObject({ complete: false, calls: { describe: 4 } });
  });

  test('any other error fails the pass naming the call, the target and AWS\'s words', async () => {
    listing(connection(ID(1), { username: 'sal' }));
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(pass(selector({ usernames: ['sal'] }))).rejects.toThrow(
      `TerminateClientVpnConnections for user 'sal' on ${ENDPOINT} failed: UnauthorizedOperation: You are not authorized to perform this operation.`);

    ec2.reset();
    ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    await expect(pass(selector({ usernames: ['sal'] }))).rejects.toThrow(
      `DescribeClientVpnConnections for endpoint ${ENDPOINT} failed: UnauthorizedOperation`);
  });

  test('after a terminal failure no new call starts, and the calls in flight are awaited', async () => {
    listing(...[1, 2, 3, 4, 5, 6].map(n => connection(ID(n), { commonName: 'tam' })));
    let inFlight = 0;
    let settledAfterReject = 0;
    ec2.on(TerminateClientVpnConnectionsCommand).callsFake(async (input: TerminateClientVpnConnectionsCommandInput) => {
      inFlight++;
      await new Promise(resolve => setImmediate(resolve));
      inFlight--;
      if (input.ConnectionId === ID(1)) throw awsError('UnauthorizedOperation');
      settledAfterReject++;
      return terminatedOutput(input);
    });
    await expect(pass(selector({ commonNames: ['tam'] }), undefined, 3)).rejects.toThrow(/UnauthorizedOperation/);
    expect(inFlight).toBe(0);
    expect(terminateInputs().length).toBeLessThan(6);
    expect(settledAfterReject).toBe(terminateInputs().length - 1);
  });
});

describe('failed-to-terminate', () => {
  test('is resent by ConnectionId, then re-described by connection-id filter until it is terminated', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .resolvesOnce({ Connections: [connection(ID(1), { username: 'uma', status: 'failed-to-terminate' })] })
      .resolves({ Connections: [connection(ID(1), { username: 'uma', status: 'terminated' })] });
    terminateSucceeds();
    const result = await pass(selector({ usernames: ['uma'] }));
    expect(terminateTargets()).toEqual([`id:${ID(1)}`]);
    expect(describeInputs()[1].Filters).toEqual([{ Name: 'connection-id', Values: [ID(1)] }]);
    expect(result).toMatchObject({ complete: true, remaining: 0, terminated: 1, failedConnectionIds: [] });
  });

  test('still failing after the bounded retries: reported by connection id, not complete', async () => {
    listing(connection(ID(1), { username: 'vic', status: 'failed-to-terminate' }), connection(ID(2), { username: 'vic', status: 'terminated' }));
    terminateSucceeds();
    const result = await pass(selector({ usernames: ['vic'] }));
    expect(terminateTargets()).toEqual([`id:${ID(1)}`, `id:${ID(1)}`, `id:${ID(1)}`]);
    expect(result).toMatchObject({ complete: false, remaining: 1, failedConnectionIds: [ID(1)] });
  });

  test('a failure read back sooner than READ_AFTER_WRITE_MS after the resend may predate it: it is read again before it counts', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .resolvesOnce({ Connections: [connection(ID(1), { commonName: 'ugo', status: 'failed-to-terminate' })] })
      // 2 s after the resend: still the old failure (a lagging read).
      .resolvesOnce({ Connections: [connection(ID(1), { commonName: 'ugo', status: 'failed-to-terminate' })] })
      .resolves({ Connections: [connection(ID(1), { commonName: 'ugo', status: 'terminated' })] });
    terminateSucceeds();
    expect(await pass(selector({ commonNames: ['ugo'] }))).toMatchObject({ complete: true, failedConnectionIds: [] });
    expect(terminateInputs()).toHaveLength(1);
    expect(describeInputs()).toHaveLength(3);
  });

  test('a re-describe that keeps failing leaves the retried session for the next pass, neither done nor reported', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .resolvesOnce({ Connections: [connection(ID(1), { commonName: 'val', status: 'failed-to-terminate' })] })
      .rejects(awsError('InternalError', 'An internal error has occurred.', 500));
    terminateSucceeds();
    expect(await pass(selector({ commonNames: ['val'] }))).toMatchObject({ complete: false, remaining: 1, failedConnectionIds: [] });
    expect(terminateInputs()).toHaveLength(1);
  });

  test('a retry still terminating when the polls end is left for the next pass, not reported', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand)
      .resolvesOnce({ Connections: [connection(ID(1), { commonName: 'wes', status: 'failed-to-terminate' })] })
      .resolves({ Connections: [connection(ID(1), { commonName: 'wes', status: 'terminating' })] });
    terminateSucceeds();
    expect(await pass(selector({ commonNames: ['wes'] }))).toMatchObject({ complete: false, remaining: 1, failedConnectionIds: [] });
    expect(terminateInputs()).toHaveLength(1);
  });
});

describe('the cutoff (establishedBefore)', () => {
  const cutoff = Date.UTC(2030, 0, 1, 0, 0, 0);

  test('allSessions leaves sessions established at or after the cutoff alone, and ends the rest by ConnectionId', async () => {
    listing(
      connection(ID(1), { username: 'xena', established: '2029-12-31 23:59:59' }),
      connection(ID(2), { username: 'xena', established: '2029-12-31 22:00:00' }),
      connection(ID(3), { username: 'xena', established: '2030-01-01 00:00:00' }),
      connection(ID(4), { commonName: 'yan', established: '2030-01-01 00:00:05' }),
    );
    terminateSucceeds();
    await pass(selector({ allSessions: true, establishedBefore: cutoff }));
    // By ConnectionId: a Username call could also end xena's session opened after the cutoff.
    expect(terminateTargets().sort()).toEqual([`id:${ID(1)}`, `id:${ID(2)}`]);
  });

  test('allSessions without a cutoff may end a user\'s sessions by Username', async () => {
    listing(connection(ID(1), { username: 'zed' }), connection(ID(2), { username: 'zed' }), connection(ID(3), { commonName: 'cert' }));
    terminateSucceeds({ zed: [ID(1), ID(2)] });
    await pass(selector({ allSessions: true }));
    expect(terminateTargets().sort()).toEqual([`id:${ID(3)}`, 'user:zed']);
  });

  test('a listed principal\'s session after the cutoff is still terminated, but completion does not wait for it', async () => {
    listing(
      connection(ID(1), { commonName: 'abe', status: 'terminated', established: '2029-12-31 20:00:00' }),
      connection(ID(2), { commonName: 'abe', established: '2030-01-01 00:01:00' }),
    );
    terminateSucceeds();
    const result = await pass(selector({ commonNames: ['abe'], establishedBefore: cutoff }));
    expect(terminateTargets()).toEqual([`id:${ID(2)}`]);
    expect(result).toMatchObject({ complete: true, remaining: 0, terminated: 1 });
  });

  test('a time that cannot be read counts as before the cutoff', async () => {
    listing(connection(ID(1), { username: 'bea', established: 'yesterday' }));
    terminateSucceeds();
    await pass(selector({ allSessions: true, establishedBefore: cutoff }));
    expect(terminateTargets()).toEqual([`id:${ID(1)}`]);
  });
});

describe('budget, concurrency and logs', () => {
  test('a budget shorter than the stop margin starts no call', async () => {
    listing(connection(ID(1), { commonName: 'cy' }));
    const result = await pass(selector({ commonNames: ['cy'] }), PASS_STOP_MARGIN_MS - 1);
    expect(result).toMatchObject({ complete: false, calls: { describe: 0, terminate: 0 } });
  });

  test('Terminate calls in flight never exceed maxInFlight', async () => {
    listing(...Array.from({ length: 20 }, (_, i) => connection(ID(i + 1), { commonName: 'dee' })));
    let inFlight = 0;
    let peak = 0;
    ec2.on(TerminateClientVpnConnectionsCommand).callsFake(async (input: TerminateClientVpnConnectionsCommandInput) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise(resolve => setImmediate(resolve));
      inFlight--;
      return terminatedOutput(input);
    });
    const result = await pass(selector({ commonNames: ['dee'] }), undefined, 3);
    expect(result.terminated).toBe(20);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
  });

  test('logs carry decisions and counts, never connection records, names or ids', async () => {
    listing(connection(ID(1), { username: 'eve-secret-name' }));
    terminateSucceeds({ 'eve-secret-name': [ID(1)] });
    await pass(selector({ usernames: ['eve-secret-name'] }));
    const text = JSON.stringify(harness.logs());
    expect(harness.logs().map(l => l.message)).toEqual(['session termination pass planned', 'session termination pass finished']);
    expect(text).not.toContain('eve-secret-name');
    expect(text).not.toContain('172.31.0.225');
    expect(text).not.toContain(ID(1));
  });

  test('a malformed selector or budget is a HandlerError', async () => {
    await expect(runTerminationPass(selector({ endpointId: ' ' }), { stopBy: 1 })).rejects.toThrow(HandlerError);
    await expect(runTerminationPass(selector({ usernames: [''] }), { stopBy: 1 })).rejects.toThrow(/usernames must be a list of non-empty strings/);
    await expect(runTerminationPass(selector({ usernames: ['a'] }), { stopBy: Number.NaN })).rejects.toThrow(/stopBy/);
    await expect(runTerminationPass(selector({ usernames: ['a'] }), { stopBy: 1, maxInFlight: 0 })).rejects.toThrow(/maxInFlight/);
  });
});
