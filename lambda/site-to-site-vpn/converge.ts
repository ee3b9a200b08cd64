/**
 * One `isComplete` pass of a Create or Update: describe the connection, make
 * at most one change that puts it into `modifying`, and report whether it
 * matches the declaration.
 *
 * Stateless apart from the event: every pass re-derives the next step from
 * DescribeVpnConnections (and the pre-shared key marker tags), so a crashed
 * pass, a duplicate delivery or a rollback (an Update with old and new
 * swapped) simply observes a different connection. The order of steps:
 * tags, gateways (ModifyVpnConnection), network CIDRs
 * (ModifyVpnConnectionOptions), then tunnels (ModifyVpnTunnelOptions), one
 * tunnel per pass, never while the connection is not `available` and never
 * while the other tunnel is still recovering from a change, so that one
 * tunnel always carries traffic.
 */
import { Tag, TunnelOption, VgwTelemetry, VpnConnection } from '@aws-sdk/client-ec2';
import { connectionAttributes } from './attributes';
import {
  createTags,
  deleteTags,
  describeConnection,
  modifyConnectionGateway,
  modifyConnectionOptions,
  modifyTunnel,
  preSharedKeyTagKey,
  tagValue,
} from './ec2-vpn';
import { callFailed, DeadlineReached, gatewayOrQuotaProblem, waitFor } from './outcome';
import { TunnelSpec, VpnSpec } from './properties';
import { errorText, readPreSharedKeys, scrub, writeConfiguration } from './secrets';
import { preSharedKeyMarker, tunnelDifference } from './tunnel-options';
import { clock } from '../shared/clock';
import { workBudgetSeconds } from '../shared/deadline';
import { HandlerError } from '../shared/errors';
import { IsCompleteResponse } from '../shared/events';
import { log } from '../shared/log';
import { logRemaining, nameWithinBudget } from '../shared/remaining';
import { guardData } from '../shared/response';

export interface ConvergeTarget {
  readonly requestType: 'Create' | 'Update';
  readonly connectionId: string;
  readonly spec: VpnSpec;
  /** The previous declaration of an in-place Update: user tags it had and the new one drops are removed. */
  readonly oldSpec?: VpnSpec;
  readonly deadline?: number;
}

/**
 * EC2 is eventually consistent: a connection just created may be unknown to
 * DescribeVpnConnections for a moment. Not found within this time of the
 * request's start is waited on; later it is a failure.
 */
export const NOT_FOUND_GRACE_MS = 5 * 60_000;

/**
 * A tunnel that went DOWN this recently may be coming back from our own
 * previous change; the other tunnel waits for it. One that has been down
 * longer (the customer device is not connected yet) does not hold anything up.
 */
export const TUNNEL_RECOVERY_GRACE_MS = 5 * 60_000;

export async function convergePass(target: ConvergeTarget): Promise<IsCompleteResponse> {
  const { connectionId: id, deadline } = target;
  let connection: VpnConnection | undefined;
  try {
    connection = await describeConnection(id);
  } catch (err) {
    return callFailed(id, deadline, 'DescribeVpnConnections', id, err);
  }
  if (!connection) {
    if (startedWithin(deadline, NOT_FOUND_GRACE_MS)) {
      return waitFor(id, deadline, 'not visible to DescribeVpnConnections yet');
    }
    throw new HandlerError(`VPN connection ${id} does not exist (deleted outside CloudFormation?); deploy again to create a new one`);
  }
  try {
    return await passOn(target, connection);
  } catch (err) {
    if (err instanceof DeadlineReached) {
      throw withRemainingTunnels(err, target.spec, connection);
    }
    throw err;
  }
}

async function passOn(target: ConvergeTarget, connection: VpnConnection): Promise<IsCompleteResponse> {
  const { connectionId: id, deadline } = target;
  const state = String(connection.State ?? 'unknown');
  if (state === 'pending' || state === 'modifying') {
    return waitFor(id, deadline, `connection state '${state}'`);
  }
  if (state !== 'available') {
    throw new HandlerError(stateFailure(connection, state));
  }

  const tagged = await syncTags(target, connection);
  if (tagged) {
    return tagged;
  }
  const step = await gatewayStep(target, connection)
    ?? await optionsStep(target, connection)
    ?? await tunnelStep(target, connection);
  if (step) {
    return step;
  }
  return complete(target, connection);
}

/**
 * `tunnel 1 (203.0.113.1): Phase1LifetimeSeconds, PreSharedKey`: each tunnel
 * whose options still differ from the declaration, by index and outside IP,
 * with what is pending (option names only, never a value).
 */
