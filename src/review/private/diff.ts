/**
 * The semantic diff of two network access reports: effective access gained
 * and lost, keyed by entity key (stable across renames of stacks and
 * constructs) and by principal or source, never by logical or construct ids.
 * Pure: the command-line tool renders it.
 */
import { AddressSet, EMPTY, isEmpty, subtract, toCidrs, union, cidrToSet, intersect } from './address-set';
import { ALL_USERS, EvalRule, findShadowing } from './client-vpn-access';
import { Finding, NetworkAccessReportJson, Severity, SEVERITIES, StackReport, SuppressedFinding } from './report-types';

export type ChangeClass = 'widened' | 'narrowed' | 'moved';
export type ChangeKind = 'client-vpn' | 'security-group' | 'vpn-static-routes' | 'cache-ingress';

/** Access lost because a more specific rule of others now takes it. */
export interface ShadowedLoss {
  /** The lost CIDRs this rule takes. */
  readonly lost: string[];
  /** The taking rule: its CIDR, principal and construct path. */
  readonly cidr: string;
  readonly principal: string;
  readonly constructPath: string;
}

export interface AccessChange {
  readonly kind: ChangeKind;
  /** The head stack's name (the base's when the entity is gone). */
  readonly stack: string;
  /** The entity key (`client-vpn:...`, `security-group:...`, `vpn:...`, `cache-security-group:...`). */
  readonly entity: string;
  /** Who: a principal ('*' all users), `<source> <protocol>`, 'static routes' or 'ingress'. */
  readonly subject: string;
  /** Disjoint CIDRs, port ranges ('N', 'N-M', 'all') or cache ingress sources (`owner/group`). */
  readonly gained: string[];
  readonly lost: string[];
  readonly class: ChangeClass;
  /** Client VPN only: authorized (before routes) gained and lost, when it differs from reachable. */
  readonly authorizedGained?: string[];
  readonly authorizedLost?: string[];
  /** Client VPN only: the part of `lost` that a more specific rule of others takes. */
  readonly shadowedBy?: ShadowedLoss[];
}

export interface FindingChange {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly stack: string;
  readonly constructPath: string;
  /** Resolved findings only: silenced by a suppression in head, with its reason. */
  readonly suppressedReason?: string;
}

/** An unnamed group whose construct was renamed or moved, matched by identical access: not a change. */
export interface RenamedEntity {
  readonly kind: 'security-group' | 'cache-security-group';
  /** The head stack's name. */
  readonly stack: string;
  /** The base's key and the head's. */
  readonly from: string;
  readonly to: string;
}

export interface ReportDiff {
  readonly summary: {
    readonly changes: number;
    readonly widened: number;
    readonly narrowed: number;
    readonly moved: number;
    readonly findingsIntroduced: number;
    readonly findingsResolved: number;
  };
  /** Sorted by stack, kind, entity, subject. */
  readonly changes: AccessChange[];
  readonly findingsIntroduced: FindingChange[];
  readonly findingsResolved: FindingChange[];
  /** Unnamed groups matched across a rename of their construct (sorted by stack, from). */
  readonly renamed: RenamedEntity[];
}

const ALL_PORTS: AddressSet = [[0, 65535]];

/** Port strings of the report ('all', 'N', 'N-M') as a set of ports. */
export function portsToSet(ports: readonly string[]): AddressSet {
  return union(...ports.map(p => {
    if (p === 'all') return ALL_PORTS;
    const m = /^(-?\d+)(?:-(-?\d+))?$/.exec(p);
    if (!m) return EMPTY;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    return [[from, to] as const];
  }));
}

export function setToPorts(set: AddressSet): string[] {
  return set.map(([a, b]) => (a === 0 && b === 65535 ? 'all' : a === b ? `${a}` : `${a}-${b}`));
}

function cidrsToSet(cidrs: readonly string[]): AddressSet {
  return union(...cidrs.map(c => cidrToSet(c) ?? EMPTY));
}

/** IPv6 and other non-IPv4 values are compared as strings. */
function otherValues(cidrs: readonly string[]): Set<string> {
  return new Set(cidrs.filter(c => !cidrToSet(c)));
}

interface Side {
  readonly stack: string;
  /** Values: IPv4 sets plus other strings (IPv6 CIDRs, names). */
  readonly set: AddressSet;
  readonly other: Set<string>;
  readonly authorized?: AddressSet;
}

type Index = Map<string, Side>;

function idx(kind: ChangeKind, entity: string, subject: string): string {
  return JSON.stringify([kind, entity, subject]);
}

