/**
 * The SIMULATED site-to-site VPN service keeps the states and faults the
 * lifecycle tests rely on. Called through real SDK clients (the simulation
 * installs itself as their mock), as the handler calls it.
 */
import {
  CreateVpnConnectionCommand,
  DeleteVpnConnectionCommand,
  DescribeVpnConnectionsCommand,
  EC2Client,
  ModifyVpnTunnelOptionsCommand,
} from '@aws-sdk/client-ec2';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isSimulatedCrash } from './simulated-client-vpn';
import { SimulatedClock } from './simulated-clock';
import { SimulatedSiteToSiteVpnService } from './simulated-site-to-site-vpn';

let clock: SimulatedClock;
let sim: SimulatedSiteToSiteVpnService;
let cgw: string;
let vgw: string;
const ec2 = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const secrets = new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

const fixed = { minMs: 100_000, maxMs: 100_000 };

beforeEach(() => {
  clock = new SimulatedClock();
  sim = new SimulatedSiteToSiteVpnService({
    clock,
    pendingDuration: fixed,
    modifyDuration: { minMs: 60_000, maxMs: 60_000 },
    tunnelRecovery: { minMs: 10_000, maxMs: 10_000 },
    deletingDuration: { minMs: 30_000, maxMs: 30_000 },
    deletedVisibleMs: 3_600_000,
  });
  sim.install();
  cgw = sim.createCustomerGateway();
  vgw = sim.createVpnGateway();
});

afterEach(() => sim.restore());

async function create(): Promise<string> {
  const out = await ec2.send(new CreateVpnConnectionCommand({
    Type: 'ipsec.1',
    CustomerGatewayId: cgw,
    VpnGatewayId: vgw,
    TagSpecifications: [{ ResourceType: 'vpn-connection', Tags: [{ Key: 'owner', Value: 'me' }] }],
  }));
  return out.VpnConnection?.VpnConnectionId as string;
}

async function describe1(id: string) {
  return (await ec2.send(new DescribeVpnConnectionsCommand({ VpnConnectionIds: [id] }))).VpnConnections?.[0];
}

test('pending -> available, tunnels UP after a recovery, configuration while pending or available', async () => {
  const id = await create();
  expect(await describe1(id)).toMatchObject({ State: 'pending', CustomerGatewayConfiguration: expect.stringContaining('SIMULATED') });
  clock.advance(100_000);
  const available = await describe1(id);
  expect(available?.State).toBe('available');
  expect(available?.VgwTelemetry?.map(t => t.Status)).toEqual(['DOWN', 'DOWN']);
  clock.advance(10_000);
  expect((await describe1(id))?.VgwTelemetry?.map(t => t.Status)).toEqual(['UP', 'UP']);
});

test('a tunnel modification: modifying, only that tunnel DOWN, refused while not available', async () => {
  const id = await create();
  clock.advance(200_000);
  const outside = (await describe1(id))?.Options?.TunnelOptions?.[1].OutsideIpAddress;
  await ec2.send(new ModifyVpnTunnelOptionsCommand({
    VpnConnectionId: id, VpnTunnelOutsideIpAddress: outside, TunnelOptions: { DPDTimeoutSeconds: 60 },
  }));
  const modifying = await describe1(id);
  expect(modifying?.State).toBe('modifying');
  expect(modifying?.CustomerGatewayConfiguration).toBeUndefined();
  expect(modifying?.VgwTelemetry?.map(t => t.Status)).toEqual(['UP', 'DOWN']);
  expect(modifying?.Options?.TunnelOptions?.[1].DpdTimeoutSeconds).toBe(60);
  await expect(ec2.send(new ModifyVpnTunnelOptionsCommand({ VpnConnectionId: id, VpnTunnelOutsideIpAddress: outside, TunnelOptions: {} })))
    .rejects.toMatchObject({ name: 'InvalidVpnConnection.InvalidState' });
  clock.advance(60_000);
  expect((await describe1(id))?.State).toBe('available');
  expect(sim.tunnelOutages(id)[1].slice(-1)[0]).toEqual({ from: clock.now() - 60_000, to: clock.now() + 10_000 });
});

