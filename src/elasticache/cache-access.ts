import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { Construct, IConstruct } from 'constructs';
import { NetworkAccessValidationError } from '../private/errors';
import {
  AccessGrant,
  AccessMechanism,
  AccessPrincipal,
  AccessPrincipalKind,
  AccessTargetKind,
  IAccessGrantSource,
} from '../review/access-model';

/** Redis OSS and Valkey listen here by default. */
const REDIS_PORT = 6379;
/** Serverless Redis OSS and Valkey also serve reads (READONLY) here. */
const SERVERLESS_READER_PORT = 6380;
/** Memcached listens here by default. */
const MEMCACHED_PORT = 11211;

/** Options of `CacheAccess.allow`, and of `CacheAccess` itself. */
export interface CacheAccessOptions {
  /**
   * A description of the grant, written on the security group rules and
   * recorded in the access model.
   *
   * @default - aws-cdk-lib's default rule description
   */
  readonly description?: string;

  /**
   * The port the cache listens on. Needed only when the cache's port or
   * engine is an unresolved token, or when the cache is an `ec2.IConnectable`
   * whose connections have no default port.
   *
   * @default - the cache's declared port, else its engine's default (6379 for
   * Redis OSS and Valkey, plus 6380 for serverless reads; 11211 for Memcached)
   */
  readonly port?: number;
}

/** Properties of `CacheAccess`. */
export interface CacheAccessProps extends CacheAccessOptions {
  /**
   * The cache in a VPC: an `elasticache.CfnCacheCluster`,
   * `elasticache.CfnReplicationGroup` or `elasticache.CfnServerlessCache`, or
   * any construct that is an `ec2.IConnectable` (such as the
   * `@aws-cdk/aws-elasticache-alpha` L2s).
   */
  readonly cache: IConstruct;

  /** Who is allowed in: a security group, anything with connections, or a peer (`ec2.Peer.ipv4(...)`). */
  readonly source: ec2.IConnectable;
}

interface ResolvedCache {
  readonly connections: ec2.Connections;
  readonly securityGroupIds: readonly string[];
  readonly fromPort: number;
  readonly toPort: number;
}

/**
 * Network access to an ElastiCache cache in a VPC, declared the same way as
 * `CacheSecurityGroupIngress` declares it for clusters outside one: who may
 * reach which cache. It adds ingress rules on the cache's own VPC security
 * groups for the cache's ports (aws-cdk-lib `Connections`; no custom
 * resource), and records the grants in the access model.
 *
 * A cache without a VPC security group of its own fails synth: it runs in
 * its VPC's default security group, which this library does not widen.
 * A cache that uses cache security groups (`cacheSecurityGroupNames`) fails
 * synth too, naming `CacheSecurityGroupIngress`.
 */
export class CacheAccess extends Construct implements IAccessGrantSource {
  /**
   * Allow `source` into `cache` on the cache's ports. The grant is a child of
   * the cache's construct; allowing the same source twice fails.
   */
  public static allow(cache: IConstruct, source: ec2.IConnectable, options: CacheAccessOptions = {}): CacheAccess {
    const id = `NetworkAccess${createHash('sha256').update(sourceIdentity(source)).digest('hex').slice(0, 12)}`;
    if (cache.node.tryFindChild(id)) {
      throw new NetworkAccessValidationError(`${describeSource(source)} is already allowed into this cache; keep one of the declarations`, cache);
    }
    return new CacheAccess(cache as Construct, id, { ...options, cache, source });
  }

  /** First port allowed. */
  public readonly fromPort: number;

  /** Last port allowed (equal to `fromPort` unless the cache serves on two). */
  public readonly toPort: number;

  private readonly securityGroupIds: readonly string[];
  private readonly source: ec2.IConnectable;
  private readonly description?: string;

