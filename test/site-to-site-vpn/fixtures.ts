import { App, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  SiteToSiteVpnTunnelOptions,
  VpnDhGroup,
  VpnDpdTimeoutAction,
  VpnEncryptionAlgorithm,
  VpnIkeVersion,
  VpnIntegrityAlgorithm,
  VpnTunnelLogOutputFormat,
  VpnTunnelStartupAction,
} from '../../src';

export const TYPE = 'Custom::NetworkAccessSiteToSiteVpnConnection';
export const TGW = 'tgw-0123456789abcdef0';
export const TGW_RTB = 'tgw-rtb-0123456789abcdef0';
export const VGW = 'vgw-0123456789abcdef0';
export const CGW = 'cgw-0123456789abcdef0';
/** A key value that must never leave the user's own Secret resource. */
export const KNOWN_PSK = 'Known.Psk_value_7f3a91c2';

export function newStack(region = 'eu-west-1'): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region } });
}

/** Every tunnel option, set to a valid non-default value. */
export function fullTunnel(stack: Stack, n: 1 | 2, psk?: secretsmanager.ISecret): SiteToSiteVpnTunnelOptions {
  return {
    insideCidr: `169.254.${10 + n}.0/30`,
    preSharedKey: psk,
    phase1Lifetime: Duration.hours(8),
    phase2Lifetime: Duration.minutes(50),
    rekeyMargin: Duration.minutes(9),
    rekeyFuzzPercentage: 50,
    replayWindowSize: 2048,
    dpdTimeout: Duration.seconds(40),
    dpdTimeoutAction: VpnDpdTimeoutAction.RESTART,
    phase1EncryptionAlgorithms: [VpnEncryptionAlgorithm.AES256_GCM_16, VpnEncryptionAlgorithm.AES256],
    phase2EncryptionAlgorithms: [VpnEncryptionAlgorithm.AES256_GCM_16],
    phase1IntegrityAlgorithms: [VpnIntegrityAlgorithm.SHA2_512],
    phase2IntegrityAlgorithms: [VpnIntegrityAlgorithm.SHA2_384, VpnIntegrityAlgorithm.SHA2_256],
    phase1DhGroups: [VpnDhGroup.GROUP_20, VpnDhGroup.GROUP_21],
    phase2DhGroups: [VpnDhGroup.GROUP_5, VpnDhGroup.GROUP_20],
    ikeVersions: [VpnIkeVersion.IKEV2],
    startupAction: VpnTunnelStartupAction.START,
    enableTunnelLifecycleControl: true,
    logGroup: logs.LogGroup.fromLogGroupName(stack, `Tunnel${n}Logs`, `/vpn/tunnel${n}`),
    logOutputFormat: VpnTunnelLogOutputFormat.TEXT,
    // Tunnel 1's BGP logs share its activity log group; tunnel 2's go to their own.
    bgpLogGroup: n === 1
      ? logs.LogGroup.fromLogGroupName(stack, `Tunnel${n}BgpLogs`, `/vpn/tunnel${n}`)
      : logs.LogGroup.fromLogGroupName(stack, `Tunnel${n}BgpLogs`, `/vpn/bgp${n}`),
    ...(n === 2 ? { bgpLogOutputFormat: VpnTunnelLogOutputFormat.JSON } : {}),
  };
}

/** A PSK secret whose value the test knows. */
export function knownPskSecret(stack: Stack): secretsmanager.Secret {
  return new secretsmanager.Secret(stack, 'Psk', {
    secretStringValue: SecretValue.unsafePlainText(KNOWN_PSK),
    encryptionKey: new kms.Key(stack, 'PskKey', { enableKeyRotation: true }),
  });
}

/** The resources of one type, with their logical ids. */
export function resourcesOf(stack: Stack, type: string): Array<{ logicalId: string; Properties: Record<string, any>; DependsOn?: string[] }> {
  return Object.entries(Template.fromStack(stack).findResources(type))
    .map(([logicalId, r]) => ({ logicalId, ...(r as { Properties: Record<string, any>; DependsOn?: string[] }) }));
}

export function vpcFixture(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1, ipAddresses: ec2.IpAddresses.cidr('10.20.0.0/16') });
}
