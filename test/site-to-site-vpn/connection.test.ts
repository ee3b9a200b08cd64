import { Aspects, CfnParameter, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CGW,
  fullTunnel,
  KNOWN_PSK,
  knownPskSecret,
  newStack,
  resourcesOf,
  TGW,
  TGW_RTB,
  TYPE,
  VGW,
  vpcFixture,
} from './fixtures';
import {
  AccessMechanism,
  AccessModel,
  AccessPrincipalKind,
  SiteToSiteVpn,
  VpnOutsideIpAddressType,
  VpnPreSharedKeyStorage,
  VpnTunnelBandwidth,
  VpnTunnelInsideIpVersion,
  VpnTunnelLogOutputFormat,
} from '../../src';
import { SITE_TO_SITE_VPN_ATTRIBUTES } from '../../src/private/contract/site-to-site-vpn';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

function handlerStatements(stack: Stack): Statement[] {
  return resourcesOf(stack, 'AWS::IAM::Policy')
    .filter(p => p.logicalId.includes('sitetositevpnHandlerRole'))
    .flatMap(p => p.Properties.PolicyDocument.Statement as Statement[]);
}

function vpnProperties(stack: Stack): Record<string, any> {
  const resources = resourcesOf(stack, TYPE);
  expect(resources).toHaveLength(1);
  return resources[0].Properties;
}

function tgwConnection(stack: Stack, extra: Partial<ConstructorParameters<typeof SiteToSiteVpn>[2]> = {}): SiteToSiteVpn {
  return new SiteToSiteVpn(stack, 'Vpn', {
    transitGatewayId: TGW,
    customerGateway: { ipAddress: '203.0.113.10', bgpAsn: 65010 },
    ...extra,
  });
}

