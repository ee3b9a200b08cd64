/**
 * Integration test: site-to-site VPN connections on a transit gateway (BGP,
 * every tunnel option, tunnel logs, the configuration secret) and on a
 * virtual private gateway (static routes).
 *
 * Deployable by a maintainer with credentials:
 *   npx integ-runner --update-on-failed test/integ.site-to-site-vpn.ts \
 *     -- --context customerGatewayIp=<a public IPv4 address you own>
 * No device needs to answer: the connections reach `available` with their
 * tunnels DOWN, which is all the assertions read. Each connection is billed
 * per hour while the test stack exists.
 *
 * Both connections keep their AWS-generated keys in Secrets Manager
 * (PreSharedKeyStorage=SecretsManager): the assertions below call
 * DescribeVpnConnections through integ-tests-alpha, whose Lambda logs the
 * whole response, and in that mode AWS returns the key's ARN instead of the
 * key.
 *
 * CI verifies the committed snapshot without deploying (`npx projen integ`).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  SiteToSiteVpn,
  SiteToSiteVpnTunnelOptions,
  VpnDhGroup,
  VpnDpdTimeoutAction,
  VpnEncryptionAlgorithm,
  VpnIkeVersion,
  VpnIntegrityAlgorithm,
  VpnPreSharedKeyStorage,
  VpnTunnelLogOutputFormat,
  VpnTunnelStartupAction,
} from '../src';

const app = new App();
const stack = new Stack(app, 'NetworkAccessSiteToSiteVpnInteg');
const customerGatewayIp: string = app.node.tryGetContext('customerGatewayIp') ?? '198.51.100.24';

// --------------------------------------------------------------- transit gateway, BGP
const tgw = new ec2.CfnTransitGateway(stack, 'TransitGateway', {
  amazonSideAsn: 64600,
  // The connection associates its attachment with its own route table.
  defaultRouteTableAssociation: 'disable',
  defaultRouteTablePropagation: 'disable',
  description: 'cdk-network-access integ',
});
const routeTable = new ec2.CfnTransitGatewayRouteTable(stack, 'RouteTable', { transitGatewayId: tgw.ref });

const tunnelLogs = new logs.LogGroup(stack, 'TunnelLogs', {
  retention: logs.RetentionDays.ONE_WEEK,
  removalPolicy: RemovalPolicy.DESTROY,
});
const hardened = (insideCidr: string): SiteToSiteVpnTunnelOptions => ({
  insideCidr,
  phase1Lifetime: Duration.hours(4),
  phase2Lifetime: Duration.minutes(50),
  rekeyMargin: Duration.minutes(10),
  rekeyFuzzPercentage: 50,
  replayWindowSize: 2048,
  dpdTimeout: Duration.seconds(40),
  dpdTimeoutAction: VpnDpdTimeoutAction.RESTART,
  phase1EncryptionAlgorithms: [VpnEncryptionAlgorithm.AES256_GCM_16],
  phase2EncryptionAlgorithms: [VpnEncryptionAlgorithm.AES256_GCM_16],
  phase1IntegrityAlgorithms: [VpnIntegrityAlgorithm.SHA2_384],
  phase2IntegrityAlgorithms: [VpnIntegrityAlgorithm.SHA2_384],
  phase1DhGroups: [VpnDhGroup.GROUP_20],
  phase2DhGroups: [VpnDhGroup.GROUP_20],
  ikeVersions: [VpnIkeVersion.IKEV2],
  startupAction: VpnTunnelStartupAction.START,
  logGroup: tunnelLogs,
  logOutputFormat: VpnTunnelLogOutputFormat.JSON,
});
const onTransitGateway = new SiteToSiteVpn(stack, 'TransitGatewayVpn', {
  transitGateway: tgw,
  transitGatewayRouteTableId: routeTable.ref,
  customerGateway: { ipAddress: customerGatewayIp, bgpAsn: 65010, deviceName: 'integ-edge-1' },
  tunnel1: hardened('169.254.100.0/30'),
  tunnel2: hardened('169.254.100.4/30'),
  preSharedKeyStorage: VpnPreSharedKeyStorage.SECRETS_MANAGER,
  tags: { Name: 'cdk-network-access-integ-tgw' },
});
onTransitGateway.alarmOneTunnelDown('OneTunnelDown');
onTransitGateway.alarmBothTunnelsDown('BothTunnelsDown');

// --------------------------------------------------------------- virtual private gateway, static routes
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 1,
  natGateways: 0,
  ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
  subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
});
const onVpnGateway = new SiteToSiteVpn(stack, 'VpnGatewayVpn', {
  vpc,
  vpnRoutePropagation: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  // The same device, a second customer gateway: a device name tells them apart.
  customerGateway: { ipAddress: customerGatewayIp, bgpAsn: 65010, deviceName: 'integ-edge-2' },
  // Routes whose digits aws-cdk-lib's VpnConnection would turn into the same construct id.
  staticRoutes: ['10.1.10.0/24', '10.11.0.0/24'],
  preSharedKeyStorage: VpnPreSharedKeyStorage.SECRETS_MANAGER,
});

// The outputs are the non-secret attributes; the configuration stays in its secret.
new CfnOutput(stack, 'TransitGatewayVpnId', { value: onTransitGateway.vpnId });
new CfnOutput(stack, 'TransitGatewayAttachmentId', { value: onTransitGateway.transitGatewayAttachmentId });
new CfnOutput(stack, 'Tunnel1OutsideIp', { value: onTransitGateway.tunnel1OutsideIpAddress });
new CfnOutput(stack, 'ConfigurationSecretArn', { value: onTransitGateway.configurationSecret.secretArn });

const integ = new IntegTest(app, 'SiteToSiteVpn', {
  testCases: [stack],
  diffAssets: false,
});

// Read both connections back from AWS.
integ.assertions.awsApiCall('EC2', 'describeVpnConnections', {
  VpnConnectionIds: [onTransitGateway.vpnId],
}).expect(ExpectedResult.objectLike({
  VpnConnections: [Match.objectLike({
    State: 'available',
    TransitGatewayId: tgw.ref,
    PreSharedKeyArn: Match.stringLikeRegexp('^arn:aws[a-z-]*:secretsmanager:'),
    Options: Match.objectLike({
      StaticRoutesOnly: false,
      TunnelOptions: Match.arrayWith([
        Match.objectLike({
          TunnelInsideCidr: '169.254.100.0/30',
          Phase1LifetimeSeconds: 14400,
          Phase2LifetimeSeconds: 3000,
          RekeyMarginTimeSeconds: 600,
          ReplayWindowSize: 2048,
          DpdTimeoutSeconds: 40,
          DpdTimeoutAction: 'restart',
          StartupAction: 'start',
          IkeVersions: [{ Value: 'ikev2' }],
          Phase1EncryptionAlgorithms: [{ Value: 'AES256-GCM-16' }],
          Phase1DHGroupNumbers: [{ Value: 20 }],
          LogOptions: { CloudWatchLogOptions: Match.objectLike({ LogEnabled: true, LogOutputFormat: 'json' }) },
        }),
        Match.objectLike({ TunnelInsideCidr: '169.254.100.4/30' }),
      ]),
    }),
    Tags: Match.arrayWith([{ Key: 'Name', Value: 'cdk-network-access-integ-tgw' }]),
  })],
}));

integ.assertions.awsApiCall('EC2', 'describeVpnConnections', {
  VpnConnectionIds: [onVpnGateway.vpnId],
}).expect(ExpectedResult.objectLike({
  VpnConnections: [Match.objectLike({
    State: 'available',
    VpnGatewayId: vpc.vpnGatewayId,
    Options: Match.objectLike({ StaticRoutesOnly: true }),
    Routes: Match.arrayWith([
      Match.objectLike({ DestinationCidrBlock: '10.1.10.0/24', State: 'available' }),
      Match.objectLike({ DestinationCidrBlock: '10.11.0.0/24', State: 'available' }),
    ]),
  })],
}));

// The configuration secret exists where the construct says (its content is
// secret and not asserted; the handler tests check what it writes).
integ.assertions.awsApiCall('SecretsManager', 'describeSecret', {
  SecretId: onTransitGateway.configurationSecret.secretArn,
}).expect(ExpectedResult.objectLike({ ARN: onTransitGateway.configurationSecret.secretArn }));
