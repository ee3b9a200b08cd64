/**
 * Parsing and validation of the connection's ResourceProperties.
 *
 * CloudFormation hands every scalar over as a string, the construct's
 * synth-time checks cannot see resolved tokens, and Delete and rollback replay
 * old shapes: the handler checks everything again and names the property and
 * its value in every problem. Nothing here is secret (a pre-shared key is
 * referenced by a secret ARN), so values may be quoted.
 */
import { isIPv4, isIPv6 } from 'node:net';
import {
  SITE_TO_SITE_VPN_SCHEMA_VERSION,
  VPN_OWNER_TAG_KEY,
  VPN_REQUEST_TAG_KEY,
} from '../../src/private/contract/site-to-site-vpn';
import { isRecord, shown } from '../shared/property-values';


/** Where a tunnel's pre-shared key lives: a secret, optionally a JSON field of it and a version of it. */
export interface PreSharedKeyReference {
  readonly secretArn: string;
  readonly field?: string;
  /** A version id (UUID) or a staging label; absent: AWSCURRENT. */
  readonly version?: string;
}

/** Secrets Manager version ids are UUIDs; anything else names a staging label. */
const SECRET_VERSION_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** GetSecretValue's version selector for a declared version. */
export function secretVersionSelector(version: string | undefined): { VersionId?: string; VersionStage?: string } {
  if (version === undefined) {
    return {};
  }
  return SECRET_VERSION_ID.test(version) ? { VersionId: version } : { VersionStage: version };
}

export interface TunnelLogOptions {
  readonly enabled: boolean;
  readonly logGroupArn?: string;
  readonly outputFormat?: string;
  /** BGP logs: off when absent or false. */
  readonly bgpEnabled?: boolean;
  readonly bgpLogGroupArn?: string;
  readonly bgpOutputFormat?: string;
}

/** One tunnel's declared options; absent fields take AWS's defaults (see tunnel-options.ts). */
export interface TunnelSpec {
  readonly insideCidr?: string;
  readonly insideIpv6Cidr?: string;
  readonly preSharedKey?: PreSharedKeyReference;
  readonly phase1LifetimeSeconds?: number;
  readonly phase2LifetimeSeconds?: number;
  readonly rekeyMarginTimeSeconds?: number;
  readonly rekeyFuzzPercentage?: number;
  readonly replayWindowSize?: number;
  readonly dpdTimeoutSeconds?: number;
  readonly dpdTimeoutAction?: string;
  readonly phase1EncryptionAlgorithms?: readonly string[];
  readonly phase2EncryptionAlgorithms?: readonly string[];
  readonly phase1IntegrityAlgorithms?: readonly string[];
  readonly phase2IntegrityAlgorithms?: readonly string[];
  readonly phase1DhGroupNumbers?: readonly number[];
  readonly phase2DhGroupNumbers?: readonly number[];
  readonly ikeVersions?: readonly string[];
  readonly startupAction?: string;
  readonly enableTunnelLifecycleControl?: boolean;
  readonly logOptions?: TunnelLogOptions;
}

export interface UserTag {
  readonly key: string;
  readonly value: string;
}

/**
 * A validated connection, independent of the schema version it was read
 * from. The options that replace the connection carry AWS's default when
 * absent, so that absent and explicit-default compare equal.
 */
export interface VpnSpec {
  readonly ownerTag: string;
  readonly customerGatewayId: string;
  readonly vpnGatewayId?: string;
  readonly transitGatewayId?: string;
  readonly type: string;
  readonly staticRoutesOnly: boolean;
  readonly enableAcceleration: boolean;
  readonly tunnelInsideIpVersion: 'ipv4' | 'ipv6';
  readonly localIpv4NetworkCidr?: string;
  readonly remoteIpv4NetworkCidr?: string;
  readonly localIpv6NetworkCidr?: string;
  readonly remoteIpv6NetworkCidr?: string;
  readonly outsideIpAddressType: string;
  readonly transportTransitGatewayAttachmentId?: string;
  readonly preSharedKeyStorage: string;
  /** 'standard' or 'large'; absent means AWS's default, 'standard'. */
  readonly tunnelBandwidth?: string;
  /** Zero to two entries; entry i configures tunnel i + 1. */
  readonly tunnels: readonly TunnelSpec[];
  readonly configurationSecretArn: string;
  readonly tags: readonly UserTag[];
}

