/**
 * Every AWS call a handler can make is allowed by the role our constructs
 * give it.
 *
 * Handler tests mock the SDK and construct tests check the statements they
 * expect, so a call whose IAM action is missing or misspelled passes both and
 * fails only in a real deployment (a wrong CRL action name got through both
 * layers once; cfn-lint's W3037 caught it). This test joins the two sides:
 * it collects every `new XxxCommand(` in the source files reachable from a
 * handler's index.ts, maps each to its IAM action, synthesizes a stack that
 * uses every feature served by that handler, and requires an Allow statement
 * on the handler role for each action.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as clientEc2 from '@aws-sdk/client-ec2';
import * as clientElastiCache from '@aws-sdk/client-elasticache';
import * as clientS3 from '@aws-sdk/client-s3';
import * as clientSecretsManager from '@aws-sdk/client-secrets-manager';
import * as clientSsm from '@aws-sdk/client-ssm';
import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  CacheIngressSource,
  CacheSecurityGroupIngress,
  CertificateRevocationList,
  ClientVpnAuthorizations,
  ClientVpnCertificateRevocationList,
  ClientVpnRevocations,
  SessionEnforcement,
  SessionsOnRevoke,
  SiteToSiteVpn,
  VpnPreSharedKeyStorage,
} from '../../src';
import { HandlerProvider } from '../../src/private/provider';
import { fullTunnel, knownPskSecret } from '../site-to-site-vpn/fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const ENDPOINT = 'cvpn-endpoint-0123456789abcdef0';

/** IAM service prefix of each SDK client package the handlers use. */
const SERVICES: ReadonlyArray<{ readonly prefix: string; readonly exports: Record<string, unknown> }> = [
  { prefix: 'ec2', exports: clientEc2 },
  { prefix: 's3', exports: clientS3 },
  { prefix: 'secretsmanager', exports: clientSecretsManager },
  { prefix: 'elasticache', exports: clientElastiCache },
  { prefix: 'ssm', exports: clientSsm },
];

/** Actions an API call needs besides its own, per AWS's documentation. */
const IMPLIED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // TagSpecifications on create are authorized as ec2:CreateTags.
  'ec2:CreateVpnConnection': ['ec2:CreateTags'],
};

/** The source files reachable from `entry` through relative imports, not entering `exclude`. */
function reachableSources(entry: string, exclude: readonly string[] = []): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || exclude.includes(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const base = path.resolve(path.dirname(file), match[1]);
      const candidate = [`${base}.ts`, path.join(base, 'index.ts')].find(f => fs.existsSync(f));
      if (candidate) visit(candidate);
    }
  };
  visit(entry);
  return [...seen];
}

/**
 * IAM actions of every SDK command constructed in the handler's code, from
 * `entry` (index.ts by default), leaving out files in `exclude` (another
 * entry point's, run under another role).
 */
function actionsCalledBy(handler: string, entry = 'index.ts', exclude: readonly string[] = []): string[] {
  const actions = new Set<string>();
  const excluded = exclude.map(file => path.join(ROOT, 'lambda', handler, file));
  for (const file of reachableSources(path.join(ROOT, 'lambda', handler, entry), excluded)) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/new (\w+)Command\(/g)) {
      const command = `${match[1]}Command`;
      const service = SERVICES.find(s => command in s.exports);
      if (!service) {
        throw new Error(`${path.relative(ROOT, file)}: ${command} is not from a client this test knows; add its package to SERVICES`);
      }
      const action = `${service.prefix}:${match[1]}`;
      actions.add(action);
      for (const implied of IMPLIED_ACTIONS[action] ?? []) actions.add(implied);
    }
  }
  return [...actions].sort();
}

/** Allowed actions (patterns) of every policy attached to the handler role of `handler` in `stack`. */
function allowedActions(stack: Stack, handler: string): string[] {
  const provider = stack.node.findChild(`NetworkAccessProvider-${handler}`) as HandlerProvider;
  const roleId = stack.getLogicalId(provider.role.node.defaultChild as CfnElement);
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  const allowed: string[] = [];
  for (const policy of Object.values(policies)) {
    const roles = JSON.stringify(policy.Properties.Roles ?? []);
    if (!roles.includes(`"${roleId}"`)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      if (statement.Effect !== 'Allow') continue;
      allowed.push(...[statement.Action].flat());
    }
  }
  return allowed;
}

