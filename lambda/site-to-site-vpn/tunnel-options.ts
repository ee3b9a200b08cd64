/**
 * Tunnel options: AWS's defaults, the comparison of declared options with
 * what DescribeVpnConnections reports, and the request shapes built from them.
 *
 * Comparison is on effective values (a field that is absent on either side
 * means AWS's default), because DescribeVpnConnections reports only the
 * options that were set, and a template that drops an option asks for the
 * default back. Lists compare as sets. The inside CIDRs are the exception:
 * absent means "whatever AWS assigned", never a change.
 *
 * The pre-shared key is not compared here: no key value ever enters these
 * comparisons (see preSharedKeyMarker).
 */
import { createHash } from 'node:crypto';
import type {
  ModifyVpnTunnelOptionsSpecification,
  TunnelOption,
  VpnTunnelOptionsSpecification,
} from '@aws-sdk/client-ec2';
import { ENCRYPTION_ALGORITHMS, IKE_VERSIONS, INTEGRITY_ALGORITHMS, PHASE1_DH_GROUPS, PHASE2_DH_GROUPS, TunnelSpec } from './properties';

/** AWS's defaults, from the EC2 API reference of ModifyVpnTunnelOptionsSpecification. */
export const TUNNEL_DEFAULTS = {
  phase1LifetimeSeconds: 28_800,
  phase2LifetimeSeconds: 3_600,
  rekeyMarginTimeSeconds: 270,
  rekeyFuzzPercentage: 100,
  replayWindowSize: 1_024,
  dpdTimeoutSeconds: 40,
  dpdTimeoutAction: 'clear',
  phase1EncryptionAlgorithms: ENCRYPTION_ALGORITHMS,
  phase2EncryptionAlgorithms: ENCRYPTION_ALGORITHMS,
  phase1IntegrityAlgorithms: INTEGRITY_ALGORITHMS,
  phase2IntegrityAlgorithms: INTEGRITY_ALGORITHMS,
  phase1DhGroupNumbers: PHASE1_DH_GROUPS,
  phase2DhGroupNumbers: PHASE2_DH_GROUPS,
  ikeVersions: IKE_VERSIONS,
  startupAction: 'add',
  enableTunnelLifecycleControl: false,
  logOutputFormat: 'json',
} as const;

type Values = ReadonlyArray<{ readonly Value?: string | number }> | undefined;

function values<T extends string | number>(list: Values): T[] | undefined {
  return list === undefined ? undefined : list.map(item => item.Value as T);
}

function sameSet(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  const left = new Set(a.map(String));
  const right = new Set(b.map(String));
  return left.size === right.size && [...left].every(item => right.has(item));
}

/**
 * One tunnel option: how to read it from both sides, its default, and how it
 * goes into a modify request. `undefined` as a default means "no default:
 * compared only when declared".
 */
interface OptionRule {
  readonly name: string;
  readonly desired: (spec: TunnelSpec) => unknown;
  readonly observed: (tunnel: TunnelOption) => unknown;
  readonly fallback: unknown;
  readonly list?: boolean;
  readonly write: (value: unknown) => ModifyVpnTunnelOptionsSpecification;
}

const scalar = (name: keyof ModifyVpnTunnelOptionsSpecification) => (value: unknown) => ({ [name]: value }) as ModifyVpnTunnelOptionsSpecification;
const valueList = (name: keyof ModifyVpnTunnelOptionsSpecification) =>
  (value: unknown) => ({ [name]: (value as Array<string | number>).map(Value => ({ Value })) }) as ModifyVpnTunnelOptionsSpecification;

