import { App, Aspects, Aws, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  AccessMechanism,
  AccessModel,
  AccessPrincipalKind,
  AccessTargetKind,
  CacheIngressSource,
  CacheSecurityGroup,
  CacheSecurityGroupIngress,
} from '../../src';
import {
  CACHE_SECURITY_GROUP_INGRESS_RESOURCE_TYPE,
  CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSION,
} from '../../src/private/contract/cache-security-group-ingress';

const TYPE = 'Custom::NetworkAccessCacheSecurityGroupIngress';
const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

function newStack(app = new App(), id = 'Stack', region = 'eu-west-1'): Stack {
  return new Stack(app, id, { env: { account: ACCOUNT, region } });
}

function ingressOf(stack: Stack): unknown[] {
  const resources = Template.fromStack(stack).findResources(TYPE);
  return Object.values(resources).map(r => (r as { Properties: { Ingress: unknown } }).Properties.Ingress);
}

interface PolicyResource {
  Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } };
}

describe('CacheSecurityGroupIngress: template', () => {
  test('one custom resource carries the whole set, sorted, owner defaulting to the stack account', () => {
    const stack = newStack();
    const set = new CacheSecurityGroupIngress(stack, 'Ingress', {
      cacheSecurityGroupName: 'legacy-cache',
      sources: [CacheIngressSource.fromSecurityGroupName('web', OTHER_ACCOUNT)],
    });
    set.allowFrom(CacheIngressSource.fromSecurityGroupName('app'), 'app servers');

    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 1);
    template.hasResourceProperties(TYPE, {
      SchemaVersion: '1',
      CacheSecurityGroupName: 'legacy-cache',
      SetId: set.node.addr,
      Ingress: [
        { EC2SecurityGroupName: 'app', EC2SecurityGroupOwnerId: ACCOUNT },
        { EC2SecurityGroupName: 'web', EC2SecurityGroupOwnerId: OTHER_ACCOUNT },
      ],
    });
    expect(set.sourceCount).toBe(2);
    expect(CACHE_SECURITY_GROUP_INGRESS_RESOURCE_TYPE).toBe(TYPE);
    expect(CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSION).toBe('1');
  });

  test('an empty set is legal and writes an empty list', () => {
    const stack = newStack();
    new CacheSecurityGroupIngress(stack, 'Ingress', { cacheSecurityGroupName: 'legacy-cache' });
    expect(ingressOf(stack)).toEqual([[]]);
  });

  test('a CacheSecurityGroup L2 is referenced by Ref and deploys before the set', () => {
    const stack = newStack();
    const group = new CacheSecurityGroup(stack, 'Group', { description: 'legacy clusters' });
    new CacheSecurityGroupIngress(stack, 'Ingress', {
      cacheSecurityGroup: group,
      sources: [CacheIngressSource.fromSecurityGroupName('app')],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElastiCache::SecurityGroup', { Description: 'legacy clusters' });
    const groupId = stack.getLogicalId(group.resource);
    template.hasResourceProperties(TYPE, { CacheSecurityGroupName: { Ref: groupId } });
  });

  test('fromCacheSecurityGroupName imports by name', () => {
    const stack = newStack();
    const group = CacheSecurityGroup.fromCacheSecurityGroupName(stack, 'Imported', 'default');
    new CacheSecurityGroupIngress(stack, 'Ingress', { cacheSecurityGroup: group, sources: [CacheIngressSource.fromSecurityGroupName('app')] });
    Template.fromStack(stack).hasResourceProperties(TYPE, { CacheSecurityGroupName: 'default' });
    expect(() => CacheSecurityGroup.fromCacheSecurityGroupName(stack, 'Bad', 'has space'))
      .toThrow(/Stack\/Bad: cacheSecurityGroupName 'has space' may contain only letters, digits and hyphens/);
  });

  test('fromSecurityGroup reads the group name and the owning stack account', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, securityGroupName: 'named-app' });
    const set = new CacheSecurityGroupIngress(stack, 'Ingress', { cacheSecurityGroupName: 'legacy-cache' });
    set.allowFrom(CacheIngressSource.fromSecurityGroup(sg));
    set.allowFrom(CacheIngressSource.fromSecurityGroup(sg, { securityGroupName: 'other-name', ownerAccountId: OTHER_ACCOUNT }));
    expect(ingressOf(stack)).toEqual([[
      { EC2SecurityGroupName: 'named-app', EC2SecurityGroupOwnerId: ACCOUNT },
      { EC2SecurityGroupName: 'other-name', EC2SecurityGroupOwnerId: OTHER_ACCOUNT },
    ]]);
  });

  test('sets on the same group in one stack deploy one after the other', () => {
    const stack = newStack();
    const a = new CacheSecurityGroupIngress(stack, 'A', { cacheSecurityGroupName: 'g', sources: [CacheIngressSource.fromSecurityGroupName('a')] });
    const b = new CacheSecurityGroupIngress(stack, 'B', { cacheSecurityGroupName: 'g', sources: [CacheIngressSource.fromSecurityGroupName('b')] });
    const resources = Template.fromStack(stack).findResources(TYPE);
    const bId = stack.getLogicalId(b.resource.node.defaultChild as never);
    expect(resources[bId].DependsOn).toContain(stack.getLogicalId(a.resource.node.defaultChild as never));
  });

  test('tokens pass validation', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const name = Lazy.string({ produce: () => 'resolved-late' });
    new CacheSecurityGroupIngress(stack, 'Ingress', {
      cacheSecurityGroupName: name,
      sources: [CacheIngressSource.fromSecurityGroupName(Lazy.string({ produce: () => 'sg-name' }), Aws.ACCOUNT_ID)],
    });
    Template.fromStack(stack).hasResourceProperties(TYPE, {
      CacheSecurityGroupName: 'resolved-late',
      Ingress: [{ EC2SecurityGroupName: 'sg-name', EC2SecurityGroupOwnerId: { Ref: 'AWS::AccountId' } }],
    });
  });
});

