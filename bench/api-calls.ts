/**
 * (b) Mutating API calls of an Update: the real handler
 * (lambda/client-vpn-authorizations) driven by the CloudFormation lifecycle
 * driver against the SIMULATED Client VPN service, on a virtual clock.
 *
 * Each scenario starts from an endpoint holding the n rules of the set, all
 * active (placed out of band, then adopted by a Create that must make no
 * mutating call), and updates the set to one that differs in k rules. Every
 * Authorize and Revoke call that reaches the service during the Update is
 * counted, refused ones included: the target is exactly the size of the
 * symmetric difference (k for adds and removes; 2 per description change,
 * since Client VPN cannot edit a rule).
 */
import { benchRule } from './rules';
import { elapsedMs } from './stats';
import { Table } from './table';
import { metMark, TargetCheck } from './targets';
import * as handler from '../lambda/client-vpn-authorizations';
import { CLIENT_VPN_AUTHORIZATIONS_SCHEMA_VERSION } from '../src/private/contract/client-vpn-authorizations';
import { CloudFormationLifecycleDriver } from '../test/support/cloudformation-lifecycle';
import type { SimulatedCall } from '../test/support/simulated-client-vpn';
import { ruleSignature, SimulatedClientVpnService } from '../test/support/simulated-client-vpn';
import { SimulatedClock } from '../test/support/simulated-clock';
import { SimulatedParameterStore } from '../test/support/simulated-parameter-store';

export interface UpdateScenario {
  /** Rules in the set before the update. */
  readonly n: number;
  /** Rules added to the set. */
  readonly adds: number;
  /** Rules removed from the set. */
  readonly removes: number;
  /** Rules kept whose description changes. */
  readonly redescribes: number;
  /**
   * The endpoint's rule quota in the simulation.
   * @default 10000 - raised far above the set, so the quota plays no part
   */
  readonly ruleQuota?: number;
}

export interface UpdateResult {
  readonly scenario: UpdateScenario;
  /** Rules that differ between old and new set. */
  readonly k: number;
  /** Authorize + Revoke calls the symmetric difference needs. */
  readonly expectedMutatingCalls: number;
  readonly authorizeCalls: number;
  readonly revokeCalls: number;
  /** Mutating calls the service refused (error name -> count). */
  readonly refused: Readonly<Record<string, number>>;
  readonly describeCalls: number;
  readonly isCompleteInvocations: number;
  /** Virtual time from the Update request to CloudFormation's answer. */
  readonly virtualSeconds: number;
  readonly stackStatus: string;
  /** The endpoint holds exactly the new set, every rule active. */
  readonly endStateOk: boolean;
  /** Mutating calls during the adopting Create (0 expected). */
  readonly createMutatingCalls: number;
  /** Host time the scenario took. */
  readonly hostMs: number;
  /** Rules with more mutating calls than they needed, or outside the change, with their calls. */
  readonly surplus: readonly string[];
}

const SET_ID = 'bench-set';

interface Rule {
  readonly cidr: string;
  readonly groupId: string;
  readonly description: string;
}

/** k = adds + removes + redescribes. */
export function changedRules(scenario: UpdateScenario): number {
  return scenario.adds + scenario.removes + scenario.redescribes;
}

export function scenarioLabel(scenario: UpdateScenario): string {
  const parts = [
    scenario.adds > 0 ? `+${scenario.adds}` : '',
    scenario.removes > 0 ? `-${scenario.removes}` : '',
    scenario.redescribes > 0 ? `~${scenario.redescribes} descr.` : '',
  ].filter(Boolean);
  return parts.join(' ');
}

