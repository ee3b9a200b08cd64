/**
 * The two EC2 calls of the engine, DescribeClientVpnConnections (a whole
 * listing, paged, through the rate limiter) and TerminateClientVpnConnections
 * (one call), and what each error means for each.
 *
 * A missing endpoint always surfaces as a HandlerError naming it: the caller
 * fails the deployment with that reason. Throttling never surfaces at all.
 */
import {
  ClientVpnConnection,
  DescribeClientVpnConnectionsCommand,
  DescribeClientVpnConnectionsCommandOutput,
  Filter,
  TerminateClientVpnConnectionsCommand,
} from '@aws-sdk/client-ec2';
import {
  DESCRIBE_PAGE_RETRIES,
  DESCRIBE_PAGE_RETRY_BASE_MS,
  DESCRIBE_PAGE_SIZE,
  FILTER_VALUES_PER_CALL,
  MAX_DESCRIBE_PAGES,
} from './config';
import { AimdRateLimiter } from './rate-limiter';
import { ObservedSession, parseConnectionTime, readStatus, SessionStatus } from './selector';
import { ec2Client } from '../clients';
import { clock } from '../clock';
import { awsErrorShape, classifyError, HandlerError, isRefusal, safeErrorText } from '../errors';

/** Calls made by a pass, by kind; `throttled` counts refusals of either kind. */
export interface CallCounts {
  describe: number;
  terminate: number;
  throttled: number;
}

/** What the call layer needs from the pass. */
export interface CallContext {
  readonly endpointId: string;
  readonly describeLimiter: AimdRateLimiter;
  /** Epoch ms after which no call may start. */
  readonly workUntil: number;
  readonly counts: CallCounts;
}

/** The HandlerError of a missing endpoint: the deployment fails naming it. */
export function endpointMissing(endpointId: string, err: unknown): HandlerError {
  return new HandlerError(`Client VPN endpoint ${endpointId} does not exist (${safeErrorText(err)})`);
}

/** Sleep `ms` unless that would end after `deadline`; false when it would. */
export async function sleepWithin(ms: number, deadline: number): Promise<boolean> {
  if (clock.now() + ms > deadline) {
    return false;
  }
  await clock.sleep(ms);
  return true;
}

// ------------------------------------------------------------------ Describe

export interface Listing {
  /** Every connection seen, once per connection id (the last reading wins). */
  readonly sessions: readonly ObservedSession[];
  /** False when the listing stopped early (out of time, or EC2 kept failing): absence then proves nothing. */
  readonly complete: boolean;
  /** Why it stopped early. */
  readonly reason?: string;
}

/** A filter whose values are split into calls of FILTER_VALUES_PER_CALL. */
export interface ListingFilter {
  readonly name: 'username' | 'connection-id';
  readonly values: readonly string[];
}

function observe(connection: ClientVpnConnection): ObservedSession | undefined {
  if (!connection.ConnectionId) {
    return undefined;
  }
  return {
    connectionId: connection.ConnectionId,
    ...(connection.Username ? { username: connection.Username } : {}),
    ...(connection.CommonName ? { commonName: connection.CommonName } : {}),
    status: readStatus(connection.Status?.Code),
    establishedAt: parseConnectionTime(connection.ConnectionEstablishedTime),
  };
}

type PageOutcome =
  | { readonly result: 'ok'; readonly output: DescribeClientVpnConnectionsCommandOutput }
  | { readonly result: 'stopped'; readonly reason: string };

async function describePage(ctx: CallContext, filters: Filter[] | undefined, nextToken: string | undefined): Promise<PageOutcome> {
  let failures = 0;
  for (;;) {
    if (!await ctx.describeLimiter.acquire(ctx.workUntil)) {
      return { result: 'stopped', reason: 'out of time' };
    }
    ctx.counts.describe++;
    try {
      const output = await ec2Client().send(new DescribeClientVpnConnectionsCommand({
        ClientVpnEndpointId: ctx.endpointId,
        MaxResults: DESCRIBE_PAGE_SIZE,
        ...(filters ? { Filters: filters } : {}),
        ...(nextToken ? { NextToken: nextToken } : {}),
      }));
      ctx.describeLimiter.onSuccess();
      return { result: 'ok', output };
    } catch (err) {
      if (isRefusal(err)) {
        // A refused page did nothing; ask again at the lowered rate, for as long as there is time.
        ctx.counts.throttled++;
        ctx.describeLimiter.onRefusal();
        continue;
      }
      // A token EC2 no longer accepts cannot be repaired by this listing; the next pass starts afresh.
      switch (classifyError(err, { InvalidPaginationToken: 'retry-later' })) {
        case 'not-found':
          throw endpointMissing(ctx.endpointId, err);
        case 'retry-later':
          failures++;
          if (failures > DESCRIBE_PAGE_RETRIES || !await sleepWithin(DESCRIBE_PAGE_RETRY_BASE_MS * failures, ctx.workUntil)) {
            return { result: 'stopped', reason: safeErrorText(err) };
          }
          continue;
        default:
          throw HandlerError.fromAwsError('DescribeClientVpnConnections', `endpoint ${ctx.endpointId}`, err);
      }
    }
  }
}