function isAllowed(action: string, patterns: readonly string[]): boolean {
  return patterns.some(pattern => new RegExp(`^${pattern.split('*').map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(action));
}

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

describe('every call a handler makes is allowed by the role the constructs synthesize', () => {
  test('the scan finds calls (it would pass vacuously otherwise)', () => {
    expect(actionsCalledBy('client-vpn-authorizations')).toEqual(expect.arrayContaining([
      'ec2:AuthorizeClientVpnIngress', 'ec2:RevokeClientVpnIngress', 'ec2:DescribeClientVpnAuthorizationRules',
    ]));
    expect(isAllowed('ec2:DescribeVpnConnections', ['ec2:Describe*'])).toBe(true);
    expect(isAllowed('ec2:DescribeVpnConnections', ['ec2:DescribeVpnGateways'])).toBe(false);
  });

  test('client-vpn-authorizations, with sessions terminated on revoke', () => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'Access', {
      clientVpnEndpointId: ENDPOINT,
      rules: [{ cidr: '10.0.0.0/16', groupId: 'engineering' }],
      sessionsOnRevoke: SessionsOnRevoke.TERMINATE_ALL,
    });
    const allowed = allowedActions(stack, 'client-vpn-authorizations');
    const missing = actionsCalledBy('client-vpn-authorizations').filter(a => !isAllowed(a, allowed));
    expect(missing).toEqual([]);
  });

  test('client-vpn-sessions: revocations with enforcement and a CRL from a file', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'Offboarded', {
      clientVpnEndpointId: ENDPOINT,
      usernames: ['alice@example.com'],
      commonNames: ['laptop-bob.vpn.example.com'],
      enforcement: SessionEnforcement.every(Duration.minutes(5)),
    });
    new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(path.join(ROOT, 'test', 'fixtures', 'client-vpn-crl.pem')),
      terminateSessionsOf: ['laptop-bob.vpn.example.com'],
    });
    // The custom resources' entry points, under the provider's role.
    const allowed = allowedActions(stack, 'client-vpn-sessions');
    const called = actionsCalledBy('client-vpn-sessions', 'index.ts', ['schedule.ts']);
    expect(called).toEqual(expect.arrayContaining([
      'ec2:ImportClientVpnClientCertificateRevocationList', 'ec2:TerminateClientVpnConnections', 's3:GetObject',
    ]));
    expect(called.filter(a => !isAllowed(a, allowed))).toEqual([]);
    // The provider's role has no business with the enforcement lease.
    expect(allowed.filter(a => a.startsWith('ssm:'))).toEqual([]);

    // The scheduled entry point, under the enforcement role.
    const enforcementRoleId = stack.getLogicalId(stack.node.findChild('Offboarded').node.findChild('Enforcement').node.findChild('Role').node.defaultChild as CfnElement);
    const enforcementAllowed = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter(policy => JSON.stringify(policy.Properties.Roles ?? []).includes(`"${enforcementRoleId}"`))
      .flatMap(policy => policy.Properties.PolicyDocument.Statement.filter((st: { Effect: string }) => st.Effect === 'Allow'))
      .flatMap((st: { Action: string | string[] }) => [st.Action].flat());
    const scheduled = actionsCalledBy('client-vpn-sessions', 'schedule.ts');
    expect(scheduled).toEqual(['ec2:DescribeClientVpnConnections', 'ec2:TerminateClientVpnConnections',
      'ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:PutParameter']);
    expect(scheduled.filter(a => !isAllowed(a, enforcementAllowed))).toEqual([]);
  });

  test('site-to-site-vpn: a transit gateway connection with keys from a secret, logging and a customer key', () => {
    const stack = newStack();
    const psk = knownPskSecret(stack);
    new SiteToSiteVpn(stack, 'Vpn', {
      transitGatewayId: 'tgw-0123456789abcdef0',
      customerGateway: { ipAddress: '198.51.100.24', bgpAsn: 65010 },
      tunnel1: fullTunnel(stack, 1, psk),
      tunnel2: fullTunnel(stack, 2, psk),
      configurationEncryptionKey: new kms.Key(stack, 'ConfigKey', { enableKeyRotation: true }),
    });
    new SiteToSiteVpn(stack, 'VgwVpn', {
      vpnGatewayId: 'vgw-0123456789abcdef0',
      customerGatewayId: 'cgw-0123456789abcdef0',
      preSharedKeyStorage: VpnPreSharedKeyStorage.SECRETS_MANAGER,
      staticRoutes: ['10.1.10.0/24'],
    });
    const allowed = allowedActions(stack, 'site-to-site-vpn');
    const called = actionsCalledBy('site-to-site-vpn');
    expect(called).toEqual(expect.arrayContaining([
      'ec2:CreateVpnConnection', 'ec2:ModifyVpnTunnelOptions', 'secretsmanager:PutSecretValue',
    ]));
    expect(called.filter(a => !isAllowed(a, allowed))).toEqual([]);
  });

  test('cache-security-group-ingress: ElastiCache calls and the ownership records', () => {
    const stack = newStack();
    new CacheSecurityGroupIngress(stack, 'Ingress', {
      cacheSecurityGroupName: 'legacy-cache',
      sources: [CacheIngressSource.fromSecurityGroupName('app')],
    });
    const allowed = allowedActions(stack, 'cache-security-group-ingress');
    const called = actionsCalledBy('cache-security-group-ingress');
    expect(called).toEqual([
      'elasticache:AuthorizeCacheSecurityGroupIngress',
      'elasticache:DescribeCacheSecurityGroups',
      'elasticache:RevokeCacheSecurityGroupIngress',
      'ssm:DeleteParameters',
      'ssm:GetParametersByPath',
      'ssm:PutParameter',
    ]);
    expect(called.filter(a => !isAllowed(a, allowed))).toEqual([]);
  });
});
