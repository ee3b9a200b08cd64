/* eslint-disable no-bitwise */ // IPv6 CIDR arithmetic is bit arithmetic on 128-bit BigInts.
import { isIPv6 } from 'net';
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { SiteToSiteVpnTunnelOptions, VpnDhGroup } from './tunnel-options';
import { VpnTunnelLogOptionsProperty, VpnTunnelOptionsProperty } from '../private/contract/site-to-site-vpn';
import { NetworkAccessValidationError } from '../private/errors';
import { ipv4CidrContains, ParsedIpv4Cidr, parseIpv4Cidr } from '../private/ipv4-cidr';

/*
 * The option values AWS accepts, as listed by the CloudFormation schema of
 * AWS::EC2::VPNConnection (VpnTunnelOptionsSpecification) and the EC2 API
 * reference of CreateVpnConnection / ModifyVpnTunnelOptions. The `of()`
 * escape hatches exist for values computed at deploy time (tokens pass
 * unchecked); a literal outside these lists fails synth.
 */

/** Encryption algorithms AWS accepts for phase 1 and phase 2. */
export const ALLOWED_ENCRYPTION_ALGORITHMS: readonly string[] = ['AES128', 'AES256', 'AES128-GCM-16', 'AES256-GCM-16'];
/** Integrity algorithms AWS accepts for phase 1 and phase 2. */
export const ALLOWED_INTEGRITY_ALGORITHMS: readonly string[] = ['SHA1', 'SHA2-256', 'SHA2-384', 'SHA2-512'];
/** Diffie-Hellman groups AWS accepts for phase 1. */
export const ALLOWED_PHASE1_DH_GROUPS: readonly number[] = [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
/** Diffie-Hellman groups AWS accepts for phase 2 (group 5 is phase 2 only). */
export const ALLOWED_PHASE2_DH_GROUPS: readonly number[] = [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
export const ALLOWED_IKE_VERSIONS: readonly string[] = ['ikev1', 'ikev2'];
export const ALLOWED_DPD_TIMEOUT_ACTIONS: readonly string[] = ['clear', 'none', 'restart'];
export const ALLOWED_STARTUP_ACTIONS: readonly string[] = ['add', 'start'];
export const ALLOWED_LOG_OUTPUT_FORMATS: readonly string[] = ['json', 'text'];
export const ALLOWED_TUNNEL_BANDWIDTHS: readonly string[] = ['standard', 'large'];
export const ALLOWED_OUTSIDE_IP_ADDRESS_TYPES: readonly string[] = ['PublicIpv4', 'PrivateIpv4', 'Ipv6'];
export const ALLOWED_TUNNEL_INSIDE_IP_VERSIONS: readonly string[] = ['ipv4', 'ipv6'];
export const ALLOWED_PRE_SHARED_KEY_STORAGES: readonly string[] = ['Standard', 'SecretsManager'];

/**
 * The inside /30s AWS reserves (CloudFormation's VpnTunnelOptionsSpecification
 * TunnelInsideCidr constraints; the same list as aws-cdk-lib's
 * RESERVED_TUNNEL_INSIDE_CIDR).
 */
export const RESERVED_INSIDE_CIDRS: readonly string[] = [
  '169.254.0.0/30', '169.254.1.0/30', '169.254.2.0/30', '169.254.3.0/30',
  '169.254.4.0/30', '169.254.5.0/30', '169.254.169.252/30',
];

/** AWS's defaults, used for the cross-field checks when an option is left out. */
export const DEFAULT_PHASE1_LIFETIME_SECONDS = 28800;
export const DEFAULT_PHASE2_LIFETIME_SECONDS = 3600;
export const DEFAULT_REKEY_MARGIN_SECONDS = 270;

const LINK_LOCAL = (() => {
  const parsed = parseIpv4Cidr('169.254.0.0/16');
  if (!parsed.ok) throw new Error('unreachable');
  return parsed.cidr;
})();

/** Fails with `message` (prefixed by the construct path). */
export function fail(scope: IConstruct, message: string): never {
  throw new NetworkAccessValidationError(message, scope);
}

function quote(values: readonly (string | number)[]): string {
  return values.map(v => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ');
}

/** A literal must be one of `allowed`; tokens pass. */
export function checkOneOf(scope: IConstruct, option: string, value: string, allowed: readonly string[]): void {
  if (Token.isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    fail(scope, `${option} '${value}' is not one AWS accepts; use one of ${quote(allowed)}`);
  }
}

/** A whole number within [min, max]; tokens pass. */
export function checkInteger(scope: IConstruct, option: string, value: number | undefined, min: number, max?: number, unit = ''): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const shown = `${option} ${value}${unit}`;
  if (!Number.isInteger(value)) {
    fail(scope, `${shown} must be a whole number`);
  }
  if (value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `at least ${min}${unit}` : `from ${min} to ${max}${unit}`;
    fail(scope, `${shown} is out of range; AWS accepts ${range}`);
  }
}

/** Whole seconds of a Duration, or a token number for an unresolved one. */
export function durationSeconds(scope: IConstruct, option: string, duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  try {
    return duration.toSeconds();
  } catch {
    return fail(scope, `${option} ${duration.toHumanString()} is not a whole number of seconds; AWS takes whole seconds`);
  }
}

export interface ParsedIpv6Cidr {
  readonly network: bigint;
  readonly prefix: number;
  readonly canonical: string;
  readonly hostBitsSet: boolean;
}

function ipv6ToBigInt(address: string): bigint {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groupsOf = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':'));
  const expandV4 = (groups: string[]) => {
    const last = groups[groups.length - 1];
    if (last === undefined || !last.includes('.')) return groups;
    const octets = last.split('.').map(Number);
    return [...groups.slice(0, -1), ((octets[0] << 8) | octets[1]).toString(16), ((octets[2] << 8) | octets[3]).toString(16)];
  };
  const left = expandV4(groupsOf(head));
  const right = tail === undefined ? [] : expandV4(groupsOf(tail));
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function bigIntToIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (two or more) of zero groups.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map(g => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function ipv6Mask(prefix: number): bigint {
  return prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
}

/** Parse `address/prefix` as IPv6; undefined when it is not IPv6 CIDR notation. */
export function parseIpv6Cidr(value: string): ParsedIpv6Cidr | undefined {
  const match = /^([0-9A-Fa-f:.]+)\/([0-9]{1,3})$/.exec(value.trim());
  if (!match || !isIPv6(match[1])) return undefined;
  const prefix = Number(match[2]);
  if (prefix > 128) return undefined;
  const address = ipv6ToBigInt(match[1]);
  const network = address & ipv6Mask(prefix);
  return { network, prefix, canonical: `${bigIntToIpv6(network)}/${prefix}`, hostBitsSet: network !== address };
}

/** An IPv4 network in CIDR notation (no host bits); returns the canonical form. */
export function checkIpv4Network(scope: IConstruct, option: string, value: string): string {
  if (Token.isUnresolved(value)) return value;
  const parsed = parseIpv4Cidr(value);
  if (!parsed.ok) {
    return fail(scope, `${option} '${value}' ${parsed.reason}; write an IPv4 network such as '10.0.0.0/16'`);
  }
  if (parsed.cidr.hostBitsSet) {
    return fail(scope, `${option} '${value}' has host bits set; did you mean '${parsed.cidr.canonical}'?`);
  }
  return parsed.cidr.canonical;
}

/** An IPv6 network in CIDR notation (no host bits); returns the canonical form. */
export function checkIpv6Network(scope: IConstruct, option: string, value: string): string {
  if (Token.isUnresolved(value)) return value;
  const parsed = parseIpv6Cidr(value);
  if (!parsed) {
    return fail(scope, `${option} '${value}' is not in IPv6 CIDR notation; write an IPv6 network such as '2001:db8::/32'`);
  }
  if (parsed.hostBitsSet) {
    return fail(scope, `${option} '${value}' has host bits set; did you mean '${parsed.canonical}'?`);
  }
  return parsed.canonical;
}

/** A tunnel's inside IPv4 CIDR: a /30 inside 169.254.0.0/16, not reserved. */
export function checkInsideCidr(scope: IConstruct, option: string, value: string): string {
  if (Token.isUnresolved(value)) return value;
  const canonical = checkIpv4Network(scope, option, value);
  const parsed = parseIpv4Cidr(canonical) as { ok: true; cidr: ParsedIpv4Cidr };
  if (parsed.cidr.prefix !== 30 || !ipv4CidrContains(LINK_LOCAL, parsed.cidr)) {
    fail(scope, `${option} '${value}' is not a /30 inside 169.254.0.0/16; AWS takes a block such as '169.254.10.0/30'`);
  }
  if (RESERVED_INSIDE_CIDRS.includes(canonical)) {
    fail(scope, `${option} '${value}' is reserved by AWS (${RESERVED_INSIDE_CIDRS.join(', ')}); pick another /30 inside 169.254.0.0/16`);
  }
  return canonical;
}

/** A tunnel's inside IPv6 CIDR: a /126 inside fd00::/8. */
export function checkInsideIpv6Cidr(scope: IConstruct, option: string, value: string): string {
  if (Token.isUnresolved(value)) return value;
  const canonical = checkIpv6Network(scope, option, value);
  const parsed = parseIpv6Cidr(canonical)!;
  const inUniqueLocal = (parsed.network >> 120n) === 0xfdn;
  if (parsed.prefix !== 126 || !inUniqueLocal) {
    fail(scope, `${option} '${value}' is not a /126 inside fd00::/8; AWS takes a block such as 'fd00:0:0:1::/126'`);
  }
  return canonical;
}

function uniqueList<T>(scope: IConstruct, option: string, values: readonly T[], key: (v: T) => string | number): void {
  if (values.length === 0) {
    fail(scope, `${option} is an empty list; leave it out to allow all of AWS's values, or list at least one`);
  }
  const seen = new Set<string | number>();
  for (const v of values) {
    const k = key(v);
    if (Token.isUnresolved(k)) continue;
    if (seen.has(k)) {
      fail(scope, `${option} lists ${typeof k === 'number' ? k : `'${k}'`} twice; list each value once`);
    }
    seen.add(k);
  }
}

function stringList(
  scope: IConstruct, option: string, values: readonly { value: string }[] | undefined, allowed: readonly string[],
): string[] | undefined {
  if (values === undefined) return undefined;
  uniqueList(scope, option, values, v => v.value);
  values.forEach(v => checkOneOf(scope, option, v.value, allowed));
  return values.map(v => v.value);
}

function dhGroups(scope: IConstruct, option: string, values: readonly VpnDhGroup[] | undefined, allowed: readonly number[]): number[] | undefined {
  if (values === undefined) return undefined;
  uniqueList(scope, option, values, v => v.value);
  for (const group of values) {
    if (!Token.isUnresolved(group.value) && !allowed.includes(group.value)) {
      fail(scope, `${option} has Diffie-Hellman group ${group.value}, which AWS does not accept there; use one of ${allowed.join(', ')}`);
    }
  }
  return values.map(v => v.value);
}

/** What the tunnel checks need to know about the connection. */
export interface TunnelContext {
  /** 'ipv4', 'ipv6', or a token. */
  readonly insideIpVersion: string;
}

function known(value: number | undefined): value is number {
  return value !== undefined && !Token.isUnresolved(value);
}

/**
 * Validate one tunnel's options and render them in the wire contract's
 * shape. Returns undefined when the tunnel sets no option.
 */
export function renderTunnelOptions(
  scope: IConstruct,
  tunnel: 1 | 2,
  options: SiteToSiteVpnTunnelOptions | undefined,
  context: TunnelContext,
): VpnTunnelOptionsProperty | undefined {
  if (options === undefined) return undefined;
  const name = (option: string) => `tunnel${tunnel}.${option}`;

  let insideCidr: string | undefined;
  if (options.insideCidr !== undefined) {
    insideCidr = checkInsideCidr(scope, name('insideCidr'), options.insideCidr);
    if (context.insideIpVersion === 'ipv6') {
      fail(scope, `${name('insideCidr')} '${options.insideCidr}' is an IPv4 block, but tunnelInsideIpVersion is 'ipv6'; give ${name('insideIpv6Cidr')} instead`);
    }
  }
  let insideIpv6Cidr: string | undefined;
  if (options.insideIpv6Cidr !== undefined) {
    insideIpv6Cidr = checkInsideIpv6Cidr(scope, name('insideIpv6Cidr'), options.insideIpv6Cidr);
    if (context.insideIpVersion !== 'ipv6' && !Token.isUnresolved(context.insideIpVersion)) {
      fail(scope, `${name('insideIpv6Cidr')} '${options.insideIpv6Cidr}' needs tunnelInsideIpVersion VpnTunnelInsideIpVersion.IPV6 (it is '${context.insideIpVersion}')`);
    }
  }

  if (options.preSharedKeyField !== undefined && options.preSharedKey === undefined) {
    fail(scope, `${name('preSharedKeyField')} '${options.preSharedKeyField}' is set without ${name('preSharedKey')}; give the secret that holds the key`);
  }
  if (options.preSharedKeyField !== undefined && !Token.isUnresolved(options.preSharedKeyField) && options.preSharedKeyField.trim() === '') {
    fail(scope, `${name('preSharedKeyField')} is empty; leave it out when the whole secret string is the key`);
  }

  const version: unknown = options.preSharedKeyVersion;
  if (version !== undefined) {
    if (options.preSharedKey === undefined) {
      fail(scope, `${name('preSharedKeyVersion')} ${JSON.stringify(version)} is set without ${name('preSharedKey')}; give the secret that holds the key`);
    }
    if (typeof version !== 'string') {
      fail(scope, `${name('preSharedKeyVersion')} ${JSON.stringify(version) ?? String(version)} is not a string; give a version id or a staging label of the secret`);
    }
    if (!Token.isUnresolved(version) && (version.trim() === '' || version.length > 256)) {
      fail(scope, `${name('preSharedKeyVersion')} ${JSON.stringify(version)} must be a version id or a staging label of 1 to 256 characters; leave it out to use AWSCURRENT`);
    }
  }

  const phase1 = durationSeconds(scope, name('phase1Lifetime'), options.phase1Lifetime);
  const phase2 = durationSeconds(scope, name('phase2Lifetime'), options.phase2Lifetime);
  const rekeyMargin = durationSeconds(scope, name('rekeyMargin'), options.rekeyMargin);
  const dpdTimeout = durationSeconds(scope, name('dpdTimeout'), options.dpdTimeout);
  checkInteger(scope, name('phase1Lifetime'), phase1, 900, 28800, ' seconds');
  checkInteger(scope, name('phase2Lifetime'), phase2, 900, 3600, ' seconds');
  checkInteger(scope, name('rekeyMargin'), rekeyMargin, 60, undefined, ' seconds');
  checkInteger(scope, name('dpdTimeout'), dpdTimeout, 30, undefined, ' seconds');
  checkInteger(scope, name('rekeyFuzzPercentage'), options.rekeyFuzzPercentage, 0, 100);
  checkInteger(scope, name('replayWindowSize'), options.replayWindowSize, 64, 2048);

  // Cross-field rules hold against AWS's defaults too: a phase 1 lifetime of
  // 900 s with phase 2 left at its 3,600 s default is as invalid as an
  // explicit one.
  const effectivePhase1 = phase1 ?? DEFAULT_PHASE1_LIFETIME_SECONDS;
  const effectivePhase2 = phase2 ?? DEFAULT_PHASE2_LIFETIME_SECONDS;
  const effectiveRekey = rekeyMargin ?? DEFAULT_REKEY_MARGIN_SECONDS;
  const shown = (value: number | undefined, fallback: number) => (value === undefined ? `AWS's default ${fallback} seconds` : `${value} seconds`);
  if (known(effectivePhase1) && known(effectivePhase2) && effectivePhase2 >= effectivePhase1) {
    fail(scope, `${name('phase2Lifetime')} (${shown(phase2, DEFAULT_PHASE2_LIFETIME_SECONDS)}) must be shorter than ${name('phase1Lifetime')} (${shown(phase1, DEFAULT_PHASE1_LIFETIME_SECONDS)}); lengthen phase 1 or shorten phase 2`);
  }
  if (known(effectiveRekey) && known(effectivePhase2) && effectiveRekey * 2 > effectivePhase2) {
    fail(scope, `${name('rekeyMargin')} (${shown(rekeyMargin, DEFAULT_REKEY_MARGIN_SECONDS)}) is more than half of ${name('phase2Lifetime')} (${shown(phase2, DEFAULT_PHASE2_LIFETIME_SECONDS)}); AWS allows at most ${Math.floor(effectivePhase2 / 2)} seconds`);
  }

  if (options.dpdTimeoutAction) checkOneOf(scope, name('dpdTimeoutAction'), options.dpdTimeoutAction.value, ALLOWED_DPD_TIMEOUT_ACTIONS);
  if (options.startupAction) checkOneOf(scope, name('startupAction'), options.startupAction.value, ALLOWED_STARTUP_ACTIONS);

  let logOptions: VpnTunnelLogOptionsProperty | undefined;
  for (const [group, format] of [['logGroup', 'logOutputFormat'], ['bgpLogGroup', 'bgpLogOutputFormat']] as const) {
    const value = options[format];
    if (value !== undefined && options[group] === undefined) {
      fail(scope, `${name(format)} '${value.value}' is set without ${name(group)}; give the log group the ${group === 'logGroup' ? 'tunnel' : 'BGP'} logs go to`);
    }
    if (value !== undefined) checkOneOf(scope, name(format), value.value, ALLOWED_LOG_OUTPUT_FORMATS);
  }
  if (options.logGroup !== undefined || options.bgpLogGroup !== undefined) {
    // One CloudwatchLogOptions carries both streams; LogEnabled is written
    // either way, so BGP logs alone turn the activity logs off explicitly.
    logOptions = {
      LogEnabled: options.logGroup !== undefined,
      ...(options.logGroup !== undefined ? { LogGroupArn: options.logGroup.logGroupArn } : {}),
      ...(options.logGroup !== undefined && options.logOutputFormat ? { LogOutputFormat: options.logOutputFormat.value } : {}),
      ...(options.bgpLogGroup !== undefined ? {
        BgpLogEnabled: true,
        BgpLogGroupArn: options.bgpLogGroup.logGroupArn,
        ...(options.bgpLogOutputFormat ? { BgpLogOutputFormat: options.bgpLogOutputFormat.value } : {}),
      } : {}),
    };
  }

  const rendered: VpnTunnelOptionsProperty = {
    TunnelInsideCidr: insideCidr,
    TunnelInsideIpv6Cidr: insideIpv6Cidr,
    PreSharedKeySecretArn: options.preSharedKey?.secretArn,
    PreSharedKeySecretField: options.preSharedKeyField,
    PreSharedKeySecretVersion: options.preSharedKeyVersion,
    Phase1LifetimeSeconds: phase1,
    Phase2LifetimeSeconds: phase2,
    RekeyMarginTimeSeconds: rekeyMargin,
    RekeyFuzzPercentage: options.rekeyFuzzPercentage,
    ReplayWindowSize: options.replayWindowSize,
    DPDTimeoutSeconds: dpdTimeout,
    DPDTimeoutAction: options.dpdTimeoutAction?.value,
    Phase1EncryptionAlgorithms: stringList(scope, name('phase1EncryptionAlgorithms'), options.phase1EncryptionAlgorithms, ALLOWED_ENCRYPTION_ALGORITHMS),
    Phase2EncryptionAlgorithms: stringList(scope, name('phase2EncryptionAlgorithms'), options.phase2EncryptionAlgorithms, ALLOWED_ENCRYPTION_ALGORITHMS),
    Phase1IntegrityAlgorithms: stringList(scope, name('phase1IntegrityAlgorithms'), options.phase1IntegrityAlgorithms, ALLOWED_INTEGRITY_ALGORITHMS),
    Phase2IntegrityAlgorithms: stringList(scope, name('phase2IntegrityAlgorithms'), options.phase2IntegrityAlgorithms, ALLOWED_INTEGRITY_ALGORITHMS),
    Phase1DHGroupNumbers: dhGroups(scope, name('phase1DhGroups'), options.phase1DhGroups, ALLOWED_PHASE1_DH_GROUPS),
    Phase2DHGroupNumbers: dhGroups(scope, name('phase2DhGroups'), options.phase2DhGroups, ALLOWED_PHASE2_DH_GROUPS),
    IKEVersions: stringList(scope, name('ikeVersions'), options.ikeVersions, ALLOWED_IKE_VERSIONS),
    StartupAction: options.startupAction?.value,
    EnableTunnelLifecycleControl: options.enableTunnelLifecycleControl,
    LogOptions: logOptions,
  };
  // Absent options stay absent, so the template shows only what was declared.
  return Object.fromEntries(Object.entries(rendered).filter(([, v]) => v !== undefined)) as VpnTunnelOptionsProperty;
}