export function remainingTunnels(spec: VpnSpec, connection: VpnConnection): string[] {
  return (connection.Options?.TunnelOptions ?? []).flatMap((tunnel, i) => {
    const change = tunnelChange(spec, connection, tunnel, i);
    return change ? [`tunnel ${i + 1} (${tunnel.OutsideIpAddress ?? 'no outside IP'}): ${describeChange(change)}`] : [];
  });
}

/**
 * A deadline failure that names the tunnel modifications still pending, as
 * many as fit in the reason; the full list goes to the log.
 */
function withRemainingTunnels(err: DeadlineReached, spec: VpnSpec, connection: VpnConnection): HandlerError {
  const remaining = remainingTunnels(spec, connection);
  if (remaining.length === 0) {
    return err;
  }
  logRemaining('tunnel modifications', remaining, { connectionId: connection.VpnConnectionId });
  const noun = remaining.length === 1 ? 'tunnel' : 'tunnels';
  return new HandlerError(`${err.message}; ${remaining.length} ${noun} still to change: ${nameWithinBudget(remaining)}`);
}

function startedWithin(deadline: number | undefined, ms: number): boolean {
  if (deadline === undefined) {
    return false;
  }
  const started = deadline - workBudgetSeconds() * 1000;
  return clock.now() - started < ms;
}

/** `VPN connection vpn-1 is in state 'deleted'; tunnel 1 (203.0.113.1) DOWN: <AWS's message>`. */
function stateFailure(connection: VpnConnection, state: string): string {
  const telemetry = (connection.VgwTelemetry ?? [])
    .map((t, i) => `tunnel ${i + 1} (${t.OutsideIpAddress ?? '?'}) ${t.Status ?? '?'}${t.StatusMessage ? `: ${t.StatusMessage}` : ''}`);
  const detail = telemetry.length > 0 ? `; ${telemetry.join('; ')}` : '';
  return scrub(`VPN connection ${connection.VpnConnectionId} is in state '${state}' and will not become available${detail}`);
}

/** User tags: set what is declared, remove what the previous declaration had and this one dropped. */
async function syncTags(target: ConvergeTarget, connection: VpnConnection): Promise<IsCompleteResponse | undefined> {
  const id = target.connectionId;
  const observed = new Map((connection.Tags ?? []).map(tag => [tag.Key ?? '', tag.Value ?? '']));
  const toSet: Tag[] = target.spec.tags
    .filter(tag => observed.get(tag.key) !== tag.value)
    .map(tag => ({ Key: tag.key, Value: tag.value }));
  const declared = new Set(target.spec.tags.map(tag => tag.key));
  const toRemove = (target.oldSpec?.tags ?? [])
    .map(tag => tag.key)
    .filter(key => !declared.has(key) && observed.has(key));
  try {
    if (toSet.length > 0) {
      await createTags(id, toSet);
    }
    if (toRemove.length > 0) {
      await deleteTags(id, toRemove);
    }
  } catch (err) {
    return callFailed(id, target.deadline, 'CreateTags/DeleteTags', id, err);
  }
  if (toSet.length + toRemove.length > 0) {
    log.info('tags updated', { connectionId: id, set: toSet.map(t => t.Key), removed: toRemove });
  }
  return undefined;
}

/** ModifyVpnConnection: the target gateway first, then the customer gateway, one per pass. */
async function gatewayStep(target: ConvergeTarget, connection: VpnConnection): Promise<IsCompleteResponse | undefined> {
  const { spec, connectionId: id, deadline } = target;
  const targetDiffers = spec.transitGatewayId
    ? connection.TransitGatewayId !== spec.transitGatewayId
    : connection.VpnGatewayId !== spec.vpnGatewayId || !!connection.TransitGatewayId;
  let change: { VpnGatewayId?: string; TransitGatewayId?: string; CustomerGatewayId?: string } | undefined;
  let what = '';
  if (targetDiffers) {
    change = spec.transitGatewayId ? { TransitGatewayId: spec.transitGatewayId } : { VpnGatewayId: spec.vpnGatewayId };
    what = `gateway ${connection.TransitGatewayId ?? connection.VpnGatewayId ?? '(none)'} -> ${spec.transitGatewayId ?? spec.vpnGatewayId}`;
  } else if (connection.CustomerGatewayId !== spec.customerGatewayId) {
    change = { CustomerGatewayId: spec.customerGatewayId };
    what = `customer gateway ${connection.CustomerGatewayId ?? '(none)'} -> ${spec.customerGatewayId}`;
  }
  if (!change) {
    return undefined;
  }
  try {
    await modifyConnectionGateway(id, change);
  } catch (err) {
    return callFailed(id, deadline, 'ModifyVpnConnection', `${id} (${what})`, err, e => {
      const problem = gatewayOrQuotaProblem(e, spec);
      return problem ? `ModifyVpnConnection of ${id} failed: ${problem}` : undefined;
    });
  }
  log.info('ModifyVpnConnection started', { connectionId: id, change: what });
  return waitFor(id, deadline, `ModifyVpnConnection started (${what})`);
}

