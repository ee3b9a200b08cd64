/**
 * The synth-time commands: `report`, `diff` and `check`. They read a cloud
 * assembly (cdk.out) and run the review on its templates, or read a report
 * (network-access.json) written before; nothing reaches AWS.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { Command, Option } from 'commander';
import * as yaml from 'js-yaml';
import { outcome, paint, UserError } from './errors';
import { AssemblyReadError, readAssembly } from '../src/review/private/assembly';
import { AccessChange, diffReports, failOnMatches, FindingChange, hasChanges, RenamedEntity, ReportDiff } from '../src/review/private/diff';
import { ReviewConfigurationError, reviewStacks } from '../src/review/private/engine';
import { checkIntent, formatCounterexample, IntentError, IntentFile } from '../src/review/private/intent';
import { NetworkAccessReportJson, REPORT_SCHEMA_VERSION, SEVERITIES, Severity } from '../src/review/private/report-types';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const intentSchema: object = require('../schemas/intent.schema.json');

/** A cloud assembly directory, reviewed now, or a report.json file. */
export function loadReport(p: string): NetworkAccessReportJson {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new UserError(`${p}: no such file or directory (expected a cloud assembly directory such as cdk.out, or a report .json)`);
  }
  if (stat.isDirectory()) {
    try {
      return reviewStacks(readAssembly(p));
    } catch (e) {
      if (e instanceof AssemblyReadError || e instanceof ReviewConfigurationError) {
        throw new UserError(e.message);
      }
      throw e;
    }
  }
  let parsed: any;
  try {
    parsed = JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (e) {
    throw new UserError(`${p}: not a cloud assembly directory and not a JSON report (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || !('schemaVersion' in parsed)) {
    throw new UserError(`${p}: not a network access report (no schemaVersion); pass a cdk.out directory or a report written by 'report --format json'`);
  }
  if (parsed.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new UserError(`${p}: report schemaVersion ${JSON.stringify(parsed.schemaVersion)} is not supported (this version reads ${REPORT_SCHEMA_VERSION}); upgrade cdk-network-access or regenerate the report`);
  }
  if (!Array.isArray(parsed.stacks) || !Array.isArray(parsed.findings) || !Array.isArray(parsed.suppressed)) {
    throw new UserError(`${p}: not a complete network access report (stacks, findings or suppressed missing)`);
  }
  return parsed as NetworkAccessReportJson;
}

function table(rows: string[][], header: string[], indent = ''): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (r: string[]) => indent + r.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [paint(1, line(header)), ...rows.map(line)].join('\n') + '\n';
}

function who(principal: string): string {
  return principal === '*' ? 'all users' : `group ${principal}`;
}

/** The report as text: per stack, who reaches what. */
export function renderReportTable(r: NetworkAccessReportJson): string {
  const out: string[] = [];
  const f = r.summary.findings;
  out.push(`${r.summary.stacks} stacks, ${r.summary.grants} grants; findings: ${SEVERITIES.map(s => `${f[s]} ${s}`).join(', ')}; `
    + `${r.summary.suppressed} suppressed, ${r.summary.unknowns} unknown\n`);
  for (const s of r.stacks) {
    const empty = s.clientVpnEndpoints.length + s.securityGroups.length + s.vpnConnections.length + s.cacheSecurityGroups.length === 0;
    if (empty) continue;
    out.push(paint(1, `Stack ${s.stack}`) + '\n');
    for (const e of s.clientVpnEndpoints) {
      out.push(`  Client VPN endpoint ${e.key} (${e.constructPath})${e.routesKnown ? '' : ' [routes unknown: reachable is an upper bound]'}\n`);
      out.push(table(e.principals.map(p => [who(p.principal), p.reachable.join(' ') || '-', p.authorized.join(' ') || '-']),
        ['PRINCIPAL', 'REACHES', 'AUTHORIZED'], '    '));
    }
    for (const g of s.securityGroups) {
      if (g.access.length === 0) continue;
      out.push(`  Security group ${g.key} (${g.constructPath})\n`);
      out.push(table(g.access.map(a => [`${a.source.id}`, a.protocol, a.ports.join(' ')]), ['SOURCE', 'PROTOCOL', 'PORTS'], '    '));
    }
    for (const v of s.vpnConnections) {
      out.push(`  VPN connection ${v.key} (${v.constructPath}): static routes ${v.staticRoutes.join(' ') || '-'}; pre-shared keys ${v.preSharedKeys}\n`);
    }
    for (const c of s.cacheSecurityGroups) {
      out.push(`  Cache security group ${c.key} (${c.constructPath})\n`);
      out.push(table(c.ingress.map(i => [i.ec2SecurityGroupName, i.ownerId, String(i.crossAccount)]), ['EC2 SECURITY GROUP', 'OWNER', 'CROSS ACCOUNT'], '    '));
    }
  }
  if (r.findings.length > 0) {
    out.push(paint(1, 'Findings') + '\n');
    out.push(table(r.findings.map(x => [x.severity, x.ruleId, x.message, x.constructPath]), ['SEVERITY', 'RULE', 'MESSAGE', 'WHERE'], '  '));
  }
  if (r.suppressed.length > 0) {
    out.push(paint(1, 'Suppressed') + '\n');
    out.push(table(r.suppressed.map(x => [x.ruleId, x.constructPath, x.reason]), ['RULE', 'WHERE', 'REASON'], '  '));
  }
  if (r.unknowns.length > 0) {
    out.push(paint(1, 'Unknown before deploy') + '\n');
    out.push(table(r.unknowns.map(x => [x.constructPath, x.property, x.reason]), ['WHERE', 'PROPERTY', 'REASON'], '  '));
  }
  return out.join('');
}

function subjectText(c: AccessChange): string {
  switch (c.kind) {
    case 'client-vpn': return who(c.subject);
    case 'security-group': return `from ${c.subject.replace(' ', ', protocol ')}`;
    default: return c.subject;
  }
}

const KIND_TEXT: Record<AccessChange['kind'], string> = {
  'client-vpn': 'Client VPN',
  'security-group': 'security group',
  'vpn-static-routes': 'VPN connection',
  'cache-ingress': 'cache security group',
};

export function summaryLine(d: ReportDiff): string {
  if (!hasChanges(d)) {
    return 'Network access: no change.';
  }
  const s = d.summary;
  return `Network access: ${s.widened} widened, ${s.narrowed} narrowed, ${s.moved} moved; `
    + `findings: ${s.findingsIntroduced} introduced, ${s.findingsResolved} resolved.`;
}

function shadowText(c: AccessChange): string[] {
  return (c.shadowedBy ?? []).map(s => `${s.lost.join(', ')} lost through shadowing: the more specific rule ${s.cidr} for ${who(s.principal)} (${s.constructPath}) takes it`);
}

function renamedText(r: RenamedEntity): string {
  const what = r.kind === 'security-group' ? 'security group' : 'cache security group';
  return `${what} ${r.from} is now ${r.to} (stack ${r.stack}): unnamed, matched by identical access, no change`;
}

export function renderDiffTable(d: ReportDiff): string {
  const out: string[] = [summaryLine(d) + '\n'];
  const colour: Record<string, number> = { widened: 31, narrowed: 32, moved: 33 };
  for (const c of d.changes) {
    out.push(`${paint(colour[c.class], c.class.toUpperCase())} ${KIND_TEXT[c.kind]} ${c.entity}, ${subjectText(c)} (stack ${c.stack})\n`);
    if (c.gained.length > 0) out.push(`  + ${c.gained.join(' ')}\n`);
    if (c.lost.length > 0) out.push(`  - ${c.lost.join(' ')}\n`);
    if (c.authorizedGained && c.authorizedGained.length > 0) out.push(`  + authorized ${c.authorizedGained.join(' ')}\n`);
    if (c.authorizedLost && c.authorizedLost.length > 0) out.push(`  - authorized ${c.authorizedLost.join(' ')}\n`);
    shadowText(c).forEach(t => out.push(`  ! ${t}\n`));
  }
  for (const r of d.renamed) {
    out.push(`RENAMED ${renamedText(r)}\n`);
  }
  for (const f of d.findingsIntroduced) {
    out.push(`${paint(31, 'FINDING INTRODUCED')} ${f.severity} ${f.ruleId}: ${f.message} (${f.constructPath})\n`);
  }
  for (const f of d.findingsResolved) {
    const how = f.suppressedReason !== undefined ? `suppressed: ${f.suppressedReason}` : 'resolved';
    out.push(`${paint(32, 'FINDING RESOLVED')} ${f.severity} ${f.ruleId}: ${f.message} (${f.constructPath}) [${how}]\n`);
  }
  return out.join('');
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A list in a cell: inline when short, collapsed when long. */
function cell(values: readonly string[], noun: string): string {
  if (values.length === 0) return '';
  const code = values.map(v => `\`${v}\``);
  if (values.length <= 4) return code.join(', ');
  return `<details><summary>${values.length} ${noun}</summary>${code.join('<br>')}</details>`;
}

function findingRows(fs_: readonly FindingChange[], resolved: boolean): string[] {
  return fs_.map(f => `| ${f.severity} | \`${f.ruleId}\` | ${md(f.message)} | \`${md(f.constructPath)}\` |`
    + (resolved ? ` ${f.suppressedReason !== undefined ? `suppressed: ${md(f.suppressedReason)}` : 'fixed'} |` : ''));
}

export function renderDiffMarkdown(d: ReportDiff): string {
  const out: string[] = [`**${summaryLine(d)}**`, ''];
  const stacks = [...new Set(d.changes.map(c => c.stack))];
  for (const stack of stacks) {
    out.push(`#### Stack \`${stack}\``, '');
    out.push('| change | what | who | gained | lost |', '|---|---|---|---|---|');
    const notes: string[] = [];
    for (const c of d.changes.filter(x => x.stack === stack)) {
      const noun = c.kind === 'security-group' ? 'port ranges' : c.kind === 'cache-ingress' ? 'groups' : 'CIDRs';
      const gained = [cell(c.gained, noun), c.authorizedGained?.length ? `authorized: ${cell(c.authorizedGained, noun)}` : ''].filter(Boolean).join('<br>');
      const lost = [cell(c.lost, noun), c.authorizedLost?.length ? `authorized: ${cell(c.authorizedLost, noun)}` : ''].filter(Boolean).join('<br>');
      out.push(`| ${c.class === 'widened' ? '**widened**' : c.class} | ${KIND_TEXT[c.kind]} \`${md(c.entity)}\` | ${md(subjectText(c))} | ${gained} | ${lost} |`);
      shadowText(c).forEach(t => notes.push(`- ${who(c.subject)} on \`${md(c.entity)}\`: ${md(t)}`));
    }
    out.push('');
    if (notes.length > 0) out.push(...notes, '');
  }
  if (d.renamed.length > 0) {
    out.push(...d.renamed.map(r => `- Renamed: ${md(renamedText(r))}`), '');
  }
  if (d.findingsIntroduced.length > 0) {
    out.push(`#### Findings introduced (${d.findingsIntroduced.length})`, '', '| severity | rule | message | where |', '|---|---|---|---|');
    out.push(...findingRows(d.findingsIntroduced, false), '');
  }
  if (d.findingsResolved.length > 0) {
    const rows = findingRows(d.findingsResolved, true);
    out.push(`#### Findings resolved (${d.findingsResolved.length})`, '');
    if (rows.length > 5) out.push('<details><summary>show</summary>', '');
    out.push('| severity | rule | message | where | how |', '|---|---|---|---|---|', ...rows, '');
    if (rows.length > 5) out.push('</details>', '');
  }
  out.push('<sub>cdk-network-access diff: effective access by principal and source, keyed across renames.</sub>', '');
  return out.join('\n');
}

function readIntent(p: string): IntentFile {
  let text: string;
  try {
    text = fs.readFileSync(p, 'utf8');
  } catch {
    throw new UserError(`${p}: cannot read the intent file (no such file?)`);
  }
  let parsed: unknown;
  try {
    parsed = /\.json$/i.test(p) ? JSON.parse(text) : yaml.load(text, { filename: p });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new UserError(`${p}: the intent file does not parse: ${msg}`);
  }
  const ajv = new Ajv({ allErrors: false, strict: false });
  const validate = ajv.compile(intentSchema);
  if (!validate(parsed)) {
    const err = validate.errors?.[0];
    throw new UserError(`${p}: not a valid intent file: ${err?.instancePath || '/'} ${err?.message ?? ''} (schema: schemas/intent.schema.json)`);
  }
  return parsed as IntentFile;
}

const FAIL_ON = ['widened', ...SEVERITIES.filter(s => s !== 'info')];

export function addReviewCommands(prog: Command, markdownReport?: (r: NetworkAccessReportJson) => string): void {
  const reportFormats = markdownReport ? ['table', 'markdown', 'json'] : ['table', 'json'];
  prog.command('report')
    .description('Show the effective network access of a cloud assembly: who reaches what, and findings')
    .argument('<assembly>', 'a cloud assembly directory (cdk.out), or a report .json')
    .addOption(new Option('--format <format>', 'output format').choices(reportFormats).default('table'))
    .addHelpText('after', `
Works on any synthesized app: the review runs on the templates (no opt-in needed).

Examples:
  $ cdk-network-access report cdk.out
  $ cdk-network-access report cdk.out --format markdown > network-access.md
  $ cdk-network-access report cdk.out --format json > network-access.json
Exit codes: 0 ok, 1 error.`)
    .action((assembly: string, opts: { format: string }) => {
      const report = loadReport(assembly);
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      } else if (opts.format === 'markdown' && markdownReport) {
        process.stdout.write(markdownReport(report));
      } else {
        process.stdout.write(renderReportTable(report));
      }
    });

  prog.command('diff')
    .description('Semantic diff of effective network access between two assemblies: gained and lost per principal and source')
    .argument('<base>', 'the base: a cloud assembly directory (cdk.out) or a report .json')
    .argument('<head>', 'the head: a cloud assembly directory (cdk.out) or a report .json')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'markdown', 'json']).default('table'))
    .addOption(new Option('--fail-on <what>', 'exit 3 on any widening, or on an introduced finding at this severity or above').choices(FAIL_ON))
    .addHelpText('after', `
Entities are matched by key (endpoint client CIDR, security group name or path
without the stack), so renaming stacks or constructs is no change. An unnamed
group whose construct was renamed is matched by identical access (RENAMED).

Examples:
  $ cdk-network-access diff base/cdk.out cdk.out
  $ cdk-network-access diff base/cdk.out cdk.out --format markdown > comment.md
  $ cdk-network-access diff network-access.json cdk.out --fail-on widened
Exit codes: 0 no change, 2 changes, 3 --fail-on matched, 1 error.`)
    .action((base: string, head: string, opts: { format: string; failOn?: 'widened' | Severity }) => {
      const d = diffReports(loadReport(base), loadReport(head));
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify(d, null, 2) + '\n');
      } else if (opts.format === 'markdown') {
        process.stdout.write(renderDiffMarkdown(d));
      } else {
        process.stdout.write(renderDiffTable(d));
      }
      outcome.code = opts.failOn && failOnMatches(d, opts.failOn) ? 3 : hasChanges(d) ? 2 : 0;
    });

  prog.command('check')
    .description('Check intent assertions (YAML or JSON) against an assembly; optionally that nothing widened against a baseline')
    .argument('<assembly>', 'a cloud assembly directory (cdk.out) or a report .json')
    .requiredOption('--intent <file>', 'the intent file (.yaml, .yml or .json; schema: schemas/intent.schema.json)')
    .option('--baseline <assembly>', 'also fail when access widened against this cdk.out or report .json')
    .addHelpText('after', `
Intent file (YAML):
  version: 1
  assertions:
    - never: { principal: finance, reaches: 10.0.0.0/16 }
    - noIngress: { from: 0.0.0.0/0, port: 22 }
    - onlyPrincipals: { reach: 10.2.0.0/16, principals: [platform, sre] }
    - noRuleCoveringVpc: { vpcCidr: 10.0.0.0/16 }

Examples:
  $ cdk-network-access check cdk.out --intent network-intent.yaml
  $ cdk-network-access check cdk.out --intent network-intent.yaml --baseline main-network-access.json
Exit codes: 0 every assertion holds, 3 some fail (each with a counterexample), 1 error.`)
    .action((assembly: string, opts: { intent: string; baseline?: string }) => {
      const intent = readIntent(opts.intent);
      const report = loadReport(assembly);
      let results;
      try {
        results = checkIntent(report, intent);
      } catch (e) {
        if (e instanceof IntentError) throw new UserError(`${opts.intent}: ${e.message}`);
        throw e;
      }
      let failed = 0;
      for (const r of results) {
        if (r.passed) {
          process.stdout.write(`${paint(32, 'PASS')} ${r.name}\n`);
        } else {
          failed++;
          process.stdout.write(`${paint(31, 'FAIL')} ${r.name}\n`);
          r.counterexamples.forEach(c => process.stdout.write(`  ${formatCounterexample(c)}\n`));
        }
      }
      if (opts.baseline) {
        const d = diffReports(loadReport(opts.baseline), report);
        const widened = d.changes.filter(c => c.gained.length > 0 || (c.authorizedGained?.length ?? 0) > 0);
        if (widened.length === 0) {
          process.stdout.write(`${paint(32, 'PASS')} nothing widened against ${path.normalize(opts.baseline)}\n`);
        } else {
          failed++;
          process.stdout.write(`${paint(31, 'FAIL')} nothing widened against ${path.normalize(opts.baseline)}\n`);
          for (const c of widened) {
            process.stdout.write(`  ${KIND_TEXT[c.kind]} ${c.entity}, ${subjectText(c)} gained ${[...c.gained, ...c.authorizedGained ?? []].join(' ')} (stack ${c.stack})\n`);
          }
        }
      }
      const total = results.length + (opts.baseline ? 1 : 0);
      process.stdout.write(`${total - failed} of ${total} assertions hold.\n`);
      outcome.code = failed > 0 ? 3 : 0;
    });
}
