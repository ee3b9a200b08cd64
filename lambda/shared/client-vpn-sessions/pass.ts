/**
 * One termination pass: list the endpoint's connections, end the active
 * sessions of the selected principals at the rate EC2 allows, resend
 * Terminate a bounded number of times for sessions that failed to
 * terminate, and report whether anything the selector must end is left.
 *
 * Stateless between passes: progress lives in AWS's own state (a session we
 * terminated is `terminating`, then `terminated`, and stays listed for an
 * hour), so a pass that ran out of budget, crashed or was delivered twice is
 * followed by one that simply observes again and carries on. Within a pass,
 * a session is never named in a Terminate call twice on purpose, whatever a
 * lagging read shows.
 */
import {
  DEFAULT_MAX_IN_FLIGHT,
  FAILED_RETRY_POLL_DELAYS_MS,
  FAILED_TERMINATION_RETRIES,
  MAX_FILTERED_USERNAMES,
  PASS_STOP_MARGIN_MS,
  READ_AFTER_WRITE_MS,
} from './config';
import { CallContext, CallCounts, ListingFilter, listSessions, sleepWithin, terminate } from './ec2-connections';
import { planTermination, SessionToEnd, TerminationPlan, WorkItem } from './plan';
import { AimdRateLimiter } from './rate-limiter';
import { SessionMatcher, SessionSelector, SessionStatus, selectsNothing, validateSelector } from './selector';
import { clock } from '../clock';
import { HandlerError } from '../errors';
import { log } from '../log';

export interface TerminationPassOptions {
  /** Epoch ms by which the pass must have returned (the caller's invocation budget). */
  readonly stopBy: number;
  /** Concurrency cap of Terminate calls in flight. @default 10 */
  readonly maxInFlight?: number;
}

export interface TerminationPassResult {
  /** True when no session the selector must end is active or terminating (terminated/gone = done). */
  readonly complete: boolean;
  /** Sessions whose termination this pass started (count). */
  readonly terminated: number;
  /** Connection ids terminated by this pass (for logs; the handler logs ids, never whole records). */
  readonly terminatedConnectionIds: readonly string[];
  /**
   * Sessions still to end (active + terminating + failed-to-terminate) when the pass returned.
   * Only sessions completion waits for are counted (see SessionSelector.establishedBefore); after a
   * listing cut short, only those seen.
   */
  readonly remaining: number;
  /** The connection ids `remaining` counts, sorted: a deadline failure names them. */
  readonly remainingConnectionIds: readonly string[];
  /** Connections still `failed-to-terminate` after the pass's retries: the caller fails the deploy naming them. */
  readonly failedConnectionIds: readonly string[];
  /** Calls by kind, and how many were throttled. */
  readonly calls: { readonly describe: number; readonly terminate: number; readonly throttled: number };
}

/** What a pass learns about sessions from its own calls, on top of the listing. */
interface PassState {
  /** Connection ids whose termination this pass started. */
  readonly started: Set<string>;
  /** The latest state seen per connection id (Terminate responses, re-describes). */
  readonly latest: Map<string, SessionStatus | 'gone'>;
  /** When this pass last sent a Terminate naming the connection (or its user). */
  readonly calledAt: Map<string, number>;
}

interface PassContext extends CallContext {
  readonly terminateLimiter: AimdRateLimiter;
  readonly maxInFlight: number;
  readonly state: PassState;
}

/** How a batch of Terminate calls went, beyond what PassState records. */
interface BatchResult {
  /** Items not sent: out of time, or EC2 failed in a way only a fresh observation can settle. */
  readonly unsent: number;
  readonly retryLater: number;
  readonly retryReason?: string;
}

export async function runTerminationPass(selector: SessionSelector, options: TerminationPassOptions): Promise<TerminationPassResult> {
  validateSelector(selector);
  if (!Number.isFinite(options.stopBy)) {
    throw new HandlerError(`session termination on ${selector.endpointId}: stopBy must be epoch milliseconds`);
  }
  const counts: CallCounts = { describe: 0, terminate: 0, throttled: 0 };
  if (selectsNothing(selector)) {
    log.info('session termination: no principal selected; nothing to do', { endpointId: selector.endpointId });
    return result(true, [], [], [], counts, 0);
  }
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new HandlerError(`session termination on ${selector.endpointId}: maxInFlight must be a positive integer, got ${maxInFlight}`);
  }
  const ctx: PassContext = {
    endpointId: selector.endpointId,
    describeLimiter: new AimdRateLimiter(),
    terminateLimiter: new AimdRateLimiter(),
    workUntil: options.stopBy - PASS_STOP_MARGIN_MS,
    counts,
    maxInFlight,
    state: { started: new Set(), latest: new Map(), calledAt: new Map() },
  };

  const listing = await listSessions(ctx, listingFilter(selector));
  const plan = planTermination(new SessionMatcher(selector), listing.sessions);
  logPlan(selector, listing.sessions.length, listing.complete, plan);

  const batch = await runBatch(ctx, plan.work);
  const failed = await retryFailed(ctx, plan.failed);

  const remainingIds: string[] = [];
  for (const [connectionId, entry] of plan.toEnd) {
    const latest = ctx.state.latest.get(connectionId) ?? entry.session.status;
    if (entry.blocking && latest !== 'terminated' && latest !== 'gone') {
      remainingIds.push(connectionId);
    }
  }
  remainingIds.sort();
  const remaining = remainingIds.length;
  const failedConnectionIds = failed.exhausted.filter(id => plan.toEnd.get(id)?.blocking === true);
  const complete = listing.complete && remaining === 0;
  const terminatedIds = [...ctx.state.started];

  log.info('session termination pass finished', {
    endpointId: selector.endpointId,
    complete,
    listingComplete: listing.complete,
    listingStoppedBecause: listing.reason,
    terminated: terminatedIds.length,
    remaining,
    failed: failedConnectionIds.length,
    failedNonBlocking: failed.exhausted.length - failedConnectionIds.length,
    unsent: batch.unsent,
    retryLater: batch.retryLater,
    retryReason: batch.retryReason,
    describeCalls: counts.describe,
    terminateCalls: counts.terminate,
    throttled: counts.throttled,
    terminateRate: Number(ctx.terminateLimiter.currentRate.toFixed(2)),
  });
  return result(complete, remainingIds, terminatedIds, failedConnectionIds, counts, terminatedIds.length);
}

