/**
 * One reconcile pass of `isComplete`: observe the endpoint, plan, make the
 * planned calls, and report whether the set is in place.
 *
 * Stateless apart from the event: every pass re-derives the plan from
 * DescribeClientVpnAuthorizationRules, so a duplicate delivery, a crashed
 * pass or a rule changed out of band are all just a different observation.
 */
import { ENDPOINT_NOT_FOUND_GRACE_MS, maxMutationsPerEndpoint, REDESCRIBE_POLL_INTERVAL_MS, REDESCRIBE_POLL_LIMIT_MS, REFUSED_RETRY_DELAY_MS } from './config';
import { logPending, timeoutMessage, timeoutWhileUnreadableMessage } from './deadline';
import { authorizeClientToken, authorizeRule, CallOutcome, describeAuthorizationRules, revokeRule, RULE_LIMIT_EXCEEDED } from './ec2-rules';
import { Mutation, ObservedRule, Plan, planPass } from './reconcile';
import { DesiredRule, ownershipKey, RuleIdentity, ruleKey, ruleLabel } from './rules';
import { ReconcileTarget } from './target';
import { CLIENT_VPN_AUTHORIZATIONS_OWNERSHIP_FAMILY } from '../../src/private/contract/client-vpn-authorizations';
import { clock } from '../shared/clock';
import { mapLimit } from '../shared/concurrency';
import { InvocationContext, invocationStopBy, isPastDeadline } from '../shared/deadline';
import { classifyError, HandlerError, safeErrorText } from '../shared/errors';
import { IsCompleteResponse } from '../shared/events';
import { log } from '../shared/log';
import { claim, keysClaimedByOthers, OwnershipScope, release } from '../shared/ownership';
import { guardData } from '../shared/response';
import { runTerminationPasses, settleTermination } from '../shared/termination-passes';

const NOT_COMPLETE: IsCompleteResponse = { IsComplete: false };

/** What a pass needs beyond the target when it may end sessions (SessionsOnRevoke). */
export interface PassInvocation {
  /** The Lambda context, for the invocation's remaining time. */
  readonly context?: InvocationContext;
  /** When onEvent accepted the request (epoch ms): the sessions cutoff. */
  readonly acceptedAt?: number;
}

export async function reconcilePass(
  target: ReconcileTarget,
  deadline: number | undefined,
  invocation: PassInvocation = {},
): Promise<IsCompleteResponse> {
  const { endpointId } = target;

  // Claim before any call that mutates (so a concurrent removal by another
  // set sees the claim), and read the other sets' claims before removing.
  let claimedElsewhere: ReadonlySet<string>;
  try {
    claimedElsewhere = target.requestType === 'Delete'
      ? await keysClaimedByOthers(ownershipScope(target), target.setId)
      : await claim(ownershipScope(target), target.setId, target.owner, target.ensure.map(ownershipKey));
  } catch (err) {
    return ownershipFailed(target, deadline, err);
  }

  let observed: ObservedRule[];
  try {
    observed = await describeAuthorizationRules(endpointId);
  } catch (err) {
    return describeFailed(target, deadline, err);
  }

  const remove = leaveClaimedRules(target, claimedElsewhere);
  const plan = planPass({
    ensure: target.ensure,
    remove,
    observed,
    maxConcurrentMutations: maxMutationsPerEndpoint(),
    ...(target.ruleQuota !== undefined ? { ruleQuota: target.ruleQuota } : {}),
  });
  logPlan(target, observed.length, plan);

  if (plan.failed.length > 0) {
    throw new HandlerError(failedRulesMessage(endpointId, plan.failed));
  }
  if (plan.complete) {
    if (target.terminateAllSessions) {
      return terminateSessionsAfterRevoke(target, deadline, invocation);
    }
    return completed(target, deadline);
  }
  if (isPastDeadline(deadline)) {
    logPending(endpointId, plan.pending);
    throw new HandlerError(timeoutMessage(endpointId, plan.pending));
  }

  const ruleLimitIsTransient = plan.held.length > 0
    || plan.pending.some(p => p.state === 'revoking')
    || plan.mutations.some(m => m.kind === 'revoke');
  const outcomes = await runMutations(target, plan.mutations, ruleLimitIsTransient);
  throwFirstFailure(outcomes);
  await releaseHeldRevokesAtQuota(target, plan, outcomes);

  // Close the access gap of description changes within this invocation
  // where EC2 is quick enough; otherwise the next pass authorizes them.
  const redescribed = plan.mutations.flatMap((mutation, i) =>
    mutation.kind === 'revoke' && mutation.reauthorize && outcomes[i].result === 'done' ? [mutation.reauthorize] : []);
  if (redescribed.length > 0) {
    await reauthorizeWhenGone(target, redescribed);
  }
  return NOT_COMPLETE;
}

