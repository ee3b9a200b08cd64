/**
 * Settings of the cache security group ingress handler, from its environment.
 *
 * - TOTAL_TIMEOUT_SECONDS: the Provider's totalTimeout, set by the construct;
 *   the handler gives up with its own reason before the waiter does.
 * - MAX_MUTATIONS_PER_GROUP: pairs in transition on one cache security group
 *   at which no further call is started this pass (tests lower it).
 */
import { integerFromEnv } from '../shared/env';

/**
 * ElastiCache documents no concurrency limit per cache security group, but it
 * answers InvalidCacheSecurityGroupState while the group is changing; a small
 * bound keeps a large set from meeting that on every call.
 */
export const DEFAULT_MAX_MUTATIONS_PER_GROUP = 5;

/**
 * How long Create and Update wait for a cache security group ElastiCache
 * does not describe yet (one created earlier in the same deploy) before
 * failing with "does not exist".
 */
export const GROUP_NOT_FOUND_GRACE_MS = 60_000;

/** Pause before resending calls the service refused (throttling). */
export const REFUSED_RETRY_DELAY_MS = 1_000;

export function maxMutationsPerGroup(): number {
  return integerFromEnv('MAX_MUTATIONS_PER_GROUP', DEFAULT_MAX_MUTATIONS_PER_GROUP, { min: 1, max: 50 });
}
