/**
 * Builders for the engine's aws-sdk-client-mock tests: connections as
 * DescribeClientVpnConnections reports them, and accessors for the calls made.
 */
import {
  ClientVpnConnection,
  DescribeClientVpnConnectionsCommand,
  DescribeClientVpnConnectionsCommandInput,
  TerminateClientVpnConnectionsCommand,
  TerminateClientVpnConnectionsCommandInput,
  TerminateClientVpnConnectionsCommandOutput,
} from '@aws-sdk/client-ec2';
import { ec2 } from '../../ec2-mock';
import { ENDPOINT } from '../../fixtures';

export type Status = 'active' | 'failed-to-terminate' | 'terminating' | 'terminated';

export interface ConnectionSpec {
  readonly username?: string;
  readonly commonName?: string;
  readonly status?: Status;
  /** As the API writes it, e.g. `2029-12-31 23:00:00`. @default '2029-12-31 23:00:00' */
  readonly established?: string;
}

/** A connection record with every field the API reference shows. */
export function connection(id: string, spec: ConnectionSpec): ClientVpnConnection {
  const status = spec.status ?? 'active';
  return {
    ClientVpnEndpointId: ENDPOINT,
    Timestamp: '2030-01-01 00:00:00',
    ConnectionId: id,
    ...(spec.username !== undefined ? { Username: spec.username } : {}),
    ConnectionEstablishedTime: spec.established ?? '2029-12-31 23:00:00',
    IngressBytes: '32302',
    EgressBytes: '5696',
    IngressPackets: '332',
    EgressPackets: '67',
    ClientIp: '172.31.0.225',
    CommonName: spec.commonName ?? spec.username ?? '',
    Status: { Code: status },
    ConnectionEndTime: status === 'terminated' ? '2029-12-31 23:30:00' : '-',
  };
}

/** Every Describe answers with these connections, in one page. */
export function listing(...connections: ClientVpnConnection[]): void {
  ec2.on(DescribeClientVpnConnectionsCommand).resolves({ Connections: connections });
}

/** Every Terminate succeeds, reporting the named connection (or, by Username, `byUser[username]`) as terminating. */
export function terminateSucceeds(byUser: Record<string, string[]> = {}): void {
  ec2.on(TerminateClientVpnConnectionsCommand).callsFake((input: TerminateClientVpnConnectionsCommandInput) => terminatedOutput(input, byUser));
}

export function terminatedOutput(
  input: TerminateClientVpnConnectionsCommandInput,
  byUser: Record<string, string[]> = {},
): TerminateClientVpnConnectionsCommandOutput {
  const ids = input.ConnectionId !== undefined ? [input.ConnectionId] : byUser[input.Username ?? ''] ?? [];
  return {
    ClientVpnEndpointId: input.ClientVpnEndpointId,
    ...(input.Username !== undefined ? { Username: input.Username } : {}),
    ConnectionStatuses: ids.map(id => ({ ConnectionId: id, PreviousStatus: { Code: 'active' }, CurrentStatus: { Code: 'terminating' } })),
    $metadata: {},
  };
}

export function describeInputs(): DescribeClientVpnConnectionsCommandInput[] {
  return ec2.commandCalls(DescribeClientVpnConnectionsCommand).map(call => call.args[0].input);
}

export function terminateInputs(): TerminateClientVpnConnectionsCommandInput[] {
  return ec2.commandCalls(TerminateClientVpnConnectionsCommand).map(call => call.args[0].input);
}

/** `id:<connection>` or `user:<name>` per Terminate call, in order. */
export function terminateTargets(): string[] {
  return terminateInputs().map(input => (input.ConnectionId !== undefined ? `id:${input.ConnectionId}` : `user:${input.Username}`));
}
