/**
 * Everything that touches a secret value: reading pre-shared keys from
 * Secrets Manager, writing the customer gateway configuration into its
 * secret, and scrubbing known secret values out of any text that leaves the
 * handler.
 *
 * Rule 7 of the handler contract: a key or the configuration goes into the
 * one API call that needs it and nowhere else. Log lines, failure reasons
 * and `Data` name secrets by ARN only. AWS error messages are quoted in
 * failure reasons, and a service may echo request parameters in them, so
 * every value this invocation has seen is remembered and scrubbed from every
 * message (see `scrub`), on top of the log's key-based redaction.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretVersionSelector, TunnelSpec } from './properties';
import { secretsManagerClient } from '../shared/clients';
import { awsErrorShape, classifyError, HandlerError, safeErrorText } from '../shared/errors';

export const SCRUBBED = '[secret]';

/**
 * Secret values seen during this invocation. Lambda runs one invocation at
 * a time per process, and `forgetSecrets` empties the set at the start of
 * each, so a value lives here no longer than the invocation that read it.
 */
const seen = new Set<string>();

/** Shorter strings would scrub innocent text; AWS keys are at least 8 characters. */
const MIN_SCRUBBED_LENGTH = 8;

export function rememberSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SCRUBBED_LENGTH) {
    seen.add(value);
  }
}

/** Lines shorter than this are generic markup (`<bgp>`), not worth scrubbing. */
const MIN_SCRUBBED_LINE_LENGTH = 16;

/**
 * A multi-line document (the customer gateway configuration): the whole
 * text and each substantial line, so that an echo of part of it, or one
 * whose whitespace was collapsed, is scrubbed too.
 */
export function rememberDocument(text: string | undefined): void {
  if (text === undefined) {
    return;
  }
  rememberSecret(text);
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.length >= MIN_SCRUBBED_LINE_LENGTH) {
      seen.add(trimmed);
    }
  }
}

export function forgetSecrets(): void {
  seen.clear();
}

/** `text` with every remembered secret value replaced; longest first, so a key inside the configuration goes too. */
export function scrub(text: string): string {
  let out = text;
  for (const secret of [...seen].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) {
      out = out.split(secret).join(SCRUBBED);
    }
  }
  return out;
}

/**
 * safeErrorText, scrubbed: the only way this handler quotes an AWS error.
 * The message is scrubbed before safeErrorText collapses its whitespace and
 * cuts it short, which would otherwise break an echoed secret apart into
 * pieces that no longer match; and once more after, for good measure.
 */
export function errorText(err: unknown): string {
  const { name, message } = awsErrorShape(err);
  return scrub(safeErrorText({ name, message: scrub(message) }));
}

/** A transient failure: the pass ends with IsComplete false and the next one tries again. */
export class RetryLater extends Error {
  public constructor(public readonly reason: string) {
    super(reason);
    this.name = 'RetryLater';
  }
}

/**
 * AWS's rule for pre-shared keys (VpnTunnelOptionsSpecification.PreSharedKey):
 * 8 to 64 characters from letters, digits, '.' and '_', not starting with 0.
 */
const PRE_SHARED_KEY = /^[A-Za-z0-9._]{8,64}$/;

export function preSharedKeyProblem(key: string): string | undefined {
  if (!PRE_SHARED_KEY.test(key) || key.startsWith('0')) {
    return "does not meet AWS's rules for pre-shared keys (8 to 64 characters from A-Z, a-z, 0-9, '.' and '_', not starting with 0)";
  }
  return undefined;
}

