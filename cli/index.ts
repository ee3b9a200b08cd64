/**
 * `cdk-network-access`: the operators' command-line tool.
 *
 * Synth-time commands (cli/review.ts): `report`, `diff`, `check`.
 * Live commands (the only ones that reach AWS): `sessions` lists the
 * connections of a Client VPN endpoint, `terminate` ends the ones named.
 * Bundled by projen (esbuild) into assets/cli/index/index.js.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ClientVpnConnection,
  DescribeClientVpnConnectionsCommand,
  EC2Client,
  Filter,
  TerminateClientVpnConnectionsCommand,
} from '@aws-sdk/client-ec2';
import { Command, CommanderError, Option } from 'commander';
import { outcome, useColour, UserError } from './errors';
import { addReviewCommands } from './review';
import { renderMarkdown } from '../src/review/private/markdown';

export { UserError };

const STATUSES = ['active', 'failed-to-terminate', 'terminating', 'terminated'];
const FORMATS = ['table', 'json', 'csv'];
/** TerminateClientVpnConnections by username ends at most this many connections. */
const MAX_BY_USERNAME = 5;

function version(): string {
  // The bundle lives in assets/cli/index/; the package.json is three levels up.
  for (const candidate of [path.join(__dirname, '..', '..', '..', 'package.json'), path.join(__dirname, '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8'));
      if (pkg.name === 'cdk-network-access') {
        return String(pkg.version);
      }
    } catch {
      // try the next one
    }
  }
  return '0.0.0';
}

interface AwsOptions {
  readonly profile?: string;
  readonly region?: string;
  readonly endpointUrl?: string;
}

/**
 * The profile named by --profile or AWS_PROFILE when neither shared file has
 * a section for it, with where it looked; otherwise undefined. Without this
 * check the SDK reports the Region, not the profile, as missing.
 */
function unknownProfile(profile: string | undefined): string | undefined {
  if (!profile || profile === 'default') return undefined;
  const home = process.env.HOME ?? os.homedir();
  const config = process.env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config');
  const credentials = process.env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials');
  const sections = (file: string): string[] => {
    try {
      return [...fs.readFileSync(file, 'utf8').matchAll(/^\s*\[([^\]]+)\]\s*$/gm)].map(m => m[1].trim());
    } catch {
      return [];
    }
  };
  const known = sections(config).includes(`profile ${profile}`) || sections(credentials).includes(profile);
  return known ? undefined : `unknown AWS profile '${profile}': no [profile ${profile}] in ${config} and no [${profile}] in ${credentials}`;
}

function ec2Client(opts: AwsOptions): EC2Client {
  const missing = unknownProfile(opts.profile ?? process.env.AWS_PROFILE);
  if (missing) {
    throw new UserError(missing);
  }
  return new EC2Client({
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
    maxAttempts: 8,
    retryMode: 'standard',
  });
}

/** Turns an SDK error into a one-line message naming what caused it. */
function explain(err: unknown, endpointId: string): Error {
  if (err instanceof UserError) {
    return err;
  }
  const e = err as { name?: string; Code?: string; message?: string };
  const code = e.name ?? e.Code ?? '';
  const msg = e.message ?? String(err);
  if (code === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(msg) && code !== 'AuthFailure') {
    return new UserError(`no AWS credentials found (set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY): ${msg}`);
  }
  if (/Region is missing/i.test(msg)) {
    return new UserError('no AWS region: pass --region or set AWS_REGION');
  }
  if (code === 'UnauthorizedOperation' || code === 'AccessDenied' || code === 'AccessDeniedException' || code === 'AuthFailure') {
    return new UserError(`access denied on Client VPN endpoint ${endpointId} (${code}): ${msg}`);
  }
  if (code === 'InvalidClientVpnEndpointId.NotFound' || code === 'InvalidClientVpnEndpointId.Malformed') {
    return new UserError(`unknown Client VPN endpoint ${endpointId} (${code}): ${msg}`);
  }
  if (code === 'RequestLimitExceeded' || code === 'Throttling' || code === 'ThrottlingException') {
    return new UserError(`still throttled by EC2 after 8 attempts for Client VPN endpoint ${endpointId} (${code}); try again later`);
  }
  if (code === 'InvalidClientVpnConnection.IdNotFound' || code === 'InvalidClientVpnActiveConnection.NotFound') {
    return new UserError(`Client VPN endpoint ${endpointId}: ${code}: ${msg}`);
  }
  return new UserError(`Client VPN endpoint ${endpointId}: ${code ? `${code}: ` : ''}${msg}`);
}

interface ListOptions {
  readonly status?: string;
  readonly username?: string;
  readonly commonName?: string;
  readonly connectionId?: string[];
}