const RULES: readonly OptionRule[] = [
  { name: 'TunnelInsideCidr', desired: s => s.insideCidr, observed: t => t.TunnelInsideCidr, fallback: undefined, write: scalar('TunnelInsideCidr') },
  { name: 'TunnelInsideIpv6Cidr', desired: s => s.insideIpv6Cidr, observed: t => t.TunnelInsideIpv6Cidr, fallback: undefined, write: scalar('TunnelInsideIpv6Cidr') },
  { name: 'Phase1LifetimeSeconds', desired: s => s.phase1LifetimeSeconds, observed: t => t.Phase1LifetimeSeconds, fallback: TUNNEL_DEFAULTS.phase1LifetimeSeconds, write: scalar('Phase1LifetimeSeconds') },
  { name: 'Phase2LifetimeSeconds', desired: s => s.phase2LifetimeSeconds, observed: t => t.Phase2LifetimeSeconds, fallback: TUNNEL_DEFAULTS.phase2LifetimeSeconds, write: scalar('Phase2LifetimeSeconds') },
  { name: 'RekeyMarginTimeSeconds', desired: s => s.rekeyMarginTimeSeconds, observed: t => t.RekeyMarginTimeSeconds, fallback: TUNNEL_DEFAULTS.rekeyMarginTimeSeconds, write: scalar('RekeyMarginTimeSeconds') },
  { name: 'RekeyFuzzPercentage', desired: s => s.rekeyFuzzPercentage, observed: t => t.RekeyFuzzPercentage, fallback: TUNNEL_DEFAULTS.rekeyFuzzPercentage, write: scalar('RekeyFuzzPercentage') },
  { name: 'ReplayWindowSize', desired: s => s.replayWindowSize, observed: t => t.ReplayWindowSize, fallback: TUNNEL_DEFAULTS.replayWindowSize, write: scalar('ReplayWindowSize') },
  { name: 'DPDTimeoutSeconds', desired: s => s.dpdTimeoutSeconds, observed: t => t.DpdTimeoutSeconds, fallback: TUNNEL_DEFAULTS.dpdTimeoutSeconds, write: scalar('DPDTimeoutSeconds') },
  { name: 'DPDTimeoutAction', desired: s => s.dpdTimeoutAction, observed: t => t.DpdTimeoutAction, fallback: TUNNEL_DEFAULTS.dpdTimeoutAction, write: scalar('DPDTimeoutAction') },
  { name: 'Phase1EncryptionAlgorithms', desired: s => s.phase1EncryptionAlgorithms, observed: t => values(t.Phase1EncryptionAlgorithms), fallback: TUNNEL_DEFAULTS.phase1EncryptionAlgorithms, list: true, write: valueList('Phase1EncryptionAlgorithms') },
  { name: 'Phase2EncryptionAlgorithms', desired: s => s.phase2EncryptionAlgorithms, observed: t => values(t.Phase2EncryptionAlgorithms), fallback: TUNNEL_DEFAULTS.phase2EncryptionAlgorithms, list: true, write: valueList('Phase2EncryptionAlgorithms') },
  { name: 'Phase1IntegrityAlgorithms', desired: s => s.phase1IntegrityAlgorithms, observed: t => values(t.Phase1IntegrityAlgorithms), fallback: TUNNEL_DEFAULTS.phase1IntegrityAlgorithms, list: true, write: valueList('Phase1IntegrityAlgorithms') },
  { name: 'Phase2IntegrityAlgorithms', desired: s => s.phase2IntegrityAlgorithms, observed: t => values(t.Phase2IntegrityAlgorithms), fallback: TUNNEL_DEFAULTS.phase2IntegrityAlgorithms, list: true, write: valueList('Phase2IntegrityAlgorithms') },
  { name: 'Phase1DHGroupNumbers', desired: s => s.phase1DhGroupNumbers, observed: t => values(t.Phase1DHGroupNumbers), fallback: TUNNEL_DEFAULTS.phase1DhGroupNumbers, list: true, write: valueList('Phase1DHGroupNumbers') },
  { name: 'Phase2DHGroupNumbers', desired: s => s.phase2DhGroupNumbers, observed: t => values(t.Phase2DHGroupNumbers), fallback: TUNNEL_DEFAULTS.phase2DhGroupNumbers, list: true, write: valueList('Phase2DHGroupNumbers') },
  { name: 'IKEVersions', desired: s => s.ikeVersions, observed: t => values(t.IkeVersions), fallback: TUNNEL_DEFAULTS.ikeVersions, list: true, write: valueList('IKEVersions') },
  { name: 'StartupAction', desired: s => s.startupAction, observed: t => t.StartupAction, fallback: TUNNEL_DEFAULTS.startupAction, write: scalar('StartupAction') },
  {
    name: 'EnableTunnelLifecycleControl',
    desired: s => s.enableTunnelLifecycleControl,
    observed: t => t.EnableTunnelLifecycleControl,
    fallback: TUNNEL_DEFAULTS.enableTunnelLifecycleControl,
    write: scalar('EnableTunnelLifecycleControl'),
  },
];

interface EffectiveLog {
  readonly enabled: boolean;
  readonly logGroupArn?: string;
  readonly outputFormat?: string;
  readonly bgpEnabled: boolean;
  readonly bgpLogGroupArn?: string;
  readonly bgpOutputFormat?: string;
}

