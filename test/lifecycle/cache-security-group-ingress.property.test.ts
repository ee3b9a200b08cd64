import * as fc from 'fast-check';
import * as handler from '../../lambda/cache-security-group-ingress';
import { CloudFormationLifecycleDriver } from '../support/cloudformation-lifecycle';
import type { ResourceProperties } from '../support/cloudformation-lifecycle';
import { SimulatedClock } from '../support/simulated-clock';
import { pairSignature, SimulatedElastiCacheService } from '../support/simulated-elasticache';
import { SimulatedParameterStore } from '../support/simulated-parameter-store';

/**
 * Properties of the cache security group ingress handler over random
 * declarations, through the lifecycle driver against the simulated service.
 * Small pools on purpose: the same name under another owner, and a foreign
 * pair that collides with a declared name, are where diffs go wrong.
 */

interface Pair {
  readonly name: string;
  readonly ownerId: string;
}

const GROUP = 'prop-cache';
const NAMES = ['app', 'web', 'batch', 'workers'];
const OWNERS = ['123456789012', '210987654321'];
const FOREIGN: readonly Pair[] = [{ name: 'app', ownerId: '333333333333' }, { name: 'console', ownerId: '123456789012' }];
const POISON: Pair = { name: 'poison', ownerId: '123456789012' };
const RUNS = 100;

const keyOf = (p: Pair) => `${p.name}|${p.ownerId}`;

function props(pairs: readonly Pair[]): ResourceProperties {
  return {
    SchemaVersion: '1',
    CacheSecurityGroupName: GROUP,
    SetId: 'property-set',
    Ingress: pairs.map(p => ({ EC2SecurityGroupName: p.name, EC2SecurityGroupOwnerId: p.ownerId })),
  };
}

const pairArb: fc.Arbitrary<Pair> = fc.record({ name: fc.constantFrom(...NAMES), ownerId: fc.constantFrom(...OWNERS) });
const setArb = fc.uniqueArray(pairArb, { selector: keyOf, maxLength: 8 });

interface World {
  readonly sim: SimulatedElastiCacheService;
  readonly driver: CloudFormationLifecycleDriver;
}

async function withWorld(seed: number, body: (world: World) => Promise<void>): Promise<void> {
  const clock = new SimulatedClock();
  const sim = new SimulatedElastiCacheService({ clock, seed });
  const store = new SimulatedParameterStore({ now: () => clock.now() });
  sim.install();
  store.install();
  const restoreClock = clock.install();
  try {
    sim.createCacheSecurityGroup(GROUP);
    FOREIGN.forEach(f => sim.putPair(GROUP, f));
    const driver = new CloudFormationLifecycleDriver({
      handler, clock, crashSources: [sim], resourceType: 'Custom::NetworkAccessCacheSecurityGroupIngress', totalTimeoutSeconds: 1800,
    });
    await body({ sim, driver });
  } finally {
    restoreClock();
    store.restore();
    sim.restore();
  }
}

function expectExactly(sim: SimulatedElastiCacheService, declared: readonly Pair[]): void {
  expect(sim.pairSignatures(GROUP)).toEqual([...FOREIGN, ...declared].map(p => pairSignature(p)).sort());
  const foreign = new Set(FOREIGN.map(keyOf));
  expect(sim.mutationAttempts().filter(c => c.pair !== undefined && foreign.has(c.pair))).toEqual([]);
}

let logSpy: jest.SpyInstance;
beforeAll(() => {
  process.env.TOTAL_TIMEOUT_SECONDS = '1800';
  process.env.AWS_REGION = 'us-east-1';
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterAll(() => {
  logSpy.mockRestore();
  delete process.env.TOTAL_TIMEOUT_SECONDS;
});

test('create(old) then update(new) ends with exactly new, in |old Δ new| mutating calls', async () => {
  await fc.assert(fc.asyncProperty(setArb, setArb, fc.integer({ min: 1, max: 1_000_000 }), async (oldSet, newSet, seed) => {
    await withWorld(seed, async ({ sim, driver }) => {
      expect((await driver.create(props(oldSet))).status).toBe('CREATE_COMPLETE');
      expect(sim.mutatingCalls).toBe(oldSet.length);
      const mark = sim.calls.length;
      const before = sim.mutatingCalls;
      expect((await driver.update(props(newSet))).status).toBe('UPDATE_COMPLETE');
      expectExactly(sim, newSet);
      const oldKeys = new Set(oldSet.map(keyOf));
      const newKeys = new Set(newSet.map(keyOf));
      const symmetricDifference = [...oldKeys].filter(k => !newKeys.has(k)).length + [...newKeys].filter(k => !oldKeys.has(k)).length;
      expect(sim.mutationAttempts(mark)).toHaveLength(symmetricDifference);
      expect(sim.mutatingCalls - before).toBe(symmetricDifference);
    });
  }), { numRuns: RUNS });
});

test('update(new) that fails rolls back to exactly old', async () => {
  await fc.assert(fc.asyncProperty(setArb, setArb, fc.integer({ min: 1, max: 1_000_000 }), async (oldSet, newSet, seed) => {
    await withWorld(seed, async ({ sim, driver }) => {
      sim.rejectAuthorization(POISON.name, POISON.ownerId, 'poisoned on purpose');
      await driver.create(props(oldSet));
      const result = await driver.update(props([...newSet, POISON]));
      expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
      expect(result.reason).toContain('poisoned on purpose');
      expectExactly(sim, oldSet);
    });
  }), { numRuns: RUNS });
});

test('delete after any create leaves only the foreign pairs', async () => {
  await fc.assert(fc.asyncProperty(setArb, fc.integer({ min: 1, max: 1_000_000 }), async (set, seed) => {
    await withWorld(seed, async ({ sim, driver }) => {
      await driver.create(props(set));
      expect((await driver.delete()).status).toBe('DELETE_COMPLETE');
      expectExactly(sim, []);
      expect(sim.mutatingCalls).toBe(2 * set.length);
    });
  }), { numRuns: RUNS });
});
