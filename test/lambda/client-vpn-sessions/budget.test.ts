/**
 * The invocation budget shared by the handlers that terminate sessions
 * (lambda/shared/deadline.ts): the Lambda context's remaining time less a
 * safety margin, never beyond the request's Deadline.
 */
import {
  DEFAULT_INVOCATION_BUDGET_MS, FINAL_PASS_BUDGET_MS, INVOCATION_SAFETY_MARGIN_MS, invocationStopBy, readEpochMs,
} from '../../../lambda/shared/deadline';
import { useHarness } from '../ec2-mock';

const h = useHarness();

const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

test.each([
  ['a 15-minute invocation keeps the safety margin free', 900_000, 900_000 - INVOCATION_SAFETY_MARGIN_MS],
  ['a 1-minute invocation (the shortest schedule) uses half of it', 60_000, 30_000],
  ['an invocation with no time left starts nothing', 0, 0],
])('%s', (_what, left, usable) => {
  expect(invocationStopBy(remaining(left), undefined)).toBe(h.clock.time + usable);
});

test('without a Lambda context (tests, local runs) the default budget applies', () => {
  expect(invocationStopBy(undefined, undefined)).toBe(h.clock.time + DEFAULT_INVOCATION_BUDGET_MS);
});

test('never beyond the Deadline', () => {
  const deadline = h.clock.time + 40_000;
  expect(invocationStopBy(remaining(900_000), deadline)).toBe(deadline);
});

test('past the Deadline, one short final pass may still run', () => {
  const deadline = h.clock.time - 1;
  expect(invocationStopBy(remaining(900_000), deadline)).toBe(h.clock.time + FINAL_PASS_BUDGET_MS);
  expect(invocationStopBy(remaining(10_000), deadline)).toBe(h.clock.time + 5_000);
});

test('an epoch field survives being stringified on the way', () => {
  expect(readEpochMs(1893456000000)).toBe(1893456000000);
  expect(readEpochMs('1893456000000')).toBe(1893456000000);
  expect(readEpochMs('soon')).toBeUndefined();
  expect(readEpochMs(undefined)).toBeUndefined();
});