/**
 * A log group ARN without the `:*` suffix that aws-cdk-lib's
 * `ILogGroup.logGroupArn` carries (it is the IAM form, naming the group's
 * streams). The suffix-free form is what the tunnel's log options take, and
 * comparing both sides in one form keeps a described ARN from looking like a
 * change on every pass.
 */
export function canonicalLogGroupArn(arn: string | undefined): string | undefined {
  return arn?.endsWith(':*') ? arn.slice(0, -2) : arn;
}

/**
 * Both log streams (activity and BGP) in one comparable form: where a stream
 * is off, its group and format do not matter.
 */
function effectiveLog(
  activity: { enabled?: boolean; arn?: string; format?: string },
  bgp: { enabled?: boolean; arn?: string; format?: string },
): EffectiveLog {
  return {
    enabled: activity.enabled === true,
    ...(activity.enabled
      ? { logGroupArn: canonicalLogGroupArn(activity.arn), outputFormat: activity.format ?? TUNNEL_DEFAULTS.logOutputFormat }
      : {}),
    bgpEnabled: bgp.enabled === true,
    ...(bgp.enabled ? { bgpLogGroupArn: canonicalLogGroupArn(bgp.arn), bgpOutputFormat: bgp.format ?? TUNNEL_DEFAULTS.logOutputFormat } : {}),
  };
}

function desiredLog(spec: TunnelSpec): EffectiveLog {
  const log = spec.logOptions;
  return effectiveLog(
    { enabled: log?.enabled, arn: log?.logGroupArn, format: log?.outputFormat },
    { enabled: log?.bgpEnabled, arn: log?.bgpLogGroupArn, format: log?.bgpOutputFormat },
  );
}

function observedLog(tunnel: TunnelOption): EffectiveLog {
  const log = tunnel.LogOptions?.CloudWatchLogOptions;
  return effectiveLog(
    { enabled: log?.LogEnabled, arn: log?.LogGroupArn, format: log?.LogOutputFormat },
    { enabled: log?.BgpLogEnabled, arn: log?.BgpLogGroupArn, format: log?.BgpLogOutputFormat },
  );
}

function sameLog(a: EffectiveLog, b: EffectiveLog): boolean {
  return a.enabled === b.enabled && a.logGroupArn === b.logGroupArn && a.outputFormat === b.outputFormat
    && a.bgpEnabled === b.bgpEnabled && a.bgpLogGroupArn === b.bgpLogGroupArn && a.bgpOutputFormat === b.bgpOutputFormat;
}

export interface TunnelDifference {
  /** Option names (API spelling) that differ; safe to log. */
  readonly options: readonly string[];
  /** The modify request's TunnelOptions for those options (no pre-shared key). */
  readonly modification: ModifyVpnTunnelOptionsSpecification;
}

/** How the tunnel's options differ from the declared ones; `options` is empty when they match. */
export function tunnelDifference(spec: TunnelSpec, observed: TunnelOption): TunnelDifference {
  const options: string[] = [];
  let modification: ModifyVpnTunnelOptionsSpecification = {};
  for (const rule of RULES) {
    const declared = rule.desired(spec);
    if (declared === undefined && rule.fallback === undefined) {
      continue;
    }
    const want = declared ?? rule.fallback;
    const have = rule.observed(observed) ?? rule.fallback;
    const same = rule.list
      ? sameSet(want as Array<string | number>, have as Array<string | number>)
      : want === have;
    if (!same) {
      options.push(rule.name);
      modification = { ...modification, ...rule.write(rule.list ? [...(want as Array<string | number>)] : want) };
    }
  }
  const wantLog = desiredLog(spec);
  const haveLog = observedLog(observed);
  if (!sameLog(wantLog, haveLog)) {
    options.push('LogOptions');
    modification = {
      ...modification,
      LogOptions: {
        CloudWatchLogOptions: {
          ...(wantLog.enabled
            ? { LogEnabled: true, LogGroupArn: wantLog.logGroupArn, LogOutputFormat: wantLog.outputFormat }
            : { LogEnabled: false }),
          // BGP logs are named only where they are or were on, so tunnels
          // that never had them get the same request as before they existed.
          ...(wantLog.bgpEnabled
            ? { BgpLogEnabled: true, BgpLogGroupArn: wantLog.bgpLogGroupArn, BgpLogOutputFormat: wantLog.bgpOutputFormat }
            : haveLog.bgpEnabled ? { BgpLogEnabled: false } : {}),
        },
      },
    };
  }
  return { options, modification };
}

