/**
 * Fixed numbers of the session-termination engine, each with where it comes
 * from. Nothing here is read from the environment: callers tune a pass
 * through TerminationPassOptions.
 */

/** DescribeClientVpnConnections MaxResults: the API reference's valid range is 5 to 1000; we always ask for the most. */
export const DESCRIBE_PAGE_SIZE = 1000;

/**
 * Values per `username` / `connection-id` filter in one Describe call. EC2
 * answers `FilterLimitExceeded` to "too many filters or too many filter
 * values" but documents no number, for this API or any other. 200 is the
 * limit users report observing on EC2 filters (e.g. apache/druid#1954), so
 * chunks of 200 are the safe choice.
 */
export const FILTER_VALUES_PER_CALL = 200;

/**
 * Up to this many usernames the listing uses the `username` filter (at most
 * 1000 / 200 = 5 filtered listings, so at most 5 extra Describe calls);
 * beyond it one unfiltered listing of the endpoint is cheaper.
 */
export const MAX_FILTERED_USERNAMES = 1000;

/** Documented: Terminate by Username works only while the user has established up to five connections. */
export const USERNAME_TERMINATE_LIMIT = 5;

/** @default of TerminationPassOptions.maxInFlight. */
export const DEFAULT_MAX_IN_FLIGHT = 10;

/**
 * A pass starts no new call after `stopBy` minus this, so the calls already
 * in flight can finish before the caller's budget ends.
 */
export const PASS_STOP_MARGIN_MS = 5_000;

/** Times one pass resends Terminate for a session it found `failed-to-terminate`, before reporting it. */
export const FAILED_TERMINATION_RETRIES = 3;

/**
 * After resending Terminate for failed sessions, re-describe them after
 * these waits (cumulative 2 s, 5 s, 10 s, 20 s) to see how the retry ended.
 * The first look is early so that a quick termination is confirmed at once;
 * a failure it shows is only believed from READ_AFTER_WRITE_MS on.
 */
export const FAILED_RETRY_POLL_DELAYS_MS: readonly number[] = [2_000, 3_000, 5_000, 10_000];

/**
 * Reads are eventually consistent: a Describe made shortly after a Terminate
 * may still show the state from before it. An `active` or
 * `failed-to-terminate` reading of a session terminated less than this ago
 * is not trusted. ASSUMPTION: AWS does not document the window for Client
 * VPN; EC2's own guidance speaks of seconds.
 */
export const READ_AFTER_WRITE_MS = 5_000;

/** A Describe page refused for a reason other than throttling (5xx, timeout) is retried this often. */
export const DESCRIBE_PAGE_RETRIES = 3;
export const DESCRIBE_PAGE_RETRY_BASE_MS = 1_000;

/** A runaway guard on one listing: 1000 pages of 1000 is far beyond any endpoint's session count. */
export const MAX_DESCRIBE_PAGES = 1000;
