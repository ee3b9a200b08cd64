/**
 * Timing and summary helpers shared by the benchmarks.
 *
 * Benchmarks compare variants measured in the same run (ratios), never
 * against a stored absolute time: the machine and its load change between
 * runs, the ratio much less.
 */

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading). */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function minimum(values: readonly number[]): number {
  if (values.length === 0) throw new Error('minimum of no values');
  return Math.min(...values);
}

/** `12.3` for milliseconds: one decimal below 100, none above. */
export function formatMs(ms: number): string {
  return ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

/** `0.42x`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

export function formatKb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}