describe('SiteToSiteVpn: template', () => {
  test('a transit gateway connection with every tunnel option renders the wire contract', () => {
    const stack = newStack();
    const psk = knownPskSecret(stack);
    tgwConnection(stack, {
      transitGatewayRouteTableId: TGW_RTB,
      tunnel1: { ...fullTunnel(stack, 1, psk), preSharedKeyField: 'tunnel1' },
      tunnel2: fullTunnel(stack, 2),
      localIpv4NetworkCidr: '192.168.0.0/16',
      remoteIpv4NetworkCidr: '10.0.0.0/8',
      enableAcceleration: true,
      outsideIpAddressType: VpnOutsideIpAddressType.PUBLIC_IPV4,
      preSharedKeyStorage: VpnPreSharedKeyStorage.SECRETS_MANAGER,
      tunnelBandwidth: VpnTunnelBandwidth.LARGE,
      tags: { Name: 'branch-office', Team: 'network' },
    });
    const template = Template.fromStack(stack);
    const pskRef = { Ref: stack.getLogicalId(psk.node.defaultChild as secretsmanager.CfnSecret) };
    const common = {
      Phase1LifetimeSeconds: 28800,
      Phase2LifetimeSeconds: 3000,
      RekeyMarginTimeSeconds: 540,
      RekeyFuzzPercentage: 50,
      ReplayWindowSize: 2048,
      DPDTimeoutSeconds: 40,
      DPDTimeoutAction: 'restart',
      Phase1EncryptionAlgorithms: ['AES256-GCM-16', 'AES256'],
      Phase2EncryptionAlgorithms: ['AES256-GCM-16'],
      Phase1IntegrityAlgorithms: ['SHA2-512'],
      Phase2IntegrityAlgorithms: ['SHA2-384', 'SHA2-256'],
      Phase1DHGroupNumbers: [20, 21],
      Phase2DHGroupNumbers: [5, 20],
      IKEVersions: ['ikev2'],
      StartupAction: 'start',
      EnableTunnelLifecycleControl: true,
    };
    const logArn = (n: number | string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:eu-west-1:123456789012:log-group:/vpn/${typeof n === 'number' ? `tunnel${n}` : n}:*`]],
    });
    expect(vpnProperties(stack)).toEqual({
      ServiceToken: expect.anything(),
      SchemaVersion: '1',
      OwnerTag: expect.stringMatching(/^Stack\/c8[0-9a-f]{40}$/),
      CustomerGatewayId: { Ref: expect.stringMatching(/^VpnCustomerGateway/) },
      TransitGatewayId: TGW,
      Type: 'ipsec.1',
      StaticRoutesOnly: false,
      EnableAcceleration: true,
      LocalIpv4NetworkCidr: '192.168.0.0/16',
      RemoteIpv4NetworkCidr: '10.0.0.0/8',
      OutsideIpAddressType: 'PublicIpv4',
      PreSharedKeyStorage: 'SecretsManager',
      TunnelBandwidth: 'large',
      TunnelOptions: [
        {
          ...common,
          TunnelInsideCidr: '169.254.11.0/30',
          PreSharedKeySecretArn: pskRef,
          PreSharedKeySecretField: 'tunnel1',
          LogOptions: { LogEnabled: true, LogGroupArn: logArn(1), LogOutputFormat: 'text', BgpLogEnabled: true, BgpLogGroupArn: logArn(1) },
        },
        {
          ...common,
          TunnelInsideCidr: '169.254.12.0/30',
          LogOptions: {
            LogEnabled: true,
            LogGroupArn: logArn(2),
            LogOutputFormat: 'text',
            BgpLogEnabled: true,
            BgpLogGroupArn: logArn('bgp2'),
            BgpLogOutputFormat: 'json',
          },
        },
      ],
      ConfigurationSecretArn: { Ref: expect.stringMatching(/^VpnConfiguration/) },
      Tags: [{ Key: 'Name', Value: 'branch-office' }, { Key: 'Team', Value: 'network' }],
    });
    template.hasResourceProperties('AWS::EC2::CustomerGateway', { IpAddress: '203.0.113.10', BgpAsn: 65010, Type: 'ipsec.1' });
    const attachment = { 'Fn::GetAtt': [expect.stringMatching(/^Vpn[0-9A-F]{8}$/), 'TransitGatewayAttachmentId'] };
    expect(resourcesOf(stack, 'AWS::EC2::TransitGatewayRouteTableAssociation').map(r => r.Properties))
      .toEqual([{ TransitGatewayAttachmentId: attachment, TransitGatewayRouteTableId: TGW_RTB }]);
    expect(resourcesOf(stack, 'AWS::EC2::TransitGatewayRouteTablePropagation').map(r => r.Properties))
      .toEqual([{ TransitGatewayAttachmentId: attachment, TransitGatewayRouteTableId: TGW_RTB }]);
  });

  test('BGP logs alone: LogEnabled false is written explicitly, the BGP group and format are sent, and the handler may deliver logs', () => {
    const stack = newStack();
    tgwConnection(stack, { tunnel2: { bgpLogGroup: logs.LogGroup.fromLogGroupName(stack, 'Bgp', '/vpn/bgp'), bgpLogOutputFormat: VpnTunnelLogOutputFormat.TEXT } });
    const tunnels = vpnProperties(stack).TunnelOptions;
    expect(tunnels).toHaveLength(2);
    expect(tunnels[0].LogOptions).toBeUndefined();
    expect(tunnels[1].LogOptions).toEqual({
      LogEnabled: false,
      BgpLogEnabled: true,
      BgpLogGroupArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:/vpn/bgp:*']] },
      BgpLogOutputFormat: 'text',
    });
    const statements = resourcesOf(stack, 'AWS::IAM::Policy').flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(statements.map((st: any) => st.Sid)).toContain('DeliverVpnTunnelLogs');
  });

  test('tunnelBandwidth: absent leaves TunnelBandwidth out (AWS default standard); STANDARD is sent as declared', () => {
    const absent = newStack();
    tgwConnection(absent);
    expect(vpnProperties(absent).TunnelBandwidth).toBeUndefined();
    const standard = newStack();
    tgwConnection(standard, { tunnelBandwidth: VpnTunnelBandwidth.STANDARD });
    expect(vpnProperties(standard).TunnelBandwidth).toBe('standard');
  });

  test('preSharedKeyVersion reaches the template as PreSharedKeySecretVersion, next to the secret ARN (never a key)', () => {
    const stack = newStack();
    const psk = knownPskSecret(stack);
    tgwConnection(stack, {
      tunnel1: { preSharedKey: psk, preSharedKeyField: 'tunnel1', preSharedKeyVersion: '6c2c1b5e-0f3a-4c8e-9d6b-2a1f0e9c8b7a' },
      tunnel2: { preSharedKey: psk, preSharedKeyField: 'tunnel2', preSharedKeyVersion: 'ROTATION-2026-12' },
    });
    const tunnels = vpnProperties(stack).TunnelOptions;
    expect(tunnels.map((t: Record<string, unknown>) => t.PreSharedKeySecretVersion)).toEqual(['6c2c1b5e-0f3a-4c8e-9d6b-2a1f0e9c8b7a', 'ROTATION-2026-12']);
    expect(tunnels[0].PreSharedKeySecretArn).toEqual({ Ref: stack.getLogicalId(psk.node.defaultChild as secretsmanager.CfnSecret) });
  });

  test('a token preSharedKeyVersion passes synth', () => {
    const stack = newStack();
    const psk = knownPskSecret(stack);
    const version = new CfnParameter(stack, 'KeyVersion').valueAsString;
    tgwConnection(stack, { tunnel1: { preSharedKey: psk, preSharedKeyVersion: version } });
    expect(vpnProperties(stack).TunnelOptions[0].PreSharedKeySecretVersion).toEqual({ Ref: 'KeyVersion' });
  });

  test('the defaults: BGP, no tunnel options, nothing AWS would default', () => {
    const stack = newStack();
    tgwConnection(stack);
    const props = vpnProperties(stack);
    expect(Object.keys(props).sort()).toEqual(['ConfigurationSecretArn', 'CustomerGatewayId', 'OwnerTag', 'SchemaVersion',
      'ServiceToken', 'StaticRoutesOnly', 'TransitGatewayId', 'Type']);
    expect(props.StaticRoutesOnly).toBe(false);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::TransitGatewayRouteTableAssociation', 0);
  });

  test('only tunnel 2 options: tunnel 1 is an empty entry so indexes stay aligned', () => {
    const stack = newStack();
    tgwConnection(stack, { tunnel2: { insideCidr: '169.254.20.4/30' } });
    expect(vpnProperties(stack).TunnelOptions).toEqual([{}, { TunnelInsideCidr: '169.254.20.4/30' }]);
  });

  test('a VPC without a gateway gets one with Amazon\'s ASN 64512, attached and propagated, never the customer\'s ASN', () => {
    const stack = newStack();
    const vpc = vpcFixture(stack);
    new SiteToSiteVpn(stack, 'Vpn', {
      vpc,
      vpnRoutePropagation: [{ subnetType: ec2.SubnetType.PUBLIC }],
      customerGateway: { ipAddress: '203.0.113.10', bgpAsn: 65000 },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPNGateway', { Type: 'ipsec.1', AmazonSideAsn: 64512 });
    template.resourcePropertiesCountIs('AWS::EC2::VPCGatewayAttachment', { VpnGatewayId: Match.anyValue() }, 1);
    template.resourceCountIs('AWS::EC2::VPNGatewayRoutePropagation', 1);
    const vgw = resourcesOf(stack, 'AWS::EC2::VPNGateway')[0].logicalId;
    expect(vpnProperties(stack).VpnGatewayId).toEqual({ Ref: vgw });
    expect(vpnProperties(stack).TransitGatewayId).toBeUndefined();
  });

  test('a VPC that has a gateway: the connection uses it', () => {
    const stack = newStack();
    const vpc = vpcFixture(stack);
    vpc.enableVpnGateway({ type: 'ipsec.1', amazonSideAsn: 65100 });
    new SiteToSiteVpn(stack, 'Vpn', { vpc, customerGateway: { ipAddress: '203.0.113.10' } });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPNGateway', 1);
    expect(vpnProperties(stack).VpnGatewayId).toEqual({ Ref: resourcesOf(stack, 'AWS::EC2::VPNGateway')[0].logicalId });
  });

  test('an amazonSideAsn of its own, a 4-byte one', () => {
    const stack = newStack();
    new SiteToSiteVpn(stack, 'Vpn', { vpc: vpcFixture(stack), amazonSideAsn: 4200000000, customerGateway: { ipAddress: '203.0.113.10' } });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPNGateway', { AmazonSideAsn: 4200000000 });
  });

  test('an existing virtual private gateway by construct or id, an existing transit gateway by construct', () => {
    const stack = newStack();
    const vgw = new ec2.CfnVPNGateway(stack, 'Vgw', { type: 'ipsec.1' });
    new SiteToSiteVpn(stack, 'A', { vpnGateway: vgw, customerGatewayId: CGW });
    new SiteToSiteVpn(stack, 'B', { vpnGatewayId: VGW, customerGatewayId: CGW });
    const tgw = new ec2.CfnTransitGateway(stack, 'Tgw', {});
    new SiteToSiteVpn(stack, 'C', { transitGateway: tgw, customerGatewayId: CGW });
    const byPath = Object.fromEntries(resourcesOf(stack, TYPE).map(r => [r.logicalId.slice(0, 1), r.Properties]));
    expect(byPath.A.VpnGatewayId).toEqual({ Ref: stack.getLogicalId(vgw) });
    expect(byPath.B.VpnGatewayId).toBe(VGW);
    expect(byPath.C.TransitGatewayId).toEqual({ Ref: stack.getLogicalId(tgw) });
    expect(byPath.A.CustomerGatewayId).toBe(CGW);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::CustomerGateway', 0);
  });

  test('a 4-byte customer ASN above 2,147,483,647 goes to BgpAsnExtended', () => {
    const stack = newStack();
    tgwConnection(stack, { customerGateway: { ipAddress: '203.0.113.10', bgpAsn: 4200000001, deviceName: 'edge-1', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::CustomerGateway', {
      BgpAsnExtended: 4200000001, BgpAsn: Match.absent(), DeviceName: 'edge-1', CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    });
  });

  test('static routes on a virtual private gateway: one VPNConnectionRoute each, static routes only', () => {
    const stack = newStack();
    const vpn = new SiteToSiteVpn(stack, 'Vpn', { vpnGatewayId: VGW, customerGatewayId: CGW, staticRoutes: ['192.168.1.0/24', '192.168.2.0/24'] });
    expect(vpnProperties(stack).StaticRoutesOnly).toBe(true);
    expect(resourcesOf(stack, 'AWS::EC2::VPNConnectionRoute').map(r => r.Properties)).toEqual([
      { DestinationCidrBlock: '192.168.1.0/24', VpnConnectionId: { 'Fn::GetAtt': [expect.any(String), 'VpnConnectionId'] } },
      { DestinationCidrBlock: '192.168.2.0/24', VpnConnectionId: { 'Fn::GetAtt': [expect.any(String), 'VpnConnectionId'] } },
    ]);
    expect(vpn.staticRoutes).toEqual(['192.168.1.0/24', '192.168.2.0/24']);
  });

  test('static routes on a transit gateway: TransitGatewayRoutes in the chosen route table', () => {
    const stack = newStack();
    tgwConnection(stack, { transitGatewayRouteTableId: TGW_RTB, staticRoutes: ['192.168.1.0/24', 'fd12:3456::/48'], associateWithRouteTable: false, propagateToRouteTable: false });
    expect(resourcesOf(stack, 'AWS::EC2::TransitGatewayRoute').map(r => r.Properties.DestinationCidrBlock)).toEqual(['192.168.1.0/24', 'fd12:3456::/48']);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::TransitGatewayRouteTableAssociation', 0);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::TransitGatewayRouteTablePropagation', 0);
  });

  test('route ids never collide: 10.1.10.0/24 and 10.11.0.0/24 on one connection (aws-cdk-lib\'s VpnConnection fails)', () => {
    const routes = ['10.1.10.0/24', '10.11.0.0/24', '10.1.1.0/24', '10.11.10.0/24', '101.1.0.0/16'];
    const ours = newStack();
    new SiteToSiteVpn(ours, 'Vpn', { vpnGatewayId: VGW, customerGatewayId: CGW, staticRoutes: routes });
    expect(resourcesOf(ours, 'AWS::EC2::VPNConnectionRoute').map(r => r.Properties.DestinationCidrBlock).sort()).toEqual([...routes].sort());

    const theirs = newStack();
    expect(() => new ec2.VpnConnection(theirs, 'Vpn', { vpc: vpcFixture(theirs), ip: '203.0.113.10', staticRoutes: routes.slice(0, 2) }))
      .toThrow(/There is already a Construct with name 'Route10110024'/);
  });

  test('CIDRs are normalized before they are used as ids, so the same route written twice is caught', () => {
    const stack = newStack();
    expect(() => new SiteToSiteVpn(stack, 'Vpn', { vpnGatewayId: VGW, customerGatewayId: CGW, staticRoutes: ['10.0.0.0/16', ' 10.0.0.0/16'] }))
      .toThrow(/staticRoutes lists 10.0.0.0\/16 twice \('10.0.0.0\/16' and ' 10.0.0.0\/16'\)/);
  });

  test('IPv6 tunnels on a transit gateway', () => {
    const stack = newStack();
    tgwConnection(stack, {
      tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6,
      outsideIpAddressType: VpnOutsideIpAddressType.IPV6,
      customerGateway: { ipAddress: '2001:db8::10' },
      localIpv6NetworkCidr: '2001:db8:1::/48',
      remoteIpv6NetworkCidr: 'fd00:0:0:0::/56',
      tunnel1: { insideIpv6Cidr: 'fd00:0:0:1:0:0:0:0/126' },
      tunnel2: { insideIpv6Cidr: 'fd00::1:0:0:4/126' },
    });
    expect(vpnProperties(stack)).toMatchObject({
      TunnelInsideIpVersion: 'ipv6',
      OutsideIpAddressType: 'Ipv6',
      LocalIpv6NetworkCidr: '2001:db8:1::/48',
      RemoteIpv6NetworkCidr: 'fd00::/56',
      TunnelOptions: [{ TunnelInsideIpv6Cidr: 'fd00:0:0:1::/126' }, { TunnelInsideIpv6Cidr: 'fd00::1:0:0:4/126' }],
    });
  });

  test('private IPv4 outside addresses over a Direct Connect attachment', () => {
    const stack = newStack();
    tgwConnection(stack, {
      outsideIpAddressType: VpnOutsideIpAddressType.PRIVATE_IPV4,
      transportTransitGatewayAttachmentId: 'tgw-attach-0123456789abcdef0',
      customerGateway: { ipAddress: '10.0.0.10' },
    });
    expect(vpnProperties(stack)).toMatchObject({ OutsideIpAddressType: 'PrivateIpv4', TransportTransitGatewayAttachmentId: 'tgw-attach-0123456789abcdef0' });
  });

  test('tokens pass through unvalidated', () => {
    const stack = newStack();
    const late = (value: string) => Lazy.string({ produce: () => value });
    new SiteToSiteVpn(stack, 'Vpn', {
      transitGatewayId: late(TGW),
      transitGatewayRouteTableId: late(TGW_RTB),
      customerGatewayId: late(CGW),
      staticRoutes: [late('10.0.0.0/16')],
      localIpv4NetworkCidr: late('192.168.0.0/16'),
      tunnel1: {
        insideCidr: late('169.254.0.0/30'),
        phase1Lifetime: Duration.seconds(Lazy.number({ produce: () => 1000 })),
        replayWindowSize: Lazy.number({ produce: () => 1 }),
      },
      tunnel2: { insideCidr: late('169.254.0.0/30') },
      tags: { Name: late('x'.repeat(300)) },
    });
    expect(vpnProperties(stack)).toMatchObject({
      TransitGatewayId: TGW,
      CustomerGatewayId: CGW,
      LocalIpv4NetworkCidr: '192.168.0.0/16',
      TunnelOptions: [{ TunnelInsideCidr: '169.254.0.0/30', Phase1LifetimeSeconds: 1000, ReplayWindowSize: 1 }, { TunnelInsideCidr: '169.254.0.0/30' }],
    });
    expect(resourcesOf(stack, 'AWS::EC2::TransitGatewayRoute')[0].Properties.DestinationCidrBlock).toBe('10.0.0.0/16');
  });

  test('attributes are GetAtts of the custom resource, with the contract\'s names', () => {
    const stack = newStack();
    const vpn = tgwConnection(stack, { preSharedKeyStorage: VpnPreSharedKeyStorage.SECRETS_MANAGER });
    const logicalId = stack.getLogicalId(vpn.resource.node.defaultChild as never);
    const attributes: Record<string, string> = {
      vpnId: 'VpnConnectionId',
      amazonSideAsn: 'AmazonSideAsn',
      transitGatewayAttachmentId: 'TransitGatewayAttachmentId',
      tunnel1OutsideIpAddress: 'Tunnel1OutsideIpAddress',
      tunnel2OutsideIpAddress: 'Tunnel2OutsideIpAddress',
      tunnel1InsideCidr: 'Tunnel1InsideCidr',
      tunnel2InsideCidr: 'Tunnel2InsideCidr',
      tunnel1InsideIpv6Cidr: 'Tunnel1InsideIpv6Cidr',
      tunnel2InsideIpv6Cidr: 'Tunnel2InsideIpv6Cidr',
      tunnel1AwsInsideAddress: 'Tunnel1AwsInsideAddress',
      tunnel2AwsInsideAddress: 'Tunnel2AwsInsideAddress',
      tunnel1CustomerInsideAddress: 'Tunnel1CustomerInsideAddress',
      tunnel2CustomerInsideAddress: 'Tunnel2CustomerInsideAddress',
      preSharedKeyArn: 'PreSharedKeyArn',
    };
    for (const [property, attribute] of Object.entries(attributes)) {
      expect(SITE_TO_SITE_VPN_ATTRIBUTES).toContain(attribute);
      expect({ property, value: stack.resolve((vpn as unknown as Record<string, string>)[property]) })
        .toEqual({ property, value: { 'Fn::GetAtt': [logicalId, attribute] } });
    }
    expect(stack.resolve(vpn.preSharedKeySecret!.secretArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'PreSharedKeyArn'] });
    expect(stack.resolve(vpn.configurationSecret.secretArn)).toEqual({ Ref: stack.getLogicalId(vpn.configurationSecret.node.defaultChild as never) });
    // A new customer gateway is known at synth; an existing one is read back.
    expect(vpn.customerGatewayIp).toBe('203.0.113.10');
    expect(vpn.customerGatewayAsn).toBe(65010);
    const imported = new SiteToSiteVpn(stack, 'Imported', { vpnGatewayId: VGW, customerGatewayId: CGW });
    const importedId = stack.getLogicalId(imported.resource.node.defaultChild as never);
    expect(stack.resolve(imported.customerGatewayIp)).toEqual({ 'Fn::GetAtt': [importedId, 'CustomerGatewayIp'] });
    expect(Token.isUnresolved(imported.customerGatewayAsn)).toBe(true);
    expect(imported.preSharedKeySecret).toBeUndefined();
  });

  test('the configuration secret takes the customer\'s KMS key, and the handler may write it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const vpn = tgwConnection(stack, { configurationEncryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      GenerateSecretString: {},
    });
    const secretRef = { Ref: stack.getLogicalId(vpn.configurationSecret.node.defaultChild as never) };
    const write = handlerStatements(stack).find(s => JSON.stringify(s.Action).includes('secretsmanager:PutSecretValue'));
    expect(write?.Resource).toEqual(secretRef);
    // Read too: the handler compares before it writes.
    const read = handlerStatements(stack).find(s => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(read?.Resource).toEqual(secretRef);
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Encrypt', 'kms:GenerateDataKey*']) })]) },
    });
  });
});

describe('SiteToSiteVpn: secrets never reach the template', () => {
  test('the known pre-shared key appears only in the user\'s own Secret resource, and no configuration text anywhere', () => {
    const stack = newStack();
    const psk = knownPskSecret(stack);
    tgwConnection(stack, {
      transitGatewayRouteTableId: TGW_RTB,
      tunnel1: fullTunnel(stack, 1, psk),
      tunnel2: { ...fullTunnel(stack, 2, psk) },
      staticRoutes: ['192.168.0.0/24'],
      tags: { Name: 'full' },
    });
    const template = Template.fromStack(stack).toJSON();
    const pskLogicalId = stack.getLogicalId(psk.node.defaultChild as secretsmanager.CfnSecret);

    // Exactly one occurrence in the whole template: the SecretString of the
    // Secret the test itself declared from a known value.
    const whole = JSON.stringify(template);
    expect(whole.split(KNOWN_PSK).length - 1).toBe(1);
    expect(template.Resources[pskLogicalId].Properties.SecretString).toBe(KNOWN_PSK);
    const { [pskLogicalId]: _own, ...others } = template.Resources;
    expect(JSON.stringify({ ...template, Resources: others })).not.toContain(KNOWN_PSK);

    // What the custom resource carries instead: the secret's ARN, per tunnel.
    const tunnels = vpnProperties(stack).TunnelOptions as Array<Record<string, unknown>>;
    expect(tunnels.map(t => t.PreSharedKeySecretArn)).toEqual([{ Ref: pskLogicalId }, { Ref: pskLogicalId }]);
    for (const tunnel of tunnels) {
      expect(Object.keys(tunnel).filter(k => /PreSharedKey/.test(k) && k !== 'PreSharedKeySecretArn')).toEqual([]);
    }

    // The configuration secret is created empty-handed (a generated
    // placeholder the handler overwrites): no configuration text, no XML.
    const configuration = resourcesOf(stack, 'AWS::SecretsManager::Secret').find(r => r.logicalId.startsWith('VpnConfiguration'))!;
    expect(configuration.Properties.SecretString).toBeUndefined();
    expect(whole).not.toMatch(/<\?xml|<vpn_connection|customer_gateway_configuration|pre_shared_key/i);
    expect(template.Outputs ?? {}).toEqual({});
  });
});

describe('SiteToSiteVpn: IAM', () => {
  test('least privilege: create on declared gateways, mutate only this stack\'s connections, Describe alone on "*"', () => {
    const stack = newStack();
    new SiteToSiteVpn(stack, 'A', { transitGatewayId: TGW, customerGatewayId: CGW });
    new SiteToSiteVpn(stack, 'B', { vpnGatewayId: VGW, customerGatewayId: 'cgw-0fedcba9876543210' });
    const statements = handlerStatements(stack);
    const arn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:123456789012:${suffix}`]] });
    const bySid = Object.fromEntries(statements.filter(s => s.Sid).map(s => [s.Sid, s]));
    expect(bySid.CreateVpnConnections.Resource).toEqual([
      arn('vpn-connection/*'), arn('customer-gateway/cgw-0123456789abcdef0'), arn('customer-gateway/cgw-0fedcba9876543210'),
      arn(`transit-gateway/${TGW}`), arn(`vpn-gateway/${VGW}`),
    ]);
    expect(bySid.TagVpnConnectionsAtCreation).toMatchObject({
      Action: 'ec2:CreateTags', Resource: arn('vpn-connection/*'), Condition: { StringEquals: { 'ec2:CreateAction': 'CreateVpnConnection' } },
    });
    expect(bySid.ChangeOwnVpnConnections).toMatchObject({
      Action: ['ec2:ModifyVpnConnection', 'ec2:ModifyVpnConnectionOptions', 'ec2:ModifyVpnTunnelOptions', 'ec2:DeleteVpnConnection'],
      Resource: arn('vpn-connection/*'),
      Condition: { StringLike: { 'aws:ResourceTag/cdk-network-access:owner': 'Stack/*' } },
    });
    expect(bySid.RetagOwnVpnConnections.Condition).toEqual({
      'StringLike': { 'aws:ResourceTag/cdk-network-access:owner': 'Stack/*' },
      'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['cdk-network-access:owner', 'cdk-network-access:request'] },
    });
    const starred = statements.filter(s => s.Resource === '*').map(s => s.Action);
    expect(starred).toEqual([['ec2:DescribeVpnConnections', 'ec2:DescribeCustomerGateways', 'ec2:DescribeVpnGateways',
      'ec2:DescribeTransitGateways', 'ec2:DescribeTransitGatewayAttachments']]);
    // The OwnerTag of each connection is one the condition matches.
    for (const r of resourcesOf(stack, TYPE)) {
      expect(r.Properties.OwnerTag).toMatch(/^Stack\//);
    }
    // One provider serves both.
    Template.fromStack(stack).resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  test('tunnel logging adds the documented CloudWatch Logs delivery permissions, once', () => {
    const stack = newStack();
    tgwConnection(stack, { tunnel1: fullTunnel(stack, 1), tunnel2: fullTunnel(stack, 2) });
    const statements = handlerStatements(stack);
    const logStatements = statements.filter(s => JSON.stringify(s.Action).includes('Log') && s.Sid);
    expect(logStatements.map(s => [s.Sid, s.Action])).toEqual([
      ['DeliverVpnTunnelLogs', ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries']],
      ['GrantLogDeliveryToLogGroups', ['logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups']],
    ]);
    const without = newStack();
    tgwConnection(without);
    expect(JSON.stringify(handlerStatements(without))).not.toContain('LogDelivery');
  });

  test('a pre-shared key secret is readable by the handler, and its KMS key decrypts through Secrets Manager', () => {
    const stack = newStack();
    const psk = knownPskSecret(stack);
    tgwConnection(stack, { tunnel1: { preSharedKey: psk } });
    const pskRef = { Ref: stack.getLogicalId(psk.node.defaultChild as never) };
    const onPsk = handlerStatements(stack).filter(s => JSON.stringify(s.Resource) === JSON.stringify(pskRef));
    expect(onPsk).toEqual([{ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: pskRef }]);
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } })]) },
    });
  });
});