function ownershipScope(target: ReconcileTarget): OwnershipScope {
  return { family: CLIENT_VPN_AUTHORIZATIONS_OWNERSHIP_FAMILY, target: target.endpointId };
}

/**
 * The removals this set may make: every rule it gives up that no other set
 * declares. A rule another set claims stays (a rename, a move to another
 * stack, a split or a merge of sets hands it over instead of revoking it).
 */
function leaveClaimedRules(target: ReconcileTarget, claimedElsewhere: ReadonlySet<string>): RuleIdentity[] {
  const kept = target.remove.filter(rule => claimedElsewhere.has(ownershipKey(rule)));
  if (kept.length > 0) {
    log.info('rules another set declares are left in place', {
      endpointId: target.endpointId,
      physicalId: target.physicalId,
      kept: kept.length,
      rules: kept.map(ruleLabel),
    });
  }
  return target.remove.filter(rule => !claimedElsewhere.has(ownershipKey(rule)));
}

function ownershipFailed(target: ReconcileTarget, deadline: number | undefined, err: unknown): IsCompleteResponse {
  if (classifyError(err) === 'retry-later') {
    if (isPastDeadline(deadline)) {
      throw new HandlerError(`timed out waiting for endpoint ${target.endpointId}: the sets' ownership records in Parameter Store could not be read (${safeErrorText(err)})`);
    }
    log.warn('could not read the ownership records; will retry', { endpointId: target.endpointId, error: safeErrorText(err) });
    return NOT_COMPLETE;
  }
  throw HandlerError.fromAwsError('Parameter Store (ownership records)', `endpoint ${target.endpointId}`, err);
}

function describeFailed(target: ReconcileTarget, deadline: number | undefined, err: unknown): Promise<IsCompleteResponse> | IsCompleteResponse {
  const { endpointId } = target;
  switch (classifyError(err)) {
    case 'not-found':
      if (target.requestType === 'Delete') {
        log.info('endpoint does not exist; nothing left to revoke', { endpointId, error: safeErrorText(err) });
        return completed(target, deadline);
      }
      if (target.endpointGraceUntil !== undefined && clock.now() < target.endpointGraceUntil && !isPastDeadline(deadline)) {
        log.warn('endpoint not described yet; waiting for it (it may have been created in this deploy)', {
          endpointId, waitUntil: new Date(target.endpointGraceUntil).toISOString(), error: safeErrorText(err),
        });
        return NOT_COMPLETE;
      }
      throw new HandlerError(`Client VPN endpoint ${endpointId} does not exist (${safeErrorText(err)})`
        + (target.endpointGraceUntil !== undefined ? `; waited ${ENDPOINT_NOT_FOUND_GRACE_MS / 1000} s for it to appear` : ''));
    case 'retry-later':
      if (isPastDeadline(deadline)) {
        throw new HandlerError(timeoutWhileUnreadableMessage(endpointId, safeErrorText(err)));
      }
      log.warn('could not read the endpoint rules; will retry', { endpointId, error: safeErrorText(err) });
      return NOT_COMPLETE;
    default:
      throw HandlerError.fromAwsError('DescribeClientVpnAuthorizationRules', `endpoint ${endpointId}`, err);
  }
}

/**
 * SessionsOnRevoke 'terminate-all' (see terminatesSessions in target.ts for
 * the trade-off): runs only once the set is in place, so every revoke is
 * done before a session ends and a user who reconnects at once does so
 * under the new rules. Each invocation re-observes the rules first, then
 * continues the termination where the last one left it.
 */
async function terminateSessionsAfterRevoke(
  target: ReconcileTarget,
  deadline: number | undefined,
  invocation: PassInvocation,
): Promise<IsCompleteResponse> {
  const run = await runTerminationPasses({
    endpointId: target.endpointId,
    usernames: [],
    commonNames: [],
    allSessions: true,
    establishedBefore: invocation.acceptedAt ?? clock.now(),
  }, invocationStopBy(invocation.context, deadline));
  log.info('sessions after revoke', {
    endpointId: target.endpointId,
    physicalId: target.physicalId,
    terminated: run.terminated,
    remaining: run.remaining,
    complete: run.complete,
  });
  return settleTermination(target.endpointId, run, deadline) ? completed(target, deadline) : NOT_COMPLETE;
}