describe('CacheSecurityGroupIngress: validation', () => {
  const set = () => new CacheSecurityGroupIngress(newStack(), 'Ingress', { cacheSecurityGroupName: 'legacy-cache' });

  test('exactly one of cacheSecurityGroup and cacheSecurityGroupName', () => {
    const stack = newStack();
    expect(() => new CacheSecurityGroupIngress(stack, 'None', {}))
      .toThrow(/Stack\/None: give exactly one of cacheSecurityGroup/);
    const group = CacheSecurityGroup.fromCacheSecurityGroupName(stack, 'G', 'g');
    expect(() => new CacheSecurityGroupIngress(stack, 'Both', { cacheSecurityGroup: group, cacheSecurityGroupName: 'g' }))
      .toThrow(/Stack\/Both: give exactly one/);
  });

  test.each([
    ['', /cacheSecurityGroupName is empty/],
    ['x'.repeat(256), /is 256 characters; ElastiCache allows at most 255/],
    ['under_score', /'under_score' may contain only letters, digits and hyphens/],
  ])('cache security group name %p fails', (name, message) => {
    expect(() => new CacheSecurityGroupIngress(newStack(), 'Ingress', { cacheSecurityGroupName: name })).toThrow(message);
  });

  test.each([
    ['', undefined, /empty EC2 security group name/],
    ['x'.repeat(256), undefined, /is 256 characters; EC2 allows at most 255/],
    ['caf\u00e9', undefined, /'caf\u00e9' contains characters other than printable ASCII/],
    ['sg-0123456789abcdef0', undefined, /'sg-0123456789abcdef0' is a security group id; cache security groups take the EC2 security group's name/],
    ['app', '12345', /owner account id '12345' is not a 12-digit AWS account id/],
    ['app', 'AKIAIOSFODNN7EXAMPLE', /owner account id 'AKIAIOSFODNN7EXAMPLE' is not a 12-digit/],
  ])('source (%p, %p) fails, naming the construct path', (name, owner, message) => {
    const s = set();
    expect(() => s.allowFrom(CacheIngressSource.fromSecurityGroupName(name, owner))).toThrow(message);
    expect(() => s.allowFrom(CacheIngressSource.fromSecurityGroupName(name, owner))).toThrow(/^Stack\/Ingress: /);
  });

  test('a pair declared twice in one set fails', () => {
    const s = set();
    s.allowFrom(CacheIngressSource.fromSecurityGroupName('app', ACCOUNT));
    // The default owner is the stack account: the same pair.
    expect(() => s.allowFrom(CacheIngressSource.fromSecurityGroupName('app')))
      .toThrow("Stack/Ingress: the source 'app' (owner 123456789012) is declared twice; keep one of them");
    // Same name, other owner: another pair.
    s.allowFrom(CacheIngressSource.fromSecurityGroupName('app', OTHER_ACCOUNT));
    expect(s.sourceCount).toBe(2);
  });

  test('a pair declared by two sets on one group fails synth, naming both', () => {
    const app = new App();
    const stack = newStack(app);
    new CacheSecurityGroupIngress(stack, 'A', { cacheSecurityGroupName: 'g', sources: [CacheIngressSource.fromSecurityGroupName('app')] });
    new CacheSecurityGroupIngress(stack, 'B', { cacheSecurityGroupName: 'g', sources: [CacheIngressSource.fromSecurityGroupName('app')] });
    expect(() => app.synth()).toThrow(/the source 'app' \(owner 123456789012\) on cache security group g is declared by both Stack\/A and Stack\/B/);
  });

  test('the same pair on two different groups is fine', () => {
    const app = new App();
    const stack = newStack(app);
    new CacheSecurityGroupIngress(stack, 'A', { cacheSecurityGroupName: 'g1', sources: [CacheIngressSource.fromSecurityGroupName('app')] });
    new CacheSecurityGroupIngress(stack, 'B', { cacheSecurityGroupName: 'g2', sources: [CacheIngressSource.fromSecurityGroupName('app')] });
    expect(() => app.synth()).not.toThrow();
  });

  test('a source security group in a stack of another region fails', () => {
    const app = new App();
    const east = newStack(app, 'East', 'us-east-1');
    const vpc = new ec2.Vpc(east, 'Vpc', { natGateways: 0, maxAzs: 1 });
    const sg = new ec2.SecurityGroup(east, 'Sg', { vpc, securityGroupName: 'east-app' });
    const west = newStack(app, 'West', 'eu-west-1');
    const s = new CacheSecurityGroupIngress(west, 'Ingress', { cacheSecurityGroupName: 'g' });
    expect(() => s.allowFrom(CacheIngressSource.fromSecurityGroup(sg)))
      .toThrow('West/Ingress: security group East/Sg is in us-east-1, the cache security group in eu-west-1; ElastiCache allows no cross-region ingress: use a security group of eu-west-1');
    // Same region in another stack is fine.
    const westToo = newStack(app, 'WestToo', 'eu-west-1');
    const westVpc = new ec2.Vpc(westToo, 'Vpc', { natGateways: 0, maxAzs: 1 });
    s.allowFrom(CacheIngressSource.fromSecurityGroup(new ec2.SecurityGroup(westToo, 'Sg', { vpc: westVpc, securityGroupName: 'w' })));
    expect(s.sourceCount).toBe(1);
  });

  test('a security group without groupName needs securityGroupName', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    expect(() => CacheIngressSource.fromSecurityGroup(sg)).toThrow(/Stack\/Sg: security group Stack\/Sg has no groupName; give securityGroupName/);
  });
});

