/**
 * Drives the Client VPN session termination engine (./client-vpn-sessions)
 * for the length of one Lambda invocation, for every handler that ends
 * sessions: the sessions handler (revocation sets, CRLs, the schedule) and
 * the authorization handler (SessionsOnRevoke).
 *
 * One engine pass observes the endpoint and terminates what it finds; while
 * sessions are still `terminating` it reports not complete. This loop runs
 * passes a few seconds apart until the work is complete or the invocation's
 * budget is spent. Nothing is carried between invocations: the next one
 * re-describes, and the engine never terminates a session it sees
 * `terminating` or `terminated`, so resuming never terminates twice.
 */
import { PASS_STOP_MARGIN_MS, runTerminationPass, SessionSelector, TerminationPassResult } from './client-vpn-sessions';
import { clock } from './clock';
import { isPastDeadline, workBudgetSeconds } from './deadline';
import { classifyError, HandlerError, safeErrorText } from './errors';
import { log } from './log';
import { logRemaining, nameWithinBudget } from './remaining';

/** Pause between passes: sessions take seconds to go from `terminating` to `terminated`. */
export const PASS_INTERVAL_MS = 5_000;

export interface TerminationRun {
  /** Every session the selector covers has ended (or, for allSessions, every one from before the cutoff). */
  readonly complete: boolean;
  /**
   * Sessions this invocation's passes started terminating, each counted
   * once, less those the last pass reports stuck failed-to-terminate.
   */
  readonly terminated: number;
  readonly terminatedConnectionIds: readonly string[];
  /** Sessions still to end, as the last pass saw them. */
  readonly remaining: number;
  /** Their connection ids, sorted. */
  readonly remainingConnectionIds: readonly string[];
  /** Sessions the last pass saw stay `failed-to-terminate` after the engine's retries. */
  readonly failedConnectionIds: readonly string[];
  readonly passes: number;
  readonly calls: { readonly describe: number; readonly terminate: number; readonly throttled: number };
  /** Set when the invocation ended on an error that clears by itself (throttling, 5xx) instead of a pass result. */
  readonly transientError?: string;
  /**
   * Set when a pass failed for good (the endpoint does not exist, a call was
   * refused). Returned rather than thrown so that what earlier passes did
   * is still reported; the caller throws it.
   */
  readonly terminalError?: HandlerError;
}

/** Connection ids per log line: CloudWatch Logs caps an event at 256 KB. */
const IDS_PER_LOG_LINE = 500;

/**
 * Runs engine passes until complete or until `stopBy` (epoch ms). Never
 * throws for what EC2 answers: a terminal failure comes back as
 * `terminalError`, EC2 refusing for now as `transientError`, and sessions
 * stuck `failed-to-terminate` as `failedConnectionIds`; each caller words
 * and raises the failure for its resource. Every terminated connection id is
 * logged (ids only, never whole connection records).
 */
export async function runTerminationPasses(selector: SessionSelector, stopBy: number): Promise<TerminationRun> {
  const started = new Set<string>();
  const calls = { describe: 0, terminate: 0, throttled: 0 };
  let passes = 0;
  let last: TerminationPassResult | undefined;
  for (;;) {
    try {
      last = await runTerminationPass(selector, { stopBy });
    } catch (err) {
      if (classifyError(err) !== 'retry-later') {
        const terminalError = err instanceof HandlerError
          ? err
          : HandlerError.fromAwsError('Session termination', `Client VPN endpoint ${selector.endpointId}`, err);
        return { ...summary(last, passes, started, calls), complete: false, terminalError };
      }
      log.warn('session termination pass interrupted; will retry', { endpointId: selector.endpointId, error: safeErrorText(err) });
      return summary(last, passes, started, calls, safeErrorText(err));
    }
    passes++;
    last.terminatedConnectionIds.forEach(id => started.add(id));
    calls.describe += last.calls.describe;
    calls.terminate += last.calls.terminate;
    calls.throttled += last.calls.throttled;
    log.info('session termination pass', {
      endpointId: selector.endpointId,
      pass: passes,
      complete: last.complete,
      terminated: last.terminated,
      remaining: last.remaining,
      failed: last.failedConnectionIds.length,
      calls: last.calls,
    });
    logConnectionIds(selector.endpointId, last.terminatedConnectionIds);
    // A pass starts no call in its last PASS_STOP_MARGIN_MS: one begun later
    // would observe nothing, and its empty result would hide what is left.
    if (last.complete || last.failedConnectionIds.length > 0 || clock.now() + PASS_INTERVAL_MS + PASS_STOP_MARGIN_MS >= stopBy) {
      return summary(last, passes, started, calls);
    }
    await clock.sleep(PASS_INTERVAL_MS);
  }
}

