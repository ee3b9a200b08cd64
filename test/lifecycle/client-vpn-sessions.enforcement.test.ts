/**
 * Scheduled enforcement runs that overlap, against the simulated endpoint and
 * the simulated Parameter Store, on one virtual clock: the runs EventBridge
 * starts while an earlier one still works (a delivery twice, a long run, two
 * revocation sets with enforcement on one endpoint) never both work on the
 * endpoint, without reserved concurrency; a run that died holding the lease
 * does not block the next one past the dead run's timeout.
 */
import { onSchedule, ScheduledEnforcementResult } from '../../lambda/client-vpn-sessions';
import { SimulatedClientVpnSessions } from '../support/simulated-client-vpn-sessions';
import { SimulatedClock } from '../support/simulated-clock';
import { SimulatedParameterStore } from '../support/simulated-parameter-store';

const MINUTE = 60_000;

let teardown: Array<() => void> = [];

function lab() {
  const clock = new SimulatedClock();
  // A slow Terminate budget: 200 sessions take well over a minute to end.
  const sessions = new SimulatedClientVpnSessions({ clock, seed: 11, terminateBucket: { burst: 5, refillPerSecond: 1 } });
  sessions.install();
  const parameters = new SimulatedParameterStore({ now: () => clock.now() });
  parameters.install();
  teardown.push(() => sessions.restore(), () => parameters.restore(), clock.install());
  const endpoint = sessions.createEndpoint();
  return { clock, sessions, parameters, endpoint };
}

/** A Lambda context whose invocation ends `timeoutMs` after it starts, on the virtual clock. */
function lambdaContext(clock: SimulatedClock, awsRequestId: string, timeoutMs: number) {
  const end = clock.now() + timeoutMs;
  return { awsRequestId, getRemainingTimeInMillis: () => Math.max(0, end - clock.now()) };
}

const input = (endpoint: string, commonNames: string[]) => ({ SchemaVersion: '1', ClientVpnEndpointId: endpoint, Usernames: [], CommonNames: commonNames });

beforeEach(() => {
  process.env.AWS_REGION = 'us-east-1';
  const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  teardown = [() => spy.mockRestore()];
});

afterEach(() => {
  for (const undo of teardown.reverse()) undo();
});

test('a run started while another works on the endpoint skips it; no session is terminated twice; the next run after it works', async () => {
  const l = lab();
  const names = Array.from({ length: 200 }, (_, i) => `device-${i}`);
  const ids = names.map(commonName => l.sessions.connect(l.endpoint, { commonName, establishedAt: l.clock.now() - MINUTE }));

  // Run B starts (EventBridge delivers again) once run A has made its first Terminate call.
  let runB: Promise<ScheduledEnforcementResult> | undefined;
  let callsWhenBStarted = 0;
  l.sessions.onCall(call => {
    if (!runB && call.operation === 'TerminateClientVpnConnections') {
      callsWhenBStarted = l.sessions.calls.length;
      runB = onSchedule(input(l.endpoint, names), lambdaContext(l.clock, 'run-b', 5 * MINUTE));
    }
  });
  const a = await onSchedule(input(l.endpoint, names), lambdaContext(l.clock, 'run-a', 5 * MINUTE));
  const b = await runB!;

  expect(a.skipped).toBeUndefined();
  expect(b.skipped).toEqual({ holder: 'run-a', heldUntil: expect.any(String) });
  // B made no call of its own: every call after it started is A's (A's Describe/Terminate pattern).
  expect(l.sessions.calls.length).toBeGreaterThan(callsWhenBStarted);
  const twice = l.sessions.sessions(l.endpoint).filter(s => s.terminations > 1).map(s => s.connectionId);
  expect(twice).toEqual([]);
  expect(a.complete).toBe(true);
  expect(ids.map(id => l.sessions.session(id).status).filter(s => s !== 'terminated' && s !== 'gone')).toEqual([]);
  // A gave the lease back: the next run works (and finds nothing to end).
  expect(l.parameters.names()).toEqual([]);
  const c = await onSchedule(input(l.endpoint, names), lambdaContext(l.clock, 'run-c', 5 * MINUTE));
  expect(c).toEqual({ endpointId: l.endpoint, sessionsTerminated: 0, complete: true });
});

test('a run that died holding the lease (Lambda timeout) blocks runs only until its timeout', async () => {
  const l = lab();
  const id = l.sessions.connect(l.endpoint, { commonName: 'kiosk', establishedAt: l.clock.now() - MINUTE });
  // The dead run's lease, as acquireLease wrote it, ending 2 minutes from now.
  l.parameters.seed(`/cdk-network-access/client-vpn-enforcement/${l.endpoint}/lease`,
    JSON.stringify({ v: 1, holder: 'run-dead', expiresAt: l.clock.now() + 2 * MINUTE }));

  const early = await onSchedule(input(l.endpoint, ['kiosk']), lambdaContext(l.clock, 'run-1', MINUTE));
  expect(early.skipped?.holder).toBe('run-dead');
  expect(l.sessions.session(id).status).toBe('active');

  l.clock.advance(2 * MINUTE + 1);
  const later = await onSchedule(input(l.endpoint, ['kiosk']), lambdaContext(l.clock, 'run-2', MINUTE));
  expect(later).toEqual({ endpointId: l.endpoint, sessionsTerminated: 1, complete: true });
  expect(l.parameters.names()).toEqual([]);
});

test('two endpoints: one endpoint\'s run never blocks the other\'s', async () => {
  const l = lab();
  const other = l.sessions.createEndpoint();
  l.sessions.connect(other, { commonName: 'kiosk', establishedAt: l.clock.now() - MINUTE });
  l.parameters.seed(`/cdk-network-access/client-vpn-enforcement/${l.endpoint}/lease`,
    JSON.stringify({ v: 1, holder: 'run-busy', expiresAt: l.clock.now() + 5 * MINUTE }));
  const result = await onSchedule(input(other, ['kiosk']), lambdaContext(l.clock, 'run-1', MINUTE));
  expect(result).toEqual({ endpointId: other, sessionsTerminated: 1, complete: true });
});