async function completed(target: ReconcileTarget, deadline: number | undefined): Promise<IsCompleteResponse> {
  if (target.requestType === 'Delete') {
    // The set is gone: its claim goes too, so a later removal by another set
    // is no longer held back by it. A failure here fails the Delete (which
    // CloudFormation retries); a retry finds the rules already revoked.
    try {
      await release(ownershipScope(target), target.setId);
    } catch (err) {
      if (classifyError(err) === 'retry-later' && !isPastDeadline(deadline)) {
        log.warn('could not release the ownership record; will retry', { endpointId: target.endpointId, error: safeErrorText(err) });
        return NOT_COMPLETE;
      }
      throw HandlerError.fromAwsError('Parameter Store (ownership record release)', `endpoint ${target.endpointId}`, err);
    }
    return { IsComplete: true };
  }
  return { IsComplete: true, Data: guardData({ RuleCount: String(target.ensure.length) }) };
}

/**
 * Issues the planned calls concurrently. Calls the service refused outright
 * (throttling, the concurrency limit) are sent once more after a second:
 * that is safe because a refused call did nothing, it spares a whole poll
 * interval, and it keeps a pass that always makes the same number of calls
 * from landing the same call on a periodic throttle every time. Whatever is
 * still refused waits for the next pass.
 */
async function runMutations(target: ReconcileTarget, mutations: readonly Mutation[], ruleLimitIsTransient: boolean): Promise<CallOutcome[]> {
  if (mutations.length === 0) {
    return [];
  }
  const run = (batch: readonly Mutation[]) => mapLimit(batch, batch.length, m => execute(target, m, ruleLimitIsTransient));
  const outcomes = await run(mutations);
  const refused = outcomes.flatMap((outcome, i) => (outcome.result === 'retry-later' && outcome.refused ? [i] : []));
  // After a terminal failure the pass throws anyway; resending would only add calls.
  const resend = refused.length > 0 && !outcomes.some(o => o.result === 'failed');
  if (resend) {
    await clock.sleep(REFUSED_RETRY_DELAY_MS);
    const retried = await run(refused.map(i => mutations[i]));
    refused.forEach((index, j) => { outcomes[index] = retried[j]; });
  }
  logOutcomes(target, 'mutations', outcomes, resend ? refused.length : 0);
  return outcomes;
}

/**
 * Make before break needs room for old and new rules at once. When the
 * endpoint's rule quota refuses a new rule while removed ones are held back,
 * break before make is the only way forward: revoke the held rules now, in
 * the slots the refused calls left free, and authorize on a later pass.
 */
async function releaseHeldRevokesAtQuota(target: ReconcileTarget, plan: Plan, outcomes: readonly CallOutcome[]): Promise<void> {
  const atQuota = outcomes.some(o => o.result === 'retry-later' && o.errorName === RULE_LIMIT_EXCEEDED);
  if (!atQuota || plan.held.length === 0) {
    return;
  }
  const slotsUsed = outcomes.filter(o => o.result === 'done').length;
  const released = plan.held.slice(0, Math.max(0, plan.budget - slotsUsed));
  log.warn('rule quota reached: revoking removed rules before the new ones are in place', {
    endpointId: target.endpointId,
    held: plan.held.length,
    released: released.length,
  });
  throwFirstFailure(await runMutations(target, released, true));
}

async function execute(target: ReconcileTarget, mutation: Mutation, ruleLimitIsTransient: boolean): Promise<CallOutcome> {
  if (mutation.kind === 'authorize') {
    return authorize(target, mutation.rule, ruleLimitIsTransient);
  }
  return revokeRule(target.endpointId, mutation.rule);
}

function authorize(target: ReconcileTarget, rule: DesiredRule, ruleLimitIsTransient: boolean): Promise<CallOutcome> {
  return authorizeRule(target.endpointId, rule, authorizeClientToken(target.requestId, rule), { ruleLimitIsTransient });
}

/**
 * After revoking rules for a description change, poll every second for up to
 * 20 s and authorize each with its new description as soon as it is gone.
 */
