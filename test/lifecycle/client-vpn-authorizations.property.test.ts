import * as fc from 'fast-check';
import * as handler from '../../lambda/client-vpn-authorizations';
import { CloudFormationLifecycleDriver } from '../support/cloudformation-lifecycle';
import type { ResourceProperties } from '../support/cloudformation-lifecycle';
import { ruleSignature, SimulatedClientVpnService } from '../support/simulated-client-vpn';
import { SimulatedClock } from '../support/simulated-clock';
import { SimulatedParameterStore } from '../support/simulated-parameter-store';

/**
 * Properties of the Client VPN authorization handler over random declarations,
 * run through the lifecycle driver against the simulated service. Pools are
 * small on purpose: collisions (same CIDR, other group; same rule, other
 * description) are where diffs go wrong.
 */

interface Rule {
  readonly cidr: string;
  readonly group?: string;
  readonly description?: string;
}

const CIDRS = ['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/24', '192.168.0.0/24'];
const GROUPS = ['g-1', 'g-2', undefined];
// No '': EC2 and the handler treat an empty description as none.
const DESCRIPTIONS = [undefined, 'a', 'b'];

/** Same CIDR as the pool with another owner's group, and one outside the pool. */
const FOREIGN: readonly Rule[] = [
  { cidr: '10.0.0.0/16', group: 'foreign', description: 'not ours' },
  { cidr: '172.16.0.0/12', description: 'not ours either' },
];
/** A rule whose authorization always ends `failed`: makes any update that adds it fail. */
const POISON: Rule = { cidr: '172.31.0.0/16', group: 'poison' };

const RUNS = 100;

function keyOf(rule: Rule): string {
  return rule.group === undefined ? `${rule.cidr}|*` : `${rule.cidr}|g:${rule.group}`;
}

/** Identity plus description: what "the same rule" means for the call count. */
function tripleOf(rule: Rule): string {
  return `${keyOf(rule)}|${rule.description ?? ''}`;
}

function signature(rule: Rule): string {
  return ruleSignature({ cidr: rule.cidr, groupId: rule.group, allGroups: rule.group === undefined, description: rule.description, status: 'active' });
}

function props(endpointId: string, rules: readonly Rule[], ruleQuota?: number): ResourceProperties {
  return {
    SchemaVersion: ruleQuota === undefined ? '1' : '2',
    ...(ruleQuota === undefined ? {} : { RuleQuota: String(ruleQuota) }),
    ClientVpnEndpointId: endpointId,
    SetId: 'property-set',
    Rules: rules.map(r => ({
      Cidr: r.cidr,
      ...(r.group === undefined ? { AllGroups: true } : { GroupId: r.group }),
      ...(r.description !== undefined ? { Description: r.description } : {}),
    })),
  };
}

const ruleArb: fc.Arbitrary<Rule> = fc.record({
  cidr: fc.constantFrom(...CIDRS),
  group: fc.constantFrom(...GROUPS),
  description: fc.constantFrom(...DESCRIPTIONS),
}).map(r => ({
  cidr: r.cidr,
  ...(r.group !== undefined ? { group: r.group } : {}),
  ...(r.description !== undefined ? { description: r.description } : {}),
}));
const setArb = fc.uniqueArray(ruleArb, { selector: keyOf, maxLength: 6 });

/** A fresh world per run: nothing may leak from one declaration pair to the next. */
interface World {
  readonly sim: SimulatedClientVpnService;
  readonly driver: CloudFormationLifecycleDriver;
  readonly endpoint: string;
}

async function withWorld<T>(body: (world: World) => Promise<T>, seed: number, maxRulesPerEndpoint?: number): Promise<T> {
  const clock = new SimulatedClock();
  const sim = new SimulatedClientVpnService({ clock, seed, ...(maxRulesPerEndpoint !== undefined ? { maxRulesPerEndpoint } : {}) });
  sim.install();
  const records = new SimulatedParameterStore({ now: () => clock.now() });
  records.install();
  const restoreClock = clock.install();
  try {
    const endpoint = sim.createEndpoint();
    for (const f of FOREIGN) {
      sim.putRule(endpoint, { cidr: f.cidr, ...(f.group ? { groupId: f.group } : { allGroups: true }), description: f.description });
    }
    const driver = new CloudFormationLifecycleDriver({ handler, clock, crashSources: [sim] });
    return await body({ sim, driver, endpoint });
  } finally {
    restoreClock();
    records.restore();
    sim.restore();
  }
}

