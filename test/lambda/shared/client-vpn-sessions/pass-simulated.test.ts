/**
 * The termination engine against the SIMULATED Client VPN endpoint with
 * sessions: passes driven the way the Provider's waiter drives isComplete
 * (10 s apart), on a virtual clock, with EC2's token buckets on.
 */
import { runTerminationPass, SessionSelector, TerminationPassResult } from '../../../../lambda/shared/client-vpn-sessions';
import { HandlerError } from '../../../../lambda/shared/errors';
import { isSimulatedCrash } from '../../../support/simulated-client-vpn';
import { SimulatedClientVpnSessions, SimulatedClientVpnSessionsOptions } from '../../../support/simulated-client-vpn-sessions';
import { SimulatedClock } from '../../../support/simulated-clock';

let clock: SimulatedClock;
let restoreClock: () => void;
let sim: SimulatedClientVpnSessions;
let endpoint: string;
let logSpy: jest.SpyInstance;

function world(options: Partial<SimulatedClientVpnSessionsOptions> = {}): void {
  sim.restore();
  sim = new SimulatedClientVpnSessions({ clock, seed: 11, ...options });
  sim.install();
  endpoint = sim.createEndpoint();
}

beforeEach(() => {
  clock = new SimulatedClock();
  restoreClock = clock.install();
  sim = new SimulatedClientVpnSessions({ clock, seed: 11 });
  sim.install();
  endpoint = sim.createEndpoint();
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  sim.restore();
  restoreClock();
  logSpy.mockRestore();
});

const INTERVAL_MS = 10_000;

interface Run {
  readonly results: TerminationPassResult[];
  readonly crashes: number;
  readonly complete: boolean;
}

/** Passes until one is complete or reports failures, as the waiter would call isComplete. */
async function runPasses(selector: SessionSelector, budgetMs = 14 * 60_000, maxPasses = 100): Promise<Run> {
  const results: TerminationPassResult[] = [];
  let crashes = 0;
  for (let i = 0; i < maxPasses; i++) {
    try {
      const result = await runTerminationPass(selector, { stopBy: clock.now() + budgetMs });
      results.push(result);
      if (result.complete || result.failedConnectionIds.length > 0) {
        return { results, crashes, complete: result.complete };
      }
    } catch (error) {
      // The Lambda died mid-pass: its error never reaches anyone, the next invocation starts fresh.
      if (!sim.consumeCrash()) throw error;
      crashes++;
    }
    clock.advance(INTERVAL_MS);
  }
  return { results, crashes, complete: false };
}

/** Terminate calls never name a connection or user outside `listed`. */
function expectOnlyListedNamed(listedIds: ReadonlySet<string>, listedUsers: ReadonlySet<string>): void {
  for (const call of sim.terminateCalls()) {
    if (call.connectionId !== undefined) expect(listedIds).toContain(call.connectionId);
    if (call.username !== undefined) expect(listedUsers).toContain(call.username);
  }
}

test('the pass loop ends every active session of a listed principal and touches nothing else', async () => {
  const other = sim.createEndpoint();
  const listed = new Set<string>();
  const connectMany = (n: number, spec: { username?: string; commonName?: string }, into?: Set<string>) => {
    for (let i = 0; i < n; i++) {
      const id = sim.connect(endpoint, spec);
      into?.add(id);
    }
  };
  connectMany(1, { username: 'alice' }, listed);
  connectMany(3, { username: 'bob' }, listed);
  connectMany(7, { username: 'carol' }, listed);
  connectMany(2, { commonName: 'laptop-1.example.com' }, listed);
  connectMany(1, { username: 'dave', commonName: 'laptop-2.example.com' }, listed);
  connectMany(2, { username: 'erin' });
  connectMany(2, { commonName: 'laptop-3.example.com' });
  connectMany(1, { username: 'frank', commonName: 'laptop-1.example.com.old' });
  const elsewhere = sim.connect(other, { username: 'alice' });
  const alreadyGone = sim.connect(endpoint, { username: 'bob' });
  sim.disconnect(alreadyGone);

  const selector = { endpointId: endpoint, usernames: ['alice', 'bob', 'carol'], commonNames: ['laptop-1.example.com', 'laptop-2.example.com'] };
  const run = await runPasses(selector);

  expect(run.complete).toBe(true);
  expect(run.results).toHaveLength(2);
  for (const s of sim.sessions(endpoint)) {
    if (listed.has(s.connectionId)) {
      expect(s).toMatchObject({ status: 'terminated', terminations: 1 });
    } else if (s.connectionId !== alreadyGone) {
      expect(s).toMatchObject({ status: 'active', terminations: 0 });
    }
  }
  expect(sim.session(alreadyGone).terminations).toBe(0);
  expect(sim.session(elsewhere).status).toBe('active');
  expectOnlyListedNamed(listed, new Set(selector.usernames));
  expect(sim.counters.redundantTerminations).toBe(0);
  expect(sim.counters.errors).toEqual({});
  // alice and bob by Username (one call each); carol (7) and the three certificate sessions one by one.
  expect(sim.terminateCalls().map(c => c.username ?? 'id').sort()).toEqual([...Array(10).fill('id'), 'alice', 'bob'].sort());
  expect(run.results[0]).toMatchObject({ terminated: 14, remaining: 14, complete: false });
  expect(run.results[1]).toMatchObject({ terminated: 0, remaining: 0, complete: true, calls: { terminate: 0 } });
});