const NETWORK_DEFAULTS = { ipv4: '0.0.0.0/0', ipv6: '::/0' } as const;

/** ModifyVpnConnectionOptions for the network CIDRs of the connection's inside IP version and the tunnel bandwidth. */
async function optionsStep(target: ConvergeTarget, connection: VpnConnection): Promise<IsCompleteResponse | undefined> {
  const { spec, connectionId: id, deadline } = target;
  const options = connection.Options ?? {};
  const pairs: Array<[string, string | undefined, string | undefined, string]> = spec.tunnelInsideIpVersion === 'ipv6'
    ? [
      ['LocalIpv6NetworkCidr', spec.localIpv6NetworkCidr, options.LocalIpv6NetworkCidr, NETWORK_DEFAULTS.ipv6],
      ['RemoteIpv6NetworkCidr', spec.remoteIpv6NetworkCidr, options.RemoteIpv6NetworkCidr, NETWORK_DEFAULTS.ipv6],
    ]
    : [
      ['LocalIpv4NetworkCidr', spec.localIpv4NetworkCidr, options.LocalIpv4NetworkCidr, NETWORK_DEFAULTS.ipv4],
      ['RemoteIpv4NetworkCidr', spec.remoteIpv4NetworkCidr, options.RemoteIpv4NetworkCidr, NETWORK_DEFAULTS.ipv4],
    ];
  // Tunnel bandwidth rides on the same call; connections made before it
  // existed describe no bandwidth, which is AWS's 'standard'.
  pairs.push(['TunnelBandwidth', spec.tunnelBandwidth, options.TunnelBandwidth, 'standard']);
  const changes = pairs.filter(([, want, have, fallback]) => (want ?? fallback) !== (have ?? fallback));
  if (changes.length === 0) {
    return undefined;
  }
  const input = Object.fromEntries(changes.map(([name, want, , fallback]) => [name, want ?? fallback]));
  const names = changes.map(([name]) => name).join(', ');
  try {
    await modifyConnectionOptions({ VpnConnectionId: id, ...input });
  } catch (err) {
    return callFailed(id, deadline, 'ModifyVpnConnectionOptions', `${id} (${names})`, err);
  }
  log.info('ModifyVpnConnectionOptions started', { connectionId: id, options: names });
  return waitFor(id, deadline, `ModifyVpnConnectionOptions started (${names})`);
}

interface TunnelChange {
  readonly options: readonly string[];
  readonly preSharedKey: boolean;
}

function tunnelChange(spec: VpnSpec, connection: VpnConnection, observed: TunnelOption, index: number): TunnelChange | undefined {
  const want: TunnelSpec = spec.tunnels[index] ?? {};
  const difference = tunnelDifference(want, observed);
  const ref = want.preSharedKey;
  const preSharedKey = ref !== undefined
    && tagValue(connection, preSharedKeyTagKey(index)) !== preSharedKeyMarker(ref.secretArn, ref.field, ref.version);
  return difference.options.length > 0 || preSharedKey ? { options: difference.options, preSharedKey } : undefined;
}

function telemetryOf(connection: VpnConnection, tunnel: TunnelOption | undefined, index: number): VgwTelemetry | undefined {
  const telemetry = connection.VgwTelemetry ?? [];
  return (tunnel?.OutsideIpAddress ? telemetry.find(t => t.OutsideIpAddress === tunnel.OutsideIpAddress) : undefined) ?? telemetry[index];
}

