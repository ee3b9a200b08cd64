/**
 * Reading numeric settings from the Lambda environment.
 *
 * A bad value falls back to the default instead of throwing: the handlers read
 * these on every invocation, and a typo in a tuning knob must not turn every
 * Create, Update and Delete (including the rollback that would undo it) into a
 * failure. The fallback is logged by the caller where it matters.
 */
export interface IntegerBounds {
  readonly min?: number;
  readonly max?: number;
}

/**
 * The integer in `process.env[name]`, or `fallback` when unset, not a plain
 * decimal integer, or outside `bounds`.
 */
export function integerFromEnv(name: string, fallback: number, bounds: IntegerBounds = {}): number {
  const raw = process.env[name];
  if (raw === undefined || !/^\s*-?\d+\s*$/.test(raw)) {
    return fallback;
  }
  const value = Number.parseInt(raw, 10);
  if (!Number.isSafeInteger(value)) {
    return fallback;
  }
  if (bounds.min !== undefined && value < bounds.min) {
    return fallback;
  }
  if (bounds.max !== undefined && value > bounds.max) {
    return fallback;
  }
  return value;
}

/** The trimmed value of `process.env[name]`, or undefined when unset or blank. */
export function stringFromEnv(name: string): string | undefined {
  const raw = process.env[name]?.trim();
  return raw ? raw : undefined;
}