test('cutoff: a revoked client that reconnects in a loop cannot hold up completion, and each new session is still ended', async () => {
  const cutoff = clock.now();
  sim.connect(endpoint, { username: 'looper', establishedAt: cutoff - 60_000 });
  sim.connect(endpoint, { username: 'looper', establishedAt: cutoff - 30_000 });
  // Every time looper's sessions are terminated, the client connects again at once.
  sim.onCall(call => {
    if (call.operation === 'TerminateClientVpnConnections' && call.outcome === 'ok') {
      clock.advance(1);
      sim.connect(endpoint, { username: 'looper' });
    }
  });

  const run = await runPasses({ endpointId: endpoint, usernames: ['looper'], commonNames: [], establishedBefore: cutoff });

  expect(run.complete).toBe(true);
  expect(run.results.length).toBeLessThanOrEqual(3);
  const sessions = sim.sessions(endpoint);
  expect(sessions.filter(s => s.establishedAt < cutoff).every(s => s.status === 'terminated')).toBe(true);
  // Each session seen by a listing was ended; only the newest, opened after the last listing, is still up.
  expect(sessions.filter(s => s.status === 'active')).toHaveLength(1);
  expect(sessions.every(s => s.terminations <= 1)).toBe(true);
});

test('allSessions with a cutoff ends every session older than the cutoff and spares the ones opened since', async () => {
  const before = [1, 2, 3].map(i => sim.connect(endpoint, { username: `user-${i}`, establishedAt: clock.now() - 3600_000 }));
  before.push(sim.connect(endpoint, { username: 'user-1', establishedAt: clock.now() - 1_000 }));
  before.push(sim.connect(endpoint, { commonName: 'cert-9', establishedAt: clock.now() - 1_000 }));
  clock.advance(2_000);
  const cutoff = clock.now();
  const after = [sim.connect(endpoint, { username: 'user-1' }), sim.connect(endpoint, { commonName: 'cert-10' })];

  const run = await runPasses({ endpointId: endpoint, usernames: [], commonNames: [], allSessions: true, establishedBefore: cutoff });

  expect(run.complete).toBe(true);
  expect(before.map(id => sim.session(id).status)).toEqual(Array(5).fill('terminated'));
  expect(after.map(id => sim.session(id))).toEqual(after.map(() => expect.objectContaining({ status: 'active', terminations: 0 })));
  // user-1 has a session after the cutoff: never a Terminate by Username.
  expect(sim.terminateCalls().every(c => c.username === undefined)).toBe(true);
});

test('a crash mid-pass: the next pass resumes from AWS\'s state and terminates nothing twice', async () => {
  const ids = Array.from({ length: 30 }, (_, i) => sim.connect(endpoint, { commonName: `cert-${i % 10}` }));
  sim.crashAfterTerminateCalls(12);

  const run = await runPasses({ endpointId: endpoint, usernames: [], commonNames: Array.from({ length: 10 }, (_, i) => `cert-${i}`) });

  expect(run.crashes).toBe(1);
  expect(run.complete).toBe(true);
  expect(ids.map(id => sim.session(id))).toEqual(ids.map(() => expect.objectContaining({ status: 'terminated', terminations: 1 })));
  expect(sim.counters.redundantTerminations).toBe(0);
  expect(sim.counters.calls.TerminateClientVpnConnections).toBe(30);
});

test('an exhausted budget: each pass stops in time, the next resumes by re-describing, nothing is terminated twice', async () => {
  world({ terminateBucket: { burst: 5, refillPerSecond: 1 } });
  const ids = Array.from({ length: 60 }, (_, i) => sim.connect(endpoint, { username: `user-${i}` }));
  const budgetMs = 20_000;
  const starts: number[] = [];
  const ends: number[] = [];
  const passes = await (async () => {
    const results: TerminationPassResult[] = [];
    for (let i = 0; i < 50; i++) {
      starts.push(clock.now());
      const r = await runTerminationPass({ endpointId: endpoint, usernames: ids.map((_, j) => `user-${j}`), commonNames: [] }, { stopBy: clock.now() + budgetMs });
      ends.push(clock.now());
      results.push(r);
      if (r.complete) return results;
      clock.advance(INTERVAL_MS);
    }
    return results;
  })();

  expect(passes.at(-1)?.complete).toBe(true);
  expect(passes.length).toBeGreaterThan(3);
  ends.forEach((end, i) => expect(end).toBeLessThanOrEqual(starts[i] + budgetMs));
  expect(ids.map(id => sim.session(id))).toEqual(ids.map(() => expect.objectContaining({ status: 'terminated', terminations: 1 })));
  expect(sim.counters.redundantTerminations).toBe(0);
  expect(passes.every(p => p.failedConnectionIds.length === 0)).toBe(true);
  // Throttling happened and never surfaced.
  expect(sim.counters.throttled.TerminateClientVpnConnections).toBeGreaterThan(0);
  expect(passes.reduce((sum, p) => sum + p.calls.throttled, 0)).toBe(sim.counters.throttledCalls);
});

