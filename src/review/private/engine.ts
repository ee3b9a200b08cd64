import * as ipaddr from 'ipaddr.js';
import { AddressSet, cidrToSet, EMPTY, intersect, isEmpty, size, toCidrs, union } from './address-set';
import { ALL_USERS, EvalRule, evaluateClientVpnAccess, findRedundantRules, findShadowing } from './client-vpn-access';
import {
  CacheIngressEntry, CacheSecurityGroupReport, ClientVpnEndpointReport, ClientVpnRuleEntry, Finding, Location,
  NetworkAccessReportJson, REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION, SecurityGroupAccess, SecurityGroupIngressEntry,
  SecurityGroupReport, SEVERITIES, Severity, StackReport, SuppressedFinding, Unknown, VpnConnectionReport,
} from './report-types';
import { AssemblyIndex, CfnResourceJson, describeUnresolved, Resolved, StackInput } from './resolve';
import { isRuleId, ruleInfo, severityRank } from './rules';
import { parseIpv4Cidr } from '../../private/ipv4-cidr';

/** The metadata key suppressions are recorded under on a resource. */
export const SUPPRESSION_METADATA_KEY = 'cdk_network_access';

/** A suppression that cannot be honoured: a user error, reported by naming the construct. */
export class ReviewConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewConfigurationError';
  }
}

export interface ReviewOptions {
  /**
   * All users authorized to more addresses than this through one rule is a
   * broad-network finding. Default 65,536 (a /16).
   */
  readonly broadNetworkAddresses?: number;
}

/** Review the stacks of one assembly. Pure: the same stacks give the same report. */
export function reviewStacks(stacks: readonly StackInput[], options: ReviewOptions = {}): NetworkAccessReportJson {
  return new Review(stacks, options).run();
}

interface EndpointFacts extends Location {
  key: string;
  routesKnown: boolean;
  routes: AddressSet;
  routeEntries: Array<{ set: AddressSet; cidr: string; loc: Location }>;
  rules: ClientVpnRuleEntry[];
}

interface SecurityGroupFacts extends Location {
  key: string;
  ingress: SecurityGroupIngressEntry[];
}

interface VpnFacts extends Location {
  key: string;
  staticRoutes: Array<{ cidr: string; loc: Location }>;
  preSharedKeys: VpnConnectionReport['preSharedKeys'];
}

interface CacheFacts extends Location {
  key: string;
  ingress: CacheIngressEntry[];
}

/** A report entry while it is built, field by field. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The properties of an ingress rule that name its source: exactly one is given. */
const INGRESS_SOURCES = ['CidrIp', 'CidrIpv6', 'SourceSecurityGroupId', 'SourceSecurityGroupName', 'SourcePrefixListId'];

const ENDPOINT = 'AWS::EC2::ClientVpnEndpoint';
const SECURITY_GROUP = 'AWS::EC2::SecurityGroup';
const VPN_CONNECTION = 'AWS::EC2::VPNConnection';
const OUR_VPN_CONNECTION = 'Custom::NetworkAccessSiteToSiteVpnConnection';
const CACHE_SECURITY_GROUP = 'AWS::ElastiCache::SecurityGroup';

class Review {
  private readonly index: AssemblyIndex;
  private readonly endpoints = new Map<string, EndpointFacts>();
  private readonly groups = new Map<string, SecurityGroupFacts>();
  private readonly vpns = new Map<string, VpnFacts>();
  private readonly caches = new Map<string, CacheFacts>();
  private readonly findings: Finding[] = [];
  private readonly unknowns: Unknown[] = [];
  /** The suppressions of each resource (by resourceId), as read. */
  private readonly suppressions = new Map<string, Map<string, string>>();
  private readonly broadNetworkAddresses: number;

  constructor(private readonly stacks: readonly StackInput[], options: ReviewOptions) {
    this.index = new AssemblyIndex(stacks);
    this.broadNetworkAddresses = options.broadNetworkAddresses ?? 65_536;
  }

  public run(): NetworkAccessReportJson {
    // Containers first, so that grants in any stack find them.
    const resources = this.resources();
    resources.forEach(({ loc, r }) => this.readContainer(loc, r));
    resources.forEach(({ loc, r }) => this.readGrant(loc, r));
    resources.forEach(({ loc, r }) => this.scanForPlaintextKeys(loc, r));

    const endpointReports = [...this.endpoints.values()].map(e => this.analyseEndpoint(e));
    const groupReports = [...this.groups.values()].map(g => this.analyseSecurityGroup(g));
    const vpnReports = [...this.vpns.values()].map(v => this.analyseVpn(v));
    const cacheReports = [...this.caches.values()].map(c => this.analyseCache(c));

    const { findings, suppressed } = this.applySuppressions();
    const endpointsOf = groupByStack(endpointReports);
    const groupsOf = groupByStack(groupReports);
    const vpnsOf = groupByStack(vpnReports);
    const cachesOf = groupByStack(cacheReports);
    const stacks: StackReport[] = this.stacks.map(s => s.name).sort().map(stack => ({
      stack,
      clientVpnEndpoints: endpointsOf(stack).sort(byLocation),
      securityGroups: groupsOf(stack).sort(byLocation),
      vpnConnections: vpnsOf(stack).sort(byLocation),
      cacheSecurityGroups: cachesOf(stack).sort(byLocation),
    }));
    const grants = endpointReports.reduce((n, e) => n + e.rules.length, 0)
      + groupReports.reduce((n, g) => n + g.ingress.length, 0)
      + vpnReports.reduce((n, v) => n + v.staticRoutes.length, 0)
      + cacheReports.reduce((n, c) => n + c.ingress.length, 0);
    const counts = countBySeverity(findings);
    const unknowns = sortByKeys(dedupeBy(this.unknowns, u => `${u.stack}|${u.logicalId}|${u.property}`),
      u => [u.stack, u.constructPath, u.property]);
    return {
      $schema: REPORT_SCHEMA_ID,
      schemaVersion: REPORT_SCHEMA_VERSION,
      summary: { stacks: stacks.length, grants, findings: counts, suppressed: suppressed.length, unknowns: unknowns.length },
      stacks,
      findings,
      suppressed,
      unknowns,
    };
  }

