/**
 * The pair model shared by the parser, the planner and the ElastiCache calls.
 *
 * A pair's identity is (EC2 security group name, owner account id): that is
 * what ElastiCache authorizes on a cache security group, and what sets diff
 * on. A pair has no other attribute (no description), so identity is all.
 */
import { cacheIngressOwnershipKey } from '../../src/private/contract/cache-security-group-ingress';

export interface IngressPair {
  readonly ec2SecurityGroupName: string;
  readonly ownerId: string;
}

/** An opaque, collision-free key (names may contain any separator). */
export type PairKey = string;

export function pairKey(pair: IngressPair): PairKey {
  return JSON.stringify([pair.ec2SecurityGroupName, pair.ownerId]);
}

/** The key of the pair in the sets' ownership records (the contract's format). */
export function ownershipKey(pair: IngressPair): string {
  return cacheIngressOwnershipKey(pair.ec2SecurityGroupName, pair.ownerId);
}

/** How reasons and logs name a pair: `app-servers (123456789012)`. */
export function pairLabel(pair: IngressPair): string {
  return `${pair.ec2SecurityGroupName} (${pair.ownerId})`;
}

/** Sorting by key makes plans, logs and failure reasons deterministic. */
export function comparePairs(a: IngressPair, b: IngressPair): number {
  const ka = pairKey(a);
  const kb = pairKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
