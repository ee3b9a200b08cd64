import * as handler from '../../lambda/cache-security-group-ingress';
import { CloudFormationLifecycleDriver, OPERATION_TIMED_OUT } from '../support/cloudformation-lifecycle';
import type { LifecycleDriverOptions, ResourceProperties } from '../support/cloudformation-lifecycle';
import { SimulatedClock } from '../support/simulated-clock';
import { pairSignature, SimulatedElastiCacheService } from '../support/simulated-elasticache';
import { SimulatedParameterStore } from '../support/simulated-parameter-store';

/**
 * Lifecycle tests of the cache security group ingress handler: CloudFormation
 * and the Provider framework (the driver) against the simulated ElastiCache
 * service and Parameter Store. Every test ends by comparing the group's
 * exact pairs, foreign ones included, and checking no call named a foreign pair.
 */

interface Pair {
  readonly name: string;
  readonly ownerId: string;
}

const TYPE = 'Custom::NetworkAccessCacheSecurityGroupIngress';
const GROUP = 'legacy-cache';
const OTHER_GROUP = 'legacy-cache-2';
const ACCOUNT = '123456789012';
const PARTNER = '210987654321';
const FOREIGN: readonly Pair[] = [
  { name: 'console-added', ownerId: ACCOUNT },
  { name: 'app', ownerId: PARTNER },
];
const APP: Pair = { name: 'app', ownerId: ACCOUNT };
const WEB: Pair = { name: 'web', ownerId: ACCOUNT };
const BATCH: Pair = { name: 'batch', ownerId: PARTNER };
const WORKERS: Pair = { name: 'workers', ownerId: ACCOUNT };

function props(group: string, pairs: readonly Pair[], setId = 'set-a'): ResourceProperties {
  return {
    SchemaVersion: '1',
    CacheSecurityGroupName: group,
    SetId: setId,
    Ingress: pairs.map(p => ({ EC2SecurityGroupName: p.name, EC2SecurityGroupOwnerId: p.ownerId })),
  };
}

const keyOf = (p: Pair) => `${p.name}|${p.ownerId}`;

interface Lab {
  readonly clock: SimulatedClock;
  readonly sim: SimulatedElastiCacheService;
  readonly store: SimulatedParameterStore;
  driver(options?: Partial<LifecycleDriverOptions>): CloudFormationLifecycleDriver;
  expectExactly(group: string, declared: readonly Pair[]): void;
}

let teardown: Array<() => void> = [];
let logged: string[] = [];

function lab(): Lab {
  const clock = new SimulatedClock();
  const sim = new SimulatedElastiCacheService({ clock, seed: 7 });
  sim.install();
  const store = new SimulatedParameterStore({ now: () => clock.now() });
  store.install();
  teardown.push(() => sim.restore(), () => store.restore(), clock.install());
  for (const group of [GROUP, OTHER_GROUP]) {
    sim.createCacheSecurityGroup(group);
    for (const f of FOREIGN) sim.putPair(group, f);
  }
  const foreignKeys = new Set(FOREIGN.map(keyOf));
  return {
    clock,
    sim,
    store,
    driver: (options = {}) => new CloudFormationLifecycleDriver({
      handler, clock, crashSources: [sim], resourceType: TYPE, logicalResourceId: 'Ingress', totalTimeoutSeconds: 1800, ...options,
    }),
    expectExactly(group, declared) {
      expect(sim.pairSignatures(group)).toEqual([...FOREIGN, ...declared].map(p => pairSignature(p)).sort());
      expect(sim.calls.filter(c => c.pair !== undefined && foreignKeys.has(c.pair))).toEqual([]);
    },
  };
}

beforeEach(() => {
  process.env.TOTAL_TIMEOUT_SECONDS = '1800';
  process.env.AWS_REGION = 'us-east-1';
  logged = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
  teardown = [() => spy.mockRestore()];
});

afterEach(() => {
  for (const undo of teardown.reverse()) undo();
  delete process.env.TOTAL_TIMEOUT_SECONDS;
  expect(logged.filter(line => line.includes('X-Amz-Signature'))).toEqual([]);
});

