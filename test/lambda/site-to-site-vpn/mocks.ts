/**
 * The SDK mocks of the site-to-site VPN handler tests: EC2 and Secrets
 * Manager, unexpected commands rejecting, a manual clock, captured logs, and
 * builders for the connections DescribeVpnConnections reports.
 */
import {
  CreateVpnConnectionCommand,
  DescribeCustomerGatewaysCommand,
  DescribeVpnConnectionsCommand,
  DescribeVpnGatewaysCommand,
  EC2Client,
  TunnelOption,
  VpnConnection,
} from '@aws-sdk/client-ec2';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { useClock } from '../../../lambda/shared/clock';
import { CreateRequest, DeleteRequest, IsCompleteRequest, UpdateRequest } from '../../../lambda/shared/events';
import { preSharedKeyMarker } from '../../../lambda/site-to-site-vpn/tunnel-options';
import { SITE_TO_SITE_VPN_RESOURCE_TYPE, VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY } from '../../../src/private/contract/site-to-site-vpn';
import { ManualClock } from '../fixtures';

export const ec2 = mockClient(EC2Client);
export const sm = mockClient(SecretsManagerClient);

export const CONNECTION = 'vpn-0123456789abcdef0';
export const CGW = 'cgw-0123456789abcdef0';
export const VGW = 'vgw-0123456789abcdef0';
export const TGW = 'tgw-0123456789abcdef0';
export const CONFIG_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:vpn-config-AbCdEf';
export const KEYS_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:vpn-keys-AbCdEf';
export const KEY_1 = 'FirstTunnelKey.abc_123';
export const KEY_2 = 'SecondTunnelKey.def_456';
export const CONFIGURATION = `<vpn_connection id="${CONNECTION}"><pre_shared_key>${KEY_1}</pre_shared_key></vpn_connection>`;
export const OWNER = 'Stack/Vpn';
export const OUTSIDE = ['203.0.113.1', '203.0.113.2'];

export interface Harness {
  readonly clock: ManualClock;
  logs(): Array<Record<string, unknown>>;
  rawLogs(): string[];
}

export function useHarness(): Harness {
  let clock = new ManualClock();
  let restoreClock: () => void = () => undefined;
  let lines: string[] = [];
  let spy: jest.SpyInstance | undefined;
  const savedEnv = { ...process.env };
  beforeEach(() => {
    ec2.reset();
    sm.reset();
    ec2.onAnyCommand().rejects(new Error('unexpected EC2 call'));
    sm.onAnyCommand().rejects(new Error('unexpected Secrets Manager call'));
    clock = new ManualClock();
    restoreClock = useClock(clock);
    lines = [];
    spy = jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(String(line)); });
    delete process.env.TOTAL_TIMEOUT_SECONDS;
  });
  afterEach(() => {
    restoreClock();
    spy?.mockRestore();
    process.env = { ...savedEnv };
  });
  return {
    get clock() { return clock; },
    logs: () => lines.map(line => JSON.parse(line) as Record<string, unknown>),
    rawLogs: () => lines,
  };
}

export function props(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
    SchemaVersion: '1',
    OwnerTag: OWNER,
    CustomerGatewayId: CGW,
    VpnGatewayId: VGW,
    Type: 'ipsec.1',
    ConfigurationSecretArn: CONFIG_ARN,
    TunnelOptions: [
      { TunnelInsideCidr: '169.254.10.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'one' },
      { TunnelInsideCidr: '169.254.11.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'two' },
    ],
    ...overrides,
  };
}

const common = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
  LogicalResourceId: 'Vpn',
  ResourceType: SITE_TO_SITE_VPN_RESOURCE_TYPE,
};

export function createEvent(properties: unknown = props(), requestId = 'req-create'): CreateRequest<unknown> {
  return { ...common, RequestType: 'Create', RequestId: requestId, ResourceProperties: properties };
}