function result(
  complete: boolean,
  remainingConnectionIds: readonly string[],
  terminatedConnectionIds: readonly string[],
  failedConnectionIds: readonly string[],
  counts: CallCounts,
  terminated: number,
): TerminationPassResult {
  return {
    complete,
    terminated,
    terminatedConnectionIds,
    remaining: remainingConnectionIds.length,
    remainingConnectionIds,
    failedConnectionIds,
    calls: { describe: counts.describe, terminate: counts.terminate, throttled: counts.throttled },
  };
}

/**
 * The `username` filter narrows the listing to the users asked for, but it
 * cannot find certificate common names, and allSessions wants everything.
 * Past MAX_FILTERED_USERNAMES, the chunked filtered listings would cost more
 * calls than one listing of the whole endpoint.
 */
function listingFilter(selector: SessionSelector): ListingFilter | undefined {
  if (selector.allSessions === true || selector.commonNames.length > 0) {
    return undefined;
  }
  const usernames = [...new Set(selector.usernames)];
  return usernames.length <= MAX_FILTERED_USERNAMES ? { name: 'username', values: usernames } : undefined;
}

/**
 * Sends the calls of `items` through the Terminate rate limiter with at most
 * `maxInFlight` pending. A refused (throttled) call is resent; a call whose
 * sessions this pass already ended is skipped; a Terminate by Username over
 * the five-connection limit becomes one call per connection. On a terminal
 * failure nothing new starts, the calls in flight are awaited, and the
 * first failure is thrown.
 */
async function runBatch(ctx: PassContext, items: readonly WorkItem[]): Promise<BatchResult> {
  const { state } = ctx;
  const resend: WorkItem[] = [];
  let next = 0;
  let outOfTime = false;
  let fatal: HandlerError | undefined;
  let retryLater = 0;
  let retryReason: string | undefined;

  const take = (): WorkItem | undefined => resend.pop() ?? (next < items.length ? items[next++] : undefined);
  const pendingIds = (item: WorkItem) => item.connectionIds.filter(id => !state.started.has(id));

  const worker = async (): Promise<void> => {
    for (let item = take(); item !== undefined; item = take()) {
      // Ended already in this pass (by its user's call, or an earlier item):
      // never again on purpose, unless this is the retry of a failure.
      if (item.target.kind === 'connection' && item.retry !== true && state.started.has(item.target.connectionId)) {
        continue;
      }
      const granted = fatal === undefined && !outOfTime && await ctx.terminateLimiter.acquire(ctx.workUntil);
      if (!granted || fatal !== undefined) {
        outOfTime = outOfTime || (!granted && fatal === undefined);
        resend.push(item);
        return;
      }
      const sentAt = clock.now();
      for (const id of item.connectionIds) state.calledAt.set(id, sentAt);
      const outcome = await terminate(ctx, item.target);
      switch (outcome.result) {
        case 'done': {
          ctx.terminateLimiter.onSuccess();
          const statuses = outcome.statuses.length > 0
            ? outcome.statuses
            // No statuses reported: take the call at its word for the connections it was meant for.
            : pendingIds(item).map(connectionId => ({ connectionId, previous: 'active' as const, current: 'terminating' as const }));
          for (const status of statuses) {
            state.calledAt.set(status.connectionId, sentAt);
            state.latest.set(status.connectionId, status.current ?? 'terminating');
            const wasUp = status.previous === undefined || status.previous === 'active' || status.previous === 'failed-to-terminate';
            if (wasUp && status.current !== status.previous) {
              state.started.add(status.connectionId);
            }
          }
          break;
        }
        case 'not-found':
          ctx.terminateLimiter.onSuccess();
          if (item.target.kind === 'connection') {
            state.latest.set(item.target.connectionId, 'gone');
          }
          // A user with no active connection left: the ones we saw are on their
          // way out (or gone); the next listing confirms which.
          break;
        case 'refused':
          ctx.terminateLimiter.onRefusal();
          resend.push(item);
          break;
        case 'user-limit': {
          ctx.terminateLimiter.onSuccess();
          // The user gained connections since the listing; end the ones we saw one by one.
          for (const connectionId of pendingIds(item)) {
            resend.push({ target: { kind: 'connection', connectionId }, connectionIds: [connectionId], blocking: item.blocking });
          }
          break;
        }
        case 'retry-later':
          // A 5xx or a timeout may hide a call that did happen: not resent
          // blindly; the next listing shows whether it did.
          retryLater++;
          retryReason = retryReason ?? outcome.reason;
          break;
        case 'failed':
          fatal = fatal ?? outcome.error;
          break;
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(ctx.maxInFlight, Math.max(1, items.length)) }, worker));
  if (fatal !== undefined) {
    throw fatal;
  }
  const unsent = resend.length + (items.length - next);
  return { unsent, retryLater, ...(retryReason !== undefined ? { retryReason } : {}) };
}

