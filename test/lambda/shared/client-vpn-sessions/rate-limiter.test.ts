import { AimdRateLimiter, DEFAULT_RATE_LIMITER_OPTIONS } from '../../../../lambda/shared/client-vpn-sessions/rate-limiter';
import { useClock } from '../../../../lambda/shared/clock';
import { ManualClock } from '../../fixtures';

let clock: ManualClock;
let restore: () => void;
beforeEach(() => {
  clock = new ManualClock(0);
  restore = useClock(clock);
});
afterEach(() => restore());

const options = { ...DEFAULT_RATE_LIMITER_OPTIONS, initialRate: 10 };

test('slots are 1/rate apart; the first is immediate', async () => {
  const limiter = new AimdRateLimiter(options);
  for (let i = 0; i < 4; i++) expect(await limiter.acquire(Infinity)).toBe(true);
  expect(clock.sleeps).toEqual([100, 100, 100]);
});

test('concurrent callers are served one at a time, so sleeps never overlap', async () => {
  const limiter = new AimdRateLimiter(options);
  await Promise.all([1, 2, 3, 4, 5].map(() => limiter.acquire(Infinity)));
  expect(clock.time).toBe(400);
  expect(clock.sleeps).toEqual([100, 100, 100, 100]);
});

test('a refusal halves the rate, once per cooldown however many calls come back refused', async () => {
  const limiter = new AimdRateLimiter(options);
  limiter.onRefusal();
  limiter.onRefusal();
  limiter.onRefusal();
  expect(limiter.currentRate).toBe(5);
  expect(limiter.stats).toEqual({ refusals: 3, decreases: 1 });
  clock.time += 1_000;
  limiter.onRefusal();
  expect(limiter.currentRate).toBe(2.5);
});

test('the rate never drops below its floor and climbs back by at least 0.5/s per second of successes', async () => {
  const limiter = new AimdRateLimiter(options);
  for (let i = 0; i < 20; i++) {
    clock.time += 10_000;
    limiter.onRefusal();
  }
  expect(limiter.currentRate).toBe(options.minRate);
  // One second's worth of successes at the current rate adds about 0.5/s.
  limiter.onSuccess();
  expect(limiter.currentRate).toBeCloseTo(options.minRate + 0.5 / options.minRate, 5);
  for (let i = 0; i < 10_000; i++) limiter.onSuccess();
  expect(limiter.currentRate).toBe(options.maxRate);
});

test('a slot after the deadline is refused at once, without sleeping', async () => {
  const limiter = new AimdRateLimiter(options);
  expect(await limiter.acquire(0)).toBe(true);
  expect(await limiter.acquire(50)).toBe(false);
  expect(clock.sleeps).toEqual([]);
  expect(await limiter.acquire(100)).toBe(true);
  expect(clock.time).toBe(100);
});