function put(index: Index, key: string, side: Side): void {
  const prev = index.get(key);
  if (!prev) {
    index.set(key, side);
    return;
  }
  // The same entity key in two stacks: their access is the union.
  index.set(key, {
    stack: prev.stack,
    set: union(prev.set, side.set),
    other: new Set([...prev.other, ...side.other]),
    authorized: prev.authorized || side.authorized ? union(prev.authorized ?? EMPTY, side.authorized ?? EMPTY) : undefined,
  });
}

/** Every (entity, subject) of a report with what it reaches. */
export function indexAccess(report: NetworkAccessReportJson): Index {
  const index: Index = new Map();
  for (const s of report.stacks) {
    for (const e of s.clientVpnEndpoints) {
      for (const p of e.principals) {
        put(index, idx('client-vpn', e.key, p.principal), {
          stack: s.stack, set: cidrsToSet(p.reachable), other: new Set(), authorized: cidrsToSet(p.authorized),
        });
      }
    }
    for (const g of s.securityGroups) {
      for (const a of g.access) {
        put(index, idx('security-group', g.key, `${a.source.id} ${a.protocol}`), { stack: s.stack, set: portsToSet(a.ports), other: new Set() });
      }
    }
    for (const v of s.vpnConnections) {
      put(index, idx('vpn-static-routes', v.key, 'static routes'), {
        stack: s.stack, set: cidrsToSet(v.staticRoutes), other: otherValues(v.staticRoutes),
      });
    }
    for (const c of s.cacheSecurityGroups) {
      put(index, idx('cache-ingress', c.key, 'ingress'), {
        stack: s.stack, set: EMPTY, other: new Set(c.ingress.map(i => `${i.ownerId}/${i.ec2SecurityGroupName}`)),
      });
    }
  }
  return index;
}

function render(kind: ChangeKind, set: AddressSet, other: Iterable<string>): string[] {
  const values = kind === 'security-group' ? setToPorts(set) : kind === 'cache-ingress' ? [] : toCidrs(set);
  return [...values, ...[...other].sort()];
}

function classify(gained: boolean, lost: boolean): ChangeClass {
  return gained && lost ? 'moved' : gained ? 'widened' : 'narrowed';
}

/** Shadowing in head, per endpoint key and principal. */
function shadowingOf(report: NetworkAccessReportJson): Map<string, Array<{ lost: AddressSet; rule: EvalRule }>> {
  const out = new Map<string, Array<{ lost: AddressSet; rule: EvalRule }>>();
  for (const s of report.stacks) {
    for (const e of s.clientVpnEndpoints) {
      const rules: EvalRule[] = e.rules.map(r => ({
        cidr: r.cidr,
        groupId: r.principal === ALL_USERS ? undefined : r.principal,
        declaredAt: r.constructPath,
      }));
      for (const sh of findShadowing(rules)) {
        const key = `${e.key}|${sh.principal}`;
        out.set(key, [...out.get(key) ?? [], { lost: sh.lost, rule: sh.takenBy }]);
      }
    }
  }
  return out;
}

const SEVERITY_RANK = new Map(SEVERITIES.map((s, i) => [s, i]));

/** Whether `severity` is `threshold` or more severe. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK.get(severity)! <= SEVERITY_RANK.get(threshold)!;
}

/** Paths and stack names are replaced so that a rename does not change a finding's identity. */
function pathsOf(report: NetworkAccessReportJson): string[] {
  const paths = new Set<string>();
  const add = (p: string) => {
    if (p) paths.add(p);
  };
  for (const s of report.stacks) {
    for (const e of s.clientVpnEndpoints) {
      add(e.constructPath);
      e.rules.forEach(r => add(r.constructPath));
    }
    for (const g of s.securityGroups) {
      add(g.constructPath);
      g.ingress.forEach(i => add(i.constructPath));
    }
    s.vpnConnections.forEach(v => add(v.constructPath));
    for (const c of s.cacheSecurityGroups) {
      add(c.constructPath);
      c.ingress.forEach(i => add(i.constructPath));
    }
  }
  [...report.findings, ...report.suppressed, ...report.unknowns].forEach(f => add(f.constructPath));
  return [...paths].filter(p => p.includes('/')).sort((a, b) => b.length - a.length);
}

/** Identity of a finding across renames: its rule id and its message with construct paths masked. */
export function findingIdentity(f: Finding, paths: readonly string[]): string {
  let msg = f.message;
  for (const p of paths) {
    msg = msg.split(p).join('<path>');
  }
  return `${f.ruleId}|${msg}`;
}

