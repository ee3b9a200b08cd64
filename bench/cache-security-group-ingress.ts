/**
 * (f) Cache security group ingress.
 *
 * Synth: 200 (EC2 security group, owner) pairs across 10 cache security
 * groups, declared with our CacheSecurityGroupIngress (one custom resource
 * per group) against the same pairs as aws-cdk-lib's L1
 * `elasticache.CfnSecurityGroupIngress` (one resource per pair), in the same
 * process, the two variants alternating so that drift in load hits both.
 *
 * Calls: the real handler (lambda/cache-security-group-ingress) through the
 * lifecycle driver against the SIMULATED ElastiCache service, on a virtual
 * clock: an Update that changes k pairs of a 20-pair set must make exactly k
 * Authorize/Revoke calls; the L1 replaces each changed resource, which is one
 * call per added and per removed pair too, but every pair of a moved set
 * (another cache security group) is a replacement there as well.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { elapsedMs, formatKb, formatMs, formatRatio, median, minimum } from './stats';
import { Table } from './table';
import { metMark, TargetCheck } from './targets';
import * as handler from '../lambda/cache-security-group-ingress';
import { CacheIngressSource, CacheSecurityGroupIngress } from '../src';
import { CACHE_SECURITY_GROUP_INGRESS_RESOURCE_TYPE } from '../src/private/contract/cache-security-group-ingress';
import { CloudFormationLifecycleDriver } from '../test/support/cloudformation-lifecycle';
import { SimulatedClock } from '../test/support/simulated-clock';
import { pairSignature, SimulatedElastiCacheService } from '../test/support/simulated-elasticache';
import { SimulatedParameterStore } from '../test/support/simulated-parameter-store';

export interface CacheIngressBenchOptions {
  readonly groups: number;
  readonly pairsPerGroup: number;
  readonly warmup: number;
  readonly repetitions: number;
  readonly workDir: string;
  /** Pairs changed per Update in the call-count scenarios. */
  readonly ks: readonly number[];
  /** Pairs of the set in the call-count scenarios. */
  readonly setSize: number;
}

type Variant = 'ours' | 'l1';
const STACK_NAME = 'BenchCacheIngress';
const OWNERS = ['123456789012', '210987654321'];

function pairOf(group: number, i: number): { name: string; owner: string } {
  return { name: `app-${group}-${i}`, owner: OWNERS[i % OWNERS.length] };
}

function buildApp(variant: Variant, options: CacheIngressBenchOptions, outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, STACK_NAME, { env: { account: OWNERS[0], region: 'eu-west-1' } });
  for (let g = 0; g < options.groups; g++) {
    const group = `legacy-${g}`;
    if (variant === 'ours') {
      const set = new CacheSecurityGroupIngress(stack, `Ingress${g}`, { cacheSecurityGroupName: group });
      for (let i = 0; i < options.pairsPerGroup; i++) {
        const p = pairOf(g, i);
        set.allowFrom(CacheIngressSource.fromSecurityGroupName(p.name, p.owner));
      }
    } else {
      for (let i = 0; i < options.pairsPerGroup; i++) {
        const p = pairOf(g, i);
        new elasticache.CfnSecurityGroupIngress(stack, `Ingress${g}x${i}`, {
          cacheSecurityGroupName: group, ec2SecurityGroupName: p.name, ec2SecurityGroupOwnerId: p.owner,
        });
      }
    }
  }
  return app;
}

interface Sample {
  readonly ms: number;
  readonly resources: number;
  readonly ingressResources: number;
  readonly templateBytes: number;
}

let serial = 0;

