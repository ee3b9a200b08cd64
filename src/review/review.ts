import * as fs from 'fs';
import * as path from 'path';
import {
  Annotations, Aspects, attachCustomSynthesis, CfnResource, IAspect, IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1,
  ISynthesisSession, NestedStack, PolicyValidationPluginReportBeta1, PolicyViolationBeta1, Stack, Stage, Token,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { readTemplates } from './private/assembly';
import { reviewStacks, SUPPRESSION_METADATA_KEY } from './private/engine';
import { renderMarkdown } from './private/markdown';
import { NetworkAccessReportJson } from './private/report-types';
import { CfnTemplate, StackInput } from './private/resolve';
import { atLeast, isRuleId, REVIEW_RULES, ruleInfo } from './private/rules';

/** How serious a review finding is. */
export enum ReviewSeverity {
  /** A secret in a template, or access no one can have meant. */
  CRITICAL = 'critical',
  /** Access far wider than needed: the internet, all users to a broad network. */
  HIGH = 'high',
  /** Access that differs from what the code appears to say (shadowing, no route, another account). */
  MEDIUM = 'medium',
  /** Clutter: duplicates, routes no one may use. */
  LOW = 'low',
  /** For information only. */
  INFO = 'info',
}

/** A finding the authors accept, and why. */
export interface ReviewSuppression {
  /** The rule id, e.g. `NA-CVPN-SHADOWED`. See the README for every id. */
  readonly ruleId: string;
  /** Why the finding is accepted. Required: it is printed in the report next to the finding it silences. */
  readonly reason: string;
}

/** Options of the network access review. */
export interface NetworkAccessReviewProps {
  /**
   * Fail synthesis (in CDK's policy validation report, exit code 1 from
   * `cdk synth`) when an unsuppressed finding is at least this severe.
   * With it, `NetworkAccessReview.of` also adds the review to the app's
   * policy validation plugins.
   *
   * @default - findings are reported, synthesis never fails because of them
   */
  readonly failOn?: ReviewSeverity;

  /**
   * Write `network-access.json` and `network-access.md` into the cloud
   * assembly directory. With `false`, `NetworkAccessReview.of` adds the
   * review to the app's policy validation plugins instead, so that its
   * findings are still reported somewhere.
   *
   * @default true
   */
  readonly writeReport?: boolean;

  /**
   * All users of a Client VPN endpoint authorized to more addresses than this
   * through one rule is a `NA-CVPN-ALL-USERS-BROAD` finding.
   *
   * @default 65536 - more than a /16
   */
  readonly broadNetworkAddresses?: number;

  /**
   * Also show every unsuppressed finding as a synth annotation on the
   * resource it names: a warning for critical, high and medium findings
   * (so `cdk synth --strict` fails on them), an info for low and info ones,
   * each with the id `cdk-network-access:<rule id>`. Annotations are written
   * before the templates are, so this reviews each stack's template once
   * more, in memory, during validation: synthesis takes longer (see bench
   * section (i)). Stacks inside nested stages are in the report but not
   * annotated.
   *
   * @default false
   */
  readonly annotate?: boolean;
}

const REVIEW_SYMBOL = Symbol.for('cdk-network-access.NetworkAccessReview');

/**
 * The network access review: the effective access of every stack of an app
 * (who reaches what, after Client VPN longest-prefix matching and routes,
 * security groups, VPN routes and ElastiCache ingress), findings with
 * suppressions, and a report a reviewer reads.
 *
 * One line turns it on: `NetworkAccessReview.of(app)`. It then writes
 * `network-access.json` and `network-access.md` into the cloud assembly; with
 * `failOn`, it also joins the app's policy validation plugins, so that a
 * finding that severe fails synthesis in CDK's report. It is also a policy
 * validation plugin in its own right, for `new App({ policyValidationBeta1: [new NetworkAccessReview()] })`
 * (findings only: CDK forbids plugins from writing into the assembly).
 */
export class NetworkAccessReview implements IPolicyValidationPluginBeta1 {
  /** The report the review writes into the cloud assembly, for tools and bots (schema: `schemas/network-access-report.schema.json`). */
  public static readonly REPORT_JSON_FILE: string = 'network-access.json';
  /** The report for a person: Markdown tables and a Mermaid diagram, per stack. */
  public static readonly REPORT_MARKDOWN_FILE: string = 'network-access.md';

  /**
   * Review every stack of `app` (or of a stage): writes the report into its
   * cloud assembly, and adds the review to its policy validation plugins when
   * `failOn` is set or `writeReport` is `false`. Calling it again returns the
   * same review.
   */
  public static of(app: Stage, props: NetworkAccessReviewProps = {}): NetworkAccessReview {
    const existing = (app as unknown as Record<symbol, NetworkAccessReview | undefined>)[REVIEW_SYMBOL];
    if (existing) {
      return existing;
    }
    const review = new NetworkAccessReview(props);
    Object.defineProperty(app, REVIEW_SYMBOL, { value: review, enumerable: false });
    const writeReport = props.writeReport ?? true;
    // Only as a plugin when it can fail synthesis or has no other output:
    // CDK hashes the whole assembly before and after each plugin and prints
    // a report for a passing one that only says "success" (about 40 ms of a
    // 550 ms synth in bench section (i)).
    if (props.failOn !== undefined || !writeReport) {
      app.policyValidationBeta1.push(review);
    }
    if (props.annotate) {
      app.node.addValidation({ validate: () => annotateFindings(app, review) });
    }
    if (writeReport) {
      // Added while aspects run, so it is the stage's last child: its custom
      // synthesis runs after every stack has written its template.
      Aspects.of(app).add(new AddReportWriter(app, review));
    }
    return review;
  }

  /**
   * Accept findings of the given rules on every CloudFormation resource at or
   * below `scope`, each with its reason (recorded as resource metadata, the
   * way cdk-nag suppressions are). A rule id the review does not know, or an
   * empty reason, is an error.
   */
  public static suppress(scope: IConstruct, suppressions: ReviewSuppression[]): void {
    for (const s of suppressions) {
      if (!isRuleId(s.ruleId)) {
        throw new Error(`NetworkAccessReview.suppress at ${scope.node.path}: unknown review rule id '${s.ruleId}'; known ids: ${NetworkAccessReview.allRuleIds().join(', ')}`);
      }
      if (Token.isUnresolved(s.reason) || s.reason.trim() === '') {
        throw new Error(`NetworkAccessReview.suppress at ${scope.node.path}: the suppression of ${s.ruleId} needs a reason`);
      }
    }
    const resources = scope.node.findAll().filter(c => CfnResource.isCfnResource(c)) as CfnResource[];
    if (resources.length === 0) {
      throw new Error(`NetworkAccessReview.suppress at ${scope.node.path}: no CloudFormation resource at or below this construct to suppress findings on`);
    }
    for (const resource of resources) {
      const existing = ((resource.getMetadata(SUPPRESSION_METADATA_KEY)?.rules_to_suppress ?? []) as ReviewSuppression[])
        .map(e => ({ id: (e as unknown as { id: string }).id, reason: e.reason }));
      const kept = existing.filter(e => !suppressions.some(s => s.ruleId === e.id));
      const merged = [...kept, ...suppressions.map(s => ({ id: s.ruleId, reason: s.reason.trim() }))]
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      resource.addMetadata(SUPPRESSION_METADATA_KEY, { rules_to_suppress: merged });
    }
  }

  /** Every rule id the review applies, in severity order. */
  public static allRuleIds(): string[] {
    return REVIEW_RULES.map(r => r.id);
  }

  /** The plugin's name in CDK's validation report. */
  public readonly name: string = 'cdk-network-access';
  /** The rule ids, for CDK's validation report. */
  public readonly ruleIds?: string[];
  private readonly props: NetworkAccessReviewProps;
  /** The report the writer made in this synthesis, reused by validate() for the same stacks. */
  private written?: { readonly names: string; readonly report: NetworkAccessReportJson };

  public constructor(props: NetworkAccessReviewProps = {}) {
    if (props.broadNetworkAddresses !== undefined && !(Number.isInteger(props.broadNetworkAddresses) && props.broadNetworkAddresses >= 0)) {
      throw new Error(`NetworkAccessReview: broadNetworkAddresses must be a whole number of addresses, got ${props.broadNetworkAddresses}`);
    }
    this.props = props;
    this.ruleIds = NetworkAccessReview.allRuleIds();
  }

  /** Called by CDK after synthesis with the stacks' templates: the findings as policy violations. */
  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const stacks = readTemplates(context.templatePaths);
    const names = stacks.map(st => st.name).join('\n');
    const report = this.written?.names === names ? this.written.report : this._review(stacks);
    const pathOf = new Map(stacks.map(st => [st.name, st.templatePath ?? '']));
    const violations: PolicyViolationBeta1[] = [];
    for (const ruleId of new Set(report.findings.map(f => f.ruleId))) {
      const info = ruleInfo(ruleId);
      const findings = report.findings.filter(f => f.ruleId === ruleId);
      violations.push({
        ruleName: ruleId,
        description: `${info.title}. ${findings.map(f => f.message).join('; ')}`,
        fix: info.fix,
        severity: info.severity,
        violatingResources: findings.map(f => ({
          resourceLogicalId: f.logicalId,
          templatePath: pathOf.get(f.stack) ?? '',
          locations: ['Properties'],
        })),
      });
    }
    const failOn = this.props.failOn;
    const failing = failOn ? report.findings.filter(f => atLeast(f.severity, failOn)) : [];
    return {
      success: failing.length === 0,
      violations: failOn ? violations.filter(v => atLeast(v.severity as ReviewSeverity, failOn)) : violations,
      metadata: {
        findings: String(report.findings.length),
        suppressed: String(report.suppressed.length),
        unknowns: String(report.unknowns.length),
        ...(failOn ? { failOn } : {}),
      },
    };
  }

  /** @internal */
  public _review(stacks: readonly StackInput[], remember = false): NetworkAccessReportJson {
    const report = reviewStacks(stacks, { broadNetworkAddresses: this.props.broadNetworkAddresses });
    if (remember) {
      this.written = { names: stacks.map(st => st.name).join('\n'), report };
    }
    return report;
  }
}

