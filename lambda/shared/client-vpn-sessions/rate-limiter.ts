/**
 * A client-side rate limiter for one EC2 API, additive increase and
 * multiplicative decrease (AIMD), driven by the handlers' clock.
 *
 * EC2 throttles per account and per API with token buckets: a burst, then a
 * steady refill. Calls sent faster than the refill are refused with
 * `RequestLimitExceeded` and do nothing, so the fastest a caller can go is to
 * keep the bucket from ever sitting full while not flooding it: send a bit
 * above the refill rate, halve on a refusal, creep back up. While the rate is
 * below the refill, the bucket saves the difference and the next climb above
 * it spends the savings, so the sawtooth costs almost no throughput; what it
 * costs is a few refused calls per cycle, which are resent.
 *
 * Why our own: the SDK's adaptive retry mode does the same inside one
 * client's retries, but its state is invisible to us, aws-sdk-client-mock
 * bypasses it (so tests could not see it), and it sleeps on the real clock.
 *
 * One limiter serves one pass; `acquire` is serialised, so exactly one
 * caller sleeps at a time. That keeps a simulated clock (whose sleeps add
 * up instead of overlapping) faithful to what the real clock would do.
 */
import { clock } from '../clock';

export interface RateLimiterOptions {
  /** Calls per second before the first refusal. */
  readonly initialRate: number;
  /** The rate never drops below this. */
  readonly minRate: number;
  /** Nor climbs above this. */
  readonly maxRate: number;
  /** Rate multiplier on a refusal. */
  readonly decrease: number;
  /** Growth per second of the rate: the larger of this absolute step... */
  readonly minIncreasePerSecond: number;
  /** ...and this fraction of the current rate. */
  readonly relativeIncreasePerSecond: number;
}

/**
 * Starts at 20 calls per second: above the refill of every EC2 bucket we
 * know (5/s for Terminate by the default, 20/s for Describe), so the
 * burst is used at once and the first refusals find the real rate quickly.
 */
export const DEFAULT_RATE_LIMITER_OPTIONS: RateLimiterOptions = {
  initialRate: 20,
  minRate: 0.5,
  maxRate: 50,
  decrease: 0.5,
  minIncreasePerSecond: 0.5,
  relativeIncreasePerSecond: 0.1,
};

export class AimdRateLimiter {
  private rate: number;
  /** Epoch ms at which the next call may start. */
  private nextSlot = -Infinity;
  private lastDecreaseAt = -Infinity;
  private queue: Promise<unknown> = Promise.resolve();
  private refusals = 0;
  private decreases = 0;

  public constructor(private readonly options: RateLimiterOptions = DEFAULT_RATE_LIMITER_OPTIONS) {
    this.rate = options.initialRate;
  }

  /** The current rate, calls per second. */
  public get currentRate(): number {
    return this.rate;
  }

  /** Refusals reported, and how many of them lowered the rate. */
  public get stats(): { readonly refusals: number; readonly decreases: number } {
    return { refusals: this.refusals, decreases: this.decreases };
  }

  /**
   * Wait for the next slot. Resolves false, without waiting, when that slot
   * lies after `deadline` (epoch ms): the caller should start nothing more.
   */
  public acquire(deadline: number): Promise<boolean> {
    const turn = this.queue.then(() => this.waitForSlot(deadline));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** A call was refused (throttled): halve the rate, once per burst of refusals. */
  public onRefusal(): void {
    this.refusals++;
    const now = clock.now();
    // Calls already in flight at the old rate come back refused too; one
    // congestion event must not halve the rate once per call.
    if (now - this.lastDecreaseAt < this.cooldownMs()) {
      return;
    }
    this.rate = Math.max(this.options.minRate, this.rate * this.options.decrease);
    this.lastDecreaseAt = now;
    this.decreases++;
    this.nextSlot = Math.max(this.nextSlot, now + 1000 / this.rate);
  }

  /** A call went through: grow the rate by its per-second step spread over the calls of a second. */
  public onSuccess(): void {
    const step = Math.max(this.options.minIncreasePerSecond, this.rate * this.options.relativeIncreasePerSecond);
    this.rate = Math.min(this.options.maxRate, this.rate + step / this.rate);
  }

  private cooldownMs(): number {
    return Math.max(1000, 2000 / this.rate);
  }

  private async waitForSlot(deadline: number): Promise<boolean> {
    const now = clock.now();
    const slot = Math.max(now, this.nextSlot);
    if (slot > deadline) {
      return false;
    }
    if (slot > now) {
      await clock.sleep(slot - now);
    }
    this.nextSlot = Math.max(slot, clock.now()) + 1000 / this.rate;
    return true;
  }
}
