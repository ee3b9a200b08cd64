import { formatLogLine, log, OMITTED_API_OBJECT, REDACTED, redact } from '../../../lambda/shared/log';
import { awsError } from '../fixtures';

describe('log', () => {
  let lines: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    lines = [];
    spy = jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line); });
  });
  afterEach(() => spy.mockRestore());

  test('a PreSharedKey field prints [redacted], never its value', () => {
    log.info('tunnel options', { VpnConnectionId: 'vpn-1', PreSharedKey: 'sup3r-s3cret', tunnel: { preSharedKey: 'also-s3cret' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('s3cret');
    expect(JSON.parse(lines[0])).toEqual({
      level: 'info',
      message: 'tunnel options',
      VpnConnectionId: 'vpn-1',
      PreSharedKey: REDACTED,
      tunnel: { preSharedKey: REDACTED },
    });
  });

  test('one JSON object per line, with level and message that fields cannot override', () => {
    log.warn('budget exhausted', { inFlight: 10, budget: 0, level: 'debug', message: 'spoofed' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({ level: 'warn', message: 'budget exhausted', inFlight: 10, budget: 0 });
  });
});

describe('redact', () => {
  test.each([
    'CustomerGatewayConfiguration', 'SecretString', 'password', 'SessionToken', 'NextToken', 'customerGatewayConfiguration',
  ])('%s is redacted', key => {
    expect(redact({ [key]: 'value' })).toEqual({ [key]: REDACTED });
  });

  test('ClientToken is kept: an idempotency token we derive, logged to match duplicate deliveries', () => {
    expect(redact({ ClientToken: 'abc' })).toEqual({ ClientToken: 'abc' });
  });

  test('redacts inside arrays and nested objects', () => {
    expect(redact({ tunnels: [{ PreSharedKey: 'k1', Cidr: '169.254.10.0/30' }] }))
      .toEqual({ tunnels: [{ PreSharedKey: REDACTED, Cidr: '169.254.10.0/30' }] });
  });

  test('never prints an AWS API response or error object', () => {
    const response = { $metadata: { httpStatusCode: 200 }, VpnConnection: { CustomerGatewayConfiguration: '<xml psk=1/>' } };
    expect(redact({ response })).toEqual({ response: OMITTED_API_OBJECT });
    expect(formatLogLine('info', 'x', response)).toBe(JSON.stringify({ level: 'info', message: 'x', fields: OMITTED_API_OBJECT }));
    expect(redact({ error: awsError('Throttling', 'Rate exceeded') })).toEqual({ error: 'Throttling: Rate exceeded' });
  });
});
