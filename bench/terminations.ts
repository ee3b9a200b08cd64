/**
 * (d) Session termination at scale: the engine (lambda/shared/client-vpn-sessions)
 * driven pass after pass, as the Provider's waiter would drive isComplete,
 * against the SIMULATED Client VPN endpoint with sessions, on a virtual clock.
 *
 * Each scenario puts N sessions of revoked principals on one endpoint (a
 * realistic mix: mostly users with one session, some with two to five, some
 * with more than five, some certificate common names) plus N/10 sessions of
 * principals that stay, then runs passes with a 14-minute budget each, 10 s
 * apart, until a pass reports complete. EC2's token buckets are on: Describe
 * 100 burst, 20/s; Terminate 200 burst, 5/s unless the scenario says
 * otherwise.
 *
 * The floor any client can reach is set by the Terminate bucket alone:
 * T calls need max(0, T - burst) / refill seconds, where T counts one call
 * per user with at most five sessions (Terminate by Username) and one per
 * session otherwise. Target: wall time at most 1.2x that floor, no failed
 * termination, and per pass at most ceil(listed / page size) + 2 Describe calls.
 *
 * Runnable alone: `npx ts-node --project tsconfig.dev.json bench/terminations.ts`.
 */
import { elapsedMs, formatRatio } from './stats';
import { renderTable, Table } from './table';
import { metMark, renderTargets, TargetCheck } from './targets';
import { DESCRIBE_PAGE_SIZE, runTerminationPass, USERNAME_TERMINATE_LIMIT } from '../lambda/shared/client-vpn-sessions';
import type { TokenBucketOptions } from '../test/support/simulated-client-vpn';
import { DEFAULT_DESCRIBE_BUCKET, DEFAULT_TERMINATE_BUCKET, SimulatedClientVpnSessions } from '../test/support/simulated-client-vpn-sessions';
import { SimulatedClock } from '../test/support/simulated-clock';

export interface TerminationScenario {
  /** Sessions of revoked principals. */
  readonly n: number;
  /** Sessions of principals that are not revoked. @default n / 10 */
  readonly unrelated?: number;
  /** @default 200 burst, 5/s */
  readonly terminateBucket?: TokenBucketOptions;
  /** Largest page the simulated Describe returns. @default none */
  readonly pageSizeCap?: number;
  /** @default 1 */
  readonly seed?: number;
}

export interface TerminationResult {
  readonly scenario: TerminationScenario;
  readonly terminateBucket: TokenBucketOptions;
  /** Revoked principals: users with one session, users with 2-5, users with more than 5, common names. */
  readonly principals: { readonly single: number; readonly few: number; readonly many: number; readonly commonNames: number };
  /** Terminate calls the work needs at the least (one per user with at most five sessions, one per other session). */
  readonly requiredTerminateCalls: number;
  /** max(0, T - burst) / refill. */
  readonly floorSeconds: number;
  /** Virtual time from the first pass to the pass that reported complete. */
  readonly wallSeconds: number;
  /** wall / floor; undefined when the floor is 0 (the work fits in the burst). */
  readonly ratio?: number;
  readonly passes: number;
  readonly describeCalls: number;
  readonly terminateCalls: number;
  readonly throttledDescribe: number;
  readonly throttledTerminate: number;
  /** Connections reported failed by a pass. */
  readonly failedTerminations: number;
  /** Most Describe calls one pass made, and the bound ceil(listed / page) + 2. */
  readonly maxDescribePerPass: number;
  readonly describeBoundPerPass: number;
  /** Every revoked session terminated, every other one untouched and no session terminated twice. */
  readonly endStateOk: boolean;
  readonly endStateProblem?: string;
  readonly complete: boolean;
  readonly hostMs: number;
}

const PASS_BUDGET_MS = 14 * 60 * 1000;
const QUERY_INTERVAL_MS = 10_000;
/** The waiter's totalTimeout can be at most one hour: 360 polls of 10 s. */
const MAX_PASSES = 360;
const DESCRIBE_CONSTANT = 2;

