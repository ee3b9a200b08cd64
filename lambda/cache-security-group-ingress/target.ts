/**
 * What a request asks for: which cache security group, which pairs to
 * ensure, which to remove, or that there is nothing to do at all. Pure;
 * shared by `onEvent` (which only validates and answers with the physical
 * id) and `isComplete` (which reconciles), so both always agree.
 */
import { IngressPair, pairKey } from './pairs';
import { IngressSet, parseIngressSet } from './properties';
import { HandlerError } from '../shared/errors';
import { OnEventRequest, RequestType } from '../shared/events';

export interface ReconcileTarget {
  readonly requestType: RequestType;
  readonly requestId: string;
  readonly cacheSecurityGroupName: string;
  readonly physicalId: string;
  /** The set's identity, under which its ownership record is kept. */
  readonly setId: string;
  /** Who the set is, for its ownership record: `<StackId>|<LogicalResourceId>`. */
  readonly owner: string;
  readonly ensure: readonly IngressPair[];
  readonly remove: readonly IngressPair[];
  /** Facts worth a log line (e.g. why an Update removes nothing). */
  readonly notes: readonly string[];
}

export type Interpretation =
  | { readonly action: 'skip'; readonly physicalId: string; readonly reason: string }
  | { readonly action: 'reconcile'; readonly target: ReconcileTarget };

/**
 * Interprets a Provider request.
 *
 * Throws HandlerError when Create or Update carries malformed properties.
 * A Delete never throws: properties it cannot read, or that do not belong
 * to the physical id being deleted (a failed create, a shape from a future
 * version after a downgrade, a hand-edited id), make it a no-op. Revoking
 * on a guess could take someone else's access away; a pair left behind is
 * recoverable by the next deploy.
 */
export function interpretRequest(event: OnEventRequest): Interpretation {
  const parsed = parseIngressSet(event.ResourceProperties);
  const owner = `${event.StackId}|${event.LogicalResourceId}`;

  if (event.RequestType === 'Delete') {
    if (!parsed.ok) {
      return { action: 'skip', physicalId: event.PhysicalResourceId, reason: `properties unreadable: ${parsed.problems.join('; ')}` };
    }
    if (parsed.set.physicalId !== event.PhysicalResourceId) {
      return {
        action: 'skip',
        physicalId: event.PhysicalResourceId,
        reason: `physical id '${event.PhysicalResourceId}' does not match the properties' '${parsed.set.physicalId}'`,
      };
    }
    return {
      action: 'reconcile',
      target: {
        requestType: 'Delete',
        requestId: event.RequestId,
        cacheSecurityGroupName: parsed.set.cacheSecurityGroupName,
        physicalId: event.PhysicalResourceId,
        setId: parsed.set.setId,
        owner,
        ensure: [],
        remove: parsed.set.pairs,
        notes: [],
      },
    };
  }

  if (!parsed.ok) {
    throw new HandlerError(`invalid properties for ${event.RequestType}: ${parsed.problems.join('; ')}`);
  }
  const set = parsed.set;
  const base = {
    requestType: event.RequestType,
    requestId: event.RequestId,
    cacheSecurityGroupName: set.cacheSecurityGroupName,
    physicalId: set.physicalId,
    setId: set.setId,
    owner,
    ensure: set.pairs,
  };
  if (event.RequestType === 'Create') {
    return { action: 'reconcile', target: { ...base, remove: [], notes: [] } };
  }

  const old = parseIngressSet(event.OldResourceProperties);
  if (!old.ok) {
    return {
      action: 'reconcile',
      target: { ...base, remove: [], notes: [`old properties unreadable, nothing removed: ${old.problems.join('; ')}`] },
    };
  }
  if (old.set.physicalId !== set.physicalId) {
    // Replacement: the new id makes CloudFormation send Delete, with the old
    // properties, for the old id once this one is in place; that Delete
    // revokes the old pairs (authorize the new before revoking the old).
    return {
      action: 'reconcile',
      target: { ...base, remove: [], notes: [`physical id changes from '${old.set.physicalId}'; its Delete removes the old pairs`] },
    };
  }
  return { action: 'reconcile', target: { ...base, remove: removedPairs(old.set, set), notes: [] } };
}

function removedPairs(before: IngressSet, after: IngressSet): IngressPair[] {
  const kept = new Set(after.pairs.map(pairKey));
  return before.pairs.filter(pair => !kept.has(pairKey(pair)));
}
