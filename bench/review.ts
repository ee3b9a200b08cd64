/**
 * (i) The network access review: synth of an app with 5,000 grants across 20
 * stacks (each stack: a Client VPN endpoint with 125 rules over 100 groups in
 * one ClientVpnAuthorizations set, and a security group with 125 ingress
 * rules), with `NetworkAccessReview.of(app)` against without it, alternating
 * in one run; and the effective-access analysis of one endpoint with 50
 * rules for each of 100 groups (5,000 rules).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClientVpnAuthorizations, NetworkAccessReview } from '../src';
import { elapsedMs, formatMs, formatRatio, median } from './stats';
import { Table } from './table';
import { TargetCheck } from './targets';
import { EvalRule, evaluateClientVpnAccess, findRedundantRules, findShadowing } from '../src/review/private/client-vpn-access';
import { reviewStacks } from '../src/review/private/engine';

export interface ReviewBenchOptions {
  readonly stacks: number;
  readonly rulesPerStack: number;
  readonly ingressPerStack: number;
  readonly groups: number;
  readonly repetitions: number;
  readonly workDir: string;
}

export interface ReviewBenchResult {
  readonly grants: number;
  readonly withoutMs: number[];
  readonly withMs: number[];
  /** With `annotate: true`: the findings also as synth annotations. */
  readonly annotateMs: number[];
  readonly reportFindings: number;
  readonly analysis: { rules: number; evaluateMs: number; shadowingMs: number; redundantMs: number; reviewMs: number };
}

function cidr(i: number, prefix: number): string {
  // Spread over 10.0.0.0/8, aligned to the prefix.
  const size = 2 ** (32 - prefix);
  const network = 10 * 2 ** 24 + ((i * size) % 2 ** 24);
  return [24, 16, 8, 0].map(s => Math.floor(network / 2 ** s) % 256).join('.') + `/${prefix}`;
}

type Variant = 'without' | 'review' | 'annotate';

