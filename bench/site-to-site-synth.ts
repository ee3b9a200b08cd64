/**
 * Synth time and template size of site-to-site VPN connections: our
 * SiteToSiteVpn with every tunnel option against aws-cdk-lib's
 * ec2.VpnConnection with what it supports (two tunnel options per tunnel:
 * inside CIDR and pre-shared key), for the same number of connections on the
 * same virtual private gateway, in the same process.
 *
 * One sample = a fresh App, its stack and connections, then `app.synth()`.
 * The two variants alternate within each repetition so that drift in machine
 * load hits both; the result is the ratio of the medians.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { elapsedMs, formatKb, formatMs, formatRatio, median, minimum } from './stats';
import { Table } from './table';
import {
  SiteToSiteVpn,
  SiteToSiteVpnTunnelOptions,
  VpnDhGroup,
  VpnDpdTimeoutAction,
  VpnEncryptionAlgorithm,
  VpnIkeVersion,
  VpnIntegrityAlgorithm,
  VpnTunnelStartupAction,
} from '../src';
import { SITE_TO_SITE_VPN_RESOURCE_TYPE } from '../src/private/contract/site-to-site-vpn';

export interface SiteToSiteSynthOptions {
  /** Connections per app. */
  readonly connections: number;
  /** Untimed samples per variant before the timed ones. */
  readonly warmup: number;
  readonly repetitions: number;
  /** Scratch directory for cloud assemblies (gitignored bench/.work/). */
  readonly workDir: string;
}

type Variant = 'ours' | 'aws-cdk-lib';

interface Sample {
  readonly ms: number;
  readonly resources: number;
  readonly connectionResources: number;
  readonly templateBytes: number;
}

const STACK_NAME = 'BenchSiteToSiteVpn';

function insideCidr(connection: number, tunnel: 1 | 2): string {
  // Distinct, unreserved /30s: 169.254.(10 + i).(0|4)/30.
  return `169.254.${10 + connection}.${tunnel === 1 ? 0 : 4}/30`;
}

function fullTunnel(connection: number, tunnel: 1 | 2, psk: secretsmanager.ISecret, logGroup: logs.ILogGroup): SiteToSiteVpnTunnelOptions {
  return {
    insideCidr: insideCidr(connection, tunnel),
    preSharedKey: psk,
    preSharedKeyField: `tunnel${tunnel}`,
    phase1Lifetime: Duration.hours(4),
    phase2Lifetime: Duration.minutes(50),
    rekeyMargin: Duration.minutes(10),
    rekeyFuzzPercentage: 50,
    replayWindowSize: 2048,
    dpdTimeout: Duration.seconds(40),
    dpdTimeoutAction: VpnDpdTimeoutAction.RESTART,
    phase1EncryptionAlgorithms: [VpnEncryptionAlgorithm.AES256_GCM_16],
    phase2EncryptionAlgorithms: [VpnEncryptionAlgorithm.AES256_GCM_16],
    phase1IntegrityAlgorithms: [VpnIntegrityAlgorithm.SHA2_384],
    phase2IntegrityAlgorithms: [VpnIntegrityAlgorithm.SHA2_384],
    phase1DhGroups: [VpnDhGroup.GROUP_20],
    phase2DhGroups: [VpnDhGroup.GROUP_20],
    ikeVersions: [VpnIkeVersion.IKEV2],
    startupAction: VpnTunnelStartupAction.START,
    enableTunnelLifecycleControl: true,
    logGroup,
  };
}

function buildApp(variant: Variant, connections: number, outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, STACK_NAME, { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, vpnGateway: true, vpnGatewayAsn: 64512 });
  for (let i = 0; i < connections; i++) {
    const ip = `198.51.100.${i + 1}`;
    if (variant === 'ours') {
      const psk = secretsmanager.Secret.fromSecretNameV2(stack, `Psk${i}`, `vpn/psk-${i}`);
      const logGroup = logs.LogGroup.fromLogGroupName(stack, `Logs${i}`, `/vpn/${i}`);
      new SiteToSiteVpn(stack, `Vpn${i}`, {
        vpc,
        customerGateway: { ipAddress: ip, bgpAsn: 65000 + i },
        tunnel1: fullTunnel(i, 1, psk, logGroup),
        tunnel2: fullTunnel(i, 2, psk, logGroup),
      });
    } else {
      // Everything aws-cdk-lib's VpnConnection offers per tunnel. Its key is a
      // SecretValue it unwraps into the template; a dynamic reference keeps
      // the benchmark's template free of literal keys.
      new ec2.VpnConnection(stack, `Vpn${i}`, {
        vpc,
        ip,
        asn: 65000 + i,
        tunnelOptions: ([1, 2] as const).map(tunnel => ({
          tunnelInsideCidr: insideCidr(i, tunnel),
          preSharedKeySecret: SecretValue.secretsManager(`vpn/psk-${i}`, { jsonField: `tunnel${tunnel}` }),
        })),
      });
    }
  }
  return app;
}