function logConnectionIds(endpointId: string, ids: readonly string[]): void {
  for (let start = 0; start < ids.length; start += IDS_PER_LOG_LINE) {
    log.info('sessions terminated', { endpointId, connectionIds: ids.slice(start, start + IDS_PER_LOG_LINE) });
  }
}

function summary(
  last: TerminationPassResult | undefined,
  passes: number,
  started: ReadonlySet<string>,
  calls: TerminationRun['calls'],
  transientError?: string,
): TerminationRun {
  const stuck = new Set(last?.failedConnectionIds ?? []);
  const terminatedConnectionIds = [...started].filter(id => !stuck.has(id));
  return {
    complete: transientError === undefined && last !== undefined && last.complete,
    terminated: terminatedConnectionIds.length,
    terminatedConnectionIds,
    remaining: last?.remaining ?? 0,
    remainingConnectionIds: last?.remainingConnectionIds ?? [],
    failedConnectionIds: last?.failedConnectionIds ?? [],
    passes,
    calls,
    ...(transientError !== undefined ? { transientError } : {}),
  };
}

function sessions(n: number): string {
  return n === 1 ? '1 session' : `${n} sessions`;
}

/** The reason when sessions stay `failed-to-terminate`. */
export function failedToTerminateMessage(endpointId: string, failedConnectionIds: readonly string[]): string {
  return `Client VPN endpoint ${endpointId}: ${sessions(failedConnectionIds.length)} stayed failed-to-terminate after retries `
    + `(${nameWithinBudget(failedConnectionIds)}); terminate them with aws ec2 terminate-client-vpn-connections `
    + `--client-vpn-endpoint-id ${endpointId} --connection-id <id>, then retry the deployment`;
}

/**
 * The reason when the request's deadline passes with sessions still to end:
 * it names the connection ids left (as many as fit in the response, see
 * ../shared/remaining) and the full list goes to the log.
 */
export function terminationTimeoutMessage(endpointId: string, budgetSeconds: number, run: TerminationRun | undefined): string {
  if (!run || run.passes === 0) {
    const why = run?.transientError ? `: its sessions could not be read (${run.transientError})` : '';
    return `timed out after ${budgetSeconds} s terminating sessions on Client VPN endpoint ${endpointId}${why}`;
  }
  const failed = run.failedConnectionIds.length > 0
    ? `, ${run.failedConnectionIds.length} failed-to-terminate (${nameWithinBudget(run.failedConnectionIds, 300)})` : '';
  const left = run.remainingConnectionIds.length > 0 ? ` (${nameWithinBudget(run.remainingConnectionIds, 1200)})` : '';
  return `timed out after ${budgetSeconds} s terminating sessions on Client VPN endpoint ${endpointId}: `
    + `${sessions(run.remaining)} still to end${left}${failed}`;
}

/**
 * How an isComplete invocation that ran termination passes ends, the same for
 * every handler: true when the work is complete; false when it is not yet
 * and the Deadline has not passed (the next invocation continues); throws
 * HandlerError for a terminal error, sessions stuck failed-to-terminate, or
 * the Deadline passing with sessions left.
 */
export function settleTermination(endpointId: string, run: TerminationRun, deadline: number | undefined): boolean {
  if (run.terminalError) {
    throw run.terminalError;
  }
  if (run.failedConnectionIds.length > 0) {
    throw new HandlerError(failedToTerminateMessage(endpointId, run.failedConnectionIds));
  }
  if (run.complete) {
    return true;
  }
  if (isPastDeadline(deadline)) {
    logRemaining('sessions', run.remainingConnectionIds, { endpointId });
    throw new HandlerError(terminationTimeoutMessage(endpointId, workBudgetSeconds(), run));
  }
  return false;
}
