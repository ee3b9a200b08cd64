/**
 * Intent checks: assertions a team keeps next to its code, evaluated against
 * a network access report. Each failure carries a concrete counterexample
 * (an address, a principal, a port) and the rule that causes it. Pure; the
 * command-line tool parses and validates the file (schemas/intent.schema.json).
 */
import * as ipaddr from 'ipaddr.js';
import { AddressSet, cidrToSet, intersect, isEmpty, union } from './address-set';
import { ALL_USERS } from './client-vpn-access';
import { parseCidrAny } from './engine';
import { ClientVpnEndpointReport, ClientVpnRuleEntry, NetworkAccessReportJson, StackReport } from './report-types';
import { intToIpv4, parseIpv4Cidr } from '../../private/ipv4-cidr';

export interface NeverAssertion {
  /** An access group id, '*' (the all-users rules) or 'any' (every principal). */
  readonly principal: string;
  /** Only this endpoint (its key, e.g. `client-vpn:10.100.0.0/16`). */
  readonly endpoint?: string;
  readonly reaches: string;
}

export interface NoIngressAssertion {
  /** A source CIDR, IPv4 or IPv6: a security group ingress whose source contains all of it fails. */
  readonly from: string;
  readonly port: number;
  /** @default 'tcp' */
  readonly protocol?: string;
}

export interface OnlyPrincipalsAssertion {
  readonly reach: string;
  readonly principals: string[];
  readonly endpoint?: string;
}

export interface NoRuleCoveringVpcAssertion {
  readonly endpoint?: string;
  /** The VPC CIDR: any rule whose CIDR contains it fails. Without it, rules made by authorizeAllUsersToVpcCidr fail. */
  readonly vpcCidr?: string;
}

export interface IntentAssertion {
  /** A name for the output. */
  readonly name?: string;
  readonly never?: NeverAssertion;
  readonly noIngress?: NoIngressAssertion;
  readonly onlyPrincipals?: OnlyPrincipalsAssertion;
  readonly noRuleCoveringVpc?: NoRuleCoveringVpcAssertion;
}

export interface IntentFile {
  readonly version: 1;
  readonly assertions: IntentAssertion[];
}

export interface Counterexample {
  readonly stack: string;
  /** The endpoint or security group key. */
  readonly entity: string;
  readonly principal?: string;
  readonly address: string;
  /** A port, or 'any' for Client VPN (authorization covers every port). */
  readonly port: string;
  /** The rule that grants it. */
  readonly rule: string;
  readonly constructPath: string;
  /** The claim in words when it is not "reaches" (a rule that authorizes all of a VPC). */
  readonly what?: string;
}

export interface AssertionResult {
  readonly name: string;
  readonly passed: boolean;
  readonly counterexamples: Counterexample[];
}

/** An error in the intent file that the schema cannot express (an invalid CIDR). */
export class IntentError extends Error {}

function setOf(cidr: string, where: string): AddressSet {
  const set = cidrToSet(cidr);
  if (!set) {
    throw new IntentError(`${where}: '${cidr}' is not an IPv4 CIDR`);
  }
  return set;
}

function describe(a: IntentAssertion, i: number): string {
  if (a.name) return a.name;
  if (a.never) return `${a.never.principal} never reaches ${a.never.reaches}${a.never.endpoint ? ` on ${a.never.endpoint}` : ''}`;
  if (a.noIngress) return `nothing from ${a.noIngress.from} reaches ${a.noIngress.protocol ?? 'tcp'} port ${a.noIngress.port}`;
  if (a.onlyPrincipals) return `only ${a.onlyPrincipals.principals.join(', ')} reach ${a.onlyPrincipals.reach}`;
  if (a.noRuleCoveringVpc) {
    const on = a.noRuleCoveringVpc.endpoint ? ` on ${a.noRuleCoveringVpc.endpoint}` : '';
    return `no rule covers ${a.noRuleCoveringVpc.vpcCidr ?? 'the VPC'}${on}`;
  }
  return `assertion ${i + 1}`;
}

