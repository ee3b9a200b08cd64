import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CGW, newStack, TGW, TGW_RTB, VGW, vpcFixture } from './fixtures';
import {
  SiteToSiteVpn,
  SiteToSiteVpnProps,
  SiteToSiteVpnTunnelOptions,
  VpnDhGroup,
  VpnDpdTimeoutAction,
  VpnEncryptionAlgorithm,
  VpnIkeVersion,
  VpnIntegrityAlgorithm,
  VpnOutsideIpAddressType,
  VpnPreSharedKeyStorage,
  VpnTunnelBandwidth,
  VpnTunnelInsideIpVersion,
  VpnTunnelLogOutputFormat,
  VpnTunnelStartupAction,
} from '../../src';

const onTgw: SiteToSiteVpnProps = { transitGatewayId: TGW, customerGatewayId: CGW };
const onVgw: SiteToSiteVpnProps = { vpnGatewayId: VGW, customerGatewayId: CGW };
const tunnel = (options: SiteToSiteVpnTunnelOptions): SiteToSiteVpnProps => ({ ...onTgw, tunnel1: options });

function build(props: SiteToSiteVpnProps | ((stack: Stack) => SiteToSiteVpnProps), region?: string): () => SiteToSiteVpn {
  const stack = newStack(region);
  return () => new SiteToSiteVpn(stack, 'Vpn', typeof props === 'function' ? props(stack) : props);
}

