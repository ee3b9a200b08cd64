/**
 * (g) `diff` of two synthesized assemblies with 5,000 grants each, and
 * (h) `sessions` over 10,000 connections from the simulated EC2 endpoint:
 * both run the built binary (assets/cli/index/index.js) as a user would.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { median } from './stats';
import { Table } from './table';
import { ClientVpnAuthorizations } from '../src';
import { SimulatedEc2 } from '../test/cli/support/simulated-ec2';

const BIN = path.join(__dirname, '..', 'assets', 'cli', 'index', 'index.js');

export interface CliBenchOptions {
  /** Endpoints and security groups; grants = 2 x n x perEntity. */
  readonly entities: number;
  readonly perEntity: number;
  /** Entities changed in head: one rule added (widened) / one ingress removed (narrowed) each. */
  readonly changed: number;
  readonly repetitions: number;
  readonly connections: number;
  readonly pageSize: number;
  readonly workDir: string;
}

function synth(outdir: string, o: CliBenchOptions, head: boolean): void {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1, ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16') });
  for (let i = 0; i < o.entities; i++) {
    const endpoint = vpc.addClientVpnEndpoint(`Endpoint${i}`, {
      cidr: `172.${16 + Math.floor(i / 64)}.${(i % 64) * 4}.0/22`,
      serverCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/server',
      clientCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/client',
      authorizeAllUsersToVpcCidr: false,
    });
    const count = o.perEntity + (head && i < o.changed ? 1 : 0);
    new ClientVpnAuthorizations(stack, `Access${i}`, {
      clientVpnEndpoint: endpoint,
      ruleQuota: o.perEntity + 10,
      rules: Array.from({ length: count }, (_, j) => ({ cidr: `10.0.${j}.${i * 4}/30`, groupId: `g${j % 10}` })),
    });
    const sg = new ec2.SecurityGroup(stack, `Sg${i}`, { vpc, securityGroupName: `bench-${i}`, allowAllOutbound: false });
    const ingress = o.perEntity - (head && i < o.changed ? 1 : 0);
    for (let j = 0; j < ingress; j++) {
      sg.addIngressRule(ec2.Peer.ipv4(`10.0.${j}.${i * 4}/30`), ec2.Port.tcp(443));
    }
  }
  app.synth();
}

function runBin(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; ms: number }> {
  return new Promise(resolve => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', d => stdout += d);
    child.on('close', code => resolve({ code, stdout, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}

export interface CliBenchResult {
  readonly grantsBase: number;
  readonly grantsHead: number;
  readonly diffMs: number[];
  readonly diffCode: number | null;
  readonly changes: { widened: number; narrowed: number; moved: number };
  readonly sessionsMs: number[];
  readonly sessionsListed: number;
  readonly sessionsPages: number;
  readonly sessionsCalls: number;
}

export async function measureCli(o: CliBenchOptions): Promise<CliBenchResult> {
  fs.rmSync(o.workDir, { recursive: true, force: true });
  const base = path.join(o.workDir, 'base');
  const head = path.join(o.workDir, 'head');
  synth(base, o, false);
  synth(head, o, true);
  const grants = (dir: string) => {
    const r = spawnSync(process.execPath, [BIN, 'report', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return (JSON.parse(r.stdout) as { summary: { grants: number } }).summary.grants;
  };
  const grantsBase = grants(base);
  const grantsHead = grants(head);
  const diffMs: number[] = [];
  let last = { code: null as number | null, stdout: '' };
  for (let i = 0; i < o.repetitions; i++) {
    const r = await runBin(['diff', base, head, '--format', 'json']);
    diffMs.push(r.ms);
    last = r;
  }
  const summary = JSON.parse(last.stdout).summary;

  const sim = new SimulatedEc2();
  const url = await sim.start();
  const EP = 'cvpn-endpoint-0123456789abcdef0';
  sim.pageSize = o.pageSize;
  sim.connections.set(EP, Array.from({ length: o.connections }, (_, i) => ({
    id: `cvpn-connection-${String(i).padStart(17, '0')}`,
    username: `user${i % 500}`,
    commonName: `user${i % 500}.example.com`,
    clientIp: `10.${Math.floor(i / 65536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`,
    status: 'active',
  })));
  const env = {
    AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_EC2: url,
  };
  const sessionsMs: number[] = [];
  let listed = 0;
  let calls = 0;
  try {
    for (let i = 0; i < o.repetitions; i++) {
      sim.calls.length = 0;
      const r = await runBin(['sessions', EP, '--format', 'json'], env);
      if (r.code !== 0) throw new Error(`sessions exited ${r.code}`);
      sessionsMs.push(r.ms);
      listed = (JSON.parse(r.stdout) as unknown[]).length;
      calls = sim.calls.length;
    }
  } finally {
    await sim.stop();
  }
  const pages = sim.calls.filter(c => c.action === 'DescribeClientVpnConnections').length;
  fs.rmSync(o.workDir, { recursive: true, force: true });
  return {
    grantsBase,
    grantsHead,
    diffMs,
    diffCode: last.code,
    changes: summary,
    sessionsMs,
    sessionsListed: listed,
    sessionsPages: pages,
    sessionsCalls: calls,
  };
}

export function cliTables(r: CliBenchResult, o: CliBenchOptions): Table[] {
  const ms = (v: number[]) => [median(v).toFixed(0), Math.min(...v).toFixed(0)];
  return [{
    title: `(g) CLI diff: two synthesized assemblies, ${o.entities} endpoints x ${o.perEntity} rules + ${o.entities} security groups x ${o.perEntity} ingress`,
    headers: ['grants base / head', 'changes (widened / narrowed / moved)', 'exit code', 'median ms', 'min ms', 'runs'],
    align: ['left', 'left', 'right', 'right', 'right', 'right'],
    rows: [[`${r.grantsBase} / ${r.grantsHead}`, `${r.changes.widened} / ${r.changes.narrowed} / ${r.changes.moved}`, `${r.diffCode}`, ...ms(r.diffMs), `${o.repetitions}`]],
    notes: [
      'Wall time of `node assets/cli/index/index.js diff base head --format json`: process start, reading both assemblies, '
      + 'the review of each, the diff and the JSON output.',
      `Head adds one Client VPN rule to ${o.changed} endpoints and removes one ingress from ${o.changed} security groups.`,
    ],
  }, {
    title: `(h) CLI sessions: ${o.connections} connections from the simulated EC2 endpoint, page size ${o.pageSize}`,
    headers: ['connections listed', 'Describe pages', 'HTTP calls', 'median ms', 'min ms', 'runs'],
    align: ['right', 'right', 'right', 'right', 'right', 'right'],
    rows: [[`${r.sessionsListed}`, `${r.sessionsPages}`, `${r.sessionsCalls}`, ...ms(r.sessionsMs), `${o.repetitions}`]],
    notes: ['Wall time of `sessions <endpoint> --format json` (process start included); pages and calls counted by the simulated endpoint in the last run.'],
  }];
}
