/**
 * The site-to-site VPN handler over the real AWS SDK wire protocol, against
 * the moto server the jest global setup starts on 127.0.0.1.
 *
 * The handler is unmodified: its clients are aimed at moto only through the
 * environment (AWS_ENDPOINT_URL and friends, then resetClients()).
 *
 * What moto covers here: CreateCustomerGateway, CreateVpnGateway,
 * Create/Describe/DeleteVpnConnection (with TagSpecifications and tag
 * filters), DescribeCustomerGateways, DescribeVpnGateways and Secrets
 * Manager. What it does not: moto's CustomerGatewayConfiguration is
 * SYNTHETIC (a fixed template with constant addresses and a constant key,
 * not the configuration AWS would generate), it ignores the connection
 * Options (no tunnel options are reported back), connections are
 * `available` at once, and it has no Modify* calls; tunnel changes are
 * covered by the lifecycle tests against the simulated service instead.
 *
 * These tests FAIL, never skip, when moto is unavailable: motoEndpoint()
 * throws with the reason.
 */
import {
  CreateCustomerGatewayCommand,
  CreateTransitGatewayCommand,
  CreateVpnGatewayCommand,
  DescribeVpnConnectionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { resetClients } from '../../lambda/shared/clients';
import { useClock } from '../../lambda/shared/clock';
import { IsCompleteRequest, OnEventRequest } from '../../lambda/shared/events';
import { isComplete, onEvent } from '../../lambda/site-to-site-vpn';
import { SITE_TO_SITE_VPN_ATTRIBUTES, SITE_TO_SITE_VPN_RESOURCE_TYPE, VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY } from '../../src/private/contract/site-to-site-vpn';
import { motoEnvironment } from '../support/moto/moto';

const savedEnv = { ...process.env };
let env: Record<string, string>;
let ec2: EC2Client;
let secrets: SecretsManagerClient;
let restoreClock: () => void;
let logSpy: jest.SpyInstance;
/** Unique per run: the moto server is shared with other test files, so nothing here relies on a reset. */
const run = `${process.pid}-${Date.now().toString(36)}`;

beforeAll(() => {
  env = motoEnvironment();
  Object.assign(process.env, env);
  resetClients();
  const config = {
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  };
  ec2 = new EC2Client(config);
  secrets = new SecretsManagerClient(config);
});

afterAll(() => {
  process.env = { ...savedEnv };
  resetClients();
  ec2?.destroy();
  secrets?.destroy();
});

beforeEach(() => {
  // Handler waits must not sleep for real; moto answers at once anyway.
  restoreClock = useClock({ now: () => Date.now(), sleep: async () => undefined });
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  restoreClock();
  logSpy.mockRestore();
});

const base = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/emulator/1',
  LogicalResourceId: 'Vpn',
  ResourceType: SITE_TO_SITE_VPN_RESOURCE_TYPE,
};

/** onEvent, then isComplete until it says complete (at most 10 passes). */
async function runToCompletion(event: OnEventRequest): Promise<{ physicalId: string; data: Record<string, string> }> {
  const started = await onEvent(event);
  const waiter = { ...event, ...started, PhysicalResourceId: started.PhysicalResourceId } as IsCompleteRequest;
  for (let pass = 0; pass < 10; pass++) {
    const result = await isComplete(waiter);
    if (result.IsComplete) {
      return { physicalId: waiter.PhysicalResourceId, data: result.Data ?? {} };
    }
  }
  throw new Error(`not complete after 10 passes for ${event.RequestType} ${waiter.PhysicalResourceId}`);
}

async function gateways(): Promise<{ customerGatewayId: string; vpnGatewayId: string }> {
  const cgw = await ec2.send(new CreateCustomerGatewayCommand({ Type: 'ipsec.1', PublicIp: '198.51.100.7', BgpAsn: 65001 }));
  const vgw = await ec2.send(new CreateVpnGatewayCommand({ Type: 'ipsec.1', AmazonSideAsn: 64620 }));
  return { customerGatewayId: cgw.CustomerGateway?.CustomerGatewayId as string, vpnGatewayId: vgw.VpnGateway?.VpnGatewayId as string };
}