describe('SiteToSiteVpn: every invalid option fails synth with the option and the value', () => {
  const cases: Array<[string, SiteToSiteVpnProps | ((stack: Stack) => SiteToSiteVpnProps), RegExp]> = [
    // AWS side
    ['no AWS side', { customerGatewayId: CGW }, /give exactly one AWS side: vpc, vpnGateway, vpnGatewayId, transitGateway or transitGatewayId \(none was given\)/],
    ['two AWS sides', { ...onTgw, vpnGatewayId: VGW }, /give exactly one AWS side.*\(got vpnGatewayId and transitGatewayId\)/],
    ['a malformed transit gateway id', { ...onTgw, transitGatewayId: 'vgw-0123456789abcdef0' }, /transitGatewayId 'vgw-0123456789abcdef0' is not a tgw id; it looks like 'tgw-0123456789abcdef0'/],
    ['a malformed virtual private gateway id', { ...onVgw, vpnGatewayId: 'vgw-XYZ' }, /vpnGatewayId 'vgw-XYZ' is not a vgw id/],
    ['a malformed route table id', { ...onTgw, transitGatewayRouteTableId: 'rtb-0123456789abcdef0' }, /transitGatewayRouteTableId 'rtb-0123456789abcdef0' is not a tgw-rtb id/],
    ['amazonSideAsn on an existing gateway', { ...onVgw, amazonSideAsn: 64600 }, /amazonSideAsn 64600 applies only to the virtual private gateway created for vpc/],
    ['vpnRoutePropagation on a transit gateway', { ...onTgw, vpnRoutePropagation: [] }, /vpnRoutePropagation applies only to the virtual private gateway created for vpc/],
    ['an Amazon side ASN that is not private', s => ({ vpc: vpcFixture(s), customerGatewayId: CGW, amazonSideAsn: 65000.5 }), /amazonSideAsn 65000.5 is not a private ASN; AWS takes 64512-65534 or 4200000000-4294967294/],
    ['an Amazon side ASN of 7224', s => ({ vpc: vpcFixture(s), customerGatewayId: CGW, amazonSideAsn: 7224 }), /amazonSideAsn 7224 is not a private ASN/],
    ['amazonSideAsn on a VPC that already has a gateway', s => {
      const vpc = vpcFixture(s);
      vpc.enableVpnGateway({ type: 'ipsec.1' });
      return { vpc, customerGatewayId: CGW, amazonSideAsn: 64600 };
    }, /the vpc already has a virtual private gateway: amazonSideAsn and vpnRoutePropagation apply only to one this construct creates/],
    ['the customer ASN equal to the new gateway\'s', s => ({ vpc: vpcFixture(s), customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 64512 } }),
      /customerGateway.bgpAsn 64512 equals the Amazon side ASN of the new virtual private gateway; AWS refuses it \(AsnConflict\)/],
    ['a route table on a virtual private gateway', { ...onVgw, transitGatewayRouteTableId: TGW_RTB }, /transitGatewayRouteTableId applies only to a transit gateway connection/],
    ['acceleration on a virtual private gateway', { ...onVgw, enableAcceleration: true }, /enableAcceleration true needs a transit gateway/],
    ['IPv6 tunnels on a virtual private gateway', { ...onVgw, tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6 }, /tunnelInsideIpVersion 'ipv6' needs a transit gateway/],
    ['private IPv4 without a transport attachment', { ...onTgw, outsideIpAddressType: VpnOutsideIpAddressType.PRIVATE_IPV4 }, /outsideIpAddressType 'PrivateIpv4' needs transportTransitGatewayAttachmentId/],
    ['a transport attachment with public addresses', { ...onTgw, transportTransitGatewayAttachmentId: 'tgw-attach-0123456789abcdef0' },
      /transportTransitGatewayAttachmentId 'tgw-attach-0123456789abcdef0' is used only with outsideIpAddressType VpnOutsideIpAddressType.PRIVATE_IPV4 \(it is 'PublicIpv4'\)/],
    ['a transport attachment on a virtual private gateway', { ...onVgw, transportTransitGatewayAttachmentId: 'tgw-attach-0123456789abcdef0' }, /transportTransitGatewayAttachmentId applies only to a transit gateway connection/],
    ['an unknown outside address type', { ...onTgw, outsideIpAddressType: VpnOutsideIpAddressType.of('Public') }, /outsideIpAddressType 'Public' is not one AWS accepts; use one of 'PublicIpv4', 'PrivateIpv4', 'Ipv6'/],
    ['an unknown inside IP version', { ...onTgw, tunnelInsideIpVersion: VpnTunnelInsideIpVersion.of('IPv4') }, /tunnelInsideIpVersion 'IPv4' is not one AWS accepts; use one of 'ipv4', 'ipv6'/],
    ['large tunnels on a virtual private gateway', { ...onVgw, tunnelBandwidth: VpnTunnelBandwidth.LARGE }, /tunnelBandwidth 'large' needs a transit gateway/],
    ['an unknown tunnel bandwidth', { ...onTgw, tunnelBandwidth: VpnTunnelBandwidth.of('huge') }, /tunnelBandwidth 'huge' is not one AWS accepts; use one of 'standard', 'large'/],
    ['an unknown key storage', { ...onTgw, preSharedKeyStorage: VpnPreSharedKeyStorage.of('KMS') }, /preSharedKeyStorage 'KMS' is not one AWS accepts; use one of 'Standard', 'SecretsManager'/],

    // customer side
    ['no customer gateway', { transitGatewayId: TGW }, /give exactly one of customerGateway \(a new customer gateway\) and customerGatewayId \(an existing one\)/],
    ['both customer gateways', { ...onTgw, customerGateway: { ipAddress: '203.0.113.1' } }, /give exactly one of customerGateway/],
    ['a malformed customer gateway id', { transitGatewayId: TGW, customerGatewayId: 'cgw-1' }, /customerGatewayId 'cgw-1' is not a cgw id/],
    ['a customer gateway address that is not IPv4', { transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.300' } }, /customerGateway.ipAddress '203.0.113.300' is not an IPv4 address/],
    ['an IPv4 address with IPv6 outside addresses', { transitGatewayId: TGW, outsideIpAddressType: VpnOutsideIpAddressType.IPV6, customerGateway: { ipAddress: '203.0.113.1' } },
      /customerGateway.ipAddress '203.0.113.1' is not an IPv6 address, but outsideIpAddressType is 'Ipv6'/],
    ['an ASN of 0', { transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 0 } }, /customerGateway.bgpAsn 0 is out of range; a BGP ASN is a whole number from 1 to 4294967294/],
    ['an ASN of 4294967295', { transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 4294967295 } }, /customerGateway.bgpAsn 4294967295 is out of range.*RFC 7300/],
    ['ASN 7224, reserved everywhere', { transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 7224 } }, /customerGateway.bgpAsn 7224 is reserved by AWS in every Region/],
    ['ASN 9059 in eu-west-1', { transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 9059 } }, /customerGateway.bgpAsn 9059 is reserved by AWS in eu-west-1/],
    ['a device name over 255 characters', { transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', deviceName: 'd'.repeat(256) } },
      /the length of customerGateway.deviceName 256 characters is out of range; AWS accepts from 1 to 255 characters/],
    ['a certificate ARN that is not ACM', { transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' } },
      /customerGateway.certificateArn 'arn:aws:iam::123456789012:server-certificate\/x' is not an ACM certificate ARN/],

    // routing and network CIDRs
    ['static routes on a transit gateway without a route table', { ...onTgw, staticRoutes: ['10.0.0.0/16'] }, /staticRoutes on a transit gateway go into a transit gateway route table: give transitGatewayRouteTableId/],
    ['static routes with staticRoutesOnly false', { ...onVgw, staticRoutes: ['10.0.0.0/16'], staticRoutesOnly: false }, /staticRoutes \(10.0.0.0\/16\) need staticRoutesOnly/],
    ['a static route with host bits', { ...onVgw, staticRoutes: ['10.0.0.1/16'] }, /staticRoutes entry '10.0.0.1\/16' has host bits set; did you mean '10.0.0.0\/16'\?/],
    ['a static route that is not a CIDR', { ...onVgw, staticRoutes: ['10.0.0.0'] }, /staticRoutes entry '10.0.0.0' is not in IPv4 CIDR notation/],
    ['an IPv6 static route on a virtual private gateway', { ...onVgw, staticRoutes: ['fd00::/64'] }, /staticRoutes entry 'fd00::\/64' is IPv6; a virtual private gateway takes IPv4 static routes only/],
    ['a local IPv4 network with host bits', { ...onTgw, localIpv4NetworkCidr: '192.168.1.1/24' }, /localIpv4NetworkCidr '192.168.1.1\/24' has host bits set; did you mean '192.168.1.0\/24'\?/],
    ['a remote IPv4 network that is not a CIDR', { ...onTgw, remoteIpv4NetworkCidr: 'ten/8' }, /remoteIpv4NetworkCidr 'ten\/8' is not in IPv4 CIDR notation/],
    ['an IPv6 network with IPv4 tunnels', { ...onTgw, localIpv6NetworkCidr: '2001:db8::/32' }, /localIpv6NetworkCidr '2001:db8::\/32' needs tunnelInsideIpVersion VpnTunnelInsideIpVersion.IPV6 \(it is 'ipv4'\)/],
    ['an IPv6 network with host bits', { ...onTgw, tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6, remoteIpv6NetworkCidr: '2001:db8::1/32' },
      /remoteIpv6NetworkCidr '2001:db8::1\/32' has host bits set; did you mean '2001:db8::\/32'\?/],
    ['a reserved tag key', { ...onTgw, tags: { 'aws:cloudformation:stack-name': 'x' } }, /tag key 'aws:cloudformation:stack-name' is reserved/],
    ['the handler\'s tag key', { ...onTgw, tags: { 'cdk-network-access:owner': 'x' } }, /tag key 'cdk-network-access:owner' is reserved/],
    ['a tag value over 256 characters', { ...onTgw, tags: { Name: 'n'.repeat(257) } }, /the value of tag 'Name' is 257 characters; AWS allows at most 256/],

    // inside CIDRs
    ['an inside CIDR outside 169.254.0.0/16', tunnel({ insideCidr: '10.0.0.0/30' }), /tunnel1.insideCidr '10.0.0.0\/30' is not a \/30 inside 169.254.0.0\/16/],
    ['an inside CIDR that is not a /30', tunnel({ insideCidr: '169.254.10.0/29' }), /tunnel1.insideCidr '169.254.10.0\/29' is not a \/30 inside 169.254.0.0\/16/],
    ['an inside CIDR with host bits', tunnel({ insideCidr: '169.254.10.1/30' }), /tunnel1.insideCidr '169.254.10.1\/30' has host bits set; did you mean '169.254.10.0\/30'\?/],
    ...['169.254.0.0/30', '169.254.1.0/30', '169.254.2.0/30', '169.254.3.0/30', '169.254.4.0/30', '169.254.5.0/30', '169.254.169.252/30'].map(cidr =>
      [`the reserved inside CIDR ${cidr}`, tunnel({ insideCidr: cidr }), new RegExp(`tunnel1.insideCidr '${cidr.replace(/[./]/g, '\\$&')}' is reserved by AWS`)] as [string, SiteToSiteVpnProps, RegExp]),
    ['the same inside CIDR on both tunnels', { ...onTgw, tunnel1: { insideCidr: '169.254.10.0/30' }, tunnel2: { insideCidr: '169.254.10.0/30' } },
      /tunnel1.insideCidr and tunnel2.insideCidr are both '169.254.10.0\/30'; each tunnel needs its own inside block/],
    ['the same inside IPv6 CIDR on both tunnels', { ...onTgw, tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6, tunnel1: { insideIpv6Cidr: 'fd00::/126' }, tunnel2: { insideIpv6Cidr: 'fd00:0::/126' } },
      /tunnel1.insideIpv6Cidr and tunnel2.insideIpv6Cidr are both 'fd00::\/126'/],
    ['an IPv6 inside CIDR with IPv4 tunnels', tunnel({ insideIpv6Cidr: 'fd00::/126' }), /tunnel1.insideIpv6Cidr 'fd00::\/126' needs tunnelInsideIpVersion VpnTunnelInsideIpVersion.IPV6 \(it is 'ipv4'\)/],
    ['an IPv4 inside CIDR with IPv6 tunnels', { ...onTgw, tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6, tunnel2: { insideCidr: '169.254.10.0/30' } },
      /tunnel2.insideCidr '169.254.10.0\/30' is an IPv4 block, but tunnelInsideIpVersion is 'ipv6'; give tunnel2.insideIpv6Cidr instead/],
    ['an IPv6 inside CIDR outside fd00::/8', { ...onTgw, tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6, tunnel1: { insideIpv6Cidr: 'fc00::/126' } },
      /tunnel1.insideIpv6Cidr 'fc00::\/126' is not a \/126 inside fd00::\/8/],
    ['an IPv6 inside CIDR that is not a /126', { ...onTgw, tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6, tunnel1: { insideIpv6Cidr: 'fd00::/64' } },
      /tunnel1.insideIpv6Cidr 'fd00::\/64' is not a \/126 inside fd00::\/8/],
    ['an IPv6 inside CIDR that is not IPv6', { ...onTgw, tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6, tunnel1: { insideIpv6Cidr: 'fd00::g/126' } },
      /tunnel1.insideIpv6Cidr 'fd00::g\/126' is not in IPv6 CIDR notation/],

    // lifetimes, rekey, ranges
    ['phase 1 below 900 s', tunnel({ phase1Lifetime: Duration.seconds(899) }), /tunnel1.phase1Lifetime 899 seconds is out of range; AWS accepts from 900 to 28800 seconds/],
    ['phase 1 above 28,800 s', tunnel({ phase1Lifetime: Duration.hours(9) }), /tunnel1.phase1Lifetime 32400 seconds is out of range/],
    ['phase 2 above 3,600 s', tunnel({ phase2Lifetime: Duration.seconds(3601) }), /tunnel1.phase2Lifetime 3601 seconds is out of range; AWS accepts from 900 to 3600 seconds/],
    ['phase 2 not below phase 1', tunnel({ phase1Lifetime: Duration.seconds(1800), phase2Lifetime: Duration.seconds(1800) }),
      /tunnel1.phase2Lifetime \(1800 seconds\) must be shorter than tunnel1.phase1Lifetime \(1800 seconds\)/],
    ['phase 2 left at its default, above a short phase 1', tunnel({ phase1Lifetime: Duration.seconds(1000) }),
      /tunnel1.phase2Lifetime \(AWS's default 3600 seconds\) must be shorter than tunnel1.phase1Lifetime \(1000 seconds\)/],
    ['a rekey margin over half of phase 2', { ...onTgw, tunnel2: { phase2Lifetime: Duration.seconds(1000), rekeyMargin: Duration.seconds(501) } },
      /tunnel2.rekeyMargin \(501 seconds\) is more than half of tunnel2.phase2Lifetime \(1000 seconds\); AWS allows at most 500 seconds/],
    ['a rekey margin over half of the default phase 2', tunnel({ rekeyMargin: Duration.minutes(31) }),
      /tunnel1.rekeyMargin \(1860 seconds\) is more than half of tunnel1.phase2Lifetime \(AWS's default 3600 seconds\)/],
    ['a rekey margin below 60 s', tunnel({ rekeyMargin: Duration.seconds(59) }), /tunnel1.rekeyMargin 59 seconds is out of range; AWS accepts at least 60 seconds/],
    ['a fractional-second lifetime', tunnel({ phase1Lifetime: Duration.millis(1500500) }), /tunnel1.phase1Lifetime .* is not a whole number of seconds/],
    ['a DPD timeout below 30 s', tunnel({ dpdTimeout: Duration.seconds(29) }), /tunnel1.dpdTimeout 29 seconds is out of range; AWS accepts at least 30 seconds/],
    ['a replay window below 64', tunnel({ replayWindowSize: 63 }), /tunnel1.replayWindowSize 63 is out of range; AWS accepts from 64 to 2048/],
    ['a replay window above 2048', tunnel({ replayWindowSize: 4096 }), /tunnel1.replayWindowSize 4096 is out of range/],
    ['a fractional replay window', tunnel({ replayWindowSize: 100.5 }), /tunnel1.replayWindowSize 100.5 must be a whole number/],
    ['a rekey fuzz over 100', tunnel({ rekeyFuzzPercentage: 101 }), /tunnel1.rekeyFuzzPercentage 101 is out of range; AWS accepts from 0 to 100/],
    ['a negative rekey fuzz', tunnel({ rekeyFuzzPercentage: -1 }), /tunnel1.rekeyFuzzPercentage -1 is out of range/],

    // algorithms and enum-likes through of()
    ['an encryption algorithm AWS does not list', tunnel({ phase1EncryptionAlgorithms: [VpnEncryptionAlgorithm.of('3DES')] }),
      /tunnel1.phase1EncryptionAlgorithms '3DES' is not one AWS accepts; use one of 'AES128', 'AES256', 'AES128-GCM-16', 'AES256-GCM-16'/],
    ['an integrity algorithm AWS does not list', tunnel({ phase2IntegrityAlgorithms: [VpnIntegrityAlgorithm.of('MD5')] }), /tunnel1.phase2IntegrityAlgorithms 'MD5' is not one AWS accepts/],
    ['DH group 5 in phase 1', tunnel({ phase1DhGroups: [VpnDhGroup.GROUP_5] }), /tunnel1.phase1DhGroups has Diffie-Hellman group 5, which AWS does not accept there; use one of 2, 14, 15/],
    ['DH group 1 in phase 2', tunnel({ phase2DhGroups: [VpnDhGroup.of(1)] }), /tunnel1.phase2DhGroups has Diffie-Hellman group 1, which AWS does not accept there; use one of 2, 5, 14/],
    ['an IKE version AWS does not list', tunnel({ ikeVersions: [VpnIkeVersion.of('ikev3')] }), /tunnel1.ikeVersions 'ikev3' is not one AWS accepts; use one of 'ikev1', 'ikev2'/],
    ['a DPD action AWS does not list', tunnel({ dpdTimeoutAction: VpnDpdTimeoutAction.of('hold') }), /tunnel1.dpdTimeoutAction 'hold' is not one AWS accepts; use one of 'clear', 'none', 'restart'/],
    ['a startup action AWS does not list', tunnel({ startupAction: VpnTunnelStartupAction.of('initiate') }), /tunnel1.startupAction 'initiate' is not one AWS accepts; use one of 'add', 'start'/],
    ['a log format AWS does not list', s => tunnel({ logGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'l'), logOutputFormat: VpnTunnelLogOutputFormat.of('xml') }),
      /tunnel1.logOutputFormat 'xml' is not one AWS accepts; use one of 'json', 'text'/],
    ['a log format without a log group', tunnel({ logOutputFormat: VpnTunnelLogOutputFormat.TEXT }), /tunnel1.logOutputFormat 'text' is set without tunnel1.logGroup/],
    ['a BGP log format AWS does not list', s => tunnel({ bgpLogGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'l'), bgpLogOutputFormat: VpnTunnelLogOutputFormat.of('xml') }),
      /tunnel1.bgpLogOutputFormat 'xml' is not one AWS accepts; use one of 'json', 'text'/],
    ['a BGP log format without a BGP log group', s => tunnel({ logGroup: logs.LogGroup.fromLogGroupName(s, 'L', 'l'), bgpLogOutputFormat: VpnTunnelLogOutputFormat.TEXT }),
      /tunnel1.bgpLogOutputFormat 'text' is set without tunnel1.bgpLogGroup; give the log group the BGP logs go to/],
    ['an empty algorithm list', tunnel({ phase2EncryptionAlgorithms: [] }), /tunnel1.phase2EncryptionAlgorithms is an empty list; leave it out to allow all of AWS's values, or list at least one/],
    ['an algorithm listed twice', tunnel({ phase1IntegrityAlgorithms: [VpnIntegrityAlgorithm.SHA1, VpnIntegrityAlgorithm.of('SHA1')] }), /tunnel1.phase1IntegrityAlgorithms lists 'SHA1' twice/],
    ['a DH group listed twice', tunnel({ phase1DhGroups: [VpnDhGroup.GROUP_14, VpnDhGroup.GROUP_14] }), /tunnel1.phase1DhGroups lists 14 twice/],

    // pre-shared keys
    ['a key field without a key', tunnel({ preSharedKeyField: 'psk' }), /tunnel1.preSharedKeyField 'psk' is set without tunnel1.preSharedKey/],
    ['an empty key field', s => tunnel({ preSharedKey: secretsmanager.Secret.fromSecretNameV2(s, 'S', 'psk'), preSharedKeyField: ' ' }), /tunnel1.preSharedKeyField is empty/],
    ['a key version without a key', tunnel({ preSharedKeyVersion: 'AWSPENDING' }), /tunnel1.preSharedKeyVersion "AWSPENDING" is set without tunnel1.preSharedKey/],
    ['an empty key version', s => tunnel({ preSharedKey: secretsmanager.Secret.fromSecretNameV2(s, 'S', 'psk'), preSharedKeyVersion: '' }),
      /tunnel1.preSharedKeyVersion "" must be a version id or a staging label of 1 to 256 characters/],
    ['a blank key version', s => tunnel({ preSharedKey: secretsmanager.Secret.fromSecretNameV2(s, 'S', 'psk'), preSharedKeyVersion: '  ' }),
      /tunnel1.preSharedKeyVersion " {2}" must be a version id or a staging label/],
    ['a key version that is not a string', s => tunnel({ preSharedKey: secretsmanager.Secret.fromSecretNameV2(s, 'S', 'psk'), preSharedKeyVersion: 42 as unknown as string }),
      /tunnel1.preSharedKeyVersion 42 is not a string; give a version id or a staging label of the secret/],
    ['a key version over 256 characters', s => tunnel({ preSharedKey: secretsmanager.Secret.fromSecretNameV2(s, 'S', 'psk'), preSharedKeyVersion: 'v'.repeat(257) }),
      /tunnel1.preSharedKeyVersion "v{257}" must be a version id or a staging label of 1 to 256 characters/],
  ];

  test.each(cases)('%s', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('errors carry the construct path', () => {
    expect(build(tunnel({ replayWindowSize: 1 }))).toThrow(/^Stack\/Vpn: tunnel1.replayWindowSize 1/);
  });

  test('a region-specific reserved ASN passes in another Region', () => {
    expect(build({ transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 9059 } }, 'us-east-1')).not.toThrow();
  });

  test('a region-specific reserved ASN in an environment-agnostic stack is a warning', () => {
    const stack = new Stack();
    new SiteToSiteVpn(stack, 'Vpn', { transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 10124 } });
    Annotations.fromStack(stack).hasWarning('/Default/Vpn', Match.stringLikeRegexp('customerGateway.bgpAsn 10124 is reserved by AWS in ap-northeast-1'));
  });

  test('the boundaries AWS accepts are accepted', () => {
    expect(build({
      ...onTgw,
      tunnel1: {
        insideCidr: '169.254.6.0/30',
        phase1Lifetime: Duration.seconds(901),
        phase2Lifetime: Duration.seconds(900),
        rekeyMargin: Duration.seconds(60),
        rekeyFuzzPercentage: 0,
        replayWindowSize: 64,
        dpdTimeout: Duration.seconds(30),
      },
      tunnel2: {
        insideCidr: '169.254.169.248/30',
        phase1Lifetime: Duration.seconds(28800),
        phase2Lifetime: Duration.seconds(3600),
        rekeyMargin: Duration.seconds(1800),
        rekeyFuzzPercentage: 100,
        replayWindowSize: 2048,
        phase1DhGroups: [VpnDhGroup.of(24)],
        phase2DhGroups: [VpnDhGroup.of(5)],
      },
    })).not.toThrow();
    expect(build({ transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 4294967294 } })).not.toThrow();
    expect(build({ transitGatewayId: TGW, customerGateway: { ipAddress: '203.0.113.1', bgpAsn: 1 } })).not.toThrow();
  });
});
