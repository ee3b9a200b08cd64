/**
 * The EC2 calls of the site-to-site VPN handler. Errors are thrown as the SDK
 * raises them; callers classify them, because what a name means depends on
 * the step (a missing connection is done for a Delete, transient right after
 * a Create, and a user error nowhere).
 *
 * Every DescribeVpnConnections result passes through `remember`, so the keys
 * and configuration it carries are scrubbed from any message this
 * invocation produces.
 */
import {
  CreateTagsCommand,
  CreateVpnConnectionCommand,
  DeleteTagsCommand,
  DeleteVpnConnectionCommand,
  DescribeCustomerGatewaysCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewaysCommand,
  DescribeVpnConnectionsCommand,
  DescribeVpnGatewaysCommand,
  Filter,
  ModifyVpnConnectionCommand,
  ModifyVpnConnectionOptionsCommand,
  ModifyVpnConnectionOptionsCommandInput,
  ModifyVpnTunnelOptionsCommand,
  ModifyVpnTunnelOptionsSpecification,
  Tag,
  VpnConnection,
  VpnTunnelBandwidth,
} from '@aws-sdk/client-ec2';
import { VpnSpec } from './properties';
import { rememberDocument, rememberSecret } from './secrets';
import { creationTunnelOptions, preSharedKeyMarker } from './tunnel-options';
import { VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY, VPN_TUNNEL_PSK_TAG_KEY_PREFIX } from '../../src/private/contract/site-to-site-vpn';
import { ec2Client } from '../shared/clients';
import { awsErrorShape } from '../shared/errors';

/** A connection id as EC2 writes it; anything else (a failed-create marker, a hand edit) is not ours to touch. */
const VPN_CONNECTION_ID = /^vpn-[0-9a-f]{8,17}$/;

export function isVpnConnectionId(id: string | undefined): id is string {
  return typeof id === 'string' && VPN_CONNECTION_ID.test(id);
}

/** States after which the connection never comes back. */
export const GONE_STATES: ReadonlySet<string> = new Set(['deleting', 'deleted']);

export function tagValue(connection: VpnConnection, key: string): string | undefined {
  return connection.Tags?.find(tag => tag.Key === key)?.Value;
}

/** Tag key of tunnel i's pre-shared key marker (1-based, as the console numbers tunnels). */
export function preSharedKeyTagKey(index: number): string {
  return `${VPN_TUNNEL_PSK_TAG_KEY_PREFIX}${index + 1}`;
}

function remember(connection: VpnConnection): VpnConnection {
  rememberDocument(connection.CustomerGatewayConfiguration);
  for (const tunnel of connection.Options?.TunnelOptions ?? []) {
    rememberSecret(tunnel.PreSharedKey);
  }
  return connection;
}

/** The connection, or undefined when EC2 does not know the id. */
export async function describeConnection(connectionId: string): Promise<VpnConnection | undefined> {
  try {
    const response = await ec2Client().send(new DescribeVpnConnectionsCommand({ VpnConnectionIds: [connectionId] }));
    const found = (response.VpnConnections ?? []).find(c => c.VpnConnectionId === connectionId);
    return found ? remember(found) : undefined;
  } catch (err) {
    if (awsErrorShape(err).name === 'InvalidVpnConnectionID.NotFound') {
      return undefined;
    }
    throw err;
  }
}

/** Connections carrying every given tag, in any state. DescribeVpnConnections is not paginated. */
export async function describeConnectionsTagged(tags: Readonly<Record<string, string>>): Promise<VpnConnection[]> {
  const filters: Filter[] = Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
  const response = await ec2Client().send(new DescribeVpnConnectionsCommand({ Filters: filters }));
  return (response.VpnConnections ?? []).map(remember);
}

/**
 * CreateVpnConnection, tagged with the owner, the request (so a retry finds
 * it), the pre-shared key markers and the user's tags. `keys` holds the keys
 * read from Secrets Manager by tunnel index; they go into this call only.
 */