/** Adds the report writer as the stage's last child, once, when aspects run. */
class AddReportWriter implements IAspect {
  private added = false;
  constructor(private readonly stage: Stage, private readonly review: NetworkAccessReview) {}

  public visit(node: IConstruct): void {
    if (node !== this.stage || this.added) {
      return;
    }
    this.added = true;
    new ReportWriter(this.stage, 'NetworkAccessReviewReport', this.review);
  }
}

/** Writes network-access.json and .md into the cloud assembly after the stacks' templates. */
class ReportWriter extends Construct {
  constructor(scope: Stage, id: string, review: NetworkAccessReview) {
    super(scope, id);
    const stage = scope;
    attachCustomSynthesis(this, {
      onSynthesize: (session: ISynthesisSession) => {
        const stacks = stacksOf(stage);
        let report: NetworkAccessReportJson;
        try {
          report = review._review(stacks, true);
        } catch (e) {
          // A suppression without a reason or with an unknown rule id: an error naming it.
          throw new Error(`NetworkAccessReview: ${(e as Error).message}`);
        }
        fs.writeFileSync(path.join(session.outdir, NetworkAccessReview.REPORT_JSON_FILE), `${JSON.stringify(report, undefined, 2)}\n`);
        fs.writeFileSync(path.join(session.outdir, NetworkAccessReview.REPORT_MARKDOWN_FILE), renderMarkdown(report));
      },
    });
  }
}

