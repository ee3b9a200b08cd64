/**
 * Size guard for the `Data` a handler returns.
 *
 * CloudFormation rejects a custom-resource response body larger than 4096
 * bytes, and the body carries more than `Data`: Status, Reason, StackId,
 * RequestId, LogicalResourceId and a PhysicalResourceId of up to 1 KB, all
 * JSON-encoded. Keeping `Data` within 3 KB leaves that envelope about 1 KB.
 * An oversized response fails the deployment with an error that does not say
 * which handler or field was responsible, so we fail earlier and say it.
 */
import { HandlerError } from './errors';

export const RESPONSE_BODY_LIMIT_BYTES = 4096;
export const DATA_BUDGET_BYTES = 3072;

/** The UTF-8 size of `data` as it will appear in the response body. */
export function dataSizeBytes(data: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(JSON.stringify(data), 'utf8');
}

/** Returns `data` unchanged, or throws a HandlerError naming its size and largest fields. */
export function guardData<T extends Readonly<Record<string, string>>>(data: T): T {
  const size = dataSizeBytes(data);
  if (size <= DATA_BUDGET_BYTES) {
    return data;
  }
  const largest = Object.entries(data)
    .map(([key, value]) => ({ key, bytes: Buffer.byteLength(value, 'utf8') }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map(({ key, bytes }) => `${key} (${bytes} bytes)`)
    .join(', ');
  throw new HandlerError(
    `response Data is ${size} bytes, over the ${DATA_BUDGET_BYTES}-byte budget `
    + `(CloudFormation caps the whole response at ${RESPONSE_BODY_LIMIT_BYTES} bytes); largest fields: ${largest}`,
  );
}