function endpoints(report: NetworkAccessReportJson, key?: string): Array<[StackReport, ClientVpnEndpointReport]> {
  return report.stacks.flatMap(s => s.clientVpnEndpoints
    .filter(e => !key || e.key === key)
    .map(e => [s, e] as [StackReport, ClientVpnEndpointReport]));
}

/** The rule that decides `address` on an endpoint: the longest prefix containing it. */
export function decidingRule(e: ClientVpnEndpointReport, address: number, principal: string): ClientVpnRuleEntry | undefined {
  let best: ClientVpnRuleEntry | undefined;
  let bestPrefix = -1;
  for (const r of e.rules) {
    const parsed = parseIpv4Cidr(r.cidr);
    if (!parsed.ok) continue;
    const set = cidrToSet(r.cidr)!;
    const inside = address >= set[0][0] && address <= set[0][1];
    const forPrincipal = r.principal === principal || r.principal === ALL_USERS;
    if (inside && forPrincipal && parsed.cidr.prefix >= bestPrefix) {
      best = r;
      bestPrefix = parsed.cidr.prefix;
    }
  }
  return best;
}

/** What a principal reaches on an endpoint: its own entry, else the all-users one (a group without rules of its own). */
function reachOf(e: ClientVpnEndpointReport, principal: string): { principal: string; set: AddressSet } {
  const own = e.principals.find(p => p.principal === principal) ?? e.principals.find(p => p.principal === ALL_USERS);
  const set = union(...(own?.reachable ?? []).map(c => cidrToSet(c)).filter((x): x is AddressSet => x !== undefined));
  return { principal, set };
}

function clientVpnCounterexample(s: StackReport, e: ClientVpnEndpointReport, principal: string, hit: AddressSet): Counterexample {
  const address = hit[0][0];
  const rule = decidingRule(e, address, principal);
  return {
    stack: s.stack,
    entity: e.key,
    principal,
    address: intToIpv4(address),
    port: 'any',
    rule: rule ? `${rule.cidr} for ${rule.principal === ALL_USERS ? 'all users' : `group ${rule.principal}`}` : 'unknown',
    constructPath: rule?.constructPath ?? e.constructPath,
  };
}

function checkNever(report: NetworkAccessReportJson, a: NeverAssertion): Counterexample[] {
  const target = setOf(a.reaches, 'never.reaches');
  const out: Counterexample[] = [];
  for (const [s, e] of endpoints(report, a.endpoint)) {
    const principals = a.principal === 'any' ? e.principals.map(p => p.principal) : [a.principal];
    for (const p of principals) {
      const hit = intersect(reachOf(e, p).set, target);
      if (!isEmpty(hit)) {
        out.push(clientVpnCounterexample(s, e, p, hit));
      }
    }
  }
  return out;
}

function checkOnly(report: NetworkAccessReportJson, a: OnlyPrincipalsAssertion): Counterexample[] {
  const target = setOf(a.reach, 'onlyPrincipals.reach');
  const allowed = new Set(a.principals);
  const out: Counterexample[] = [];
  for (const [s, e] of endpoints(report, a.endpoint)) {
    for (const p of e.principals) {
      if (allowed.has(p.principal)) continue;
      const hit = intersect(reachOf(e, p.principal).set, target);
      if (!isEmpty(hit)) {
        out.push(clientVpnCounterexample(s, e, p.principal, hit));
      }
    }
  }
  return out;
}