/** Park-Miller, seeded: the benchmark's population is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = Math.abs(Math.floor(seed)) % 2147483647 || 1;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

interface Principal {
  readonly kind: 'user' | 'commonName';
  readonly name: string;
  readonly sessions: number;
}

/**
 * Sessions of revoked principals, about 70% users with one session, 10% in
 * users with 2 to 5, 10% in users with 6 to 8 (over the Username limit) and
 * 10% in certificate common names with 1 or 2.
 */
function revokedPrincipals(n: number, random: () => number): Principal[] {
  const principals: Principal[] = [];
  let left = n;
  let serial = 0;
  const add = (kind: Principal['kind'], sessions: number) => {
    const count = Math.min(sessions, left);
    if (count <= 0) return;
    serial++;
    principals.push({ kind, name: kind === 'user' ? `revoked-user-${serial}` : `revoked-${serial}.clients.example.com`, sessions: count });
    left -= count;
  };
  while (left > 0) {
    const draw = random();
    if (draw < 0.1) add('commonName', 1 + Math.floor(random() * 2));
    else if (draw < 0.115) add('user', 6 + Math.floor(random() * 3));
    else if (draw < 0.15) add('user', 2 + Math.floor(random() * 4));
    else add('user', 1);
  }
  return principals;
}

function requiredCalls(principals: readonly Principal[]): number {
  return principals.reduce((sum, p) => sum + (p.kind === 'user' && p.sessions <= USERNAME_TERMINATE_LIMIT ? 1 : p.sessions), 0);
}

/** The engine logs one JSON line per decision; the benchmark keeps the terminal for its table. */
async function withoutConsoleLog<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = original;
  }
}

