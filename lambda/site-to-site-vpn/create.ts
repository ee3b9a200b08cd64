/**
 * Making (or finding) the connection a Create or a replacing Update asks
 * for. This is the one step `onEvent` performs: the physical id is the
 * connection id, which exists only once CreateVpnConnection has answered.
 *
 * Create adopts: CreateVpnConnection has no client token, so the connection
 * is tagged with the CloudFormation RequestId, and every attempt first looks
 * for a live connection carrying that tag (a Create re-delivered after a
 * crash, or delivered twice, finds the one already made). A replacing Update
 * also looks for the owner's connection that already has the declared
 * replacing options: on rollback of a replacement that is the original
 * connection, which CloudFormation has not deleted yet, so the rollback
 * gives the customer back the tunnels their device is configured for
 * instead of a third connection with new outside addresses.
 */
import { VpnConnection } from '@aws-sdk/client-ec2';
import { createConnection, describeConnectionsTagged, GONE_STATES, tagValue } from './ec2-vpn';
import { gatewayOrQuotaProblem } from './outcome';
import { VpnSpec } from './properties';
import { errorText, readPreSharedKeys, RetryLater } from './secrets';
import { VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY } from '../../src/private/contract/site-to-site-vpn';
import { clock } from '../shared/clock';
import { classifyError, HandlerError } from '../shared/errors';
import { log } from '../shared/log';

/**
 * Attempts within one onEvent. The SDK already retries throttling with
 * adaptive backoff; these cover what is left (a 5xx or timeout that may hide
 * a connection that was made, which the next attempt's tag lookup finds).
 */
export const CREATE_ATTEMPTS = 6;
export const CREATE_RETRY_BASE_MS = 2_000;

function alive(connection: VpnConnection): boolean {
  return !GONE_STATES.has(String(connection.State ?? ''));
}

/** The replacing options as DescribeVpnConnections reports them, with AWS's defaults filled in. */
function matchesReplacingOptions(connection: VpnConnection, spec: VpnSpec): boolean {
  const options = connection.Options ?? {};
  return (connection.Type ?? 'ipsec.1') === spec.type
    && (options.StaticRoutesOnly ?? false) === spec.staticRoutesOnly
    && (options.EnableAcceleration ?? false) === spec.enableAcceleration
    && (options.TunnelInsideIpVersion ?? 'ipv4') === spec.tunnelInsideIpVersion
    && (options.OutsideIpAddressType ?? 'PublicIpv4') === spec.outsideIpAddressType
    && (options.TransportTransitGatewayAttachmentId ?? undefined) === spec.transportTransitGatewayAttachmentId
    && (connection.PreSharedKeyArn ? 'SecretsManager' : 'Standard') === spec.preSharedKeyStorage;
}

async function findExisting(spec: VpnSpec, requestId: string, replacing: string | undefined): Promise<VpnConnection | undefined> {
  const mine = (await describeConnectionsTagged({ [VPN_OWNER_TAG_KEY]: spec.ownerTag })).filter(alive);
  const sameRequest = mine.find(c => tagValue(c, VPN_REQUEST_TAG_KEY) === requestId);
  if (sameRequest || replacing === undefined) {
    return sameRequest;
  }
  const candidates = mine.filter(c => c.VpnConnectionId !== replacing && matchesReplacingOptions(c, spec));
  // More than one would be a guess; a new connection is the safe answer.
  return candidates.length === 1 ? candidates[0] : undefined;
}

export interface CreateOptions {
  readonly requestId: string;
  /** For a replacing Update: the connection being replaced (never adopted). */
  readonly replacing?: string;
}

/** The id of the connection this request made or adopted. Throws HandlerError when it cannot be made. */
export async function createOrAdopt(spec: VpnSpec, options: CreateOptions): Promise<string> {
  let lastReason = '';
  for (let attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
    if (attempt > 1) {
      await clock.sleep(CREATE_RETRY_BASE_MS * 2 ** (attempt - 2));
    }
    try {
      const existing = await findExisting(spec, options.requestId, options.replacing);
      if (existing?.VpnConnectionId) {
        log.info('adopted an existing connection', {
          connectionId: existing.VpnConnectionId,
          state: existing.State,
          why: tagValue(existing, VPN_REQUEST_TAG_KEY) === options.requestId ? 'made by this request' : 'the owner\'s connection with the declared options',
        });
        return existing.VpnConnectionId;
      }
      const keys = await readPreSharedKeys(spec.tunnels.map((tunnel, index) => ({ index, spec: tunnel })));
      const connection = await createConnection(spec, options.requestId, keys);
      log.info('CreateVpnConnection done', { connectionId: connection.VpnConnectionId, state: connection.State });
      return connection.VpnConnectionId as string;
    } catch (err) {
      if (err instanceof HandlerError) {
        throw err;
      }
      const problem = gatewayOrQuotaProblem(err, spec);
      if (problem) {
        throw new HandlerError(`CreateVpnConnection failed: ${problem}`);
      }
      if (err instanceof RetryLater) {
        lastReason = err.reason;
      } else if (classifyError(err) === 'retry-later') {
        lastReason = errorText(err);
      } else {
        throw new HandlerError(`CreateVpnConnection for customer gateway ${spec.customerGatewayId} and `
          + `${spec.transitGatewayId ?? spec.vpnGatewayId} failed: ${errorText(err)}`);
      }
      log.warn('create attempt failed; trying again', { attempt, error: lastReason });
    }
  }
  // A failure from onEvent leaves CloudFormation with a marker id whose
  // Delete never reaches this handler: a connection made by an attempt whose
  // answer was lost would be orphaned. One last look for it.
  try {
    const made = await findExisting(spec, options.requestId, undefined);
    if (made?.VpnConnectionId) {
      log.info('adopted the connection a failed attempt made', { connectionId: made.VpnConnectionId });
      return made.VpnConnectionId;
    }
  } catch (err) {
    log.warn('final lookup failed', { error: errorText(err) });
  }
  throw new HandlerError(`CreateVpnConnection did not succeed after ${CREATE_ATTEMPTS} attempts (last: ${lastReason}); deploy again`);
}
