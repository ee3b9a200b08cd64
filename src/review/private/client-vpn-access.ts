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
    // The CIDR's own principals declare it; they, or everyone when all users are
    // among them, are authorized to what it decides (each principal on its own).
    for (const p of entry.principals) {
      declared.set(p, union(declared.get(p)!, entry.set));
    }
    for (const p of entry.principals.has(ALL_USERS) ? principals : entry.principals) {
      authorized.set(p, union(authorized.get(p)!, region));
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

/**
 * For each rule, the addresses it names that a more specific rule of others takes from its principal.
 * `evaluated` is evaluateClientVpnAccess of the same rules (with any routes), when the caller has it already.
 */
export function findShadowing(rules: readonly EvalRule[], evaluated?: readonly PrincipalAccess[]): Shadowing[] {
  const access = new Map((evaluated ?? evaluateClientVpnAccess(rules, EMPTY)).map(a => [a.principal, a]));
  const out: Shadowing[] = [];
  // A repeat of a rule (same CIDR text, same principal) finds only what its
  // first declaration found, and dedupe() keeps the first: leave repeats out.
  const valid = firstDeclarations(rules.filter(r => parseIpv4Cidr(r.cidr).ok))
    .map(r => ({ rule: r, set: cidrToSet(r.cidr)!, prefix: prefixOf(r.cidr) }));
  // By first address, so the rules inside a CIDR are one contiguous run.
  const byStart = [...valid].sort((a, b) => a.set[0][0] - b.set[0][0]);
  for (const mine of valid) {
    const principal = mine.rule.groupId ?? ALL_USERS;
    const lost = subtract(mine.set, access.get(principal)!.authorized);
    if (isEmpty(lost)) continue;
    const [first, last] = mine.set[0];
    for (let i = lowerBound(byStart, first); i < byStart.length && byStart[i].set[0][0] <= last; i++) {
      const other = byStart[i];
      if (other.prefix <= mine.prefix || (other.rule.groupId ?? ALL_USERS) === principal) continue;
      const taken = intersect(lost, other.set);
      if (!isEmpty(taken)) {
        out.push({ principal, lostCidr: other.rule.cidr, lost: taken, shadowedRule: mine.rule, takenBy: other.rule });
      }
    }
  }
  return dedupe(out);
}

/** A rule whose removal would change no one's access: `duplicate` of `other`, or `redundant`. */
export interface RedundantRule {
  readonly rule: EvalRule;
  readonly kind: 'duplicate' | 'redundant';
  /** For a duplicate: the rule it repeats. */
  readonly other?: EvalRule;
}

/**
 * The rules that could be removed without changing any principal's
 * authorization. Removing the rule at CIDR C for principal P changes only
 * the addresses C decides (those no longer prefix decides); they then fall to
 * the longest listed CIDR that contains C, or to no one. So P's rule is
 * redundant when C decides no address, when all users also hold C, or, when
 * it is the only rule at C, when the containing CIDR gives exactly the same
 * principals (all users, or P alone). Exact duplicates are reported as such.
 */
export function findRedundantRules(rules: readonly EvalRule[]): RedundantRule[] {
  const valid = rules.filter(r => parseIpv4Cidr(r.cidr).ok);
  const byCidr = new Map<string, { prefix: number; network: number; rules: EvalRule[] }>();
  for (const r of valid) {
    const parsed = parseIpv4Cidr(r.cidr);
    if (!parsed.ok) continue;
    const entry = byCidr.get(parsed.cidr.canonical) ?? { prefix: parsed.cidr.prefix, network: parsed.cidr.network, rules: [] };
    entry.rules.push(r);
    byCidr.set(parsed.cidr.canonical, entry);
  }
  const byBlock = new Map([...byCidr.values()].map(e => [blockKey(e.network, e.prefix), e]));
  // What each CIDR decides, longest prefix first.
  const decides = new Map<string, AddressSet>();
  let decided: AddressSet = EMPTY;
  for (const [cidr] of [...byCidr.entries()].sort((a, b) => b[1].prefix - a[1].prefix)) {
    const set = cidrToSet(cidr)!;
    decides.set(cidr, subtract(set, decided));
    decided = union(decided, set);
  }
  const principalsAt = (entry: { rules: EvalRule[] }) => new Set(entry.rules.map(r => r.groupId ?? ALL_USERS));
  const out: RedundantRule[] = [];
  for (const [cidr, entry] of byCidr) {
    const seen = new Map<string, EvalRule>();
    const here = principalsAt(entry);
    for (const rule of entry.rules) {
      const p = rule.groupId ?? ALL_USERS;
      const first = seen.get(p);
      if (first) {
        out.push({ rule, kind: 'duplicate', other: first });
        continue;
      }
      seen.set(p, rule);
      if (isEmpty(decides.get(cidr)!)) {
        out.push({ rule, kind: 'redundant' });
      } else if (here.size > 1) {
        // Others keep deciding C: only all users' rule keeps P's access.
        if (p !== ALL_USERS && here.has(ALL_USERS)) out.push({ rule, kind: 'redundant' });
      } else {
        const container = containingEntry(byBlock, entry.network, entry.prefix);
        const after = container ? principalsAt(container) : new Set<string>();
        const same = p === ALL_USERS ? after.has(ALL_USERS) : !after.has(ALL_USERS) && after.size === 1 && after.has(p);
        if (same) out.push({ rule, kind: 'redundant' });
      }
    }
  }
  return out;
}

/** The longest listed CIDR that strictly contains network/prefix; `byBlock` is keyed by blockKey. */
function containingEntry<T>(byBlock: Map<number, T>, network: number, prefix: number): T | undefined {
  for (let p = prefix - 1; p >= 0; p--) {
    const blockSize = 2 ** (32 - p);
    const found = byBlock.get(blockKey(network - (network % blockSize), p));
    if (found) return found;
  }
  return undefined;
}

/** One number for a CIDR block (its network and prefix), exact: below 33 * 2^32. */
function blockKey(network: number, prefix: number): number {
  return prefix * 2 ** 32 + network;
}

function lowerBound(items: ReadonlyArray<{ set: AddressSet }>, first: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (items[mid].set[0][0] < first) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function prefixOf(cidr: string): number {
  const parsed = parseIpv4Cidr(cidr);
  return parsed.ok ? parsed.cidr.prefix : -1;
}

/** Each rule but the repeats of an earlier one with the same CIDR text and principal, in order. */
function firstDeclarations(rules: readonly EvalRule[]): EvalRule[] {
  const seen = new Set<string>();
  return rules.filter(r => {
    const key = `${r.groupId ?? ALL_USERS}|${r.cidr}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
