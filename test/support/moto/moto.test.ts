import { EC2Client, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { motoEndpoint, motoEnvironment, resetMoto } from './moto';

describe('the moto server of the jest global setup', () => {
  test('listens on 127.0.0.1 and answers the EC2 query protocol', async () => {
    const endpoint = motoEndpoint();
    expect(new URL(endpoint).hostname).toBe('127.0.0.1');
    const env = motoEnvironment();
    const client = new EC2Client({
      endpoint: env.AWS_ENDPOINT_URL,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });
    const regions = await client.send(new DescribeRegionsCommand({}));
    expect(regions.Regions?.map(r => r.RegionName)).toContain('us-east-1');
    await expect(resetMoto()).resolves.toBeUndefined();
  });
});
