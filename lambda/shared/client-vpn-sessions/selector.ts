/**
 * Which sessions a pass must end: the selector callers pass in, the sessions
 * as observed through DescribeClientVpnConnections, and the rule that maps
 * one onto the other (including the establishment-time cutoff).
 */
import { HandlerError } from '../errors';

export interface SessionSelector {
  readonly endpointId: string;
  /** AD/SAML user names, exact and case-sensitive. */
  readonly usernames: readonly string[];
  /** Certificate common names, matched client-side, exactly. */
  readonly commonNames: readonly string[];
  /** Every session on the endpoint, whoever it belongs to (used after an authorization revoke). */
  readonly allSessions?: boolean;
  /**
   * Epoch ms cutoff. Sessions established at or after it never block completion. With allSessions they are
   * left alone entirely (they connected under the new rules); for listed principals they are still terminated
   * when seen (a revoked principal must never keep a session), but completion does not wait for them, so a
   * client that reconnects in a loop cannot keep the deployment from finishing.
   */
  readonly establishedBefore?: number;
}

/** The states DescribeClientVpnConnections reports. */
export type SessionStatus = 'active' | 'failed-to-terminate' | 'terminating' | 'terminated';

/** One connection as a pass sees it (never the whole API record: it carries the client's IP and traffic). */
export interface ObservedSession {
  readonly connectionId: string;
  readonly username?: string;
  readonly commonName?: string;
  readonly status: SessionStatus;
  /** Epoch ms, undefined when EC2's text could not be read. */
  readonly establishedAt?: number;
}

/** What the selector asks of one observed session. */
export type SessionVerdict =
  /** Not ours: never named in a Terminate call. */
  | 'ignore'
  /** Must end, and completion waits for it. */
  | 'end'
  /** Must end, but completion does not wait (established at or after the cutoff). */
  | 'end-nonblocking';

const KNOWN_STATUSES: ReadonlySet<string> = new Set(['active', 'failed-to-terminate', 'terminating', 'terminated']);

/**
 * A status as reported. An unknown or missing code is read as `active`: the
 * session may still be up, and a Terminate of a session that is not active
 * does no harm, whereas ignoring it could leave a revoked user connected.
 */
export function readStatus(code: string | undefined): SessionStatus {
  return code !== undefined && KNOWN_STATUSES.has(code) ? code as SessionStatus : 'active';
}

const CONNECTION_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?(Z|[+-]00:?00)?$/;

/**
 * Epoch ms of a ConnectionEstablishedTime such as `2019-08-12 07:57:14` (the
 * API reference's example), or undefined when it cannot be read.
 *
 * ASSUMPTION: the text is UTC; the reference gives no zone. It is parsed
 * explicitly, never with `Date.parse`, which reads a zone-less date-time as
 * local time. Whole seconds lose the fraction, so a parsed time is never
 * later than the real one: a session is never taken to be newer than it is,
 * which is the safe side of the cutoff.
 */
export function parseConnectionTime(text: string | undefined): number | undefined {
  const m = text === undefined ? null : CONNECTION_TIME.exec(text.trim());
  if (!m) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(ms);
  // Rejects 2019-02-31 and friends, which Date.UTC would roll over.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  return ms;
}

/** Throws a HandlerError naming what is wrong with a selector a caller built. */
export function validateSelector(selector: SessionSelector): void {
  if (typeof selector.endpointId !== 'string' || selector.endpointId.trim() === '') {
    throw new HandlerError('session termination needs a Client VPN endpoint id');
  }
  for (const [field, names] of [['usernames', selector.usernames], ['commonNames', selector.commonNames]] as const) {
    if (!Array.isArray(names) || names.some(n => typeof n !== 'string' || n === '')) {
      throw new HandlerError(`session termination on ${selector.endpointId}: ${field} must be a list of non-empty strings`);
    }
  }
  if (selector.establishedBefore !== undefined && !Number.isFinite(selector.establishedBefore)) {
    throw new HandlerError(`session termination on ${selector.endpointId}: establishedBefore must be epoch milliseconds`);
  }
}

/** True when the selector names nobody: there is nothing to end and nothing to call. */
export function selectsNothing(selector: SessionSelector): boolean {
  return selector.allSessions !== true && selector.usernames.length === 0 && selector.commonNames.length === 0;
}

/** Decides per observed session; build once per pass. */
export class SessionMatcher {
  private readonly usernames: ReadonlySet<string>;
  private readonly commonNames: ReadonlySet<string>;

  public constructor(private readonly selector: SessionSelector) {
    this.usernames = new Set(selector.usernames);
    this.commonNames = new Set(selector.commonNames);
  }

  /** Whether `username` may be named in a Terminate by Username (it is ours in full). */
  public ownsUser(username: string): boolean {
    if (this.selector.allSessions === true) {
      // With a cutoff, a Terminate by Username could also end a session the
      // user opened after it, which allSessions must leave alone.
      return this.selector.establishedBefore === undefined;
    }
    return this.usernames.has(username);
  }

  public verdict(session: ObservedSession): SessionVerdict {
    const cutoff = this.selector.establishedBefore;
    // An unreadable time counts as before the cutoff: ending a session we
    // should have spared costs a reconnect; sparing one we should have
    // ended leaves access that was revoked.
    const afterCutoff = cutoff !== undefined && session.establishedAt !== undefined && session.establishedAt >= cutoff;
    if (this.selector.allSessions === true) {
      return afterCutoff ? 'ignore' : 'end';
    }
    const listed = (session.username !== undefined && this.usernames.has(session.username))
      || (session.commonName !== undefined && this.commonNames.has(session.commonName));
    if (!listed) {
      return 'ignore';
    }
    return afterCutoff ? 'end-nonblocking' : 'end';
  }
}
