/**
 * What each request asks of the sessions handler (pure: no AWS).
 */
import { parseCertificateRevocationList, parseRevocations, parseScheduledEnforcement } from '../../../lambda/client-vpn-sessions/properties';
import { CRL_DELETE_REASON, interpretRequest, REVOCATIONS_DELETE_REASON } from '../../../lambda/client-vpn-sessions/target';
import { HandlerError } from '../../../lambda/shared/errors';
import { ENDPOINT, OTHER_ENDPOINT } from '../fixtures';
import {
  CRL_ID, CRL_PEM, CRL_PEM_2, crlProps, createEvent, deleteEvent, REVOCATIONS_ID, revocationsProps, sha256, updateEvent,
} from './fixtures';

describe('revocation set properties', () => {
  test('lists are deduplicated and sorted; an absent list is empty', () => {
    const parsed = parseRevocations({ SchemaVersion: '1', ClientVpnEndpointId: ENDPOINT, SetId: 's', Usernames: ['bob', 'alice', 'bob'] });
    expect(parsed).toEqual({
      ok: true,
      value: { endpointId: ENDPOINT, setId: 's', physicalId: `${ENDPOINT}/revocations/s`, usernames: ['alice', 'bob'], commonNames: [] },
    });
  });

  test.each([
    ["SchemaVersion '2' is not supported", { SchemaVersion: '2' }],
    ["properties must be an object, got 'nope'", 'nope'],
    ["ClientVpnEndpointId 'vpc-123' is not a Client VPN endpoint id", revocationsProps([], [], { ClientVpnEndpointId: 'vpc-123' })],
    ["Usernames[0] must be a non-empty string, got ''", revocationsProps([''], [])],
    ["CommonNames[1] 'tab here' contains control characters", revocationsProps([], ['ok', 'tab\there'])],
    ['Usernames[0] is 1025 characters; at most 1024 are accepted', revocationsProps(['x'.repeat(1025)])],
    ["Usernames must be a list of strings, got 'alice'", { ...revocationsProps([]), Usernames: 'alice' }],
    ["SetId '' must be a non-empty string", revocationsProps([], [], { SetId: '' })],
  ])('%s', (message, raw) => {
    const parsed = parseRevocations(raw);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems.join('; ')).toContain(message);
  });
});

describe('CRL properties', () => {
  test('inline or S3, hash lower-cased', () => {
    const upper = sha256(CRL_PEM).toUpperCase();
    const inline = parseCertificateRevocationList(crlProps(['cn-b', 'cn-a'], { CrlSha256: upper }));
    expect(inline).toMatchObject({ ok: true, value: { source: { kind: 'inline', pem: CRL_PEM }, sha256: sha256(CRL_PEM), commonNames: ['cn-a', 'cn-b'], physicalId: CRL_ID } });
    const s3 = parseCertificateRevocationList({ ...crlProps([]), Crl: undefined, CrlS3Bucket: 'assets', CrlS3Key: 'crl.pem' });
    expect(s3).toMatchObject({ ok: true, value: { source: { kind: 's3', bucket: 'assets', key: 'crl.pem' } } });
  });

  test.each([
    ['Crl and CrlS3Bucket/CrlS3Key are both set', { ...crlProps([]), CrlS3Bucket: 'b', CrlS3Key: 'k' }],
    ['neither Crl nor CrlS3Bucket/CrlS3Key is set', { ...crlProps([]), Crl: undefined }],
    ["CrlS3Bucket 'b' and CrlS3Key undefined must both be non-empty strings", { ...crlProps([]), Crl: undefined, CrlS3Bucket: 'b' }],
    ["CrlSha256 'abc' must be the SHA-256 of the CRL as 64 hexadecimal digits", crlProps([], { CrlSha256: 'abc' })],
    ['Crl must be the PEM text of a certificate revocation list', crlProps([], { Crl: '  ' })],
  ])('%s', (message, raw) => {
    const parsed = parseCertificateRevocationList(raw);
    expect(parsed.ok ? [] : parsed.problems.join('; ')).toContain(message);
  });
});