/** Old and new set: removals and description changes spread evenly over the old set; additions are new networks. */
function ruleSets(scenario: UpdateScenario): { before: Rule[]; after: Rule[] } {
  const { n, adds, removes, redescribes } = scenario;
  if (removes + redescribes > n) throw new Error(`scenario ${JSON.stringify(scenario)} changes more rules than the set has`);
  const before = Array.from({ length: n }, (_, j) => benchRule(j));
  // Removed and re-described rules are spread evenly over the old set.
  const stride = Math.max(1, Math.floor(n / Math.max(1, removes + redescribes)));
  const positions = Array.from({ length: removes + redescribes }, (_, t) => t * stride);
  const removed = new Set(positions.slice(0, removes));
  const redescribed = new Set(positions.slice(removes));
  const after: Rule[] = [];
  before.forEach((rule, j) => {
    if (removed.has(j)) return;
    after.push(redescribed.has(j) ? { ...rule, description: `${rule.description} (changed)` } : rule);
  });
  for (let a = 0; a < adds; a++) after.push(benchRule(n + a));
  return { before, after };
}

function setProperties(endpointId: string, rules: readonly Rule[], ruleQuota: number): Record<string, unknown> {
  return {
    SchemaVersion: CLIENT_VPN_AUTHORIZATIONS_SCHEMA_VERSION,
    ClientVpnEndpointId: endpointId,
    SetId: SET_ID,
    // As the construct writes it: the endpoint's quota (ruleQuota, default 50).
    RuleQuota: String(ruleQuota),
    Rules: rules.map(r => ({ Cidr: r.cidr, GroupId: r.groupId, Description: r.description })),
  };
}

function expectedSignatures(rules: readonly Rule[]): string[] {
  return rules
    .map(r => ruleSignature({ cidr: r.cidr, groupId: r.groupId, allGroups: false, description: r.description, status: 'active' }))
    .sort();
}

/** The handler logs one JSON line per decision; the benchmark keeps the terminal for its table. */
async function withoutConsoleLog<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = original;
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** The simulation's key of a rule (`cidr|g:group`), as `SimulatedCall.rule` reports it. */
function simulatedKey(rule: Rule): string {
  return `${rule.cidr}|g:${rule.groupId}`;
}

/**
 * Rules that got more mutating calls than they needed (one per operation:
 * authorize, revoke, or revoke + authorize for a description change), or
 * that were outside the change altogether; each with its calls.
 */
function surplusCalls(mutations: readonly SimulatedCall[], changed: ReadonlySet<string>): string[] {
  const byRule = new Map<string, SimulatedCall[]>();
  for (const call of mutations) {
    const key = call.rule ?? '?';
    byRule.set(key, [...(byRule.get(key) ?? []), call]);
  }
  return [...byRule.entries()]
    .filter(([rule, calls]) => !changed.has(rule) || calls.length > new Set(calls.map(c => c.operation)).size)
    .map(([rule, calls]) => `${rule}${changed.has(rule) ? '' : ' (not in the change)'}: `
      + calls.map(c => `${c.operation.replace('ClientVpnIngress', '')} ${c.outcome}`).join(', '));
}

/** Keys of the rules that differ between the two sets (identity or description). */
function symmetricDifference(before: readonly Rule[], after: readonly Rule[]): Set<string> {
  const signature = (r: Rule) => `${simulatedKey(r)} ${r.description}`;
  const old = new Set(before.map(signature));
  const neu = new Set(after.map(signature));
  return new Set([
    ...before.filter(r => !neu.has(signature(r))),
    ...after.filter(r => !old.has(signature(r))),
  ].map(simulatedKey));
}

