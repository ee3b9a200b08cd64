/**
 * The wire contract between the Client VPN session constructs (src/client-vpn/
 * revocations.ts, certificate-revocation-list.ts) and their handler
 * (lambda/client-vpn-sessions/), which serves both resource types below plus
 * the scheduled enforcement entry point.
 *
 * Shared by both sides: no aws-cdk-lib or AWS SDK imports (the handler bundle
 * includes it). Every shape ever shipped stays readable by the handler
 * (Delete and rollback replay old properties): add a SchemaVersion rather than
 * changing the meaning of an existing one.
 *
 * CloudFormation hands custom resources every scalar as a string; lists stay
 * lists.
 */

/** One set of revoked principals of one endpoint. */
export const CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE = 'Custom::NetworkAccessClientVpnRevocations';

/** The certificate revocation list of one endpoint (an endpoint has exactly one). */
export const CLIENT_VPN_CRL_RESOURCE_TYPE = 'Custom::NetworkAccessClientVpnCertificateRevocationList';

/** The schema version the constructs write today (both resource types). */
export const CLIENT_VPN_SESSIONS_SCHEMA_VERSION = '1';

/** Folder name of the handler under lambda/ (and of its bundle under assets/lambda/). */
export const CLIENT_VPN_SESSIONS_HANDLER = 'client-vpn-sessions';

/** Lambda handler name of the scheduled enforcement entry point in the same bundle. */
export const CLIENT_VPN_SESSIONS_SCHEDULE_ENTRY = 'index.onSchedule';

/** ResourceProperties of Custom::NetworkAccessClientVpnRevocations, schema version 1. */
export interface RevocationsProperties {
  readonly ServiceToken?: string;
  readonly SchemaVersion: string;
  /** The Client VPN endpoint (cvpn-endpoint-...). */
  readonly ClientVpnEndpointId: string;
  /** Stable identity of the declaring construct within its stack (its node.addr). */
  readonly SetId: string;
  /**
   * Active Directory or SAML user names whose sessions must not exist, sorted
   * and unique. Matched against the connection's `Username` (the `username`
   * Describe filter is exact and case-sensitive).
   */
  readonly Usernames: string[];
  /**
   * Certificate common names (mutual authentication) whose sessions must not
   * exist, sorted and unique. Matched client-side against the connection's
   * `CommonName`, exactly.
   */
  readonly CommonNames: string[];
}

/** Physical id of a revocation set. */
export function revocationsPhysicalId(endpointId: string, setId: string): string {
  return `${endpointId}/revocations/${setId}`;
}

/**
 * ResourceProperties of Custom::NetworkAccessClientVpnCertificateRevocationList,
 * schema version 1. Exactly one of `Crl` and (`CrlS3Bucket`, `CrlS3Key`).
 */
export interface CertificateRevocationListProperties {
  readonly ServiceToken?: string;
  readonly SchemaVersion: string;
  readonly ClientVpnEndpointId: string;
  /** The CRL in PEM, inline (a CRL is public data, not a secret). */
  readonly Crl?: string;
  /** Where the CRL file asset lives (the handler reads it with s3:GetObject). */
  readonly CrlS3Bucket?: string;
  readonly CrlS3Key?: string;
  /** SHA-256 (hex) of the PEM text: a content change always reaches the handler as an Update. */
  readonly CrlSha256: string;
  /** Common names whose sessions are terminated after the import, sorted and unique. */
  readonly CommonNames: string[];
}

/** Physical id of the CRL of an endpoint. */
export function certificateRevocationListPhysicalId(endpointId: string): string {
  return `${endpointId}/certificate-revocation-list`;
}

/**
 * The input an EventBridge schedule passes to the `onSchedule` entry point
 * (as the rule target's constant input).
 */
export interface ScheduledEnforcementInput {
  readonly SchemaVersion: string;
  readonly ClientVpnEndpointId: string;
  readonly Usernames: string[];
  readonly CommonNames: string[];
}

/** CloudWatch namespace and metric the scheduled enforcement emits (Embedded Metric Format). */
export const SESSIONS_METRIC_NAMESPACE = 'CdkNetworkAccess/ClientVpn';
export const SESSIONS_TERMINATED_METRIC = 'SessionsTerminated';

/** Attributes the handler returns in `Data` (always every key). */
export interface SessionsAttributes {
  /**
   * Sessions this request terminated, as a string: those the isComplete
   * invocation that completed the request started terminating and that did
   * end (each counted once). Invocations keep no state between them, so when
   * the work spans several (thousands of sessions, a 15-minute Lambda cap),
   * this is a lower bound; the handler's log lists every terminated
   * connection id. '0' for an Update that adds no principal.
   */
  readonly SessionsTerminated: string;
}

/**
 * Systems Manager parameter path under which the scheduled enforcement keeps
 * one lease per endpoint (lambda/client-vpn-sessions/lease.ts); the
 * enforcement role's ssm permissions are scoped to it.
 */
export const ENFORCEMENT_LEASE_PATH = '/cdk-network-access/client-vpn-enforcement';

/** The lease parameter of an endpoint. */
export function enforcementLeaseParameterName(endpointId: string): string {
  return `${ENFORCEMENT_LEASE_PATH}/${endpointId}/lease`;
}