function checkVpc(report: NetworkAccessReportJson, a: NoRuleCoveringVpcAssertion): Counterexample[] {
  const vpc = a.vpcCidr ? setOf(a.vpcCidr, 'noRuleCoveringVpc.vpcCidr') : undefined;
  const out: Counterexample[] = [];
  for (const [s, e] of endpoints(report, a.endpoint)) {
    for (const r of e.rules) {
      const set = cidrToSet(r.cidr);
      const covers = vpc ? set !== undefined && set[0][0] <= vpc[0][0] && set[0][1] >= vpc[0][1] : r.source === 'authorize-all-users-to-vpc-cidr';
      if (covers) {
        out.push({
          stack: s.stack,
          entity: e.key,
          principal: r.principal,
          address: set ? intToIpv4((vpc ?? set)[0][0]) : r.cidr,
          port: 'any',
          rule: `${r.cidr} for ${r.principal === ALL_USERS ? 'all users' : `group ${r.principal}`}`,
          constructPath: r.constructPath,
          what: `${r.principal === ALL_USERS ? 'all users are' : `group ${r.principal} is`} authorized to all of ${a.vpcCidr ?? `the VPC (${r.cidr})`}`
            + ` on ${e.key}`,
        });
      }
    }
  }
  return out;
}

function protocolMatches(entry: string, wanted: string): boolean {
  const numbers: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };
  return entry === 'all' || entry === '-1' || entry === wanted || numbers[wanted] === entry;
}

/** True when the CIDR `outer` holds every address of `inner`; both canonical, of either family (different families never). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidrAny(outer);
  const i = parseCidrAny(inner);
  if (!o || !i || o.kind !== i.kind) return false;
  const [outerAddress, outerPrefix] = ipaddr.parseCIDR(o.canonical);
  const [innerAddress, innerPrefix] = ipaddr.parseCIDR(i.canonical);
  return outerPrefix <= innerPrefix && innerAddress.match(outerAddress, outerPrefix);
}

function checkNoIngress(report: NetworkAccessReportJson, a: NoIngressAssertion): Counterexample[] {
  const from = parseCidrAny(a.from);
  if (!from) {
    throw new IntentError(`noIngress.from: '${a.from}' is not an IPv4 or IPv6 CIDR`);
  }
  const protocol = a.protocol ?? 'tcp';
  const out: Counterexample[] = [];
  for (const s of report.stacks) {
    for (const g of s.securityGroups) {
      for (const i of g.ingress) {
        if (i.source.kind !== 'cidr' || !cidrContains(i.source.id, from.canonical)) continue;
        if (!protocolMatches(i.protocol, protocol)) continue;
        const inPorts = i.fromPort === undefined || i.toPort === undefined || i.fromPort === -1
          || (i.fromPort <= a.port && a.port <= i.toPort);
        if (!inPorts) continue;
        const ports = i.fromPort === undefined || i.fromPort === -1 ? 'all ports' : i.fromPort === i.toPort ? `port ${i.fromPort}` : `ports ${i.fromPort}-${i.toPort}`;
        out.push({
          stack: s.stack,
          entity: g.key,
          address: from.canonical.split('/')[0],
          port: `${a.port}`,
          rule: `ingress from ${i.source.id} ${i.protocol} ${ports}`,
          constructPath: i.constructPath,
        });
      }
    }
  }
  return out;
}

export function checkIntent(report: NetworkAccessReportJson, intent: IntentFile): AssertionResult[] {
  return intent.assertions.map((a, i) => {
    const counterexamples = [
      ...(a.never ? checkNever(report, a.never) : []),
      ...(a.noIngress ? checkNoIngress(report, a.noIngress) : []),
      ...(a.onlyPrincipals ? checkOnly(report, a.onlyPrincipals) : []),
      ...(a.noRuleCoveringVpc ? checkVpc(report, a.noRuleCoveringVpc) : []),
    ];
    return { name: describe(a, i), passed: counterexamples.length === 0, counterexamples };
  });
}

/** One line per counterexample, for a person. */
export function formatCounterexample(c: Counterexample): string {
  const who = c.principal === undefined ? '' : c.principal === ALL_USERS ? 'all users reach ' : `group ${c.principal} reaches `;
  const what = c.what ?? (c.principal === undefined ? `${c.address} reaches ${c.entity} on port ${c.port}` : `${who}${c.address} (any port) on ${c.entity}`);
  return `${what} in stack ${c.stack}: rule ${c.rule} at ${c.constructPath}`;
}