/**
 * Lists the endpoint's connections, following NextToken to the end (EC2 may
 * return fewer than MaxResults per page). With a filter, one listing per
 * chunk of values: at most ceil(values / 200) listings.
 */
export async function listSessions(ctx: CallContext, filter?: ListingFilter): Promise<Listing> {
  const byId = new Map<string, ObservedSession>();
  const chunks: Array<Filter[] | undefined> = [];
  if (filter === undefined) {
    chunks.push(undefined);
  } else {
    for (let i = 0; i < filter.values.length; i += FILTER_VALUES_PER_CALL) {
      chunks.push([{ Name: filter.name, Values: filter.values.slice(i, i + FILTER_VALUES_PER_CALL) }]);
    }
  }
  for (const filters of chunks) {
    const seenTokens = new Set<string>();
    let nextToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_DESCRIBE_PAGES) {
        return { sessions: [...byId.values()], complete: false, reason: `more than ${MAX_DESCRIBE_PAGES} pages` };
      }
      const outcome = await describePage(ctx, filters, nextToken);
      if (outcome.result === 'stopped') {
        return { sessions: [...byId.values()], complete: false, reason: outcome.reason };
      }
      for (const connection of outcome.output.Connections ?? []) {
        const session = observe(connection);
        if (session) {
          byId.set(session.connectionId, session);
        }
      }
      nextToken = outcome.output.NextToken || undefined;
      if (nextToken === undefined) {
        break;
      }
      if (seenTokens.has(nextToken)) {
        // Following it would loop forever; a partial list is still usable for terminating, not for completion.
        return { sessions: [...byId.values()], complete: false, reason: 'EC2 repeated a NextToken' };
      }
      seenTokens.add(nextToken);
    }
  }
  return { sessions: [...byId.values()], complete: true };
}

// ----------------------------------------------------------------- Terminate

export type TerminateTarget =
  | { readonly kind: 'connection'; readonly connectionId: string }
  | { readonly kind: 'user'; readonly username: string };

export interface ConnectionStatusChange {
  readonly connectionId: string;
  readonly previous?: SessionStatus;
  readonly current?: SessionStatus;
}

/** Name EC2 gives a Terminate by Username for a user with more connections than it allows. */
export const TERMINATE_LIMIT_EXCEEDED = 'ClientVpnTerminateConnectionsLimitExceeded';

export type TerminateOutcome =
  /** EC2 accepted the call; the statuses it reported (possibly none). */
  | { readonly result: 'done'; readonly statuses: readonly ConnectionStatusChange[] }
  /** IdNotFound: the connection is gone. UserNotFound: the user has no active connection. Either way, done. */
  | { readonly result: 'not-found'; readonly errorName: string }
  /** Throttled: nothing happened, resend. */
  | { readonly result: 'refused' }
  /** Terminate by Username refused for a user with more than five connections: end them one by one. */
  | { readonly result: 'user-limit' }
  /** 5xx, timeouts: the call may or may not have happened; the next observation tells. */
  | { readonly result: 'retry-later'; readonly reason: string }
  | { readonly result: 'failed'; readonly error: HandlerError };

function targetLabel(target: TerminateTarget): string {
  return target.kind === 'connection' ? `connection ${target.connectionId}` : `user '${target.username}'`;
}

/** One TerminateClientVpnConnections call (the caller holds the rate limiter's slot). */
export async function terminate(ctx: CallContext, target: TerminateTarget): Promise<TerminateOutcome> {
  ctx.counts.terminate++;
  try {
    const output = await ec2Client().send(new TerminateClientVpnConnectionsCommand({
      ClientVpnEndpointId: ctx.endpointId,
      ...(target.kind === 'connection' ? { ConnectionId: target.connectionId } : { Username: target.username }),
    }));
    const statuses: ConnectionStatusChange[] = [];
    for (const status of output.ConnectionStatuses ?? []) {
      if (status.ConnectionId) {
        statuses.push({
          connectionId: status.ConnectionId,
          ...(status.PreviousStatus?.Code ? { previous: readStatus(status.PreviousStatus.Code) } : {}),
          ...(status.CurrentStatus?.Code ? { current: readStatus(status.CurrentStatus.Code) } : {}),
        });
      }
    }
    return { result: 'done', statuses };
  } catch (err) {
    if (isRefusal(err)) {
      ctx.counts.throttled++;
      return { result: 'refused' };
    }
    const name = awsErrorShape(err).name;
    if (name === TERMINATE_LIMIT_EXCEEDED && target.kind === 'user') {
      return { result: 'user-limit' };
    }
    if (name === 'InvalidClientVpnEndpointId.NotFound') {
      return { result: 'failed', error: endpointMissing(ctx.endpointId, err) };
    }
    switch (classifyError(err)) {
      case 'not-found':
        return { result: 'not-found', errorName: name };
      case 'retry-later':
        return { result: 'retry-later', reason: safeErrorText(err) };
      default:
        return {
          result: 'failed',
          error: HandlerError.fromAwsError('TerminateClientVpnConnections', `${targetLabel(target)} on ${ctx.endpointId}`, err),
        };
    }
  }
}
