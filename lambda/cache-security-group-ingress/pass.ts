/**
 * One reconcile pass of `isComplete`: read the ownership records, observe the
 * cache security group, plan, make the planned calls, and report whether the
 * set is in place.
 *
 * Stateless apart from the event: every pass re-derives the plan from
 * DescribeCacheSecurityGroups, so a duplicate delivery, a crashed pass or a
 * pair changed out of band are all just a different observation.
 */
import { GROUP_NOT_FOUND_GRACE_MS, maxMutationsPerGroup, REFUSED_RETRY_DELAY_MS } from './config';
import { logPending, timeoutMessage, timeoutWhileUnreadableMessage } from './deadline';
import { authorizePair, CallOutcome, describeIngress, isCacheSecurityGroupsUnavailable, revokePair, unavailableError } from './elasticache-ingress';
import { ownershipKey, pairLabel } from './pairs';
import { Mutation, ObservedPair, Plan, planPass } from './plan';
import { ReconcileTarget } from './target';
import { CACHE_SECURITY_GROUP_INGRESS_OWNERSHIP_FAMILY } from '../../src/private/contract/cache-security-group-ingress';
import { clock } from '../shared/clock';
import { mapLimit } from '../shared/concurrency';
import { isPastDeadline } from '../shared/deadline';
import { classifyError, HandlerError, safeErrorText } from '../shared/errors';
import { IsCompleteResponse } from '../shared/events';
import { log } from '../shared/log';
import { claim, keysClaimedByOthers, OwnershipScope, release } from '../shared/ownership';
import { guardData } from '../shared/response';

const NOT_COMPLETE: IsCompleteResponse = { IsComplete: false };

export function ownershipScope(target: ReconcileTarget): OwnershipScope {
  return { family: CACHE_SECURITY_GROUP_INGRESS_OWNERSHIP_FAMILY, target: target.cacheSecurityGroupName };
}

export async function reconcilePass(
  target: ReconcileTarget,
  deadline: number | undefined,
  notFoundGraceUntil?: number,
): Promise<IsCompleteResponse> {
  const group = target.cacheSecurityGroupName;

  // Claim before any call that mutates (so a concurrent removal by another
  // set sees the claim), and read the other sets' claims before removing.
  let claimedByOthers: ReadonlySet<string>;
  try {
    claimedByOthers = target.requestType === 'Delete'
      ? await keysClaimedByOthers(ownershipScope(target), target.setId)
      : await claim(ownershipScope(target), target.setId, target.owner, target.ensure.map(ownershipKey));
  } catch (err) {
    return ownershipFailed(target, deadline, err);
  }

  let observed: ObservedPair[];
  try {
    observed = await describeIngress(group);
  } catch (err) {
    return describeFailed(target, deadline, err, notFoundGraceUntil);
  }

  const plan = planPass({
    ensure: target.ensure,
    remove: target.remove,
    observed,
    claimedByOthers,
    maxConcurrentMutations: maxMutationsPerGroup(),
  });
  logPlan(target, observed.length, plan);

  if (plan.complete) {
    return completed(target, deadline);
  }
  if (isPastDeadline(deadline)) {
    logPending(group, plan.pending);
    throw new HandlerError(timeoutMessage(group, plan.pending));
  }
  throwFirstFailure(await runMutations(target, plan.mutations));
  return NOT_COMPLETE;
}

function ownershipFailed(target: ReconcileTarget, deadline: number | undefined, err: unknown): IsCompleteResponse {
  const group = target.cacheSecurityGroupName;
  if (classifyError(err) === 'retry-later') {
    if (isPastDeadline(deadline)) {
      throw new HandlerError(`timed out waiting for cache security group ${group}: the sets' ownership records in Parameter Store could not be read (${safeErrorText(err)})`);
    }
    log.warn('could not read the ownership records; will retry', { cacheSecurityGroupName: group, error: safeErrorText(err) });
    return NOT_COMPLETE;
  }
  throw HandlerError.fromAwsError('Parameter Store (ownership records)', `cache security group ${group}`, err);
}

