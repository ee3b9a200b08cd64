/**
 * The ElastiCache calls of the handler, and what each error means for each
 * call. The error names are the SDK v3 exception names of
 * @aws-sdk/client-elasticache (its models map the wire codes, e.g.
 * `AuthorizationAlreadyExists`, to them); test/lambda/cache-security-group-ingress
 * checks each against the client's own deserializer.
 *
 * Describe errors are thrown as they come (the caller decides, with the
 * request type in hand, whether a missing group is done or a failure).
 * Mutations resolve to an outcome, so one pass can issue several at once.
 */
import {
  AuthorizeCacheSecurityGroupIngressCommand,
  DescribeCacheSecurityGroupsCommand,
  RevokeCacheSecurityGroupIngressCommand,
} from '@aws-sdk/client-elasticache';
import { IngressPair, pairLabel } from './pairs';
import { ObservedPair } from './plan';
import { elastiCacheClient } from '../shared/clients';
import { awsErrorShape, classifyError, HandlerError, isRefusal, safeErrorText } from '../shared/errors';

export type CallOutcome =
  | { readonly result: 'done' }
  | { readonly result: 'retry-later'; readonly reason: string; readonly refused: boolean }
  | { readonly result: 'failed'; readonly error: HandlerError };

/**
 * The two exceptions ElastiCache answers with when the account may not use
 * cache security groups at all (VPC-only accounts, since EC2-Classic was
 * retired); the message says so, e.g. "Use of cache security groups is not
 * permitted in this API version for your account".
 */
const ACCOUNT_REFUSAL_NAMES: ReadonlySet<string> = new Set(['InvalidParameterValueException', 'InvalidParameterCombinationException']);

/** True when `err` says this account cannot use cache security groups (retrying cannot help). */
export function isCacheSecurityGroupsUnavailable(err: unknown): boolean {
  const { name, message } = awsErrorShape(err);
  return ACCOUNT_REFUSAL_NAMES.has(name)
    && /cache security groups?/i.test(message)
    && /not (permitted|supported|allowed|available)/i.test(message);
}

/** The failure reason for a VPC-only account: say why, and what to use instead. */
export function unavailableError(cacheSecurityGroupName: string, err: unknown): HandlerError {
  return new HandlerError(
    `cache security group ${cacheSecurityGroupName}: this account cannot use cache security groups (${safeErrorText(err)}). `
    + 'They exist only for clusters outside a VPC (EC2-Classic, retired by AWS); a cache in a VPC is reached through its VPC '
    + 'security groups: declare the access with CacheAccess.allow(cache, source) instead of CacheSecurityGroupIngress.');
}

/** Every pair on the group, whatever set or tool authorized it. Throws what ElastiCache throws. */
export async function describeIngress(cacheSecurityGroupName: string): Promise<ObservedPair[]> {
  const response = await elastiCacheClient().send(new DescribeCacheSecurityGroupsCommand({ CacheSecurityGroupName: cacheSecurityGroupName }));
  const group = (response.CacheSecurityGroups ?? []).find(g => g.CacheSecurityGroupName === cacheSecurityGroupName)
    ?? (response.CacheSecurityGroups ?? [])[0];
  if (!group) {
    // Described by name, an absent group is CacheSecurityGroupNotFound; an
    // empty answer is read the same way.
    throw Object.assign(new Error(`DescribeCacheSecurityGroups returned no group named ${cacheSecurityGroupName}`), { name: 'CacheSecurityGroupNotFoundFault' });
  }
  return (group.EC2SecurityGroups ?? []).map(sg => ({
    ec2SecurityGroupName: sg.EC2SecurityGroupName ?? '',
    ownerId: sg.EC2SecurityGroupOwnerId ?? '',
    status: sg.Status ?? 'unknown',
  }));
}

function resource(cacheSecurityGroupName: string, pair: IngressPair): string {
  return `${pairLabel(pair)} on cache security group ${cacheSecurityGroupName}`;
}

function retryLater(err: unknown): CallOutcome {
  return { result: 'retry-later', reason: safeErrorText(err), refused: isRefusal(err) };
}

export async function authorizePair(cacheSecurityGroupName: string, pair: IngressPair): Promise<CallOutcome> {
  try {
    await elastiCacheClient().send(new AuthorizeCacheSecurityGroupIngressCommand({
      CacheSecurityGroupName: cacheSecurityGroupName,
      EC2SecurityGroupName: pair.ec2SecurityGroupName,
      EC2SecurityGroupOwnerId: pair.ownerId,
    }));
    return { result: 'done' };
  } catch (err) {
    if (isCacheSecurityGroupsUnavailable(err)) {
      return { result: 'failed', error: unavailableError(cacheSecurityGroupName, err) };
    }
    // Authorizing on a missing group is a user error, not "done".
    switch (classifyError(err, { CacheSecurityGroupNotFoundFault: 'terminal' })) {
      case 'already-exists':
        // Adopted: the pair is there (authorized or on its way).
        return { result: 'done' };
      case 'retry-later':
        return retryLater(err);
      default:
        return { result: 'failed', error: HandlerError.fromAwsError('AuthorizeCacheSecurityGroupIngress', resource(cacheSecurityGroupName, pair), err) };
    }
  }
}

export async function revokePair(cacheSecurityGroupName: string, pair: IngressPair): Promise<CallOutcome> {
  try {
    await elastiCacheClient().send(new RevokeCacheSecurityGroupIngressCommand({
      CacheSecurityGroupName: cacheSecurityGroupName,
      EC2SecurityGroupName: pair.ec2SecurityGroupName,
      EC2SecurityGroupOwnerId: pair.ownerId,
    }));
    return { result: 'done' };
  } catch (err) {
    if (isCacheSecurityGroupsUnavailable(err)) {
      return { result: 'failed', error: unavailableError(cacheSecurityGroupName, err) };
    }
    switch (classifyError(err)) {
      case 'not-found':
        // The pair, or the whole group, is gone: what a revoke wants.
        return { result: 'done' };
      case 'retry-later':
        return retryLater(err);
      default:
        return { result: 'failed', error: HandlerError.fromAwsError('RevokeCacheSecurityGroupIngress', resource(cacheSecurityGroupName, pair), err) };
    }
  }
}
