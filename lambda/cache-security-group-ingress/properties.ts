/**
 * Parsing and validation of the set's ResourceProperties.
 *
 * The construct validates at synth time, but the handler cannot trust that:
 * tokens resolve only at deploy time, templates get hand-edited, and old
 * property shapes come back on Delete and rollback. Every problem is reported
 * with its property path and value so the failure reason is actionable.
 */
import { comparePairs, IngressPair, pairKey, pairLabel } from './pairs';
import {
  CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSIONS,
  cacheSecurityGroupIngressPhysicalId,
} from '../../src/private/contract/cache-security-group-ingress';
import { isRecord, shown } from '../shared/property-values';

/** A validated set, independent of the schema version it was read from. */
export interface IngressSet {
  readonly cacheSecurityGroupName: string;
  readonly setId: string;
  readonly physicalId: string;
  /** Sorted by pair key. */
  readonly pairs: readonly IngressPair[];
}

export type ParseResult =
  | { readonly ok: true; readonly set: IngressSet }
  | { readonly ok: false; readonly problems: readonly string[] };

/** ElastiCache's limit on a cache security group name, and EC2's on a security group name. */
export const MAX_NAME_LENGTH = 255;

/** The physical id is capped at 1 KB by CloudFormation; the group name takes up to 255 of it. */
export const MAX_SET_ID_LENGTH = 512;

const ACCOUNT_ID = /^\d{12}$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const MAX_PROBLEMS_REPORTED = 5;

function nameProblem(value: unknown, path: string): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    return `${path} must be a non-empty string, got ${shown(value)}`;
  }
  if (value.length > MAX_NAME_LENGTH || CONTROL_CHARACTERS.test(value)) {
    return `${path} ${shown(value)} must be at most ${MAX_NAME_LENGTH} printable characters`;
  }
  return undefined;
}

function parsePair(raw: unknown, path: string, problems: string[]): IngressPair | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path} must be an object with EC2SecurityGroupName and EC2SecurityGroupOwnerId, got ${shown(raw)}`);
    return undefined;
  }
  const before = problems.length;
  const name = nameProblem(raw.EC2SecurityGroupName, `${path}.EC2SecurityGroupName`);
  if (name) problems.push(name);
  const owner = raw.EC2SecurityGroupOwnerId;
  if (typeof owner !== 'string' || !ACCOUNT_ID.test(owner)) {
    problems.push(`${path}.EC2SecurityGroupOwnerId ${shown(owner)} must be a 12-digit AWS account id`);
  }
  if (problems.length > before) {
    return undefined;
  }
  return { ec2SecurityGroupName: raw.EC2SecurityGroupName as string, ownerId: owner as string };
}

/** Validates `raw` (ResourceProperties of any shipped schema version). Never throws. */
export function parseIngressSet(raw: unknown): ParseResult {
  if (!isRecord(raw)) {
    return { ok: false, problems: [`properties must be an object, got ${shown(raw)}`] };
  }
  const version = raw.SchemaVersion;
  if (typeof version !== 'string' || !CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSIONS.includes(version)) {
    // Without a known version nothing else can be interpreted safely.
    return {
      ok: false,
      problems: [`SchemaVersion ${shown(version)} is not supported (this handler reads ${CACHE_SECURITY_GROUP_INGRESS_SCHEMA_VERSIONS.map(v => `'${v}'`).join(', ')})`],
    };
  }

  const problems: string[] = [];
  const groupProblem = nameProblem(raw.CacheSecurityGroupName, 'CacheSecurityGroupName');
  if (groupProblem) problems.push(groupProblem);

  const setId = raw.SetId;
  if (typeof setId !== 'string' || setId.trim() === '' || setId.length > MAX_SET_ID_LENGTH || CONTROL_CHARACTERS.test(setId)) {
    problems.push(`SetId ${shown(setId)} must be a non-empty string of at most ${MAX_SET_ID_LENGTH} printable characters`);
  }

  // An absent list is an empty set: legal, and failing a deploy (or the
  // Delete of one) over it would help nobody.
  const rawPairs = raw.Ingress ?? [];
  const pairs: IngressPair[] = [];
  if (!Array.isArray(rawPairs)) {
    problems.push(`Ingress must be a list of pairs, got ${shown(rawPairs)}`);
  } else {
    const firstIndexByKey = new Map<string, number>();
    rawPairs.forEach((rawPair: unknown, index: number) => {
      const pair = parsePair(rawPair, `Ingress[${index}]`, problems);
      if (!pair) return;
      const key = pairKey(pair);
      const first = firstIndexByKey.get(key);
      if (first !== undefined) {
        problems.push(`Ingress[${index}] duplicates Ingress[${first}] (${pairLabel(pair)}); a pair is authorized once per cache security group`);
        return;
      }
      firstIndexByKey.set(key, index);
      pairs.push(pair);
    });
  }

  if (problems.length > 0) {
    const reported = problems.slice(0, MAX_PROBLEMS_REPORTED);
    if (problems.length > MAX_PROBLEMS_REPORTED) {
      reported.push(`and ${problems.length - MAX_PROBLEMS_REPORTED} more problems`);
    }
    return { ok: false, problems: reported };
  }
  const group = raw.CacheSecurityGroupName as string;
  return {
    ok: true,
    set: {
      cacheSecurityGroupName: group,
      setId: setId as string,
      physicalId: cacheSecurityGroupIngressPhysicalId(group, setId as string),
      pairs: [...pairs].sort(comparePairs),
    },
  };
}
