import { ArnFormat, CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { ICacheSecurityGroup } from './cache-security-group';
import { validateAccountId, validateCacheSecurityGroupName, validateEc2SecurityGroupName } from './names';
import {
  CACHE_SECURITY_GROUP_INGRESS_OWNERSHIP_FAMILY,
  CACHE_SECURITY_GROUP_INGRESS_RESOURCE_TYPE,
  CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSION,
  CacheSecurityGroupIngressProperties,
  IngressPairProperty,
} from '../private/contract/cache-security-group-ingress';
import { NetworkAccessValidationError } from '../private/errors';
import { ownershipStatements, suppressOwnershipWildcard } from '../private/ownership';
import { HandlerProvider } from '../private/provider';
import {
  AccessGrant,
  AccessMechanism,
  AccessPrincipalKind,
  AccessTargetKind,
  IAccessGrantSource,
} from '../review/access-model';

/** Options of `CacheIngressSource.fromSecurityGroup`. */
export interface CacheIngressSecurityGroupOptions {
  /**
   * The security group's name (cache security groups name EC2 security
   * groups by name, not id).
   *
   * @default - the `groupName` of the group's `AWS::EC2::SecurityGroup`, when
   * the group is defined in this app with one; otherwise this is required
   */
  readonly securityGroupName?: string;

  /**
   * The AWS account that owns the security group.
   *
   * @default - the account of the stack that defines the security group
   */
  readonly ownerAccountId?: string;
}

/**
 * An EC2 security group allowed into a cache security group, named the way
 * ElastiCache names it: by group name and owner account.
 */
export class CacheIngressSource {
  /**
   * An EC2 security group by name.
   *
   * @param securityGroupName the EC2 security group's name (not its `sg-` id)
   * @param ownerAccountId the 12-digit account that owns it; defaults to the
   *   account of the stack that declares the ingress
   */
  public static fromSecurityGroupName(securityGroupName: string, ownerAccountId?: string): CacheIngressSource {
    return new CacheIngressSource(securityGroupName, ownerAccountId);
  }

  /**
   * An EC2 security group of this app (or imported into it). A group that
   * belongs to a stack in another region than the cache security group's is
   * rejected at synth: ElastiCache allows no cross-region ingress.
   */
  public static fromSecurityGroup(securityGroup: ec2.ISecurityGroup, options: CacheIngressSecurityGroupOptions = {}): CacheIngressSource {
    const cfn = securityGroup.node.defaultChild;
    // A group without an explicit name gets a generated one (a token that
    // resolves to nothing in the template): it cannot be named here.
    const declared = cfn instanceof ec2.CfnSecurityGroup ? cfn.groupName : undefined;
    const name = options.securityGroupName ?? (declared !== undefined && !Token.isUnresolved(declared) ? declared : undefined);
    if (name === undefined) {
      throw new NetworkAccessValidationError(
        `security group ${securityGroup.node.path} has no groupName; give securityGroupName (cache security groups name EC2 security groups by name, not id)`,
        securityGroup);
    }
    const stack = Stack.of(securityGroup);
    return new CacheIngressSource(name, options.ownerAccountId ?? stack.account, securityGroup);
  }

  /** The EC2 security group's name. */
  public readonly securityGroupName: string;

  /**
   * The account that owns it.
   *
   * @default - the account of the stack that declares the ingress
   */
  public readonly ownerAccountId?: string;

  private readonly securityGroup?: ec2.ISecurityGroup;

  private constructor(securityGroupName: string, ownerAccountId?: string, securityGroup?: ec2.ISecurityGroup) {
    this.securityGroupName = securityGroupName;
    this.ownerAccountId = ownerAccountId;
    this.securityGroup = securityGroup;
  }

  /** The construct of the source group, when there is one. @internal */
  public _securityGroup(): ec2.ISecurityGroup | undefined {
    return this.securityGroup;
  }
}

/** Properties of `CacheSecurityGroupIngress`. */
export interface CacheSecurityGroupIngressProps {
  /**
   * The cache security group whose ingress this set declares. Give exactly
   * one of `cacheSecurityGroup` and `cacheSecurityGroupName`.
   *
   * @default - use `cacheSecurityGroupName`
   */
  readonly cacheSecurityGroup?: ICacheSecurityGroup;

  /**
   * The name of a cache security group managed elsewhere. Give exactly one of
   * `cacheSecurityGroup` and `cacheSecurityGroupName`.
   *
   * @default - use `cacheSecurityGroup`
   */
  readonly cacheSecurityGroupName?: string;

  /**
   * The EC2 security groups allowed in. More can be added with `allowFrom`.
   *
   * @default - none
   */
  readonly sources?: CacheIngressSource[];
}

interface NormalizedPair {
  readonly key: string;
  readonly name: string;
  readonly ownerId: string;
  readonly description?: string;
}

/**
 * The set of EC2 security groups (by name and owner account) that one
 * construct allows into one ElastiCache cache security group.
 *
 * Unlike `AWS::ElastiCache::SecurityGroupIngress` (one resource per pair,
 * and no updates: every change is a replacement), the whole set is one
 * custom resource:
 *
 * - an update authorizes only the pairs added and revokes only the pairs
 *   removed, new pairs first; a move to another cache security group
 *   authorizes there before revoking here;
 * - pairs that already exist are adopted, pairs already gone count as
 *   revoked, and the deploy waits until every pair is `authorized`;
 * - a pair another set still declares on the same group is never revoked,
 *   so renaming or moving a construct takes no access away;
 * - an account that cannot use cache security groups (VPC-only) fails the
 *   deploy at once, with a reason pointing to `CacheAccess.allow`;
 * - invalid names and account ids, duplicates and cross-region sources
 *   fail synth.
 *
 * Pairs on the group that the set never declared are never touched.
 *
 * Cache security groups serve only clusters outside a VPC (EC2-Classic).
 * For a cache in a VPC, declare the same intent with `CacheAccess.allow`.
 *
 * @resource Custom::NetworkAccessCacheSecurityGroupIngress
 */
export class CacheSecurityGroupIngress extends Construct implements IAccessGrantSource {
  /** The name of the cache security group. May be a token. */
  public readonly cacheSecurityGroupName: string;

  /** The custom resource that carries the set. */
  public readonly resource: CustomResource;

  private readonly pairsByKey = new Map<string, NormalizedPair>();

  constructor(scope: Construct, id: string, props: CacheSecurityGroupIngressProps) {
    super(scope, id);
    if ((props.cacheSecurityGroup === undefined) === (props.cacheSecurityGroupName === undefined)) {
      throw new NetworkAccessValidationError(
        'give exactly one of cacheSecurityGroup (an ICacheSecurityGroup) and cacheSecurityGroupName (a group managed elsewhere)', this);
    }
    const groupName = props.cacheSecurityGroup?.cacheSecurityGroupName ?? props.cacheSecurityGroupName!;
    validateCacheSecurityGroupName(this, groupName);
    this.cacheSecurityGroupName = groupName;

    const stack = Stack.of(this);
    const provider = HandlerProvider.getOrCreate(this, {
      handler: 'cache-security-group-ingress',
      description: 'Reconciles ElastiCache cache security group ingress sets (cdk-network-access)',
      // Pairs settle in seconds; a quarter of an hour covers hundreds of
      // pairs with throttling, and a stuck group fails well before the hour.
      totalTimeout: Duration.minutes(30),
      queryInterval: Duration.seconds(10),
      timeout: Duration.minutes(2),
      statements: [
        new iam.PolicyStatement({
          // Reads one group by name; granted on "*" because the
          // DescribeCacheSecurityGroups call is not documented as supporting
          // resource-level permissions.
          actions: ['elasticache:DescribeCacheSecurityGroups'],
          resources: ['*'],
        }),
        ...ownershipStatements(CACHE_SECURITY_GROUP_INGRESS_OWNERSHIP_FAMILY),
      ],
    });
    suppressOwnershipWildcard(provider.role, CACHE_SECURITY_GROUP_INGRESS_OWNERSHIP_FAMILY, 'cache security group ingress sets');
    provider.addToRolePolicy(new iam.PolicyStatement({
      actions: ['elasticache:AuthorizeCacheSecurityGroupIngress', 'elasticache:RevokeCacheSecurityGroupIngress'],
      resources: [stack.formatArn({
        service: 'elasticache',
        resource: 'securitygroup',
        resourceName: groupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    }));

    const properties: Omit<CacheSecurityGroupIngressProperties, 'ServiceToken'> = {
      SchemaVersion: CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSION,
      CacheSecurityGroupName: groupName,
      SetId: this.node.addr,
      Ingress: Lazy.any({ produce: () => this.renderPairs() }, { omitEmptyArray: false }) as unknown as IngressPairProperty[],
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: CACHE_SECURITY_GROUP_INGRESS_RESOURCE_TYPE,
      properties,
    });
    CacheSecurityGroupRegistry.of(stack).register(this);

    for (const source of props.sources ?? []) {
      this.allowFrom(source);
    }
  }

  /** Number of pairs in the set. */
  public get sourceCount(): number {
    return this.pairsByKey.size;
  }

  /**
   * Allow an EC2 security group in. Fails when the source is invalid, is in
   * another region, or is already in the set.
   *
   * @param source the EC2 security group (name and owner account)
   * @param description why; recorded in the access model only (ElastiCache
   *   keeps no description on a pair)
   */
  public allowFrom(source: CacheIngressSource, description?: string): void {
    const pair = this.normalize(source, description);
    if (this.pairsByKey.has(pair.key)) {
      throw new NetworkAccessValidationError(`the source ${describePair(pair)} is declared twice; keep one of them`, this);
    }
    this.pairsByKey.set(pair.key, pair);
  }

  /** The grants of network access the set declares. */
  public accessGrants(): AccessGrant[] {
    const account = Stack.of(this).account;
    return this.sortedPairs().map(p => ({
      principal: {
        kind: AccessPrincipalKind.SECURITY_GROUP,
        id: p.name,
        account: p.ownerId,
        crossAccount: p.ownerId !== account,
      },
      target: { kind: AccessTargetKind.CACHE_SECURITY_GROUP, id: this.cacheSecurityGroupName },
      mechanism: AccessMechanism.CACHE_SECURITY_GROUP_INGRESS,
      via: this.cacheSecurityGroupName,
      constructPath: this.node.path,
      description: p.description,
    }));
  }

  /** @internal */
  public _pairs(): ReadonlyMap<string, NormalizedPair> {
    return this.pairsByKey;
  }

  private normalize(source: CacheIngressSource, description?: string): NormalizedPair {
    const name = source.securityGroupName;
    validateEc2SecurityGroupName(this, name);
    const ownerId = source.ownerAccountId ?? Stack.of(this).account;
    validateAccountId(this, ownerId);
    const group = source._securityGroup();
    if (group) {
      const here = Stack.of(this).region;
      const there = Stack.of(group).region;
      if (!Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there) {
        throw new NetworkAccessValidationError(
          `security group ${group.node.path} is in ${there}, the cache security group in ${here}; ElastiCache allows no cross-region ingress: use a security group of ${here}`,
          this);
      }
    }
    return { key: JSON.stringify([name, ownerId]), name, ownerId, description };
  }

  private sortedPairs(): NormalizedPair[] {
    return [...this.pairsByKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private renderPairs(): IngressPairProperty[] {
    return this.sortedPairs().map(p => ({ EC2SecurityGroupName: p.name, EC2SecurityGroupOwnerId: p.ownerId }));
  }
}

function describePair(pair: { name: string; ownerId: string }): string {
  const owner = Token.isUnresolved(pair.ownerId) ? "the stack's account" : pair.ownerId;
  return `'${pair.name}' (owner ${owner})`;
}

/**
 * Per stack: which ingress sets target which cache security group. Sets on
 * the same group deploy one after the other, and a pair declared by two sets
 * on one group is a synth error (the Delete of one would otherwise be held
 * back forever by the other's claim, or, without claims, revoke it).
 */
class CacheSecurityGroupRegistry extends Construct {
  public static of(stack: Stack): CacheSecurityGroupRegistry {
    const id = 'NetworkAccessCacheSecurityGroupIngressRegistry';
    return (stack.node.tryFindChild(id) as CacheSecurityGroupRegistry | undefined) ?? new CacheSecurityGroupRegistry(stack, id);
  }

  private readonly byGroup = new Map<string, CacheSecurityGroupIngress[]>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.validateSets() });
  }

  public register(set: CacheSecurityGroupIngress): void {
    const sets = this.byGroup.get(set.cacheSecurityGroupName) ?? [];
    const previous = sets[sets.length - 1];
    if (previous) {
      set.resource.node.addDependency(previous.resource);
    }
    sets.push(set);
    this.byGroup.set(set.cacheSecurityGroupName, sets);
  }

  private validateSets(): string[] {
    const errors: string[] = [];
    for (const sets of this.byGroup.values()) {
      const owner = new Map<string, IConstruct>();
      for (const set of sets) {
        for (const [key, pair] of set._pairs()) {
          const first = owner.get(key);
          if (first) {
            const group = Token.isUnresolved(set.cacheSecurityGroupName) ? `(the group of ${set.node.path})` : set.cacheSecurityGroupName;
            errors.push(`the source ${describePair(pair)} on cache security group ${group} is declared by both ${first.node.path} and ${set.node.path}; a pair must belong to one set`);
          } else {
            owner.set(key, set);
          }
        }
      }
    }
    return errors;
  }
}
