/**
 * The network access report, `network-access.json`: the contract between the
 * review (which writes it), the command-line tool (which reads, diffs and
 * checks it) and any bot. Its JSON Schema is `schemas/network-access-report.schema.json`;
 * a change to these types is a change to that schema and, when it is not
 * backwards compatible, to REPORT_SCHEMA_VERSION.
 *
 * Every list is in a stable order (documented per field), so two reviews of
 * the same app are byte-identical and a diff of two reports is meaningful.
 * No secret value ever appears: a plaintext pre-shared key is reported by
 * where it is, never by what it is.
 */

export const REPORT_SCHEMA_ID = 'https://cdk-network-access.dev/schemas/network-access-report.schema.json';
export const REPORT_SCHEMA_VERSION = 1;

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Where a grant or finding was declared. */
export interface Location {
  /** The stack's name (its artifact id in the assembly). */
  readonly stack: string;
  /** CloudFormation logical id of the resource. */
  readonly logicalId: string;
  /** Construct path (`aws:cdk:path` metadata), or the logical id when the template has none. */
  readonly constructPath: string;
}

/** A Client VPN authorization rule as declared. Sorted by cidr, principal, constructPath. */
export interface ClientVpnRuleEntry extends Location {
  readonly cidr: string;
  /** Access group id, or '*' for all users. */
  readonly principal: string;
  readonly description?: string;
  /** How it was declared: this library's construct, an L1 rule, or aws-cdk-lib's authorizeAllUsersToVpcCidr. */
  readonly source: 'cdk-network-access' | 'cloudformation' | 'authorize-all-users-to-vpc-cidr';
}

/** What one principal of an endpoint gets. Sorted by principal ('*' first). */
export interface ClientVpnPrincipalAccess {
  /** Access group id, or '*' for all users. */
  readonly principal: string;
  /** What longest-prefix matching authorizes, as sorted disjoint CIDRs. */
  readonly authorized: string[];
  /** `authorized` within the endpoint's routes: what the principal can really reach. */
  readonly reachable: string[];
}

export interface ClientVpnEndpointReport extends Location {
  /**
   * Identity across renames: `client-vpn:<ClientCidrBlock>` for an endpoint of
   * the assembly, `client-vpn:<endpoint id>` for an imported one.
   */
  readonly key: string;
  /** Route destinations (routes and associated VPCs), as sorted disjoint CIDRs. */
  readonly routes: string[];
  /**
   * False when some routes lie outside the assembly (an imported endpoint, an
   * unresolved subnet): `reachable` is then an upper bound, equal to `authorized`.
   */
  readonly routesKnown: boolean;
  readonly rules: ClientVpnRuleEntry[];
  readonly principals: ClientVpnPrincipalAccess[];
}

/** One ingress permission of a security group. Sorted by source kind, source, protocol, fromPort. */
export interface SecurityGroupIngressEntry extends Location {
  readonly source: {
    readonly kind: 'cidr' | 'security-group' | 'prefix-list';
    /** A canonical CIDR (IPv4 or IPv6), a security group key, or a prefix list id. */
    readonly id: string;
  };
  /** IP protocol: 'all', 'tcp', 'udp', 'icmp', 'icmpv6' or a protocol number. */
  readonly protocol: string;
  /** First port (or ICMP type); absent for all ports. */
  readonly fromPort?: number;
  /** Last port (or ICMP code); absent for all ports. */
  readonly toPort?: number;
  readonly description?: string;
}

/** Who reaches a security group on which ports: ingress merged per source and protocol. Sorted by source, protocol. */
export interface SecurityGroupAccess {
  readonly source: SecurityGroupIngressEntry['source'];
  readonly protocol: string;
  /** Merged port ranges, 'all', 'N' or 'N-M', in port order. */
  readonly ports: string[];
}

export interface SecurityGroupReport extends Location {
  /**
   * Identity across renames: `security-group:<GroupName>` when named, else
   * `security-group:<construct path without the stack>`, or `security-group:<id>` when imported.
   */
  readonly key: string;
  readonly ingress: SecurityGroupIngressEntry[];
  readonly access: SecurityGroupAccess[];
}

export interface VpnConnectionReport extends Location {
  /** Identity across renames: `vpn:<customer gateway IP>:<gateway>` where known, else the logical id. */
  readonly key: string;
  /** Static routes to the customer network, sorted disjoint CIDRs. */
  readonly staticRoutes: string[];
  /** Where the pre-shared keys are kept. */
  readonly preSharedKeys: 'secrets-manager' | 'generated-by-aws' | 'dynamic-reference' | 'plaintext-in-template';
}

export interface CacheIngressEntry extends Location {
  readonly ec2SecurityGroupName: string;
  readonly ownerId: string;
  /** true: another account; false: the stack's own; 'unknown': cannot be decided before deploy. */
  readonly crossAccount: boolean | 'unknown';
}

export interface CacheSecurityGroupReport extends Location {
  /** Identity across renames: `cache-security-group:<name>`. */
  readonly key: string;
  readonly ingress: CacheIngressEntry[];
}

export interface StackReport {
  readonly stack: string;
  readonly clientVpnEndpoints: ClientVpnEndpointReport[];
  readonly securityGroups: SecurityGroupReport[];
  readonly vpnConnections: VpnConnectionReport[];
  readonly cacheSecurityGroups: CacheSecurityGroupReport[];
}

/** A finding. Sorted by severity, ruleId, stack, constructPath, message. */
export interface Finding extends Location {
  /** Stable rule id, e.g. `NA-CVPN-SHADOWED`. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** One line, for a person. Names the principal, network and rule where there is one. */
  readonly message: string;
}

/** A finding that a suppression on its construct silenced. Sorted like findings. */
export interface SuppressedFinding extends Finding {
  readonly reason: string;
}

/** Something the review could not decide before deploy. Sorted by stack, constructPath, property. */
export interface Unknown extends Location {
  /** The property path, e.g. `Rules[2].Cidr`. */
  readonly property: string;
  /** Why: e.g. `Ref to parameter VpcCidr`, `Fn::ImportValue of an export no stack in the assembly declares`. */
  readonly reason: string;
}

export interface NetworkAccessReportJson {
  readonly $schema: typeof REPORT_SCHEMA_ID;
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly summary: {
    readonly stacks: number;
    readonly grants: number;
    readonly findings: Record<Severity, number>;
    readonly suppressed: number;
    readonly unknowns: number;
  };
  /** Sorted by stack name. */
  readonly stacks: StackReport[];
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
  readonly unknowns: Unknown[];
}