export async function runTerminationScenario(scenario: TerminationScenario): Promise<TerminationResult> {
  const started = process.hrtime.bigint();
  const seed = scenario.seed ?? 1;
  const random = seededRandom(seed);
  const terminateBucket = scenario.terminateBucket ?? DEFAULT_TERMINATE_BUCKET;
  const clock = new SimulatedClock();
  const restoreClock = clock.install();
  const sim = new SimulatedClientVpnSessions({
    clock,
    seed,
    terminateBucket,
    describeBucket: DEFAULT_DESCRIBE_BUCKET,
    ...(scenario.pageSizeCap !== undefined ? { pageSizeCap: scenario.pageSizeCap } : {}),
  });
  sim.install();
  try {
    const endpointId = sim.createEndpoint();
    const revoked = revokedPrincipals(scenario.n, random);
    const unrelatedCount = scenario.unrelated ?? Math.floor(scenario.n / 10);
    const connectedBefore = clock.now();
    // Sessions opened over the last eight hours, in random order.
    const establishedAt = () => connectedBefore - Math.floor(random() * 8 * 3600 * 1000);
    const revokedIds = new Set<string>();
    for (const p of revoked) {
      for (let i = 0; i < p.sessions; i++) {
        revokedIds.add(sim.connect(endpointId, p.kind === 'user'
          ? { username: p.name, establishedAt: establishedAt() }
          : { commonName: p.name, establishedAt: establishedAt() }));
      }
    }
    const unrelatedIds = new Set<string>();
    for (let i = 0; i < unrelatedCount; i++) {
      unrelatedIds.add(sim.connect(endpointId, i % 3 === 0
        ? { commonName: `staying-${i}.clients.example.com`, establishedAt: establishedAt() }
        : { username: `staying-user-${i}`, establishedAt: establishedAt() }));
    }
    const selector = {
      endpointId,
      usernames: revoked.filter(p => p.kind === 'user').map(p => p.name).sort(),
      commonNames: revoked.filter(p => p.kind === 'commonName').map(p => p.name).sort(),
    };
    const T = requiredCalls(revoked);
    const floorSeconds = Math.max(0, T - terminateBucket.burst) / terminateBucket.refillPerSecond;
    const listed = revokedIds.size + unrelatedIds.size;
    const pageSize = Math.min(DESCRIBE_PAGE_SIZE, scenario.pageSizeCap ?? Infinity);
    const describeBoundPerPass = Math.ceil(listed / pageSize) + DESCRIBE_CONSTANT;

    const t0 = clock.now();
    let passes = 0;
    let complete = false;
    let failed = 0;
    let maxDescribePerPass = 0;
    await withoutConsoleLog(async () => {
      while (passes < MAX_PASSES) {
        passes++;
        const result = await runTerminationPass(selector, { stopBy: clock.now() + PASS_BUDGET_MS });
        maxDescribePerPass = Math.max(maxDescribePerPass, result.calls.describe);
        failed += result.failedConnectionIds.length;
        if (result.complete || result.failedConnectionIds.length > 0) {
          complete = result.complete;
          return;
        }
        clock.advance(QUERY_INTERVAL_MS);
      }
    });
    const wallSeconds = (clock.now() - t0) / 1000;

    const problems: string[] = [];
    const sessions = sim.sessions(endpointId);
    const notEnded = sessions.filter(s => revokedIds.has(s.connectionId) && s.status !== 'terminated' && s.status !== 'gone');
    if (notEnded.length > 0) problems.push(`${notEnded.length} revoked sessions not terminated`);
    const touched = sessions.filter(s => unrelatedIds.has(s.connectionId) && (s.terminations > 0 || s.status !== 'active'));
    if (touched.length > 0) problems.push(`${touched.length} other sessions touched`);
    const twice = sessions.filter(s => s.terminations > 1);
    if (twice.length > 0) problems.push(`${twice.length} sessions terminated twice`);
    if (sim.counters.redundantTerminations > 0) problems.push(`${sim.counters.redundantTerminations} redundant Terminate calls`);

    const counters = sim.counters;
    return {
      scenario,
      terminateBucket,
      principals: {
        single: revoked.filter(p => p.kind === 'user' && p.sessions === 1).length,
        few: revoked.filter(p => p.kind === 'user' && p.sessions > 1 && p.sessions <= USERNAME_TERMINATE_LIMIT).length,
        many: revoked.filter(p => p.kind === 'user' && p.sessions > USERNAME_TERMINATE_LIMIT).length,
        commonNames: revoked.filter(p => p.kind === 'commonName').length,
      },
      requiredTerminateCalls: T,
      floorSeconds,
      wallSeconds,
      ...(floorSeconds > 0 ? { ratio: wallSeconds / floorSeconds } : {}),
      passes,
      describeCalls: counters.calls.DescribeClientVpnConnections,
      terminateCalls: counters.calls.TerminateClientVpnConnections,
      throttledDescribe: counters.throttled.DescribeClientVpnConnections,
      throttledTerminate: counters.throttled.TerminateClientVpnConnections,
      failedTerminations: failed,
      maxDescribePerPass,
      describeBoundPerPass,
      endStateOk: problems.length === 0,
      ...(problems.length > 0 ? { endStateProblem: problems.join('; ') } : {}),
      complete,
      hostMs: elapsedMs(started),
    };
  } finally {
    sim.restore();
    restoreClock();
  }
}

/** N = 100, 1,000 and 10,000 on the default buckets. */
export function terminationScenarios(): TerminationScenario[] {
  return [{ n: 100 }, { n: 1_000 }, { n: 10_000 }];
}

export async function measureTerminations(scenarios: readonly TerminationScenario[] = terminationScenarios()): Promise<TerminationResult[]> {
  const results: TerminationResult[] = [];
  for (const scenario of scenarios) {
    results.push(await runTerminationScenario(scenario));
  }
  return results;
}

const CYCLE_TOLERANCE = 1.2;

function meetsTarget(r: TerminationResult): boolean {
  const ratioOk = r.ratio === undefined || r.ratio <= CYCLE_TOLERANCE;
  return r.complete && r.endStateOk && r.failedTerminations === 0 && ratioOk && r.maxDescribePerPass <= r.describeBoundPerPass;
}

function bucketText(b: TokenBucketOptions): string {
  return `${b.burst} / ${b.refillPerSecond}/s`;
}