function synthOnce(variant: Variant, options: CacheIngressBenchOptions): Sample {
  const outdir = path.join(options.workDir, `cache-${process.pid}-${++serial}`);
  try {
    const start = process.hrtime.bigint();
    const assembly = buildApp(variant, options, outdir).synth();
    const ms = elapsedMs(start);
    const stack = assembly.getStackByName(STACK_NAME);
    const types = Object.values((stack.template as { Resources: Record<string, { Type: string }> }).Resources).map(r => r.Type);
    const ingressType = variant === 'ours' ? CACHE_SECURITY_GROUP_INGRESS_RESOURCE_TYPE : 'AWS::ElastiCache::SecurityGroupIngress';
    return {
      ms,
      resources: types.length,
      ingressResources: types.filter(t => t === ingressType).length,
      templateBytes: fs.statSync(path.join(assembly.directory, stack.templateFile)).size,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export interface CacheIngressSynthResult {
  readonly ours: { medianMs: number; minMs: number; facts: Sample };
  readonly l1: { medianMs: number; minMs: number; facts: Sample };
}

export function measureCacheIngressSynth(options: CacheIngressBenchOptions): CacheIngressSynthResult {
  fs.mkdirSync(options.workDir, { recursive: true });
  const variants: Variant[] = ['ours', 'l1'];
  const samples = new Map<Variant, Sample[]>(variants.map(v => [v, []]));
  for (let rep = 0; rep < options.warmup + options.repetitions; rep++) {
    for (const variant of rep % 2 === 0 ? variants : [...variants].reverse()) {
      const sample = synthOnce(variant, options);
      if (rep >= options.warmup) samples.get(variant)!.push(sample);
    }
  }
  const stats = (variant: Variant) => {
    const measured = samples.get(variant)!;
    return { medianMs: median(measured.map(s => s.ms)), minMs: minimum(measured.map(s => s.ms)), facts: measured[0] };
  };
  return { ours: stats('ours'), l1: stats('l1') };
}

export interface CacheIngressCallResult {
  readonly k: number;
  readonly adds: number;
  readonly removes: number;
  readonly mutatingCalls: number;
  readonly l1Replacements: number;
  readonly endStateOk: boolean;
  readonly status: string;
}

/** Update a `setSize`-pair set so that k pairs differ (half added, half removed), and count the calls. */
export async function measureCacheIngressCalls(options: CacheIngressBenchOptions): Promise<CacheIngressCallResult[]> {
  const results: CacheIngressCallResult[] = [];
  const savedLog = console.log;
  console.log = () => undefined;
  try {
    for (const k of options.ks) {
      const clock = new SimulatedClock();
      const sim = new SimulatedElastiCacheService({ clock, seed: k + 1 });
      const store = new SimulatedParameterStore({ now: () => clock.now() });
      sim.install();
      store.install();
      const restoreClock = clock.install();
      try {
        sim.createCacheSecurityGroup('bench');
        const driver = new CloudFormationLifecycleDriver({
          handler, clock, crashSources: [sim], resourceType: CACHE_SECURITY_GROUP_INGRESS_RESOURCE_TYPE, totalTimeoutSeconds: 1800,
        });
        const pair = (i: number) => ({ EC2SecurityGroupName: `app-${i}`, EC2SecurityGroupOwnerId: OWNERS[i % 2] });
        const props = (indexes: number[]) => ({ SchemaVersion: '1', CacheSecurityGroupName: 'bench', SetId: 'bench-set', Ingress: indexes.map(pair) });
        const oldSet = Array.from({ length: options.setSize }, (_, i) => i);
        const removes = Math.floor(k / 2);
        const adds = k - removes;
        const newSet = [...oldSet.slice(removes), ...Array.from({ length: adds }, (_, i) => options.setSize + i)];
        await driver.create(props(oldSet));
        const before = sim.mutationAttempts().length;
        const updated = await driver.update(props(newSet));
        const expected = newSet.map(i => pairSignature({ name: pair(i).EC2SecurityGroupName, ownerId: pair(i).EC2SecurityGroupOwnerId })).sort();
        results.push({
          k,
          adds,
          removes,
          mutatingCalls: sim.mutationAttempts().length - before,
          // The L1: each added pair is a new resource, each removed one a deleted resource.
          l1Replacements: adds + removes,
          endStateOk: JSON.stringify(sim.pairSignatures('bench')) === JSON.stringify(expected),
          status: updated.status,
        });
      } finally {
        restoreClock();
        store.restore();
        sim.restore();
      }
    }
  } finally {
    console.log = savedLog;
  }
  return results;
}

export function cacheIngressTables(
  synth: CacheIngressSynthResult,
  calls: readonly CacheIngressCallResult[],
  options: CacheIngressBenchOptions,
): Table[] {
  const pairs = options.groups * options.pairsPerGroup;
  const row = (name: string, s: CacheIngressSynthResult['ours']) => [
    name, String(pairs), String(s.facts.resources), String(s.facts.ingressResources),
    formatMs(s.medianMs), formatMs(s.minMs), formatKb(s.facts.templateBytes),
  ];
  return [
    {
      title: `(f) Synth: ${pairs} pairs across ${options.groups} cache security groups, CacheSecurityGroupIngress vs aws-cdk-lib elasticache.CfnSecurityGroupIngress`,
      headers: ['variant', 'pairs', 'resources', 'ingress resources', 'median ms', 'min ms', 'template KB'],
      align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
      rows: [
        row('ours: CacheSecurityGroupIngress', synth.ours),
        row('aws-cdk-lib: CfnSecurityGroupIngress (L1)', synth.l1),
        ['ratio ours/L1', '', formatRatio(synth.ours.facts.resources / synth.l1.facts.resources), '',
          formatRatio(synth.ours.medianMs / synth.l1.medianMs), formatRatio(synth.ours.minMs / synth.l1.minMs), ''],
      ],
      notes: [
        `One sample = fresh \`App\` + ${options.groups} groups x ${options.pairsPerGroup} pairs, then \`app.synth()\`; ${options.warmup} warm-up and ${options.repetitions} timed samples per variant, alternating.`,
        'Ours adds once per stack the handler provider (functions, roles, log groups, waiter state machine) to one custom resource per group; the L1 writes one resource per pair.',
      ],
    },
    {
      title: `(f) Mutating calls of one Update changing k pairs of a ${options.setSize}-pair set (real handler, simulated ElastiCache)`,
      headers: ['k', 'added', 'removed', 'Authorize+Revoke calls', 'L1 resources replaced', 'end state = new set', 'stack'],
      align: ['right', 'right', 'right', 'right', 'right', 'left', 'left'],
      rows: calls.map(c => [String(c.k), String(c.adds), String(c.removes), String(c.mutatingCalls), String(c.l1Replacements), c.endStateOk ? 'yes' : 'NO', c.status]),
      notes: ['Every Authorize and Revoke that reached the simulated service during the Update is counted, refused ones included.'],
    },
  ];
}

export function cacheIngressTargets(synth: CacheIngressSynthResult, calls: readonly CacheIngressCallResult[]): TargetCheck[] {
  const exact = calls.every(c => c.mutatingCalls === c.k && c.endStateOk);
  return [
    {
      target: 'cache security group ingress: an Update changing k pairs makes exactly k mutating calls and ends in the new set',
      met: exact,
      evidence: calls.map(c => `k=${c.k}: ${c.mutatingCalls} calls`).join(', '),
    },
    {
      target: 'cache security group ingress: fewer resources than one L1 per pair',
      met: synth.ours.facts.resources < synth.l1.facts.resources,
      evidence: `${synth.ours.facts.resources} resources vs ${synth.l1.facts.resources} (${metMark(synth.ours.facts.resources < synth.l1.facts.resources)})`,
    },
  ];
}