describe('CacheSecurityGroupIngress: access model', () => {
  test('records one grant per pair, cross-account flagged', () => {
    const stack = newStack();
    new CacheSecurityGroupIngress(stack, 'Ingress', {
      cacheSecurityGroupName: 'legacy-cache',
      sources: [CacheIngressSource.fromSecurityGroupName('web', OTHER_ACCOUNT)],
    }).allowFrom(CacheIngressSource.fromSecurityGroupName('app'), 'app servers');
    expect(AccessModel.grantsIn(stack)).toEqual([
      {
        principal: { kind: AccessPrincipalKind.SECURITY_GROUP, id: 'app', account: ACCOUNT, crossAccount: false },
        target: { kind: AccessTargetKind.CACHE_SECURITY_GROUP, id: 'legacy-cache' },
        mechanism: AccessMechanism.CACHE_SECURITY_GROUP_INGRESS,
        via: 'legacy-cache',
        constructPath: 'Stack/Ingress',
        description: 'app servers',
      },
      {
        principal: { kind: AccessPrincipalKind.SECURITY_GROUP, id: 'web', account: OTHER_ACCOUNT, crossAccount: true },
        target: { kind: AccessTargetKind.CACHE_SECURITY_GROUP, id: 'legacy-cache' },
        mechanism: AccessMechanism.CACHE_SECURITY_GROUP_INGRESS,
        via: 'legacy-cache',
        constructPath: 'Stack/Ingress',
        description: undefined,
      },
    ]);
  });
});

describe('CacheSecurityGroupIngress: IAM and cdk-nag', () => {
  test('mutations are scoped to the group ARN, ownership records to the family path', () => {
    const stack = newStack();
    new CacheSecurityGroupIngress(stack, 'Ingress', { cacheSecurityGroupName: 'legacy-cache', sources: [CacheIngressSource.fromSecurityGroupName('app')] });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy') as Record<string, PolicyResource>;
    const statements = Object.values(policies).flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['elasticache:AuthorizeCacheSecurityGroupIngress', 'elasticache:RevokeCacheSecurityGroupIngress'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticache:eu-west-1:123456789012:securitygroup:legacy-cache']] },
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'elasticache:DescribeCacheSecurityGroups', Resource: '*' }));
    expect(JSON.stringify(statements)).toContain(':parameter/cdk-network-access/cache-security-group-ingress/*');
  });

  test('AwsSolutions finds nothing unsuppressed', () => {
    const stack = newStack();
    const group = new CacheSecurityGroup(stack, 'Group');
    new CacheSecurityGroupIngress(stack, 'Ingress', { cacheSecurityGroup: group, sources: [CacheIngressSource.fromSecurityGroupName('app')] });
    Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].map(m => `${m.id}: ${m.entry.data}`)).toEqual([]);
  });
});