describe('site-to-site VPN handler against moto', () => {
  test('create, describe back, read the configuration from its secret, delete', async () => {
    const { customerGatewayId, vpnGatewayId } = await gateways();
    const secret = await secrets.send(new CreateSecretCommand({ Name: `vpn-configuration-${run}`, Description: 'written by the handler' }));
    const configurationSecretArn = secret.ARN as string;
    const ownerTag = `Emulator/${run}`;
    const properties = {
      SchemaVersion: '1',
      OwnerTag: ownerTag,
      CustomerGatewayId: customerGatewayId,
      VpnGatewayId: vpnGatewayId,
      Type: 'ipsec.1',
      StaticRoutesOnly: 'false',
      ConfigurationSecretArn: configurationSecretArn,
      Tags: [{ Key: 'Name', Value: 'emulator' }],
    };

    const created = await runToCompletion({ ...base, RequestType: 'Create', RequestId: `create-${run}`, ResourceProperties: properties });
    expect(created.physicalId).toMatch(/^vpn-[0-9a-f]+$/);
    expect(Object.keys(created.data).sort()).toEqual([...SITE_TO_SITE_VPN_ATTRIBUTES].sort());
    expect(created.data).toMatchObject({
      VpnConnectionId: created.physicalId,
      AmazonSideAsn: '64620',
      CustomerGatewayAsn: '65001',
      CustomerGatewayIp: '198.51.100.7',
      ConfigurationSecretArn: configurationSecretArn,
    });

    // Described back through the SDK: the tags the handler wrote at creation.
    const described = await ec2.send(new DescribeVpnConnectionsCommand({ VpnConnectionIds: [created.physicalId] }));
    const connection = described.VpnConnections?.[0];
    expect(connection).toMatchObject({ State: 'available', CustomerGatewayId: customerGatewayId, VpnGatewayId: vpnGatewayId });
    const tags = Object.fromEntries((connection?.Tags ?? []).map(t => [t.Key, t.Value]));
    expect(tags).toMatchObject({ [VPN_OWNER_TAG_KEY]: ownerTag, [VPN_REQUEST_TAG_KEY]: `create-${run}`, Name: 'emulator' });

    // The configuration moto reports (synthetic) is what the secret now holds.
    const stored = await secrets.send(new GetSecretValueCommand({ SecretId: configurationSecretArn }));
    expect(stored.SecretString).toBe(connection?.CustomerGatewayConfiguration);
    expect(stored.SecretString).toContain('<ipsec_tunnel>');
    expect(stored.SecretString).toContain(created.physicalId);
    expect(JSON.stringify(created.data)).not.toContain('ipsec_tunnel');

    // A Create delivered again adopts the tagged connection: still one.
    const again = await runToCompletion({ ...base, RequestType: 'Create', RequestId: `create-${run}`, ResourceProperties: properties });
    expect(again.physicalId).toBe(created.physicalId);
    const owned = await ec2.send(new DescribeVpnConnectionsCommand({ Filters: [{ Name: `tag:${VPN_OWNER_TAG_KEY}`, Values: [ownerTag] }] }));
    expect(owned.VpnConnections?.map(c => c.VpnConnectionId)).toEqual([created.physicalId]);

    await runToCompletion({ ...base, RequestType: 'Delete', RequestId: `delete-${run}`, PhysicalResourceId: created.physicalId, ResourceProperties: properties });
    const after = await ec2.send(new DescribeVpnConnectionsCommand({ VpnConnectionIds: [created.physicalId] }));
    expect(after.VpnConnections?.[0]?.State).toBe('deleted');
  });

  test('a transit gateway connection reports the attachment moto made for it', async () => {
    const { customerGatewayId } = await gateways();
    const tgw = await ec2.send(new CreateTransitGatewayCommand({ Options: { AmazonSideAsn: 64700 } }));
    const transitGatewayId = tgw.TransitGateway?.TransitGatewayId as string;
    const secret = await secrets.send(new CreateSecretCommand({ Name: `vpn-configuration-tgw-${run}`, SecretString: 'placeholder' }));
    const properties = {
      SchemaVersion: '1',
      OwnerTag: `Emulator/${run}/tgw`,
      CustomerGatewayId: customerGatewayId,
      TransitGatewayId: transitGatewayId,
      Type: 'ipsec.1',
      ConfigurationSecretArn: secret.ARN as string,
    };
    const created = await runToCompletion({ ...base, RequestType: 'Create', RequestId: `tgw-${run}`, ResourceProperties: properties });
    expect(created.data.AmazonSideAsn).toBe('64700');
    expect(created.data.TransitGatewayAttachmentId).toMatch(/^tgw-attach-/);
    const stored = await secrets.send(new GetSecretValueCommand({ SecretId: secret.ARN }));
    expect(stored.SecretString).toContain('<ipsec_tunnel>');
    await runToCompletion({ ...base, RequestType: 'Delete', RequestId: `tgw-delete-${run}`, PhysicalResourceId: created.physicalId, ResourceProperties: properties });
    const after = await ec2.send(new DescribeVpnConnectionsCommand({ VpnConnectionIds: [created.physicalId] }));
    expect(after.VpnConnections?.[0]?.State).toBe('deleted');
  });

  test('an unknown customer gateway fails the Create with the id in the reason', async () => {
    const { vpnGatewayId } = await gateways();
    const properties = {
      SchemaVersion: '1',
      OwnerTag: `Emulator/${run}/bad`,
      CustomerGatewayId: 'cgw-0123456789abcdef0',
      VpnGatewayId: vpnGatewayId,
      Type: 'ipsec.1',
      ConfigurationSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:unused-AbCdEf',
    };
    await expect(onEvent({ ...base, RequestType: 'Create', RequestId: `bad-${run}`, ResourceProperties: properties }))
      .rejects.toThrow(/customer gateway cgw-0123456789abcdef0 \(CustomerGatewayId\) does not exist/);
  });
});
