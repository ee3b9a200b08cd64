/**
 * How a timeout names the pairs still pending: as many as fit in the
 * reason's budget (the rest counted), all of them in the log.
 */
import { pairLabel } from './pairs';
import { PendingPair } from './plan';
import { workBudgetSeconds } from '../shared/deadline';
import { logRemaining, nameWithinBudget, REMAINING_IDS_BUDGET_CHARS } from '../shared/remaining';

const STATE_PHRASES: Readonly<Record<string, string>> = {
  authorizing: 'still authorizing',
  revoking: 'still revoking',
  queued: 'not yet started (too many changes in flight on the group)',
  held: 'not yet revoked (new pairs go in first)',
};

function plural(n: number): string {
  return n === 1 ? '1 pair' : `${n} pairs`;
}

/** `timed out after 3480 s waiting for cache security group g: 2 pairs still authorizing (a (1111...), ...)`. */
export function timeoutMessage(cacheSecurityGroupName: string, pending: readonly PendingPair[]): string {
  const byState = new Map<string, PendingPair[]>();
  for (const item of pending) {
    byState.set(item.state, [...byState.get(item.state) ?? [], item]);
  }
  let budgetLeft = REMAINING_IDS_BUDGET_CHARS;
  const parts: string[] = [];
  for (const [state, items] of byState) {
    const names = nameWithinBudget(items.map(item => pairLabel(item.pair)), budgetLeft);
    budgetLeft = Math.max(0, budgetLeft - names.length);
    parts.push(`${plural(items.length)} ${STATE_PHRASES[state] ?? `in status '${state}'`}${names ? ` (${names})` : ''}`);
  }
  const detail = parts.length > 0 ? parts.join('; ') : 'no pair pending';
  return `timed out after ${workBudgetSeconds()} s waiting for cache security group ${cacheSecurityGroupName}: ${detail}`;
}

/** The full list behind a timeout reason, in the log. */
export function logPending(cacheSecurityGroupName: string, pending: readonly PendingPair[]): void {
  logRemaining('pairs', pending.map(item => `${pairLabel(item.pair)} (${item.state})`), { cacheSecurityGroupName });
}

/** The reason when the deadline passes while the group cannot even be read. */
export function timeoutWhileUnreadableMessage(cacheSecurityGroupName: string, lastError: string): string {
  return `timed out after ${workBudgetSeconds()} s waiting for cache security group ${cacheSecurityGroupName}: it could not be read (${lastError})`;
}