  // -------------------------------------------------------------------------
  // Reading
  // -------------------------------------------------------------------------

  /** Every resource of every stack with its location, in template order: located once for all three passes. */
  private resources(): Array<{ loc: Location; r: CfnResourceJson }> {
    const out: Array<{ loc: Location; r: CfnResourceJson }> = [];
    for (const s of this.stacks) {
      for (const [logicalId, r] of Object.entries(s.template.Resources ?? {})) {
        if (r && typeof r === 'object' && typeof r.Type === 'string') {
          out.push({ loc: this.location(s.name, logicalId), r });
        }
      }
    }
    return out;
  }

  private location(stack: string, logicalId: string): Location {
    const known = this.index.stacks.get(stack)?.constructPaths?.[logicalId];
    const meta = this.index.resource(stack, logicalId)?.Metadata?.['aws:cdk:path'];
    const path = known ?? (typeof meta === 'string' ? meta : undefined);
    return { stack, logicalId, constructPath: path ? declaringConstruct(path) : `${stack}/${logicalId}` };
  }

  private readContainer(loc: Location, r: CfnResourceJson): void {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case ENDPOINT: {
        const clientCidr = this.index.literal(loc.stack, p.ClientCidrBlock);
        this.endpoints.set(resourceId(loc.stack, loc.logicalId), {
          ...loc, key: `client-vpn:${clientCidr ?? relativePath(loc)}`, routesKnown: true, routes: EMPTY, routeEntries: [], rules: [],
        });
        break;
      }
      case SECURITY_GROUP: {
        const name = this.index.literal(loc.stack, p.GroupName);
        const facts: SecurityGroupFacts = { ...loc, key: `security-group:${name ?? relativePath(loc)}`, ingress: [] };
        this.groups.set(resourceId(loc.stack, loc.logicalId), facts);
        asArray(p.SecurityGroupIngress).forEach((rule, i) => this.readIngress(facts, loc, rule, `SecurityGroupIngress[${i}]`));
        break;
      }
      case VPN_CONNECTION:
      case OUR_VPN_CONNECTION: {
        this.vpns.set(resourceId(loc.stack, loc.logicalId), {
          ...loc, key: this.vpnKey(loc, p), staticRoutes: [], preSharedKeys: this.keyStorage(loc, r),
        });
        break;
      }
      case CACHE_SECURITY_GROUP:
        this.caches.set(resourceId(loc.stack, loc.logicalId), { ...loc, key: `cache-security-group:${relativePath(loc)}`, ingress: [] });
        break;
      default:
        break;
    }
  }

  private readGrant(loc: Location, r: CfnResourceJson): void {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::EC2::ClientVpnAuthorizationRule': {
        const endpoint = this.endpointFor(loc, p.ClientVpnEndpointId, 'ClientVpnEndpointId');
        const all = p.AuthorizeAllGroups === true || p.AuthorizeAllGroups === 'true';
        const source = isAuthorizeAll(loc, endpoint) ? 'authorize-all-users-to-vpc-cidr' : 'cloudformation';
        this.addRule(endpoint, loc, p.TargetNetworkCidr, all ? undefined : p.AccessGroupId, p.Description, source, '');
        break;
      }
      case 'Custom::NetworkAccessClientVpnAuthorizations': {
        const endpoint = this.endpointFor(loc, p.ClientVpnEndpointId, 'ClientVpnEndpointId');
        asArray(p.Rules).forEach((rule, i) => {
          const rp = (rule ?? {}) as Record<string, unknown>;
          const all = rp.AllGroups === true || rp.AllGroups === 'true';
          this.addRule(endpoint, loc, rp.Cidr, all ? undefined : rp.GroupId, rp.Description, 'cdk-network-access', `Rules[${i}].`);
        });
        break;
      }
      case 'AWS::EC2::ClientVpnRoute': {
        const endpoint = this.endpointFor(loc, p.ClientVpnEndpointId, 'ClientVpnEndpointId');
        const cidr = this.ipv4(loc, p.DestinationCidrBlock, 'DestinationCidrBlock', 'Client VPN route');
        if (cidr) {
          endpoint.routes = union(endpoint.routes, cidrToSet(cidr)!);
          endpoint.routeEntries.push({ set: cidrToSet(cidr)!, cidr, loc });
        } else {
          endpoint.routesKnown = false;
        }
        break;
      }
      case 'AWS::EC2::ClientVpnTargetNetworkAssociation': {
        const endpoint = this.endpointFor(loc, p.ClientVpnEndpointId, 'ClientVpnEndpointId');
        const vpcCidr = this.vpcCidrOfSubnet(loc, p.SubnetId);
        if (vpcCidr) {
          endpoint.routes = union(endpoint.routes, cidrToSet(vpcCidr)!);
        } else {
          endpoint.routesKnown = false;
        }
        break;
      }
      case 'AWS::EC2::SecurityGroupIngress': {
        const group = this.securityGroupFor(loc, p.GroupId, 'GroupId');
        if (group) {
          this.readIngress(group, loc, p, '');
        }
        break;
      }
      case 'AWS::EC2::VPNConnectionRoute': {
        const vpn = this.vpnFor(loc, p.VpnConnectionId);
        const dest = this.index.resolve(loc.stack, p.DestinationCidrBlock);
        if (!vpn) break;
        if (dest.kind !== 'literal') {
          this.unknown(loc, 'DestinationCidrBlock', dest);
        } else if (!parseCidrAny(String(dest.value))) {
          this.malformed(loc, `VPN static route destination '${dest.value}' is not a CIDR`);
        } else {
          vpn.staticRoutes.push({ cidr: parseCidrAny(String(dest.value))!.canonical, loc });
        }
        break;
      }
      case 'AWS::ElastiCache::SecurityGroupIngress': {
        const cache = this.cacheFor(loc, p.CacheSecurityGroupName);
        this.addCacheIngress(cache, loc, p, '');
        break;
      }
      case 'Custom::NetworkAccessCacheSecurityGroupIngress': {
        const cache = this.cacheFor(loc, p.CacheSecurityGroupName);
        asArray(p.Ingress).forEach((entry, i) => this.addCacheIngress(cache, loc, (entry ?? {}) as Record<string, unknown>, `Ingress[${i}].`));
        break;
      }
      case 'AWS::CloudFormation::Stack':
        this.unknowns.push({ ...loc, property: 'TemplateURL', reason: 'a nested stack: its template is not reviewed' });
        break;
      default:
        break;
    }
  }

  private addRule(endpoint: EndpointFacts, loc: Location, cidrValue: unknown, groupValue: unknown, descriptionValue: unknown,
    source: ClientVpnRuleEntry['source'], prefix: string): void {
    const cidr = this.ipv4(loc, cidrValue, `${prefix}${prefix ? 'Cidr' : 'TargetNetworkCidr'}`, 'Client VPN authorization rule');
    let principal = ALL_USERS;
    if (groupValue !== undefined) {
      const group = this.index.resolve(loc.stack, groupValue);
      if (group.kind !== 'literal' || String(group.value) === '') {
        if (group.kind === 'literal') {
          this.malformed(loc, 'Client VPN authorization rule has an empty access group id');
        } else {
          this.unknown(loc, `${prefix}${prefix ? 'GroupId' : 'AccessGroupId'}`, group);
        }
        return;
      }
      principal = String(group.value);
    }
    if (!cidr) {
      return;
    }
    const description = this.index.literal(loc.stack, descriptionValue);
    // Literals rather than spreads: faster to build, and the report's key order stays as written.
    endpoint.rules.push(description
      ? { stack: loc.stack, logicalId: loc.logicalId, constructPath: loc.constructPath, cidr, principal, description, source }
      : { stack: loc.stack, logicalId: loc.logicalId, constructPath: loc.constructPath, cidr, principal, source });
  }

  private ipv4(loc: Location, value: unknown, property: string, what: string): string | undefined {
    const r = this.index.resolve(loc.stack, value);
    if (value === undefined) {
      this.malformed(loc, `${what} has no ${property}`);
      return undefined;
    }
    if (r.kind !== 'literal') {
      this.unknown(loc, property, r);
      return undefined;
    }
    const parsed = parseIpv4Cidr(String(r.value));
    if (!parsed.ok) {
      this.malformed(loc, `${what} ${property} '${r.value}' ${parsed.reason}`);
      return undefined;
    }
    return parsed.cidr.canonical;
  }

  private endpointFor(loc: Location, value: unknown, property: string): EndpointFacts {
    // An endpoint outside the assembly: its routes are not known here.
    return this.containerFor(this.endpoints, loc, value, property, 'client-vpn',
      key => ({ ...loc, key, routesKnown: false, routes: EMPTY, routeEntries: [], rules: [] }), true)!;
  }

  /**
   * The container (endpoint, group, connection, cache group) a grant names: one of the
   * assembly's, or one outside it keyed by its literal id. An unresolved reference is an
   * unknown; with `keepUnresolved` its grants still get a container of their own.
   */
  private containerFor<T>(map: Map<string, T>, loc: Location, value: unknown, property: string, kind: string,
    make: (key: string) => T, keepUnresolved: boolean): T | undefined {
    const r = this.index.resolve(loc.stack, value);
    if (r.kind === 'resource') {
      const found = map.get(resourceId(r.stack, r.logicalId));
      if (found) return found;
    }
    if (r.kind !== 'literal') {
      this.unknown(loc, property, r);
      if (!keepUnresolved) return undefined;
    }
    const id = r.kind === 'literal' ? `literal:${r.value}` : `unresolved:${loc.stack}/${loc.logicalId}`;
    let facts = map.get(id);
    if (!facts) {
      facts = make(r.kind === 'literal' ? `${kind}:${r.value}` : `${kind}:unresolved:${relativePath(loc)}`);
      map.set(id, facts);
    }
    return facts;
  }

  private vpcCidrOfSubnet(loc: Location, subnetValue: unknown): string | undefined {
    const subnet = this.index.resolve(loc.stack, subnetValue);
    if (subnet.kind === 'resource') {
      const subnetResource = this.index.resource(subnet.stack, subnet.logicalId);
      if (subnetResource?.Type === 'AWS::EC2::Subnet') {
        const vpc = this.index.resolve(subnet.stack, subnetResource.Properties?.VpcId);
        if (vpc.kind === 'resource') {
          const cidr = this.index.resolve(vpc.stack, this.index.resource(vpc.stack, vpc.logicalId)?.Properties?.CidrBlock);
          if (cidr.kind === 'literal') {
            const parsed = parseIpv4Cidr(String(cidr.value));
            if (parsed.ok) return parsed.cidr.canonical;
          }
          this.unknown(loc, 'SubnetId', { kind: 'unknown', reason: `the CIDR of VPC ${vpc.logicalId} is not known before deploy` });
          return undefined;
        }
      }
    }
    this.unknown(loc, 'SubnetId', subnet.kind === 'unknown' ? subnet
      : { kind: 'unknown', reason: `the VPC of subnet ${describeUnresolved(subnet)} is outside the assembly` });
    return undefined;
  }

  private securityGroupFor(loc: Location, value: unknown, property: string): SecurityGroupFacts | undefined {
    return this.containerFor(this.groups, loc, value, property, 'security-group', key => ({ ...loc, key, ingress: [] }), false);
  }

  private readIngress(group: SecurityGroupFacts, loc: Location, value: unknown, prefix: string): void {
    const p = (value ?? {}) as Record<string, unknown>;
    const at = (name: string) => `${prefix}${prefix ? '.' : ''}${name}`;
    const source = this.ingressSource(loc, p, at);
    if (!source) return;
    const protocolValue = this.index.resolve(loc.stack, p.IpProtocol);
    if (protocolValue.kind !== 'literal') {
      this.unknown(loc, at('IpProtocol'), protocolValue);
      return;
    }
    const protocol = normaliseProtocol(String(protocolValue.value));
    let fromPort: number | undefined;
    let toPort: number | undefined;
    if (protocol !== 'all') {
      const from = this.index.resolve(loc.stack, p.FromPort);
      const to = this.index.resolve(loc.stack, p.ToPort);
      if (from.kind !== 'literal' || to.kind !== 'literal') {
        if (p.FromPort === undefined || p.ToPort === undefined) {
          if (protocol === 'tcp' || protocol === 'udp') {
            this.malformed(loc, `security group ingress ${at('FromPort')}/${at('ToPort')} missing for protocol ${protocol}`);
            return;
          }
        } else {
          this.unknown(loc, at('FromPort'), from.kind !== 'literal' ? from : to);
          return;
        }
      } else {
        const f = Number(from.value);
        const t = Number(to.value);
        const icmp = protocol === 'icmp' || protocol === 'icmpv6';
        const valid = Number.isInteger(f) && Number.isInteger(t)
          && (icmp ? f >= -1 && f <= 255 && t >= -1 && t <= 255 : f >= 0 && t <= 65535 && f <= t);
        if (!valid) {
          this.malformed(loc, `security group ingress ports ${from.value}-${to.value} are not a valid range for ${protocol}`);
          return;
        }
        if (!(icmp && f === -1) && !(protocol !== 'tcp' && protocol !== 'udp' && !icmp)) {
          fromPort = f;
          toPort = t;
        }
      }
    }
    const description = this.index.literal(loc.stack, p.Description);
    // Field by field rather than spreads: faster, in the same key order.
    const entry: Writable<SecurityGroupIngressEntry> = {
      stack: loc.stack, logicalId: loc.logicalId, constructPath: loc.constructPath, source, protocol,
    };
    if (fromPort !== undefined) {
      entry.fromPort = fromPort;
      entry.toPort = toPort;
    }
    if (description) entry.description = description;
    group.ingress.push(entry);
  }

  private ingressSource(loc: Location, p: Record<string, unknown>, at: (n: string) => string): SecurityGroupIngressEntry['source'] | undefined {
    const given = INGRESS_SOURCES.filter(k => p[k] !== undefined);
    if (given.length !== 1) {
      this.malformed(loc, `security group ingress ${prefixOr(at(''))}names ${given.length === 0 ? 'no source' : `several sources (${given.join(', ')})`}`);
      return undefined;
    }
    const property = given[0];
    const r = this.index.resolve(loc.stack, p[property]);
    if (property === 'CidrIp' || property === 'CidrIpv6') {
      if (r.kind !== 'literal') {
        this.unknown(loc, at(property), r);
        return undefined;
      }
      const parsed = parseCidrAny(String(r.value));
      if (!parsed || (property === 'CidrIp') !== (parsed.kind === 'ipv4')) {
        this.malformed(loc, `security group ingress ${at(property)} '${r.value}' is not an ${property === 'CidrIp' ? 'IPv4' : 'IPv6'} CIDR`);
        return undefined;
      }
      return { kind: 'cidr', id: parsed.canonical };
    }
    if (property === 'SourcePrefixListId') {
      if (r.kind === 'literal') return { kind: 'prefix-list', id: String(r.value) };
      if (r.kind === 'resource') return { kind: 'prefix-list', id: `prefix-list:${relativePath(this.location(r.stack, r.logicalId))}` };
      this.unknown(loc, at(property), r);
      return undefined;
    }
    if (r.kind === 'resource') {
      const group = this.groups.get(resourceId(r.stack, r.logicalId));
      if (group) return { kind: 'security-group', id: group.key };
    }
    if (r.kind === 'literal') return { kind: 'security-group', id: `security-group:${r.value}` };
    this.unknown(loc, at(property), r);
    return undefined;
  }

  private vpnKey(loc: Location, p: Record<string, unknown>): string {
    const cgw = this.index.resolve(loc.stack, p.CustomerGatewayId);
    if (cgw.kind === 'resource') {
      const ip = this.index.literal(cgw.stack, this.index.resource(cgw.stack, cgw.logicalId)?.Properties?.IpAddress);
      if (ip) return `vpn:${ip}`;
    }
    if (cgw.kind === 'literal') return `vpn:${cgw.value}`;
    return `vpn:${relativePath(loc)}`;
  }

  private keyStorage(loc: Location, r: CfnResourceJson): VpnConnectionReport['preSharedKeys'] {
    const p = r.Properties ?? {};
    if (r.Type === OUR_VPN_CONNECTION) {
      return p.PreSharedKeyStorage === 'SecretsManager' ? 'secrets-manager' : 'generated-by-aws';
    }
    const keys = asArray(p.VpnTunnelOptionsSpecifications)
      .map(t => (t as Record<string, unknown> | undefined)?.PreSharedKey)
      .filter(k => k !== undefined);
    if (keys.length === 0) {
      return p.PreSharedKeyStorage === 'SecretsManager' ? 'secrets-manager' : 'generated-by-aws';
    }
    return keys.some(k => this.isPlaintextSecret(loc.stack, k)) ? 'plaintext-in-template' : 'dynamic-reference';
  }

  private vpnFor(loc: Location, value: unknown): VpnFacts | undefined {
    return this.containerFor(this.vpns, loc, value, 'VpnConnectionId', 'vpn',
      key => ({ ...loc, key, staticRoutes: [], preSharedKeys: 'generated-by-aws' }), false);
  }

  private cacheFor(loc: Location, value: unknown): CacheFacts {
    return this.containerFor(this.caches, loc, value, 'CacheSecurityGroupName', 'cache-security-group', key => ({ ...loc, key, ingress: [] }), true)!;
  }

  private addCacheIngress(cache: CacheFacts, loc: Location, p: Record<string, unknown>, prefix: string): void {
    const name = this.index.resolve(loc.stack, p.EC2SecurityGroupName);
    if (p.EC2SecurityGroupName === undefined || (name.kind === 'literal' && String(name.value) === '')) {
      this.malformed(loc, `cache security group ingress ${prefix}EC2SecurityGroupName is missing`);
      return;
    }
    if (name.kind !== 'literal') {
      this.unknown(loc, `${prefix}EC2SecurityGroupName`, name);
      return;
    }
    const stackAccount = this.index.stacks.get(loc.stack)?.account;
    let ownerId = 'self';
    let crossAccount: boolean | 'unknown' = false;
    if (p.EC2SecurityGroupOwnerId !== undefined) {
      const owner = this.index.resolve(loc.stack, p.EC2SecurityGroupOwnerId);
      if (owner.kind === 'pseudo' && owner.name === 'AWS::AccountId' && owner.stack === loc.stack) {
        ownerId = 'AWS::AccountId';
      } else if (owner.kind === 'literal') {
        ownerId = String(owner.value);
        crossAccount = stackAccount ? ownerId !== stackAccount : 'unknown';
        if (!stackAccount) {
          this.unknowns.push({
            ...loc,
            property: `${prefix}EC2SecurityGroupOwnerId`,
            reason: `owner account ${ownerId} cannot be compared: the stack's account is not fixed in the assembly`,
          });
        }
      } else {
        ownerId = describeUnresolved(owner);
        crossAccount = 'unknown';
        this.unknown(loc, `${prefix}EC2SecurityGroupOwnerId`, owner);
      }
    }
    cache.ingress.push({ ...loc, ec2SecurityGroupName: String(name.value), ownerId, crossAccount });
  }

  private scanForPlaintextKeys(loc: Location, r: CfnResourceJson): void {
    // This visits every property of every template: plain indexed loops, and the
    // path kept as a stack of keys and indexes, spelled out only for a finding.
    const path: Array<string | number> = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          visit(value[i]);
          path.pop();
        }
      } else if (value && typeof value === 'object') {
        const object = value as Record<string, unknown>;
        const keys = Object.keys(object);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          const v = object[k];
          path.push(k);
          // The length first: the pattern matches 12 characters, and most keys are not 12 long.
          if (k.length === 12 && /^PreSharedKey$/i.test(k) && this.isPlaintextSecret(loc.stack, v)) {
            // Where it is, never what it is.
            this.finding('NA-PLAINTEXT-PSK', loc, `${r.Type} ${loc.logicalId} has a plaintext pre-shared key at ${propertyPath(path)}`);
          } else {
            visit(v);
          }
          path.pop();
        }
      }
    };
    visit(r.Properties);
  }

  private isPlaintextSecret(stack: string, value: unknown): boolean {
    if (typeof value === 'string') {
      return !value.startsWith('{{resolve:');
    }
    const r = this.index.resolve(stack, value);
    return r.kind === 'literal' && !String(r.value).includes('{{resolve:');
  }

  // -------------------------------------------------------------------------
  // Analysis and findings
  // -------------------------------------------------------------------------

  private analyseEndpoint(e: EndpointFacts): ClientVpnEndpointReport {
    const rules = [...e.rules].sort(compareRules);
    const evalRules: EvalRule[] = rules.map((r, i) => ({
      cidr: r.cidr, groupId: r.principal === ALL_USERS ? undefined : r.principal, declaredAt: String(i),
    }));
    const access = evaluateClientVpnAccess(evalRules, e.routes);
    const everyone = access.find(a => a.principal === ALL_USERS)!;
    const ruleAt = (r: EvalRule) => rules[Number(r.declaredAt)];
    const who = (p: string) => (p === ALL_USERS ? 'all users' : `group '${p}'`);
    // Whether a route covers part of a CIDR, once per CIDR (rules repeat CIDRs).
    const routed = new Map<string, boolean>();
    const isRouted = (cidr: string): boolean => {
      let known = routed.get(cidr);
      if (known === undefined) {
        known = !isEmpty(intersect(cidrToSet(cidr)!, e.routes));
        routed.set(cidr, known);
      }
      return known;
    };

    for (const rule of rules) {
      if (rule.source === 'authorize-all-users-to-vpc-cidr') {
        this.finding('NA-CVPN-AUTHORIZE-ALL-VPC', rule,
          `endpoint ${e.constructPath} authorizes all users to the whole VPC ${rule.cidr} (authorizeAllUsersToVpcCidr is on)`);
      }
      if (rule.principal === ALL_USERS) {
        const granted = intersect(cidrToSet(rule.cidr)!, everyone.authorized);
        if (size(granted) > this.broadNetworkAddresses) {
          this.finding('NA-CVPN-ALL-USERS-BROAD', rule,
            `all users of endpoint ${e.constructPath} are authorized to ${rule.cidr} (${size(granted).toLocaleString('en-US')} addresses)`);
        }
      }
      if (e.routesKnown && !isRouted(rule.cidr)) {
        this.finding('NA-CVPN-NO-ROUTE', rule,
          `${who(rule.principal)} ${rule.principal === ALL_USERS ? 'are' : 'is'} authorized to ${rule.cidr} on endpoint ${e.constructPath}, but no route covers it: it reaches nothing`);
      }
    }
    // One finding per shadowed rule, naming what it loses and the rules that take it.
    const shadowings = new Map<EvalRule, ReturnType<typeof findShadowing>>();
    for (const s of findShadowing(evalRules, access)) {
      shadowings.set(s.shadowedRule, [...(shadowings.get(s.shadowedRule) ?? []), s]);
    }
    for (const [rule, list] of shadowings) {
      const shadowed = ruleAt(rule);
      const lost = toCidrs(union(...list.map(s => s.lost)));
      const takers = list.slice(0, 3).map(s => {
        const taker = ruleAt(s.takenBy);
        return `${taker.cidr} for ${who(taker.principal)} (${taker.constructPath})`;
      });
      const more = list.length > 3 ? ` and ${list.length - 3} more` : '';
      const lostText = lost.length > 4 ? `${lost.slice(0, 4).join(', ')} and ${lost.length - 4} more networks` : lost.join(', ');
      this.finding('NA-CVPN-SHADOWED', shadowed,
        `${who(list[0].principal)} ${list[0].principal === ALL_USERS ? 'lose' : 'loses'} ${lostText} of its rule ${shadowed.cidr}: `
        + `the more specific rule${list.length > 1 ? 's' : ''} ${takers.join(', ')}${more} take${list.length > 1 ? '' : 's'} it (longest prefix wins)`);
    }
    this.redundantRules(e, rules, evalRules);
    const declared = union(...[...new Set(rules.map(r => r.cidr))].map(c => cidrToSet(c)!));
    for (const route of e.routeEntries) {
      if (isEmpty(intersect(route.set, declared))) {
        this.finding('NA-CVPN-UNAUTHORIZED-ROUTE', route.loc, `route to ${route.cidr} on endpoint ${e.constructPath} is authorized for no one`);
      }
    }
    return {
      stack: e.stack,
      logicalId: e.logicalId,
      constructPath: e.constructPath,
      key: e.key,
      routes: toCidrs(e.routes),
      routesKnown: e.routesKnown,
      rules,
      principals: access.map(a => ({
        principal: a.principal,
        authorized: toCidrs(a.authorized),
        reachable: toCidrs(e.routesKnown ? a.reachable : a.authorized),
      })),
    };
  }

  /** Duplicates, and rules whose removal would change no one's access. */
  private redundantRules(e: EndpointFacts, rules: ClientVpnRuleEntry[], evalRules: EvalRule[]): void {
    const whom = (p: string) => (p === ALL_USERS ? 'all users' : `group '${p}'`);
    for (const r of findRedundantRules(evalRules)) {
      const entry = rules[Number(r.rule.declaredAt)];
      const what = `the rule ${entry.cidr} for ${whom(entry.principal)} on endpoint ${e.constructPath}`;
      this.finding('NA-DUPLICATE-GRANT', entry, r.kind === 'duplicate'
        ? `${what} is declared twice (also at ${rules[Number(r.other!.declaredAt)].constructPath})`
        : `${what} is fully redundant: removing it changes no one's access`);
    }
  }

  private analyseSecurityGroup(g: SecurityGroupFacts): SecurityGroupReport {
    const ingress = sortByKeys(g.ingress,
      i => [i.source.kind, i.source.id, i.protocol, portKey(i.fromPort), portKey(i.toPort), i.constructPath]);
    // Sorted by source first: the entries of one source, the only ones that can
    // cover one another, are the run [start, end) around each entry.
    let start = 0;
    let end = 0;
    ingress.forEach((entry, i) => {
      if (i === end) {
        start = i;
        end = i + 1;
        while (end < ingress.length && ingress[end].source.kind === entry.source.kind && ingress[end].source.id === entry.source.id) end++;
      }
      if (entry.source.kind === 'cidr' && entry.source.id.endsWith('/0')) {
        this.finding('NA-SG-OPEN-INGRESS', entry,
          `security group ${g.constructPath} admits ${entry.source.id} (every address) on ${describePorts(entry)}`);
      }
      let other: SecurityGroupIngressEntry | undefined;
      for (let j = start; j < end && !other; j++) {
        if (j !== i && covers(ingress[j], entry) && (!covers(entry, ingress[j]) || j < i)) other = ingress[j];
      }
      if (other) {
        const same = covers(entry, other);
        this.finding('NA-DUPLICATE-GRANT', entry, `security group ${g.constructPath} ingress from ${entry.source.id} on ${describePorts(entry)} `
          + (same ? `is declared twice (also at ${other.constructPath})` : `is already given by ${describePorts(other)} (${other.constructPath})`));
      }
    });
    return {
      stack: g.stack,
      logicalId: g.logicalId,
      constructPath: g.constructPath,
      key: g.key,
      ingress: ingress.map(stripUndefined),
      access: mergeAccess(ingress),
    };
  }

  private analyseVpn(v: VpnFacts): VpnConnectionReport {
    const routes = v.staticRoutes;
    for (const r of routes) {
      if (r.cidr.endsWith('/0')) {
        this.finding('NA-VPN-DEFAULT-ROUTE', r.loc, `VPN connection ${v.constructPath} has a static route to ${r.cidr}: every address goes to the customer network`);
      }
    }
    const v4 = union(...routes.map(r => cidrToSet(r.cidr) ?? EMPTY));
    const v6 = routes.filter(r => !cidrToSet(r.cidr)).map(r => r.cidr).sort();
    return {
      stack: v.stack,
      logicalId: v.logicalId,
      constructPath: v.constructPath,
      key: v.key,
      staticRoutes: [...toCidrs(v4), ...v6],
      preSharedKeys: v.preSharedKeys,
    };
  }

  private analyseCache(c: CacheFacts): CacheSecurityGroupReport {
    const ingress = sortByKeys(c.ingress, i => [i.ec2SecurityGroupName, i.ownerId, i.constructPath]);
    for (const entry of ingress) {
      if (entry.crossAccount === true) {
        this.finding('NA-CACHE-CROSS-ACCOUNT', entry,
          `cache security group ${c.constructPath} admits EC2 security group '${entry.ec2SecurityGroupName}' of account ${entry.ownerId}`);
      }
    }
    return { stack: c.stack, logicalId: c.logicalId, constructPath: c.constructPath, key: c.key, ingress };
  }

  // -------------------------------------------------------------------------
  // Findings, unknowns, suppressions
  // -------------------------------------------------------------------------

  private finding(ruleId: string, loc: Location, message: string): void {
    this.findings.push({
      stack: loc.stack, logicalId: loc.logicalId, constructPath: loc.constructPath, ruleId, severity: ruleInfo(ruleId).severity, message,
    });
  }

  private malformed(loc: Location, message: string): void {
    this.finding('NA-MALFORMED-RULE', loc, message);
  }

  private unknown(loc: Location, property: string, r: Resolved): void {
    this.unknowns.push({ stack: loc.stack, logicalId: loc.logicalId, constructPath: loc.constructPath, property, reason: describeUnresolved(r) });
  }

  private applySuppressions(): { findings: Finding[]; suppressed: SuppressedFinding[] } {
    const findings: Finding[] = [];
    const suppressed: SuppressedFinding[] = [];
    for (const f of distinctFindings(this.findings)) {
      const reason = this.suppressionsOf(f.stack, f.logicalId).get(f.ruleId);
      if (reason !== undefined) {
        suppressed.push({ ...f, reason });
      } else {
        findings.push(f);
      }
    }
    return { findings: findings.sort(compareFindings), suppressed: suppressed.sort(compareFindings) };
  }

  private suppressionsOf(stack: string, logicalId: string): Map<string, string> {
    // Read once per resource: most findings share their resource with others.
    const id = resourceId(stack, logicalId);
    let found = this.suppressions.get(id);
    if (!found) {
      found = readSuppressions(this.location(stack, logicalId), this.index.resource(stack, logicalId));
      this.suppressions.set(id, found);
    }
    return found;
  }
}