/** CreateVpnConnection's TunnelOptions entry: only the declared options, plus the key when one was read. */
export function creationTunnelOptions(spec: TunnelSpec, preSharedKey: string | undefined): VpnTunnelOptionsSpecification {
  const log = spec.logOptions;
  return {
    ...(spec.insideCidr !== undefined ? { TunnelInsideCidr: spec.insideCidr } : {}),
    ...(spec.insideIpv6Cidr !== undefined ? { TunnelInsideIpv6Cidr: spec.insideIpv6Cidr } : {}),
    ...(preSharedKey !== undefined ? { PreSharedKey: preSharedKey } : {}),
    ...(spec.phase1LifetimeSeconds !== undefined ? { Phase1LifetimeSeconds: spec.phase1LifetimeSeconds } : {}),
    ...(spec.phase2LifetimeSeconds !== undefined ? { Phase2LifetimeSeconds: spec.phase2LifetimeSeconds } : {}),
    ...(spec.rekeyMarginTimeSeconds !== undefined ? { RekeyMarginTimeSeconds: spec.rekeyMarginTimeSeconds } : {}),
    ...(spec.rekeyFuzzPercentage !== undefined ? { RekeyFuzzPercentage: spec.rekeyFuzzPercentage } : {}),
    ...(spec.replayWindowSize !== undefined ? { ReplayWindowSize: spec.replayWindowSize } : {}),
    ...(spec.dpdTimeoutSeconds !== undefined ? { DPDTimeoutSeconds: spec.dpdTimeoutSeconds } : {}),
    ...(spec.dpdTimeoutAction !== undefined ? { DPDTimeoutAction: spec.dpdTimeoutAction } : {}),
    ...(spec.phase1EncryptionAlgorithms ? { Phase1EncryptionAlgorithms: spec.phase1EncryptionAlgorithms.map(Value => ({ Value })) } : {}),
    ...(spec.phase2EncryptionAlgorithms ? { Phase2EncryptionAlgorithms: spec.phase2EncryptionAlgorithms.map(Value => ({ Value })) } : {}),
    ...(spec.phase1IntegrityAlgorithms ? { Phase1IntegrityAlgorithms: spec.phase1IntegrityAlgorithms.map(Value => ({ Value })) } : {}),
    ...(spec.phase2IntegrityAlgorithms ? { Phase2IntegrityAlgorithms: spec.phase2IntegrityAlgorithms.map(Value => ({ Value })) } : {}),
    ...(spec.phase1DhGroupNumbers ? { Phase1DHGroupNumbers: spec.phase1DhGroupNumbers.map(Value => ({ Value })) } : {}),
    ...(spec.phase2DhGroupNumbers ? { Phase2DHGroupNumbers: spec.phase2DhGroupNumbers.map(Value => ({ Value })) } : {}),
    ...(spec.ikeVersions ? { IKEVersions: spec.ikeVersions.map(Value => ({ Value })) } : {}),
    ...(spec.startupAction !== undefined ? { StartupAction: spec.startupAction } : {}),
    ...(spec.enableTunnelLifecycleControl !== undefined ? { EnableTunnelLifecycleControl: spec.enableTunnelLifecycleControl } : {}),
    ...(log ? {
      LogOptions: {
        CloudWatchLogOptions: {
          LogEnabled: log.enabled,
          ...(log.logGroupArn !== undefined ? { LogGroupArn: canonicalLogGroupArn(log.logGroupArn) } : {}),
          ...(log.outputFormat !== undefined ? { LogOutputFormat: log.outputFormat } : {}),
          ...(log.bgpEnabled ? { BgpLogEnabled: true } : {}),
          ...(log.bgpLogGroupArn !== undefined ? { BgpLogGroupArn: canonicalLogGroupArn(log.bgpLogGroupArn) } : {}),
          ...(log.bgpOutputFormat !== undefined ? { BgpLogOutputFormat: log.bgpOutputFormat } : {}),
        },
      },
    } : {}),
  };
}

/**
 * Value of a tunnel's pre-shared key marker tag: a digest of where its key
 * comes from (secret ARN, field and, when declared, version), never of the
 * key. A declaration without a version digests as it always has, so
 * connections made before versions existed see no change. DescribeVpnConnections
 * does not reliably report the key in use (not at all with
 * PreSharedKeyStorage=SecretsManager), so this tag on the connection records
 * which declared key was last applied: set at creation, and after each
 * ModifyVpnTunnelOptions that changed the key.
 */
export function preSharedKeyMarker(secretArn: string, field: string | undefined, version?: string): string {
  const source = `${secretArn}\n${field ?? ''}${version !== undefined ? `\n${version}` : ''}`;
  return createHash('sha256').update(source).digest('hex');
}
