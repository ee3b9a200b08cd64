/**
 * The wire contract between the ClientVpnAuthorizations construct (src/) and its
 * custom-resource handler (lambda/client-vpn-authorizations/).
 *
 * This file is shared by both sides. It must stay free of aws-cdk-lib and AWS SDK
 * imports: the handler bundle includes it.
 *
 * Every shape ever shipped stays readable by the handler: CloudFormation replays old
 * properties on Delete and on rollback. Add a new SchemaVersion rather than
 * changing the meaning of an existing one.
 */

/** CloudFormation resource type of one authorization set. */
export const CLIENT_VPN_AUTHORIZATIONS_RESOURCE_TYPE = 'Custom::NetworkAccessClientVpnAuthorizations';

/**
 * The schema version the construct writes today.
 *
 * - '1': the set (endpoint, set id, rules, SessionsOnRevoke).
 * - '2': adds RuleQuota, so the handler can plan revokes before authorizations
 *   at the endpoint's quota instead of learning it from refused calls.
 */
export const CLIENT_VPN_AUTHORIZATIONS_SCHEMA_VERSION = '2';

/** Every schema version ever written; the handler reads them all. */
export const CLIENT_VPN_AUTHORIZATIONS_SCHEMA_VERSIONS: readonly string[] = ['1', '2'];

/** The family name of the sets' ownership records in Parameter Store. */
export const CLIENT_VPN_AUTHORIZATIONS_OWNERSHIP_FAMILY = 'client-vpn-authorizations';

/**
 * What to do with live Client VPN sessions after an Update revokes rules.
 * (The option is wired in by the sessions issue; schema version 1 accepts it
 * and treats an absent value as NONE.)
 */
export const SESSIONS_ON_REVOKE_NONE = 'none';
export const SESSIONS_ON_REVOKE_TERMINATE_ALL = 'terminate-all';

/** One authorization rule as written into the template. */
export interface AuthorizationRuleProperty {
  /** IPv4 network CIDR, normalised by the construct (no host bits). */
  readonly Cidr: string;
  /** Access group id. Exactly one of GroupId and AllGroups. */
  readonly GroupId?: string;
  /** 'true' (CloudFormation sends booleans as strings) when every authenticated user is allowed. */
  readonly AllGroups?: string | boolean;
  /** Rule description, at most 255 characters. */
  readonly Description?: string;
}

/** ResourceProperties of Custom::NetworkAccessClientVpnAuthorizations, schema versions 1 and 2. */
export interface AuthorizationSetProperties {
  readonly ServiceToken?: string;
  readonly SchemaVersion: string;
  /** The Client VPN endpoint (cvpn-endpoint-...). */
  readonly ClientVpnEndpointId: string;
  /**
   * Stable identity of the declaring construct within its stack (a hash of its
   * construct path). Part of the physical id, so two sets on one endpoint never
   * share an id.
   */
  readonly SetId: string;
  /** The rules of the set, sorted by (Cidr, GroupId or all groups). */
  readonly Rules: AuthorizationRuleProperty[];
  /** SESSIONS_ON_REVOKE_NONE (default) or SESSIONS_ON_REVOKE_TERMINATE_ALL. */
  readonly SessionsOnRevoke?: string;
  /**
   * Schema version 2: the endpoint's authorization rule quota (a positive
   * whole number; CloudFormation delivers it as a string).
   */
  readonly RuleQuota?: number | string;
}

/** Attributes the handler returns in `Data` (readable with getAtt). */
export interface AuthorizationSetAttributes {
  /** Number of rules in the set, as a string. */
  readonly RuleCount: string;
}

/**
 * Physical id of a set: endpoint id plus set identity. Stable across updates
 * of the same endpoint; a move to another endpoint yields a new id, and
 * CloudFormation then sends Delete for the old one.
 */
export function authorizationSetPhysicalId(endpointId: string, setId: string): string {
  return `${endpointId}/authorizations/${setId}`;
}
