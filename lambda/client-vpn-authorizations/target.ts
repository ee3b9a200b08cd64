/**
 * What a request asks for: which endpoint, which rules to ensure, which to
 * remove, or that there is nothing to do at all. Pure; shared by `onEvent`
 * (which only validates and answers with the physical id) and `isComplete`
 * (which reconciles), so both always agree.
 */
import { AuthorizationSet, parseAuthorizationSet } from './properties';
import { DesiredRule, RuleIdentity, ruleKey } from './rules';
import { SESSIONS_ON_REVOKE_TERMINATE_ALL } from '../../src/private/contract/client-vpn-authorizations';
import { HandlerError } from '../shared/errors';
import { OnEventRequest, RequestType } from '../shared/events';

export interface ReconcileTarget {
  readonly requestType: RequestType;
  readonly requestId: string;
  readonly endpointId: string;
  readonly physicalId: string;
  /** The set's identity, under which its ownership record is kept. */
  readonly setId: string;
  /** Who the set is, for its ownership record: `<StackId>|<LogicalResourceId>`. */
  readonly owner: string;
  /** The endpoint's rule quota, when the properties carry it (schema version 2). */
  readonly ruleQuota?: number;
  /** Epoch ms until which an endpoint EC2 does not describe yet is waited for (Create and Update). */
  readonly endpointGraceUntil?: number;
  readonly ensure: readonly DesiredRule[];
  readonly remove: readonly RuleIdentity[];
  /** Facts worth a log line (e.g. why an Update removes nothing). */
  readonly notes: readonly string[];
  /**
   * SessionsOnRevoke 'terminate-all' on an Update that removes rules: once
   * the set is in place (every revoke done), end every session established
   * before onEvent. See terminatesSessions.
   */
  readonly terminateAllSessions?: boolean;
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
export function interpretRequest(event: OnEventRequest & { readonly NotFoundGraceUntil?: unknown }): Interpretation {
  const parsed = parseAuthorizationSet(event.ResourceProperties);
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
        endpointId: parsed.set.endpointId,
        physicalId: event.PhysicalResourceId,
        setId: parsed.set.setId,
        owner,
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
    setId: set.setId,
    owner,
    ...(set.ruleQuota !== undefined ? { ruleQuota: set.ruleQuota } : {}),
    ...(typeof event.NotFoundGraceUntil === 'number' ? { endpointGraceUntil: event.NotFoundGraceUntil } : {}),
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
  const remove = removedRules(old.set, set);
  return {
    action: 'reconcile',
    target: { ...base, remove, notes: [], ...(terminatesSessions(set, remove) ? { terminateAllSessions: true } : {}) },
  };
}

/**
 * Whether an Update ends live sessions after its revokes (SessionsOnRevoke).
 *
 * The trade-off, which the option's documentation repeats: Client VPN does
 * not say which group a session's user belongs to, so the sessions that
 * could have used a revoked rule cannot be told apart from the others. The
 * honest choices are all or nothing. 'terminate-all' ends every session on
 * the endpoint established before the request was accepted (whoever owns
 * it, including users of other sets); users reconnect at once with the
 * rights they still have. Sessions established between onEvent and the end
 * of the revokes survive (the endpoint's rules were in flux for them too,
 * and waiting for them would let a reconnect loop block the deploy).
 * 'none' (the default) leaves sessions up until they end by themselves.
 *
 * The setting of the new properties decides, so a rollback follows the
 * setting it restores. Create never terminates (it revokes nothing); nor
 * does an Update that only adds rules or changes descriptions, nor a move
 * to another endpoint (the old set's Delete revokes there, and Delete never
 * terminates sessions).
 */
function terminatesSessions(set: AuthorizationSet, remove: readonly RuleIdentity[]): boolean {
  return set.sessionsOnRevoke === SESSIONS_ON_REVOKE_TERMINATE_ALL && remove.length > 0;
}

/** Identities in `before` that `after` no longer declares (description changes are not removals). */
function removedRules(before: AuthorizationSet, after: AuthorizationSet): RuleIdentity[] {
  const kept = new Set(after.rules.map(ruleKey));
  return before.rules
    .filter(rule => !kept.has(ruleKey(rule)))
    .map(rule => (rule.groupId === undefined ? { cidr: rule.cidr } : { cidr: rule.cidr, groupId: rule.groupId }));
}
