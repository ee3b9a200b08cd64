import {
  AuthorizationAlreadyExistsFault,
  AuthorizationNotFoundFault,
  AuthorizeCacheSecurityGroupIngressCommand,
  CacheSecurityGroupNotFoundFault,
  DescribeCacheSecurityGroupsCommand,
  ElastiCacheClient,
  ElastiCacheServiceException,
  InvalidCacheSecurityGroupStateFault,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  RevokeCacheSecurityGroupIngressCommand,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { isComplete, onEvent } from '../../../lambda/cache-security-group-ingress';
import { useClock } from '../../../lambda/shared/clock';
import { IsCompleteRequest, OnEventRequest } from '../../../lambda/shared/events';
import { SimulatedParameterStore } from '../../support/simulated-parameter-store';
import { ManualClock } from '../fixtures';

/**
 * Handler tests with a mocked ElastiCache client: each request type, each
 * error class of the three calls, each response shape. The ownership records
 * live in a simulated Parameter Store.
 */

const elasticache = mockClient(ElastiCacheClient);
const GROUP = 'legacy-cache';
const SET_ID = 'set-1';
const PHYSICAL_ID = `${GROUP}/ingress/${SET_ID}`;
const ACCOUNT = '123456789012';
const meta = (status: number) => ({ $metadata: { httpStatusCode: status } });

function properties(pairs: Array<[string, string]>, group = GROUP): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
    SchemaVersion: '1',
    CacheSecurityGroupName: group,
    SetId: SET_ID,
    Ingress: pairs.map(([name, owner]) => ({ EC2SecurityGroupName: name, EC2SecurityGroupOwnerId: owner })),
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
  ResponseURL: 'https://example.invalid/response',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/S/1',
  RequestId: 'req-1',
  LogicalResourceId: 'Ingress',
  ResourceType: 'Custom::NetworkAccessCacheSecurityGroupIngress',
};

function create(pairs: Array<[string, string]>): OnEventRequest {
  return { ...common, RequestType: 'Create', ResourceProperties: properties(pairs) };
}
function update(pairs: Array<[string, string]>, old: Array<[string, string]>, oldGroup = GROUP): OnEventRequest {
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: `${oldGroup}/ingress/${SET_ID}`,
    ResourceProperties: properties(pairs),
    OldResourceProperties: properties(old, oldGroup),
  };
}
function del(pairs: Array<[string, string]>, physicalId = PHYSICAL_ID): OnEventRequest {
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalId, ResourceProperties: properties(pairs) };
}
function waiting(event: OnEventRequest, deadline?: number): IsCompleteRequest {
  return { ...event, PhysicalResourceId: PHYSICAL_ID, ...(deadline !== undefined ? { Deadline: deadline } : {}) } as IsCompleteRequest;
}

function groupHas(...pairs: Array<[string, string, string]>): void {
  elasticache.on(DescribeCacheSecurityGroupsCommand).resolves({
    CacheSecurityGroups: [{
      CacheSecurityGroupName: GROUP,
      EC2SecurityGroups: pairs.map(([name, owner, status]) => ({ EC2SecurityGroupName: name, EC2SecurityGroupOwnerId: owner, Status: status })),
    }],
  });
}

/** The last 'mutations' log record of the pass: calls, done, retryLater. */
function mutationLog(): Record<string, unknown> | undefined {
  return lines.map(l => JSON.parse(l) as Record<string, unknown>).filter(r => r.message === 'mutations').pop();
}

let clock: ManualClock;
let store: SimulatedParameterStore;
let restoreClock: () => void;
let lines: string[];
let spy: jest.SpyInstance;

beforeEach(() => {
  elasticache.reset();
  elasticache.onAnyCommand().rejects(new Error('unexpected AWS call'));
  clock = new ManualClock();
  restoreClock = useClock(clock);
  store = new SimulatedParameterStore({ now: () => clock.now() });
  store.install();
  lines = [];
  spy = jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
  process.env.TOTAL_TIMEOUT_SECONDS = '1800';
});
afterEach(() => {
  store.restore();
  restoreClock();
  spy.mockRestore();
  delete process.env.TOTAL_TIMEOUT_SECONDS;
});

