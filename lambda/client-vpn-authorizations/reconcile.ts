/**
 * The planner: given what the set wants and what the endpoint has, decide the
 * calls of one reconcile pass. Pure, so every decision is unit-tested without
 * AWS and the same function drives the simulator-based property tests.
 *
 * Make before break: rules that left the set are revoked only once every
 * ensured rule is in place, so an Update that widens or moves a CIDR never
 * leaves a moment where neither the old nor the new rule admits anyone
 * (the reference notes' "CIDR change -> new rule active before the old one
 * is revoked"). The held revokes are returned so the caller can release
 * them early when the endpoint's rule quota stands in the way.
 *
 * Call economy is a contract, not an optimisation: over a whole lifecycle the
 * number of Authorize + Revoke calls must equal the symmetric difference of
 * the old and new rule sets (a rule including its description). Hence: never
 * touch a rule in transition, never authorize what exists, never
 * revoke-and-reauthorize an unchanged rule, never touch a rule outside the set.
 */
import { compareRules, DesiredRule, RuleIdentity, ruleKey, RuleKey } from './rules';

/** Status codes EC2 reports for authorization rules. */
export type RuleStatusCode = 'authorizing' | 'active' | 'failed' | 'revoking';

/** A rule as observed on the endpoint (any owner). */
export interface ObservedRule extends RuleIdentity {
  readonly description: string;
  /** An EC2 status code; kept as a string so an unknown future code is waited on, not crashed on. */
  readonly status: string;
  readonly statusMessage?: string;
}

export interface PlanInput {
  /** Rules that must end up active with exactly this description. */
  readonly ensure: readonly DesiredRule[];
  /** Identities that must end up absent. Disjoint from `ensure`. */
  readonly remove: readonly RuleIdentity[];
  /** Every rule on the endpoint, including rules of other sets and native rules. */
  readonly observed: readonly ObservedRule[];
  /** Concurrent mutations the endpoint allows (10 for Client VPN). */
  readonly maxConcurrentMutations: number;
  /**
   * The endpoint's quota of authorization rules, when known. Rules in every
   * status count against it, as they do on Client VPN.
   * @default - unknown: authorize, and let a refusal say the endpoint is full
   */
  readonly ruleQuota?: number;
}

export type Mutation =
  | { readonly kind: 'authorize'; readonly rule: DesiredRule }
  | {
    readonly kind: 'revoke';
    readonly rule: RuleIdentity;
    /** Present when the revoke only makes way for the same rule with a new description. */
    readonly reauthorize?: DesiredRule;
  };

/**
 * Why a rule is not yet where the set wants it:
 * `authorizing`/`revoking` (EC2 is on it, possibly because of this pass),
 * `queued` (wants a call, but the endpoint has no mutation slot free),
 * `held` (a revoke waiting for the ensured rules to be in place first),
 * `quota` (an authorization waiting for removed rules to free room under the
 * endpoint's rule quota), or an unknown EC2 status code, verbatim.
 */
export interface PendingRule {
  readonly rule: RuleIdentity;
  readonly state: string;
}

export interface Plan {
  /** Calls to make this pass, in priority order; never more than `budget`. */
  readonly mutations: readonly Mutation[];
  /** Revokes of removed rules held back until the ensured rules are in place (make before break). */
  readonly held: readonly Mutation[];
  /** Everything not yet in its target state, after this pass's calls are made. */
  readonly pending: readonly PendingRule[];
  /** Ensured rules EC2 reports `failed`: terminal, a human must look. */
  readonly failed: readonly ObservedRule[];
  /** Rules of any owner currently authorizing or revoking on the endpoint. */
  readonly inFlight: number;
  /** Mutation slots left this pass: max(0, maxConcurrentMutations - inFlight). */
  readonly budget: number;
  /** Calls wanted but left for a later pass for lack of slots. */
  readonly deferred: number;
  /** Rules waited on without a call this pass (already in transition). */
  readonly waiting: number;
  /** Rules already in their target state. */
  readonly done: number;
  /** True when nothing is pending and nothing failed: the set is in place. */
  readonly complete: boolean;
}

const IN_FLIGHT: ReadonlySet<string> = new Set<RuleStatusCode>(['authorizing', 'revoking']);