test('scheduled enforcement input needs a known schema version and an endpoint', () => {
  expect(parseScheduledEnforcement({ SchemaVersion: '1', ClientVpnEndpointId: ENDPOINT, Usernames: ['a'], CommonNames: [] }))
    .toEqual({ ok: true, value: { endpointId: ENDPOINT, usernames: ['a'], commonNames: [] } });
  expect(parseScheduledEnforcement({ ClientVpnEndpointId: ENDPOINT })).toMatchObject({ ok: false });
});

describe('revocation set requests', () => {
  test('Create cuts every listed principal', () => {
    expect(interpretRequest(createEvent('revocations', revocationsProps(['bob'], ['cn-laptop'])))).toEqual({
      action: 'work',
      work: expect.objectContaining({
        kind: 'revocations', requestType: 'Create', physicalId: REVOCATIONS_ID, terminate: { usernames: ['bob'], commonNames: ['cn-laptop'] },
      }),
    });
  });

  test('Create of an empty set terminates nothing', () => {
    const result = interpretRequest(createEvent('revocations', revocationsProps([], [])));
    expect(result).toMatchObject({ action: 'work' });
    expect(result.action === 'work' && result.work.terminate).toBeUndefined();
  });

  test('an Update that adds a principal cuts every listed one', () => {
    const result = interpretRequest(updateEvent('revocations', revocationsProps(['alice', 'bob']), revocationsProps(['alice']), REVOCATIONS_ID));
    expect(result.action === 'work' && result.work.terminate).toEqual({ usernames: ['alice', 'bob'], commonNames: [] });
  });

  test('an Update that adds a common name cuts too', () => {
    const result = interpretRequest(updateEvent('revocations', revocationsProps(['alice'], ['cn']), revocationsProps(['alice']), REVOCATIONS_ID));
    expect(result.action === 'work' && result.work.terminate).toEqual({ usernames: ['alice'], commonNames: ['cn'] });
  });

  test.each([
    ['removes a principal', revocationsProps(['alice']), revocationsProps(['alice', 'bob'])],
    ['changes nothing', revocationsProps(['alice'], ['cn']), revocationsProps(['alice'], ['cn'])],
    ['reorders', revocationsProps(['alice', 'bob']), revocationsProps(['bob', 'alice'])],
  ])('an Update that %s terminates nothing', (_what, props, old) => {
    const result = interpretRequest(updateEvent('revocations', props, old, REVOCATIONS_ID));
    expect(result).toMatchObject({ action: 'work', work: { physicalId: REVOCATIONS_ID, notes: [expect.stringContaining('no principal added')] } });
    expect(result.action === 'work' && result.work.terminate).toBeUndefined();
  });

  test('moving to another endpoint is a new physical id that cuts every listed principal there', () => {
    const result = interpretRequest(updateEvent('revocations',
      revocationsProps(['alice'], [], { ClientVpnEndpointId: OTHER_ENDPOINT }), revocationsProps(['alice']), REVOCATIONS_ID));
    expect(result).toMatchObject({
      action: 'work',
      work: { endpointId: OTHER_ENDPOINT, physicalId: `${OTHER_ENDPOINT}/revocations/revocations-7c1e`, terminate: { usernames: ['alice'] } },
    });
  });

  test('unreadable old properties: every listed principal is cut', () => {
    const result = interpretRequest(updateEvent('revocations', revocationsProps(['alice']), { SchemaVersion: '0' }, REVOCATIONS_ID));
    expect(result).toMatchObject({ action: 'work', work: { terminate: { usernames: ['alice'] }, notes: [expect.stringContaining('old properties unreadable')] } });
  });

  test('malformed Create and Update properties throw, naming the problem', () => {
    expect(() => interpretRequest(createEvent('revocations', revocationsProps([' '])))).toThrow(
      new HandlerError("invalid properties for Create: Usernames[0] must be a non-empty string, got ' '"));
    expect(() => interpretRequest(updateEvent('revocations', { SchemaVersion: '1' }, revocationsProps([]), REVOCATIONS_ID))).toThrow(/invalid properties for Update/);
  });
});

