/**
 * Parsing and validation of the two resource types' ResourceProperties and of
 * the scheduled enforcement input.
 *
 * The constructs validate at synth time, but the handler cannot trust that:
 * tokens resolve only at deploy time, templates get hand-edited, and old
 * property shapes come back on Delete and rollback. Parsers never throw;
 * every problem names its property and value.
 */
import {
  certificateRevocationListPhysicalId,
  CLIENT_VPN_SESSIONS_SCHEMA_VERSION,
  revocationsPhysicalId,
} from '../../src/private/contract/client-vpn-sessions';
import { isRecord, shown } from '../shared/property-values';


/** Schema versions this handler reads. Every version ever shipped stays here. */
export const SUPPORTED_SCHEMA_VERSIONS: readonly string[] = [CLIENT_VPN_SESSIONS_SCHEMA_VERSION];

/**
 * A sanity bound, not Client VPN's rule (the constructs enforce that): it
 * keeps a pasted file or a runaway token out of filters and log lines.
 */
export const MAX_PRINCIPAL_LENGTH = 1024;

/** The physical id is capped at 1 KB by CloudFormation; the rest of it takes under 100 characters. */
export const MAX_SET_ID_LENGTH = 512;

const MAX_PROBLEMS_REPORTED = 5;

/** Only the prefix is checked: EC2 answers a wrong suffix with NotFound, which names the id anyway. */
const ENDPOINT_ID = /^cvpn-endpoint-[0-9a-zA-Z]+$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
// Control characters cannot come from a directory user name or a certificate subject.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Revoked principals of one endpoint. Lists are sorted and unique. */
export interface Principals {
  readonly endpointId: string;
  readonly usernames: readonly string[];
  readonly commonNames: readonly string[];
}

export interface RevocationSet extends Principals {
  readonly setId: string;
  readonly physicalId: string;
}

/** Where the PEM text of a CRL comes from. */
export type CrlSource =
  | { readonly kind: 'inline'; readonly pem: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string };

export interface CertificateRevocationList {
  readonly endpointId: string;
  readonly physicalId: string;
  readonly source: CrlSource;
  /** Lower-case hex. */
  readonly sha256: string;
  readonly commonNames: readonly string[];
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly string[] };


/** The schema version problem, or undefined when `raw` is a record of a version this handler reads. */
function envelopeProblem(raw: unknown): string | undefined {
  if (!isRecord(raw)) {
    return `properties must be an object, got ${shown(raw)}`;
  }
  const version = raw.SchemaVersion;
  if (typeof version !== 'string' || !SUPPORTED_SCHEMA_VERSIONS.includes(version)) {
    // Without a known version nothing else can be interpreted safely.
    return `SchemaVersion ${shown(version)} is not supported (this handler reads ${SUPPORTED_SCHEMA_VERSIONS.map(v => `'${v}'`).join(', ')})`;
  }
  return undefined;
}

function parseEndpointId(raw: Record<string, unknown>, problems: string[]): string {
  const endpointId = raw.ClientVpnEndpointId;
  if (typeof endpointId !== 'string' || !ENDPOINT_ID.test(endpointId)) {
    problems.push(`ClientVpnEndpointId ${shown(endpointId)} is not a Client VPN endpoint id (cvpn-endpoint-...)`);
    return '';
  }
  return endpointId;
}

/**
 * A list of user names or common names. Absent means empty (a set may
 * declare only one kind); duplicates are merged, since terminating a
 * principal's sessions twice over is the same as once.
 */
function parsePrincipals(raw: Record<string, unknown>, field: string, problems: string[]): string[] {
  const value = raw[field] ?? [];
  if (!Array.isArray(value)) {
    problems.push(`${field} must be a list of strings, got ${shown(value)}`);
    return [];
  }
  const names = new Set<string>();
  value.forEach((name: unknown, index: number) => {
    if (typeof name !== 'string' || name.trim() === '') {
      problems.push(`${field}[${index}] must be a non-empty string, got ${shown(name)}`);
    } else if (name.length > MAX_PRINCIPAL_LENGTH) {
      problems.push(`${field}[${index}] is ${name.length} characters; at most ${MAX_PRINCIPAL_LENGTH} are accepted`);
    } else if (CONTROL_CHARACTERS.test(name)) {
      problems.push(`${field}[${index}] ${shown(name)} contains control characters`);
    } else {
      names.add(name);
    }
  });
  return [...names].sort();
}

