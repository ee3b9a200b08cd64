/**
 * Settings of the Client VPN authorization handler, from its environment.
 *
 * - TOTAL_TIMEOUT_SECONDS: the Provider's totalTimeout, set by the construct
 *   (default 3600, the framework's maximum). The handler gives up with its own
 *   reason before the waiter does (see ../shared/deadline.ts).
 * - MAX_MUTATIONS_PER_ENDPOINT: may lower the per-endpoint concurrency below
 *   Client VPN's limit of 10 (tests); values above 10 are ignored.
 */
import { integerFromEnv } from '../shared/env';

/** Client VPN's documented limit of concurrent rule mutations per endpoint. */
export const CLIENT_VPN_MUTATION_LIMIT = 10;

/** After revoking a rule for a description change, how often and how long to wait for it to go. */
export const REDESCRIBE_POLL_INTERVAL_MS = 1_000;
export const REDESCRIBE_POLL_LIMIT_MS = 20_000;

/** Pause before resending calls the service refused (throttling, concurrency limit). */
export const REFUSED_RETRY_DELAY_MS = 1_000;

/** Page size of DescribeClientVpnAuthorizationRules (EC2 allows 5 to 1000). */
export const DESCRIBE_PAGE_SIZE = 1000;

export function maxMutationsPerEndpoint(): number {
  return Math.min(
    CLIENT_VPN_MUTATION_LIMIT,
    integerFromEnv('MAX_MUTATIONS_PER_ENDPOINT', CLIENT_VPN_MUTATION_LIMIT, { min: 1 }),
  );
}

/**
 * How long Create and Update wait for an endpoint EC2 does not describe yet
 * (`InvalidClientVpnEndpointId.NotFound`) before failing: an endpoint created
 * earlier in the same deploy can take a moment to be visible to every API.
 * Five minutes is far beyond the seconds that takes, and short enough that a
 * wrong id fails the deploy promptly, naming it.
 */
export const ENDPOINT_NOT_FOUND_GRACE_MS = 5 * 60_000;