/**
 * Runs during validation, before any stack is synthesized: reviews the
 * stage's own stacks from their templates in memory and adds each finding as
 * an annotation on the resource it names. Returns no validation errors.
 */
function annotateFindings(stage: Stage, review: NetworkAccessReview): string[] {
  // aws-cdk-lib renders a stack's template with this (internal) method; a
  // version without it is a validation error, not annotations silently missing.
  let missing = false;
  const inMemory = (stack: Stack): CfnTemplate | undefined => {
    const render = (stack as unknown as { _toCloudFormation?: () => CfnTemplate })._toCloudFormation;
    if (typeof render !== 'function') {
      missing = true;
      return undefined;
    }
    return render.call(stack);
  };
  const stacks = stacksOf(stage, inMemory, false);
  if (missing) {
    return ['NetworkAccessReview: annotate needs Stack._toCloudFormation, which this aws-cdk-lib does not have; leave annotate off'];
  }
  let report: NetworkAccessReportJson;
  try {
    report = review._review(stacks);
  } catch (e) {
    return [`NetworkAccessReview: ${(e as Error).message}`];
  }
  const byPath = new Map<string, IConstruct>(stage.node.findAll().map(c => [c.node.path, c]));
  // No stack traces: they would point into this function, not at the user's
  // code, and capturing one per finding tripled synth time (bench section (i)).
  // Annotations reads this variable when Annotations.of() is called.
  const traces = process.env.CDK_DISABLE_STACK_TRACE;
  process.env.CDK_DISABLE_STACK_TRACE = '1';
  try {
    for (const f of report.findings) {
      const target = byPath.get(f.constructPath) ?? byPath.get(f.stack) ?? stage;
      const text = `${f.ruleId} (${f.severity}): ${f.message}`;
      const id = `cdk-network-access:${f.ruleId}`;
      if (f.severity === 'low' || f.severity === 'info') {
        Annotations.of(target).addInfo(`[${id}] ${text}`);
      } else {
        Annotations.of(target).addWarningV2(id, text);
      }
    }
  } finally {
    if (traces === undefined) delete process.env.CDK_DISABLE_STACK_TRACE;
    else process.env.CDK_DISABLE_STACK_TRACE = traces;
  }
  return [];
}

