/**
 * The one place where AWS SDK v3 errors are classified.
 *
 * SDK v3 puts the service's error code in `err.name` (for EC2, the wire code
 * verbatim; for query protocols such as ElastiCache, the modelled exception
 * name, e.g. `AuthorizationAlreadyExistsFault`). Handlers never compare names
 * themselves: they call `classifyError`, and when an operation gives a name a
 * different meaning (an endpoint that does not exist is "done" for a revoke but
 * a user error for an authorize), the caller passes that meaning in as an
 * override instead of this module growing per-operation special cases.
 */

/**
 * - `already-exists`: the thing a create/authorize asked for is already there.
 * - `not-found`: the thing (or its parent) is not there.
 * - `retry-later`: throttling, concurrency limits, 5xx, network trouble and
 *   states that clear by themselves. Never a reason to fail a deployment.
 * - `terminal`: anything else. A human has to act.
 */
export type ErrorClass = 'already-exists' | 'not-found' | 'retry-later' | 'terminal';

/** Per-call reinterpretation of specific error names, supplied by the caller. */
export type ErrorOverrides = Readonly<Record<string, ErrorClass>>;

/**
 * Names with a fixed meaning across all operations, grouped by the family that
 * introduced them. A new family adds its rows here (and a row to the
 * classifier test table); names not listed are terminal.
 *
 * EC2's Smithy model has no error shapes, so the EC2 names come from the EC2
 * error reference and Terraform's provider (see shared/reference/
 * anchors-reliability.md, section 3); the ElastiCache names from the
 * client-elasticache deserializer.
 */
const KNOWN_ERROR_NAMES: Readonly<Record<string, Exclude<ErrorClass, 'terminal'>>> = {
  // --- Throttling and service-side trouble, any AWS API.
  'RequestLimitExceeded': 'retry-later',
  'Throttling': 'retry-later',
  'ThrottlingException': 'retry-later',
  'EC2ThrottledException': 'retry-later',
  'TooManyRequestsException': 'retry-later',
  'InternalError': 'retry-later',
  'InternalFailure': 'retry-later',
  'ServiceUnavailable': 'retry-later',
  'Unavailable': 'retry-later',

  // --- Client VPN (authorization rules, sessions).
  // The endpoint allows 10 concurrent rule mutations; the 11th gets this.
  'ConcurrentMutationLimitExceeded': 'retry-later',
  // Rules cannot be authorized until a target network association is active,
  // which happens by itself shortly after the endpoint is associated.
  'InvalidClientVpnActiveAssociationNotFound': 'retry-later',
  'InvalidClientVpnDuplicateAuthorizationRule': 'already-exists',
  // Note the spelling: "...EndpointAuthorizationRuleNotFound", not
  // "InvalidClientVpnAuthorizationRuleNotFound" (which EC2 never sends).
  'InvalidClientVpnEndpointAuthorizationRuleNotFound': 'not-found',
  'InvalidClientVpnEndpointId.NotFound': 'not-found',
  'InvalidClientVpnConnection.IdNotFound': 'not-found',
  'InvalidClientVpnConnection.UserNotFound': 'not-found',

  // --- Site-to-site VPN. A gateway that is not found is "not found" here;
  // the handler makes it terminal where it names a gateway to use (create,
  // modify), with the id in the reason. `IncorrectState` is EC2's generic
  // wrong-state code, shared with unrelated APIs, so the VPN handler passes it
  // as an override on its own calls instead of it being listed here.
  // VpnConnectionLimitExceeded stays terminal: a quota needs a human.
  'InvalidVpnConnectionID.NotFound': 'not-found',
  'InvalidCustomerGatewayID.NotFound': 'not-found',
  'InvalidVpnGatewayID.NotFound': 'not-found',
  'InvalidTransitGatewayID.NotFound': 'not-found',
  // The connection is mid-change (pending, modifying); it clears by itself.
  'InvalidVpnConnection.InvalidState': 'retry-later',

  // --- ElastiCache cache security groups (SDK v3 exception names).
  'AuthorizationAlreadyExistsFault': 'already-exists',
  'AuthorizationNotFoundFault': 'not-found',
  'CacheSecurityGroupNotFoundFault': 'not-found',
  // The group is mid-change; the reference notes list it as retryable.
  'InvalidCacheSecurityGroupStateFault': 'retry-later',
};

/**
 * Network-level failures. Node reports these in `code` (ECONNRESET...) with a
 * generic `name`, the SDK's own timeouts in `name`, so both are checked.
 */
