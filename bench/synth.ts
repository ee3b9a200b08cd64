/**
 * (a) Synth time and template resource count: our ClientVpnAuthorizations
 * (one custom resource per endpoint's rule set) against aws-cdk-lib's
 * ec2.ClientVpnAuthorizationRule (one resource per rule), for the same rules
 * on the same imported endpoints, in the same process.
 *
 * One sample = a fresh App, its stack and rules, then `app.synth()`: what a
 * `cdk synth` of the app costs apart from process start-up. The two variants
 * alternate within each repetition so that drift in machine load hits both.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClientVpnAuthorizations } from '../src';
import { benchRules, endpointId } from './rules';
import { elapsedMs, formatKb, formatMs, formatRatio, median, minimum } from './stats';
import { Table } from './table';
import { TargetCheck } from './targets';
import { CLIENT_VPN_AUTHORIZATIONS_RESOURCE_TYPE } from '../src/private/contract/client-vpn-authorizations';

export type SynthVariant = 'ours' | 'aws-cdk-lib';

export interface SynthShape {
  readonly endpoints: number;
  readonly rulesPerEndpoint: number;
}

export interface SynthOptions {
  readonly shapes: readonly SynthShape[];
  /** Untimed samples per variant and shape before the timed ones (JIT, module caches). */
  readonly warmup: number;
  readonly repetitions: number;
  /** Scratch directory for cloud assemblies (gitignored bench/.work/). */
  readonly workDir: string;
}

/** What one synthesized template holds. */
export interface TemplateFacts {
  readonly resources: number;
  /** Resources that carry rules: our sets, or aws-cdk-lib's rule resources. */
  readonly ruleResources: number;
  /** Everything else: for ours, the provider and its roles, functions, logs and waiter. */
  readonly fixedResources: number;
  readonly templateBytes: number;
}

export type VariantResult =
  | { readonly ok: true; readonly samplesMs: readonly number[]; readonly medianMs: number; readonly minMs: number; readonly template: TemplateFacts }
  | { readonly ok: false; readonly error: string };

export interface SynthResult {
  readonly shape: SynthShape;
  readonly ours: VariantResult;
  readonly theirs: VariantResult;
}

const STACK_NAME = 'BenchAuthorizations';

export function shapeLabel(shape: SynthShape): string {
  return `${shape.endpoints} x ${shape.rulesPerEndpoint}`;
}

function buildApp(variant: SynthVariant, shape: SynthShape, outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, STACK_NAME);
  const rules = benchRules(shape.rulesPerEndpoint);
  for (let i = 0; i < shape.endpoints; i++) {
    const endpoint = ec2.ClientVpnEndpoint.fromEndpointAttributes(stack, `Endpoint${i}`, {
      endpointId: endpointId(i),
      securityGroups: [],
    });
    if (variant === 'ours') {
      new ClientVpnAuthorizations(stack, `Endpoint${i}Access`, {
        clientVpnEndpoint: endpoint,
        rules,
        // The quota was raised with AWS: no warning noise in the measurement.
        ruleQuota: shape.rulesPerEndpoint,
      });
    } else {
      rules.forEach((rule, j) => new ec2.ClientVpnAuthorizationRule(stack, `Endpoint${i}Rule${j}`, {
        clientVpnEndpoint: endpoint,
        cidr: rule.cidr,
        groupId: rule.groupId,
        description: rule.description,
      }));
    }
  }
  return app;
}

function templateFacts(variant: SynthVariant, template: { Resources?: Record<string, { Type: string }> }, templateBytes: number): TemplateFacts {
  const types = Object.values(template.Resources ?? {}).map(r => r.Type);
  const ruleType = variant === 'ours' ? CLIENT_VPN_AUTHORIZATIONS_RESOURCE_TYPE : 'AWS::EC2::ClientVpnAuthorizationRule';
  const ruleResources = types.filter(t => t === ruleType).length;
  return { resources: types.length, ruleResources, fixedResources: types.length - ruleResources, templateBytes };
}

interface Sample {
  readonly ms: number;
  readonly template: TemplateFacts;
}

let sampleSerial = 0;

