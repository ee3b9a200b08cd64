/**
 * Integration test: the same intent, "the app servers may reach the cache",
 * declared for both kinds of ElastiCache cache:
 *
 * - a cluster in a VPC, through its VPC security group (`CacheAccess.allow`);
 * - a cache security group (clusters outside a VPC), through
 *   `CacheSecurityGroupIngress`.
 *
 * Deployable by a maintainer with credentials:
 *   npx integ-runner --update-on-failed test/integ.cache-security-group-ingress.ts
 * An account that is VPC-only (every account created since EC2-Classic was
 * retired) cannot create cache security groups; deploy the VPC half alone with
 *   ... -- --context vpcOnlyAccount=true
 * (the committed snapshot is of the full app).
 *
 * CI verifies the committed snapshot without deploying (`npx projen integ`).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { CacheAccess, CacheIngressSource, CacheSecurityGroup, CacheSecurityGroupIngress } from '../src';

const app = new App();
const stack = new Stack(app, 'NetworkAccessCacheSecurityGroupIngressInteg');
const vpcOnlyAccount = app.node.tryGetContext('vpcOnlyAccount') === 'true' || app.node.tryGetContext('vpcOnlyAccount') === true;

const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16') });
const appServers = new ec2.SecurityGroup(stack, 'AppServers', { vpc, description: 'App servers', securityGroupName: 'cdk-network-access-integ-app' });

// The VPC path: a Redis cluster with a security group of its own.
const cacheSecurityGroup = new ec2.SecurityGroup(stack, 'CacheSg', { vpc, description: 'Redis cluster', allowAllOutbound: false });
const subnets = new elasticache.CfnSubnetGroup(stack, 'CacheSubnets', {
  description: 'Redis cluster subnets',
  subnetIds: vpc.isolatedSubnets.map(s => s.subnetId),
});
const redis = new elasticache.CfnCacheCluster(stack, 'Redis', {
  engine: 'redis',
  cacheNodeType: 'cache.t4g.micro',
  numCacheNodes: 1,
  cacheSubnetGroupName: subnets.ref,
  vpcSecurityGroupIds: [cacheSecurityGroup.securityGroupId],
});
CacheAccess.allow(redis, appServers, { description: 'App servers to Redis' });

const integ = new IntegTest(app, 'CacheSecurityGroupIngress', {
  testCases: [stack],
  diffAssets: false,
});

// Read the VPC security group back: the app servers reach 6379, nothing else.
integ.assertions.awsApiCall('EC2', 'describeSecurityGroups', { GroupIds: [cacheSecurityGroup.securityGroupId] })
  .expect(ExpectedResult.objectLike({
    SecurityGroups: [Match.objectLike({
      IpPermissions: [Match.objectLike({
        IpProtocol: 'tcp',
        FromPort: 6379,
        ToPort: 6379,
        UserIdGroupPairs: [Match.objectLike({ GroupId: appServers.securityGroupId, Description: 'App servers to Redis' })],
      })],
    })],
  }));

if (!vpcOnlyAccount) {
  // The cache security group path: the same app servers, by group name and owner.
  const group = new CacheSecurityGroup(stack, 'LegacyCacheGroup', { description: 'Clusters outside a VPC' });
  new CacheSecurityGroupIngress(stack, 'LegacyIngress', {
    cacheSecurityGroup: group,
    sources: [CacheIngressSource.fromSecurityGroup(appServers)],
  });
  // Read it back: the pair is authorized (the handler waited for it).
  integ.assertions.awsApiCall('ElastiCache', 'describeCacheSecurityGroups', { CacheSecurityGroupName: group.cacheSecurityGroupName })
    .expect(ExpectedResult.objectLike({
      CacheSecurityGroups: [Match.objectLike({
        EC2SecurityGroups: [Match.objectLike({ EC2SecurityGroupName: 'cdk-network-access-integ-app', Status: 'authorized' })],
      })],
    }));
}
