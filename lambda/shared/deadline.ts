/**
 * Time budgets of the handlers that wait: the request's overall deadline and
 * the budget of one Lambda invocation.
 *
 * The Provider's waiter fails a resource that runs out of time with a bare
 * "Operation timed out". `onEvent` therefore hands `isComplete` a Deadline a
 * little before the waiter's (an extra onEvent response field, see
 * events.ts), and `isComplete` fails past it with a reason of its own that
 * names what is still pending.
 *
 * Within one invocation, work that loops (terminating thousands of sessions)
 * must also stop before Lambda kills the process, or its progress and its
 * answer are lost with it: `invocationStopBy` turns the Lambda context's
 * remaining time and the Deadline into the instant to stop starting work.
 */
import { clock } from './clock';
import { integerFromEnv } from './env';

/** The Provider framework's maximum totalTimeout, and the default when the construct sets none. */
export const DEFAULT_TOTAL_TIMEOUT_SECONDS = 3600;

/** Time left to the waiter after our deadline: one last pass plus the framework's response. */
export const DEADLINE_MARGIN_SECONDS = 120;

/** TOTAL_TIMEOUT_SECONDS: the Provider's totalTimeout, set by the construct on the handler function. */
export function totalTimeoutSeconds(): number {
  return integerFromEnv('TOTAL_TIMEOUT_SECONDS', DEFAULT_TOTAL_TIMEOUT_SECONDS, { min: 1 });
}

/**
 * How long `isComplete` may work: totalTimeout minus the margin. With a short
 * totalTimeout (a test stack) the margin would eat everything, so it is
 * capped at half the total.
 */
export function workBudgetSeconds(): number {
  const total = totalTimeoutSeconds();
  return Math.max(total - DEADLINE_MARGIN_SECONDS, Math.ceil(total / 2));
}

/** The Deadline `onEvent` returns (epoch ms). */
export function computeDeadline(): number {
  return clock.now() + workBudgetSeconds() * 1000;
}

/**
 * An epoch-milliseconds field `onEvent` returned, as `isComplete` receives it:
 * a number, or a numeric string if anything on the way stringified it.
 */
export function readEpochMs(raw: unknown): number | undefined {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The Deadline carried by an isComplete event, if usable. */
export function readDeadline(event: { readonly Deadline?: unknown }): number | undefined {
  return readEpochMs(event.Deadline);
}

export function isPastDeadline(deadline: number | undefined): boolean {
  return deadline !== undefined && clock.now() > deadline;
}

/** The part of the Lambda context the handlers read; absent when a test calls them directly. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/**
 * Kept free at the end of an invocation: a call started just before the stop
 * may take up to the SDK's request timeout (30 s) to answer, and the handler
 * still has to log and return.
 */
export const INVOCATION_SAFETY_MARGIN_MS = 35_000;

/**
 * The budget of an invocation without a Lambda context (tests and local
 * runs; Lambda always passes one).
 */
export const DEFAULT_INVOCATION_BUDGET_MS = 120_000;

/**
 * Past the deadline, one short pass still runs before the handler gives up,
 * so that work that did finish is reported done rather than timed out.
 */
export const FINAL_PASS_BUDGET_MS = 15_000;

/**
 * When to stop starting work in this invocation (epoch ms): the invocation's
 * remaining time minus the safety margin (the margin takes at most half of
 * what remains, so a short invocation still gets work done), and no later
 * than `deadline`, or than FINAL_PASS_BUDGET_MS from now once it has passed.
 */
export function invocationStopBy(context: InvocationContext | undefined, deadline: number | undefined): number {
  const now = clock.now();
  const remaining = remainingMs(context);
  const usable = remaining === undefined
    ? DEFAULT_INVOCATION_BUDGET_MS
    : Math.max(0, remaining - INVOCATION_SAFETY_MARGIN_MS, Math.floor(remaining / 2));
  const invocationEnd = now + usable;
  return deadline === undefined ? invocationEnd : Math.min(invocationEnd, Math.max(deadline, now + FINAL_PASS_BUDGET_MS));
}

function remainingMs(context: InvocationContext | undefined): number | undefined {
  if (!context || typeof context.getRemainingTimeInMillis !== 'function') {
    return undefined;
  }
  const remaining = context.getRemainingTimeInMillis();
  return Number.isFinite(remaining) ? remaining : undefined;
}
