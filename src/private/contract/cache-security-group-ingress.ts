/**
 * The wire contract between the CacheSecurityGroupIngress construct (src/)
 * and its custom-resource handler (lambda/cache-security-group-ingress/).
 *
 * This file is shared by both sides (and read by the review, which finds
 * these resources in templates by type and property names). It must stay
 * free of aws-cdk-lib and AWS SDK imports: the handler bundle includes it.
 *
 * Every shape ever shipped stays readable by the handler: CloudFormation
 * replays old properties on Delete and on rollback. Add a new SchemaVersion
 * rather than changing the meaning of an existing one.
 */

/** CloudFormation resource type of one ingress set (one cache security group). */
export const CACHE_SECURITY_GROUP_INGRESS_RESOURCE_TYPE = 'Custom::NetworkAccessCacheSecurityGroupIngress';

/** The schema version the construct writes today. */
export const CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSION = '1';

/** Every schema version ever written; the handler reads them all. */
export const CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSIONS: readonly string[] = ['1'];

/** The family name of the sets' ownership records in Parameter Store. */
export const CACHE_SECURITY_GROUP_INGRESS_OWNERSHIP_FAMILY = 'cache-security-group-ingress';

/** One (EC2 security group, owner account) pair as written into the template. */
export interface IngressPairProperty {
  /** Name (not id) of the EC2 security group allowed in. */
  readonly EC2SecurityGroupName: string;
  /** 12-digit AWS account id that owns the EC2 security group. */
  readonly EC2SecurityGroupOwnerId: string;
}

/** ResourceProperties of Custom::NetworkAccessCacheSecurityGroupIngress, schema version 1. */
export interface CacheSecurityGroupIngressProperties {
  readonly ServiceToken?: string;
  readonly SchemaVersion: string;
  /** The cache security group whose ingress this set declares. */
  readonly CacheSecurityGroupName: string;
  /**
   * Stable identity of the declaring construct within its stack (its
   * node.addr). Part of the physical id, and the name of its ownership record.
   */
  readonly SetId: string;
  /** The pairs of the set, sorted by (EC2SecurityGroupName, EC2SecurityGroupOwnerId). */
  readonly Ingress: IngressPairProperty[];
}

/** Attributes the handler returns in `Data` (readable with getAtt). */
export interface CacheSecurityGroupIngressAttributes {
  /** Number of pairs in the set, as a string. */
  readonly PairCount: string;
}

/**
 * Physical id of a set: cache security group name plus set identity. Stable
 * across updates on the same group; another group yields a new id, and
 * CloudFormation then sends Delete (with the old properties) for the old one
 * after the new one is in place.
 */
export function cacheSecurityGroupIngressPhysicalId(cacheSecurityGroupName: string, setId: string): string {
  return `${cacheSecurityGroupName}/ingress/${setId}`;
}

/** The ownership key of a pair: `${EC2SecurityGroupName}|${EC2SecurityGroupOwnerId}`. */
export function cacheIngressOwnershipKey(ec2SecurityGroupName: string, ownerId: string): string {
  return `${ec2SecurityGroupName}|${ownerId}`;
}
