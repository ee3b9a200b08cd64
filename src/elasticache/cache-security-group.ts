import { IResource, Resource, Token } from 'aws-cdk-lib';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { Construct } from 'constructs';
import { validateCacheSecurityGroupName } from './names';
import { NetworkAccessValidationError } from '../private/errors';

/**
 * An ElastiCache cache security group: the firewall of clusters that run
 * outside a VPC (EC2-Classic).
 *
 * Caches in a VPC use VPC security groups instead; see `CacheAccess`.
 */
export interface ICacheSecurityGroup extends IResource {
  /**
   * The name of the cache security group.
   * @attribute
   */
  readonly cacheSecurityGroupName: string;
}

/** Properties of `CacheSecurityGroup`. */
export interface CacheSecurityGroupProps {
  /**
   * A description of the group.
   *
   * @default 'Cache security group managed by cdk-network-access'
   */
  readonly description?: string;
}

/**
 * A cache security group, over aws-cdk-lib's L1 `CfnSecurityGroup`
 * (`AWS::ElastiCache::SecurityGroup`). CloudFormation names it; read the name
 * from `cacheSecurityGroupName`.
 *
 * Cache security groups exist only for clusters outside a VPC. An account that
 * is VPC-only (every account created since EC2-Classic was retired) cannot
 * create one: the deploy fails with "Use of cache security groups is not
 * permitted in this API version for your account". For caches in a VPC use
 * `CacheAccess.allow`.
 *
 * @resource AWS::ElastiCache::SecurityGroup
 */
export class CacheSecurityGroup extends Resource implements ICacheSecurityGroup {
  /** Import a cache security group by name. */
  public static fromCacheSecurityGroupName(scope: Construct, id: string, cacheSecurityGroupName: string): ICacheSecurityGroup {
    class Import extends Resource implements ICacheSecurityGroup {
      public readonly cacheSecurityGroupName = cacheSecurityGroupName;
    }
    const imported = new Import(scope, id);
    validateCacheSecurityGroupName(imported, cacheSecurityGroupName);
    return imported;
  }

  public readonly cacheSecurityGroupName: string;

  /** The L1 resource. */
  public readonly resource: elasticache.CfnSecurityGroup;

  constructor(scope: Construct, id: string, props: CacheSecurityGroupProps = {}) {
    super(scope, id);
    const description = props.description ?? 'Cache security group managed by cdk-network-access';
    if (!Token.isUnresolved(description) && description.trim() === '') {
      throw new NetworkAccessValidationError('description must not be empty (ElastiCache requires one); leave it out for the default', this);
    }
    this.resource = new elasticache.CfnSecurityGroup(this, 'Resource', { description });
    this.cacheSecurityGroupName = this.resource.ref;
  }
}