function expectExactly(sim: SimulatedClientVpnService, endpoint: string, declared: readonly Rule[]): void {
  expect(sim.ruleSignatures(endpoint)).toEqual([...FOREIGN, ...declared].map(signature).sort());
  const foreignKeys = new Set(FOREIGN.map(keyOf));
  expect(sim.mutationAttempts().filter(c => c.rule !== undefined && foreignKeys.has(c.rule))).toEqual([]);
}

let logSpy: jest.SpyInstance;
beforeAll(() => {
  process.env.TOTAL_TIMEOUT_SECONDS = '3600';
  process.env.AWS_REGION = 'us-east-1';
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterAll(() => {
  logSpy.mockRestore();
  delete process.env.TOTAL_TIMEOUT_SECONDS;
});

test('create(old) then update(new) ends with exactly new, in |old Δ new| mutating calls', async () => {
  await fc.assert(fc.asyncProperty(setArb, setArb, fc.integer({ min: 1, max: 1_000_000 }), async (oldSet, newSet, seed) => {
    await withWorld(async ({ sim, driver, endpoint }) => {
      const created = await driver.create(props(endpoint, oldSet));
      expect(created.status).toBe('CREATE_COMPLETE');
      expect(sim.counters.mutatingCalls).toBe(oldSet.length);

      const mark = sim.calls.length;
      const mutationsBefore = sim.counters.mutatingCalls;
      const updated = await driver.update(props(endpoint, newSet));

      expect(updated.status).toBe('UPDATE_COMPLETE');
      expectExactly(sim, endpoint, newSet);
      const oldTriples = new Set(oldSet.map(tripleOf));
      const newTriples = new Set(newSet.map(tripleOf));
      const symmetricDifference = [...oldTriples].filter(t => !newTriples.has(t)).length
        + [...newTriples].filter(t => !oldTriples.has(t)).length;
      expect(sim.mutationAttempts(mark)).toHaveLength(symmetricDifference);
      expect(sim.counters.mutatingCalls - mutationsBefore).toBe(symmetricDifference);
    }, seed);
  }), { numRuns: RUNS });
});

test('update(new) that fails rolls back to exactly old', async () => {
  await fc.assert(fc.asyncProperty(setArb, setArb, fc.integer({ min: 1, max: 1_000_000 }), async (oldSet, newSet, seed) => {
    await withWorld(async ({ sim, driver, endpoint }) => {
      sim.failAuthorization(endpoint, { cidr: POISON.cidr, groupId: POISON.group }, 'poisoned on purpose');
      await driver.create(props(endpoint, oldSet));

      const result = await driver.update(props(endpoint, [...newSet, POISON]));

      expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
      expect(result.reason).toContain('poisoned on purpose');
      expect(driver.state.properties).toEqual(props(endpoint, oldSet));
      expectExactly(sim, endpoint, oldSet);
    }, seed);
  }), { numRuns: RUNS });
});

test('at the rule quota: update(new) on a full endpoint ends with exactly new, in exactly |old Δ new| calls (none refused)', async () => {
  await fc.assert(fc.asyncProperty(setArb, setArb, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 1_000_000 }),
    async (oldSet, newSet, spare, seed) => {
      // The endpoint is full, or nearly: its foreign rules, the old set, and 0 to 2 free slots.
      const quota = FOREIGN.length + Math.max(oldSet.length, newSet.length) + spare;
      await withWorld(async ({ sim, driver, endpoint }) => {
        await driver.create(props(endpoint, oldSet, quota));
        const mark = sim.calls.length;
        const updated = await driver.update(props(endpoint, newSet, quota));

        expect(updated.status).toBe('UPDATE_COMPLETE');
        expectExactly(sim, endpoint, newSet);
        const oldTriples = new Set(oldSet.map(tripleOf));
        const newTriples = new Set(newSet.map(tripleOf));
        const symmetricDifference = [...oldTriples].filter(t => !newTriples.has(t)).length
          + [...newTriples].filter(t => !oldTriples.has(t)).length;
        expect(sim.mutationAttempts(mark)).toHaveLength(symmetricDifference);
        expect(sim.mutationAttempts(mark).filter(c => c.outcome !== 'ok')).toEqual([]);
      }, seed, quota);
    }), { numRuns: RUNS });
});