test('allTunnelsDown is the intersection of the tunnels\' outages', async () => {
  const id = await create();
  const start = clock.now();
  // Both tunnels are down from creation until 110 s later.
  expect(sim.allTunnelsDown(id, start, start + 1_000_000)).toEqual([{ from: start, to: start + 110_000 }]);
});

test('deleting -> deleted, listed for a while, then not found; tag filters find it', async () => {
  const id = await create();
  const tagged = await ec2.send(new DescribeVpnConnectionsCommand({ Filters: [{ Name: 'tag:owner', Values: ['me'] }] }));
  expect(tagged.VpnConnections?.map(c => c.VpnConnectionId)).toEqual([id]);
  await ec2.send(new DeleteVpnConnectionCommand({ VpnConnectionId: id }));
  expect((await describe1(id))?.State).toBe('deleting');
  clock.advance(30_000);
  expect((await describe1(id))?.State).toBe('deleted');
  clock.advance(3_600_000);
  await expect(describe1(id)).rejects.toMatchObject({ name: 'InvalidVpnConnectionID.NotFound' });
});

test('unknown gateways and the connection quota are refused with their EC2 error names', async () => {
  await expect(ec2.send(new CreateVpnConnectionCommand({ Type: 'ipsec.1', CustomerGatewayId: 'cgw-nope', VpnGatewayId: vgw })))
    .rejects.toMatchObject({ name: 'InvalidCustomerGatewayID.NotFound' });
  await expect(ec2.send(new CreateVpnConnectionCommand({ Type: 'ipsec.1', CustomerGatewayId: cgw, VpnGatewayId: 'vgw-nope' })))
    .rejects.toMatchObject({ name: 'InvalidVpnGatewayID.NotFound' });
  const limited = new SimulatedSiteToSiteVpnService({ clock, maxConnections: 0 });
  sim.restore();
  limited.install();
  const gw = limited.createCustomerGateway();
  await expect(ec2.send(new CreateVpnConnectionCommand({ Type: 'ipsec.1', CustomerGatewayId: gw, VpnGatewayId: limited.createVpnGateway() })))
    .rejects.toMatchObject({ name: 'VpnConnectionLimitExceeded' });
  limited.restore();
  sim.install();
});

test('faults: injected failures after skipped calls, a token bucket, and a crash after a mutation', async () => {
  sim.failNext('DescribeVpnConnections', 1, { name: 'InternalError', status: 500 }, 1);
  await ec2.send(new DescribeVpnConnectionsCommand({}));
  await expect(ec2.send(new DescribeVpnConnectionsCommand({}))).rejects.toMatchObject({ name: 'InternalError' });

  sim.tokenBucket('DescribeVpnConnections', { burst: 1, refillPerSecond: 1 });
  await ec2.send(new DescribeVpnConnectionsCommand({}));
  await expect(ec2.send(new DescribeVpnConnectionsCommand({}))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
  clock.advance(1_000);
  await ec2.send(new DescribeVpnConnectionsCommand({}));

  sim.crashAfterMutatingCalls(1);
  const failure = await create().catch(e => e);
  expect(isSimulatedCrash(failure)).toBe(true);
  // The mutation happened; the dead process makes no more calls until the crash is consumed.
  expect(isSimulatedCrash(await ec2.send(new DescribeVpnConnectionsCommand({})).catch(e => e))).toBe(true);
  expect(sim.consumeCrash()).toBe(true);
  expect(sim.connectionIds()).toHaveLength(1);
});

test('Secrets Manager: versions count, a secret without a value is not found', async () => {
  const arn = sim.createSecret('config');
  await expect(secrets.send(new GetSecretValueCommand({ SecretId: arn }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  await secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'one' }));
  expect((await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('one');
  expect(sim.secretVersions(arn)).toBe(1);
});
