/**
 * Bounded concurrency without a dependency: the handlers need exactly one
 * primitive, and twenty lines here cost less than a bundled library and its
 * upgrade churn.
 */

/**
 * Maps `items` through `fn` with at most `limit` calls pending at once, and
 * resolves to the results in input order.
 *
 * On the first rejection no further items are started, but calls already
 * started are awaited before rejecting with that first error: a Lambda
 * handler that returns while AWS calls are still pending gets frozen with
 * them, and their outcome would be lost or surface in a later invocation.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`mapLimit: limit must be a positive integer, got ${limit}`);
  }
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;

  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (err) {
        if (!failed) {
          failed = true;
          firstError = err;
        }
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) {
    throw firstError;
  }
  return results;
}
