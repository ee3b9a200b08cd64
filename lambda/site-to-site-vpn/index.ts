/**
 * Custom::NetworkAccessSiteToSiteVpnConnection: one site-to-site VPN
 * connection, its tunnel options, tags and configuration secret.
 *
 * Physical id: the VPN connection id. `onEvent` validates and starts the
 * change: for a Create (or an Update that AWS can only make by replacing the
 * connection) it creates or adopts the connection and answers with its real
 * id; for a Delete it starts the deletion. `isComplete` then converges pass
 * by pass (see converge.ts and delete.ts) until the connection is
 * `available` and matches the declaration, or is `deleted`.
 *
 * Nothing secret leaves: every failure is scrubbed of the secret values the
 * invocation has seen before it is thrown to the framework (which puts the
 * message and stack trace into the CloudFormation event).
 */
import { convergePass } from './converge';
import { createOrAdopt } from './create';
import { deletePass } from './delete';
import { describeConnection, GONE_STATES, isVpnConnectionId } from './ec2-vpn';
import { parseVpnProperties, replacingChanges, VpnSpec } from './properties';
import { errorText, forgetSecrets, RetryLater, scrub } from './secrets';
import { computeDeadline, readDeadline } from '../shared/deadline';
import { HandlerError } from '../shared/errors';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from '../shared/events';
import { log } from '../shared/log';

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  return guarded(async () => {
    switch (event.RequestType) {
      case 'Create': {
        const spec = requireSpec(event.ResourceProperties, 'Create');
        const connectionId = await createOrAdopt(spec, { requestId: event.RequestId });
        log.info('request accepted', { requestType: 'Create', connectionId });
        return { PhysicalResourceId: connectionId, Deadline: computeDeadline() };
      }
      case 'Update':
        return startUpdate(event.RequestId, event.PhysicalResourceId, event.ResourceProperties, event.OldResourceProperties);
      default: {
        const skip = deleteSkipReason(event.PhysicalResourceId, event.ResourceProperties);
        if (skip) {
          log.warn('delete skipped without AWS calls', { physicalId: event.PhysicalResourceId, reason: skip });
          return { PhysicalResourceId: event.PhysicalResourceId };
        }
        const ownerTag = (parseVpnProperties(event.ResourceProperties) as { spec: VpnSpec }).spec.ownerTag;
        const deadline = computeDeadline();
        await deletePass(event.PhysicalResourceId, ownerTag, deadline);
        log.info('request accepted', { requestType: 'Delete', connectionId: event.PhysicalResourceId });
        return { PhysicalResourceId: event.PhysicalResourceId, Deadline: deadline };
      }
    }
  });
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  return guarded(async () => {
    const deadline = readDeadline(event);
    if (event.RequestType === 'Delete') {
      if (deleteSkipReason(event.PhysicalResourceId, event.ResourceProperties)) {
        return { IsComplete: true };
      }
      const ownerTag = (parseVpnProperties(event.ResourceProperties) as { spec: VpnSpec }).spec.ownerTag;
      return deletePass(event.PhysicalResourceId, ownerTag, deadline);
    }
    const spec = requireSpec(event.ResourceProperties, event.RequestType);
    const old = event.RequestType === 'Update' ? parseVpnProperties(event.OldResourceProperties) : undefined;
    return convergePass({
      requestType: event.RequestType,
      connectionId: event.PhysicalResourceId,
      spec,
      ...(old?.ok ? { oldSpec: old.spec } : {}),
      deadline,
    });
  });
}

function requireSpec(raw: unknown, requestType: string): VpnSpec {
  const parsed = parseVpnProperties(raw);
  if (!parsed.ok) {
    throw new HandlerError(`invalid properties for ${requestType}: ${parsed.problems.join('; ')}`);
  }
  return parsed.spec;
}

/**
 * A Delete makes no call when its id is not a connection id (the failed-create
 * marker, a hand edit) or its properties are unreadable (a shape from another
 * version): deleting on a guess could remove a connection that is not ours.
 */
function deleteSkipReason(physicalId: string, properties: unknown): string | undefined {
  if (!isVpnConnectionId(physicalId)) {
    return `physical id '${physicalId}' is not a VPN connection id`;
  }
  const parsed = parseVpnProperties(properties);
  return parsed.ok ? undefined : `properties unreadable: ${parsed.problems.join('; ')}`;
}

/**
 * An Update keeps the connection unless AWS cannot make the change in place
 * (a replacing property changed), the physical id is not a connection, or
 * the connection is gone (deleted outside CloudFormation): then a new one is
 * made and CloudFormation deletes the old id afterwards.
 */
async function startUpdate(requestId: string, physicalId: string, rawNew: unknown, rawOld: unknown): Promise<OnEventResponse> {
  const spec = requireSpec(rawNew, 'Update');
  const old = parseVpnProperties(rawOld);
  let reason: string | undefined;
  if (!isVpnConnectionId(physicalId)) {
    reason = `physical id '${physicalId}' is not a VPN connection id`;
  } else if (old.ok && replacingChanges(old.spec, spec).length > 0) {
    reason = `${replacingChanges(old.spec, spec).join(', ')} cannot change in place`;
  } else {
    if (!old.ok) {
      log.warn('old properties unreadable; updating in place', { connectionId: physicalId, problems: old.problems });
    }
    try {
      const current = await describeConnection(physicalId);
      if (!current || GONE_STATES.has(String(current.State))) {
        reason = `connection ${physicalId} is ${current ? current.State : 'gone'}`;
      }
    } catch (err) {
      // isComplete describes it again; an unreadable connection is not a reason to replace it.
      log.warn('could not describe the connection; updating in place', { connectionId: physicalId, error: errorText(err) });
    }
  }
  if (reason === undefined) {
    log.info('request accepted', { requestType: 'Update', connectionId: physicalId, replace: false });
    return { PhysicalResourceId: physicalId, Deadline: computeDeadline() };
  }
  const connectionId = await createOrAdopt(spec, { requestId, replacing: isVpnConnectionId(physicalId) ? physicalId : undefined });
  log.info('request accepted', { requestType: 'Update', connectionId, replace: true, replaces: physicalId, reason });
  return { PhysicalResourceId: connectionId, Deadline: computeDeadline() };
}

/**
 * Runs one invocation: forgets the previous invocation's secrets, and makes
 * sure what is thrown carries none (message and stack trace both reach the
 * CloudFormation event).
 */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  forgetSecrets();
  try {
    return await work();
  } catch (err) {
    throw sanitized(err);
  } finally {
    forgetSecrets();
  }
}

function sanitized(err: unknown): Error {
  if (err instanceof HandlerError || err instanceof RetryLater) {
    const message = scrub(err.message);
    if (message === err.message && err instanceof HandlerError) {
      return err;
    }
    const clean = new HandlerError(message);
    clean.stack = `HandlerError: ${message}`;
    return clean;
  }
  // An SDK error or a bug: quote only its name and message, scrubbed.
  const clean = new HandlerError(`unexpected error: ${errorText(err)}`);
  return clean;
}