describe('CRL requests', () => {
  test('Create imports, then cuts the listed common names', () => {
    expect(interpretRequest(createEvent('crl', crlProps(['cn-1'])))).toMatchObject({
      action: 'work',
      work: { physicalId: CRL_ID, importCrl: { source: { kind: 'inline' }, sha256: sha256(CRL_PEM) }, terminate: { usernames: [], commonNames: ['cn-1'] } },
    });
  });

  test('Create without common names imports only', () => {
    const result = interpretRequest(createEvent('crl', crlProps([])));
    expect(result.action === 'work' && result.work.importCrl).toBeDefined();
    expect(result.action === 'work' && result.work.terminate).toBeUndefined();
  });

  test('a new CRL (or a rollback to the old one) re-imports', () => {
    const newer = crlProps(['cn-1'], { Crl: CRL_PEM_2, CrlSha256: sha256(CRL_PEM_2) });
    const forward = interpretRequest(updateEvent('crl', newer, crlProps(['cn-1']), CRL_ID));
    expect(forward).toMatchObject({ action: 'work', work: { importCrl: { sha256: sha256(CRL_PEM_2) }, terminate: { commonNames: ['cn-1'] } } });
    const rollback = interpretRequest(updateEvent('crl', crlProps(['cn-1']), newer, CRL_ID));
    expect(rollback).toMatchObject({ action: 'work', work: { importCrl: { sha256: sha256(CRL_PEM) } } });
  });

  test('only common names added: terminate without re-importing', () => {
    const result = interpretRequest(updateEvent('crl', crlProps(['cn-1', 'cn-2']), crlProps(['cn-1']), CRL_ID));
    expect(result).toMatchObject({ action: 'work', work: { terminate: { commonNames: ['cn-1', 'cn-2'] } } });
    expect(result.action === 'work' && result.work.importCrl).toBeUndefined();
  });

  test('the same CRL moved from inline to S3 is not re-imported', () => {
    const s3 = { ...crlProps(['cn-1']), Crl: undefined, CrlS3Bucket: 'assets', CrlS3Key: 'crl.pem' };
    const result = interpretRequest(updateEvent('crl', s3, crlProps(['cn-1']), CRL_ID));
    expect(result.action === 'work' && (result.work.importCrl ?? result.work.terminate)).toBeUndefined();
  });

  test('moving to another endpoint imports there under a new physical id', () => {
    const result = interpretRequest(updateEvent('crl', crlProps([], { ClientVpnEndpointId: OTHER_ENDPOINT }), crlProps([]), CRL_ID));
    expect(result).toMatchObject({ action: 'work', work: { physicalId: `${OTHER_ENDPOINT}/certificate-revocation-list`, importCrl: {} } });
  });
});

describe('Delete', () => {
  test.each([
    ['revocations' as const, revocationsProps(['alice']), REVOCATIONS_ID, REVOCATIONS_DELETE_REASON],
    ['crl' as const, crlProps(['cn']), CRL_ID, CRL_DELETE_REASON],
    ['crl' as const, { SchemaVersion: '99' }, CRL_ID, CRL_DELETE_REASON],
    ['revocations' as const, revocationsProps([]), 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', REVOCATIONS_DELETE_REASON],
  ])('%s Delete is skipped with its reason, whatever the properties', (kind, props, physicalId, reason) => {
    expect(interpretRequest(deleteEvent(kind, props, physicalId))).toEqual({ action: 'skip', physicalId, reason });
  });
});

test('a Create of a resource type the handler does not serve fails naming it', () => {
  expect(() => interpretRequest({ ...createEvent('revocations', revocationsProps([])), ResourceType: 'Custom::Other' }))
    .toThrow(/resource type 'Custom::Other' is not served by the Client VPN sessions handler/);
});
