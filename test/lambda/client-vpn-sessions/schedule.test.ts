/**
 * onSchedule: the scheduled enforcement run, its EMF metric line, its logs
 * and how it fails.
 */
import { DescribeClientVpnConnectionsCommand } from '@aws-sdk/client-ec2';
import { onSchedule } from '../../../lambda/client-vpn-sessions';
import { ec2, useHarness } from '../ec2-mock';
import { awsError, ENDPOINT } from '../fixtures';
import { ConnectionSpec } from './fixtures';
import { listings, terminateSucceeds, terminateTargets } from './sessions-ec2';
import { ScheduledEnforcementInput } from '../../../src/private/contract/client-vpn-sessions';

const h = useHarness();

function input(usernames: string[], commonNames: string[] = []): ScheduledEnforcementInput {
  return { SchemaVersion: '1', ClientVpnEndpointId: ENDPOINT, Usernames: usernames, CommonNames: commonNames };
}

/** The log records that are EMF documents. */
function metricLines(): Array<Record<string, unknown>> {
  return h.logs().filter(line => '_aws' in line);
}

const context = { getRemainingTimeInMillis: () => 60_000 };

test('a run terminates the listed principals\' sessions and emits SessionsTerminated as one EMF line', async () => {
  const at = h.clock.time - 600_000;
  const eve: ConnectionSpec = { id: 'cvpn-connection-0e0e00000000000a1', username: 'eve', establishedAt: at };
  const token: ConnectionSpec = { id: 'cvpn-connection-0e0e00000000000b1', commonName: 'eve-token', establishedAt: at };
  const frank: ConnectionSpec = { id: 'cvpn-connection-0f0f00000000000a1', username: 'frank', establishedAt: at };
  listings([eve, token, frank], [{ ...eve, status: 'terminated' }, { ...token, status: 'terminated' }, frank]);
  terminateSucceeds();
  const started = h.clock.time;

  await expect(onSchedule(input(['eve'], ['eve-token']), context)).resolves.toEqual({ endpointId: ENDPOINT, sessionsTerminated: 2, complete: true });
  expect(terminateTargets().sort()).toEqual([token.id, 'user:eve'].sort());

  const lines = metricLines();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toEqual({
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [{
        Namespace: 'CdkNetworkAccess/ClientVpn',
        Dimensions: [['ClientVpnEndpointId']],
        Metrics: [{ Name: 'SessionsTerminated', Unit: 'Count' }],
      }],
    },
    ClientVpnEndpointId: ENDPOINT,
    SessionsTerminated: 2,
  });
  expect((lines[0]._aws as { Timestamp: number }).Timestamp).toBeGreaterThanOrEqual(started);
  // Connection ids are logged, whole connection records are not.
  expect(h.logs()).toContainEqual(expect.objectContaining({ message: 'sessions terminated', connectionIds: expect.arrayContaining([token.id]) }));
  expect(JSON.stringify(h.logs())).not.toContain('10.20.0.5');
});

test('a run with nothing to end still emits 0, so that alarms see data', async () => {
  listings([]);
  await expect(onSchedule(input(['eve']), context)).resolves.toEqual({ endpointId: ENDPOINT, sessionsTerminated: 0, complete: true });
  expect(metricLines()).toEqual([expect.objectContaining({ SessionsTerminated: 0, ClientVpnEndpointId: ENDPOINT })]);
});

test('an endpoint that is gone emits the metric, then throws naming the endpoint', async () => {
  ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound'));
  await expect(onSchedule(input(['eve']), context)).rejects.toThrow(`Client VPN endpoint ${ENDPOINT} does not exist`);
  expect(metricLines()).toEqual([expect.objectContaining({ SessionsTerminated: 0 })]);
});

test('sessions stuck failed-to-terminate: the metric counts only what did end, then the run throws naming the stuck ones', async () => {
  const at = h.clock.time - 600_000;
  const stuck: ConnectionSpec = { id: 'cvpn-connection-0a0a00000000000f1', commonName: 'kiosk', establishedAt: at, status: 'failed-to-terminate' };
  const kiosk2: ConnectionSpec = { id: 'cvpn-connection-0a0a00000000000f2', commonName: 'kiosk', establishedAt: at };
  // kiosk2 ends at once; the stuck session is failed-to-terminate on every reading.
  listings([stuck, kiosk2], [stuck, { ...kiosk2, status: 'terminated' }]);
  terminateSucceeds();
  await expect(onSchedule(input([], ['kiosk']), context)).rejects.toThrow(
    `Client VPN endpoint ${ENDPOINT}: 1 session stayed failed-to-terminate after retries (${stuck.id})`);
  expect(metricLines()).toEqual([expect.objectContaining({ SessionsTerminated: 1 })]);
  expect(terminateTargets()).toContain(kiosk2.id);
});

