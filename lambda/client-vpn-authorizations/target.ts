/**
 * What a request asks for: which endpoint, which rules to ensure, which to
 * remove, or that there is nothing to do at all. Pure; shared by `onEvent`
 * (which only validates and answers with the physical id) and `isComplete`
 * (which reconciles), so both always agree.
 */
import { AuthorizationSet, parseAuthorizationSet } from './properties';
import { DesiredRule, RuleIdentity, ruleKey } from './rules';
import { HandlerError } from '../shared/errors';
import { OnEventRequest, RequestType } from '../shared/events';

export interface ReconcileTarget {
  readonly requestType: RequestType;
  readonly requestId: string;
  readonly endpointId: string;
  readonly physicalId: string;
  readonly ensure: readonly DesiredRule[];
  readonly remove: readonly RuleIdentity[];
  /** Facts worth a log line (e.g. why an Update removes nothing). */
  readonly notes: readonly string[];
}

export type Interpretation =
  | { readonly action: 'skip'; readonly physicalId: string; readonly reason: string }
  | { readonly action: 'reconcile'; readonly target: ReconcileTarget };

function invalid(requestType: RequestType, problems: readonly string[]): HandlerError {
  return new HandlerError(`invalid properties for ${requestType}: ${problems.join('; ')}`);
}

/**
 * Interprets a Provider request.
 *
 * Throws HandlerError when Create or Update carries malformed properties.
 * A Delete never throws: properties it cannot read, or that do not belong to
 * the physical id being deleted, make it a no-op (a failed create, a shape
 * from a future version after a downgrade, a hand-edited id). Touching rules
 * on a guess could revoke someone else's access; leaving a rule behind is
 * recoverable by the next deploy.
 */
export function interpretRequest(event: OnEventRequest): Interpretation {
  const parsed = parseAuthorizationSet(event.ResourceProperties);

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
        endpointId: parsed.set.endpointId,
        physicalId: event.PhysicalResourceId,
        ensure: [],
        remove: parsed.set.rules,
        notes: [],
      },
    };
  }

  if (!parsed.ok) {
    throw invalid(event.RequestType, parsed.problems);
  }
  const set = parsed.set;
  const base = {
    requestType: event.RequestType,
    requestId: event.RequestId,
    endpointId: set.endpointId,
    physicalId: set.physicalId,
    ensure: set.rules,
  };

  if (event.RequestType === 'Create') {
    return { action: 'reconcile', target: { ...base, remove: [], notes: [] } };
  }

  const old = parseAuthorizationSet(event.OldResourceProperties);
  if (!old.ok) {
    return {
      action: 'reconcile',
      target: { ...base, remove: [], notes: [`old properties unreadable, nothing removed: ${old.problems.join('; ')}`] },
    };
  }
  if (old.set.physicalId !== set.physicalId) {
    // A new physical id makes CloudFormation send Delete, with the old
    // properties, for the old one: that Delete removes the old rules.
    return {
      action: 'reconcile',
      target: { ...base, remove: [], notes: [`physical id changes from '${old.set.physicalId}'; its Delete removes the old rules`] },
    };
  }
  return { action: 'reconcile', target: { ...base, remove: removedRules(old.set, set), notes: [] } };
}

/** Identities in `before` that `after` no longer declares (description changes are not removals). */
function removedRules(before: AuthorizationSet, after: AuthorizationSet): RuleIdentity[] {
  const kept = new Set(after.rules.map(ruleKey));
  return before.rules
    .filter(rule => !kept.has(ruleKey(rule)))
    .map(rule => (rule.groupId === undefined ? { cidr: rule.cidr } : { cidr: rule.cidr, groupId: rule.groupId }));
}
