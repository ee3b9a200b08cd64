/**
 * The EC2 calls of the handler, and what each error means for each call.
 *
 * Describe errors are thrown as they come (the caller decides, with the
 * request type in hand, whether a missing endpoint is done or a failure).
 * Mutations resolve to an outcome instead, so one pass can issue several of
 * them concurrently and decide afterwards.
 */
import { createHash } from 'node:crypto';
import {
  AuthorizeClientVpnIngressCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  DescribeClientVpnAuthorizationRulesCommandInput,
  DescribeClientVpnAuthorizationRulesCommandOutput,
  Filter,
  RevokeClientVpnIngressCommand,
} from '@aws-sdk/client-ec2';
import { DESCRIBE_PAGE_SIZE } from './config';
import { ObservedRule } from './reconcile';
import { DesiredRule, normalizeDescription, RuleIdentity, ruleKey, ruleLabel } from './rules';
import { ec2Client } from '../shared/clients';
import { clock } from '../shared/clock';
import { awsErrorShape, classifyError, ErrorOverrides, HandlerError, isRefusal, safeErrorText } from '../shared/errors';

export type CallOutcome =
  | { readonly result: 'done' }
  | {
    readonly result: 'retry-later';
    readonly reason: string;
    /** The SDK error name, for callers that react to one specifically. */
    readonly errorName: string;
    /** The service refused without acting (throttling, concurrency limit), so resending is safe. */
    readonly refused: boolean;
  }
  | { readonly result: 'failed'; readonly error: HandlerError };

/**
 * A runaway guard, not a limit anyone should reach: at 1000 rules a page this
 * is far beyond any endpoint's rule quota.
 */
const MAX_PAGES = 100;

/**
 * A page that fails transiently is retried within the listing, a few times
 * per page and only while the listing is young: a pass cannot use a partial
 * list, so without this one throttled page out of many would waste every
 * page read before it, and under steady throttling a long listing would
 * never finish. The SDK's own retries come first; the age bound keeps these
 * extra ones from stacking on top of an SDK that already backed off for long.
 */
const PAGE_RETRIES = 3;
const PAGE_RETRY_BASE_MS = 1_000;
const PAGE_RETRY_WINDOW_MS = 30_000;

async function describePage(
  input: DescribeClientVpnAuthorizationRulesCommandInput,
  listingStarted: number,
): Promise<DescribeClientVpnAuthorizationRulesCommandOutput> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ec2Client().send(new DescribeClientVpnAuthorizationRulesCommand(input));
    } catch (err) {
      const young = clock.now() - listingStarted < PAGE_RETRY_WINDOW_MS;
      if (attempt > PAGE_RETRIES || !young || classifyError(err) !== 'retry-later') {
        throw err;
      }
      await clock.sleep(PAGE_RETRY_BASE_MS * attempt);
    }
  }
}

/** Every rule on the endpoint (any owner), following NextToken to the end. */
export async function describeAuthorizationRules(endpointId: string, filters?: Filter[]): Promise<ObservedRule[]> {
  const rules: ObservedRule[] = [];
  const seenTokens = new Set<string>();
  const started = clock.now();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const response = await describePage({
      ClientVpnEndpointId: endpointId,
      MaxResults: DESCRIBE_PAGE_SIZE,
      NextToken: nextToken,
      Filters: filters,
    }, started);
    for (const rule of response.AuthorizationRules ?? []) {
      rules.push({
        cidr: rule.DestinationCidr ?? '',
        groupId: rule.AccessAll ? undefined : rule.GroupId ?? '',
        description: normalizeDescription(rule.Description),
        status: rule.Status?.Code ?? 'unknown',
        statusMessage: rule.Status?.Message,
      });
    }
    nextToken = response.NextToken || undefined;
    if (nextToken === undefined) {
      return rules;
    }
    if (seenTokens.has(nextToken)) {
      // A repeated token would loop forever; a partial list would make the
      // planner authorize rules that exist. Neither is acceptable, so fail
      // this read (the caller treats it as transient).
      throw Object.assign(new Error(`DescribeClientVpnAuthorizationRules repeated NextToken for ${endpointId}`), { name: 'InternalError' });
    }
    seenTokens.add(nextToken);
  }
  throw Object.assign(new Error(`DescribeClientVpnAuthorizationRules returned more than ${MAX_PAGES} pages for ${endpointId}`), { name: 'InternalError' });
}