export function updateEvent(properties: unknown, old: unknown = props(), physicalId = CONNECTION, requestId = 'req-update'): UpdateRequest<unknown> {
  return { ...common, RequestType: 'Update', RequestId: requestId, PhysicalResourceId: physicalId, ResourceProperties: properties, OldResourceProperties: old };
}

export function deleteEvent(properties: unknown = props(), physicalId = CONNECTION, requestId = 'req-delete'): DeleteRequest<unknown> {
  return { ...common, RequestType: 'Delete', RequestId: requestId, PhysicalResourceId: physicalId, ResourceProperties: properties };
}

/** What the framework hands isComplete; the deadline is an hour from the harness clock's start by default. */
export function waiter(
  event: CreateRequest<unknown> | UpdateRequest<unknown> | DeleteRequest<unknown>,
  physicalId = CONNECTION,
  deadline?: number,
): IsCompleteRequest {
  return { ...event, PhysicalResourceId: physicalId, Deadline: deadline ?? Date.UTC(2030, 0, 1) + 3_480_000 } as IsCompleteRequest;
}

/** PSK marker tags as the handler writes them for the default props. */
export function markerTags(): Array<{ Key: string; Value: string }> {
  return [
    { Key: 'cdk-network-access:psk-tunnel1', Value: preSharedKeyMarker(KEYS_ARN, 'one') },
    { Key: 'cdk-network-access:psk-tunnel2', Value: preSharedKeyMarker(KEYS_ARN, 'two') },
  ];
}

/** A connection as DescribeVpnConnections reports one matching the default props. */
export function connection(overrides: Partial<VpnConnection> = {}, tunnels: Array<Partial<TunnelOption>> = [{}, {}]): VpnConnection {
  return {
    VpnConnectionId: CONNECTION,
    State: 'available',
    Type: 'ipsec.1',
    CustomerGatewayId: CGW,
    VpnGatewayId: VGW,
    CustomerGatewayConfiguration: CONFIGURATION,
    Tags: [
      { Key: VPN_OWNER_TAG_KEY, Value: OWNER },
      { Key: VPN_REQUEST_TAG_KEY, Value: 'req-create' },
      ...markerTags(),
    ],
    Options: {
      StaticRoutesOnly: false,
      TunnelInsideIpVersion: 'ipv4',
      TunnelOptions: tunnels.map((t, i) => ({
        OutsideIpAddress: OUTSIDE[i],
        TunnelInsideCidr: i === 0 ? '169.254.10.0/30' : '169.254.11.0/30',
        PreSharedKey: i === 0 ? KEY_1 : KEY_2,
        ...t,
      })),
    },
    VgwTelemetry: OUTSIDE.map(ip => ({ OutsideIpAddress: ip, Status: 'UP', LastStatusChange: new Date(Date.UTC(2029, 0, 1)) })),
    ...overrides,
  };
}

export function describeReturns(...connections: VpnConnection[]): void {
  ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: connections });
}

/**
 * The calls a completion pass makes besides Describe: the gateways and the
 * configuration secret, whose current value is `currentConfiguration` (null:
 * a value without SecretString).
 */
export function completionSucceeds(currentConfiguration: string | null = CONFIGURATION): void {
  ec2.on(DescribeVpnGatewaysCommand).resolves({ VpnGateways: [{ VpnGatewayId: VGW, AmazonSideAsn: 64512 }] });
  ec2.on(DescribeCustomerGatewaysCommand).resolves({ CustomerGateways: [{ CustomerGatewayId: CGW, BgpAsn: '65000', IpAddress: '198.51.100.1' }] });
  sm.on(GetSecretValueCommand, { SecretId: CONFIG_ARN }).resolves(currentConfiguration === null ? {} : { SecretString: currentConfiguration });
  sm.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
}

export function keysReadable(): void {
  sm.on(GetSecretValueCommand, { SecretId: KEYS_ARN }).resolves({ SecretString: JSON.stringify({ one: KEY_1, two: KEY_2 }) });
}

export function createSucceeds(): void {
  ec2.on(CreateVpnConnectionCommand).resolves({ VpnConnection: connection({ State: 'pending' }) });
}