describe('create', () => {
  test('authorizes the set, waits until every pair is authorized, answers with the natural id', async () => {
    const { sim, driver, expectExactly } = lab();
    const d = driver();
    const result = await d.create(props(GROUP, [APP, BATCH]));
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(d.state.physicalResourceId).toBe(`${GROUP}/ingress/set-a`);
    expect(d.state.data).toEqual({ PairCount: '2' });
    expectExactly(GROUP, [APP, BATCH]);
    expect(sim.mutatingCalls).toBe(2);
    // It waited: the response came after the simulated authorizing phase.
    expect(d.log.filter(e => e.kind === 'isComplete' && e.outcome === 'incomplete').length).toBeGreaterThan(0);
  });

  test('adopts a pair that already exists (another tool put it there)', async () => {
    const { sim, driver, expectExactly } = lab();
    sim.putPair(GROUP, WEB);
    const result = await driver().create(props(GROUP, [APP, WEB]));
    expect(result.status).toBe('CREATE_COMPLETE');
    expectExactly(GROUP, [APP, WEB]);
    expect(sim.mutationAttempts().map(c => c.pair)).toEqual(['app|123456789012']);
  });

  test('a cache security group that does not exist fails Create naming it, and the rollback succeeds', async () => {
    const { driver } = lab();
    const result = await driver().create(props('no-such-group', [APP]));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/^cache security group no-such-group does not exist \(CacheSecurityGroupNotFoundFault: CacheSecurityGroup no-such-group not found\.\)/);
    expect(result.reason).toContain('waited 60 s for it to appear');
  });

  test('a group that ElastiCache describes only a little later (created in the same deploy) is waited for', async () => {
    const { sim, driver, expectExactly } = lab();
    let describes = 0;
    sim.onCall(call => {
      if (call.operation === 'DescribeCacheSecurityGroups' && call.group === 'late-group' && ++describes === 2) {
        sim.createCacheSecurityGroup('late-group');
        FOREIGN.forEach(f => sim.putPair('late-group', f));
      }
    });
    const result = await driver().create(props('late-group', [APP]));
    expect(result.status).toBe('CREATE_COMPLETE');
    expectExactly('late-group', [APP]);
  });

  test('a VPC-only account fails at once with a reason naming the VPC path, without retrying', async () => {
    const { sim, driver } = lab();
    sim.makeVpcOnlyAccount();
    const d = driver();
    const result = await d.create(props(GROUP, [APP]));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toContain('this account cannot use cache security groups (InvalidParameterValueException: Use of cache security groups is not permitted in this API version for your account.)');
    expect(result.reason).toContain('CacheAccess.allow(cache, source)');
    // One isComplete for the Create (it threw), one for the rollback's Delete.
    expect(d.log.filter(e => e.kind === 'isComplete').map(e => (e as { outcome: string }).outcome)).toEqual(['threw', 'complete']);
    expect(sim.calls.map(c => c.operation)).toEqual(['DescribeCacheSecurityGroups', 'DescribeCacheSecurityGroups']);
  });

  test('throttling, 5xx and InvalidCacheSecurityGroupState are waited out', async () => {
    const { sim, driver, expectExactly } = lab();
    sim.throttleNext('DescribeCacheSecurityGroups', 2);
    sim.failNext('AuthorizeCacheSecurityGroupIngress', 1);
    sim.invalidStateNext('AuthorizeCacheSecurityGroupIngress', 1);
    sim.throttleNext('AuthorizeCacheSecurityGroupIngress', 3);
    const result = await driver().create(props(GROUP, [APP, WEB, BATCH]));
    expect(result.status).toBe('CREATE_COMPLETE');
    expectExactly(GROUP, [APP, WEB, BATCH]);
    expect(sim.mutatingCalls).toBe(3);
  });

  test('a pair that never settles fails before the framework times out, naming it', async () => {
    const { sim, driver } = lab();
    sim.holdAuthorization(WEB.name, WEB.ownerId);
    const result = await driver().create(props(GROUP, [APP, WEB]));
    expect(result.reason).toMatch(/^timed out after \d+ s waiting for cache security group legacy-cache: 1 pair still authorizing \(web \(123456789012\)\)/);
    expect(result.reason).not.toContain(OPERATION_TIMED_OUT);
  });

  test('a handler that dies after a mutating call is re-run and ends in the declared state', async () => {
    const { sim, driver, expectExactly } = lab();
    sim.crashAfterMutatingCalls(1);
    const result = await driver().create(props(GROUP, [APP, WEB, BATCH]));
    expect(result.status).toBe('CREATE_COMPLETE');
    expectExactly(GROUP, [APP, WEB, BATCH]);
    expect(sim.mutatingCalls).toBe(3);
  });

  test('duplicate delivery (interleaved) ends in the declared state with one authorization per pair', async () => {
    const { sim, driver, expectExactly } = lab();
    const result = await driver().create(props(GROUP, [APP, WEB]), { delivery: 'twice-interleaved' });
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.responses.map(r => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expectExactly(GROUP, [APP, WEB]);
    expect(sim.mutatingCalls).toBe(2);
  });
});