describe('onEvent', () => {
  test('makes no AWS call and answers with the natural physical id and a deadline', async () => {
    const response = await onEvent(create([['app', ACCOUNT]]));
    expect(response).toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Deadline: clock.now() + (1800 - 120) * 1000,
      NotFoundGraceUntil: clock.now() + 60_000,
    });
    // A Delete does not wait for a missing group.
    expect(await onEvent(del([['app', ACCOUNT]]))).toEqual({ PhysicalResourceId: PHYSICAL_ID, Deadline: clock.now() + (1800 - 120) * 1000 });
    expect(elasticache.calls()).toHaveLength(0);
    expect(store.callCount('PutParameter')).toBe(0);
  });

  test('rejects malformed properties on Create, naming each problem', async () => {
    const event = { ...common, RequestType: 'Create' as const, ResourceProperties: { ...properties([['app', '12345'], ['', ACCOUNT]]) } };
    await expect(onEvent(event)).rejects.toThrow(
      "invalid properties for Create: Ingress[0].EC2SecurityGroupOwnerId '12345' must be a 12-digit AWS account id; Ingress[1].EC2SecurityGroupName must be a non-empty string, got ''");
    const duplicate = create([['app', ACCOUNT], ['app', ACCOUNT]]);
    await expect(onEvent(duplicate)).rejects.toThrow('Ingress[1] duplicates Ingress[0] (app (123456789012))');
    await expect(onEvent({ ...create([]), ResourceProperties: { SchemaVersion: '9' } })).rejects.toThrow("SchemaVersion '9' is not supported (this handler reads '1')");
  });

  test('a Delete with unreadable properties or a foreign physical id is skipped without calls', async () => {
    expect(await onEvent({ ...del([]), ResourceProperties: { SchemaVersion: '0' } })).toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(await onEvent(del([], 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED')))
      .toEqual({ PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' });
    expect(await isComplete(waiting({ ...del([]), ResourceProperties: { SchemaVersion: '0' } }))).toEqual({ IsComplete: true });
    expect(elasticache.calls()).toHaveLength(0);
  });
});

describe('isComplete: Create', () => {
  test('authorizes what is missing, then completes with PairCount once authorized', async () => {
    groupHas(['web', ACCOUNT, 'authorized']);
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand).resolves({});
    expect(await isComplete(waiting(create([['app', ACCOUNT], ['web', ACCOUNT]])))).toEqual({ IsComplete: false });
    expect(elasticache.commandCalls(AuthorizeCacheSecurityGroupIngressCommand).map(c => c.args[0].input)).toEqual([
      { CacheSecurityGroupName: GROUP, EC2SecurityGroupName: 'app', EC2SecurityGroupOwnerId: ACCOUNT },
    ]);
    // The set's claim was written before the authorize.
    expect(store.names('/cdk-network-access/cache-security-group-ingress/legacy-cache/')).toHaveLength(1);

    groupHas(['web', ACCOUNT, 'authorized'], ['app', ACCOUNT, 'authorizing']);
    expect(await isComplete(waiting(create([['app', ACCOUNT], ['web', ACCOUNT]])))).toEqual({ IsComplete: false });
    groupHas(['web', ACCOUNT, 'authorized'], ['app', ACCOUNT, 'authorized']);
    expect(await isComplete(waiting(create([['app', ACCOUNT], ['web', ACCOUNT]])))).toEqual({ IsComplete: true, Data: { PairCount: '2' } });
    expect(elasticache.commandCalls(AuthorizeCacheSecurityGroupIngressCommand)).toHaveLength(1);
  });

  test('AuthorizationAlreadyExistsFault is adoption', async () => {
    groupHas();
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand).rejects(new AuthorizationAlreadyExistsFault({ ...meta(400), message: 'already' }));
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: false });
    expect(mutationLog()).toEqual(expect.objectContaining({ calls: 1, done: 1, retryLater: 0 }));
  });

  test.each([
    ['InvalidCacheSecurityGroupStateFault', () => new InvalidCacheSecurityGroupStateFault({ ...meta(400), message: 'busy' })],
    ['Throttling', () => new ElastiCacheServiceException({ name: 'Throttling', $fault: 'client', ...meta(400), message: 'Rate exceeded' })],
    ['a 5xx', () => new ElastiCacheServiceException({ name: 'InternalFailure', $fault: 'server', ...meta(500), message: 'oops' })],
  ])('%s on Authorize is retried on a later pass', async (_name, error) => {
    groupHas();
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand).rejects(error());
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: false });
    expect(mutationLog()).toEqual(expect.objectContaining({ done: 0, retryLater: 1 }));
  });

  test('throttled calls are resent once within the pass, after a second', async () => {
    groupHas();
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand)
      .rejectsOnce(new ElastiCacheServiceException({ name: 'Throttling', $fault: 'client', ...meta(400), message: 'Rate exceeded' }))
      .resolves({});
    await isComplete(waiting(create([['app', ACCOUNT]])));
    expect(elasticache.commandCalls(AuthorizeCacheSecurityGroupIngressCommand)).toHaveLength(2);
    expect(clock.sleeps).toEqual([1000]);
  });

  test('CacheSecurityGroupNotFoundFault on Describe or Authorize fails Create naming the group', async () => {
    elasticache.on(DescribeCacheSecurityGroupsCommand).rejects(new CacheSecurityGroupNotFoundFault({ ...meta(404), message: 'CacheSecurityGroup legacy-cache not found.' }));
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).rejects.toThrow(
      'cache security group legacy-cache does not exist (CacheSecurityGroupNotFoundFault: CacheSecurityGroup legacy-cache not found.); create it first, or check its name and region');
    groupHas();
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand).rejects(new CacheSecurityGroupNotFoundFault({ ...meta(404), message: 'gone' }));
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).rejects.toThrow(
      'AuthorizeCacheSecurityGroupIngress for app (123456789012) on cache security group legacy-cache failed: CacheSecurityGroupNotFoundFault: gone');
  });

  test.each([
    ['InvalidParameterValueException', () => new InvalidParameterValueException({ ...meta(400), message: 'Use of cache security groups is not permitted in this API version for your account.' })],
    ['InvalidParameterCombinationException', () => new InvalidParameterCombinationException({ ...meta(400), message: 'Use of cache security groups is not permitted in this API version for your account.' })],
  ])('a VPC-only account (%s) fails at once, pointing to CacheAccess.allow', async (_name, error) => {
    elasticache.on(DescribeCacheSecurityGroupsCommand).rejects(error());
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).rejects.toThrow(/this account cannot use cache security groups .*declare the access with CacheAccess.allow\(cache, source\)/);
    groupHas();
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand).rejects(error());
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).rejects.toThrow(/this account cannot use cache security groups/);
  });

  test('another InvalidParameterValueException is terminal with AWS\'s words', async () => {
    groupHas();
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand).rejects(new InvalidParameterValueException({ ...meta(400), message: 'Invalid owner' }));
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).rejects.toThrow('failed: InvalidParameterValueException: Invalid owner');
  });

  test('past the deadline, fails naming the pending pairs (and logs them all)', async () => {
    groupHas(['app', ACCOUNT, 'authorizing']);
    await expect(isComplete(waiting(create([['app', ACCOUNT]]), clock.now() - 1))).rejects.toThrow(
      'timed out after 1680 s waiting for cache security group legacy-cache: 1 pair still authorizing (app (123456789012))');
    expect(lines.some(l => l.includes('deadline reached with pairs remaining'))).toBe(true);
  });

  test('a throttled Describe is retried; past the deadline it fails saying the group could not be read', async () => {
    elasticache.on(DescribeCacheSecurityGroupsCommand).rejects(new ElastiCacheServiceException({ name: 'Throttling', $fault: 'client', ...meta(400), message: 'Rate exceeded' }));
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(waiting(create([['app', ACCOUNT]]), clock.now() - 1))).rejects.toThrow(/could not be read \(Throttling: Rate exceeded\)/);
  });

  test('an ownership store that throttles is retried, not failed', async () => {
    store.failNext('GetParametersByPath', 1);
    await expect(isComplete(waiting(create([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: false });
    expect(elasticache.calls()).toHaveLength(0);
  });
});

describe('isComplete: Update and Delete', () => {
  test('Update revokes removed pairs only once the added ones are authorized', async () => {
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand).resolves({});
    elasticache.on(RevokeCacheSecurityGroupIngressCommand).resolves({});
    groupHas(['old', ACCOUNT, 'authorized']);
    await isComplete(waiting(update([['new', ACCOUNT]], [['old', ACCOUNT]])));
    expect(elasticache.commandCalls(RevokeCacheSecurityGroupIngressCommand)).toHaveLength(0);
    groupHas(['old', ACCOUNT, 'authorized'], ['new', ACCOUNT, 'authorized']);
    await isComplete(waiting(update([['new', ACCOUNT]], [['old', ACCOUNT]])));
    expect(elasticache.commandCalls(RevokeCacheSecurityGroupIngressCommand).map(c => c.args[0].input)).toEqual([
      { CacheSecurityGroupName: GROUP, EC2SecurityGroupName: 'old', EC2SecurityGroupOwnerId: ACCOUNT },
    ]);
  });

  test('an Update to another group removes nothing here (the old id\'s Delete does)', async () => {
    elasticache.on(AuthorizeCacheSecurityGroupIngressCommand).resolves({});
    groupHas();
    const response = await onEvent(update([['app', ACCOUNT]], [['app', ACCOUNT]], 'old-group'));
    expect(response.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(lines.some(l => l.includes("physical id changes from 'old-group/ingress/set-1'"))).toBe(true);
  });

  test.each([
    ['AuthorizationNotFoundFault', () => new AuthorizationNotFoundFault({ ...meta(404), message: 'not authorized' })],
    ['CacheSecurityGroupNotFoundFault', () => new CacheSecurityGroupNotFoundFault({ ...meta(404), message: 'no group' })],
  ])('%s on Revoke is done', async (_name, error) => {
    groupHas(['app', ACCOUNT, 'authorized']);
    elasticache.on(RevokeCacheSecurityGroupIngressCommand).rejects(error());
    await expect(isComplete(waiting(del([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: false });
    expect(mutationLog()).toEqual(expect.objectContaining({ calls: 1, done: 1, retryLater: 0 }));
    groupHas();
    await expect(isComplete(waiting(del([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: true });
  });

  test('InvalidCacheSecurityGroupStateFault on Revoke is retried', async () => {
    groupHas(['app', ACCOUNT, 'authorized']);
    elasticache.on(RevokeCacheSecurityGroupIngressCommand).rejects(new InvalidCacheSecurityGroupStateFault({ ...meta(400), message: 'busy' }));
    await expect(isComplete(waiting(del([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: false });
    expect(mutationLog()).toEqual(expect.objectContaining({ done: 0, retryLater: 1 }));
  });

  test('Delete of a missing group, or in a VPC-only account, succeeds without revokes and releases the record', async () => {
    store.seed('/cdk-network-access/cache-security-group-ingress/legacy-cache/set-1/0', JSON.stringify({ v: 1, owner: 'x', keys: ['app|123456789012'] }));
    elasticache.on(DescribeCacheSecurityGroupsCommand).rejects(new CacheSecurityGroupNotFoundFault({ ...meta(404), message: 'no group' }));
    await expect(isComplete(waiting(del([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: true });
    expect(store.names('/cdk-network-access/')).toEqual([]);
    elasticache.on(DescribeCacheSecurityGroupsCommand).rejects(new InvalidParameterValueException({ ...meta(400), message: 'Use of cache security groups is not permitted in this API version for your account.' }));
    await expect(isComplete(waiting(del([['app', ACCOUNT]])))).resolves.toEqual({ IsComplete: true });
    expect(elasticache.commandCalls(RevokeCacheSecurityGroupIngressCommand)).toHaveLength(0);
  });

  test('Delete leaves a pair another set claims on the same group', async () => {
    store.seed('/cdk-network-access/cache-security-group-ingress/legacy-cache/other-set/0', JSON.stringify({ v: 1, owner: 'y', keys: ['app|123456789012'] }));
    groupHas(['app', ACCOUNT, 'authorized'], ['web', ACCOUNT, 'authorized']);
    elasticache.on(RevokeCacheSecurityGroupIngressCommand).resolves({});
    await isComplete(waiting(del([['app', ACCOUNT], ['web', ACCOUNT]])));
    expect(elasticache.commandCalls(RevokeCacheSecurityGroupIngressCommand).map(c => c.args[0].input.EC2SecurityGroupName)).toEqual(['web']);
  });
});