const NETWORK_ERROR_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNREFUSED',
  'EAI_AGAIN',
]);

/**
 * Retry-later names that mean the service refused the request without acting
 * on it, so resending it cannot do the work twice. (A timeout or a 5xx may
 * hide a request that did happen; those wait for a fresh observation.)
 */
const REFUSAL_NAMES: ReadonlySet<string> = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'EC2ThrottledException',
  'TooManyRequestsException',
  'ConcurrentMutationLimitExceeded',
]);

/** The fields of an SDK v3 error the handlers may look at. */
export interface AwsErrorShape {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly httpStatusCode?: number;
}

/** Reads name, message, code and HTTP status from anything thrown. */
export function awsErrorShape(err: unknown): AwsErrorShape {
  if (typeof err !== 'object' || err === null) {
    return { name: 'UnknownError', message: String(err) };
  }
  const record = err as Record<string, unknown>;
  const metadata = record.$metadata;
  const httpStatusCode = typeof metadata === 'object' && metadata !== null
    ? (metadata as Record<string, unknown>).httpStatusCode
    : undefined;
  return {
    name: typeof record.name === 'string' && record.name ? record.name : 'UnknownError',
    message: typeof record.message === 'string' ? record.message : '',
    code: typeof record.code === 'string' ? record.code : undefined,
    httpStatusCode: typeof httpStatusCode === 'number' ? httpStatusCode : undefined,
  };
}

/**
 * Classify an error thrown by an AWS SDK v3 call.
 *
 * `overrides` win over everything else, so an operation can say what a name
 * means for it (e.g. `{ 'InvalidClientVpnEndpointId.NotFound': 'terminal' }`).
 */
export function classifyError(err: unknown, overrides: ErrorOverrides = {}): ErrorClass {
  if (err instanceof HandlerError) {
    return 'terminal';
  }
  const { name, code, httpStatusCode } = awsErrorShape(err);
  if (Object.prototype.hasOwnProperty.call(overrides, name)) {
    return overrides[name];
  }
  if (Object.prototype.hasOwnProperty.call(KNOWN_ERROR_NAMES, name)) {
    return KNOWN_ERROR_NAMES[name];
  }
  if (NETWORK_ERROR_NAMES.has(name) || (code !== undefined && NETWORK_ERROR_NAMES.has(code))) {
    return 'retry-later';
  }
  // Unknown 5xx codes are the service's problem, and 429 is throttling by
  // another name; neither says anything about our request.
  if (httpStatusCode !== undefined && (httpStatusCode >= 500 || httpStatusCode === 429)) {
    return 'retry-later';
  }
  return 'terminal';
}

/** True when `err` is a refusal (throttling, concurrency limit): the request was not acted on. */
export function isRefusal(err: unknown): boolean {
  return REFUSAL_NAMES.has(awsErrorShape(err).name);
}

/** Longest AWS message we quote; the whole CloudFormation response is capped at 4 KB. */
const MAX_QUOTED_MESSAGE = 300;

/**
 * `Name: message` of an SDK error, safe to put in a failure reason or a log
 * line. Only the name and message are read: SDK errors also carry the raw
 * response (`$response`) and metadata, which must never leave the handler.
 */
export function safeErrorText(err: unknown): string {
  const { name, message } = awsErrorShape(err);
  const oneLine = message.replace(/\s+/g, ' ').trim();
  const quoted = oneLine.length > MAX_QUOTED_MESSAGE ? `${oneLine.slice(0, MAX_QUOTED_MESSAGE - 3)}...` : oneLine;
  return quoted ? `${name}: ${quoted}` : name;
}

/**
 * A terminal failure with a reason a human can act on: which resource, which
 * state, and AWS's own words. Throwing it from `onEvent` or `isComplete`
 * fails the CloudFormation resource with this message.
 */
export class HandlerError extends Error {
  /**
   * The failure of an AWS call, e.g.
   * `AuthorizeClientVpnIngress for 10.0.0.0/16 (group g-1) on cvpn-endpoint-1 failed: IdempotentParameterMismatch: ...`.
   */
  public static fromAwsError(operation: string, resource: string, err: unknown): HandlerError {
    return new HandlerError(`${operation} for ${resource} failed: ${safeErrorText(err)}`);
  }

  public constructor(reason: string) {
    super(reason);
    this.name = 'HandlerError';
  }
}
