import { EC2Client } from '@aws-sdk/client-ec2';
import { DEFAULT_MAX_ATTEMPTS, ec2Client, lazyClient, resetClients, sdkClientConfig } from '../../../lambda/shared/clients';

describe('SDK clients', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetClients();
  });

  test('adaptive retry, 8 attempts by default, region from the environment', () => {
    delete process.env.AWS_MAX_ATTEMPTS;
    delete process.env.AWS_ENDPOINT_URL;
    process.env.AWS_REGION = 'eu-west-1';
    const config = sdkClientConfig();
    expect(config).toMatchObject({ retryMode: 'adaptive', maxAttempts: DEFAULT_MAX_ATTEMPTS, region: 'eu-west-1' });
    expect(config).not.toHaveProperty('endpoint');
  });

  test('AWS_MAX_ATTEMPTS and AWS_ENDPOINT_URL are honoured; a bad attempt count falls back', () => {
    process.env.AWS_MAX_ATTEMPTS = '3';
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000';
    expect(sdkClientConfig()).toMatchObject({ maxAttempts: 3, endpoint: 'http://127.0.0.1:5000' });
    process.env.AWS_MAX_ATTEMPTS = 'lots';
    expect(sdkClientConfig().maxAttempts).toBe(DEFAULT_MAX_ATTEMPTS);
  });

  test('ec2Client is created once and reused until reset', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:5000';
    const first = ec2Client();
    expect(first).toBeInstanceOf(EC2Client);
    expect(ec2Client()).toBe(first);
    const endpoint = await first.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(await first.config.region()).toBe('eu-west-1');
    resetClients();
    expect(ec2Client()).not.toBe(first);
  });

  test('lazyClient defers creation to first use', () => {
    const create = jest.fn(() => ({}));
    const get = lazyClient(create);
    expect(create).not.toHaveBeenCalled();
    get();
    get();
    expect(create).toHaveBeenCalledTimes(1);
  });
});
