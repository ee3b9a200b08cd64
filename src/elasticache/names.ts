import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NetworkAccessValidationError } from '../private/errors';

/** ElastiCache's limit on a cache security group name. */
export const MAX_CACHE_SECURITY_GROUP_NAME_LENGTH = 255;
/** EC2's limit on a security group name. */
export const MAX_EC2_SECURITY_GROUP_NAME_LENGTH = 255;

/**
 * The checks ElastiCache makes on a cache security group name that can be
 * made at synth: 1 to 255 letters, digits and hyphens (the default group is
 * called `default`). Tokens pass.
 */
export function validateCacheSecurityGroupName(scope: IConstruct, name: string): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (name.trim() === '') {
    throw new NetworkAccessValidationError("cacheSecurityGroupName is empty; give the cache security group's name", scope);
  }
  if (name.length > MAX_CACHE_SECURITY_GROUP_NAME_LENGTH) {
    throw new NetworkAccessValidationError(
      `cacheSecurityGroupName '${name.slice(0, 40)}...' is ${name.length} characters; ElastiCache allows at most ${MAX_CACHE_SECURITY_GROUP_NAME_LENGTH}`, scope);
  }
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw new NetworkAccessValidationError(
      `cacheSecurityGroupName '${name}' may contain only letters, digits and hyphens`, scope);
  }
}

/**
 * An EC2 security group name: 1 to 255 printable ASCII characters, and not
 * a security group id (`sg-...`), which AuthorizeCacheSecurityGroupIngress
 * does not accept. Tokens pass.
 */
export function validateEc2SecurityGroupName(scope: IConstruct, name: string): void {
  if (Token.isUnresolved(name)) {
    return;
  }
  if (name.trim() === '') {
    throw new NetworkAccessValidationError('an ingress source has an empty EC2 security group name; give the name of the EC2 security group to allow in', scope);
  }
  if (name.length > MAX_EC2_SECURITY_GROUP_NAME_LENGTH) {
    throw new NetworkAccessValidationError(
      `EC2 security group name '${name.slice(0, 40)}...' is ${name.length} characters; EC2 allows at most ${MAX_EC2_SECURITY_GROUP_NAME_LENGTH}`, scope);
  }
  if (!/^[\x20-\x7e]+$/.test(name)) {
    throw new NetworkAccessValidationError(`EC2 security group name '${name}' contains characters other than printable ASCII`, scope);
  }
  if (/^sg-[0-9a-f]{8,17}$/.test(name)) {
    throw new NetworkAccessValidationError(
      `'${name}' is a security group id; cache security groups take the EC2 security group's name (and owner account), not its id`, scope);
  }
}

/** A 12-digit AWS account id. Tokens pass. */
export function validateAccountId(scope: IConstruct, accountId: string): void {
  if (!Token.isUnresolved(accountId) && !/^\d{12}$/.test(accountId)) {
    throw new NetworkAccessValidationError(
      `owner account id '${accountId}' is not a 12-digit AWS account id (an access key id or an alias is not accepted)`, scope);
  }
}