function buildApp(dir: string, variant: Variant, o: ReviewBenchOptions): App {
  const app = new App({ outdir: dir });
  if (variant !== 'without') NetworkAccessReview.of(app, { annotate: variant === 'annotate' });
  for (let s = 0; s < o.stacks; s++) {
    const stack = new Stack(app, `Review${s}`, { env: { account: '111111111111', region: 'eu-west-1' } });
    const endpoint = new ec2.CfnClientVpnEndpoint(stack, 'Endpoint', {
      clientCidrBlock: '10.200.0.0/22',
      serverCertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/1',
      authenticationOptions: [{ type: 'certificate-authentication', mutualAuthentication: { clientRootCertificateChainArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/2' } }],
      connectionLogOptions: { enabled: false },
    });
    new ec2.CfnClientVpnRoute(stack, 'Route', { clientVpnEndpointId: endpoint.ref, destinationCidrBlock: '10.0.0.0/8', targetVpcSubnetId: 'subnet-12345678' });
    new ClientVpnAuthorizations(stack, 'Access', {
      clientVpnEndpointId: 'cvpn-endpoint-0123456789abcdef0',
      rules: Array.from({ length: o.rulesPerStack }, (_, i) => ({ cidr: cidr(i, 16 + (i % 9)), groupId: `group-${i % o.groups}` })),
    });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-12345678', availabilityZones: ['eu-west-1a'] });
    const sg = new ec2.SecurityGroup(stack, 'Group', { vpc, allowAllOutbound: false });
    for (let i = 0; i < o.ingressPerStack; i++) {
      sg.addIngressRule(ec2.Peer.ipv4(cidr(i, 24)), ec2.Port.tcp(1000 + i));
    }
  }
  return app;
}

export function measureReview(o: ReviewBenchOptions): ReviewBenchResult {
  fs.mkdirSync(o.workDir, { recursive: true });
  const withoutMs: number[] = [];
  const withMs: number[] = [];
  const annotateMs: number[] = [];
  let reportFindings = 0;
  const log = console.log;
  const error = console.error;
  for (let r = -1; r < o.repetitions; r++) {
    for (const variant of ['without', 'review', 'annotate'] as Variant[]) {
      const dir = fs.mkdtempSync(path.join(o.workDir, 'app-'));
      console.log = () => undefined;
      console.error = () => undefined;
      const start = process.hrtime.bigint();
      try {
        buildApp(dir, variant, o).synth();
      } finally {
        console.log = log;
        console.error = error;
      }
      const ms = elapsedMs(start);
      if (r >= 0) ({ without: withoutMs, review: withMs, annotate: annotateMs })[variant].push(ms);
      if (variant === 'review') {
        reportFindings = (JSON.parse(fs.readFileSync(path.join(dir, NetworkAccessReview.REPORT_JSON_FILE), 'utf8')) as { findings: unknown[] }).findings.length;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  // One endpoint, 50 rules for each of 100 groups.
  const rules: EvalRule[] = [];
  for (let g = 0; g < 100; g++) {
    for (let i = 0; i < 50; i++) {
      rules.push({ cidr: cidr(g * 50 + i, 16 + ((g + i) % 13)), groupId: `group-${g}`, declaredAt: String(rules.length) });
    }
  }
  const time = (fn: () => void) => {
    const start = process.hrtime.bigint();
    fn();
    return elapsedMs(start);
  };
  const everything: Array<readonly [number, number]> = [[0, 2 ** 32 - 1]];
  const evaluateMs = time(() => evaluateClientVpnAccess(rules, everything));
  const shadowingMs = time(() => findShadowing(rules));
  const redundantMs = time(() => findRedundantRules(rules));
  const template = {
    Resources: {
      E: { Type: 'AWS::EC2::ClientVpnEndpoint', Properties: { ClientCidrBlock: '10.200.0.0/22' } },
      R: { Type: 'AWS::EC2::ClientVpnRoute', Properties: { ClientVpnEndpointId: { Ref: 'E' }, DestinationCidrBlock: '10.0.0.0/8' } },
      A: {
        Type: 'Custom::NetworkAccessClientVpnAuthorizations',
        Properties: { ClientVpnEndpointId: { Ref: 'E' }, Rules: rules.map(r => ({ Cidr: r.cidr, GroupId: r.groupId })) },
      },
    },
  };
  const reviewMs = time(() => reviewStacks([{ name: 'S', template }]));
  fs.rmSync(o.workDir, { recursive: true, force: true });
  return {
    grants: o.stacks * (o.rulesPerStack + o.ingressPerStack),
    withoutMs,
    withMs,
    annotateMs,
    reportFindings,
    analysis: { rules: rules.length, evaluateMs, shadowingMs, redundantMs, reviewMs },
  };
}

export function reviewTables(r: ReviewBenchResult, o: ReviewBenchOptions): Table[] {
  const ratio = median(r.withMs) / median(r.withoutMs);
  return [
    {
      title: `(i) Network access review: synth of ${r.grants.toLocaleString('en-US')} grants in ${o.stacks} stacks, with and without it (${o.repetitions} alternating runs of each variant after a warm-up)`,
      headers: ['variant', 'median ms', 'min ms', 'ratio (median)'],
      align: ['left', 'right', 'right', 'right'],
      rows: [
        ['without the review', formatMs(median(r.withoutMs)), formatMs(Math.min(...r.withoutMs)), '1.00x'],
        [`NetworkAccessReview.of(app) (${r.reportFindings} findings)`, formatMs(median(r.withMs)), formatMs(Math.min(...r.withMs)), formatRatio(ratio)],
        ['NetworkAccessReview.of(app, { annotate: true }): the findings as synth annotations too', formatMs(median(r.annotateMs)),
          formatMs(Math.min(...r.annotateMs)), formatRatio(median(r.annotateMs) / median(r.withoutMs))],
      ],
    },
    {
      title: `(i) Effective-access analysis of one endpoint: 50 rules for each of 100 groups (${r.analysis.rules.toLocaleString('en-US')} rules), one run`,
      headers: ['step', 'ms'],
      align: ['left', 'right'],
      rows: [
        ['longest-prefix evaluation (every principal)', formatMs(r.analysis.evaluateMs)],
        ['shadowing', formatMs(r.analysis.shadowingMs)],
        ['redundant rules', formatMs(r.analysis.redundantMs)],
        ['whole review of the template (all findings, report)', formatMs(r.analysis.reviewMs)],
      ],
    },
  ];
}

export function reviewTargets(r: ReviewBenchResult): TargetCheck[] {
  const ratio = median(r.withMs) / median(r.withoutMs);
  return [{
    target: `synth with the review under 1.10x synth without it (${r.grants.toLocaleString('en-US')} grants, 20 stacks)`,
    met: ratio < 1.1,
    evidence: `Median ratio ${formatRatio(ratio)} (${formatMs(median(r.withMs))} ms vs ${formatMs(median(r.withoutMs))} ms).`,
  }];
}