function keySource(path: string, secretArn: string, field: string | undefined, version?: string): string {
  const details = [
    ...(field !== undefined ? [`field '${field}'`] : []),
    ...(version !== undefined ? [`version '${version}'`] : []),
  ];
  return `${path}.PreSharedKeySecretArn ${secretArn}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

/**
 * The pre-shared keys of the given tunnels (index -> key), read with
 * GetSecretValue, one read per secret. Throws RetryLater on throttling and
 * service trouble, HandlerError on anything a human must fix; neither
 * carries the key.
 */
export async function readPreSharedKeys(tunnels: ReadonlyArray<{ readonly index: number; readonly spec: TunnelSpec }>): Promise<Map<number, string>> {
  const secretStrings = new Map<string, string>();
  const keys = new Map<number, string>();
  for (const { index, spec } of tunnels) {
    const ref = spec.preSharedKey;
    if (!ref) {
      continue;
    }
    const path = `TunnelOptions[${index}]`;
    const source = keySource(path, ref.secretArn, ref.field, ref.version);
    // One read per secret version: two tunnels may name two versions of one secret.
    const cacheKey = `${ref.secretArn}\n${ref.version ?? ''}`;
    let secretString = secretStrings.get(cacheKey);
    if (secretString === undefined) {
      try {
        const response = await secretsManagerClient().send(new GetSecretValueCommand({
          SecretId: ref.secretArn, ...secretVersionSelector(ref.version),
        }));
        secretString = response.SecretString;
      } catch (err) {
        if (classifyError(err) === 'retry-later') {
          throw new RetryLater(`reading ${source}: ${errorText(err)}`);
        }
        throw new HandlerError(`could not read the pre-shared key of ${source}: ${errorText(err)}`);
      }
      if (secretString === undefined) {
        throw new HandlerError(`the pre-shared key secret of ${source} has no SecretString (binary secrets are not supported)`);
      }
      rememberSecret(secretString);
      secretStrings.set(cacheKey, secretString);
    }
    const key = ref.field === undefined ? secretString : jsonField(secretString, ref.field, path, ref.secretArn);
    rememberSecret(key);
    const problem = preSharedKeyProblem(key);
    if (problem) {
      throw new HandlerError(`the pre-shared key in ${source} ${problem}; its value is not shown`);
    }
    keys.set(index, key);
  }
  return keys;
}

function jsonField(secretString: string, field: string, path: string, secretArn: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // The parser's message may quote the secret: it is not used.
    throw new HandlerError(`${keySource(path, secretArn, field)}: the secret is not a JSON object, so it has no field '${field}'`);
  }
  const value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string') {
    throw new HandlerError(`${keySource(path, secretArn, field)}: the secret has no string field '${field}'`);
  }
  return value;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Writes the customer gateway configuration into the secret, unless its
 * current value is already exactly this text: every PutSecretValue makes a
 * new version, and a deployment that changes nothing must not make one.
 * The two texts are compared through their digests in memory; neither is
 * logged nor returned. Returns whether a version was written.
 */
export async function writeConfiguration(secretArn: string, configuration: string): Promise<boolean> {
  rememberDocument(configuration);
  let current: string | undefined;
  try {
    const response = await secretsManagerClient().send(new GetSecretValueCommand({ SecretId: secretArn }));
    current = response.SecretString;
    rememberDocument(current);
  } catch (err) {
    // A secret created without a value has no AWSCURRENT version yet:
    // GetSecretValue says ResourceNotFoundException, and the Put below creates
    // it (or fails, naming the secret, if the secret itself is missing).
    if (awsErrorShape(err).name !== 'ResourceNotFoundException') {
      throw secretsFailure('GetSecretValue', secretArn, err);
    }
  }
  if (current !== undefined && timingSafeEqual(digest(current), digest(configuration))) {
    return false;
  }
  try {
    await secretsManagerClient().send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: configuration }));
  } catch (err) {
    throw secretsFailure('PutSecretValue', secretArn, err);
  }
  return true;
}

function secretsFailure(operation: string, secretArn: string, err: unknown): Error {
  if (classifyError(err) === 'retry-later') {
    return new RetryLater(`${operation} of ConfigurationSecretArn ${secretArn}: ${errorText(err)}`);
  }
  return new HandlerError(`${operation} of ConfigurationSecretArn ${secretArn} failed: ${errorText(err)}`);
}