interface FailedRetryResult {
  /** Connections still `failed-to-terminate` after every retry this pass may make. */
  readonly exhausted: readonly string[];
}

/**
 * Sessions the listing showed `failed-to-terminate` get Terminate again by
 * ConnectionId, then a re-describe after a wait shows how that ended:
 * terminated or gone is done; `terminating` is left for the next pass;
 * `failed-to-terminate` again, once the reading is recent enough to reflect
 * our call (READ_AFTER_WRITE_MS), earns another retry, up to
 * FAILED_TERMINATION_RETRIES. What is still failed then is reported.
 */
async function retryFailed(ctx: PassContext, failed: readonly SessionToEnd[]): Promise<FailedRetryResult> {
  const { state } = ctx;
  let pending = failed.map(f => f.session.connectionId);
  const blocking = new Map(failed.map(f => [f.session.connectionId, f.blocking]));
  for (let attempt = 1; pending.length > 0; attempt++) {
    const attemptStarted = clock.now();
    await runBatch(ctx, pending.map(connectionId => ({
      target: { kind: 'connection' as const, connectionId },
      connectionIds: [connectionId],
      blocking: blocking.get(connectionId) === true,
      retry: true,
    })));
    const sent = pending.filter(id => (state.calledAt.get(id) ?? -Infinity) >= attemptStarted);
    const failedAgain = await awaitOutcome(ctx, sent);
    if (attempt >= FAILED_TERMINATION_RETRIES) {
      log.warn('sessions still failed to terminate after retries', { endpointId: ctx.endpointId, count: failedAgain.length, retries: attempt });
      return { exhausted: failedAgain };
    }
    pending = failedAgain;
  }
  return { exhausted: [] };
}

/** Polls the connections just terminated; returns those that failed to terminate again. */
async function awaitOutcome(ctx: PassContext, connectionIds: readonly string[]): Promise<string[]> {
  const { state } = ctx;
  let unsettled = [...connectionIds];
  const failedAgain: string[] = [];
  for (const delay of FAILED_RETRY_POLL_DELAYS_MS) {
    if (unsettled.length === 0 || !await sleepWithin(delay, ctx.workUntil)) {
      break;
    }
    const listing = await listSessions(ctx, { name: 'connection-id', values: unsettled });
    const seen = new Map(listing.sessions.map(s => [s.connectionId, s.status]));
    const now = clock.now();
    unsettled = unsettled.filter(id => {
      const status = seen.get(id);
      if (status === undefined) {
        if (!listing.complete) return true;
        state.latest.set(id, 'gone');
        return false;
      }
      if (status === 'terminated' || status === 'terminating') {
        state.latest.set(id, status);
        return status === 'terminating';
      }
      // `active` or `failed-to-terminate`: may be a reading from before our call.
      if (now - (state.calledAt.get(id) ?? -Infinity) < READ_AFTER_WRITE_MS) {
        return true;
      }
      state.latest.set(id, status);
      failedAgain.push(id);
      return false;
    });
  }
  return failedAgain;
}

function logPlan(selector: SessionSelector, listed: number, listingComplete: boolean, plan: TerminationPlan): void {
  log.info('session termination pass planned', {
    endpointId: selector.endpointId,
    usernames: selector.usernames.length,
    commonNames: selector.commonNames.length,
    allSessions: selector.allSessions === true,
    cutoff: selector.establishedBefore,
    listed,
    listingComplete,
    ignored: plan.ignored,
    toEnd: plan.toEnd.size,
    active: plan.counts.active,
    terminating: plan.counts.terminating,
    failedToTerminate: plan.counts.failed,
    nonBlocking: plan.counts.nonBlocking,
    byUsernameCalls: plan.work.filter(w => w.target.kind === 'user').length,
    byConnectionCalls: plan.work.filter(w => w.target.kind === 'connection').length,
  });
}
