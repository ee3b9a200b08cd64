import { App, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { Construct } from 'constructs';
import {
  AccessMechanism,
  AccessModel,
  AccessPrincipalKind,
  AccessTargetKind,
  CacheAccess,
} from '../../src';

const ACCOUNT = '123456789012';

interface World {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly cacheSg: ec2.SecurityGroup;
  readonly appSg: ec2.SecurityGroup;
}

function world(): World {
  const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2 });
  const cacheSg = new ec2.SecurityGroup(stack, 'CacheSg', { vpc });
  const appSg = new ec2.SecurityGroup(stack, 'AppSg', { vpc });
  return { stack, vpc, cacheSg, appSg };
}

function cluster(w: World, id: string, props: Partial<elasticache.CfnCacheClusterProps> = {}): elasticache.CfnCacheCluster {
  return new elasticache.CfnCacheCluster(w.stack, id, {
    engine: 'redis',
    cacheNodeType: 'cache.t4g.micro',
    numCacheNodes: 1,
    vpcSecurityGroupIds: [w.cacheSg.securityGroupId],
    ...props,
  });
}

function ingressRules(stack: Stack): Array<Record<string, unknown>> {
  return Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress'))
    .map(r => (r as { Properties: Record<string, unknown> }).Properties);
}

const sgRef = (stack: Stack, sg: ec2.SecurityGroup) => ({ 'Fn::GetAtt': [stack.getLogicalId(sg.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] });

describe('CacheAccess: ports and security groups', () => {
  test('a Redis cluster: 6379 from the source group into the cache group, with the description', () => {
    const w = world();
    CacheAccess.allow(cluster(w, 'Redis'), w.appSg, { description: 'app to cache' });
    expect(ingressRules(w.stack)).toEqual([{
      IpProtocol: 'tcp',
      FromPort: 6379,
      ToPort: 6379,
      GroupId: sgRef(w.stack, w.cacheSg),
      SourceSecurityGroupId: sgRef(w.stack, w.appSg),
      Description: 'app to cache',
    }]);
  });

  test.each([
    ['memcached', undefined, 11211, 11211],
    ['valkey', undefined, 6379, 6379],
    ['redis', 7000, 7000, 7000],
  ])('a %s cluster with port %p listens on %p..%p', (engine, port, from, to) => {
    const w = world();
    const access = CacheAccess.allow(cluster(w, 'C', { engine, port }), w.appSg);
    expect([access.fromPort, access.toPort]).toEqual([from, to]);
    expect(ingressRules(w.stack)).toEqual([expect.objectContaining({ FromPort: from, ToPort: to })]);
  });

  test('a replication group (engine defaults to Redis) over every one of its groups', () => {
    const w = world();
    const second = new ec2.SecurityGroup(w.stack, 'Second', { vpc: w.vpc });
    const group = new elasticache.CfnReplicationGroup(w.stack, 'Group', {
      replicationGroupDescription: 'rg',
      securityGroupIds: [w.cacheSg.securityGroupId, second.securityGroupId],
    });
    CacheAccess.allow(group, w.appSg);
    expect(ingressRules(w.stack).map(r => [r.GroupId, r.FromPort])).toEqual([
      [sgRef(w.stack, w.cacheSg), 6379],
      [sgRef(w.stack, second), 6379],
    ]);
  });

  test('a serverless Valkey cache also opens 6380 for reads', () => {
    const w = world();
    const cache = new elasticache.CfnServerlessCache(w.stack, 'Serverless', {
      engine: 'valkey',
      serverlessCacheName: 'sessions',
      securityGroupIds: [w.cacheSg.securityGroupId],
    });
    const access = CacheAccess.allow(cache, ec2.Peer.ipv4('10.20.0.0/16'));
    expect([access.fromPort, access.toPort]).toEqual([6379, 6380]);
    expect(ingressRules(w.stack)).toEqual([expect.objectContaining({ CidrIp: '10.20.0.0/16', FromPort: 6379, ToPort: 6380 })]);
  });

  test('an IConnectable cache (an L2) uses its own connections and default port', () => {
    const w = world();
    class FakeL2 extends Construct implements ec2.IConnectable {
      public readonly connections = new ec2.Connections({ securityGroups: [w.cacheSg], defaultPort: ec2.Port.tcp(6390) });
    }
    const access = CacheAccess.allow(new FakeL2(w.stack, 'L2'), w.appSg);
    expect([access.fromPort, access.toPort]).toEqual([6390, 6390]);
  });

  test('an explicit port wins over a token port', () => {
    const w = world();
    const c = cluster(w, 'C', { port: Token.asNumber(Lazy.number({ produce: () => 6400 })) });
    expect(() => CacheAccess.allow(c, w.appSg)).toThrow(/Stack\/C\/NetworkAccess[0-9a-f]{12}: the port of the cache Stack\/C is a token; give port/);
    const access = CacheAccess.allow(cluster(w, 'D', { port: Token.asNumber(Lazy.number({ produce: () => 6400 })) }), w.appSg, { port: 6400 });
    expect(access.fromPort).toBe(6400);
  });
});

describe('CacheAccess: validation', () => {
  test('a cache without a security group of its own fails', () => {
    const w = world();
    expect(() => CacheAccess.allow(cluster(w, 'NoSg', { vpcSecurityGroupIds: undefined }), w.appSg))
      .toThrow(/the cache Stack\/NoSg has no VPC security group of its own, so it runs in its VPC's default security group/);
  });

  test('a cache on cache security groups is pointed to CacheSecurityGroupIngress', () => {
    const w = world();
    const c = cluster(w, 'Classic', { vpcSecurityGroupIds: undefined, cacheSecurityGroupNames: ['legacy'] });
    expect(() => CacheAccess.allow(c, w.appSg)).toThrow(/uses cache security groups \(outside a VPC\); declare its access with CacheSecurityGroupIngress/);
  });

  test('allowing the same source twice fails; another source is fine', () => {
    const w = world();
    const c = cluster(w, 'C');
    CacheAccess.allow(c, w.appSg);
    expect(() => CacheAccess.allow(c, w.appSg)).toThrow('Stack/C: Stack/AppSg is already allowed into this cache; keep one of the declarations');
    CacheAccess.allow(c, ec2.Peer.ipv4('10.0.0.0/16'));
    expect(ingressRules(w.stack)).toHaveLength(2);
  });

  test('an unknown engine without port, a bad port, and a non-cache fail', () => {
    const w = world();
    expect(() => CacheAccess.allow(cluster(w, 'E', { engine: 'mystery' }), w.appSg)).toThrow(/the engine 'mystery' of the cache Stack\/E has no known default port; give port/);
    expect(() => CacheAccess.allow(cluster(w, 'P'), w.appSg, { port: 70000 })).toThrow(/port 70000 is not a TCP port/);
    expect(() => CacheAccess.allow(w.vpc, w.appSg)).toThrow(/Stack\/Vpc is not an ElastiCache cache this library knows/);
  });
});

describe('CacheAccess: access model', () => {
  test('records the same intent as the cache security group path: who, which group and ports, why', () => {
    const w = world();
    CacheAccess.allow(cluster(w, 'Redis'), w.appSg, { description: 'app to cache' });
    CacheAccess.allow(cluster(w, 'Other'), ec2.Peer.ipv4('10.9.0.0/16'));
    const grants = AccessModel.grantsIn(w.stack);
    expect(grants).toEqual([
      {
        principal: { kind: AccessPrincipalKind.CIDR, id: '10.9.0.0/16' },
        target: { kind: AccessTargetKind.SECURITY_GROUP, id: w.cacheSg.securityGroupId, protocol: 'tcp', fromPort: 6379, toPort: 6379 },
        mechanism: AccessMechanism.SECURITY_GROUP_RULE,
        via: w.cacheSg.securityGroupId,
        constructPath: expect.stringMatching(/^Stack\/Other\/NetworkAccess/),
        description: undefined,
      },
      {
        principal: { kind: AccessPrincipalKind.SECURITY_GROUP, id: w.appSg.securityGroupId, account: ACCOUNT, crossAccount: false },
        target: { kind: AccessTargetKind.SECURITY_GROUP, id: w.cacheSg.securityGroupId, protocol: 'tcp', fromPort: 6379, toPort: 6379 },
        mechanism: AccessMechanism.SECURITY_GROUP_RULE,
        via: w.cacheSg.securityGroupId,
        constructPath: expect.stringMatching(/^Stack\/Redis\/NetworkAccess/),
        description: 'app to cache',
      },
    ]);
  });
});