function report<T>(problems: readonly string[], value: () => T): Parsed<T> {
  if (problems.length === 0) {
    return { ok: true, value: value() };
  }
  const reported = problems.slice(0, MAX_PROBLEMS_REPORTED);
  if (problems.length > MAX_PROBLEMS_REPORTED) {
    reported.push(`and ${problems.length - MAX_PROBLEMS_REPORTED} more problems`);
  }
  return { ok: false, problems: reported };
}

/** Custom::NetworkAccessClientVpnRevocations properties, any shipped schema version. */
export function parseRevocations(raw: unknown): Parsed<RevocationSet> {
  const envelope = envelopeProblem(raw);
  if (envelope !== undefined || !isRecord(raw)) {
    return { ok: false, problems: [envelope ?? 'properties must be an object'] };
  }
  const problems: string[] = [];
  const endpointId = parseEndpointId(raw, problems);
  const setId = raw.SetId;
  if (typeof setId !== 'string' || setId.trim() === '' || setId.length > MAX_SET_ID_LENGTH || CONTROL_CHARACTERS.test(setId)) {
    problems.push(`SetId ${shown(setId)} must be a non-empty string of at most ${MAX_SET_ID_LENGTH} printable characters`);
  }
  const usernames = parsePrincipals(raw, 'Usernames', problems);
  const commonNames = parsePrincipals(raw, 'CommonNames', problems);
  return report(problems, () => ({
    endpointId,
    setId: setId as string,
    physicalId: revocationsPhysicalId(endpointId, setId as string),
    usernames,
    commonNames,
  }));
}

/** Custom::NetworkAccessClientVpnCertificateRevocationList properties, any shipped schema version. */
export function parseCertificateRevocationList(raw: unknown): Parsed<CertificateRevocationList> {
  const envelope = envelopeProblem(raw);
  if (envelope !== undefined || !isRecord(raw)) {
    return { ok: false, problems: [envelope ?? 'properties must be an object'] };
  }
  const problems: string[] = [];
  const endpointId = parseEndpointId(raw, problems);

  const { Crl: crl, CrlS3Bucket: bucket, CrlS3Key: key } = raw;
  let source: CrlSource | undefined;
  const inS3 = bucket !== undefined || key !== undefined;
  if (crl !== undefined && inS3) {
    problems.push('Crl and CrlS3Bucket/CrlS3Key are both set; give the CRL inline or as an S3 object, not both');
  } else if (crl !== undefined) {
    if (typeof crl !== 'string' || crl.trim() === '') {
      problems.push(`Crl must be the PEM text of a certificate revocation list, got ${shown(crl)}`);
    } else {
      source = { kind: 'inline', pem: crl };
    }
  } else if (inS3) {
    if (typeof bucket !== 'string' || bucket === '' || typeof key !== 'string' || key === '') {
      problems.push(`CrlS3Bucket ${shown(bucket)} and CrlS3Key ${shown(key)} must both be non-empty strings`);
    } else {
      source = { kind: 's3', bucket, key };
    }
  } else {
    problems.push('neither Crl nor CrlS3Bucket/CrlS3Key is set; the resource needs the CRL to import');
  }

  const sha256 = raw.CrlSha256;
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    problems.push(`CrlSha256 ${shown(sha256)} must be the SHA-256 of the CRL as 64 hexadecimal digits`);
  }
  const commonNames = parsePrincipals(raw, 'CommonNames', problems);
  return report(problems, () => ({
    endpointId,
    physicalId: certificateRevocationListPhysicalId(endpointId),
    source: source as CrlSource,
    sha256: (sha256 as string).toLowerCase(),
    commonNames,
  }));
}

/** The EventBridge input of `onSchedule`. */
export function parseScheduledEnforcement(raw: unknown): Parsed<Principals> {
  const envelope = envelopeProblem(raw);
  if (envelope !== undefined || !isRecord(raw)) {
    return { ok: false, problems: [envelope ?? 'input must be an object'] };
  }
  const problems: string[] = [];
  const endpointId = parseEndpointId(raw, problems);
  const usernames = parsePrincipals(raw, 'Usernames', problems);
  const commonNames = parsePrincipals(raw, 'CommonNames', problems);
  return report(problems, () => ({ endpointId, usernames, commonNames }));
}