/** A stack's template as written into the cloud assembly, or undefined before it is. */
function fromAssembly(stack: Stack): CfnTemplate | undefined {
  const file = path.join(Stage.of(stack)!.outdir, stack.templateFile);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as CfnTemplate : undefined;
}

/**
 * The stacks of a stage (with `nested`, those of nested stages too), as the
 * CLI reads them from the assembly; `templateOf` gives each one's template.
 */
function stacksOf(stage: Stage, templateOf: (stack: Stack) => CfnTemplate | undefined = fromAssembly, nested = true): StackInput[] {
  const out: StackInput[] = [];
  // One walk of the tree: the stacks, and the CloudFormation resources of each.
  const all = stage.node.findAll();
  const resourcesOf = new Map<Stack, CfnResource[]>();
  for (const r of all) {
    if (!CfnResource.isCfnResource(r)) continue;
    const list = resourcesOf.get(r.stack);
    if (list) list.push(r);
    else resourcesOf.set(r.stack, [r]);
  }
  for (const c of all) {
    if (!Stack.isStack(c) || NestedStack.isNestedStack(c)) continue;
    const owner = Stage.of(c)!;
    if (!nested && owner !== stage) continue;
    const template = templateOf(c);
    if (!template) continue;
    const prefix: string[] = [];
    for (let s: Stage | undefined = owner; s && s !== stage; s = s.parentStage) {
      prefix.unshift(s.artifactId);
    }
    const constructPaths: Record<string, string> = {};
    for (const r of resourcesOf.get(c) ?? []) {
      constructPaths[c.resolve(r.logicalId)] = r.node.path;
    }
    out.push({
      name: [...prefix, c.artifactId].join('/'),
      constructPaths,
      template,
      account: !Token.isUnresolved(c.account) && /^\d{12}$/.test(c.account) ? c.account : undefined,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