/**
 * The suppressions recorded on a resource. Throws ReviewConfigurationError,
 * naming the construct, for an unknown rule id or a suppression without a reason.
 */
export function readSuppressions(loc: Location, resource: CfnResourceJson | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const meta = resource?.Metadata?.[SUPPRESSION_METADATA_KEY] as { rules_to_suppress?: unknown } | undefined;
  if (!meta) return out;
  const list = meta.rules_to_suppress;
  if (!Array.isArray(list)) {
    throw new ReviewConfigurationError(`${loc.constructPath}: ${SUPPRESSION_METADATA_KEY}.rules_to_suppress must be a list of { id, reason }`);
  }
  for (const s of list as Array<Record<string, unknown>>) {
    const id = s?.id;
    const reason = s?.reason;
    if (typeof id !== 'string' || !isRuleId(id)) {
      throw new ReviewConfigurationError(`${loc.constructPath}: suppression names unknown review rule id '${String(id)}'`);
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new ReviewConfigurationError(`${loc.constructPath}: suppression of ${id} has no reason; say why the finding is accepted`);
    }
    out.set(id, reason.trim());
  }
  return out;
}

// ---------------------------------------------------------------------------
// Small pure helpers
// ---------------------------------------------------------------------------

function resourceId(stack: string, logicalId: string): string {
  return `${stack}/${logicalId}`;
}