/** Plans one pass. See the module comment for the rules it obeys. */
export function planPass(input: PlanInput): Plan {
  const observedByKey = new Map<RuleKey, ObservedRule>();
  for (const rule of input.observed) {
    // EC2 allows one rule per identity; keep the first if a fake ever repeats one.
    if (!observedByKey.has(ruleKey(rule))) {
      observedByKey.set(ruleKey(rule), rule);
    }
  }
  const inFlight = input.observed.filter(rule => IN_FLIGHT.has(rule.status)).length;
  const budget = Math.max(0, input.maxConcurrentMutations - inFlight);

  // Calls are collected by priority and cut at the budget afterwards:
  // 1. authorize missing rules;
  // 2. description changes (their access gap is closed within the pass);
  // 3. revoke rules that left the set, once 1 and 2 are in place.
  const authorizeNew: Mutation[] = [];
  const redescribe: Mutation[] = [];
  const revokeRemoved: Mutation[] = [];
  const waitingOn: PendingRule[] = [];
  const failed: ObservedRule[] = [];
  let done = 0;

  for (const wanted of [...input.ensure].sort(compareRules)) {
    const seen = observedByKey.get(ruleKey(wanted));
    if (!seen) {
      authorizeNew.push({ kind: 'authorize', rule: wanted });
    } else if (seen.status === 'active') {
      if (seen.description === wanted.description) {
        done++;
      } else {
        // EC2 cannot modify a rule: a new description means revoke, then
        // authorize once the old one is gone. Only this rule is touched.
        redescribe.push({ kind: 'revoke', rule: identityOf(seen), reauthorize: wanted });
      }
    } else if (seen.status === 'failed') {
      failed.push(seen);
    } else {
      // authorizing: it becomes active by itself (its description is checked
      // then); revoking: it will be authorized once gone; unknown: wait.
      waitingOn.push({ rule: wanted, state: seen.status });
    }
  }

  const ensureWaits = waitingOn.length;

  for (const unwanted of [...input.remove].sort(compareRules)) {
    const seen = observedByKey.get(ruleKey(unwanted));
    if (!seen) {
      done++;
    } else if (seen.status === 'active' || seen.status === 'failed') {
      revokeRemoved.push({ kind: 'revoke', rule: identityOf(seen) });
    } else {
      // authorizing: revoke once active; revoking: it goes by itself.
      waitingOn.push({ rule: unwanted, state: seen.status });
    }
  }

  const ensuredInPlace = authorizeNew.length === 0 && redescribe.length === 0 && ensureWaits === 0 && failed.length === 0;
  const quota = ensuredInPlace
    ? { authorizeNow: authorizeNew, overQuota: [], breakFirst: [] }
    : planAtQuota(input, authorizeNew, revokeRemoved);
  const held = ensuredInPlace ? [] : revokeRemoved.filter(m => !quota.breakFirst.includes(m));
  const wanted = [...quota.authorizeNow, ...redescribe, ...quota.breakFirst, ...(ensuredInPlace ? revokeRemoved : [])];
  const mutations = wanted.slice(0, budget);
  const queued = wanted.slice(budget);

  const pending: PendingRule[] = [
    ...mutations.map(m => ({ rule: m.rule, state: m.kind === 'authorize' ? 'authorizing' : 'revoking' })),
    ...waitingOn,
    ...queued.map(m => ({ rule: m.rule, state: 'queued' })),
    ...quota.overQuota.map(m => ({ rule: m.rule, state: 'quota' })),
    ...held.map(m => ({ rule: m.rule, state: 'held' })),
  ];

  return {
    mutations,
    held,
    pending,
    failed,
    inFlight,
    budget,
    deferred: queued.length,
    waiting: waitingOn.length,
    done,
    complete: pending.length === 0 && failed.length === 0,
  };
}

/**
 * Break before make, only as far as the quota forces it. When the rules on
 * the endpoint plus the new ones would pass the quota, a new rule would be
 * refused (`ClientVpnAuthorizationRuleLimitExceeded`) and sent again later:
 * one wasted call per new rule. Instead, revoke just enough removed rules to
 * make room (counting removed rules already revoking), and authorize only as
 * many new rules as fit now; the rest wait (`quota`) until the revoked ones
 * are gone. Every call then succeeds: an update of a full endpoint makes
 * exactly one call per added and per removed rule.
 *
 * When removing every rule the set gives up would still not make room, the
 * quota is simply too small for the set: nothing is held back then, and the
 * refusal tells the user so.
 */
function planAtQuota(input: PlanInput, authorizeNew: readonly Mutation[], revokeRemoved: readonly Mutation[]): {
  authorizeNow: readonly Mutation[];
  overQuota: readonly Mutation[];
  breakFirst: readonly Mutation[];
} {
  const unchanged = { authorizeNow: authorizeNew, overQuota: [], breakFirst: [] };
  if (input.ruleQuota === undefined) {
    return unchanged;
  }
  const room = Math.max(0, input.ruleQuota - input.observed.length);
  const short = authorizeNew.length - room;
  if (short <= 0) {
    return unchanged;
  }
  const removing = new Set(input.remove.map(ruleKey));
  const freeing = input.observed.filter(rule => rule.status === 'revoking' && removing.has(ruleKey(rule))).length;
  const toRevoke = Math.min(revokeRemoved.length, Math.max(0, short - freeing));
  if (freeing + toRevoke < short) {
    return unchanged;
  }
  return {
    authorizeNow: authorizeNew.slice(0, room),
    overQuota: authorizeNew.slice(room),
    breakFirst: revokeRemoved.slice(0, toRevoke),
  };
}

/** Calls use the identity EC2 reported, so a revoke names exactly the observed rule. */
function identityOf(rule: ObservedRule): RuleIdentity {
  return rule.groupId === undefined ? { cidr: rule.cidr } : { cidr: rule.cidr, groupId: rule.groupId };
}