/** The first tunnel that differs from its declaration gets its ModifyVpnTunnelOptions; the others wait. */
async function tunnelStep(target: ConvergeTarget, connection: VpnConnection): Promise<IsCompleteResponse | undefined> {
  const { spec, connectionId: id, deadline } = target;
  const tunnels = connection.Options?.TunnelOptions ?? [];
  if (spec.tunnels.length > tunnels.length) {
    // moto, for one, reports no tunnel options at all: nothing to compare with.
    log.warn('DescribeVpnConnections reports fewer tunnels than declared; the extra declarations are not checked', {
      connectionId: id, declared: spec.tunnels.length, reported: tunnels.length,
    });
  }
  const index = tunnels.findIndex((tunnel, i) => tunnelChange(spec, connection, tunnel, i) !== undefined);
  if (index < 0) {
    return undefined;
  }
  const tunnel = tunnels[index];
  const change = tunnelChange(spec, connection, tunnel, index) as TunnelChange;
  const n = index + 1;

  for (let other = 0; other < tunnels.length; other++) {
    const telemetry = other === index ? undefined : telemetryOf(connection, tunnels[other], other);
    const since = telemetry?.LastStatusChange?.getTime();
    if (telemetry?.Status === 'DOWN' && since !== undefined && clock.now() - since < TUNNEL_RECOVERY_GRACE_MS) {
      return waitFor(id, deadline, `tunnel ${n} waits until tunnel ${other + 1} (${telemetry.OutsideIpAddress ?? '?'}), `
        + `DOWN since ${new Date(since).toISOString()}, is UP again, so that one tunnel stays up`);
    }
  }
  if (!tunnel.OutsideIpAddress) {
    throw new HandlerError(`VPN connection ${id}: tunnel ${n} needs ${describeChange(change)} but DescribeVpnConnections reports no outside IP address to name it by`);
  }

  const { modification } = tunnelDifference(spec.tunnels[index] ?? {}, tunnel);
  const what = `tunnel ${n} (${tunnel.OutsideIpAddress}) of ${id}`;
  try {
    const keys = change.preSharedKey ? await readPreSharedKeys([{ index, spec: spec.tunnels[index] }]) : new Map<number, string>();
    await modifyTunnel(id, tunnel.OutsideIpAddress, modification, keys.get(index));
  } catch (err) {
    return callFailed(id, deadline, 'ModifyVpnTunnelOptions', `${what}: ${describeChange(change)}`, err);
  }
  log.info('ModifyVpnTunnelOptions started', { connectionId: id, tunnel: n, options: change.options, preSharedKeyChanged: change.preSharedKey });
  if (change.preSharedKey) {
    await recordPreSharedKey(id, index, spec.tunnels[index]);
  }
  return waitFor(id, deadline, `ModifyVpnTunnelOptions of tunnel ${n} started (${describeChange(change)}); the other tunnel is left alone until it is done`);
}

function describeChange(change: TunnelChange): string {
  return [...change.options, ...(change.preSharedKey ? ['PreSharedKey'] : [])].join(', ');
}

/**
 * Marks the tunnel's key as applied. If this fails, the next pass sends the
 * same key to the same tunnel once more: a second brief outage of that
 * tunnel only, which is better than believing a key applied that was not.
 */
async function recordPreSharedKey(connectionId: string, index: number, spec: TunnelSpec): Promise<void> {
  const ref = spec.preSharedKey;
  if (!ref) {
    return;
  }
  try {
    await createTags(connectionId, [{ Key: preSharedKeyTagKey(index), Value: preSharedKeyMarker(ref.secretArn, ref.field, ref.version) }]);
  } catch (err) {
    log.warn('could not record the applied pre-shared key; the next pass applies it again', {
      connectionId, tunnel: index + 1, error: errorText(err),
    });
  }
}

/** Everything matches: write the configuration secret and answer with every attribute. */
async function complete(target: ConvergeTarget, connection: VpnConnection): Promise<IsCompleteResponse> {
  const { spec, connectionId: id, deadline } = target;
  let written = false;
  try {
    if (connection.CustomerGatewayConfiguration) {
      written = await writeConfiguration(spec.configurationSecretArn, connection.CustomerGatewayConfiguration);
    } else {
      log.warn('DescribeVpnConnections returned no CustomerGatewayConfiguration; the configuration secret is left as it is', { connectionId: id });
    }
  } catch (err) {
    return callFailed(id, deadline, 'writing the configuration', spec.configurationSecretArn, err);
  }
  let data: Record<string, string>;
  try {
    data = guardData(await connectionAttributes(connection, spec.configurationSecretArn));
  } catch (err) {
    return callFailed(id, deadline, 'reading the gateways', id, err, e => {
      const problem = gatewayOrQuotaProblem(e, spec);
      return problem ? `reading the attributes of ${id} failed: ${problem}` : undefined;
    });
  }
  log.info('connection in place', { connectionId: id, requestType: target.requestType, configurationWritten: written });
  return { IsComplete: true, Data: data };
}
