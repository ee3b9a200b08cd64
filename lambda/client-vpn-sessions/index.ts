/**
 * The Client VPN sessions handler: two custom resource types and one
 * scheduled entry point, in one bundle.
 *
 * - Custom::NetworkAccessClientVpnRevocations: principals whose sessions must
 *   not exist. Create, and an Update that adds a principal, terminate every
 *   session of every listed principal.
 * - Custom::NetworkAccessClientVpnCertificateRevocationList: imports the
 *   endpoint's CRL, then terminates the sessions of the listed common names.
 * - onSchedule: the same termination for a list, run by an EventBridge rule,
 *   so a revoked principal who reconnects is cut off again.
 *
 * `onEvent` validates and answers with the physical id, a Deadline and the
 * time it accepted the request; it makes no AWS call. A throw from `onEvent`
 * on Create makes the framework substitute a CREATE_FAILED marker id, and an
 * import or a termination started there would run again on every
 * re-delivery with nothing to show for it in CloudFormation. Every call
 * happens in `isComplete`, in stateless invocations bounded by the Lambda
 * context's remaining time and by the Deadline.
 */
import { CrlState, ensureCrlImported, readCrl } from './crl';
import { interpretRequest, SessionsWork } from './target';
import { SessionsAttributes } from '../../src/private/contract/client-vpn-sessions';
import { clock } from '../shared/clock';
import {
  computeDeadline, InvocationContext, invocationStopBy, isPastDeadline, readDeadline, readEpochMs, workBudgetSeconds,
} from '../shared/deadline';
import { classifyError, HandlerError, safeErrorText } from '../shared/errors';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from '../shared/events';
import { log } from '../shared/log';
import { guardData } from '../shared/response';
import { runTerminationPasses, settleTermination } from '../shared/termination-passes';

// The scheduled entry point (index.onSchedule) runs under its own role: see ./schedule.
export { onSchedule } from './schedule';
export type { ScheduledEnforcementResult, ScheduleContext } from './schedule';

const NOT_COMPLETE: IsCompleteResponse = { IsComplete: false };

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  const interpretation = interpretRequest(event);
  if (interpretation.action === 'skip') {
    log.info('delete: no AWS call', { physicalId: interpretation.physicalId, reason: interpretation.reason });
    return { PhysicalResourceId: interpretation.physicalId };
  }
  const { work } = interpretation;
  for (const note of work.notes) {
    log.info(note, { requestType: work.requestType, physicalId: work.physicalId });
  }
  log.info('request accepted', {
    requestType: work.requestType,
    resource: work.kind,
    endpointId: work.endpointId,
    physicalId: work.physicalId,
    importCrl: work.importCrl !== undefined,
    usernames: work.terminate?.usernames.length ?? 0,
    commonNames: work.terminate?.commonNames.length ?? 0,
  });
  return { PhysicalResourceId: work.physicalId, Deadline: computeDeadline(), AcceptedAt: clock.now() };
}

export async function isComplete(event: IsCompleteRequest, context?: InvocationContext): Promise<IsCompleteResponse> {
  const interpretation = interpretRequest(event);
  if (interpretation.action === 'skip') {
    return { IsComplete: true };
  }
  const { work } = interpretation;
  const deadline = readDeadline(event);
  const stopBy = invocationStopBy(context, deadline);

  if (work.importCrl) {
    const state = await importStep(work, stopBy);
    if (state !== 'active') {
      if (isPastDeadline(deadline)) {
        throw new HandlerError(`timed out after ${workBudgetSeconds()} s importing the certificate revocation list of `
          + `Client VPN endpoint ${work.endpointId}: ${state === 'pending' ? 'EC2 still reports it pending' : `EC2 kept refusing (${state.error})`}`);
      }
      return NOT_COMPLETE;
    }
  }

  if (!work.terminate) {
    return completed(0);
  }
  // Sessions opened after onEvent are not this request's to wait for: see SessionSelector.establishedBefore.
  const acceptedAt = readEpochMs(event.AcceptedAt) ?? clock.now();
  const run = await runTerminationPasses({
    endpointId: work.endpointId,
    usernames: work.terminate.usernames,
    commonNames: work.terminate.commonNames,
    establishedBefore: acceptedAt,
  }, stopBy);
  return settleTermination(work.endpointId, run, deadline) ? completed(run.terminated) : NOT_COMPLETE;
}

/**
 * `SessionsTerminated` is what the invocation that completed the request
 * terminated: invocations keep no state between them, so when the work
 * spans several (thousands of sessions), it is a lower bound; the handler's
 * log lists every terminated connection id.
 */
function completed(terminated: number): IsCompleteResponse {
  const data: SessionsAttributes = { SessionsTerminated: String(terminated) };
  return { IsComplete: true, Data: guardData({ ...data }) };
}

type ImportStepState = CrlState | { readonly error: string };

async function importStep(work: SessionsWork, stopBy: number): Promise<ImportStepState> {
  const crl = work.importCrl;
  if (!crl) {
    return 'active';
  }
  try {
    const pem = await readCrl(crl);
    const state = await ensureCrlImported(work.endpointId, pem, stopBy);
    log.info('certificate revocation list', { endpointId: work.endpointId, state });
    return state;
  } catch (err) {
    if (classifyError(err) !== 'retry-later') {
      throw err;
    }
    log.warn('could not import the certificate revocation list yet; will retry', { endpointId: work.endpointId, error: safeErrorText(err) });
    return { error: safeErrorText(err) };
  }
}

