import type { Clock } from '../../lambda/shared/clock';
import { useClock } from '../../lambda/shared/clock';

/** 2026-01-01T00:00:00Z: a fixed origin keeps logs and deadlines reproducible. */
export const SIMULATED_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * A virtual clock for handlers and simulated AWS endpoints.
 *
 * `sleep` advances virtual time at once instead of waiting, so an hour-long
 * deployment runs in milliseconds. Time only moves forward, through `sleep`
 * (the handler waiting) or `advance` (the lifecycle driver waiting between
 * polls), which is what lets a simulated endpoint derive every state
 * transition from `now()` alone.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private slept = 0;

  constructor(startMs: number = SIMULATED_EPOCH_MS) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new Error(`SimulatedClock.sleep: invalid duration ${ms}`);
    }
    this.current += ms;
    this.slept += ms;
    // Yield once so that a sleeping caller still behaves asynchronously,
    // as it would with a real timer.
    await Promise.resolve();
  }

  /** Move time forward on behalf of something outside the handler (the waiter's poll interval). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new Error(`SimulatedClock.advance: invalid duration ${ms}`);
    }
    this.current += ms;
  }

  /** Total virtual time spent in `sleep` calls (what handlers waited for themselves). */
  get totalSleptMs(): number {
    return this.slept;
  }

  /**
   * Make this the handlers' clock (lambda/shared/clock.ts). Returns the function
   * that restores the previous clock; call it in afterEach.
   */
  install(): () => void {
    return useClock(this);
  }
}