test('failed-to-terminate: one that clears is retried to the end; one that never clears is reported; reads that lag fool neither', async () => {
  world({ staleReadMs: 3_000 });
  // Opened a minute ago: with reads lagging 3 s, a session opened just now would not be listed yet.
  const clears = sim.connect(endpoint, { commonName: 'flaky', establishedAt: clock.now() - 60_000 });
  const stuck = sim.connect(endpoint, { commonName: 'stuck', establishedAt: clock.now() - 60_000 });
  sim.failTermination(clears, 2);
  sim.failTermination(stuck, 100);

  const run = await runPasses({ endpointId: endpoint, usernames: [], commonNames: ['flaky', 'stuck'] });

  const last = run.results.at(-1)!;
  expect(last.failedConnectionIds).toEqual([stuck]);
  expect(last.complete).toBe(false);
  expect(sim.session(clears).status).toBe('terminated');
  expect(sim.session(clears).terminations).toBe(3);
  // The first termination in pass 1, then at most three retries in the pass that reports it.
  expect(sim.session(stuck).terminations).toBe(4);
  expect(sim.counters.redundantTerminations).toBe(0);
});

test('five connections: one Terminate by Username; six: one per connection; EC2 never refuses either', async () => {
  const five = [1, 2, 3, 4, 5].map(() => sim.connect(endpoint, { username: 'five' }));
  const six = [1, 2, 3, 4, 5, 6].map(() => sim.connect(endpoint, { username: 'six' }));
  const run = await runPasses({ endpointId: endpoint, usernames: ['five', 'six'], commonNames: [] });
  expect(run.complete).toBe(true);
  expect([...five, ...six].every(id => sim.session(id).status === 'terminated')).toBe(true);
  expect(sim.terminateCalls().map(c => (c.username ? 'user' : 'id')).sort()).toEqual([...Array(6).fill('id'), 'user']);
  expect(sim.counters.errors).toEqual({});
});

test('a sixth connection opened between the listing and the call: the refused Username call falls back, and the next pass ends the newcomer', async () => {
  const ids = [1, 2, 3, 4, 5].map(() => sim.connect(endpoint, { username: 'grower' }));
  let added: string | undefined;
  sim.onCall(call => {
    if (call.operation === 'DescribeClientVpnConnections' && added === undefined) added = sim.connect(endpoint, { username: 'grower' });
  });
  const run = await runPasses({ endpointId: endpoint, usernames: ['grower'], commonNames: [] });
  expect(run.complete).toBe(true);
  expect(sim.counters.errors).toEqual({ ClientVpnTerminateConnectionsLimitExceeded: 1 });
  expect([...ids, added!].map(id => sim.session(id))).toEqual([...ids, added].map(() => expect.objectContaining({ status: 'terminated', terminations: 1 })));
});

test('pages smaller than asked for (a page cap) are followed to the end', async () => {
  world({ pageSizeCap: 7 });
  const ids = Array.from({ length: 40 }, (_, i) => sim.connect(endpoint, { commonName: i % 2 === 0 ? 'even' : `odd-${i}` }));
  const run = await runPasses({ endpointId: endpoint, usernames: [], commonNames: ['even'] });
  expect(run.complete).toBe(true);
  expect(run.results[0].calls.describe).toBe(Math.ceil(40 / 7));
  expect(ids.filter((_, i) => i % 2 === 0).every(id => sim.session(id).status === 'terminated')).toBe(true);
  expect(ids.filter((_, i) => i % 2 === 1).every(id => sim.session(id).status === 'active')).toBe(true);
});

test('an endpoint that does not exist fails the pass with its id in the reason', async () => {
  sim.deleteEndpoint(endpoint);
  const error = await runTerminationPass({ endpointId: endpoint, usernames: ['x'], commonNames: [] }, { stopBy: clock.now() + 60_000 }).catch(e => e);
  expect(error).toBeInstanceOf(HandlerError);
  expect(error.message).toContain(endpoint);
  expect(isSimulatedCrash(error)).toBe(false);
});
