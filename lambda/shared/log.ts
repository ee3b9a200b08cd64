/**
 * Structured logging for the handlers: one JSON object per line, so CloudWatch
 * Logs Insights can filter on fields (`fields level, message, budget`).
 *
 * Handlers log decisions and counts. Two guards back that up:
 * - values under keys that look secret are replaced with "[redacted]";
 * - anything shaped like an AWS SDK response or error (it has `$metadata`) is
 *   dropped, so a whole API response can never be logged by accident; errors
 *   are reduced to their name and message.
 */
import { safeErrorText } from './errors';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Readonly<Record<string, unknown>>;

export const REDACTED = '[redacted]';
export const OMITTED_API_OBJECT = '[omitted: AWS API object]';

/**
 * Keys whose values are secrets wherever they appear: site-to-site VPN
 * pre-shared keys and the customer gateway configuration (which embeds them),
 * and anything named like a secret, password or token.
 */
const SECRET_KEY = /presharedkey|customergatewayconfiguration|secret|password|token/i;

/**
 * Keys that match SECRET_KEY but are known not to be secret, compared
 * case-insensitively on the whole key.
 *
 * `ClientToken` is an EC2 idempotency token we derive from the request id; it
 * grants nothing, and logging it is what lets an operator match a duplicate
 * delivery to the call it repeated. Nothing else is exempt, not even
 * `NextToken`: a false positive costs a less useful log line, a false
 * negative leaks a credential.
 */
const NOT_SECRET_KEYS: ReadonlySet<string> = new Set(['clienttoken']);

/** Nesting deeper than this is cut off; decisions and counts are shallow. */
const MAX_DEPTH = 6;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET_KEYS.has(key.toLowerCase());
}

/** A copy of `value` that is safe to log (see the module comment). */
export function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    return safeErrorText(value);
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if ('$metadata' in value) {
    return OMITTED_API_OBJECT;
  }
  if (depth >= MAX_DEPTH) {
    return '[truncated]';
  }
  if (Array.isArray(value)) {
    return value.map(item => redact(item, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : redact(inner, depth + 1);
  }
  return out;
}

/** The JSON line for one log record. `level` and `message` cannot be overridden by fields. */
export function formatLogLine(level: LogLevel, message: string, fields: LogFields = {}): string {
  const safe = redact(fields);
  if (typeof safe !== 'object' || safe === null || Array.isArray(safe)) {
    // Only happens when an API object was passed as the fields themselves.
    return JSON.stringify({ level, message, fields: safe });
  }
  const rest: Record<string, unknown> = { ...safe };
  delete rest.level;
  delete rest.message;
  return JSON.stringify({ level, message, ...rest });
}

function write(level: LogLevel, message: string, fields?: LogFields): void {
  // console.log, not process.stdout: the Lambda runtime adds the request id
  // and timestamp to console output.
  // eslint-disable-next-line no-console
  console.log(formatLogLine(level, message, fields));
}

export const log = {
  debug: (message: string, fields?: LogFields): void => write('debug', message, fields),
  info: (message: string, fields?: LogFields): void => write('info', message, fields),
  warn: (message: string, fields?: LogFields): void => write('warn', message, fields),
  error: (message: string, fields?: LogFields): void => write('error', message, fields),
};
