/**
 * Naming what is left when a handler runs out of time.
 *
 * A failure reason that says "3 rules were still pending" sends an operator to
 * the console to find out which; one that names them is actionable. The reason
 * travels in the custom-resource response, which CloudFormation caps at 4096
 * bytes together with the rest of the envelope, so a reason names as many ids
 * as fit in a budget and counts the rest. The handler logs the full list
 * (`logRemaining`), so nothing is lost, only moved to the log.
 */
import { log } from './log';

/**
 * Characters of a failure reason spent on ids. The envelope (Status, StackId,
 * RequestId, LogicalResourceId, PhysicalResourceId, the rest of the reason)
 * can take up to about 2 KB; 1,500 characters keep the body under 4096 bytes.
 */
export const REMAINING_IDS_BUDGET_CHARS = 1500;

/**
 * `a, b, c` or `a, b and 12 more`: as many ids as fit within `budgetChars`
 * (counting the separators and the "and N more" tail), in the order given.
 * An empty list gives an empty string.
 */
export function nameWithinBudget(ids: readonly string[], budgetChars: number = REMAINING_IDS_BUDGET_CHARS): string {
  const named: string[] = [];
  let used = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const separator = named.length === 0 ? 0 : 2;
    const left = ids.length - i - 1;
    // Room for this id plus, if any follow, the tail that would count them.
    const tail = left > 0 ? ` and ${left} more`.length : 0;
    if (used + separator + id.length + tail > budgetChars) {
      break;
    }
    named.push(id);
    used += separator + id.length;
  }
  const more = ids.length - named.length;
  if (named.length === 0) {
    return more > 0 ? `${more} (see the log for the list)` : '';
  }
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

/** Logs the full list a failure reason may have shortened, under one message. */
export function logRemaining(what: string, ids: readonly string[], fields: Readonly<Record<string, unknown>> = {}): void {
  log.error(`deadline reached with ${what} remaining`, { ...fields, remaining: ids.length, ids: [...ids] });
}