async function describeFailed(
  target: ReconcileTarget,
  deadline: number | undefined,
  err: unknown,
  notFoundGraceUntil: number | undefined,
): Promise<IsCompleteResponse> {
  const group = target.cacheSecurityGroupName;
  if (isCacheSecurityGroupsUnavailable(err)) {
    if (target.requestType === 'Delete') {
      // Nothing can have been authorized in an account that cannot use them.
      log.info('account cannot use cache security groups; nothing to revoke', { cacheSecurityGroupName: group, error: safeErrorText(err) });
      return completed(target, deadline);
    }
    throw unavailableError(group, err);
  }
  switch (classifyError(err)) {
    case 'not-found':
      if (target.requestType === 'Delete') {
        log.info('cache security group does not exist; nothing left to revoke', { cacheSecurityGroupName: group, error: safeErrorText(err) });
        return completed(target, deadline);
      }
      if (notFoundGraceUntil !== undefined && clock.now() < notFoundGraceUntil && !isPastDeadline(deadline)) {
        log.warn('cache security group not described yet; waiting for it (it may have been created in this deploy)', {
          cacheSecurityGroupName: group, waitUntil: new Date(notFoundGraceUntil).toISOString(), error: safeErrorText(err),
        });
        return NOT_COMPLETE;
      }
      throw new HandlerError(`cache security group ${group} does not exist (${safeErrorText(err)}); create it first, or check its name and region`
        + (notFoundGraceUntil !== undefined ? `; waited ${GROUP_NOT_FOUND_GRACE_MS / 1000} s for it to appear` : ''));
    case 'retry-later':
      if (isPastDeadline(deadline)) {
        throw new HandlerError(timeoutWhileUnreadableMessage(group, safeErrorText(err)));
      }
      log.warn('could not read the cache security group; will retry', { cacheSecurityGroupName: group, error: safeErrorText(err) });
      return NOT_COMPLETE;
    default:
      throw HandlerError.fromAwsError('DescribeCacheSecurityGroups', `cache security group ${group}`, err);
  }
}

async function completed(target: ReconcileTarget, deadline: number | undefined): Promise<IsCompleteResponse> {
  if (target.requestType === 'Delete') {
    // The set is gone: its claim goes too. A failure here fails the Delete
    // (CloudFormation retries it); a retry finds the pairs already revoked.
    try {
      await release(ownershipScope(target), target.setId);
    } catch (err) {
      if (classifyError(err) === 'retry-later' && !isPastDeadline(deadline)) {
        log.warn('could not release the ownership record; will retry', { cacheSecurityGroupName: target.cacheSecurityGroupName, error: safeErrorText(err) });
        return NOT_COMPLETE;
      }
      throw HandlerError.fromAwsError('Parameter Store (ownership record release)', `cache security group ${target.cacheSecurityGroupName}`, err);
    }
    return { IsComplete: true };
  }
  return { IsComplete: true, Data: guardData({ PairCount: String(target.ensure.length) }) };
}

/**
 * Issues the planned calls concurrently. Calls the service refused outright
 * (throttling) are sent once more after a second: a refused call did
 * nothing, so resending is safe and spares a poll interval. Whatever is
 * still refused, or met a group mid-change, waits for the next pass.
 */
async function runMutations(target: ReconcileTarget, mutations: readonly Mutation[]): Promise<CallOutcome[]> {
  if (mutations.length === 0) {
    return [];
  }
  const execute = (m: Mutation) => (m.kind === 'authorize'
    ? authorizePair(target.cacheSecurityGroupName, m.pair)
    : revokePair(target.cacheSecurityGroupName, m.pair));
  const run = (batch: readonly Mutation[]) => mapLimit(batch, batch.length, execute);
  const outcomes = await run(mutations);
  const refused = outcomes.flatMap((o, i) => (o.result === 'retry-later' && o.refused ? [i] : []));
  const resend = refused.length > 0 && !outcomes.some(o => o.result === 'failed');
  if (resend) {
    await clock.sleep(REFUSED_RETRY_DELAY_MS);
    const retried = await run(refused.map(i => mutations[i]));
    refused.forEach((index, j) => { outcomes[index] = retried[j]; });
  }
  const retryLater = outcomes.filter(o => o.result === 'retry-later');
  log.info('mutations', {
    cacheSecurityGroupName: target.cacheSecurityGroupName,
    calls: outcomes.length,
    resent: resend ? refused.length : 0,
    done: outcomes.filter(o => o.result === 'done').length,
    retryLater: retryLater.length,
    retryReason: retryLater[0]?.result === 'retry-later' ? retryLater[0].reason : undefined,
  });
  return outcomes;
}

function throwFirstFailure(outcomes: readonly CallOutcome[]): void {
  const failures = outcomes.flatMap(o => (o.result === 'failed' ? [o.error] : []));
  if (failures.length === 1) {
    throw failures[0];
  }
  if (failures.length > 1) {
    throw new HandlerError(`${failures[0].message} (and ${failures.length - 1} more failed calls)`);
  }
}

function logPlan(target: ReconcileTarget, observedCount: number, plan: Plan): void {
  log.info('reconcile pass planned', {
    requestType: target.requestType,
    cacheSecurityGroupName: target.cacheSecurityGroupName,
    physicalId: target.physicalId,
    ensure: target.ensure.length,
    remove: target.remove.length,
    observed: observedCount,
    inFlight: plan.inFlight,
    budget: plan.budget,
    authorize: plan.mutations.filter(m => m.kind === 'authorize').length,
    revoke: plan.mutations.filter(m => m.kind === 'revoke').length,
    held: plan.held.length,
    kept: plan.kept.length,
    keptPairs: plan.kept.length > 0 ? plan.kept.map(pairLabel) : undefined,
    done: plan.done,
    complete: plan.complete,
  });
}
