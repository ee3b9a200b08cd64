/**
 * The handler's own deadline: the approach (and the code) is shared with the
 * other handlers that wait, in ../shared/deadline.ts; what is specific here
 * is how a timeout names the rules still pending.
 */
import { PendingRule } from './reconcile';
import { ruleLabel } from './rules';
import { workBudgetSeconds } from '../shared/deadline';

/** Pending rules named in a timeout reason; the rest are counted. */
export const MAX_RULES_NAMED = 10;

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
