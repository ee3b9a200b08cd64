/**
 * Parsing and validation of the set's ResourceProperties.
 *
 * The construct validates at synth time, but the handler cannot trust that:
 * tokens resolve only at deploy time, templates get hand-edited, and old
 * property shapes come back on Delete and rollback. Every problem is reported
 * with its property path and value so the failure reason is actionable.
 */
import { isIPv4 } from 'node:net';
import { compareRules, DesiredRule, normalizeDescription, ruleKey, ruleLabel, RuleKey } from './rules';
import {
  AuthorizationRuleProperty,
  authorizationSetPhysicalId,
  CLIENT_VPN_AUTHORIZATIONS_SCHEMA_VERSIONS,
  SESSIONS_ON_REVOKE_NONE,
  SESSIONS_ON_REVOKE_TERMINATE_ALL,
} from '../../src/private/contract/client-vpn-authorizations';
import { isRecord, shown } from '../shared/property-values';

/** A validated set, independent of the schema version it was read from. */
export interface AuthorizationSet {
  readonly endpointId: string;
  readonly setId: string;
  readonly physicalId: string;
  /** Sorted by rule key. */
  readonly rules: readonly DesiredRule[];
  readonly sessionsOnRevoke: string;
  /** The endpoint's rule quota (schema version 2); undefined for version 1. */
  readonly ruleQuota?: number;
}

export type ParseResult =
  | { readonly ok: true; readonly set: AuthorizationSet }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Schema versions this handler reads. Every version ever shipped stays here. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly string[] = CLIENT_VPN_AUTHORIZATIONS_SCHEMA_VERSIONS;

/** Client VPN's quota of authorization rules can be raised; no endpoint allows more than this. */
export const MAX_RULE_QUOTA = 100_000;

export const MAX_DESCRIPTION_LENGTH = 255;

/**
 * The physical id is capped at 1 KB by CloudFormation; the endpoint id and
 * the fixed infix take well under 100 characters of it.
 */
export const MAX_SET_ID_LENGTH = 512;

/**
 * Only the prefix is checked: it catches the realistic mistakes (an ARN, a VPC
 * or subnet id), while the exact length of the hex suffix is EC2's business
 * and it answers a wrong one with NotFound anyway.
 */
const ENDPOINT_ID = /^cvpn-endpoint-[0-9a-zA-Z]+$/;

const MAX_PROBLEMS_REPORTED = 5;


/** The problem with an IPv4 CIDR, or undefined when it is a network address with a valid prefix. */
export function ipv4CidrProblem(cidr: string): string | undefined {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(cidr);
  if (!match || !isIPv4(match[1]) || (match[2].length > 1 && match[2].startsWith('0')) || Number(match[2]) > 32) {
    return 'is not an IPv4 CIDR (a.b.c.d/n with n from 0 to 32)';
  }
  const prefix = Number(match[2]);
  const address = match[1].split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const blockSize = 2 ** (32 - prefix);
  const hostPart = address % blockSize;
  if (hostPart === 0) {
    return undefined;
  }
  const network = address - hostPart;
  const octets = [24, 16, 8, 0].map(shift => Math.floor(network / 2 ** shift) % 256);
  return `has host bits set; did you mean '${octets.join('.')}/${prefix}'?`;
}

function parseAllGroups(value: unknown): boolean | 'invalid' {
  if (value === undefined || value === false || value === 'false') {
    return false;
  }
  if (value === true || value === 'true') {
    return true;
  }
  return 'invalid';
}