describe('update', () => {
  test('authorizes only what was added and revokes only what was removed, new pairs first', async () => {
    const { sim, driver, expectExactly } = lab();
    const d = driver();
    await d.create(props(GROUP, [APP, WEB]));
    const mark = sim.calls.length;
    const atRevoke: string[][] = [];
    sim.onCall(call => {
      if (call.operation === 'RevokeCacheSecurityGroupIngress') atRevoke.push(sim.pairSignatures(GROUP));
    });
    const result = await d.update(props(GROUP, [APP, BATCH, WORKERS]));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expectExactly(GROUP, [APP, BATCH, WORKERS]);
    const mutations = sim.mutationAttempts(mark);
    expect(mutations.map(c => `${c.operation}:${c.pair}`)).toEqual([
      'AuthorizeCacheSecurityGroupIngress:batch|210987654321',
      'AuthorizeCacheSecurityGroupIngress:workers|123456789012',
      'RevokeCacheSecurityGroupIngress:web|123456789012',
    ]);
    // Make before break: when the revoke went out, both new pairs were already authorized.
    expect(atRevoke).toHaveLength(1);
    expect(atRevoke[0]).toEqual(expect.arrayContaining([pairSignature(BATCH), pairSignature(WORKERS)]));
  });

  test('a failed update rolls back to exactly the old set; nothing already authorized is lost', async () => {
    const { sim, driver, expectExactly } = lab();
    const d = driver();
    await d.create(props(GROUP, [APP, WEB]));
    sim.rejectAuthorization('poison', ACCOUNT, 'Invalid EC2 security group poison');
    const result = await d.update(props(GROUP, [APP, BATCH, { name: 'poison', ownerId: ACCOUNT }]));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toContain('AuthorizeCacheSecurityGroupIngress for poison (123456789012) on cache security group legacy-cache failed: InvalidParameterValueException: Invalid EC2 security group poison');
    expectExactly(GROUP, [APP, WEB]);
  });

  test('a pair revoked out of band is put back; one authorized out of band is adopted', async () => {
    const { sim, driver, expectExactly } = lab();
    const d = driver();
    await d.create(props(GROUP, [APP, WEB]));
    sim.removePair(GROUP, WEB);
    sim.putPair(GROUP, BATCH);
    const result = await d.update(props(GROUP, [APP, WEB, BATCH]));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expectExactly(GROUP, [APP, WEB, BATCH]);
  });

  test('replacement (another cache security group) authorizes the new group before the old is revoked', async () => {
    const { sim, driver, expectExactly } = lab();
    const d = driver();
    await d.create(props(GROUP, [APP, WEB]));
    const mark = sim.calls.length;
    const result = await d.update(props(OTHER_GROUP, [APP, WEB]));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(d.state.physicalResourceId).toBe(`${OTHER_GROUP}/ingress/set-a`);
    expectExactly(OTHER_GROUP, [APP, WEB]);
    expectExactly(GROUP, []);
    const mutations = sim.mutationAttempts(mark);
    const lastAuthorize = Math.max(...mutations.filter(c => c.operation === 'AuthorizeCacheSecurityGroupIngress').map(c => c.at));
    const firstRevoke = Math.min(...mutations.filter(c => c.operation === 'RevokeCacheSecurityGroupIngress').map(c => c.at));
    expect(mutations.filter(c => c.operation === 'AuthorizeCacheSecurityGroupIngress').every(c => c.group === OTHER_GROUP)).toBe(true);
    expect(mutations.filter(c => c.operation === 'RevokeCacheSecurityGroupIngress').every(c => c.group === GROUP)).toBe(true);
    expect(lastAuthorize).toBeLessThan(firstRevoke);
  });
});

describe('delete', () => {
  test('revokes the set, leaves foreign pairs, and releases the ownership record', async () => {
    const { sim, store, driver, expectExactly } = lab();
    const d = driver();
    await d.create(props(GROUP, [APP, WEB]));
    expect(store.names('/cdk-network-access/cache-security-group-ingress/')).toHaveLength(1);
    const result = await d.delete();
    expect(result.status).toBe('DELETE_COMPLETE');
    expectExactly(GROUP, []);
    expect(store.names('/cdk-network-access/cache-security-group-ingress/')).toEqual([]);
    expect(sim.mutatingCalls).toBe(4);
  });

  test('a group deleted out of band makes Delete succeed without a revoke', async () => {
    const { sim, driver } = lab();
    const d = driver();
    await d.create(props(GROUP, [APP]));
    sim.deleteCacheSecurityGroup(GROUP);
    const mark = sim.calls.length;
    const result = await d.delete();
    expect(result.status).toBe('DELETE_COMPLETE');
    expect(sim.mutationAttempts(mark)).toEqual([]);
  });

  test('duplicate delivery of the Delete revokes each pair once', async () => {
    const { sim, driver, expectExactly } = lab();
    const d = driver();
    await d.create(props(GROUP, [APP, WEB]));
    const result = await d.delete({ delivery: 'twice-interleaved' });
    expect(result.status).toBe('DELETE_COMPLETE');
    expectExactly(GROUP, []);
    expect(sim.mutatingCalls).toBe(4);
  });

  test('renaming the construct (a new set claims the pairs, then the old set is deleted) revokes nothing', async () => {
    const { sim, driver, expectExactly } = lab();
    const oldSet = driver({ logicalResourceId: 'OldName' });
    const newSet = driver({ logicalResourceId: 'NewName' });
    await oldSet.create(props(GROUP, [APP, WEB], 'set-old'));
    await newSet.create(props(GROUP, [APP, WEB, BATCH], 'set-new'));
    const mark = sim.calls.length;
    const result = await oldSet.delete();
    expect(result.status).toBe('DELETE_COMPLETE');
    expect(sim.mutationAttempts(mark)).toEqual([]);
    expectExactly(GROUP, [APP, WEB, BATCH]);
    // And once the new set goes too, the pairs go.
    await newSet.delete();
    expectExactly(GROUP, []);
  });
});
