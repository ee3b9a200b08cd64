/**
 * The handler's own deadline: the approach (and the code) is shared with the
 * other handlers that wait, in ../shared/deadline.ts; what is specific here
 * is how a timeout names the rules still pending.
 */
import { PendingRule } from './reconcile';
import { ruleLabel } from './rules';
import { workBudgetSeconds } from '../shared/deadline';
import { logRemaining, nameWithinBudget, REMAINING_IDS_BUDGET_CHARS } from '../shared/remaining';

const STATE_PHRASES: Readonly<Record<string, string>> = {
  authorizing: 'still authorizing',
  revoking: 'still revoking',
  queued: 'not yet started (no free mutation slot on the endpoint)',
  quota: 'not yet authorized (waiting for removed rules to free room under the rule quota)',
  held: 'not yet revoked (new rules go in first)',
};

function plural(n: number): string {
  return n === 1 ? '1 rule' : `${n} rules`;
}

/**
 * `timed out after 3480 s waiting for endpoint cvpn-endpoint-1: 3 rules still
 * authorizing (10.0.0.0/16 group g-1, ...); 1 rule still revoking (...)`,
 * naming as many rules as fit in the reason's budget (REMAINING_IDS_BUDGET_CHARS
 * over all states) and counting the rest; `logPending` logs them all.
 */
export function timeoutMessage(endpointId: string, pending: readonly PendingRule[]): string {
  const byState = new Map<string, PendingRule[]>();
  for (const item of pending) {
    byState.set(item.state, [...byState.get(item.state) ?? [], item]);
  }
  let budgetLeft = REMAINING_IDS_BUDGET_CHARS;
  const parts: string[] = [];
  for (const [state, items] of byState) {
    const names = nameWithinBudget(items.map(item => ruleLabel(item.rule)), budgetLeft);
    budgetLeft = Math.max(0, budgetLeft - names.length);
    const phrase = STATE_PHRASES[state] ?? `in status '${state}'`;
    parts.push(`${plural(items.length)} ${phrase}${names ? ` (${names})` : ''}`);
  }
  const detail = parts.length > 0 ? parts.join('; ') : 'no rule pending';
  return `timed out after ${workBudgetSeconds()} s waiting for endpoint ${endpointId}: ${detail}`;
}

/** The full list behind a timeout reason, in the log. */
export function logPending(endpointId: string, pending: readonly PendingRule[]): void {
  logRemaining('rules', pending.map(item => `${ruleLabel(item.rule)} (${item.state})`), { endpointId });
}

/** The reason when the deadline passes while the endpoint's rules cannot even be read. */
export function timeoutWhileUnreadableMessage(endpointId: string, lastError: string): string {
  return `timed out after ${workBudgetSeconds()} s waiting for endpoint ${endpointId}: its rules could not be read (${lastError})`;
}