test('throttling that outlasts the run is not a failure: the next run continues', async () => {
  ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
  await expect(onSchedule(input(['eve']), context)).resolves.toEqual({ endpointId: ENDPOINT, sessionsTerminated: 0, complete: false });
  expect(metricLines()).toHaveLength(1);
});

test('malformed input throws naming the problem, without any call', async () => {
  await expect(onSchedule({ ...input(['eve']), ClientVpnEndpointId: 'eve' }))
    .rejects.toThrow("invalid scheduled enforcement input: ClientVpnEndpointId 'eve' is not a Client VPN endpoint id");
  expect(ec2.calls()).toHaveLength(0);
});

describe('the enforcement lease (no reserved concurrency)', () => {
  const LEASE = `/cdk-network-access/client-vpn-enforcement/${ENDPOINT}/lease`;
  const leaseValue = (holder: string, expiresAt: number): string => JSON.stringify({ v: 1, holder, expiresAt });
  const withId = (awsRequestId: string) => ({ ...context, awsRequestId });

  test('a run takes the endpoint\'s lease until its invocation ends, and gives it back when done', async () => {
    listings([]);
    let during: string | undefined;
    ec2.on(DescribeClientVpnConnectionsCommand).callsFake(async () => {
      during = h.parameters.value(LEASE);
      return { Connections: [] };
    });
    const startedAt = h.clock.time;
    await expect(onSchedule(input(['eve']), withId('run-1'))).resolves.toEqual({ endpointId: ENDPOINT, sessionsTerminated: 0, complete: true });
    expect(JSON.parse(during!)).toEqual({ v: 1, holder: 'run-1', expiresAt: startedAt + 60_000 });
    expect(h.parameters.names()).toEqual([]);
  });

  test('a run that finds the lease held by a live run skips: no EC2 call, no metric', async () => {
    h.parameters.seed(LEASE, leaseValue('run-0', h.clock.time + 30_000));
    const result = await onSchedule(input(['eve']), withId('run-1'));
    expect(result).toEqual({
      endpointId: ENDPOINT,
      sessionsTerminated: 0,
      complete: false,
      skipped: { holder: 'run-0', heldUntil: new Date(h.clock.time + 30_000).toISOString() },
    });
    expect(ec2.calls()).toHaveLength(0);
    expect(metricLines()).toEqual([]);
    // Not its lease: left alone.
    expect(JSON.parse(h.parameters.value(LEASE)!).holder).toBe('run-0');
  });

  test.each([
    ['expired', (now: number) => leaseValue('run-0', now - 1)],
    ['unreadable', () => 'not json'],
  ])('a lease that is %s is taken over (its holder\'s invocation is over)', async (_name, value) => {
    h.parameters.seed(LEASE, value(h.clock.time));
    listings([]);
    await expect(onSchedule(input(['eve']), withId('run-1'))).resolves.toEqual({ endpointId: ENDPOINT, sessionsTerminated: 0, complete: true });
    expect(h.logs()).toContainEqual(expect.objectContaining({ message: 'enforcement lease taken over from an expired run' }));
    expect(h.parameters.names()).toEqual([]);
  });

  test('a run that fails still gives the lease back', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound'));
    await expect(onSchedule(input(['eve']), withId('run-1'))).rejects.toThrow(`Client VPN endpoint ${ENDPOINT} does not exist`);
    expect(h.parameters.names()).toEqual([]);
  });

  test('Parameter Store refusing does not leave revoked sessions up: the run works without the lease', async () => {
    h.parameters.failNext('PutParameter', 1, 'AccessDeniedException');
    const at = h.clock.time - 600_000;
    const eve: ConnectionSpec = { id: 'cvpn-connection-0e0e00000000000a1', username: 'eve', establishedAt: at };
    listings([eve], [{ ...eve, status: 'terminated' }]);
    terminateSucceeds();
    await expect(onSchedule(input(['eve']), withId('run-1'))).resolves.toEqual({ endpointId: ENDPOINT, sessionsTerminated: 1, complete: true });
    expect(h.logs()).toContainEqual(expect.objectContaining({
      message: 'enforcement lease unavailable; this run works without it', error: expect.stringContaining('AccessDeniedException'),
    }));
  });

  test('two runs started together: exactly one works', async () => {
    listings([]);
    const [a, b] = await Promise.all([onSchedule(input(['eve']), withId('run-a')), onSchedule(input(['eve']), withId('run-b'))]);
    expect([a.skipped, b.skipped].filter(s => s !== undefined)).toHaveLength(1);
    expect(describeCount()).toBe(1);
  });
});

function describeCount(): number {
  return ec2.commandCalls(DescribeClientVpnConnectionsCommand).length;
}