export async function createConnection(spec: VpnSpec, requestId: string, keys: ReadonlyMap<number, string>): Promise<VpnConnection> {
  const tags: Tag[] = [
    { Key: VPN_OWNER_TAG_KEY, Value: spec.ownerTag },
    { Key: VPN_REQUEST_TAG_KEY, Value: requestId },
    ...spec.tunnels.flatMap((tunnel, index) => (tunnel.preSharedKey
      ? [{
        Key: preSharedKeyTagKey(index),
        Value: preSharedKeyMarker(tunnel.preSharedKey.secretArn, tunnel.preSharedKey.field, tunnel.preSharedKey.version),
      }]
      : [])),
    ...spec.tags.map(tag => ({ Key: tag.key, Value: tag.value })),
  ];
  const response = await ec2Client().send(new CreateVpnConnectionCommand({
    Type: spec.type,
    CustomerGatewayId: spec.customerGatewayId,
    ...(spec.vpnGatewayId ? { VpnGatewayId: spec.vpnGatewayId } : {}),
    ...(spec.transitGatewayId ? { TransitGatewayId: spec.transitGatewayId } : {}),
    ...(spec.preSharedKeyStorage !== 'Standard' ? { PreSharedKeyStorage: spec.preSharedKeyStorage } : {}),
    TagSpecifications: [{ ResourceType: 'vpn-connection', Tags: tags }],
    Options: {
      StaticRoutesOnly: spec.staticRoutesOnly,
      ...(spec.enableAcceleration ? { EnableAcceleration: true } : {}),
      TunnelInsideIpVersion: spec.tunnelInsideIpVersion,
      ...(spec.localIpv4NetworkCidr ? { LocalIpv4NetworkCidr: spec.localIpv4NetworkCidr } : {}),
      ...(spec.remoteIpv4NetworkCidr ? { RemoteIpv4NetworkCidr: spec.remoteIpv4NetworkCidr } : {}),
      ...(spec.localIpv6NetworkCidr ? { LocalIpv6NetworkCidr: spec.localIpv6NetworkCidr } : {}),
      ...(spec.remoteIpv6NetworkCidr ? { RemoteIpv6NetworkCidr: spec.remoteIpv6NetworkCidr } : {}),
      ...(spec.outsideIpAddressType !== 'PublicIpv4' ? { OutsideIpAddressType: spec.outsideIpAddressType } : {}),
      ...(spec.transportTransitGatewayAttachmentId ? { TransportTransitGatewayAttachmentId: spec.transportTransitGatewayAttachmentId } : {}),
      ...(spec.tunnelBandwidth !== undefined ? { TunnelBandwidth: spec.tunnelBandwidth as VpnTunnelBandwidth } : {}),
      ...(spec.tunnels.length > 0 ? { TunnelOptions: spec.tunnels.map((tunnel, index) => creationTunnelOptions(tunnel, keys.get(index))) } : {}),
    },
  }));
  const connection = response.VpnConnection;
  if (!connection?.VpnConnectionId) {
    // Without an id nothing can be adopted or deleted; the retry's tag lookup finds it.
    throw Object.assign(new Error('CreateVpnConnection answered without a VpnConnectionId'), { name: 'InternalError' });
  }
  return remember(connection);
}

export async function modifyConnectionGateway(
  connectionId: string,
  change: { readonly VpnGatewayId?: string; readonly TransitGatewayId?: string; readonly CustomerGatewayId?: string },
): Promise<void> {
  await ec2Client().send(new ModifyVpnConnectionCommand({ VpnConnectionId: connectionId, ...change }));
}

export async function modifyConnectionOptions(input: ModifyVpnConnectionOptionsCommandInput): Promise<void> {
  await ec2Client().send(new ModifyVpnConnectionOptionsCommand(input));
}

/**
 * ModifyVpnTunnelOptions of one tunnel. SkipTunnelReplacement stays false
 * when lifecycle control is toggled: the change then applies now, during
 * this tunnel's own modification window while the other tunnel carries the
 * traffic, rather than at an unannounced later replacement of the endpoint.
 */
export async function modifyTunnel(
  connectionId: string,
  outsideIpAddress: string,
  modification: ModifyVpnTunnelOptionsSpecification,
  preSharedKey: string | undefined,
): Promise<void> {
  await ec2Client().send(new ModifyVpnTunnelOptionsCommand({
    VpnConnectionId: connectionId,
    VpnTunnelOutsideIpAddress: outsideIpAddress,
    TunnelOptions: { ...modification, ...(preSharedKey !== undefined ? { PreSharedKey: preSharedKey } : {}) },
    ...(modification.EnableTunnelLifecycleControl !== undefined ? { SkipTunnelReplacement: false } : {}),
  }));
}

export async function deleteConnection(connectionId: string): Promise<void> {
  await ec2Client().send(new DeleteVpnConnectionCommand({ VpnConnectionId: connectionId }));
}

export async function createTags(connectionId: string, tags: readonly Tag[]): Promise<void> {
  await ec2Client().send(new CreateTagsCommand({ Resources: [connectionId], Tags: [...tags] }));
}

export async function deleteTags(connectionId: string, keys: readonly string[]): Promise<void> {
  await ec2Client().send(new DeleteTagsCommand({ Resources: [connectionId], Tags: keys.map(Key => ({ Key })) }));
}

/** Amazon-side BGP ASN of the connection's gateway, as a decimal string ('' when EC2 reports none). */
export async function amazonSideAsn(connection: VpnConnection): Promise<string> {
  if (connection.TransitGatewayId) {
    const response = await ec2Client().send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [connection.TransitGatewayId] }));
    const asn = response.TransitGateways?.[0]?.Options?.AmazonSideAsn;
    return asn === undefined ? '' : String(asn);
  }
  if (connection.VpnGatewayId) {
    const response = await ec2Client().send(new DescribeVpnGatewaysCommand({ VpnGatewayIds: [connection.VpnGatewayId] }));
    const asn = response.VpnGateways?.[0]?.AmazonSideAsn;
    return asn === undefined ? '' : String(asn);
  }
  return '';
}

export async function customerGateway(customerGatewayId: string): Promise<{ readonly asn: string; readonly ip: string }> {
  const response = await ec2Client().send(new DescribeCustomerGatewaysCommand({ CustomerGatewayIds: [customerGatewayId] }));
  const gateway = response.CustomerGateways?.[0];
  return { asn: gateway?.BgpAsnExtended || gateway?.BgpAsn || '', ip: gateway?.IpAddress ?? '' };
}

/** The transit gateway attachment of a VPN connection ('' when there is none yet). */
export async function transitGatewayAttachmentId(connectionId: string): Promise<string> {
  const response = await ec2Client().send(new DescribeTransitGatewayAttachmentsCommand({
    Filters: [
      { Name: 'resource-id', Values: [connectionId] },
      { Name: 'resource-type', Values: ['vpn'] },
    ],
  }));
  const live = (response.TransitGatewayAttachments ?? []).filter(a => a.State !== 'deleted' && a.State !== 'deleting');
  return live[0]?.TransitGatewayAttachmentId ?? '';
}