export function terminationsTable(results: readonly TerminationResult[]): Table {
  return {
    title: '(d) Session termination: N sessions, engine passes against the simulated endpoint',
    headers: [
      'N', 'revoked principals (1 / 2-5 / >5 sessions / CN)', 'Terminate bucket', 'T (calls needed)', 'floor s', 'wall s', 'wall / floor',
      'passes', 'Terminate calls', 'Describe calls', 'max Describe per pass (bound)', 'throttled (Terminate / Describe)', 'failed', 'end state', 'target',
    ],
    align: ['right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
    rows: results.map(r => [
      r.scenario.n.toLocaleString('en-US'),
      `${r.principals.single} / ${r.principals.few} / ${r.principals.many} / ${r.principals.commonNames}`,
      bucketText(r.terminateBucket),
      String(r.requiredTerminateCalls),
      r.floorSeconds.toFixed(0),
      r.wallSeconds.toFixed(0),
      r.ratio === undefined ? 'n/a (fits the burst)' : formatRatio(r.ratio),
      String(r.passes),
      String(r.terminateCalls),
      String(r.describeCalls),
      `${r.maxDescribePerPass} (${r.describeBoundPerPass})`,
      `${r.throttledTerminate} / ${r.throttledDescribe}`,
      String(r.failedTerminations),
      r.endStateOk ? 'exact' : `WRONG: ${r.endStateProblem}`,
      metMark(meetsTarget(r)),
    ]),
    notes: [
      'Each scenario: one simulated endpoint holding N sessions of revoked principals plus N/10 sessions of principals that stay; the engine runs passes with a 14-minute budget, 10 s apart (the Provider\'s queryInterval), until one reports complete.',
      'T counts one Terminate by Username per user with at most 5 sessions and one Terminate by ConnectionId per other session; floor = max(0, T - burst) / refill, the least time the Terminate bucket allows any client. "wall s" is virtual time from the first pass to the one that reported complete, so it includes the last sessions\' `terminating` time and one poll interval.',
      'T is what one pass would need; across passes it can be less (a user over the limit whose sessions straddle two passes is finished by one Username call), which is how wall / floor can dip below 1.',
      'Terminate calls include the throttled ones (refused calls are resent); Describe bound = ceil(listed sessions / 1000) + 2 per pass.',
      '"end state exact": every revoked session terminated, none of the others touched, no session named by two Terminate calls, no Terminate on a session already on its way out.',
      'Simulation: Describe bucket 100 burst, 20/s; sessions stay `terminating` 1-5 s (seeded); no injected faults. A refused call takes no token (ASSUMPTION).',
    ],
  };
}

export function terminationTargets(results: readonly TerminationResult[]): TargetCheck[] {
  const missed = results.filter(r => !meetsTarget(r));
  const scaled = results.filter(r => r.ratio !== undefined);
  return [{
    target: `terminating N sessions takes at most ${CYCLE_TOLERANCE}x the Terminate bucket's floor, with no failed termination and at most ceil(listed / 1000) + ${DESCRIBE_CONSTANT} Describe calls per pass`,
    met: missed.length === 0,
    evidence: missed.length === 0
      ? `All ${results.length} scenarios (N = ${results.map(r => r.scenario.n).join(', ')}) met it; wall / floor ${scaled.map(r => `N=${r.scenario.n}: ${formatRatio(r.ratio!)}`).join(', ')}.`
      : `Missed in: ${missed.map(r => `N=${r.scenario.n}: ratio ${r.ratio === undefined ? 'n/a' : formatRatio(r.ratio)}, failed ${r.failedTerminations}, `
        + `Describe per pass ${r.maxDescribePerPass} (bound ${r.describeBoundPerPass}), ${r.complete ? 'complete' : 'NOT complete'}, end state ${r.endStateOk ? 'exact' : r.endStateProblem}`).join('; ')}.`,
  }];
}

async function main(): Promise<void> {
  process.env.AWS_REGION = process.env.AWS_REGION ?? 'us-east-1';
  const started = process.hrtime.bigint();
  const results = await measureTerminations();
  process.stdout.write(`${renderTargets(terminationTargets(results))}\n\n${renderTable(terminationsTable(results))}\n`);
  process.stderr.write(`bench terminations: ${(elapsedMs(started) / 1000).toFixed(1)} s\n`);
}

if (require.main === module) {
  main().catch(error => {
    process.stderr.write(`bench terminations failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
