/**
 * The `Data` of a finished Create or Update: every key of the contract's
 * SITE_TO_SITE_VPN_ATTRIBUTES, an empty string where it does not apply
 * (GetAtt of a missing key fails the deployment). None of them is secret.
 */
import { TunnelOption, VpnConnection } from '@aws-sdk/client-ec2';
import { amazonSideAsn, customerGateway, transitGatewayAttachmentId } from './ec2-vpn';
import { ipv6Value } from './properties';
import { SITE_TO_SITE_VPN_ATTRIBUTES, SiteToSiteVpnAttribute } from '../../src/private/contract/site-to-site-vpn';

/** The n-th address of an IPv4 or IPv6 block ('' when `cidr` is not one). */
export function hostOf(cidr: string | undefined, n: number): string {
  if (!cidr || !cidr.includes('/')) {
    return '';
  }
  const address = cidr.split('/')[0];
  if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) {
    const value = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0) + n;
    return [24, 16, 8, 0].map(shift => Math.floor(value / 2 ** shift) % 256).join('.');
  }
  if (address.includes(':')) {
    const value = ipv6Value(address) + BigInt(n);
    const groups = Array.from({ length: 8 }, (_, i) => ((value / 65536n ** BigInt(7 - i)) % 65536n).toString(16));
    // Shortest form: the longest run of zero groups becomes '::'.
    let best = { start: -1, length: 0 };
    for (let i = 0; i < 8;) {
      if (groups[i] !== '0') {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === '0') j++;
      if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
      i = j;
    }
    if (best.start < 0) {
      return groups.join(':');
    }
    return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
  }
  return '';
}

/** Tunnel i's outside address: from its options, else from telemetry in the same position. */
function outsideIp(connection: VpnConnection, tunnels: readonly TunnelOption[], i: number): string {
  return tunnels[i]?.OutsideIpAddress ?? connection.VgwTelemetry?.[i]?.OutsideIpAddress ?? '';
}

function tunnelAttributes(connection: VpnConnection, i: number): Partial<Record<SiteToSiteVpnAttribute, string>> {
  const tunnels = connection.Options?.TunnelOptions ?? [];
  const tunnel = tunnels[i];
  const n = i + 1;
  const inside = tunnel?.TunnelInsideCidr ?? '';
  const inside6 = tunnel?.TunnelInsideIpv6Cidr ?? '';
  // The AWS side takes the block's first host, the customer side the second.
  const block = inside || inside6;
  return {
    [`Tunnel${n}OutsideIpAddress`]: outsideIp(connection, tunnels, i),
    [`Tunnel${n}InsideCidr`]: inside,
    [`Tunnel${n}InsideIpv6Cidr`]: inside6,
    [`Tunnel${n}AwsInsideAddress`]: hostOf(block, 1),
    [`Tunnel${n}CustomerInsideAddress`]: hostOf(block, 2),
  } as Partial<Record<SiteToSiteVpnAttribute, string>>;
}

/**
 * Reads what the connection does not carry itself (gateway ASNs, the
 * attachment) and returns the full attribute map. AWS errors propagate.
 */
export async function connectionAttributes(
  connection: VpnConnection,
  configurationSecretArn: string,
): Promise<Record<SiteToSiteVpnAttribute, string>> {
  const connectionId = connection.VpnConnectionId ?? '';
  const [awsAsn, customer, attachment] = await Promise.all([
    amazonSideAsn(connection),
    connection.CustomerGatewayId ? customerGateway(connection.CustomerGatewayId) : Promise.resolve({ asn: '', ip: '' }),
    connection.TransitGatewayId ? transitGatewayAttachmentId(connectionId) : Promise.resolve(''),
  ]);
  const found: Partial<Record<SiteToSiteVpnAttribute, string>> = {
    VpnConnectionId: connectionId,
    ...tunnelAttributes(connection, 0),
    ...tunnelAttributes(connection, 1),
    AmazonSideAsn: awsAsn,
    CustomerGatewayAsn: customer.asn,
    CustomerGatewayIp: customer.ip,
    TransitGatewayAttachmentId: attachment,
    PreSharedKeyArn: connection.PreSharedKeyArn ?? '',
    ConfigurationSecretArn: configurationSecretArn,
  };
  return Object.fromEntries(SITE_TO_SITE_VPN_ATTRIBUTES.map(key => [key, found[key] ?? ''])) as Record<SiteToSiteVpnAttribute, string>;
}
