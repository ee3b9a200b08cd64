/**
 * The planner: given what the set wants, what the cache security group has
 * and which pairs other sets claim, decide the calls of one reconcile pass.
 * Pure, so every decision is unit-tested without AWS, and the same function
 * drives the lifecycle and property tests over the simulated service.
 *
 * - Make before break: pairs that left the set are revoked only once every
 *   ensured pair is `authorized`, so an Update that swaps one source group
 *   for another never leaves a moment where neither admits the clients.
 * - Ownership: a removed pair that another set still declares on the same
 *   cache security group (`claimedByOthers`, from the ownership records) is
 *   left alone, so renaming a construct, moving it to another stack or
 *   splitting a set hands the pair over instead of revoking it.
 * - Call economy is a contract: over a lifecycle the Authorize + Revoke calls
 *   equal the symmetric difference of the old and new sets. Hence: never
 *   touch a pair in transition, never authorize what exists, never touch a
 *   pair outside the set.
 */
import { comparePairs, IngressPair, ownershipKey, pairKey, PairKey } from './pairs';

/** Statuses ElastiCache reports for an EC2 security group on a cache security group. */
export type PairStatus = 'authorizing' | 'authorized' | 'revoking';

/** A pair as observed on the cache security group (any owner). */
export interface ObservedPair extends IngressPair {
  /** ElastiCache's status, kept as a string so an unknown future value is waited on, not crashed on. */
  readonly status: string;
}

export interface PlanInput {
  /** Pairs that must end up `authorized`. */
  readonly ensure: readonly IngressPair[];
  /** Pairs that must end up absent, unless another set claims them. Disjoint from `ensure`. */
  readonly remove: readonly IngressPair[];
  /** Every pair on the cache security group, including those of other sets and tools. */
  readonly observed: readonly ObservedPair[];
  /** Ownership keys (`name|owner`) that other sets declare on this cache security group. */
  readonly claimedByOthers: ReadonlySet<string>;
  /** Mutations allowed in flight on the group at once. */
  readonly maxConcurrentMutations: number;
}

export type Mutation =
  | { readonly kind: 'authorize'; readonly pair: IngressPair }
  | { readonly kind: 'revoke'; readonly pair: IngressPair };

/**
 * Why a pair is not yet where the set wants it: `authorizing`/`revoking`
 * (ElastiCache is on it), `queued` (no free mutation slot this pass), `held`
 * (a revoke waiting for the ensured pairs first), or an unknown status.
 */
export interface PendingPair {
  readonly pair: IngressPair;
  readonly state: string;
}

export interface Plan {
  /** Calls to make this pass, in priority order; never more than `budget`. */
  readonly mutations: readonly Mutation[];
  /** Revokes held back until the ensured pairs are in place. */
  readonly held: readonly Mutation[];
  /** Removed pairs left in place because another set declares them. */
  readonly kept: readonly IngressPair[];
  /** Everything not yet in its target state, after this pass's calls are made. */
  readonly pending: readonly PendingPair[];
  /** Pairs of any owner currently authorizing or revoking. */
  readonly inFlight: number;
  readonly budget: number;
  /** Pairs already in their target state. */
  readonly done: number;
  /** True when nothing is pending: the set is in place. */
  readonly complete: boolean;
}

const IN_FLIGHT: ReadonlySet<string> = new Set<PairStatus>(['authorizing', 'revoking']);

export function planPass(input: PlanInput): Plan {
  const observedByKey = new Map<PairKey, ObservedPair>();
  for (const pair of input.observed) {
    if (!observedByKey.has(pairKey(pair))) observedByKey.set(pairKey(pair), pair);
  }
  const inFlight = input.observed.filter(p => IN_FLIGHT.has(p.status)).length;
  const budget = Math.max(0, input.maxConcurrentMutations - inFlight);

  const authorize: Mutation[] = [];
  const revoke: Mutation[] = [];
  const waiting: PendingPair[] = [];
  let done = 0;

  for (const wanted of [...input.ensure].sort(comparePairs)) {
    const seen = observedByKey.get(pairKey(wanted));
    if (!seen) {
      authorize.push({ kind: 'authorize', pair: wanted });
    } else if (seen.status === 'authorized') {
      done++;
    } else {
      // authorizing: it gets there by itself; revoking: authorize once gone.
      waiting.push({ pair: wanted, state: seen.status });
    }
  }
  const ensureWaits = waiting.length;

  const kept: IngressPair[] = [];
  for (const unwanted of [...input.remove].sort(comparePairs)) {
    if (input.claimedByOthers.has(ownershipKey(unwanted))) {
      kept.push(unwanted);
      continue;
    }
    const seen = observedByKey.get(pairKey(unwanted));
    if (!seen) {
      done++;
    } else if (seen.status === 'authorized') {
      revoke.push({ kind: 'revoke', pair: unwanted });
    } else {
      // authorizing: revoke once authorized; revoking: it goes by itself.
      waiting.push({ pair: unwanted, state: seen.status });
    }
  }

  const ensuredInPlace = authorize.length === 0 && ensureWaits === 0;
  const held = ensuredInPlace ? [] : revoke;
  const wanted = [...authorize, ...(ensuredInPlace ? revoke : [])];
  const mutations = wanted.slice(0, budget);
  const queued = wanted.slice(budget);
  const pending: PendingPair[] = [
    ...mutations.map(m => ({ pair: m.pair, state: m.kind === 'authorize' ? 'authorizing' : 'revoking' })),
    ...waiting,
    ...queued.map(m => ({ pair: m.pair, state: 'queued' })),
    ...held.map(m => ({ pair: m.pair, state: 'held' })),
  ];
  return { mutations, held, kept, pending, inFlight, budget, done, complete: pending.length === 0 };
}