describe('SiteToSiteVpn: metrics and alarms', () => {
  test('it is an ec2.IVpnConnection whose metrics carry the connection id', () => {
    const stack = newStack();
    const vpn: ec2.IVpnConnection = tgwConnection(stack);
    const vpnId = stack.resolve((vpn as SiteToSiteVpn).vpnId);
    for (const [metric, name, statistic] of [
      [vpn.metricTunnelState(), 'TunnelState', 'Average'],
      [vpn.metricTunnelDataIn(), 'TunnelDataIn', 'Sum'],
      [vpn.metricTunnelDataOut(), 'TunnelDataOut', 'Sum'],
    ] as const) {
      expect({ namespace: metric.namespace, name: metric.metricName, statistic: metric.statistic, dims: stack.resolve(metric.dimensions) })
        .toEqual({ namespace: 'AWS/VPN', name, statistic, dims: { VpnId: vpnId } });
    }
    expect(stack.resolve(vpn.vpnConnectionRef.vpnConnectionId)).toEqual(vpnId);
  });

  test('one tunnel down: Minimum < 1; both tunnels down: Maximum <= 0; missing data breaches', () => {
    const stack = newStack();
    const vpn = tgwConnection(stack);
    const one = vpn.alarmOneTunnelDown('OneDown');
    const both = vpn.alarmBothTunnelsDown('BothDown', { evaluationPeriods: 3, datapointsToAlarm: 2, alarmName: 'vpn-down', period: Duration.minutes(1) });
    expect(one).toBeInstanceOf(cloudwatch.Alarm);
    const alarms = Object.fromEntries(resourcesOf(stack, 'AWS::CloudWatch::Alarm').map(r => [r.logicalId.replace(/[0-9A-F]{8}$/, ''), r.Properties]));
    const dims = [{ Name: 'VpnId', Value: stack.resolve(vpn.vpnId) }];
    expect(alarms.VpnOneDown).toMatchObject({
      Namespace: 'AWS/VPN',
      MetricName: 'TunnelState',
      Dimensions: dims,
      Statistic: 'Minimum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
    });
    expect(alarms.VpnBothDown).toMatchObject({
      Namespace: 'AWS/VPN',
      MetricName: 'TunnelState',
      Dimensions: dims,
      Statistic: 'Maximum',
      Period: 60,
      AlarmName: 'vpn-down',
      Threshold: 0,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    expect(both.node.path).toBe('Stack/Vpn/BothDown');
  });
});

describe('SiteToSiteVpn: access model', () => {
  test('BGP: the peer gateway reaches the VPC; static: each route\'s network reaches it', () => {
    const stack = newStack();
    const vpc = vpcFixture(stack);
    new SiteToSiteVpn(stack, 'Bgp', { vpc, customerGatewayId: CGW });
    new SiteToSiteVpn(stack, 'Static', { vpnGatewayId: VGW, customerGatewayId: CGW, remoteIpv4NetworkCidr: '10.20.0.0/16', staticRoutes: ['192.168.2.0/24', '192.168.1.0/24'] });
    const grants = AccessModel.grantsIn(stack)
      .map(g => ({ ...g, via: stack.resolve(g.via), target: { ...g.target, id: stack.resolve(g.target.id) } }));
    expect(grants.map(g => [g.constructPath, g.principal.kind, g.principal.id, g.target.id, g.mechanism])).toEqual([
      ['Stack/Bgp', AccessPrincipalKind.PEER_GATEWAY, CGW, { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] }, AccessMechanism.VPN_ROUTE],
      ['Stack/Static', AccessPrincipalKind.CIDR, '192.168.1.0/24', '10.20.0.0/16', AccessMechanism.VPN_ROUTE],
      ['Stack/Static', AccessPrincipalKind.CIDR, '192.168.2.0/24', '10.20.0.0/16', AccessMechanism.VPN_ROUTE],
    ]);
    expect(grants[0].via).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Bgp/), 'VpnConnectionId'] });
  });
});

