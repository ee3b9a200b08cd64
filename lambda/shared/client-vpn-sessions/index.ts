/**
 * The Client VPN session-termination engine: given who must not be
 * connected to an endpoint, end their sessions in passes that each fit one
 * Lambda invocation. Used by the sessions handler (revocations, certificate
 * revocation lists, scheduled enforcement) and by the authorization handler
 * after a revoke.
 *
 *   const result = await runTerminationPass(
 *     { endpointId, usernames, commonNames: [] },
 *     { stopBy: Date.now() + context.getRemainingTimeInMillis() - 30_000 },
 *   );
 *   // result.complete: nothing left to end; otherwise run another pass later.
 *   // result.failedConnectionIds: fail the deployment naming them.
 */
export { runTerminationPass } from './pass';
export type { TerminationPassOptions, TerminationPassResult } from './pass';
export type { SessionSelector } from './selector';
export {
  DEFAULT_MAX_IN_FLIGHT,
  DESCRIBE_PAGE_SIZE,
  FAILED_TERMINATION_RETRIES,
  PASS_STOP_MARGIN_MS,
  USERNAME_TERMINATE_LIMIT,
} from './config';
