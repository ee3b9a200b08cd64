/**
 * The handler's own deadline.
 *
 * The Provider's waiter fails a resource that runs out of time with a bare
 * "Operation timed out". `onEvent` therefore hands `isComplete` a deadline a
 * little before the waiter's, and `isComplete` fails past it with a reason
 * that names the endpoint and the rules still pending.
 */
import { totalTimeoutSeconds } from './config';
import { PendingRule } from './reconcile';
import { ruleLabel } from './rules';
import { clock } from '../shared/clock';

/** Time left to the waiter after our deadline: one last pass plus the framework's response. */
export const DEADLINE_MARGIN_SECONDS = 120;

/** Pending rules named in a timeout reason; the rest are counted. */
export const MAX_RULES_NAMED = 10;

/**
 * How long `isComplete` may work: totalTimeout minus the margin. With a short
 * totalTimeout (a test stack) the margin would eat everything, so it is
 * capped at half the total.
 */
export function workBudgetSeconds(): number {
  const total = totalTimeoutSeconds();
  return Math.max(total - DEADLINE_MARGIN_SECONDS, Math.ceil(total / 2));
}

/** The Deadline `onEvent` returns (epoch ms). */
export function computeDeadline(): number {
  return clock.now() + workBudgetSeconds() * 1000;
}

/** The Deadline carried by an isComplete event, if usable. */
export function readDeadline(event: { readonly Deadline?: unknown }): number | undefined {
  const raw = event.Deadline;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function isPastDeadline(deadline: number | undefined): boolean {
  return deadline !== undefined && clock.now() > deadline;
}

const STATE_PHRASES: Readonly<Record<string, string>> = {
  authorizing: 'still authorizing',
  revoking: 'still revoking',
  queued: 'not yet started (no free mutation slot on the endpoint)',
  held: 'not yet revoked (new rules go in first)',
};

function plural(n: number): string {
  return n === 1 ? '1 rule' : `${n} rules`;
}

/**
 * `timed out after 3480 s waiting for endpoint cvpn-endpoint-1: 3 rules still
 * authorizing (10.0.0.0/16 group g-1, ...); 1 rule still revoking (...)`,
 * naming at most MAX_RULES_NAMED rules in all.
 */
export function timeoutMessage(endpointId: string, pending: readonly PendingRule[]): string {
  const byState = new Map<string, PendingRule[]>();
  for (const item of pending) {
    byState.set(item.state, [...byState.get(item.state) ?? [], item]);
  }
  let namesLeft = MAX_RULES_NAMED;
  const parts: string[] = [];
  for (const [state, items] of byState) {
    const named = items.slice(0, namesLeft).map(item => ruleLabel(item.rule));
    namesLeft -= named.length;
    const unnamed = items.length - named.length;
    const phrase = STATE_PHRASES[state] ?? `in status '${state}'`;
    const list = named.length > 0
      ? ` (${[...named, ...(unnamed > 0 ? [`and ${unnamed} more`] : [])].join(', ')})`
      : '';
    parts.push(`${plural(items.length)} ${phrase}${list}`);
  }
  const detail = parts.length > 0 ? parts.join('; ') : 'no rule pending';
  return `timed out after ${workBudgetSeconds()} s waiting for endpoint ${endpointId}: ${detail}`;
}

/** The reason when the deadline passes while the endpoint's rules cannot even be read. */
export function timeoutWhileUnreadableMessage(endpointId: string, lastError: string): string {
  return `timed out after ${workBudgetSeconds()} s waiting for endpoint ${endpointId}: its rules could not be read (${lastError})`;
}
