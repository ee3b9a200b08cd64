/**
 * From one listing to the Terminate calls of a pass: which sessions must
 * end, which of them completion waits for, and how few calls end them.
 *
 * Pure: no AWS calls, no clock. The pass executes the plan and the next pass
 * plans again from a fresh listing, so no plan outlives one invocation.
 */
import { USERNAME_TERMINATE_LIMIT } from './config';
import { TerminateTarget } from './ec2-connections';
import { ObservedSession, SessionMatcher } from './selector';

/** One planned Terminate call. */
export interface WorkItem {
  readonly target: TerminateTarget;
  /** The active connections this call is meant to end (for a user: every one the listing showed). */
  readonly connectionIds: readonly string[];
  /** Whether completion waits for any of them. */
  readonly blocking: boolean;
  /** A deliberate resend for a session that failed to terminate (the only way one is named twice in a pass). */
  readonly retry?: boolean;
}

/** A session the selector must end that is not terminated yet. */
export interface SessionToEnd {
  readonly session: ObservedSession;
  readonly blocking: boolean;
}

export interface TerminationPlan {
  /** Calls for the `active` sessions; blocking ones first. */
  readonly work: readonly WorkItem[];
  /** Sessions to end that are `failed-to-terminate`: resent by ConnectionId, a bounded number of times. */
  readonly failed: readonly SessionToEnd[];
  /** Every session to end (any state but terminated), by connection id. */
  readonly toEnd: ReadonlyMap<string, SessionToEnd>;
  /** Sessions on the listing the selector does not cover, and how many of those are not terminated. */
  readonly ignored: number;
  /** Counts by state of the sessions to end, for the log. */
  readonly counts: Readonly<Record<'active' | 'terminating' | 'failed' | 'nonBlocking', number>>;
}

/**
 * Terminate by Username ends all of a user's active connections in one call,
 * but EC2 allows it only while the user has at most five connections. Any
 * connection that is not terminated yet is counted, ours or not: the limit
 * is the user's, and a call refused for it is a wasted call. A user over the
 * limit is ended one ConnectionId at a time.
 */
export function planTermination(matcher: SessionMatcher, sessions: readonly ObservedSession[]): TerminationPlan {
  const toEnd = new Map<string, SessionToEnd>();
  const openByUser = new Map<string, number>();
  let ignored = 0;
  for (const session of sessions) {
    if (session.username !== undefined && session.status !== 'terminated') {
      openByUser.set(session.username, (openByUser.get(session.username) ?? 0) + 1);
    }
    const verdict = matcher.verdict(session);
    if (verdict === 'ignore') {
      ignored++;
      continue;
    }
    if (session.status !== 'terminated') {
      toEnd.set(session.connectionId, { session, blocking: verdict === 'end' });
    }
  }

  const activeByUser = new Map<string, SessionToEnd[]>();
  const single: SessionToEnd[] = [];
  const failed: SessionToEnd[] = [];
  const counts = { active: 0, terminating: 0, failed: 0, nonBlocking: 0 };
  for (const entry of toEnd.values()) {
    const { session } = entry;
    if (!entry.blocking) counts.nonBlocking++;
    switch (session.status) {
      case 'active': {
        counts.active++;
        const username = session.username;
        if (username !== undefined && matcher.ownsUser(username) && (openByUser.get(username) ?? 0) <= USERNAME_TERMINATE_LIMIT) {
          activeByUser.set(username, [...activeByUser.get(username) ?? [], entry]);
        } else {
          single.push(entry);
        }
        break;
      }
      case 'failed-to-terminate':
        counts.failed++;
        failed.push(entry);
        break;
      default:
        counts.terminating++;
    }
  }

  const work: WorkItem[] = [];
  for (const [username, entries] of activeByUser) {
    work.push({
      target: { kind: 'user', username },
      connectionIds: entries.map(e => e.session.connectionId),
      blocking: entries.some(e => e.blocking),
    });
  }
  for (const entry of single) {
    work.push({
      target: { kind: 'connection', connectionId: entry.session.connectionId },
      connectionIds: [entry.session.connectionId],
      blocking: entry.blocking,
    });
  }
  // Stable: the calls completion waits for go first, so a pass cut short by
  // its budget has spent it where it counts.
  work.sort((a, b) => Number(b.blocking) - Number(a.blocking));
  return { work, failed, toEnd, ignored, counts };
}