export async function runUpdateScenario(scenario: UpdateScenario): Promise<UpdateResult> {
  const started = process.hrtime.bigint();
  const clock = new SimulatedClock();
  const restoreClock = clock.install();
  const quota = scenario.ruleQuota ?? 10_000;
  const service = new SimulatedClientVpnService({ clock, maxRulesPerEndpoint: quota });
  service.install();
  // The handler keeps its sets' ownership records in Parameter Store.
  const parameters = new SimulatedParameterStore({ now: () => clock.now() });
  parameters.install();
  try {
    const endpointId = service.createEndpoint();
    const { before, after } = ruleSets(scenario);
    for (const rule of before) service.putRule(endpointId, rule);

    const driver = new CloudFormationLifecycleDriver({ handler, clock, crashSources: [service] });
    return await withoutConsoleLog(async () => {
      const created = await driver.create(setProperties(endpointId, before, quota));
      if (created.status !== 'CREATE_COMPLETE') {
        throw new Error(`the adopting Create ended ${created.status}: ${created.reason?.split('\n')[0]}`);
      }
      const createMutatingCalls = service.mutationAttempts().length;

      const callsBefore = service.calls.length;
      const logBefore = driver.log.length;
      const t0 = clock.now();
      const updated = await driver.update(setProperties(endpointId, after, quota));
      const virtualSeconds = (clock.now() - t0) / 1000;

      const calls = service.calls.slice(callsBefore);
      const mutations = calls.filter(c => c.operation !== 'DescribeClientVpnAuthorizationRules');
      const refused = countBy(mutations.filter(c => c.outcome !== 'ok'), c => c.outcome);
      const expectedMutatingCalls = scenario.adds + scenario.removes + 2 * scenario.redescribes;
      return {
        scenario,
        k: changedRules(scenario),
        expectedMutatingCalls,
        authorizeCalls: mutations.filter(c => c.operation === 'AuthorizeClientVpnIngress').length,
        revokeCalls: mutations.filter(c => c.operation === 'RevokeClientVpnIngress').length,
        refused,
        describeCalls: calls.length - mutations.length,
        isCompleteInvocations: driver.log.slice(logBefore).filter(e => e.kind === 'isComplete').length,
        virtualSeconds,
        stackStatus: updated.status,
        endStateOk: JSON.stringify(service.ruleSignatures(endpointId)) === JSON.stringify(expectedSignatures(after)),
        createMutatingCalls,
        hostMs: elapsedMs(started),
        surplus: surplusCalls(mutations, symmetricDifference(before, after)),
      };
    });
  } finally {
    parameters.restore();
    service.restore();
    restoreClock();
  }
}

/**
 * n = 50, 200, 500 and k = 1, 10, n/2 (half adds, half removes, the odd one
 * an add), then 10 description changes per n, all with the quota raised; and
 * one swap on an endpoint full at Client VPN's default quota of 50 rules.
 */
export function updateScenarios(): UpdateScenario[] {
  const scenarios: UpdateScenario[] = [];
  for (const n of [50, 200, 500]) {
    for (const k of [1, 10, n / 2]) {
      const removes = Math.floor(k / 2);
      scenarios.push({ n, adds: k - removes, removes, redescribes: 0 });
    }
  }
  for (const n of [50, 200, 500]) {
    scenarios.push({ n, adds: 0, removes: 0, redescribes: 10 });
  }
  scenarios.push({ n: 50, adds: 5, removes: 5, redescribes: 0, ruleQuota: 50 });
  return scenarios;
}

export async function measureUpdates(scenarios: readonly UpdateScenario[]): Promise<UpdateResult[]> {
  const results: UpdateResult[] = [];
  for (const scenario of scenarios) {
    results.push(await runUpdateScenario(scenario));
  }
  return results;
}

// ------------------------------------------------------------------ report

function mutatingCalls(r: UpdateResult): number {
  return r.authorizeCalls + r.revokeCalls;
}

function meetsTarget(r: UpdateResult): boolean {
  return mutatingCalls(r) === r.expectedMutatingCalls && r.endStateOk && r.stackStatus === 'UPDATE_COMPLETE';
}

function refusedCount(r: UpdateResult): number {
  return Object.values(r.refused).reduce((a, b) => a + b, 0);
}

function refusedText(refused: Readonly<Record<string, number>>): string {
  const entries = Object.entries(refused);
  return entries.length === 0 ? '0' : entries.map(([name, count]) => `${count} ${name}`).join(', ');
}

