/**
 * EC2 and S3 mock helpers of the sessions handler tests, on top of the shared
 * EC2 mock (which rejects any command not set up, captures logs and runs a
 * manual clock).
 */
import {
  DescribeClientVpnConnectionsCommand,
  DescribeClientVpnConnectionsCommandInput,
  ExportClientVpnClientCertificateRevocationListCommand,
  ImportClientVpnClientCertificateRevocationListCommand,
  ImportClientVpnClientCertificateRevocationListCommandInput,
  TerminateClientVpnConnectionsCommand,
  TerminateClientVpnConnectionsCommandInput,
} from '@aws-sdk/client-ec2';
import { ec2 } from '../ec2-mock';
import { ConnectionSpec, wireConnection } from './fixtures';

/**
 * Successive DescribeClientVpnConnections answers, one listing per pass
 * (each a single page); the last one repeats.
 */
export function listings(...passes: ConnectionSpec[][]): void {
  const describe = ec2.on(DescribeClientVpnConnectionsCommand);
  passes.forEach((connections, index) => {
    const output = { Connections: connections.map(wireConnection) };
    if (index === passes.length - 1) {
      describe.resolves(output);
    } else {
      describe.resolvesOnce(output);
    }
  });
}

/** Terminate answers like EC2: the named connection (or user) goes `terminating`. */
export function terminateSucceeds(): void {
  ec2.on(TerminateClientVpnConnectionsCommand).callsFake((input: TerminateClientVpnConnectionsCommandInput) => ({
    ClientVpnEndpointId: input.ClientVpnEndpointId,
    ...(input.Username ? { Username: input.Username } : {}),
    ConnectionStatuses: input.ConnectionId
      ? [{ ConnectionId: input.ConnectionId, PreviousStatus: { Code: 'active' }, CurrentStatus: { Code: 'terminating' } }]
      : [],
  }));
}

export function describeCalls(): DescribeClientVpnConnectionsCommandInput[] {
  return ec2.commandCalls(DescribeClientVpnConnectionsCommand).map(call => call.args[0].input);
}

export function terminateCalls(): TerminateClientVpnConnectionsCommandInput[] {
  return ec2.commandCalls(TerminateClientVpnConnectionsCommand).map(call => call.args[0].input);
}

/** What each Terminate named: `user:<name>` or the connection id. */
export function terminateTargets(): string[] {
  return terminateCalls().map(call => (call.Username !== undefined ? `user:${call.Username}` : call.ConnectionId ?? '?'));
}

export function importCalls(): ImportClientVpnClientCertificateRevocationListCommandInput[] {
  return ec2.commandCalls(ImportClientVpnClientCertificateRevocationListCommand).map(call => call.args[0].input);
}

export function exportCallCount(): number {
  return ec2.commandCalls(ExportClientVpnClientCertificateRevocationListCommand).length;
}