describe('SiteToSiteVpn: cdk-nag', () => {
  test('AwsSolutions finds nothing unsuppressed in a full-options stack, and every suppression has a reason', () => {
    const stack = newStack();
    const psk = knownPskSecret(stack);
    new SiteToSiteVpn(stack, 'Vpn', {
      vpc: vpcFixture(stack),
      customerGateway: { ipAddress: '203.0.113.10' },
      tunnel1: fullTunnel(stack, 1, psk),
      tunnel2: fullTunnel(stack, 2),
      staticRoutes: ['192.168.0.0/24'],
      configurationEncryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    });
    new SiteToSiteVpn(stack, 'VpnTgw', { transitGatewayId: TGW, transitGatewayRouteTableId: TGW_RTB, customerGatewayId: CGW, staticRoutes: ['192.168.9.0/24'] });
    Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    const ours = (m: { id: string }) => m.id.includes('NetworkAccess') || m.id.startsWith('/Stack/Vpn');
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].filter(ours).map(m => `${m.id}: ${String(m.entry.data).split('\n')[0]}`)).toEqual([]);
    type NagMetadata = { Metadata?: Record<string, { rules_to_suppress?: Array<{ reason: string }> }> };
    for (const [logicalId, resource] of Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, NagMetadata>)) {
      for (const s of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        expect({ logicalId, reasonLength: s.reason.length > 20 }).toEqual({ logicalId, reasonLength: true });
      }
    }
  });
});