async function reauthorizeWhenGone(target: ReconcileTarget, rules: readonly DesiredRule[]): Promise<void> {
  const started = clock.now();
  const maxPolls = Math.ceil(REDESCRIBE_POLL_LIMIT_MS / REDESCRIBE_POLL_INTERVAL_MS);
  let waiting = [...rules];
  for (let poll = 0; poll < maxPolls && waiting.length > 0 && clock.now() - started < REDESCRIBE_POLL_LIMIT_MS; poll++) {
    await clock.sleep(REDESCRIBE_POLL_INTERVAL_MS);
    let observed: ObservedRule[];
    try {
      const cidrs = [...new Set(waiting.map(rule => rule.cidr))];
      observed = await describeAuthorizationRules(target.endpointId, [{ Name: 'destination-cidr', Values: cidrs }]);
    } catch (err) {
      if (classifyError(err) === 'retry-later') {
        continue;
      }
      log.warn('stopped waiting for revoked rules; the next pass continues', { endpointId: target.endpointId, error: safeErrorText(err) });
      return;
    }
    const seen = new Map(observed.map(rule => [ruleKey(rule), rule]));
    const gone = waiting.filter(rule => !seen.has(ruleKey(rule)));
    // Keep waiting on the old rule: revoking, or still shown active with the
    // old description by a read that lags the revoke. Anything else (already
    // re-created with the new description, failed) is the next pass's call.
    waiting = waiting.filter(rule => {
      const current = seen.get(ruleKey(rule));
      return current !== undefined
        && (current.status === 'revoking' || (current.status === 'active' && current.description !== rule.description));
    });
    if (gone.length > 0) {
      const outcomes = await mapLimit(gone, gone.length, rule => authorize(target, rule, false));
      throwFirstFailure(outcomes);
      logOutcomes(target, 're-authorized after description change', outcomes);
    }
  }
  if (waiting.length > 0) {
    log.info('revoked rules not gone yet; the next pass re-authorizes them', { endpointId: target.endpointId, count: waiting.length });
  }
}

function throwFirstFailure(outcomes: readonly CallOutcome[]): void {
  const failures = outcomes.flatMap(outcome => (outcome.result === 'failed' ? [outcome.error] : []));
  if (failures.length === 1) {
    throw failures[0];
  }
  if (failures.length > 1) {
    throw new HandlerError(`${failures[0].message} (and ${failures.length - 1} more failed calls)`);
  }
}

const MAX_FAILED_RULES_NAMED = 10;

function failedRulesMessage(endpointId: string, failed: readonly ObservedRule[]): string {
  const named = failed.slice(0, MAX_FAILED_RULES_NAMED).map(rule =>
    `${ruleLabel(rule)}${rule.statusMessage ? `: ${rule.statusMessage}` : ''}`);
  const more = failed.length > named.length ? `; and ${failed.length - named.length} more` : '';
  const noun = failed.length === 1 ? 'authorization rule' : `${failed.length} authorization rules`;
  return `Client VPN endpoint ${endpointId}: ${noun} in state 'failed': ${named.join('; ')}${more}`;
}

function logPlan(target: ReconcileTarget, observedCount: number, plan: Plan): void {
  log.info('reconcile pass planned', {
    requestType: target.requestType,
    endpointId: target.endpointId,
    physicalId: target.physicalId,
    ensure: target.ensure.length,
    remove: target.remove.length,
    observed: observedCount,
    inFlight: plan.inFlight,
    budget: plan.budget,
    authorize: plan.mutations.filter(m => m.kind === 'authorize').length,
    revoke: plan.mutations.filter(m => m.kind === 'revoke').length,
    redescribe: plan.mutations.filter(m => m.kind === 'revoke' && m.reauthorize).length,
    wait: plan.waiting,
    deferred: plan.deferred,
    held: plan.held.length,
    done: plan.done,
    failed: plan.failed.length,
    complete: plan.complete,
  });
}

function logOutcomes(target: ReconcileTarget, what: string, outcomes: readonly CallOutcome[], resent = 0): void {
  const retryLater = outcomes.filter(o => o.result === 'retry-later');
  log.info(what, {
    endpointId: target.endpointId,
    calls: outcomes.length,
    resent,
    done: outcomes.filter(o => o.result === 'done').length,
    retryLater: retryLater.length,
    // One example is enough to tell throttling from a concurrency limit.
    retryReason: retryLater.length > 0 && retryLater[0].result === 'retry-later' ? retryLater[0].reason : undefined,
  });
}