  constructor(scope: Construct, id: string, props: CacheAccessProps) {
    super(scope, id);
    if (props.port !== undefined && !Token.isUnresolved(props.port)
      && (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535)) {
      throw new NetworkAccessValidationError(`port ${props.port} is not a TCP port (1 to 65535)`, this);
    }
    const resolved = this.resolveCache(props.cache, props.port);
    this.fromPort = resolved.fromPort;
    this.toPort = resolved.toPort;
    this.securityGroupIds = resolved.securityGroupIds;
    this.source = props.source;
    this.description = props.description;
    const port = resolved.fromPort === resolved.toPort
      ? ec2.Port.tcp(resolved.fromPort)
      : ec2.Port.tcpRange(resolved.fromPort, resolved.toPort);
    resolved.connections.allowFrom(props.source, port, props.description);
  }

  /** The grants of network access this declaration makes. */
  public accessGrants(): AccessGrant[] {
    const principals = sourcePrincipals(this.source, Stack.of(this).account);
    return this.securityGroupIds.flatMap(groupId => principals.map(principal => ({
      principal,
      target: { kind: AccessTargetKind.SECURITY_GROUP, id: groupId, protocol: 'tcp', fromPort: this.fromPort, toPort: this.toPort },
      mechanism: AccessMechanism.SECURITY_GROUP_RULE,
      via: groupId,
      constructPath: this.node.path,
      description: this.description,
    })));
  }

  private resolveCache(cache: IConstruct, port: number | undefined): ResolvedCache {
    if (cache instanceof elasticache.CfnCacheCluster) {
      this.rejectCacheSecurityGroups(cache.cacheSecurityGroupNames);
      return this.fromIds(cache.vpcSecurityGroupIds, this.ports(port, cache.port, cache.engine, false));
    }
    if (cache instanceof elasticache.CfnReplicationGroup) {
      this.rejectCacheSecurityGroups(cache.cacheSecurityGroupNames);
      // A replication group's engine defaults to Redis OSS.
      return this.fromIds(cache.securityGroupIds, this.ports(port, cache.port, cache.engine ?? 'redis', false));
    }
    if (cache instanceof elasticache.CfnServerlessCache) {
      return this.fromIds(cache.securityGroupIds, this.ports(port, undefined, cache.engine, true));
    }
    const connectable = cache as Partial<ec2.IConnectable>;
    if (connectable.connections instanceof ec2.Connections) {
      const connections = connectable.connections;
      const defaultPort = connections.defaultPort?.toRuleJson();
      const from = port ?? (defaultPort && !Token.isUnresolved(defaultPort.fromPort) ? defaultPort.fromPort as number : undefined);
      if (from === undefined) {
        throw new NetworkAccessValidationError(`the cache ${cache.node.path} has no default port on its connections; give port`, this);
      }
      const to = port === undefined && defaultPort && !Token.isUnresolved(defaultPort.toPort) ? defaultPort.toPort as number : from;
      if (connections.securityGroups.length === 0) {
        throw this.noSecurityGroup(cache);
      }
      return { connections, securityGroupIds: connections.securityGroups.map(sg => sg.securityGroupId), fromPort: from, toPort: to };
    }
    throw new NetworkAccessValidationError(
      `${cache.node.path} is not an ElastiCache cache this library knows (CfnCacheCluster, CfnReplicationGroup, CfnServerlessCache, or an ec2.IConnectable cache)`, this);
  }

  private ports(
    port: number | undefined,
    declared: number | undefined,
    engine: string | undefined,
    serverless: boolean,
  ): { from: number; to: number } {
    if (port !== undefined) {
      return { from: port, to: port };
    }
    const cachePath = this.node.scope?.node.path ?? this.node.path;
    if (declared !== undefined) {
      if (Token.isUnresolved(declared)) {
        throw new NetworkAccessValidationError(`the port of the cache ${cachePath} is a token; give port so the rule can name it`, this);
      }
      return { from: declared, to: declared };
    }
    if (engine === undefined || Token.isUnresolved(engine)) {
      throw new NetworkAccessValidationError(`the engine of the cache ${cachePath} is ${engine === undefined ? 'not set' : 'a token'}; give port`, this);
    }
    switch (engine.toLowerCase()) {
      case 'redis':
      case 'valkey':
        return serverless ? { from: REDIS_PORT, to: SERVERLESS_READER_PORT } : { from: REDIS_PORT, to: REDIS_PORT };
      case 'memcached':
        return { from: MEMCACHED_PORT, to: MEMCACHED_PORT };
      default:
        throw new NetworkAccessValidationError(`the engine '${engine}' of the cache ${cachePath} has no known default port; give port`, this);
    }
  }

