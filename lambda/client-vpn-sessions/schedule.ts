/**
 * The scheduled enforcement entry point (`index.onSchedule` of the sessions
 * bundle), run by an EventBridge rule under the enforcement role, which may
 * also take the endpoint's lease (./lease). Kept apart from the custom
 * resource entry points so that each role's permissions are checked against
 * the calls its entry point makes (test/iam).
 */
import { randomUUID } from 'node:crypto';
import { acquireLease, releaseLease } from './lease';
import { emitSessionsTerminated } from './metrics';
import { parseScheduledEnforcement } from './properties';
import { ScheduledEnforcementInput } from '../../src/private/contract/client-vpn-sessions';
import { SessionSelector } from '../shared/client-vpn-sessions';
import { clock } from '../shared/clock';
import { INVOCATION_SAFETY_MARGIN_MS, InvocationContext, invocationStopBy } from '../shared/deadline';
import { HandlerError } from '../shared/errors';
import { log } from '../shared/log';
import { failedToTerminateMessage, runTerminationPasses } from '../shared/termination-passes';

/** The Lambda context fields onSchedule reads. */
export interface ScheduleContext extends InvocationContext {
  readonly awsRequestId?: string;
}

/** What one scheduled run did, also returned as the Lambda result (visible in test invokes). */
export interface ScheduledEnforcementResult {
  readonly endpointId: string;
  readonly sessionsTerminated: number;
  /** False when the run's budget ended first; the next run continues. */
  readonly complete: boolean;
  /** Set when another run held the endpoint's enforcement lease: this run did nothing. */
  readonly skipped?: { readonly holder: string; readonly heldUntil: string };
}

/** The Lambda context fields onSchedule reads. */
export interface ScheduleContext extends InvocationContext {
  readonly awsRequestId?: string;
}

/**
* One scheduled enforcement run: passes until every listed principal's
 * sessions are gone or the invocation's budget ends. Always emits the
 * SessionsTerminated metric (0 included, so that alarms see data), then
 * throws on a failure (endpoint gone, sessions stuck failed-to-terminate)
 * so that Lambda's Errors metric shows it.
 *
 * Runs on one endpoint never overlap: a run first takes the endpoint's
 * enforcement lease (./lease) until its own invocation ends, and a run that
 * finds the lease held by a live run returns at once (`skipped`), emitting
 * nothing; the holder emits the metric.
 */
export async function onSchedule(input: ScheduledEnforcementInput, context?: ScheduleContext): Promise<ScheduledEnforcementResult> {
  const parsed = parseScheduledEnforcement(input);
  if (!parsed.ok) {
    throw new HandlerError(`invalid scheduled enforcement input: ${parsed.problems.join('; ')}`);
  }
  const { endpointId, usernames, commonNames } = parsed.value;
  const holder = context?.awsRequestId ?? randomUUID();
  const stopBy = invocationStopBy(context, undefined);
  const lease = await acquireLease(endpointId, holder, invocationEnd(context, stopBy));
  if (!lease.acquired) {
    const heldUntil = new Date(lease.heldUntil).toISOString();
    log.info('another enforcement run holds the endpoint\'s lease; this run skips', { endpointId, holder: lease.holder, heldUntil });
    return { endpointId, sessionsTerminated: 0, complete: false, skipped: { holder: lease.holder, heldUntil } };
  }
  try {
    return await enforce(endpointId, usernames, commonNames, stopBy);
  } finally {
    await releaseLease(endpointId, holder);
  }
}

/** When this invocation ends for sure: Lambda stops it at its timeout. */
function invocationEnd(context: ScheduleContext | undefined, stopBy: number): number {
  const remaining = context && typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  return remaining !== undefined && Number.isFinite(remaining) ? clock.now() + remaining : stopBy + INVOCATION_SAFETY_MARGIN_MS;
}

async function enforce(
  endpointId: string, usernames: readonly string[], commonNames: readonly string[], stopBy: number,
): Promise<ScheduledEnforcementResult> {
  const selector: SessionSelector = {
    endpointId,
    usernames,
    commonNames,
    // A principal who reconnects during this run is the next run's business;
    // without a cutoff a reconnect loop could keep every run busy to its end.
    establishedBefore: clock.now(),
  };
  const run = await runTerminationPasses(selector, stopBy);
  emitSessionsTerminated(endpointId, run.terminated);
  log.info('scheduled enforcement run', {
    endpointId,
    usernames: usernames.length,
    commonNames: commonNames.length,
    sessionsTerminated: run.terminated,
    complete: run.complete,
    remaining: run.remaining,
    passes: run.passes,
    calls: run.calls,
  });
  if (run.terminalError) {
    throw run.terminalError;
  }
  if (run.failedConnectionIds.length > 0) {
    throw new HandlerError(failedToTerminateMessage(endpointId, run.failedConnectionIds));
  }
  if (!run.complete) {
    log.warn('the run ended before every session did; the next run continues', {
      endpointId, remaining: run.remaining, transientError: run.transientError,
    });
  }
  return { endpointId, sessionsTerminated: run.terminated, complete: run.complete };
}
