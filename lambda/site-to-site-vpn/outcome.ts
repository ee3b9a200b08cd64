/**
 * How a pass ends when it cannot finish: wait (IsComplete false) or, past the
 * deadline, fail with a reason that names the connection and what it waited
 * for; and how each AWS error of a step turns into one of those or a
 * terminal failure.
 */
import { errorText, RetryLater } from './secrets';
import { isPastDeadline, workBudgetSeconds } from '../shared/deadline';
import { awsErrorShape, classifyError, ErrorOverrides, HandlerError } from '../shared/errors';
import { IsCompleteResponse } from '../shared/events';
import { log } from '../shared/log';

export const NOT_COMPLETE: IsCompleteResponse = { IsComplete: false };

/**
 * EC2's generic wrong-state code. For this handler's calls on a connection it
 * means "busy with a previous change", which clears by itself; it is not in
 * the shared table because other APIs use it for states that do not clear.
 */
export const VPN_CALL_OVERRIDES: ErrorOverrides = { IncorrectState: 'retry-later' };

/**
 * The failure of a wait past the deadline. The converge pass catches it to
 * add the tunnel modifications still pending (see remainingTunnels).
 */
export class DeadlineReached extends HandlerError {
  public constructor(message: string) {
    super(message);
    this.name = 'HandlerError';
  }
}

/** Wait for the next pass, unless the deadline has passed. */
export function waitFor(connectionId: string, deadline: number | undefined, reason: string): IsCompleteResponse {
  if (isPastDeadline(deadline)) {
    throw new DeadlineReached(`timed out after ${workBudgetSeconds()} s waiting for VPN connection ${connectionId}: ${reason}`);
  }
  log.info('waiting', { connectionId, reason });
  return NOT_COMPLETE;
}

/**
 * The outcome of a failed call: transient errors wait, anything else fails
 * with `Operation for what failed: Name: message`. `terminal` lets a step
 * phrase a known terminal error itself (a missing gateway, a quota).
 */
export function callFailed(
  connectionId: string,
  deadline: number | undefined,
  operation: string,
  what: string,
  err: unknown,
  terminal: (err: unknown) => string | undefined = () => undefined,
): IsCompleteResponse {
  if (err instanceof HandlerError) {
    throw err;
  }
  if (err instanceof RetryLater) {
    return waitFor(connectionId, deadline, err.reason);
  }
  const specific = terminal(err);
  if (specific) {
    throw new HandlerError(specific);
  }
  if (classifyError(err, VPN_CALL_OVERRIDES) === 'retry-later') {
    return waitFor(connectionId, deadline, `${operation} for ${what}: ${errorText(err)}`);
  }
  throw new HandlerError(`${operation} for ${what} failed: ${errorText(err)}`);
}

/** What the gateway ids of a request are, for naming them in failures. */
export interface GatewayIds {
  readonly customerGatewayId: string;
  readonly vpnGatewayId?: string;
  readonly transitGatewayId?: string;
}

/**
 * Failures a human must fix that AWS names precisely: a gateway id that does
 * not exist (never a hang: the id is in the reason), and the account's VPN
 * connection quota.
 */
export function gatewayOrQuotaProblem(err: unknown, ids: GatewayIds): string | undefined {
  const { name } = awsErrorShape(err);
  const aws = errorText(err);
  switch (name) {
    case 'InvalidCustomerGatewayID.NotFound':
      return `customer gateway ${ids.customerGatewayId} (CustomerGatewayId) does not exist in this account and region: ${aws}`;
    case 'InvalidVpnGatewayID.NotFound':
      return `virtual private gateway ${ids.vpnGatewayId ?? '(none)'} (VpnGatewayId) does not exist in this account and region: ${aws}`;
    case 'InvalidTransitGatewayID.NotFound':
      return `transit gateway ${ids.transitGatewayId ?? '(none)'} (TransitGatewayId) does not exist in this account and region: ${aws}`;
    case 'VpnConnectionLimitExceeded':
      return 'the Site-to-Site VPN connection quota is reached (Service Quotas, Amazon Virtual Private Cloud: '
        + "'Site-to-Site VPN connections per Region', and per virtual private gateway); delete unused connections "
        + `or request an increase, then deploy again: ${aws}`;
    default:
      return undefined;
  }
}