/**
 * ClientToken of an authorize: the same request authorizing the same rule
 * with the same description always sends the same token, so a duplicate
 * delivery (or a pass that re-issues after a lost response) is recognised by
 * EC2 instead of doing the work twice. A different request (e.g. a rollback
 * restoring the rule later) gets a different token. sha256 hex is exactly 64
 * characters, EC2's maximum.
 */
export function authorizeClientToken(requestId: string, rule: DesiredRule): string {
  return createHash('sha256').update(JSON.stringify([requestId, ruleKey(rule), rule.description])).digest('hex');
}

function resource(endpointId: string, rule: RuleIdentity): string {
  return `${ruleLabel(rule)} on ${endpointId}`;
}

/** Name EC2 gives an authorize that would exceed the endpoint's rule quota. */
export const RULE_LIMIT_EXCEEDED = 'ClientVpnAuthorizationRuleLimitExceeded';

export interface AuthorizeOptions {
  /**
   * True while the same set still has revokes outstanding or held back on
   * the endpoint: then hitting the endpoint's rule quota is expected to clear
   * once they are done, instead of meaning the set does not fit.
   */
  readonly ruleLimitIsTransient: boolean;
}

export async function authorizeRule(
  endpointId: string,
  rule: DesiredRule,
  clientToken: string,
  options: AuthorizeOptions,
): Promise<CallOutcome> {
  try {
    await ec2Client().send(new AuthorizeClientVpnIngressCommand({
      ClientVpnEndpointId: endpointId,
      TargetNetworkCidr: rule.cidr,
      ...(rule.groupId === undefined ? { AuthorizeAllGroups: true } : { AccessGroupId: rule.groupId }),
      ...(rule.description ? { Description: rule.description } : {}),
      ClientToken: clientToken,
    }));
    return { result: 'done' };
  } catch (err) {
    const overrides: ErrorOverrides = {
      // Authorizing on a missing endpoint is a user error, not "done".
      'InvalidClientVpnEndpointId.NotFound': 'terminal',
      ...(options.ruleLimitIsTransient ? { [RULE_LIMIT_EXCEEDED]: 'retry-later' as const } : {}),
    };
    switch (classifyError(err, overrides)) {
      case 'already-exists':
        // Adopted: the planner checks its description on the next pass.
        return { result: 'done' };
      case 'retry-later':
        return retryLater(err);
      default:
        return { result: 'failed', error: HandlerError.fromAwsError('AuthorizeClientVpnIngress', resource(endpointId, rule), err) };
    }
  }
}

export async function revokeRule(endpointId: string, rule: RuleIdentity): Promise<CallOutcome> {
  try {
    await ec2Client().send(new RevokeClientVpnIngressCommand({
      ClientVpnEndpointId: endpointId,
      TargetNetworkCidr: rule.cidr,
      ...(rule.groupId === undefined ? { RevokeAllGroups: true } : { AccessGroupId: rule.groupId }),
    }));
    return { result: 'done' };
  } catch (err) {
    switch (classifyError(err)) {
      case 'not-found':
        // The rule, or its whole endpoint, is gone: what a revoke wants.
        return { result: 'done' };
      case 'retry-later':
        return retryLater(err);
      default:
        return { result: 'failed', error: HandlerError.fromAwsError('RevokeClientVpnIngress', resource(endpointId, rule), err) };
    }
  }
}

/** A call EC2 did not carry out this time (throttled, limited, 5xx): the next pass tries again. */
function retryLater(err: unknown): CallOutcome {
  return { result: 'retry-later', reason: safeErrorText(err), errorName: awsErrorShape(err).name, refused: isRefusal(err) };
}