function toChange(f: Finding, suppressedReason?: string): FindingChange {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    stack: f.stack,
    constructPath: f.constructPath,
    ...(suppressedReason !== undefined ? { suppressedReason } : {}),
  };
}

/** Multiset difference of findings by identity. */
function minus(a: readonly Finding[], aPaths: readonly string[], b: readonly Finding[], bPaths: readonly string[]): Finding[] {
  const counts = new Map<string, number>();
  for (const f of b) {
    const k = findingIdentity(f, bPaths);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return a.filter(f => {
    const k = findingIdentity(f, aPaths);
    const n = counts.get(k) ?? 0;
    if (n > 0) {
      counts.set(k, n - 1);
      return false;
    }
    return true;
  });
}

/** A key made of the construct path alone (no name, no id): renaming the construct changes it. */
function isPathKey(key: string, prefix: string, constructPath: string): boolean {
  return key === `${prefix}${constructPath.split('/').slice(1).join('/')}`;
}

interface Keyed { readonly kind: RenamedEntity['kind']; readonly key: string; readonly stack: string; readonly pathKey: boolean; readonly signature: string }

/** Every security group and cache security group of a report, with what it admits as a comparable string. */
function keyedGroups(report: NetworkAccessReportJson): Keyed[] {
  const out: Keyed[] = [];
  for (const s of report.stacks) {
    for (const g of s.securityGroups) {
      out.push({
        kind: 'security-group',
        key: g.key,
        stack: s.stack,
        pathKey: isPathKey(g.key, 'security-group:', g.constructPath),
        signature: JSON.stringify(g.access.map(a => [a.source.kind, a.source.id, a.protocol, a.ports])),
      });
    }
    for (const c of s.cacheSecurityGroups) {
      out.push({
        kind: 'cache-security-group',
        key: c.key,
        stack: s.stack,
        pathKey: isPathKey(c.key, 'cache-security-group:', c.constructPath),
        signature: JSON.stringify(c.ingress.map(i => `${i.ownerId}/${i.ec2SecurityGroupName}`).sort()),
      });
    }
  }
  return out;
}

/**
 * Unnamed groups (keyed by construct path) that are only in base and only in
 * head, paired when exactly one of each admits exactly the same sources,
 * protocols and ports: the construct was renamed or moved, nothing changed.
 * Two candidates with the same access on either side stay unpaired (a change).
 */
export function matchRenamedGroups(base: NetworkAccessReportJson, head: NetworkAccessReportJson): RenamedEntity[] {
  const before = keyedGroups(base);
  const after = keyedGroups(head);
  const beforeKeys = new Set(before.map(k => k.key));
  const afterKeys = new Set(after.map(k => k.key));
  const bySignature = (list: Keyed[], others: Set<string>) => {
    const m = new Map<string, Keyed[]>();
    for (const k of list) {
      if (!k.pathKey || others.has(k.key)) continue;
      const id = `${k.kind}|${k.signature}`;
      m.set(id, [...m.get(id) ?? [], k]);
    }
    return m;
  };
  const gone = bySignature(before, afterKeys);
  const added = bySignature(after, beforeKeys);
  const out: RenamedEntity[] = [];
  for (const [id, from] of gone) {
    const to = added.get(id);
    if (from.length === 1 && to?.length === 1) {
      out.push({ kind: from[0].kind, stack: to[0].stack, from: from[0].key, to: to[0].key });
    }
  }
  return out.sort((x, y) => cmp(x.stack, y.stack) || cmp(x.from, y.from));
}

/** The head with the renamed groups' keys (and references to them as sources) set back to the base's. */
function withBaseKeys(head: NetworkAccessReportJson, renamed: readonly RenamedEntity[]): NetworkAccessReportJson {
  if (renamed.length === 0) return head;
  const toBase = new Map(renamed.map(r => [r.to, r.from]));
  const rekey = (k: string) => toBase.get(k) ?? k;
  const source = <T extends { readonly source: { readonly kind: string; readonly id: string } }>(x: T): T =>
    x.source.kind === 'security-group' ? { ...x, source: { ...x.source, id: rekey(x.source.id) } } : x;
  const stacks: StackReport[] = head.stacks.map(s => ({
    ...s,
    securityGroups: s.securityGroups.map(g => ({ ...g, key: rekey(g.key), ingress: g.ingress.map(source), access: g.access.map(source) })),
    cacheSecurityGroups: s.cacheSecurityGroups.map(c => ({ ...c, key: rekey(c.key) })),
  }));
  return { ...head, stacks };
}

export function diffReports(base: NetworkAccessReportJson, headAsWritten: NetworkAccessReportJson): ReportDiff {
  const renamed = matchRenamedGroups(base, headAsWritten);
  const head = withBaseKeys(headAsWritten, renamed);
  const before = indexAccess(base);
  const after = indexAccess(head);
  const shadowing = shadowingOf(head);
  const changes: AccessChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const [kind, entity, subject] = JSON.parse(key) as [ChangeKind, string, string];
    const b = before.get(key);
    const a = after.get(key);
    const bSet = b?.set ?? EMPTY;
    const aSet = a?.set ?? EMPTY;
    const bOther = b?.other ?? new Set<string>();
    const aOther = a?.other ?? new Set<string>();
    const gainedSet = subtract(aSet, bSet);
    const lostSet = subtract(bSet, aSet);
    const gainedOther = [...aOther].filter(x => !bOther.has(x));
    const lostOther = [...bOther].filter(x => !aOther.has(x));
    let gained = render(kind, gainedSet, gainedOther);
    let lost = render(kind, lostSet, lostOther);
    let authorizedGained: string[] | undefined;
    let authorizedLost: string[] | undefined;
    if (kind === 'client-vpn') {
      const ag = toCidrs(subtract(a?.authorized ?? EMPTY, b?.authorized ?? EMPTY));
      const al = toCidrs(subtract(b?.authorized ?? EMPTY, a?.authorized ?? EMPTY));
      if (ag.join() !== gained.join() || al.join() !== lost.join()) {
        authorizedGained = ag;
        authorizedLost = al;
      }
    }
    const authChanged = (authorizedGained?.length ?? 0) + (authorizedLost?.length ?? 0) > 0;
    if (gained.length === 0 && lost.length === 0 && !authChanged) {
      continue;
    }
    let shadowedBy: ShadowedLoss[] | undefined;
    if (kind === 'client-vpn' && !isEmpty(lostSet)) {
      const found = (shadowing.get(`${entity}|${subject}`) ?? [])
        .map(s => ({ lost: toCidrs(intersect(s.lost, lostSet)), rule: s.rule }))
        .filter(s => s.lost.length > 0);
      if (found.length > 0) {
        shadowedBy = found.map(s => ({
          lost: s.lost, cidr: s.rule.cidr, principal: s.rule.groupId ?? ALL_USERS, constructPath: s.rule.declaredAt,
        }));
      }
    }
    // A change only before routes counts by what is authorized.
    const cls = gained.length + lost.length > 0
      ? classify(gained.length > 0, lost.length > 0)
      : classify((authorizedGained?.length ?? 0) > 0, (authorizedLost?.length ?? 0) > 0);
    changes.push({
      kind,
      stack: a?.stack ?? b!.stack,
      entity,
      subject,
      gained,
      lost,
      class: cls,
      ...(authorizedGained ? { authorizedGained, authorizedLost } : {}),
      ...(shadowedBy ? { shadowedBy } : {}),
    });
  }
  changes.sort((x, y) => cmp(x.stack, y.stack) || cmp(x.kind, y.kind) || cmp(x.entity, y.entity) || cmp(x.subject, y.subject));

  const basePaths = pathsOf(base);
  const headPaths = pathsOf(head);
  const introduced = minus(head.findings, headPaths, base.findings, basePaths).map(f => toChange(f));
  const suppressedInHead = new Map<string, SuppressedFinding>(head.suppressed.map(s => [findingIdentity(s, headPaths), s]));
  const resolved = minus(base.findings, basePaths, head.findings, headPaths)
    .map(f => toChange(f, suppressedInHead.get(findingIdentity(f, basePaths))?.reason));
  const count = (c: ChangeClass) => changes.filter(x => x.class === c).length;
  return {
    summary: {
      changes: changes.length,
      widened: count('widened'),
      narrowed: count('narrowed'),
      moved: count('moved'),
      findingsIntroduced: introduced.length,
      findingsResolved: resolved.length,
    },
    changes,
    findingsIntroduced: introduced,
    findingsResolved: resolved,
    renamed,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether the diff has any change at all (access or findings). */
export function hasChanges(d: ReportDiff): boolean {
  return d.changes.length + d.findingsIntroduced.length + d.findingsResolved.length > 0;
}

/** `--fail-on`: 'widened' (any gain of access) or a severity (an introduced finding at it or above). */
export function failOnMatches(d: ReportDiff, failOn: 'widened' | Severity): boolean {
  if (failOn === 'widened') {
    return d.changes.some(c => c.gained.length > 0 || (c.authorizedGained?.length ?? 0) > 0);
  }
  return d.findingsIntroduced.some(f => atLeast(f.severity, failOn));
}
