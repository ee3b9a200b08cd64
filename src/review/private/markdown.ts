import { ALL_USERS } from './client-vpn-access';
import { Finding, NetworkAccessReportJson, StackReport } from './report-types';
import { ruleInfo } from './rules';

/**
 * `network-access.md`: the report as a reviewer reads it on GitHub. Per
 * stack: who reaches what, how, declared where; then the findings, the
 * suppressions and what the review could not decide (coverage), and a
 * Mermaid diagram of principals to targets. Pure: same report, same text.
 */
export function renderMarkdown(report: NetworkAccessReportJson, options: { readonly maxDiagramEdges?: number } = {}): string {
  const out: string[] = [];
  const s = report.summary;
  out.push('# Network access review', '');
  out.push(`${s.stacks} stack${plural(s.stacks)}, ${s.grants} grant${plural(s.grants)}; findings: `
    + `${s.findings.critical} critical, ${s.findings.high} high, ${s.findings.medium} medium, ${s.findings.low} low`
    + `; ${s.suppressed} suppressed; ${s.unknowns} unknown${plural(s.unknowns)}.`, '');
  for (const stack of report.stacks) {
    if (isEmptyStack(stack)) continue;
    out.push(`## Stack \`${stack.stack}\``, '');
    renderStack(stack, out);
    renderDiagram(stack, options.maxDiagramEdges ?? 60, out);
  }
  out.push('## Findings', '');
  findingsTable(report.findings, out);
  if (report.suppressed.length > 0) {
    out.push('## Suppressed findings', '');
    out.push('| Severity | Rule | Where | Finding | Reason |', '| --- | --- | --- | --- | --- |');
    for (const f of report.suppressed) {
      out.push(`| ${f.severity} | ${f.ruleId} | \`${cell(f.constructPath)}\` | ${cell(f.message)} | ${cell(f.reason)} |`);
    }
    out.push('');
  }
  out.push('## Coverage', '');
  if (report.unknowns.length === 0) {
    out.push('Every reference was resolved inside the assembly.', '');
  } else {
    out.push('Not decided before deploy (kept as unknown, never guessed):', '');
    out.push('| Stack | Where | Property | Why |', '| --- | --- | --- | --- |');
    for (const u of report.unknowns) {
      out.push(`| ${cell(u.stack)} | \`${cell(u.constructPath)}\` | ${cell(u.property)} | ${cell(u.reason)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Appends the stack's tables to `out` (the lines of the whole report: no list per stack to copy). */
function renderStack(stack: StackReport, out: string[]): void {
  for (const e of stack.clientVpnEndpoints) {
    out.push(`### Client VPN endpoint \`${e.constructPath}\``, '');
    out.push(`Routes: ${e.routes.length ? e.routes.join(', ') : 'none'}${e.routesKnown ? '' : ' (some routes are outside the assembly: reach is an upper bound)'}`, '');
    out.push('| Who | Reaches | Authorized, no route | Declared at |', '| --- | --- | --- | --- |');
    const declaredAt = pathsBy(e.rules, r => r.principal);
    for (const p of e.principals) {
      const paths = declaredAt.get(p.principal);
      if (!paths && p.principal !== ALL_USERS) continue;
      const reachable = new Set(p.reachable);
      const noRoute = p.authorized.filter(c => !reachable.has(c));
      const where = paths ? [...paths].join('<br>') : '—';
      out.push(`| ${who(p.principal)} | ${list(p.reachable)} | ${e.routesKnown ? list(noRoute) : 'unknown'} | ${where} |`);
    }
    out.push('');
  }
  for (const g of stack.securityGroups) {
    if (g.access.length === 0) continue;
    out.push(`### Security group \`${g.constructPath}\``, '');
    out.push('| From | Protocol | Ports | Declared at |', '| --- | --- | --- | --- |');
    const declaredAt = pathsBy(g.ingress, i => pairKey(i.source.id, i.protocol));
    for (const a of g.access) {
      const where = [...declaredAt.get(pairKey(a.source.id, a.protocol)) ?? []].join('<br>');
      out.push(`| ${cell(sourceText(a.source))} | ${a.protocol} | ${a.ports.join(', ')} | ${where} |`);
    }
    out.push('');
  }
  for (const v of stack.vpnConnections) {
    out.push(`### Site-to-site VPN \`${v.constructPath}\``, '');
    out.push(`Static routes to the customer network: ${v.staticRoutes.length ? v.staticRoutes.join(', ') : 'none (dynamic routing)'}; `
      + `pre-shared keys: ${v.preSharedKeys}.`, '');
  }
  for (const c of stack.cacheSecurityGroups) {
    out.push(`### Cache security group \`${c.constructPath}\``, '');
    if (c.ingress.length === 0) {
      out.push('No EC2 security group is admitted.', '');
      continue;
    }
    out.push('| EC2 security group | Owner | Cross-account | Declared at |', '| --- | --- | --- | --- |');
    for (const i of c.ingress) {
      out.push(`| ${cell(i.ec2SecurityGroupName)} | ${cell(i.ownerId)} | ${String(i.crossAccount)} | \`${cell(i.constructPath)}\` |`);
    }
    out.push('');
  }
}

/** Appends the stack's Mermaid diagram, if it has an edge, to `out`. */
function renderDiagram(stack: StackReport, maxEdges: number, out: string[]): void {
  const nodes = new Map<string, { id: string; declaration: string }>();
  const node = (key: string, label: string): string => {
    let n = nodes.get(key);
    if (!n) {
      n = { id: `n${nodes.size}`, declaration: `n${nodes.size}["${mermaidText(label)}"]` };
      nodes.set(key, n);
    }
    return n.id;
  };
  const edges: string[] = [];
  // Each container's node once, after the first edge's source node (the order numbers the nodes).
  for (const e of stack.clientVpnEndpoints) {
    let to: string | undefined;
    for (const p of e.principals) {
      if (p.reachable.length === 0) continue;
      const from = node(`principal:${p.principal}`, who(p.principal).replace(/`/g, ''));
      to ??= node(`endpoint:${e.key}`, `Client VPN ${e.key.replace(/^client-vpn:/, '')}`);
      edges.push(`${from} -->|"${mermaidText(p.reachable.join(', '))}"| ${to}`);
    }
  }
  for (const g of stack.securityGroups) {
    let to: string | undefined;
    for (const a of g.access) {
      const from = node(`source:${a.source.id}`, sourceText(a.source));
      to ??= node(`sg:${g.key}`, `security group ${g.key.replace(/^security-group:/, '')}`);
      edges.push(`${from} -->|"${mermaidText(`${a.protocol} ${a.ports.join(',')}`)}"| ${to}`);
    }
  }
  for (const c of stack.cacheSecurityGroups) {
    let to: string | undefined;
    for (const i of c.ingress) {
      const from = node(`ec2sg:${i.ec2SecurityGroupName}:${i.ownerId}`, `EC2 group ${i.ec2SecurityGroupName}`);
      to ??= node(`cache:${c.key}`, `cache group ${c.key.replace(/^cache-security-group:/, '')}`);
      edges.push(`${from} --> ${to}`);
    }
  }
  for (const v of stack.vpnConnections) {
    if (v.staticRoutes.length === 0) continue;
    const from = node(`vpn:${v.key}`, `VPN ${v.key.replace(/^vpn:/, '')}`);
    const to = node(`routes:${v.key}`, v.staticRoutes.join(', '));
    edges.push(`${from} -->|static routes| ${to}`);
  }
  if (edges.length === 0) return;
  const shown = firstDistinct(edges, maxEdges);
  out.push('```mermaid', 'flowchart LR');
  for (const n of nodes.values()) out.push(`  ${n.declaration}`);
  for (const e of shown) out.push(`  ${e}`);
  out.push('```', '');
  if (edges.length > shown.length) {
    out.push(`(${edges.length - shown.length} more edges are in the tables above.)`, '');
  }
}

/** Appends the findings table, and how to mend each rule's findings, to `out`. */
function findingsTable(findings: readonly Finding[], out: string[]): void {
  if (findings.length === 0) {
    out.push('None.', '');
    return;
  }
  out.push('| Severity | Rule | Where | Finding |', '| --- | --- | --- | --- |');
  for (const f of findings) {
    out.push(`| ${f.severity} | ${f.ruleId} | \`${cell(f.constructPath)}\` | ${cell(f.message)} |`);
  }
  const ids = [...new Set(findings.map(f => f.ruleId))];
  out.push('', ...ids.map(id => `- **${id}**: ${ruleInfo(id).fix}`), '');
}

/**
 * The distinct construct paths of `items` by `keyOf`, as code spans in the order
 * they first appear: a table's "Declared at" for every row in one pass.
 */
function pathsBy<T extends { readonly constructPath: string }>(items: readonly T[], keyOf: (t: T) => string): Map<string, Set<string>> {
  const paths = new Map<string, Set<string>>();
  for (const item of items) {
    const k = keyOf(item);
    const span = `\`${cell(item.constructPath)}\``;
    const set = paths.get(k);
    if (set) set.add(span);
    else paths.set(k, new Set([span]));
  }
  return paths;
}

/** One key for two texts, never the same for two different pairs (the first one's length says where it ends). */
function pairKey(a: string, b: string): string {
  return `${a.length}:${a}${b}`;
}

/** The first `n` distinct items, in order. */
function firstDistinct(items: readonly string[], n: number): string[] {
  const seen = new Set<string>();
  for (let i = 0; i < items.length && seen.size < n; i++) seen.add(items[i]);
  return [...seen];
}

function isEmptyStack(s: StackReport): boolean {
  return s.clientVpnEndpoints.length === 0 && s.securityGroups.every(g => g.access.length === 0)
    && s.vpnConnections.length === 0 && s.cacheSecurityGroups.length === 0;
}

function who(principal: string): string {
  return principal === ALL_USERS ? 'all users' : `group \`${cell(principal)}\``;
}

function sourceText(source: { kind: string; id: string }): string {
  return source.kind === 'cidr' ? source.id : source.id.replace(/^security-group:/, 'security group ');
}

function list(cidrs: readonly string[]): string {
  return cidrs.length ? cidrs.join(', ') : '—';
}

/** `text` for a table cell: pipes escaped, line breaks as spaces (checked first: most text has neither). */
function cell(text: string): string {
  return text.includes('|') || text.includes('\n') ? text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') : text;
}

/** `text` for a Mermaid label: quotes as entities, no backticks (checked first: most text has neither). */
function mermaidText(text: string): string {
  return text.includes('"') || text.includes('`') ? text.replace(/"/g, '#quot;').replace(/`/g, '') : text;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
