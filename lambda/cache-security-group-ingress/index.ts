/**
 * Custom::NetworkAccessCacheSecurityGroupIngress: the set of EC2 security
 * groups (name, owner account) one construct allows into one ElastiCache
 * cache security group, reconciled by the Provider framework.
 *
 * `onEvent` validates and answers with the physical id and a deadline; it
 * makes no AWS call at all. A throw from `onEvent` on Create makes the
 * framework substitute a CREATE_FAILED marker id, whose Delete never reaches
 * us, so anything `onEvent` had authorized would be orphaned access. Every
 * call therefore happens in `isComplete`, whose failures keep the real id.
 */
import { GROUP_NOT_FOUND_GRACE_MS } from './config';
import { reconcilePass } from './pass';
import { interpretRequest } from './target';
import { clock } from '../shared/clock';
import { computeDeadline, readDeadline, readEpochMs } from '../shared/deadline';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from '../shared/events';
import { log } from '../shared/log';

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  const interpretation = interpretRequest(event);
  if (interpretation.action === 'skip') {
    log.warn('delete skipped without AWS calls', { physicalId: interpretation.physicalId, reason: interpretation.reason });
    return { PhysicalResourceId: interpretation.physicalId };
  }
  const { target } = interpretation;
  for (const note of target.notes) {
    log.info(note, { requestType: target.requestType, physicalId: target.physicalId });
  }
  log.info('request accepted', {
    requestType: target.requestType,
    cacheSecurityGroupName: target.cacheSecurityGroupName,
    physicalId: target.physicalId,
    ensure: target.ensure.length,
    remove: target.remove.length,
  });
  return {
    PhysicalResourceId: target.physicalId,
    Deadline: computeDeadline(),
    // A Delete of a group that does not exist is done; Create and Update wait a minute.
    ...(target.requestType !== 'Delete' ? { NotFoundGraceUntil: clock.now() + GROUP_NOT_FOUND_GRACE_MS } : {}),
  };
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const interpretation = interpretRequest(event);
  if (interpretation.action === 'skip') {
    return { IsComplete: true };
  }
  return reconcilePass(interpretation.target, readDeadline(event), readEpochMs(event.NotFoundGraceUntil));
}