  private fromIds(ids: string[] | undefined, ports: { from: number; to: number }): ResolvedCache {
    const cache = this.node.scope!;
    if (ids !== undefined && Token.isUnresolved(ids)) {
      throw new NetworkAccessValidationError(
        `the security groups of the cache ${cache.node.path} are a single token; give them as a list of ids so each can carry a rule`, this);
    }
    if (ids === undefined || ids.length === 0) {
      throw this.noSecurityGroup(cache);
    }
    const groups = ids.map((groupId, i) => ec2.SecurityGroup.fromSecurityGroupId(this, `CacheSecurityGroup${i}`, groupId, { mutable: true }));
    return {
      connections: new ec2.Connections({ securityGroups: groups }),
      securityGroupIds: ids,
      fromPort: ports.from,
      toPort: ports.to,
    };
  }

  private rejectCacheSecurityGroups(names: string[] | undefined): void {
    if (names !== undefined && (Token.isUnresolved(names) || names.length > 0)) {
      throw new NetworkAccessValidationError(
        `the cache ${this.node.scope!.node.path} uses cache security groups (outside a VPC); declare its access with CacheSecurityGroupIngress`, this);
    }
  }

  private noSecurityGroup(cache: IConstruct): NetworkAccessValidationError {
    return new NetworkAccessValidationError(
      `the cache ${cache.node.path} has no VPC security group of its own, so it runs in its VPC's default security group, which this library does not widen; give the cache a security group (vpcSecurityGroupIds or securityGroupIds)`,
      this);
  }
}

function sourceIdentity(source: ec2.IConnectable): string {
  const node = (source as Partial<IConstruct>).node;
  if (node) {
    return `construct:${node.path}`;
  }
  const peer = source as Partial<ec2.IPeer>;
  return `peer:${peer.uniqueId ?? 'unknown'}`;
}

function describeSource(source: ec2.IConnectable): string {
  const node = (source as Partial<IConstruct>).node;
  return node ? node.path : `peer ${(source as Partial<ec2.IPeer>).uniqueId ?? '(unnamed)'}`;
}

/** Who the rule admits: the source's security groups, or the peer it stands for. */
function sourcePrincipals(source: ec2.IConnectable, stackAccount: string): AccessPrincipal[] {
  const groups = source.connections.securityGroups;
  if (groups.length > 0) {
    return groups.map(sg => {
      const account = Stack.of(sg).account;
      return { kind: AccessPrincipalKind.SECURITY_GROUP, id: sg.securityGroupId, account, crossAccount: account !== stackAccount };
    });
  }
  const peer = source as Partial<ec2.IPeer>;
  if (typeof peer.toIngressRuleConfig === 'function') {
    const config = peer.toIngressRuleConfig() as Record<string, string | undefined>;
    if (config.cidrIp !== undefined) return [{ kind: AccessPrincipalKind.CIDR, id: config.cidrIp }];
    if (config.cidrIpv6 !== undefined) return [{ kind: AccessPrincipalKind.CIDR, id: config.cidrIpv6 }];
    if (config.sourceSecurityGroupId !== undefined) {
      const account = config.sourceSecurityGroupOwnerId;
      return [{
        kind: AccessPrincipalKind.SECURITY_GROUP,
        id: config.sourceSecurityGroupId,
        ...(account !== undefined ? { account, crossAccount: account !== stackAccount } : {}),
      }];
    }
    if (config.sourcePrefixListId !== undefined) return [{ kind: AccessPrincipalKind.CIDR, id: config.sourcePrefixListId }];
  }
  return [{ kind: AccessPrincipalKind.CIDR, id: peer.uniqueId ?? 'unknown' }];
}
