/**
 * Does the moto server answer the cache security group actions? It does not
 * (moto's elasticache backend stores `cache_security_group_names` on clusters
 * but implements none of CreateCacheSecurityGroup,
 * AuthorizeCacheSecurityGroupIngress, RevokeCacheSecurityGroupIngress or
 * DescribeCacheSecurityGroups; an unimplemented action reaches the SDK as an
 * HTTP 500). This test records that, so the day moto implements them it
 * fails and says to add a wire test of the handler here; until then the
 * lifecycle tests run against test/support/simulated-elasticache.ts and the
 * SDK's own deserializer is checked in
 * test/lambda/cache-security-group-ingress/sdk-error-names.test.ts.
 *
 * As a control, DescribeCacheClusters (which moto implements) must succeed:
 * the server is reached and signs check out, so the failures are moto's gaps.
 *
 * Like every emulator test, this FAILS when moto is unavailable.
 */
import {
  AuthorizeCacheSecurityGroupIngressCommand,
  CreateCacheSecurityGroupCommand,
  DescribeCacheClustersCommand,
  DescribeCacheSecurityGroupsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { motoEnvironment } from '../support/moto/moto';

let client: ElastiCacheClient;

beforeAll(() => {
  const env = motoEnvironment();
  client = new ElastiCacheClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
});

afterAll(() => client?.destroy());

async function failureOf(send: () => Promise<unknown>): Promise<string> {
  try {
    await send();
    return 'succeeded';
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `failed (HTTP ${status ?? 'none'})`;
  }
}

test('moto reaches ElastiCache at all: DescribeCacheClusters succeeds', async () => {
  const out = await client.send(new DescribeCacheClustersCommand({}));
  expect(Array.isArray(out.CacheClusters ?? [])).toBe(true);
});

test('moto does not implement the cache security group actions (so there is no wire test of the handler)', async () => {
  const results = {
    CreateCacheSecurityGroup: await failureOf(() => client.send(new CreateCacheSecurityGroupCommand({ CacheSecurityGroupName: 'moto-check', Description: 'd' }))),
    AuthorizeCacheSecurityGroupIngress: await failureOf(() => client.send(new AuthorizeCacheSecurityGroupIngressCommand({
      CacheSecurityGroupName: 'moto-check', EC2SecurityGroupName: 'app', EC2SecurityGroupOwnerId: '123456789012',
    }))),
    DescribeCacheSecurityGroups: await failureOf(() => client.send(new DescribeCacheSecurityGroupsCommand({ CacheSecurityGroupName: 'moto-check' }))),
  };
  // If this changes, moto has learned these actions: add a wire test of
  // lambda/cache-security-group-ingress against it in this file.
  expect(results).toEqual({
    CreateCacheSecurityGroup: 'failed (HTTP 500)',
    AuthorizeCacheSecurityGroupIngress: 'failed (HTTP 500)',
    DescribeCacheSecurityGroups: 'failed (HTTP 500)',
  });
});
