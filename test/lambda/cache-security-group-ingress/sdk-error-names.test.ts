import { Readable } from 'node:stream';
import {
  AuthorizeCacheSecurityGroupIngressCommand,
  DescribeCacheSecurityGroupsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { isCacheSecurityGroupsUnavailable } from '../../../lambda/cache-security-group-ingress/elasticache-ingress';
import { classifyError } from '../../../lambda/shared/errors';

/**
 * The error names the handler matches on, checked against the real
 * @aws-sdk/client-elasticache deserializer: the client is sent ElastiCache's
 * query-protocol error documents with the wire codes from the API reference
 * (`AuthorizationAlreadyExists`, ...), and the test reads back the `name`
 * the SDK gives the exception, then how the handler kit classifies it.
 * Nothing here is a mock of the SDK: only the HTTP transport is replaced.
 */

function errorDocument(code: string, message: string): string {
  return `<ErrorResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
}

function clientAnswering(status: number, body: string): ElastiCacheClient {
  return new ElastiCacheClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: { statusCode: status, reason: 'x', headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(body)]) },
      }),
    } as never,
  });
}

async function nameOf(code: string, status: number, message = 'm'): Promise<{ name: string; error: unknown }> {
  const client = clientAnswering(status, errorDocument(code, message));
  try {
    await client.send(new AuthorizeCacheSecurityGroupIngressCommand({
      CacheSecurityGroupName: 'g', EC2SecurityGroupName: 'app', EC2SecurityGroupOwnerId: '123456789012',
    }));
  } catch (error) {
    return { name: (error as Error).name, error };
  }
  throw new Error('the call did not fail');
}

test.each([
  ['AuthorizationAlreadyExists', 400, 'AuthorizationAlreadyExistsFault', 'already-exists'],
  ['AuthorizationNotFound', 404, 'AuthorizationNotFoundFault', 'not-found'],
  ['CacheSecurityGroupNotFound', 404, 'CacheSecurityGroupNotFoundFault', 'not-found'],
  ['InvalidCacheSecurityGroupState', 400, 'InvalidCacheSecurityGroupStateFault', 'retry-later'],
  ['Throttling', 400, 'Throttling', 'retry-later'],
  ['InvalidParameterValue', 400, 'InvalidParameterValueException', 'terminal'],
  ['InvalidParameterCombination', 400, 'InvalidParameterCombinationException', 'terminal'],
])('wire code %s (HTTP %d) reaches the handler as %s, classified %s', async (code, status, sdkName, errorClass) => {
  const { name, error } = await nameOf(code, status);
  expect(name).toBe(sdkName);
  expect(classifyError(error)).toBe(errorClass);
});

test('the VPC-only refusal is recognised from the real exception, other parameter errors are not', async () => {
  const vpcOnly = await nameOf('InvalidParameterValue', 400, 'Use of cache security groups is not permitted in this API version for your account.');
  expect(isCacheSecurityGroupsUnavailable(vpcOnly.error)).toBe(true);
  const combination = await nameOf('InvalidParameterCombination', 400, 'Use of cache security groups is not permitted in this API version for your account.');
  expect(isCacheSecurityGroupsUnavailable(combination.error)).toBe(true);
  const other = await nameOf('InvalidParameterValue', 400, 'Invalid EC2SecurityGroupOwnerId');
  expect(isCacheSecurityGroupsUnavailable(other.error)).toBe(false);
});

test('a DescribeCacheSecurityGroups answer is read as the handler expects', async () => {
  const body = '<DescribeCacheSecurityGroupsResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/"><DescribeCacheSecurityGroupsResult><CacheSecurityGroups><CacheSecurityGroup>'
    + '<OwnerId>123456789012</OwnerId><CacheSecurityGroupName>g</CacheSecurityGroupName><EC2SecurityGroups><EC2SecurityGroup><Status>authorized</Status>'
    + '<EC2SecurityGroupName>app</EC2SecurityGroupName><EC2SecurityGroupOwnerId>123456789012</EC2SecurityGroupOwnerId></EC2SecurityGroup></EC2SecurityGroups>'
    + '</CacheSecurityGroup></CacheSecurityGroups></DescribeCacheSecurityGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeCacheSecurityGroupsResponse>';
  const out = await clientAnswering(200, body).send(new DescribeCacheSecurityGroupsCommand({ CacheSecurityGroupName: 'g' }));
  expect(out.CacheSecurityGroups?.[0].EC2SecurityGroups).toEqual([{ Status: 'authorized', EC2SecurityGroupName: 'app', EC2SecurityGroupOwnerId: '123456789012' }]);
});
