import { AddressSet, cidrToSet, EMPTY, intersect, isEmpty, subtract, union } from './address-set';
import { parseIpv4Cidr } from '../../private/ipv4-cidr';

/**
 * Client VPN authorization, evaluated the way the service does it
 * (AWS Client VPN administrator guide, "Authorization rules"): for a
 * destination address only the rules with the longest matching prefix count,
 * and among those access is granted when one names the user's group or all
 * users. Traffic also needs a route in the endpoint's route table.
 */

/** One authorization rule. `groupId` undefined means all users. */
export interface EvalRule {
  readonly cidr: string;
  readonly groupId?: string;
  /** Where it was declared (construct path), for findings. */
  readonly declaredAt: string;
}

/** A principal's reach: `'*'` is all users. */
export interface PrincipalAccess {
  readonly principal: string;
  /** What its rules name, before longest-prefix matching. */
  readonly declared: AddressSet;
  /** What longest-prefix matching leaves it. */
  readonly authorized: AddressSet;
  /** `authorized` within the endpoint's routes: what it really reaches. */
  readonly reachable: AddressSet;
}

/** Access a group's rule names but a more specific rule of others takes away. */
export interface Shadowing {
  readonly principal: string;
  readonly lostCidr: string;
  readonly lost: AddressSet;
  /** The rule of the principal that loses. */
  readonly shadowedRule: EvalRule;
  /** The more specific rule that takes it. */
  readonly takenBy: EvalRule;
}

export const ALL_USERS = '*';

/**
 * The effective access of every principal named by `rules` (and of all users),
 * sorted by principal. Rules that are not IPv4 CIDRs are ignored here; the
 * reader reports them.
 */
export function evaluateClientVpnAccess(rules: readonly EvalRule[], routes: AddressSet): PrincipalAccess[] {
  const valid = rules.filter(r => parseIpv4Cidr(r.cidr).ok);
  // Equal-length prefixes are equal or disjoint, so each distinct CIDR, taken
  // from the longest prefix to the shortest, decides exactly the addresses it
  // covers that no longer prefix decided already.
  const byCidr = new Map<string, { prefix: number; set: AddressSet; principals: Set<string> }>();
  for (const r of valid) {
    const parsed = parseIpv4Cidr(r.cidr);
    if (!parsed.ok) continue;
    const key = parsed.cidr.canonical;
    const entry = byCidr.get(key) ?? { prefix: parsed.cidr.prefix, set: cidrToSet(key)!, principals: new Set<string>() };
    entry.principals.add(r.groupId ?? ALL_USERS);
    byCidr.set(key, entry);
  }
  const ordered = [...byCidr.values()].sort((a, b) => b.prefix - a.prefix);
  const principals = [...new Set([ALL_USERS, ...valid.map(r => r.groupId ?? ALL_USERS)])].sort();
  const authorized = new Map<string, AddressSet>(principals.map(p => [p, EMPTY]));
  const declared = new Map<string, AddressSet>(principals.map(p => [p, EMPTY]));
  let decided: AddressSet = EMPTY;
  for (const entry of ordered) {
    const region = subtract(entry.set, decided);
    const allUsers = entry.principals.has(ALL_USERS);
    for (const p of principals) {
      if (entry.principals.has(p)) {
        declared.set(p, union(declared.get(p)!, entry.set));
      }
      if (allUsers || entry.principals.has(p)) {
        authorized.set(p, union(authorized.get(p)!, region));
      }
    }
    decided = union(decided, entry.set);
  }
  return principals.map(p => ({
    principal: p,
    declared: declared.get(p)!,
    authorized: authorized.get(p)!,
    reachable: intersect(authorized.get(p)!, routes),
  }));
}

/** For each rule, the addresses it names that a more specific rule of others takes from its principal. */
export function findShadowing(rules: readonly EvalRule[]): Shadowing[] {
  const access = new Map(evaluateClientVpnAccess(rules, EMPTY).map(a => [a.principal, a]));
  const out: Shadowing[] = [];
  const valid = rules.filter(r => parseIpv4Cidr(r.cidr).ok);
  for (const rule of valid) {
    const principal = rule.groupId ?? ALL_USERS;
    const mine = cidrToSet(rule.cidr)!;
    const lost = subtract(mine, access.get(principal)!.authorized);
    if (isEmpty(lost)) continue;
    for (const other of valid) {
      const otherSet = cidrToSet(other.cidr)!;
      const taken = intersect(lost, otherSet);
      if (other !== rule && !isEmpty(taken) && prefixOf(other.cidr) > prefixOf(rule.cidr) && (other.groupId ?? ALL_USERS) !== principal) {
        out.push({ principal, lostCidr: other.cidr, lost: taken, shadowedRule: rule, takenBy: other });
      }
    }
  }
  return dedupe(out);
}

function prefixOf(cidr: string): number {
  const parsed = parseIpv4Cidr(cidr);
  return parsed.ok ? parsed.cidr.prefix : -1;
}

function dedupe(items: Shadowing[]): Shadowing[] {
  const seen = new Set<string>();
  return items.filter(s => {
    const key = `${s.principal}|${s.shadowedRule.cidr}|${s.lostCidr}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