export type ParseResult =
  | { readonly ok: true; readonly spec: VpnSpec }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Schema versions this handler reads. Every version ever shipped stays here. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly string[] = [SITE_TO_SITE_VPN_SCHEMA_VERSION];

/** Tag keys the handler writes itself start with this; user tags may not. */
export const RESERVED_TAG_PREFIX = 'cdk-network-access:';

/** Valid values, from the EC2 API reference of VpnTunnelOptionsSpecification. */
export const ENCRYPTION_ALGORITHMS: readonly string[] = ['AES128', 'AES256', 'AES128-GCM-16', 'AES256-GCM-16'];
export const INTEGRITY_ALGORITHMS: readonly string[] = ['SHA1', 'SHA2-256', 'SHA2-384', 'SHA2-512'];
export const PHASE1_DH_GROUPS: readonly number[] = [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
export const PHASE2_DH_GROUPS: readonly number[] = [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
export const IKE_VERSIONS: readonly string[] = ['ikev1', 'ikev2'];
const DPD_ACTIONS: readonly string[] = ['clear', 'none', 'restart'];
const STARTUP_ACTIONS: readonly string[] = ['add', 'start'];
const LOG_FORMATS: readonly string[] = ['json', 'text'];
const TUNNEL_BANDWIDTHS: readonly string[] = ['standard', 'large'];
const OUTSIDE_IP_TYPES: readonly string[] = ['PublicIpv4', 'PrivateIpv4', 'Ipv6'];
const PSK_STORAGE: readonly string[] = ['Standard', 'SecretsManager'];

/** AWS reserves these /30s inside 169.254.0.0/16 for its own use. */
export const RESERVED_INSIDE_CIDRS: readonly string[] = [
  '169.254.0.0/30', '169.254.1.0/30', '169.254.2.0/30', '169.254.3.0/30',
  '169.254.4.0/30', '169.254.5.0/30', '169.254.169.252/30',
];

/** Integer options with the bounds the API reference gives. */
const INTEGER_OPTIONS: ReadonlyArray<{ readonly property: string; readonly key: keyof TunnelSpec; readonly min: number; readonly max: number }> = [
  { property: 'Phase1LifetimeSeconds', key: 'phase1LifetimeSeconds', min: 900, max: 28_800 },
  { property: 'Phase2LifetimeSeconds', key: 'phase2LifetimeSeconds', min: 900, max: 3_600 },
  { property: 'RekeyMarginTimeSeconds', key: 'rekeyMarginTimeSeconds', min: 60, max: 1_800 },
  { property: 'RekeyFuzzPercentage', key: 'rekeyFuzzPercentage', min: 0, max: 100 },
  { property: 'ReplayWindowSize', key: 'replayWindowSize', min: 64, max: 2_048 },
  { property: 'DPDTimeoutSeconds', key: 'dpdTimeoutSeconds', min: 30, max: Number.MAX_SAFE_INTEGER },
];

const CUSTOMER_GATEWAY_ID = /^cgw-[0-9a-zA-Z]+$/;
const VPN_GATEWAY_ID = /^vgw-[0-9a-zA-Z]+$/;
const TRANSIT_GATEWAY_ID = /^tgw-[0-9a-zA-Z]+$/;
const TGW_ATTACHMENT_ID = /^tgw-attach-[0-9a-zA-Z]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_/.#-]+(:\*)?$/;

const MAX_PROBLEMS_REPORTED = 8;


/** Collects problems while reading one object's fields. */
class Reader {
  public constructor(
    private readonly raw: Record<string, unknown>,
    private readonly path: string,
    public readonly problems: string[],
  ) {}

  public name(property: string): string {
    return this.path ? `${this.path}.${property}` : property;
  }

  public has(property: string): boolean {
    return this.raw[property] !== undefined;
  }

  public raw_(property: string): unknown {
    return this.raw[property];
  }

  public problem(property: string, text: string): void {
    this.problems.push(`${this.name(property)} ${shown(this.raw[property])} ${text}`);
  }

  public string(
    property: string,
    options: { required?: boolean; pattern?: RegExp; hint?: string; oneOf?: readonly string[] } = {},
  ): string | undefined {
    const value = this.raw[property];
    if (value === undefined) {
      if (options.required) {
        this.problems.push(`${this.name(property)} is required`);
      }
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(property, 'must be a non-empty string');
      return undefined;
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.problem(property, `is not ${options.hint ?? 'valid'}`);
      return undefined;
    }
    if (options.oneOf && !options.oneOf.includes(value)) {
      this.problem(property, `must be one of ${options.oneOf.join(', ')}`);
      return undefined;
    }
    return value;
  }

  public boolean(property: string): boolean | undefined {
    const value = this.raw[property];
    if (value === undefined) {
      return undefined;
    }
    if (value === true || value === 'true') {
      return true;
    }
    if (value === false || value === 'false') {
      return false;
    }
    this.problem(property, "must be true or false (or 'true'/'false')");
    return undefined;
  }

  public integer(property: string, min: number, max: number): number | undefined {
    const value = this.raw[property];
    if (value === undefined) {
      return undefined;
    }
    const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed)) {
      this.problem(property, 'must be an integer');
      return undefined;
    }
    if (parsed < min || parsed > max) {
      this.problem(property, max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`);
      return undefined;
    }
    return parsed;
  }

  public stringList(property: string, allowed: readonly string[]): string[] | undefined {
    const list = this.list(property);
    if (!list) {
      return undefined;
    }
    if (list.some(item => typeof item !== 'string' || !allowed.includes(item))) {
      this.problem(property, `must list values from ${allowed.join(', ')}`);
      return undefined;
    }
    return list as string[];
  }

  public numberList(property: string, allowed: readonly number[]): number[] | undefined {
    const list = this.list(property);
    if (!list) {
      return undefined;
    }
    const numbers = list.map(item => (typeof item === 'number' ? item : typeof item === 'string' && /^\d+$/.test(item) ? Number(item) : NaN));
    if (numbers.some(n => !allowed.includes(n))) {
      this.problem(property, `must list values from ${allowed.join(', ')}`);
      return undefined;
    }
    return numbers;
  }

  private list(property: string): unknown[] | undefined {
    const value = this.raw[property];
    if (value === undefined) {
      return undefined;
    }
    if (!Array.isArray(value) || value.length === 0) {
      this.problem(property, 'must be a non-empty list');
      return undefined;
    }
    if (new Set(value.map(item => String(item))).size !== value.length) {
      this.problem(property, 'lists a value twice');
      return undefined;
    }
    return value;
  }
}

/** The 32-bit value of a dotted IPv4 address. */
function ipv4Value(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** The problem with an IPv4 CIDR, or undefined when it is a network address with a valid prefix. */
export function ipv4CidrProblem(cidr: string): string | undefined {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr);
  if (!match || !isIPv4(match[1]) || Number(match[2]) > 32) {
    return 'is not an IPv4 CIDR (a.b.c.d/n)';
  }
  const blockSize = 2 ** (32 - Number(match[2]));
  return ipv4Value(match[1]) % blockSize === 0 ? undefined : 'has host bits set';
}

/** The 128-bit value of an IPv6 address. */
export function ipv6Value(address: string): bigint {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => acc * 65536n + BigInt(parseInt(group || '0', 16)), 0n);
}

export function ipv6CidrProblem(cidr: string): string | undefined {
  const match = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(cidr);
  if (!match || !isIPv6(match[1]) || Number(match[2]) > 128) {
    return 'is not an IPv6 CIDR (x:x::/n)';
  }
  const hostBits = BigInt(128 - Number(match[2]));
  return ipv6Value(match[1]) % 2n ** hostBits === 0n ? undefined : 'has host bits set';
}

function tunnelInsideCidrProblem(cidr: string): string | undefined {
  const problem = ipv4CidrProblem(cidr);
  if (problem) {
    return problem;
  }
  if (!cidr.endsWith('/30') || !cidr.startsWith('169.254.')) {
    return 'must be a /30 inside 169.254.0.0/16';
  }
  if (RESERVED_INSIDE_CIDRS.includes(cidr)) {
    return `is reserved by AWS (reserved: ${RESERVED_INSIDE_CIDRS.join(', ')})`;
  }
  return undefined;
}

function tunnelInsideIpv6CidrProblem(cidr: string): string | undefined {
  const problem = ipv6CidrProblem(cidr);
  if (problem) {
    return problem;
  }
  const [address, prefix] = cidr.split('/');
  if (prefix !== '126' || ipv6Value(address) / 2n ** 120n !== 0xfdn) {
    return 'must be a /126 inside fd00::/8';
  }
  return undefined;
}

function parseTunnel(raw: unknown, path: string, problems: string[]): TunnelSpec | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path} must be an object of tunnel options, got ${shown(raw)}`);
    return undefined;
  }
  const before = problems.length;
  const r = new Reader(raw, path, problems);
  const cidr = (property: string, check: (value: string) => string | undefined): string | undefined => {
    const value = r.string(property);
    const problem = value === undefined ? undefined : check(value);
    if (problem) {
      r.problem(property, problem);
      return undefined;
    }
    return value;
  };

  const insideCidr = cidr('TunnelInsideCidr', tunnelInsideCidrProblem);
  const insideIpv6Cidr = cidr('TunnelInsideIpv6Cidr', tunnelInsideIpv6CidrProblem);
  const secretArn = r.string('PreSharedKeySecretArn', { pattern: SECRET_ARN, hint: 'a Secrets Manager secret ARN' });
  const field = r.string('PreSharedKeySecretField');
  if (field !== undefined && !r.has('PreSharedKeySecretArn')) {
    r.problem('PreSharedKeySecretField', 'needs PreSharedKeySecretArn');
  }
  const version = r.string('PreSharedKeySecretVersion');
  if (version !== undefined && !r.has('PreSharedKeySecretArn')) {
    r.problem('PreSharedKeySecretVersion', 'needs PreSharedKeySecretArn');
  } else if (version !== undefined && version.length > 256) {
    r.problem('PreSharedKeySecretVersion', 'is longer than 256 characters (a version id or a staging label)');
  }
  const integers: Partial<Record<keyof TunnelSpec, number>> = {};
  for (const option of INTEGER_OPTIONS) {
    const value = r.integer(option.property, option.min, option.max);
    if (value !== undefined) {
      integers[option.key] = value;
    }
  }
  const spec: TunnelSpec = {
    ...(insideCidr !== undefined ? { insideCidr } : {}),
    ...(insideIpv6Cidr !== undefined ? { insideIpv6Cidr } : {}),
    ...(secretArn !== undefined ? { preSharedKey: { secretArn, ...defined('field', field), ...defined('version', version) } } : {}),
    ...(integers as Partial<TunnelSpec>),
    ...defined('dpdTimeoutAction', r.string('DPDTimeoutAction', { oneOf: DPD_ACTIONS })),
    ...defined('phase1EncryptionAlgorithms', r.stringList('Phase1EncryptionAlgorithms', ENCRYPTION_ALGORITHMS)),
    ...defined('phase2EncryptionAlgorithms', r.stringList('Phase2EncryptionAlgorithms', ENCRYPTION_ALGORITHMS)),
    ...defined('phase1IntegrityAlgorithms', r.stringList('Phase1IntegrityAlgorithms', INTEGRITY_ALGORITHMS)),
    ...defined('phase2IntegrityAlgorithms', r.stringList('Phase2IntegrityAlgorithms', INTEGRITY_ALGORITHMS)),
    ...defined('phase1DhGroupNumbers', r.numberList('Phase1DHGroupNumbers', PHASE1_DH_GROUPS)),
    ...defined('phase2DhGroupNumbers', r.numberList('Phase2DHGroupNumbers', PHASE2_DH_GROUPS)),
    ...defined('ikeVersions', r.stringList('IKEVersions', IKE_VERSIONS)),
    ...defined('startupAction', r.string('StartupAction', { oneOf: STARTUP_ACTIONS })),
    ...defined('enableTunnelLifecycleControl', r.boolean('EnableTunnelLifecycleControl')),
    ...defined('logOptions', parseLogOptions(raw.LogOptions, `${path}.LogOptions`, problems)),
  };
  if (spec.phase1LifetimeSeconds !== undefined && spec.phase2LifetimeSeconds !== undefined
    && spec.phase2LifetimeSeconds >= spec.phase1LifetimeSeconds) {
    r.problem('Phase2LifetimeSeconds', `must be less than Phase1LifetimeSeconds (${spec.phase1LifetimeSeconds})`);
  }
  if (spec.rekeyMarginTimeSeconds !== undefined && spec.rekeyMarginTimeSeconds > (spec.phase2LifetimeSeconds ?? 3600) / 2) {
    r.problem('RekeyMarginTimeSeconds', `must be at most half of Phase2LifetimeSeconds (${spec.phase2LifetimeSeconds ?? 3600})`);
  }
  return problems.length > before ? undefined : spec;
}

function parseLogOptions(raw: unknown, path: string, problems: string[]): TunnelLogOptions | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (!isRecord(raw)) {
    problems.push(`${path} must be an object with LogEnabled, got ${shown(raw)}`);
    return undefined;
  }
  const r = new Reader(raw, path, problems);
  const enabled = r.boolean('LogEnabled');
  if (enabled === undefined && !r.has('LogEnabled')) {
    problems.push(`${path}.LogEnabled is required`);
  }
  const logGroupArn = r.string('LogGroupArn', { pattern: LOG_GROUP_ARN, hint: 'a CloudWatch Logs log group ARN' });
  const outputFormat = r.string('LogOutputFormat', { oneOf: LOG_FORMATS });
  if (enabled === true && !r.has('LogGroupArn')) {
    problems.push(`${path}.LogGroupArn is required when LogEnabled is true`);
  }
  const bgpEnabled = r.boolean('BgpLogEnabled');
  const bgpLogGroupArn = r.string('BgpLogGroupArn', { pattern: LOG_GROUP_ARN, hint: 'a CloudWatch Logs log group ARN' });
  const bgpOutputFormat = r.string('BgpLogOutputFormat', { oneOf: LOG_FORMATS });
  if (bgpEnabled === true && !r.has('BgpLogGroupArn')) {
    problems.push(`${path}.BgpLogGroupArn is required when BgpLogEnabled is true`);
  }
  return {
    enabled: enabled === true,
    ...defined('logGroupArn', logGroupArn),
    ...defined('outputFormat', outputFormat),
    ...(bgpEnabled === true ? { bgpEnabled: true } : {}),
    ...defined('bgpLogGroupArn', bgpLogGroupArn),
    ...defined('bgpOutputFormat', bgpOutputFormat),
  };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function parseTags(raw: unknown, problems: string[]): UserTag[] {
  if (raw === undefined) {
    return [];
  }
  if (!Array.isArray(raw)) {
    problems.push(`Tags must be a list of { Key, Value }, got ${shown(raw)}`);
    return [];
  }
  const tags: UserTag[] = [];
  const seen = new Set<string>();
  raw.forEach((item: unknown, index: number) => {
    const path = `Tags[${index}]`;
    if (!isRecord(item) || typeof item.Key !== 'string' || typeof item.Value !== 'string') {
      problems.push(`${path} must be { Key, Value } with string values, got ${shown(item)}`);
      return;
    }
    if (item.Key === '' || item.Key.length > 127 || item.Value.length > 255) {
      problems.push(`${path} key ${shown(item.Key)} must be 1 to 127 characters and its value at most 255`);
    } else if (item.Key.toLowerCase().startsWith('aws:') || item.Key.startsWith(RESERVED_TAG_PREFIX)) {
      problems.push(`${path}.Key ${shown(item.Key)} is reserved ('aws:' and '${RESERVED_TAG_PREFIX}' keys are not user tags)`);
    } else if (seen.has(item.Key)) {
      problems.push(`${path}.Key ${shown(item.Key)} is listed twice`);
    } else {
      seen.add(item.Key);
      tags.push({ key: item.Key, value: item.Value });
    }
  });
  return tags;
}

/** Validates `raw` (ResourceProperties of any shipped schema version). Never throws. */
export function parseVpnProperties(raw: unknown): ParseResult {
  if (!isRecord(raw)) {
    return { ok: false, problems: [`ResourceProperties must be an object, got ${shown(raw)}`] };
  }
  const problems: string[] = [];
  const r = new Reader(raw, '', problems);

  const version = raw.SchemaVersion;
  if (typeof version !== 'string' || !SUPPORTED_SCHEMA_VERSIONS.includes(version)) {
    // A shape from another version cannot be read field by field: stop here.
    return {
      ok: false,
      problems: [`SchemaVersion ${shown(version)} is not one this handler reads (${SUPPORTED_SCHEMA_VERSIONS.join(', ')}); `
        + 'deploy the handler version that wrote it, or update the construct library'],
    };
  }

  const ownerTag = r.string('OwnerTag', { required: true });
  if (ownerTag !== undefined && ownerTag.length > 255) {
    r.problem('OwnerTag', 'is longer than 255 characters (the EC2 tag value limit)');
  }
  const customerGatewayId = r.string('CustomerGatewayId', { required: true, pattern: CUSTOMER_GATEWAY_ID, hint: 'a customer gateway id (cgw-...)' });
  const vpnGatewayId = r.string('VpnGatewayId', { pattern: VPN_GATEWAY_ID, hint: 'a virtual private gateway id (vgw-...)' });
  const transitGatewayId = r.string('TransitGatewayId', { pattern: TRANSIT_GATEWAY_ID, hint: 'a transit gateway id (tgw-...)' });
  if (r.has('VpnGatewayId') === r.has('TransitGatewayId')) {
    problems.push(`exactly one of VpnGatewayId and TransitGatewayId is required, got ${shown(raw.VpnGatewayId)} and ${shown(raw.TransitGatewayId)}`);
  }
  const type = r.string('Type', { required: true, oneOf: ['ipsec.1'] });
  const staticRoutesOnly = r.boolean('StaticRoutesOnly') ?? false;
  const enableAcceleration = r.boolean('EnableAcceleration') ?? false;
  if (enableAcceleration && r.has('VpnGatewayId')) {
    r.problem('EnableAcceleration', 'needs a transit gateway; a virtual private gateway does not support acceleration');
  }
  const tunnelInsideIpVersion = (r.string('TunnelInsideIpVersion', { oneOf: ['ipv4', 'ipv6'] }) ?? 'ipv4') as 'ipv4' | 'ipv6';
  const networkCidr = (property: string, check: (cidr: string) => string | undefined): string | undefined => {
    const value = r.string(property);
    const problem = value === undefined ? undefined : check(value);
    if (problem) {
      r.problem(property, problem);
      return undefined;
    }
    return value;
  };
  const localIpv4NetworkCidr = networkCidr('LocalIpv4NetworkCidr', ipv4CidrProblem);
  const remoteIpv4NetworkCidr = networkCidr('RemoteIpv4NetworkCidr', ipv4CidrProblem);
  const localIpv6NetworkCidr = networkCidr('LocalIpv6NetworkCidr', ipv6CidrProblem);
  const remoteIpv6NetworkCidr = networkCidr('RemoteIpv6NetworkCidr', ipv6CidrProblem);
  const outsideIpAddressType = r.string('OutsideIpAddressType', { oneOf: OUTSIDE_IP_TYPES }) ?? 'PublicIpv4';
  const transportTransitGatewayAttachmentId = r.string('TransportTransitGatewayAttachmentId', {
    pattern: TGW_ATTACHMENT_ID, hint: 'a transit gateway attachment id (tgw-attach-...)',
  });
  const preSharedKeyStorage = r.string('PreSharedKeyStorage', { oneOf: PSK_STORAGE }) ?? 'Standard';
  const tunnelBandwidth = r.string('TunnelBandwidth', { oneOf: TUNNEL_BANDWIDTHS });
  if (tunnelBandwidth === 'large' && r.has('VpnGatewayId')) {
    r.problem('TunnelBandwidth', "'large' needs a transit gateway; a virtual private gateway offers only 'standard'");
  }
  const configurationSecretArn = r.string('ConfigurationSecretArn', { required: true, pattern: SECRET_ARN, hint: 'a Secrets Manager secret ARN' });

  const tunnels: TunnelSpec[] = [];
  const rawTunnels = r.raw_('TunnelOptions');
  if (rawTunnels !== undefined) {
    if (!Array.isArray(rawTunnels) || rawTunnels.length > 2) {
      problems.push(`TunnelOptions must be a list of at most 2 tunnels, got ${shown(rawTunnels)}`);
    } else {
      rawTunnels.forEach((item: unknown, index: number) => {
        const tunnel = parseTunnel(item, `TunnelOptions[${index}]`, problems);
        if (tunnel) {
          tunnels.push(tunnel);
        }
      });
      const insides = tunnels.map(t => t.insideCidr).filter((c): c is string => c !== undefined);
      if (new Set(insides).size !== insides.length) {
        problems.push(`TunnelOptions: both tunnels use TunnelInsideCidr ${shown(insides[0])}; each tunnel needs its own /30`);
      }
      const insides6 = tunnels.map(t => t.insideIpv6Cidr).filter((c): c is string => c !== undefined);
      if (new Set(insides6).size !== insides6.length) {
        problems.push(`TunnelOptions: both tunnels use TunnelInsideIpv6Cidr ${shown(insides6[0])}; each tunnel needs its own /126`);
      }
    }
  }
  const tags = parseTags(raw.Tags, problems);

  if (problems.length > 0) {
    const reported = problems.slice(0, MAX_PROBLEMS_REPORTED);
    if (problems.length > MAX_PROBLEMS_REPORTED) {
      reported.push(`and ${problems.length - MAX_PROBLEMS_REPORTED} more problems`);
    }
    return { ok: false, problems: reported };
  }
  return {
    ok: true,
    spec: {
      ownerTag: ownerTag as string,
      customerGatewayId: customerGatewayId as string,
      ...defined('vpnGatewayId', vpnGatewayId),
      ...defined('transitGatewayId', transitGatewayId),
      type: type as string,
      staticRoutesOnly,
      enableAcceleration,
      tunnelInsideIpVersion,
      ...defined('localIpv4NetworkCidr', localIpv4NetworkCidr),
      ...defined('remoteIpv4NetworkCidr', remoteIpv4NetworkCidr),
      ...defined('localIpv6NetworkCidr', localIpv6NetworkCidr),
      ...defined('remoteIpv6NetworkCidr', remoteIpv6NetworkCidr),
      outsideIpAddressType,
      ...defined('transportTransitGatewayAttachmentId', transportTransitGatewayAttachmentId),
      preSharedKeyStorage,
      ...defined('tunnelBandwidth', tunnelBandwidth),
      tunnels,
      configurationSecretArn: configurationSecretArn as string,
      tags,
    },
  };
}

/**
 * The properties AWS cannot change in place (the contract's
 * SITE_TO_SITE_VPN_REPLACING_PROPERTIES), by name, whose normalised values
 * differ between `before` and `after`.
 */
export function replacingChanges(before: VpnSpec, after: VpnSpec): string[] {
  const pairs: Array<[string, unknown, unknown]> = [
    ['Type', before.type, after.type],
    ['StaticRoutesOnly', before.staticRoutesOnly, after.staticRoutesOnly],
    ['EnableAcceleration', before.enableAcceleration, after.enableAcceleration],
    ['TunnelInsideIpVersion', before.tunnelInsideIpVersion, after.tunnelInsideIpVersion],
    ['OutsideIpAddressType', before.outsideIpAddressType, after.outsideIpAddressType],
    ['TransportTransitGatewayAttachmentId', before.transportTransitGatewayAttachmentId, after.transportTransitGatewayAttachmentId],
    ['PreSharedKeyStorage', before.preSharedKeyStorage, after.preSharedKeyStorage],
    ['OwnerTag', before.ownerTag, after.ownerTag],
  ];
  return pairs.filter(([, a, b]) => a !== b).map(([name]) => name);
}

/** The tag keys the handler writes, which user tags may not use. */
export const SYSTEM_TAG_KEYS: readonly string[] = [VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY];
