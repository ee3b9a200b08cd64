/**
 * Reading, verifying and importing an endpoint's client certificate
 * revocation list.
 *
 * Importing is not free to repeat: EC2 documents that uploading a CRL resets
 * the endpoint's existing client connections. `isComplete` runs many times
 * per request and keeps no state between invocations, so before importing it
 * exports the endpoint's current CRL and imports only when that differs from
 * ours. A duplicate delivery, a retried invocation or a second pass therefore
 * import nothing once the list is in place.
 */
import { createHash } from 'node:crypto';
import {
  ExportClientVpnClientCertificateRevocationListCommand,
  ImportClientVpnClientCertificateRevocationListCommand,
} from '@aws-sdk/client-ec2';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CrlSource } from './properties';
import { CrlImport } from './target';
import { ec2Client, s3Client } from '../shared/clients';
import { clock } from '../shared/clock';
import { classifyError, HandlerError, safeErrorText } from '../shared/errors';
import { log } from '../shared/log';

/** How often to re-read the endpoint's CRL while EC2 reports it `pending`. */
export const CRL_POLL_INTERVAL_MS = 2_000;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function describeSource(source: CrlSource): string {
  return source.kind === 's3' ? `s3://${source.bucket}/${source.key}` : 'the inline Crl property';
}

/**
 * The PEM text of the CRL, verified against CrlSha256. S3 errors that clear
 * by themselves are rethrown as they are (the caller retries later); any
 * other S3 error, and a hash mismatch, fail naming the object.
 */
export async function readCrl(crl: CrlImport): Promise<string> {
  const pem = crl.source.kind === 'inline' ? crl.source.pem : await getObjectText(crl.source.bucket, crl.source.key);
  const actual = sha256Hex(pem);
  if (actual !== crl.sha256) {
    throw new HandlerError(`the CRL in ${describeSource(crl.source)} has SHA-256 ${actual}, but CrlSha256 is ${crl.sha256}: `
      + 'the content changed after synthesis; deploy again so that the template and the CRL agree');
  }
  return pem;
}

async function getObjectText(bucket: string, key: string): Promise<string> {
  try {
    const response = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!response.Body) {
      throw new HandlerError(`s3://${bucket}/${key} has no body; the CRL asset is missing`);
    }
    return await response.Body.transformToString('utf-8');
  } catch (err) {
    if (err instanceof HandlerError || classifyError(err) === 'retry-later') {
      throw err;
    }
    throw HandlerError.fromAwsError('s3:GetObject', `the CRL at s3://${bucket}/${key}`, err);
  }
}

/**
 * The DER content of a PEM CRL, as base64 without armour or line breaks: the
 * comparison must not depend on line endings or wrapping, which EC2 is free
 * to normalise when it stores the list.
 */
export function crlFingerprint(pem: string): string {
  const body = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(pem);
  return (body ? body[1] : pem).replace(/\s+/g, '');
}

export type CrlState = 'active' | 'pending';

/**
 * Makes `pem` the endpoint's CRL and waits, until `stopBy`, for EC2 to report
 * it `active`. Resolves to the state last seen. Errors that clear by
 * themselves are rethrown as they are; a missing endpoint or a refused list
 * fail naming the endpoint.
 */
export async function ensureCrlImported(endpointId: string, pem: string, stopBy: number): Promise<CrlState> {
  const wanted = crlFingerprint(pem);
  let current = await exportCrl(endpointId);
  if (current.fingerprint !== wanted) {
    log.info('importing the certificate revocation list', { endpointId, replacesExisting: current.fingerprint !== '' });
    await importCrl(endpointId, pem);
    current = await exportCrl(endpointId);
  }
  while (current.fingerprint === wanted && current.status !== 'active' && clock.now() + CRL_POLL_INTERVAL_MS < stopBy) {
    await clock.sleep(CRL_POLL_INTERVAL_MS);
    current = await exportCrl(endpointId);
  }
  if (current.fingerprint !== wanted) {
    // Someone else imported another list since our import (another stack,
    // the console). The next invocation imports ours again; say so.
    log.warn('the endpoint shows another certificate revocation list after the import; retrying', { endpointId });
    return 'pending';
  }
  return current.status === 'active' ? 'active' : 'pending';
}

interface ExportedCrl {
  readonly fingerprint: string;
  readonly status: string;
}

async function exportCrl(endpointId: string): Promise<ExportedCrl> {
  try {
    const response = await ec2Client().send(new ExportClientVpnClientCertificateRevocationListCommand({ ClientVpnEndpointId: endpointId }));
    const text = response.CertificateRevocationList ?? '';
    return { fingerprint: text.trim() === '' ? '' : crlFingerprint(text), status: response.Status?.Code ?? 'unknown' };
  } catch (err) {
    throw ec2Failure('ExportClientVpnClientCertificateRevocationList', endpointId, err);
  }
}

async function importCrl(endpointId: string, pem: string): Promise<void> {
  try {
    await ec2Client().send(new ImportClientVpnClientCertificateRevocationListCommand({
      ClientVpnEndpointId: endpointId,
      CertificateRevocationList: pem,
    }));
  } catch (err) {
    throw ec2Failure('ImportClientVpnClientCertificateRevocationList', endpointId, err);
  }
}

function ec2Failure(operation: string, endpointId: string, err: unknown): unknown {
  switch (classifyError(err)) {
    case 'retry-later':
      return err;
    case 'not-found':
      return new HandlerError(`Client VPN endpoint ${endpointId} does not exist (${safeErrorText(err)})`);
    default:
      return HandlerError.fromAwsError(operation, `endpoint ${endpointId}`, err);
  }
}