function quotaText(s: UpdateScenario): string {
  return s.ruleQuota === undefined ? 'raised' : String(s.ruleQuota);
}

export function updateTable(results: readonly UpdateResult[]): Table {
  return {
    title: '(b) Mutating API calls of one Update (real handler, lifecycle driver, simulated Client VPN)',
    headers: ['n', 'change', 'k', 'rule quota', 'target calls', 'Authorize', 'Revoke', 'of which refused',
      'Describe', 'isComplete calls', 'virtual s', 'end state', 'target'],
    align: ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'left', 'left'],
    rows: results.map(r => [
      String(r.scenario.n), scenarioLabel(r.scenario), String(r.k), quotaText(r.scenario), String(r.expectedMutatingCalls),
      String(r.authorizeCalls), String(r.revokeCalls), refusedText(r.refused), String(r.describeCalls),
      String(r.isCompleteInvocations), r.virtualSeconds.toFixed(0),
      r.endStateOk ? `exact, ${r.stackStatus}` : `WRONG, ${r.stackStatus}`, metMark(meetsTarget(r)),
    ]),
    notes: [
      'Start: the endpoint holds the n rules, all active; a Create adopts them (mutating calls during the Create: '
        + `${[...new Set(results.map(r => r.createMutatingCalls))].join('/')}). Then one Update to the new set; only its calls are counted.`,
      '"+a -r": a rules added, r removed (k = a + r, target k calls); "~d descr.": d kept rules with a new description (target 2 per rule: Client VPN cannot edit a rule, so revoke + authorize).',
      'Authorize/Revoke count every call that reached the simulated service, refused ones included. Describe includes the handler\'s re-describe polls while it waits to re-authorize a changed description.',
      'Simulation defaults: rules stay `authorizing` 3-15 s and `revoking` 2-10 s (seeded), 10 concurrent mutations per endpoint, no injected faults; the waiter polls isComplete every 10 s (the construct\'s queryInterval). "virtual s" is the Update\'s duration on that clock, from request to CloudFormation\'s answer.',
      '"end state exact": the endpoint holds exactly the new set, every rule active.',
    ],
  };
}

export function updateTargets(results: readonly UpdateResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const raised = results.filter(r => r.scenario.ruleQuota === undefined);
  const missed = raised.filter(r => !meetsTarget(r));
  checks.push({
    target: 'an Update changing k rules makes exactly k Authorize + Revoke calls (2 per description change), quota raised',
    met: missed.length === 0,
    evidence: missed.length === 0
      ? `All ${raised.length} scenarios (n = ${[...new Set(raised.map(r => r.scenario.n))].join(', ')}) made exactly the target number of calls and ended with exactly the new set.`
      : `Missed in: ${missed.map(r => `n=${r.scenario.n} ${scenarioLabel(r.scenario)}: ${mutatingCalls(r)} calls for ${r.expectedMutatingCalls}`).join('; ')}.`,
  });
  for (const r of results.filter(x => x.scenario.ruleQuota !== undefined)) {
    checks.push({
      target: `same, on an endpoint full at its rule quota of ${r.scenario.ruleQuota} (n=${r.scenario.n}, ${scenarioLabel(r.scenario)})`,
      met: meetsTarget(r),
      evidence: `${mutatingCalls(r)} calls for a target of ${r.expectedMutatingCalls}, of which ${mutatingCalls(r) - refusedCount(r)} changed state`
        + ` (refused: ${refusedText(r.refused)}); end state ${r.endStateOk ? 'exact' : 'WRONG'}, ${r.stackStatus}.`
        + (r.surplus.length > 0 ? ` Surplus calls per rule: ${r.surplus.slice(0, 3).join('; ')}${r.surplus.length > 3 ? `; and ${r.surplus.length - 3} more like them` : ''}.` : ''),
    });
  }
  return checks;
}
