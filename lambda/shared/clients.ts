/**
 * AWS SDK v3 clients of the handlers: one per service per Lambda container,
 * created on first use, all configured the same way.
 *
 * A module-level instance keeps connections warm across invocations, and
 * aws-sdk-client-mock still intercepts it because `mockClient(EC2Client)`
 * patches the class prototype's `send`.
 *
 * A new family adds its client in one line (see the end of this file). Each
 * line is marked pure, so esbuild drops the clients a handler never uses
 * (without the mark, every handler bundled every SDK client: lazyClient
 * registers a resetter, which esbuild must otherwise assume matters).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { integerFromEnv, stringFromEnv } from './env';

/** The subset of client settings every handler client shares. */
export interface SdkClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
  readonly maxAttempts: number;
  readonly retryMode: 'adaptive';
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    readonly throwOnRequestTimeout: boolean;
  };
}

/**
 * The reference notes recommend 8 to 10 attempts: a deploy that touches many
 * rules at once drains the EC2 token bucket, and the adaptive mode's
 * client-side rate limiter needs a few throttled responses to settle.
 */
export const DEFAULT_MAX_ATTEMPTS = 8;

/**
 * Settings from the environment:
 * - `AWS_REGION` (always set by Lambda),
 * - `AWS_MAX_ATTEMPTS` (default 8),
 * - `AWS_ENDPOINT_URL`, so tests and emulators can aim every client at
 *   127.0.0.1 without touching handler code.
 *
 * Timeouts turn a hung connection into a `TimeoutError` (classified
 * retry-later) well before the Lambda's own timeout would kill the pass.
 */
export function sdkClientConfig(): SdkClientConfig {
  const region = stringFromEnv('AWS_REGION');
  const endpoint = stringFromEnv('AWS_ENDPOINT_URL');
  // Unset values are left out rather than passed as undefined, so the SDK's
  // own resolution (shared config files, defaults) still applies to them.
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: integerFromEnv('AWS_MAX_ATTEMPTS', DEFAULT_MAX_ATTEMPTS, { min: 1, max: 20 }),
    retryMode: 'adaptive',
    requestHandler: {
      connectionTimeout: 5_000,
      requestTimeout: 30_000,
      throwOnRequestTimeout: true,
    },
  };
}

const resetters: Array<() => void> = [];

/**
 * A getter that creates its client on first call and returns the same one
 * afterwards. Configuration is read at creation time; `resetClients` makes the
 * next call read it again.
 */
export function lazyClient<T>(create: () => T): () => T {
  let instance: T | undefined;
  resetters.push(() => { instance = undefined; });
  return () => {
    if (instance === undefined) {
      instance = create();
    }
    return instance;
  };
}

/** Forget every created client (tests that change the environment). */
export function resetClients(): void {
  for (const reset of resetters) {
    reset();
  }
}

export const ec2Client = /* @__PURE__ */ lazyClient(() => new EC2Client(sdkClientConfig()));
export const s3Client = /* @__PURE__ */ lazyClient(() => new S3Client(sdkClientConfig()));
export const secretsManagerClient = /* @__PURE__ */ lazyClient(() => new SecretsManagerClient(sdkClientConfig()));

export const ssmClient = /* @__PURE__ */ lazyClient(() => new SSMClient(sdkClientConfig()));
export const elastiCacheClient = /* @__PURE__ */ lazyClient(() => new ElastiCacheClient(sdkClientConfig()));