/** The construct path without the stack and the trailing `/Resource`: stable when a stack is renamed. */
function relativePath(loc: Location): string {
  return loc.constructPath.split('/').slice(1).join('/') || loc.logicalId;
}

/** `Stack/Access/Resource/Default` is declared by `Stack/Access`: the path a person wrote. */
function declaringConstruct(path: string): string {
  return path.replace(/^\//, '').replace(/\/Resource(\/Default)?$/, '').replace(/\/Default$/, '');
}

function isAuthorizeAll(loc: Location, endpoint: EndpointFacts): boolean {
  // aws-cdk-lib's ClientVpnEndpoint adds `<endpoint>/AuthorizeAll` when authorizeAllUsersToVpcCidr is on.
  return loc.constructPath === `${endpoint.constructPath}/AuthorizeAll`;
}

/** `Rules[2].Cidr` from ['Rules', 2, 'Cidr']. */
function propertyPath(path: ReadonlyArray<string | number>): string {
  let text = '';
  for (const step of path) {
    text = typeof step === 'number' ? `${text}[${step}]` : text ? `${text}.${step}` : step;
  }
  return text;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function prefixOr(s: string): string {
  return s ? `${s.replace(/\.$/, '')} ` : '';
}

interface ParsedCidr {
  readonly kind: 'ipv4' | 'ipv6';
  readonly canonical: string;
}

/** IPv4 or IPv6 CIDR, canonical (network address, compressed IPv6), via ipaddr.js. */
export function parseCidrAny(value: string): ParsedCidr | undefined {
  const v4 = parseIpv4Cidr(value);
  if (v4.ok) return { kind: 'ipv4', canonical: v4.cidr.canonical };
  if (!value.includes(':')) return undefined;
  try {
    const [, prefix] = ipaddr.IPv6.parseCIDR(value.trim());
    const network = ipaddr.IPv6.networkAddressFromCIDR(value.trim());
    return { kind: 'ipv6', canonical: `${network.toString()}/${prefix}` };
  } catch {
    return undefined;
  }
}

const PROTOCOLS: Record<string, string> = { '-1': 'all', 'all': 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

function normaliseProtocol(p: string): string {
  const lower = p.toLowerCase();
  return PROTOCOLS[lower] ?? lower;
}

/**
 * A port (or ICMP type or code, -1 for all) as a sort key: all ports first, then in
 * numeric order. (The same order as the six-digit text `String(n + 1).padStart(6, '0')`
 * after '' it replaced, without building the text.)
 */
function portKey(n: number | undefined): number {
  return n === undefined ? -1 : n + 1;
}

/** True when `a` admits everything `b` does (same source assumed). */
function covers(a: SecurityGroupIngressEntry, b: SecurityGroupIngressEntry): boolean {
  if (a.protocol === 'all') return true;
  if (a.protocol !== b.protocol) return false;
  if (a.fromPort === undefined) return true;
  if (b.fromPort === undefined) return false;
  return a.fromPort <= b.fromPort && (a.toPort ?? 0) >= (b.toPort ?? 0);
}

function describePorts(e: { protocol: string; fromPort?: number; toPort?: number }): string {
  if (e.protocol === 'all') return 'all protocols and ports';
  if (e.fromPort === undefined) return `${e.protocol} (all)`;
  return e.fromPort === e.toPort ? `${e.protocol} ${e.fromPort}` : `${e.protocol} ${e.fromPort}-${e.toPort}`;
}

/**
 * Ingress merged per source and protocol, port ranges joined. `ingress` is sorted by
 * source and protocol first, so the entries of each are one run, in order.
 */
function mergeAccess(ingress: readonly SecurityGroupIngressEntry[]): SecurityGroupAccess[] {
  const out: SecurityGroupAccess[] = [];
  let start = 0;
  while (start < ingress.length) {
    const first = ingress[start];
    let end = start + 1;
    while (end < ingress.length && ingress[end].source.kind === first.source.kind
      && ingress[end].source.id === first.source.id && ingress[end].protocol === first.protocol) {
      end++;
    }
    out.push({ source: first.source, protocol: first.protocol, ports: mergePorts(ingress, start, end) });
    start = end;
  }
  return out;
}

/** The ports of `ingress[start..end)` (one source and protocol): 'all', or merged ranges 'N' and 'N-M' in port order. */
function mergePorts(ingress: readonly SecurityGroupIngressEntry[], start: number, end: number): string[] {
  const ranges: Array<readonly [number, number]> = [];
  for (let i = start; i < end; i++) {
    const e = ingress[i];
    if (e.fromPort === undefined) return ['all'];
    ranges.push([e.fromPort, e.toPort ?? e.fromPort]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const ports: string[] = [];
  let from = ranges[0][0];
  let to = ranges[0][1];
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] <= to + 1) {
      to = Math.max(to, ranges[i][1]);
    } else {
      ports.push(from === to ? String(from) : `${from}-${to}`);
      from = ranges[i][0];
      to = ranges[i][1];
    }
  }
  ports.push(from === to ? String(from) : `${from}-${to}`);
  return ports;
}

/** `o` without its undefined properties: `o` itself when it has none (the usual case). */
function stripUndefined<T extends object>(o: T): T {
  if (!hasUndefined(o)) return o;
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The first differing key decides; keys at one index are all texts or all numbers. */
function compareKeys(a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

function byLocation(a: Location, b: Location): number {
  return compareKeys([a.constructPath, a.logicalId], [b.constructPath, b.logicalId]);
}

function hasUndefined(o: object): boolean {
  for (const k in o) {
    if (Object.prototype.hasOwnProperty.call(o, k) && (o as Record<string, unknown>)[k] === undefined) return true;
  }
  return false;
}

/** Two texts in code unit order, as `<` has them. */
function compareText(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Findings by severity, then rule id, stack, construct path and message (field by field: thousands of findings). */
function compareFindings(a: Finding, b: Finding): number {
  return (severityRank(a.severity) - severityRank(b.severity)) || compareText(a.ruleId, b.ruleId) || compareText(a.stack, b.stack)
    || compareText(a.constructPath, b.constructPath) || compareText(a.message, b.message);
}

/** Client VPN rules by CIDR, principal, construct path. */
function compareRules(a: ClientVpnRuleEntry, b: ClientVpnRuleEntry): number {
  return compareText(a.cidr, b.cidr) || compareText(a.principal, b.principal) || compareText(a.constructPath, b.constructPath);
}

/**
 * The first finding of each rule, resource and message, in order. Grouped by
 * message (the text is there already) rather than by a key built per finding.
 */
function distinctFindings(findings: readonly Finding[]): Finding[] {
  const byMessage = new Map<string, Finding[]>();
  return findings.filter(f => {
    const same = byMessage.get(f.message);
    if (!same) {
      byMessage.set(f.message, [f]);
      return true;
    }
    if (same.some(o => o.ruleId === f.ruleId && o.stack === f.stack && o.logicalId === f.logicalId)) return false;
    same.push(f);
    return true;
  });
}

/**
 * `items` in the order of `compare` on each item's key, stable like
 * Array.prototype.sort; each key is computed once rather than per comparison.
 */
function sortBy<T, K>(items: readonly T[], keyOf: (t: T) => K, compare: (a: K, b: K) => number): T[] {
  return items.map(item => ({ item, key: keyOf(item) }))
    .sort((a, b) => compare(a.key, b.key))
    .map(k => k.item);
}

/** `items` sorted by their lists of keys, compared in turn (see compareKeys). */
function sortByKeys<T>(items: readonly T[], keysOf: (t: T) => ReadonlyArray<string | number>): T[] {
  return sortBy(items, keysOf, compareKeys);
}

/** The items of each stack, in their order; a new list on each call. */
function groupByStack<T extends Location>(items: readonly T[]): (stack: string) => T[] {
  const byStack = new Map<string, T[]>();
  for (const item of items) {
    const list = byStack.get(item.stack);
    if (list) list.push(item);
    else byStack.set(item.stack, [item]);
  }
  return stack => [...(byStack.get(stack) ?? [])];
}

function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map(s => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function dedupeBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter(i => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
