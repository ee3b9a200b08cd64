/**
 * Custom::NetworkAccessClientVpnCertificateRevocationList against mocked EC2
 * and S3: reading (inline, S3), verifying, importing only when the endpoint
 * shows another list, waiting for `active`, then terminating.
 */
import {
  ExportClientVpnClientCertificateRevocationListCommand,
  ImportClientVpnClientCertificateRevocationListCommand,
} from '@aws-sdk/client-ec2';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { isComplete, onEvent } from '../../../lambda/client-vpn-sessions';
import { crlFingerprint } from '../../../lambda/client-vpn-sessions/crl';
import { HandlerError } from '../../../lambda/shared/errors';
import { ec2, useHarness } from '../ec2-mock';
import { awsError, ENDPOINT } from '../fixtures';
import {
  ConnectionSpec, CRL_ID, CRL_PEM, CRL_PEM_2, crlProps, createEvent, deleteEvent, sha256, updateEvent, waiterEvent,
} from './fixtures';
import { exportCallCount, importCalls, listings, terminateSucceeds, terminateTargets } from './sessions-ec2';

const h = useHarness();
const s3 = mockClient(S3Client);

beforeEach(() => {
  s3.reset();
  s3.onAnyCommand().rejects(new Error('unexpected S3 call'));
});

const BUCKET = 'cdk-assets-111111111111-eu-west-1';
const KEY = 'a1b2c3.pem';

function s3Props(commonNames: string[], pem = CRL_PEM): Record<string, unknown> {
  return { ...crlProps(commonNames, { CrlSha256: sha256(pem) }), Crl: undefined, CrlS3Bucket: BUCKET, CrlS3Key: KEY };
}

/** A GetObject body as SDK v3 hands it out (only what the handler reads). */
function objectBody(text: string) {
  return { Body: { transformToString: async () => text } } as never;
}

/**
 * The endpoint's CRL as Export reports it: `current` before any import; an
 * import makes the imported text current, `pending` for `pendingReads`
 * Exports, then `active`.
 */
function endpointCrl(current: { pem: string; status: 'active' | 'pending' } | undefined, pendingReads = 1): void {
  let state = current;
  let pendingLeft = 0;
  ec2.on(ImportClientVpnClientCertificateRevocationListCommand).callsFake((input: { CertificateRevocationList: string }) => {
    state = { pem: input.CertificateRevocationList, status: 'pending' };
    pendingLeft = pendingReads;
    return { Return: true };
  });
  ec2.on(ExportClientVpnClientCertificateRevocationListCommand).callsFake(() => {
    if (!state) {
      return {};
    }
    const status = state.status === 'pending' && pendingLeft-- <= 0 ? 'active' : state.status;
    state = { ...state, status };
    return { CertificateRevocationList: state.pem, Status: { Code: status } };
  });
}

const cn1: ConnectionSpec = { id: 'cvpn-connection-0c0c00000000000a1', commonName: 'laptop-7', establishedAt: Date.UTC(2029, 11, 31) };
const other: ConnectionSpec = { id: 'cvpn-connection-0c0c00000000000b1', commonName: 'laptop-8', establishedAt: Date.UTC(2029, 11, 31) };

async function run(event: Parameters<typeof onEvent>[0], context?: { getRemainingTimeInMillis(): number }) {
  const accepted = { ...await onEvent(event) };
  return isComplete(waiterEvent(event, accepted), context);
}

test('onEvent makes no call and answers with the endpoint\'s CRL physical id', async () => {
  const response = await onEvent(createEvent('crl', s3Props(['laptop-7'])));
  expect(response).toEqual({ PhysicalResourceId: CRL_ID, Deadline: expect.any(Number), AcceptedAt: h.clock.time });
  expect(ec2.calls()).toHaveLength(0);
  expect(s3.calls()).toHaveLength(0);
});

test('Create (inline): imports, waits for active, then terminates the listed common names only', async () => {
  endpointCrl({ pem: CRL_PEM_2, status: 'active' }, 2);
  listings([cn1, other], [{ ...cn1, status: 'terminated' }, other]);
  terminateSucceeds();
  await expect(run(createEvent('crl', crlProps(['laptop-7'])))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '1' } });
  expect(importCalls()).toEqual([{ ClientVpnEndpointId: ENDPOINT, CertificateRevocationList: CRL_PEM }]);
  expect(terminateTargets()).toEqual([cn1.id]);
  // Export before the import, after it, then while pending.
  expect(exportCallCount()).toBe(4);
});

test('Create (S3): reads the object, verifies its hash, imports', async () => {
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).resolves(objectBody(CRL_PEM));
  endpointCrl(undefined, 0);
  await expect(run(createEvent('crl', s3Props([])))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '0' } });
  expect(importCalls()).toEqual([{ ClientVpnEndpointId: ENDPOINT, CertificateRevocationList: CRL_PEM }]);
});

