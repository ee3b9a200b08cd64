import * as fc from 'fast-check';
import { FAILED_TERMINATION_RETRIES, runTerminationPass, SessionSelector, TerminationPassResult } from '../../lambda/shared/client-vpn-sessions';
import type { TokenBucketOptions } from '../support/simulated-client-vpn';
import { SimulatedClientVpnSessions } from '../support/simulated-client-vpn-sessions';
import { SimulatedClock } from '../support/simulated-clock';

/**
 * The session-termination engine, driven pass after pass the way the
 * Provider's waiter drives isComplete (10 s apart), against the simulated
 * endpoint: whatever the mix of principals (listed and not, users and
 * certificate common names, both on one session), sessions per principal
 * (0 to 12, both sides of the five-connection rule), page sizes, token
 * buckets, budgets, read lag and faults that eventually clear, the passes
 * end with every active session of a listed principal terminated and no
 * other session touched: no Terminate call ever names an unlisted
 * connection or user.
 */

const USERS = ['ann', 'ben', 'cat', 'dan', 'eva', 'fin', 'gil', 'hal'];
const COMMON_NAMES = ['laptop-1.example.com', 'laptop-2.example.com', 'phone-1.example.com', 'phone-2.example.com', 'kiosk.example.com'];

const RUNS = 100;
/**
 * Injected failures per session: at most what one pass retries
 * (FAILED_TERMINATION_RETRIES, 3), so every failure clears without being
 * reported. A literal on purpose: a change to the engine's bound must show
 * up here, not silently shrink the scenarios.
 */
const MAX_INJECTED_FAILURES = 3;
const QUERY_INTERVAL_MS = 10_000;
const MAX_PASSES = 400;

interface SessionSpec {
  /** Index into USERS, or none. */
  readonly user?: number;
  /** Index into COMMON_NAMES, or none (then the simulation reports the username as CommonName). */
  readonly commonName?: number;
  /** Terminations of this session that end `failed-to-terminate` before one succeeds. */
  readonly failures: number;
  /** Opened this long before the first pass. */
  readonly ageMs: number;
}

interface Scenario {
  readonly listedUsers: readonly number[];
  readonly listedCommonNames: readonly number[];
  readonly sessions: readonly SessionSpec[];
  readonly pageSizeCap?: number;
  readonly terminateBucket: TokenBucketOptions;
  readonly budgetMs: number;
  readonly staleReadMs: number;
  readonly terminate5xx: number;
  readonly describe5xx: number;
  readonly crashAfter?: number;
  readonly seed: number;
}

const indexes = (n: number) => fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n });

/** 0 to 12 sessions for each principal slot: a user, a certificate, or a user with a certificate. */
const sessionsArb: fc.Arbitrary<SessionSpec[]> = fc.array(
  fc.record({
    owner: fc.oneof(
      fc.record({ user: fc.integer({ min: 0, max: USERS.length - 1 }) }),
      fc.record({ commonName: fc.integer({ min: 0, max: COMMON_NAMES.length - 1 }) }),
      fc.record({ user: fc.integer({ min: 0, max: USERS.length - 1 }), commonName: fc.integer({ min: 0, max: COMMON_NAMES.length - 1 }) }),
    ),
    count: fc.integer({ min: 0, max: 12 }),
    failures: fc.array(fc.nat({ max: MAX_INJECTED_FAILURES }), { minLength: 12, maxLength: 12 }),
    ageMs: fc.integer({ min: 60_000, max: 8 * 3600_000 }),
  }),
  { maxLength: 10 },
).map(slots => slots.flatMap(slot => Array.from({ length: slot.count }, (_, i) => ({
  ...slot.owner,
  // Most sessions terminate at once; some fail a few times first (never more than one pass retries).
  failures: i % 3 === 0 ? slot.failures[i] : 0,
  ageMs: slot.ageMs + i * 1_000,
}))));

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  listedUsers: indexes(USERS.length),
  listedCommonNames: indexes(COMMON_NAMES.length),
  sessions: sessionsArb,
  pageSizeCap: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  terminateBucket: fc.oneof(
    fc.constant({ burst: 200, refillPerSecond: 5 }),
    fc.record({ burst: fc.integer({ min: 1, max: 20 }), refillPerSecond: fc.constantFrom(0.5, 1, 2, 5) }),
  ),
  budgetMs: fc.constantFrom(14 * 60_000, 60_000, 20_000),
  staleReadMs: fc.constantFrom(0, 0, 1_000, 4_000),
  terminate5xx: fc.nat({ max: 3 }),
  describe5xx: fc.nat({ max: 2 }),
  crashAfter: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
}, { requiredKeys: ['listedUsers', 'listedCommonNames', 'sessions', 'terminateBucket', 'budgetMs', 'staleReadMs', 'terminate5xx', 'describe5xx', 'seed'] });