let serial = 0;

function synthOnce(variant: Variant, connections: number, workDir: string): Sample {
  const outdir = path.join(workDir, `s2s-${process.pid}-${++serial}`);
  try {
    const start = process.hrtime.bigint();
    const assembly = buildApp(variant, connections, outdir).synth();
    const ms = elapsedMs(start);
    const stack = assembly.getStackByName(STACK_NAME);
    const types = Object.values((stack.template as { Resources: Record<string, { Type: string }> }).Resources).map(r => r.Type);
    const connectionType = variant === 'ours' ? SITE_TO_SITE_VPN_RESOURCE_TYPE : 'AWS::EC2::VPNConnection';
    return {
      ms,
      resources: types.length,
      connectionResources: types.filter(t => t === connectionType).length,
      templateBytes: fs.statSync(path.join(assembly.directory, stack.templateFile)).size,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Measure both variants, interleaved, and return the table (rows: ours,
 * aws-cdk-lib, ratio). Async so the caller can await it like the other
 * sections; the work itself is synchronous.
 */
export async function siteToSiteSynthTable(options: SiteToSiteSynthOptions): Promise<Table> {
  fs.mkdirSync(options.workDir, { recursive: true });
  const variants: Variant[] = ['ours', 'aws-cdk-lib'];
  const samples = new Map<Variant, Sample[]>(variants.map(v => [v, []]));
  for (let rep = 0; rep < options.warmup + options.repetitions; rep++) {
    const order = rep % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      const sample = synthOnce(variant, options.connections, options.workDir);
      if (rep >= options.warmup) samples.get(variant)!.push(sample);
    }
  }

  const stats = (variant: Variant) => {
    const measured = samples.get(variant)!;
    const times = measured.map(s => s.ms);
    return { medianMs: median(times), minMs: minimum(times), facts: measured[0] };
  };
  const ours = stats('ours');
  const theirs = stats('aws-cdk-lib');
  const row = (name: string, s: typeof ours, tunnelOptions: string) => [
    name, String(options.connections), tunnelOptions, String(s.facts.resources), String(s.facts.connectionResources),
    formatMs(s.medianMs), formatMs(s.minMs), formatKb(s.facts.templateBytes),
  ];
  return {
    title: `(e) Synth: ${options.connections} site-to-site VPN connections, SiteToSiteVpn (every tunnel option) vs aws-cdk-lib ec2.VpnConnection`,
    headers: ['variant', 'connections', 'options per tunnel', 'resources', 'connection resources', 'median ms', 'min ms', 'template KB'],
    align: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right'],
    rows: [
      row('ours: SiteToSiteVpn', ours, 'all 21 of the wire contract (every CloudFormation tunnel option but BGP logs)'),
      row('aws-cdk-lib: ec2.VpnConnection', theirs, '2 (inside CIDR, pre-shared key)'),
      ['ratio ours/aws-cdk-lib', '', '', '', '', formatRatio(ours.medianMs / theirs.medianMs), formatRatio(ours.minMs / theirs.minMs), ''],
    ],
    notes: [
      `One sample = fresh \`App\` + a VPC with a virtual private gateway + ${options.connections} connections, then \`app.synth()\`; ${options.warmup} warm-up and ${options.repetitions} timed samples per variant, the two variants alternating.`,
      'Ours also creates per connection a customer gateway and a configuration secret, and once per stack the handler provider (functions, roles, log groups, waiter state machine); aws-cdk-lib creates a customer gateway and an AWS::EC2::VPNConnection per connection.',
    ],
  };
}
