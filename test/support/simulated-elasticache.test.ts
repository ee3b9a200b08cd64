import {
  AuthorizeCacheSecurityGroupIngressCommand,
  DescribeCacheSecurityGroupsCommand,
  ElastiCacheClient,
  RevokeCacheSecurityGroupIngressCommand,
} from '@aws-sdk/client-elasticache';
import { SimulatedClock } from './simulated-clock';
import { SimulatedElastiCacheService, VPC_ONLY_MESSAGE } from './simulated-elasticache';

/** The simulation itself, through a real ElastiCacheClient (its send is what the stub replaces). */

const OWNER = '123456789012';
let clock: SimulatedClock;
let sim: SimulatedElastiCacheService;
let client: ElastiCacheClient;

beforeEach(() => {
  clock = new SimulatedClock();
  sim = new SimulatedElastiCacheService({ clock, authorizeDuration: { minMs: 5_000, maxMs: 5_000 }, revokeDuration: { minMs: 3_000, maxMs: 3_000 } });
  sim.install();
  sim.createCacheSecurityGroup('g');
  client = new ElastiCacheClient({ region: 'us-east-1' });
});
afterEach(() => sim.restore());

const authorize = (name = 'app') => client.send(new AuthorizeCacheSecurityGroupIngressCommand({ CacheSecurityGroupName: 'g', EC2SecurityGroupName: name, EC2SecurityGroupOwnerId: OWNER }));
const revoke = (name = 'app') => client.send(new RevokeCacheSecurityGroupIngressCommand({ CacheSecurityGroupName: 'g', EC2SecurityGroupName: name, EC2SecurityGroupOwnerId: OWNER }));

test('a pair passes through authorizing to authorized, and through revoking to gone', async () => {
  await authorize();
  expect(sim.pairs('g')).toEqual([{ name: 'app', ownerId: OWNER, status: 'authorizing' }]);
  clock.advance(5_000);
  const described = await client.send(new DescribeCacheSecurityGroupsCommand({ CacheSecurityGroupName: 'g' }));
  expect(described.CacheSecurityGroups?.[0].EC2SecurityGroups).toEqual([{ Status: 'authorized', EC2SecurityGroupName: 'app', EC2SecurityGroupOwnerId: OWNER }]);
  await revoke();
  expect(sim.pairs('g')[0].status).toBe('revoking');
  clock.advance(3_000);
  expect(sim.pairs('g')).toEqual([]);
  expect(sim.mutatingCalls).toBe(2);
});

test('errors are the SDK exception classes a real call would raise', async () => {
  await authorize();
  await expect(authorize()).rejects.toMatchObject({ name: 'AuthorizationAlreadyExistsFault' });
  await expect(revoke()).rejects.toMatchObject({ name: 'InvalidCacheSecurityGroupStateFault' });
  await expect(revoke('other')).rejects.toMatchObject({ name: 'AuthorizationNotFoundFault', $metadata: { httpStatusCode: 404 } });
  await expect(client.send(new DescribeCacheSecurityGroupsCommand({ CacheSecurityGroupName: 'missing' }))).rejects.toMatchObject({ name: 'CacheSecurityGroupNotFoundFault' });
  sim.makeVpcOnlyAccount();
  await expect(authorize('x')).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: VPC_ONLY_MESSAGE });
  expect(sim.mutatingCalls).toBe(1);
});

test('faults are injected once each, and a crash stops every later call until consumed', async () => {
  sim.throttleNext('AuthorizeCacheSecurityGroupIngress');
  await expect(authorize()).rejects.toMatchObject({ name: 'Throttling' });
  sim.crashAfterMutatingCalls(1);
  await expect(authorize()).rejects.toMatchObject({ name: 'SimulatedCrash' });
  await expect(client.send(new DescribeCacheSecurityGroupsCommand({}))).rejects.toMatchObject({ name: 'SimulatedCrash' });
  expect(sim.consumeCrash()).toBe(true);
  expect(sim.pairs('g').map(p => p.name)).toEqual(['app']);
});