interface Outcome {
  readonly passes: TerminationPassResult[];
  readonly complete: boolean;
  readonly crashes: number;
}

async function drive(sim: SimulatedClientVpnSessions, clock: SimulatedClock, selector: SessionSelector, budgetMs: number): Promise<Outcome> {
  const passes: TerminationPassResult[] = [];
  let crashes = 0;
  for (let i = 0; i < MAX_PASSES; i++) {
    try {
      const result = await runTerminationPass(selector, { stopBy: clock.now() + budgetMs });
      passes.push(result);
      if (result.complete || result.failedConnectionIds.length > 0) {
        return { passes, complete: result.complete, crashes };
      }
    } catch (error) {
      // A crashed invocation's error reaches nobody; anything else is a real failure.
      if (!sim.consumeCrash()) throw error;
      crashes++;
    }
    clock.advance(QUERY_INTERVAL_MS);
  }
  return { passes, complete: false, crashes };
}

let logSpy: jest.SpyInstance;
beforeAll(() => {
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterAll(() => logSpy.mockRestore());

test('the injected failures stay within what one pass retries', () => {
  expect(FAILED_TERMINATION_RETRIES).toBeGreaterThanOrEqual(MAX_INJECTED_FAILURES);
});

test('passes end every active session of a listed principal and touch nothing else', async () => {
  await fc.assert(fc.asyncProperty(scenarioArb, async scenario => {
    const clock = new SimulatedClock();
    const restoreClock = clock.install();
    const sim = new SimulatedClientVpnSessions({
      clock,
      seed: scenario.seed,
      terminateBucket: scenario.terminateBucket,
      staleReadMs: scenario.staleReadMs,
      ...(scenario.pageSizeCap !== undefined ? { pageSizeCap: scenario.pageSizeCap } : {}),
    });
    sim.install();
    try {
      const endpoint = sim.createEndpoint();
      const listedUsers = new Set(scenario.listedUsers.map(i => USERS[i]));
      const listedCommonNames = new Set(scenario.listedCommonNames.map(i => COMMON_NAMES[i]));
      const mustEnd = new Set<string>();
      const mustStay = new Set<string>();
      const failures = new Map<string, number>();
      for (const spec of scenario.sessions) {
        const username = spec.user === undefined ? undefined : USERS[spec.user];
        const commonName = spec.commonName === undefined ? undefined : COMMON_NAMES[spec.commonName];
        const id = sim.connect(endpoint, {
          ...(username !== undefined ? { username } : {}),
          ...(commonName !== undefined ? { commonName } : {}),
          establishedAt: clock.now() - spec.ageMs,
        });
        const listed = (username !== undefined && listedUsers.has(username)) || (commonName !== undefined && listedCommonNames.has(commonName));
        (listed ? mustEnd : mustStay).add(id);
        if (spec.failures > 0) {
          sim.failTermination(id, spec.failures);
          failures.set(id, spec.failures);
        }
      }
      sim.failNext('TerminateClientVpnConnections', scenario.terminate5xx);
      sim.failNext('DescribeClientVpnConnections', scenario.describe5xx);
      if (scenario.crashAfter !== undefined) sim.crashAfterTerminateCalls(scenario.crashAfter);

      const outcome = await drive(sim, clock, {
        endpointId: endpoint,
        usernames: [...listedUsers].sort(),
        commonNames: [...listedCommonNames].sort(),
      }, scenario.budgetMs);

      expect(outcome.passes.flatMap(p => p.failedConnectionIds)).toEqual([]);
      expect(outcome.complete).toBe(true);
      for (const session of sim.sessions(endpoint)) {
        if (mustEnd.has(session.connectionId)) {
          expect(session.status).toBe('terminated');
          // Once, plus once more per injected failure: nothing terminated twice on purpose.
          expect(session.terminations).toBe(1 + (failures.get(session.connectionId) ?? 0));
        } else {
          expect(mustStay.has(session.connectionId)).toBe(true);
          expect(session).toMatchObject({ status: 'active', terminations: 0 });
        }
      }
      for (const call of sim.terminateCalls()) {
        if (call.connectionId !== undefined) expect(mustEnd.has(call.connectionId)).toBe(true);
        if (call.username !== undefined) expect(listedUsers.has(call.username)).toBe(true);
      }
      expect(sim.counters.redundantTerminations).toBe(0);
    } finally {
      sim.restore();
      restoreClock();
    }
  }), { numRuns: RUNS, seed: 20260101 });
});