test('a CRL whose content does not match CrlSha256 fails naming the object, before any import', async () => {
  s3.on(GetObjectCommand).resolves(objectBody(CRL_PEM_2));
  endpointCrl(undefined);
  const outcome = run(createEvent('crl', s3Props([], CRL_PEM)));
  await expect(outcome).rejects.toThrow(HandlerError);
  await expect(outcome).rejects.toThrow(
    `the CRL in s3://${BUCKET}/${KEY} has SHA-256 ${sha256(CRL_PEM_2)}, but CrlSha256 is ${sha256(CRL_PEM)}`);
  expect(importCalls()).toEqual([]);
});

test('an S3 object that does not exist fails naming it', async () => {
  s3.on(GetObjectCommand).rejects(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }));
  await expect(run(createEvent('crl', s3Props([])))).rejects.toThrow(
    `s3:GetObject for the CRL at s3://${BUCKET}/${KEY} failed: NoSuchKey: The specified key does not exist.`);
});

test('S3 throttling waits for the next invocation', async () => {
  s3.on(GetObjectCommand).rejects(Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
  await expect(run(createEvent('crl', s3Props([])))).resolves.toEqual({ IsComplete: false });
  expect(importCalls()).toEqual([]);
});

test('an endpoint that already shows the CRL is not imported again (duplicate delivery, a later invocation)', async () => {
  // Line endings and wrapping may differ; the DER content is what counts.
  endpointCrl({ pem: CRL_PEM.replace(/\n/g, '\r\n'), status: 'active' });
  await expect(run(createEvent('crl', crlProps([])))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '0' } });
  expect(importCalls()).toEqual([]);
  expect(crlFingerprint(CRL_PEM.replace(/\n/g, '\r\n'))).toBe(crlFingerprint(CRL_PEM));
});

test('a CRL still pending at the end of the invocation waits for the next one without terminating', async () => {
  endpointCrl(undefined, 1_000);
  listings([cn1]);
  const outcome = await run(createEvent('crl', crlProps(['laptop-7'])), { getRemainingTimeInMillis: () => 60_000 });
  expect(outcome).toEqual({ IsComplete: false });
  expect(importCalls()).toHaveLength(1);
  expect(terminateTargets()).toEqual([]);
});

test('a CRL EC2 refuses fails naming the endpoint and EC2\'s words', async () => {
  ec2.on(ExportClientVpnClientCertificateRevocationListCommand).resolves({});
  ec2.on(ImportClientVpnClientCertificateRevocationListCommand).rejects(awsError('InvalidParameterValue', 'The certificate revocation list is invalid.'));
  await expect(run(createEvent('crl', crlProps([])))).rejects.toThrow(
    `ImportClientVpnClientCertificateRevocationList for endpoint ${ENDPOINT} failed: InvalidParameterValue: The certificate revocation list is invalid.`);
});

test('a missing endpoint fails naming it', async () => {
  ec2.on(ExportClientVpnClientCertificateRevocationListCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound'));
  await expect(run(createEvent('crl', crlProps([])))).rejects.toThrow(`Client VPN endpoint ${ENDPOINT} does not exist`);
});

test('an Update that only adds common names terminates without reading or importing the CRL', async () => {
  listings([cn1], [{ ...cn1, status: 'terminated' }]);
  terminateSucceeds();
  const event = updateEvent('crl', s3Props(['laptop-7', 'laptop-9']), s3Props(['laptop-9']), CRL_ID);
  await expect(run(event)).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '1' } });
  expect(exportCallCount()).toBe(0);
  expect(s3.calls()).toHaveLength(0);
});

test('a rollback re-imports the old CRL', async () => {
  endpointCrl({ pem: CRL_PEM_2, status: 'active' }, 0);
  const newer = crlProps([], { Crl: CRL_PEM_2, CrlSha256: sha256(CRL_PEM_2) });
  await expect(run(updateEvent('crl', crlProps([]), newer, CRL_ID))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '0' } });
  expect(importCalls().map(c => c.CertificateRevocationList)).toEqual([CRL_PEM]);
});

test('Delete makes no call: EC2 cannot remove a CRL', async () => {
  const event = deleteEvent('crl', crlProps(['laptop-7']), CRL_ID);
  const response = await onEvent(event);
  expect(response).toEqual({ PhysicalResourceId: CRL_ID });
  await expect(isComplete(waiterEvent(event, { ...response }))).resolves.toEqual({ IsComplete: true });
  expect(ec2.calls()).toHaveLength(0);
  expect(s3.calls()).toHaveLength(0);
  expect(h.logs()).toContainEqual(expect.objectContaining({ reason: expect.stringContaining('no operation that removes a client certificate revocation list') }));
});