function parseRule(raw: unknown, path: string, problems: string[]): DesiredRule | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path} must be an object with Cidr and GroupId or AllGroups, got ${shown(raw)}`);
    return undefined;
  }
  const rule = raw as Partial<Record<keyof AuthorizationRuleProperty, unknown>>;
  const before = problems.length;

  if (typeof rule.Cidr !== 'string') {
    problems.push(`${path}.Cidr must be a string, got ${shown(rule.Cidr)}`);
  } else {
    const problem = ipv4CidrProblem(rule.Cidr);
    if (problem) {
      problems.push(`${path}.Cidr ${shown(rule.Cidr)} ${problem}`);
    }
  }

  const allGroups = parseAllGroups(rule.AllGroups);
  if (allGroups === 'invalid') {
    problems.push(`${path}.AllGroups ${shown(rule.AllGroups)} must be true or 'true' (or be left out)`);
  }
  if (rule.GroupId !== undefined && (typeof rule.GroupId !== 'string' || rule.GroupId.trim() === '')) {
    problems.push(`${path}.GroupId must be a non-empty string, got ${shown(rule.GroupId)}`);
  }
  if (allGroups !== 'invalid') {
    if (allGroups && rule.GroupId !== undefined) {
      problems.push(`${path} sets both GroupId ${shown(rule.GroupId)} and AllGroups; a rule admits one group or all groups`);
    } else if (!allGroups && rule.GroupId === undefined) {
      problems.push(`${path} needs GroupId or AllGroups 'true'`);
    }
  }

  if (rule.Description !== undefined) {
    if (typeof rule.Description !== 'string') {
      problems.push(`${path}.Description must be a string, got ${shown(rule.Description)}`);
    } else if (rule.Description.length > MAX_DESCRIPTION_LENGTH) {
      problems.push(`${path}.Description is ${rule.Description.length} characters; EC2 allows at most ${MAX_DESCRIPTION_LENGTH}`);
    }
  }

  if (problems.length > before) {
    return undefined;
  }
  return {
    cidr: rule.Cidr as string,
    groupId: allGroups ? undefined : rule.GroupId as string,
    description: normalizeDescription(rule.Description as string | undefined),
  };
}

/** Validates `raw` (ResourceProperties of any shipped schema version). Never throws. */
export function parseAuthorizationSet(raw: unknown): ParseResult {
  const problems: string[] = [];
  if (!isRecord(raw)) {
    return { ok: false, problems: [`properties must be an object, got ${shown(raw)}`] };
  }

  const version = raw.SchemaVersion;
  if (typeof version !== 'string' || !SUPPORTED_SCHEMA_VERSIONS.includes(version)) {
    // Without a known version nothing else can be interpreted safely.
    return {
      ok: false,
      problems: [`SchemaVersion ${shown(version)} is not supported (this handler reads ${SUPPORTED_SCHEMA_VERSIONS.map(v => `'${v}'`).join(', ')})`],
    };
  }

  const endpointId = raw.ClientVpnEndpointId;
  if (typeof endpointId !== 'string' || !ENDPOINT_ID.test(endpointId)) {
    problems.push(`ClientVpnEndpointId ${shown(endpointId)} is not a Client VPN endpoint id (cvpn-endpoint-...)`);
  }

  const setId = raw.SetId;
  if (typeof setId !== 'string' || setId.trim() === '' || setId.length > MAX_SET_ID_LENGTH || /[\u0000-\u001f]/.test(setId)) {
    problems.push(`SetId ${shown(setId)} must be a non-empty string of at most ${MAX_SET_ID_LENGTH} printable characters`);
  }

  const sessionsOnRevoke = raw.SessionsOnRevoke ?? SESSIONS_ON_REVOKE_NONE;
  if (sessionsOnRevoke !== SESSIONS_ON_REVOKE_NONE && sessionsOnRevoke !== SESSIONS_ON_REVOKE_TERMINATE_ALL) {
    problems.push(`SessionsOnRevoke ${shown(raw.SessionsOnRevoke)} must be '${SESSIONS_ON_REVOKE_NONE}' or '${SESSIONS_ON_REVOKE_TERMINATE_ALL}'`);
  }

  let ruleQuota: number | undefined;
  if (version !== '1' && raw.RuleQuota !== undefined) {
    const value = typeof raw.RuleQuota === 'string' && /^\d+$/.test(raw.RuleQuota) ? Number(raw.RuleQuota) : raw.RuleQuota;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RULE_QUOTA) {
      problems.push(`RuleQuota ${shown(raw.RuleQuota)} must be a whole number from 1 to ${MAX_RULE_QUOTA}`);
    } else {
      ruleQuota = value;
    }
  }

  // An absent list is an empty set: an empty set is legal, and failing a
  // deploy (or the Delete of one) over it would help nobody.
  const rawRules = raw.Rules ?? [];
  const rules: DesiredRule[] = [];
  if (!Array.isArray(rawRules)) {
    problems.push(`Rules must be a list of rules, got ${shown(rawRules)}`);
  } else {
    const firstIndexByKey = new Map<RuleKey, number>();
    rawRules.forEach((rawRule: unknown, index: number) => {
      const rule = parseRule(rawRule, `Rules[${index}]`, problems);
      if (!rule) {
        return;
      }
      const key = ruleKey(rule);
      const first = firstIndexByKey.get(key);
      if (first !== undefined) {
        problems.push(`Rules[${index}] duplicates Rules[${first}] (${ruleLabel(rule)}); EC2 allows one rule per CIDR and group`);
        return;
      }
      firstIndexByKey.set(key, index);
      rules.push(rule);
    });
  }

  if (problems.length > 0) {
    const reported = problems.slice(0, MAX_PROBLEMS_REPORTED);
    if (problems.length > MAX_PROBLEMS_REPORTED) {
      reported.push(`and ${problems.length - MAX_PROBLEMS_REPORTED} more problems`);
    }
    return { ok: false, problems: reported };
  }

  const endpoint = endpointId as string;
  const set = setId as string;
  return {
    ok: true,
    set: {
      endpointId: endpoint,
      setId: set,
      physicalId: authorizationSetPhysicalId(endpoint, set),
      rules: [...rules].sort(compareRules),
      sessionsOnRevoke: sessionsOnRevoke as string,
      ...(ruleQuota !== undefined ? { ruleQuota } : {}),
    },
  };
}
