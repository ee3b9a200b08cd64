/**
 * The example app the README's main command synthesizes:
 *   npm ci && npx projen synth:example
 * It writes cdk.out/ with one stack: a VPC, a Client VPN endpoint, the
 * endpoint's authorization rules declared as two reviewable sets, the
 * off-boarding of two people whose live sessions must end, and who may reach
 * the caches: a Redis cluster in the VPC (its security group) and a legacy
 * cache security group (clusters outside a VPC), declared the same way.
 *
 * A VPC-only account cannot use cache security groups; leave that part out
 * with `-c vpcOnlyAccount=true`.
 *
 * Pass your own ACM certificates to deploy it:
 *   npx cdk deploy --app 'npx ts-node --project tsconfig.dev.json examples/app.ts' \
 *     -c serverCertificateArn=arn:aws:acm:... -c clientCertificateArn=arn:aws:acm:...
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  CacheAccess,
  CacheIngressSource,
  CacheSecurityGroupIngress,
  ClientVpnAuthorizations,
  ClientVpnRevocations,
  NetworkAccessReview,
  SessionEnforcement,
} from '../src';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
// The network access review: writes cdk.out/network-access.md (for the pull
// request) and network-access.json (for tools). With { failOn: ... } it also
// joins CDK's policy validation report and fails the synth on such findings.
NetworkAccessReview.of(app);
const stack = new Stack(app, 'NetworkAccessExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'eu-west-1' },
});

const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16') });

const endpoint = vpc.addClientVpnEndpoint('Endpoint', {
  cidr: '10.100.0.0/22',
  serverCertificateArn: app.node.tryGetContext('serverCertificateArn')
    ?? 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111',
  // Users sign in through the company identity provider; its groups are the
  // access groups of the rules below.
  userBasedAuthentication: ec2.ClientVpnUserBasedAuthentication.federated(
    iam.SamlProvider.fromSamlProviderArn(stack, 'CorporateIdp',
      app.node.tryGetContext('samlProviderArn') ?? 'arn:aws:iam::123456789012:saml-provider/corp-idp'),
  ),
  // Declare every rule explicitly below instead of the blanket "all users to the VPC".
  authorizeAllUsersToVpcCidr: false,
});

// Who may reach what, reviewable in one place.
const access = new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpoint: endpoint });
access.allowGroup('engineering', '10.0.0.0/16', 'Engineering: the whole VPC');
access.allowGroup('finance', '10.0.128.0/20', 'Finance: the ledger subnets');
access.allowAllUsers('10.0.255.0/24', 'Everyone: DNS and the intranet');

// A second team manages its own rules on the same endpoint; the two sets
// deploy one after the other.
new ClientVpnAuthorizations(stack, 'DataTeamAccess', {
  clientVpnEndpoint: endpoint,
  rules: [
    { cidr: '10.0.64.0/18', groupId: 'data-platform', description: 'Data platform: warehouse subnets' },
  ],
});

// Off-boarding: their rules are gone (group membership ends in the identity
// provider); this ends the sessions they still have, on every deploy and
// every 5 minutes after it in case they reconnect with credentials that are
// still valid somewhere.
const offboarded = new ClientVpnRevocations(stack, 'Offboarded', {
  clientVpnEndpoint: endpoint,
  usernames: ['alice@example.com', 'bob@example.com'],
  enforcement: SessionEnforcement.every(Duration.minutes(5)),
});
offboarded.metricSessionsTerminated({ period: Duration.hours(1) }).createAlarm(stack, 'RevokedUserReconnected', {
  alarmDescription: 'A revoked person connected to the Client VPN endpoint again',
  threshold: 1,
  evaluationPeriods: 1,
});

// Who may reach the caches. In the VPC: the app servers reach the Redis
// cluster through the cluster's own security group.
const appServers = new ec2.SecurityGroup(stack, 'AppServers', { vpc, description: 'App servers', securityGroupName: 'app-servers' });
const cacheSecurityGroup = new ec2.SecurityGroup(stack, 'SessionCacheSg', { vpc, description: 'Session cache', allowAllOutbound: false });
const sessionCache = new elasticache.CfnCacheCluster(stack, 'SessionCache', {
  engine: 'redis',
  cacheNodeType: 'cache.t4g.micro',
  numCacheNodes: 1,
  cacheSubnetGroupName: new elasticache.CfnSubnetGroup(stack, 'SessionCacheSubnets', {
    description: 'Session cache subnets',
    subnetIds: vpc.isolatedSubnets.map(s => s.subnetId),
  }).ref,
  vpcSecurityGroupIds: [cacheSecurityGroup.securityGroupId],
});
CacheAccess.allow(sessionCache, appServers, { description: 'App servers: sessions' });

// Outside a VPC (an account that still runs EC2-Classic-era clusters): the
// same app servers, by group name and owner, into the legacy group.
if (app.node.tryGetContext('vpcOnlyAccount') !== 'true') {
  new CacheSecurityGroupIngress(stack, 'LegacyCacheAccess', {
    cacheSecurityGroupName: app.node.tryGetContext('legacyCacheSecurityGroup') ?? 'legacy-sessions',
    sources: [CacheIngressSource.fromSecurityGroup(appServers)],
  });
}

app.synth();