/** One fresh App, built and synthesized; throws what synth throws. */
function synthOnce(variant: SynthVariant, shape: SynthShape, workDir: string): Sample {
  const outdir = path.join(workDir, `assembly-${process.pid}-${++sampleSerial}`);
  try {
    const start = process.hrtime.bigint();
    const app = buildApp(variant, shape, outdir);
    const assembly = app.synth();
    const tookMs = elapsedMs(start);
    const stack = assembly.getStackByName(STACK_NAME);
    const bytes = fs.statSync(path.join(assembly.directory, stack.templateFile)).size;
    return { ms: tookMs, template: templateFacts(variant, stack.template, bytes) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

/** Measures every shape, both variants interleaved. A variant that fails synth is tried once and reported. */
export function measureSynth(options: SynthOptions): SynthResult[] {
  fs.mkdirSync(options.workDir, { recursive: true });
  const variants: SynthVariant[] = ['ours', 'aws-cdk-lib'];
  return options.shapes.map(shape => {
    const failures = new Map<SynthVariant, string>();
    for (const variant of variants) {
      try {
        synthOnce(variant, shape, options.workDir);
      } catch (error) {
        failures.set(variant, errorLine(error));
      }
    }
    const live = variants.filter(v => !failures.has(v));

    const samples = new Map<SynthVariant, Sample[]>(live.map(v => [v, []]));
    // The probe above was the first warm-up sample.
    for (let rep = 1; rep < options.warmup + options.repetitions; rep++) {
      // Alternate which variant goes first, so neither always runs on a warmer heap.
      const order = rep % 2 === 0 ? live : [...live].reverse();
      for (const variant of order) {
        const sample = synthOnce(variant, shape, options.workDir);
        if (rep >= options.warmup) samples.get(variant)!.push(sample);
      }
    }

    const result = (variant: SynthVariant): VariantResult => {
      const failure = failures.get(variant);
      if (failure !== undefined) return { ok: false, error: failure };
      const measured = samples.get(variant)!;
      const times = measured.map(s => s.ms);
      return { ok: true, samplesMs: times, medianMs: median(times), minMs: minimum(times), template: measured[0].template };
    };
    return { shape, ours: result('ours'), theirs: result('aws-cdk-lib') };
  });
}

// ------------------------------------------------------------------ report

function ms(result: VariantResult, pick: 'medianMs' | 'minMs'): string {
  return result.ok ? formatMs(result[pick]) : '-';
}

function ratio(r: SynthResult, pick: 'medianMs' | 'minMs'): string {
  return r.ours.ok && r.theirs.ok ? formatRatio(r.ours[pick] / r.theirs[pick]) : '-';
}

export function synthTable(results: readonly SynthResult[], options: Pick<SynthOptions, 'warmup' | 'repetitions'>): Table {
  const rows = results.map(r => {
    const rules = r.shape.endpoints * r.shape.rulesPerEndpoint;
    const ours = r.ours.ok
      ? `${r.ours.template.resources} (${r.ours.template.ruleResources} set${r.ours.template.ruleResources === 1 ? '' : 's'} + ${r.ours.template.fixedResources} provider)`
      : `fails: ${r.ours.error}`;
    const theirs = r.theirs.ok ? String(r.theirs.template.resources) : 'synth fails';
    const kb = [r.ours, r.theirs].map(v => (v.ok ? formatKb(v.template.templateBytes) : '-')).join(' / ');
    return [shapeLabel(r.shape), String(rules), ours, theirs,
      ms(r.ours, 'medianMs'), ms(r.ours, 'minMs'), ms(r.theirs, 'medianMs'), ms(r.theirs, 'minMs'),
      ratio(r, 'medianMs'), ratio(r, 'minMs'), kb];
  });
  const failures = results.flatMap(r => (r.theirs.ok ? [] : [`${shapeLabel(r.shape)}, aws-cdk-lib: \`${r.theirs.error}\``]));
  return {
    title: '(a) Synth: ClientVpnAuthorizations vs aws-cdk-lib ec2.ClientVpnAuthorizationRule',
    headers: ['endpoints x rules', 'rules', 'ours: resources', 'aws-cdk-lib: resources',
      'ours median ms', 'ours min ms', 'aws-cdk-lib median ms', 'aws-cdk-lib min ms',
      'ratio median (ours/theirs)', 'ratio min', 'template KB (ours / theirs)'],
    align: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows,
    notes: [
      `One sample = fresh \`App\` + stack + rules on \`ec2.ClientVpnEndpoint.fromEndpointAttributes\` imports, then \`app.synth()\` (template and our handler asset written to bench/.work/), timed with \`process.hrtime.bigint()\`; ${options.warmup} warm-up and ${options.repetitions} timed samples per variant, the two variants alternating.`,
      'Ours: one `ClientVpnAuthorizations` per endpoint, `ruleQuota` raised to the set size. "provider" = the fixed, once-per-stack resources (handler and framework functions, roles, policies, log groups, waiter state machine); they do not grow with endpoints or rules.',
      'aws-cdk-lib: one `ec2.ClientVpnAuthorizationRule` (AWS::EC2::ClientVpnAuthorizationRule) per rule. A stack may hold 500 resources; 10 x 50 and 1 x 500 are exactly at that limit (aws-cdk-lib adds an info annotation "approaching allowed maximum").',
      ...failures.map(f => `Synth failure: ${f}.`),
    ],
  };
}

export function synthTargets(results: readonly SynthResult[]): TargetCheck[] {
  const ours = results.filter(r => r.ours.ok) as (SynthResult & { ours: { ok: true; template: TemplateFacts } })[];
  const fixed = new Set(ours.map(r => r.ours.template.fixedResources));
  const perEndpoint = ours.every(r => r.ours.template.ruleResources === r.shape.endpoints);
  const growth = ours.map(r => `${shapeLabel(r.shape)}: ${r.ours.template.resources}`).join(', ');

  const at500 = results.filter(r => r.shape.endpoints * r.shape.rulesPerEndpoint === 500);
  const ratios = at500.map(r => (r.ours.ok && r.theirs.ok ? r.ours.medianMs / r.theirs.medianMs : Number.NaN));
  return [
    {
      target: 'template resource count grows with endpoints, not rules',
      met: ours.length === results.length && perEndpoint && fixed.size === 1,
      evidence: `Ours = ${[...fixed].join('/')} fixed provider resources + one per endpoint (${growth}).`,
    },
    {
      target: 'synth time no worse than aws-cdk-lib at 500 rules',
      met: ratios.length > 0 && ratios.every(x => x <= 1),
      evidence: `Median ratio ours/aws-cdk-lib: ${at500.map((r, i) => `${shapeLabel(r.shape)} ${formatRatio(ratios[i])}`).join(', ')}.`,
    },
  ];
}
