import { awsErrorShape, classifyError, ErrorClass, HandlerError, isRefusal, safeErrorText } from '../../../lambda/shared/errors';
import { awsError } from '../fixtures';

describe('classifyError', () => {
  const table: Array<[string, ErrorClass]> = [
    // throttling and service trouble
    ['RequestLimitExceeded', 'retry-later'],
    ['Throttling', 'retry-later'],
    ['ThrottlingException', 'retry-later'],
    ['EC2ThrottledException', 'retry-later'],
    ['TooManyRequestsException', 'retry-later'],
    ['InternalError', 'retry-later'],
    ['InternalFailure', 'retry-later'],
    ['ServiceUnavailable', 'retry-later'],
    ['Unavailable', 'retry-later'],
    // Client VPN
    ['ConcurrentMutationLimitExceeded', 'retry-later'],
    ['InvalidClientVpnActiveAssociationNotFound', 'retry-later'],
    ['InvalidClientVpnDuplicateAuthorizationRule', 'already-exists'],
    ['InvalidClientVpnEndpointAuthorizationRuleNotFound', 'not-found'],
    ['InvalidClientVpnEndpointId.NotFound', 'not-found'],
    ['InvalidClientVpnConnection.IdNotFound', 'not-found'],
    // site-to-site VPN
    ['InvalidVpnConnectionID.NotFound', 'not-found'],
    ['InvalidCustomerGatewayID.NotFound', 'not-found'],
    ['InvalidVpnGatewayID.NotFound', 'not-found'],
    ['InvalidTransitGatewayID.NotFound', 'not-found'],
    ['InvalidVpnConnection.InvalidState', 'retry-later'],
    ['VpnConnectionLimitExceeded', 'terminal'],
    // generic: only the VPN handler's own calls override it to retry-later
    ['IncorrectState', 'terminal'],
    // later families
    ['AuthorizationAlreadyExistsFault', 'already-exists'],
    ['AuthorizationNotFoundFault', 'not-found'],
    ['CacheSecurityGroupNotFoundFault', 'not-found'],
    ['InvalidCacheSecurityGroupStateFault', 'retry-later'],
    // network
    ['TimeoutError', 'retry-later'],
    ['NetworkingError', 'retry-later'],
    // terminal, including the look-alike name EC2 never sends
    ['InvalidClientVpnAuthorizationRuleNotFound', 'terminal'],
    ['IdempotentParameterMismatch', 'terminal'],
    ['ClientVpnAuthorizationRuleLimitExceeded', 'terminal'],
    ['UnauthorizedOperation', 'terminal'],
    ['InvalidParameterValue', 'terminal'],
  ];

  test.each(table)('%s is %s', (name, expected) => {
    expect(classifyError(awsError(name))).toBe(expected);
  });

  test.each(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED'])('a Node socket error with code %s is retry-later', code => {
    const err = Object.assign(new Error(`socket hang up (${code})`), { code });
    expect(err.name).toBe('Error');
    expect(classifyError(err)).toBe('retry-later');
  });

  test('any unknown 5xx is retry-later, an unknown 4xx terminal', () => {
    expect(classifyError(awsError('SomethingNew', 'boom', 503))).toBe('retry-later');
    expect(classifyError(awsError('SomethingNew', 'boom', 500))).toBe('retry-later');
    expect(classifyError(awsError('SomethingNew', 'boom', 400))).toBe('terminal');
  });

  test('overrides from the caller win over the table', () => {
    const err = awsError('InvalidClientVpnEndpointId.NotFound');
    expect(classifyError(err, { 'InvalidClientVpnEndpointId.NotFound': 'terminal' })).toBe('terminal');
    // and only for the names they list
    expect(classifyError(awsError('InvalidClientVpnDuplicateAuthorizationRule'), { Other: 'terminal' })).toBe('already-exists');
  });

  test('our own HandlerError and non-errors are terminal', () => {
    expect(classifyError(new HandlerError('x'))).toBe('terminal');
    expect(classifyError('a string')).toBe('terminal');
    expect(classifyError(undefined)).toBe('terminal');
  });
});

describe('isRefusal', () => {
  test.each([
    ['RequestLimitExceeded', true],
    ['Throttling', true],
    ['ConcurrentMutationLimitExceeded', true],
    // retry-later, but the request may have been acted on, or resending at once is pointless
    ['InternalError', false],
    ['TimeoutError', false],
    ['InvalidClientVpnActiveAssociationNotFound', false],
    ['InvalidParameterValue', false],
  ])('%s -> %s', (name, expected) => {
    expect(isRefusal(awsError(name))).toBe(expected);
  });
});

describe('safeErrorText', () => {
  test('keeps name and message only, never the raw response', () => {
    const err = Object.assign(awsError('InvalidParameterValue', 'Value (10.0.0.0/33) for parameter cidr is invalid.'), {
      $response: { body: 'PreSharedKey=abc123' },
    });
    const text = safeErrorText(err);
    expect(text).toBe('InvalidParameterValue: Value (10.0.0.0/33) for parameter cidr is invalid.');
    expect(text).not.toContain('abc123');
  });

  test('flattens and bounds long messages', () => {
    const text = safeErrorText(awsError('X', `line one\nline two ${'y'.repeat(1000)}`));
    expect(text).not.toContain('\n');
    expect(text.length).toBeLessThanOrEqual(3 + 300);
  });

  test('copes with anything thrown', () => {
    expect(safeErrorText('plain')).toBe('UnknownError: plain');
    expect(awsErrorShape(awsError('Y', 'm', 502)).httpStatusCode).toBe(502);
  });
});

describe('HandlerError', () => {
  test('fromAwsError names the operation, the resource and AWS\'s words', () => {
    const err = HandlerError.fromAwsError('RevokeClientVpnIngress', '10.0.0.0/16 group g-1 on cvpn-endpoint-1', awsError('UnauthorizedOperation', 'You are not authorized.'));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HandlerError');
    expect(err.message).toBe('RevokeClientVpnIngress for 10.0.0.0/16 group g-1 on cvpn-endpoint-1 failed: UnauthorizedOperation: You are not authorized.');
  });
});