/** Every page of DescribeClientVpnConnections, filtered. */
async function listConnections(client: EC2Client, endpointId: string, opts: ListOptions): Promise<ClientVpnConnection[]> {
  // Server-side filters are those the API documents: connection-id, username.
  const filters: Filter[] = [];
  if (opts.username) {
    filters.push({ Name: 'username', Values: [opts.username] });
  }
  if (opts.connectionId && opts.connectionId.length > 0) {
    filters.push({ Name: 'connection-id', Values: opts.connectionId });
  }
  const all: ClientVpnConnection[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeClientVpnConnectionsCommand({
      ClientVpnEndpointId: endpointId,
      ...(filters.length > 0 ? { Filters: filters } : {}),
      ...(nextToken ? { NextToken: nextToken } : {}),
    }));
    all.push(...(page.Connections ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  // The same filters client-side too: status and common name have no server filter.
  return all.filter(c =>
    (!opts.status || c.Status?.Code === opts.status)
    && (!opts.username || c.Username === opts.username)
    && (!opts.commonName || c.CommonName === opts.commonName)
    && (!opts.connectionId || opts.connectionId.length === 0 || opts.connectionId.includes(c.ConnectionId ?? '')),
  );
}

const COLUMNS: Array<[string, (c: ClientVpnConnection) => string]> = [
  ['CONNECTION', c => c.ConnectionId ?? ''],
  ['USER', c => c.Username ?? c.CommonName ?? ''],
  ['CLIENT IP', c => c.ClientIp ?? ''],
  ['ESTABLISHED', c => c.ConnectionEstablishedTime ?? ''],
  ['STATUS', c => c.Status?.Code ?? ''],
  ['BYTES IN', c => c.IngressBytes ?? ''],
  ['BYTES OUT', c => c.EgressBytes ?? ''],
  ['PACKETS IN', c => c.IngressPackets ?? ''],
  ['PACKETS OUT', c => c.EgressPackets ?? ''],
];

function renderTable(rows: string[][], header: string[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const head = line(header);
  return [useColour() ? `\u001b[1m${head}\u001b[0m` : head, ...rows.map(line)].join('\n') + '\n';
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function render(connections: ClientVpnConnection[], format: string): string {
  if (format === 'json') {
    return JSON.stringify(connections.map(c => ({
      connectionId: c.ConnectionId,
      username: c.Username,
      commonName: c.CommonName,
      clientIp: c.ClientIp,
      establishedTime: c.ConnectionEstablishedTime,
      status: c.Status?.Code,
      ingressBytes: c.IngressBytes,
      egressBytes: c.EgressBytes,
      ingressPackets: c.IngressPackets,
      egressPackets: c.EgressPackets,
    })), null, 2) + '\n';
  }
  const header = COLUMNS.map(([h]) => h);
  const rows = connections.map(c => COLUMNS.map(([, f]) => f(c)));
  if (format === 'csv') {
    const csvHeader = ['connection_id', 'user', 'client_ip', 'established', 'status', 'bytes_in', 'bytes_out', 'packets_in', 'packets_out'];
    return [csvHeader, ...rows].map(r => r.map(csvCell).join(',')).join('\n') + '\n';
  }
  if (rows.length === 0) {
    return 'No connections.\n';
  }
  return renderTable(rows, header);
}

async function confirm(question: string): Promise<boolean> {
  const readline = await import('readline');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise(resolve => rl.question(question, answer => {
    rl.close();
    resolve(/^y(es)?$/i.test(answer.trim()));
  }));
}

function awsOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'AWS profile (shared config/credentials files)')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile\'s region)')
    .option('--endpoint-url <url>', 'EC2 endpoint URL (AWS_ENDPOINT_URL_EC2 is honoured too)');
}

export function program(): Command {
  const prog = new Command('cdk-network-access')
    .description('Review and operate network access declared with cdk-network-access: report, diff and check assemblies; live Client VPN sessions.')
    .version(version(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', `
Examples:
  $ cdk-network-access report cdk.out
  $ cdk-network-access diff base/cdk.out cdk.out --format markdown --fail-on widened
  $ cdk-network-access check cdk.out --intent network-intent.yaml
  $ cdk-network-access sessions cvpn-endpoint-0123456789abcdef0 --region eu-west-1
  $ cdk-network-access terminate cvpn-endpoint-0123456789abcdef0 --username alice --dry-run
  $ cdk-network-access diff --help

Exit codes: 0 ok (diff: no change), 1 error (message on stderr), 2 diff: changes, 3 diff --fail-on matched or check failed.`);

  addReviewCommands(prog, renderMarkdown);

  const sessions = awsOptions(prog.command('sessions')
    .description('List the connections of a Client VPN endpoint (every page)')
    .argument('<client-vpn-endpoint-id>', 'the Client VPN endpoint, e.g. cvpn-endpoint-0123456789abcdef0')
    .addOption(new Option('--status <status>', 'only connections in this state').choices(STATUSES))
    .option('--username <name>', 'only this user\'s connections (Active Directory / SAML user name)')
    .option('--common-name <name>', 'only connections with this common name (certificate name)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table')))
    .addHelpText('after', `
Examples:
  $ cdk-network-access sessions cvpn-endpoint-0123456789abcdef0
  $ cdk-network-access sessions cvpn-endpoint-0123456789abcdef0 --status active --format csv
  $ cdk-network-access sessions cvpn-endpoint-0123456789abcdef0 --username alice --profile prod --region eu-west-1`)
    .action(async (endpointId: string, opts: ListOptions & AwsOptions & { format: string }) => {
      const client = ec2Client(opts);
      try {
        const connections = await listConnections(client, endpointId, opts);
        process.stdout.write(render(connections, opts.format));
      } catch (err) {
        throw explain(err, endpointId);
      }
    });
  void sessions;

  awsOptions(prog.command('terminate')
    .description('End active connections of a Client VPN endpoint, after listing them')
    .argument('<client-vpn-endpoint-id>', 'the Client VPN endpoint, e.g. cvpn-endpoint-0123456789abcdef0')
    .option('--username <name>', 'end every active connection of this user')
    .option('--connection-id <id...>', 'end these connections')
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .option('--dry-run', 'list the connections that would be ended, end nothing'))
    .addHelpText('after', `
Examples:
  $ cdk-network-access terminate cvpn-endpoint-0123456789abcdef0 --username alice --dry-run
  $ cdk-network-access terminate cvpn-endpoint-0123456789abcdef0 --username alice
  $ cdk-network-access terminate cvpn-endpoint-0123456789abcdef0 --connection-id cvpn-connection-0abc cvpn-connection-0def --yes`)
    .action(async (endpointId: string, opts: AwsOptions & { username?: string; connectionId?: string[]; yes?: boolean; dryRun?: boolean }) => {
      if (!opts.username && !opts.connectionId) {
        throw new UserError('terminate: pass --username <name> or --connection-id <id...>');
      }
      if (opts.username && opts.connectionId) {
        throw new UserError('terminate: pass either --username or --connection-id, not both');
      }
      const client = ec2Client(opts);
      try {
        const targets = await listConnections(client, endpointId, { status: 'active', username: opts.username, connectionId: opts.connectionId });
        if (targets.length === 0) {
          process.stdout.write(`No active connections to end on ${endpointId}.\n`);
          return;
        }
        process.stdout.write(render(targets, 'table'));
        const noun = targets.length === 1 ? 'session' : 'sessions';
        if (opts.dryRun) {
          process.stdout.write(`Dry run: ${targets.length} ${noun} would be terminated; nothing ended.\n`);
          return;
        }
        if (!opts.yes) {
          if (!process.stdin.isTTY) {
            throw new UserError(`terminate: not a terminal, refusing to end ${targets.length} ${noun} on ${endpointId} without confirmation; pass --yes`);
          }
          if (!await confirm(`Terminate ${targets.length} ${noun}? [y/N] `)) {
            process.stdout.write('Nothing ended.\n');
            return;
          }
        }
        const statuses: Array<{ id: string; previous: string; current: string }> = [];
        if (opts.username && targets.length <= MAX_BY_USERNAME) {
          // One call ends every connection of the user (at most five).
          const out = await client.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: endpointId, Username: opts.username }));
          for (const s of out.ConnectionStatuses ?? []) {
            statuses.push({ id: s.ConnectionId ?? '', previous: s.PreviousStatus?.Code ?? '', current: s.CurrentStatus?.Code ?? '' });
          }
        } else {
          for (const c of targets) {
            const input = { ClientVpnEndpointId: endpointId, ConnectionId: c.ConnectionId };
            const out = await client.send(new TerminateClientVpnConnectionsCommand(input));
            for (const s of out.ConnectionStatuses ?? []) {
              statuses.push({ id: s.ConnectionId ?? '', previous: s.PreviousStatus?.Code ?? '', current: s.CurrentStatus?.Code ?? '' });
            }
          }
        }
        process.stdout.write(renderTable(statuses.map(s => [s.id, s.previous, s.current]), ['CONNECTION', 'PREVIOUS', 'CURRENT']));
      } catch (err) {
        throw explain(err, endpointId);
      }
    });

  return prog;
}

export async function main(argv: string[]): Promise<number> {
  const prog = program();
  try {
    outcome.code = 0;
    await prog.parseAsync(argv);
    return outcome.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help, the version or the usage error.
      return err.exitCode === 0 ? 0 : 1;
    }
    if (err instanceof UserError) {
      process.stderr.write(`cdk-network-access: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`cdk-network-access: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv).then(code => {
    process.exitCode = code;
  });
}
