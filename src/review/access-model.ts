import { IConstruct } from 'constructs';

/**
 * The typed description of a grant of network access: who may reach what,
 * through which mechanism, declared where. Every construct of this library
 * records its grants here (it implements IAccessGrantSource); the review report
 * is built on it.
 */

/** Who receives access. */
export enum AccessPrincipalKind {
  /** A Client VPN access group (Active Directory group or IdP group id). */
  CLIENT_VPN_GROUP = 'client-vpn-group',
  /** Every user who authenticates to a Client VPN endpoint. */
  CLIENT_VPN_ALL_USERS = 'client-vpn-all-users',
  /** An EC2 security group. */
  SECURITY_GROUP = 'security-group',
  /** An AWS account. */
  ACCOUNT = 'account',
  /** An IP address range. */
  CIDR = 'cidr',
  /** The network behind a customer (peer) gateway. */
  PEER_GATEWAY = 'peer-gateway',
}

/** How access is granted. */
export enum AccessMechanism {
  /** A Client VPN authorization (ingress) rule. */
  CLIENT_VPN_AUTHORIZATION_RULE = 'client-vpn-authorization-rule',
  /** A route of a site-to-site VPN connection. */
  VPN_ROUTE = 'vpn-route',
  /** An ingress authorization of an ElastiCache cache security group. */
  CACHE_SECURITY_GROUP_INGRESS = 'cache-security-group-ingress',
  /** An EC2 security group rule. */
  SECURITY_GROUP_RULE = 'security-group-rule',
}

/** What the principal may reach. */
export enum AccessTargetKind {
  /** An IP address range. */
  CIDR = 'cidr',
  /** An ElastiCache cache security group. */
  CACHE_SECURITY_GROUP = 'cache-security-group',
  /** An EC2 security group. */
  SECURITY_GROUP = 'security-group',
}

/** Who receives access. */
export interface AccessPrincipal {
  /** The kind of principal. */
  readonly kind: AccessPrincipalKind;
  /**
   * Its identifier: group id, security group id, account id, CIDR, gateway id.
   * May be an unresolved token.
   * @default - none, for CLIENT_VPN_ALL_USERS
   */
  readonly id?: string;
  /**
   * The AWS account that owns the principal, where the mechanism names one
   * (an EC2 security group allowed into a cache security group is named by
   * group name and owner account). May be an unresolved token.
   * @default - not recorded
   */
  readonly account?: string;
  /**
   * True when `account` is not the declaring stack's own account: the grant
   * crosses an account boundary (or cannot be shown not to).
   * @default false
   */
  readonly crossAccount?: boolean;
}

/** What the principal may reach. */
export interface AccessTarget {
  /** The kind of target. */
  readonly kind: AccessTargetKind;
  /** Its identifier: a CIDR, a cache security group name, a security group id. May be a token. */
  readonly id: string;
  /**
   * IP protocol, for targets reached through a port range.
   * @default - all protocols
   */
  readonly protocol?: string;
  /**
   * First port of the range.
   * @default - all ports
   */
  readonly fromPort?: number;
  /**
   * Last port of the range.
   * @default - all ports
   */
  readonly toPort?: number;
}

/** One grant of network access. */
export interface AccessGrant {
  /** Who receives access. */
  readonly principal: AccessPrincipal;
  /** What it may reach. */
  readonly target: AccessTarget;
  /** Through which mechanism. */
  readonly mechanism: AccessMechanism;
  /**
   * The resource that carries the grant: a Client VPN endpoint id, a VPN
   * connection id, a cache security group name. May be an unresolved token.
   */
  readonly via: string;
  /** Construct path of the declaring construct. */
  readonly constructPath: string;
  /**
   * Free-text description the author gave the grant.
   * @default - none
   */
  readonly description?: string;
}

/** A construct that declares grants of network access. */
export interface IAccessGrantSource extends IConstruct {
  /** The grants this construct declares, as the deploy will leave them. */
  accessGrants(): AccessGrant[];
}

/** Reads the access grants declared in a construct tree. */
export class AccessModel {
  /** True when `x` declares access grants. */
  public static isAccessGrantSource(x: IConstruct): boolean {
    return typeof (x as unknown as { accessGrants?: unknown }).accessGrants === 'function';
  }

  /**
   * Every grant declared below `scope` (inclusive), in a stable order: by
   * construct path, mechanism, target and principal.
   */
  public static grantsIn(scope: IConstruct): AccessGrant[] {
    const grants: AccessGrant[] = [];
    for (const c of scope.node.findAll()) {
      if (AccessModel.isAccessGrantSource(c)) {
        grants.push(...(c as IAccessGrantSource).accessGrants());
      }
    }
    return grants.sort(compareGrants);
  }

  private constructor() {}
}

function grantSortKey(g: AccessGrant): string[] {
  return [g.constructPath, g.mechanism, g.via, g.target.kind, g.target.id, String(g.target.fromPort ?? ''),
    String(g.target.toPort ?? ''), g.principal.kind, g.principal.id ?? '', g.principal.account ?? ''];
}

function compareGrants(a: AccessGrant, b: AccessGrant): number {
  const ka = grantSortKey(a);
  const kb = grantSortKey(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) {
      return ka[i] < kb[i] ? -1 : 1;
    }
  }
  return 0;
}
