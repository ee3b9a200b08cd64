/**
 * The site-to-site VPN handler with mocked EC2 and Secrets Manager clients:
 * each request type, each error class, adoption, replacement decisions, the
 * tunnel-at-a-time rule, the configuration secret and the Data it returns.
 */
import {
  CreateTagsCommand,
  CreateVpnConnectionCommand,
  CreateVpnConnectionCommandInput,
  DeleteTagsCommand,
  DeleteVpnConnectionCommand,
  DescribeCustomerGatewaysCommand,
  DescribeVpnConnectionsCommand,
  ModifyVpnConnectionCommand,
  ModifyVpnConnectionOptionsCommand,
  ModifyVpnTunnelOptionsCommand,
  VpnConnection,
} from '@aws-sdk/client-ec2';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  CGW, completionSucceeds, CONFIG_ARN, CONFIGURATION, connection, CONNECTION, createEvent, createSucceeds, deleteEvent,
  describeReturns, ec2, KEY_1, KEY_2, keysReadable, KEYS_ARN, OUTSIDE, OWNER, props, sm, TGW, updateEvent, useHarness, VGW, waiter,
} from './mocks';
import { HandlerError } from '../../../lambda/shared/errors';
import { isComplete, onEvent } from '../../../lambda/site-to-site-vpn';
import { preSharedKeyMarker } from '../../../lambda/site-to-site-vpn/tunnel-options';
import { SITE_TO_SITE_VPN_ATTRIBUTES, SITE_TO_SITE_VPN_REPLACING_PROPERTIES, VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY } from '../../../src/private/contract/site-to-site-vpn';
import { awsError } from '../fixtures';

const h = useHarness();

function tunnelCalls() {
  return ec2.commandCalls(ModifyVpnTunnelOptionsCommand).map(c => c.args[0].input);
}

describe('Create: onEvent', () => {
  test('creates the connection with tags, options and the keys read from Secrets Manager, and returns its id', async () => {
    ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: [] });
    keysReadable();
    createSucceeds();
    const result = await onEvent(createEvent(props({ StaticRoutesOnly: 'true', LocalIpv4NetworkCidr: '10.0.0.0/16', Tags: [{ Key: 'Name', Value: 'office' }] })));
    expect(result).toEqual({ PhysicalResourceId: CONNECTION, Deadline: expect.any(Number) });
    const input = ec2.commandCalls(CreateVpnConnectionCommand)[0].args[0].input as CreateVpnConnectionCommandInput;
    expect(input).toMatchObject({
      Type: 'ipsec.1',
      CustomerGatewayId: CGW,
      VpnGatewayId: VGW,
      Options: {
        StaticRoutesOnly: true,
        LocalIpv4NetworkCidr: '10.0.0.0/16',
        TunnelOptions: [
          { TunnelInsideCidr: '169.254.10.0/30', PreSharedKey: KEY_1 },
          { TunnelInsideCidr: '169.254.11.0/30', PreSharedKey: KEY_2 },
        ],
      },
    });
    expect(input.TagSpecifications?.[0].ResourceType).toBe('vpn-connection');
    expect(input.TagSpecifications?.[0].Tags).toEqual(expect.arrayContaining([
      { Key: VPN_OWNER_TAG_KEY, Value: OWNER },
      { Key: VPN_REQUEST_TAG_KEY, Value: 'req-create' },
      { Key: 'Name', Value: 'office' },
      { Key: 'cdk-network-access:psk-tunnel1', Value: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]));
    // One read for the secret both tunnels use.
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('adopts a live connection tagged with this request instead of creating a second one', async () => {
    ec2.on(DescribeVpnConnectionsCommand).resolves({
      VpnConnections: [
        connection({ VpnConnectionId: 'vpn-0aaaaaaaaaaaaaaa0', State: 'deleted' }),
        connection({ State: 'pending' }),
      ],
    });
    await expect(onEvent(createEvent())).resolves.toMatchObject({ PhysicalResourceId: CONNECTION });
    expect(ec2.commandCalls(CreateVpnConnectionCommand)).toHaveLength(0);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DescribeVpnConnectionsCommand)[0].args[0].input.Filters)
      .toEqual([{ Name: `tag:${VPN_OWNER_TAG_KEY}`, Values: [OWNER] }]);
  });

  test('a connection of the same owner made by another request is not adopted on Create', async () => {
    describeReturns(connection({ Tags: [{ Key: VPN_OWNER_TAG_KEY, Value: OWNER }, { Key: VPN_REQUEST_TAG_KEY, Value: 'other' }] }));
    keysReadable();
    createSucceeds();
    await onEvent(createEvent());
    expect(ec2.commandCalls(CreateVpnConnectionCommand)).toHaveLength(1);
  });

  test.each([
    ['InvalidCustomerGatewayID.NotFound', `customer gateway ${CGW} (CustomerGatewayId) does not exist`],
    ['InvalidVpnGatewayID.NotFound', `virtual private gateway ${VGW} (VpnGatewayId) does not exist`],
    ['VpnConnectionLimitExceeded', "'Site-to-Site VPN connections per Region'"],
    ['InvalidParameterValue', 'CreateVpnConnection for customer gateway'],
  ])('%s fails at once, naming the cause', async (name, expected) => {
    ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: [] });
    keysReadable();
    ec2.on(CreateVpnConnectionCommand).rejects(awsError(name, 'the message'));
    const failure = onEvent(createEvent());
    await expect(failure).rejects.toThrow(HandlerError);
    await expect(failure).rejects.toThrow(expected);
    expect(ec2.commandCalls(CreateVpnConnectionCommand)).toHaveLength(1);
    expect(h.clock.sleeps).toEqual([]);
  });

  test('InvalidTransitGatewayID.NotFound names the transit gateway', async () => {
    ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: [] });
    keysReadable();
    ec2.on(CreateVpnConnectionCommand).rejects(awsError('InvalidTransitGatewayID.NotFound'));
    await expect(onEvent(createEvent(props({ VpnGatewayId: undefined, TransitGatewayId: TGW }))))
      .rejects.toThrow(`transit gateway ${TGW} (TransitGatewayId) does not exist`);
  });

  test('throttling is retried with backoff, looking for the connection again before each attempt', async () => {
    ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: [] });
    keysReadable();
    ec2.on(CreateVpnConnectionCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'slow down', 503))
      .rejectsOnce(awsError('InternalError', 'oops', 500))
      .resolves({ VpnConnection: connection({ State: 'pending' }) });
    await expect(onEvent(createEvent())).resolves.toMatchObject({ PhysicalResourceId: CONNECTION });
    expect(h.clock.sleeps).toEqual([2000, 4000]);
    expect(ec2.commandCalls(DescribeVpnConnectionsCommand)).toHaveLength(3);
  });

  test('a Create whose answers were all lost adopts what one of its attempts made', async () => {
    ec2.on(DescribeVpnConnectionsCommand)
      .resolvesOnce({ VpnConnections: [] }).resolvesOnce({ VpnConnections: [] }).resolvesOnce({ VpnConnections: [] })
      .resolvesOnce({ VpnConnections: [] }).resolvesOnce({ VpnConnections: [] }).resolvesOnce({ VpnConnections: [] })
      .resolves({ VpnConnections: [connection({ State: 'pending' })] });
    keysReadable();
    ec2.on(CreateVpnConnectionCommand).rejects(awsError('TimeoutError', 'socket timeout', 500));
    await expect(onEvent(createEvent())).resolves.toMatchObject({ PhysicalResourceId: CONNECTION });
    expect(ec2.commandCalls(CreateVpnConnectionCommand)).toHaveLength(6);
  });

  test.each([
    [{ SchemaVersion: '9' }, "SchemaVersion '9' is not one this handler reads"],
    [{ CustomerGatewayId: 'vgw-1' }, "CustomerGatewayId 'vgw-1' is not a customer gateway id"],
    [{ TransitGatewayId: TGW }, 'exactly one of VpnGatewayId and TransitGatewayId'],
    [{ StaticRoutesOnly: 'yes' }, "StaticRoutesOnly 'yes' must be true or false"],
    [{ TunnelOptions: [{ Phase1LifetimeSeconds: '60' }] }, "TunnelOptions[0].Phase1LifetimeSeconds '60' must be between 900 and 28800"],
    [{ TunnelOptions: [{ TunnelInsideCidr: '169.254.1.0/30' }] }, "TunnelOptions[0].TunnelInsideCidr '169.254.1.0/30' is reserved"],
    [{ TunnelOptions: [{ Phase1EncryptionAlgorithms: ['DES'] }] }, 'TunnelOptions[0].Phase1EncryptionAlgorithms ["DES"] must list values from'],
  ])('malformed properties %j fail naming the property, with no AWS call', async (overrides, expected) => {
    await expect(onEvent(createEvent(props(overrides)))).rejects.toThrow(expected);
    expect(ec2.calls()).toHaveLength(0);
  });

  test('a key that breaks AWS rules fails without showing it', async () => {
    ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: [] });
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ one: '0startsWithZero', two: KEY_2 }) });
    const failure = onEvent(createEvent());
    await expect(failure).rejects.toThrow(`TunnelOptions[0].PreSharedKeySecretArn ${KEYS_ARN} (field 'one')`);
    await expect(failure).rejects.not.toThrow('0startsWithZero');
    expect(ec2.commandCalls(CreateVpnConnectionCommand)).toHaveLength(0);
  });

  test('an unreadable key secret fails naming the secret and the tunnel', async () => {
    ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: [] });
    sm.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException', 'not allowed'));
    await expect(onEvent(createEvent())).rejects.toThrow(`could not read the pre-shared key of TunnelOptions[0].PreSharedKeySecretArn ${KEYS_ARN}`);
  });
});

describe('Create: isComplete', () => {
  test.each(['pending', 'modifying'])('waits while %s', async state => {
    describeReturns(connection({ State: state as 'pending' }));
    await expect(isComplete(waiter(createEvent()))).resolves.toEqual({ IsComplete: false });
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('available: writes the configuration and returns every attribute', async () => {
    describeReturns(connection());
    completionSucceeds(null);
    const result = await isComplete(waiter(createEvent()));
    expect(result.IsComplete).toBe(true);
    expect(Object.keys(result.Data ?? {}).sort()).toEqual([...SITE_TO_SITE_VPN_ATTRIBUTES].sort());
    expect(result.Data).toMatchObject({
      VpnConnectionId: CONNECTION,
      Tunnel1OutsideIpAddress: OUTSIDE[0],
      Tunnel2OutsideIpAddress: OUTSIDE[1],
      Tunnel1InsideCidr: '169.254.10.0/30',
      Tunnel1AwsInsideAddress: '169.254.10.1',
      Tunnel1CustomerInsideAddress: '169.254.10.2',
      Tunnel2InsideIpv6Cidr: '',
      AmazonSideAsn: '64512',
      CustomerGatewayAsn: '65000',
      CustomerGatewayIp: '198.51.100.1',
      TransitGatewayAttachmentId: '',
      PreSharedKeyArn: '',
      ConfigurationSecretArn: CONFIG_ARN,
    });
    expect(sm.commandCalls(PutSecretValueCommand).map(c => c.args[0].input)).toEqual([{ SecretId: CONFIG_ARN, SecretString: CONFIGURATION }]);
  });

  test('the configuration secret is not written again when it already holds this text', async () => {
    describeReturns(connection());
    completionSucceeds(CONFIGURATION);
    await expect(isComplete(waiter(createEvent()))).resolves.toMatchObject({ IsComplete: true });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('a configuration secret without a value yet is written', async () => {
    describeReturns(connection());
    completionSucceeds();
    sm.on(GetSecretValueCommand, { SecretId: CONFIG_ARN }).rejects(awsError('ResourceNotFoundException', "can't find AWSCURRENT"));
    await expect(isComplete(waiter(createEvent()))).resolves.toMatchObject({ IsComplete: true });
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  test('IPv6 inside addresses come from the /126', async () => {
    describeReturns(connection({}, [{ TunnelInsideCidr: undefined, TunnelInsideIpv6Cidr: 'fd00:0:0:1::/126' }, {}]));
    completionSucceeds();
    const result = await isComplete(waiter(createEvent(props({ TunnelOptions: [] }))));
    expect(result.Data).toMatchObject({ Tunnel1InsideIpv6Cidr: 'fd00:0:0:1::/126', Tunnel1AwsInsideAddress: 'fd00:0:0:1::1', Tunnel1CustomerInsideAddress: 'fd00:0:0:1::2' });
  });

  test.each(['deleted', 'deleting', 'failed'])('state %s fails with the id, the state and AWS\'s tunnel messages', async state => {
    describeReturns(connection({
      State: state as 'deleted',
      VgwTelemetry: [{ OutsideIpAddress: OUTSIDE[0], Status: 'DOWN', StatusMessage: 'customer gateway unreachable' }],
    }));
    const failure = isComplete(waiter(createEvent()));
    await expect(failure).rejects.toThrow(`VPN connection ${CONNECTION} is in state '${state}'`);
    await expect(failure).rejects.toThrow('customer gateway unreachable');
  });

  test('not found just after the create is waited on; long after it fails', async () => {
    ec2.on(DescribeVpnConnectionsCommand).rejects(awsError('InvalidVpnConnectionID.NotFound'));
    const deadline = h.clock.now() + 3_480_000;
    await expect(isComplete(waiter(createEvent(), CONNECTION, deadline))).resolves.toEqual({ IsComplete: false });
    h.clock.time += 600_000;
    await expect(isComplete(waiter(createEvent(), CONNECTION, deadline))).rejects.toThrow(`VPN connection ${CONNECTION} does not exist`);
  });

  test.each([
    ['RequestLimitExceeded', 503],
    ['InternalError', 500],
    ['TimeoutError', 500],
  ])('%s while describing waits', async (name, status) => {
    ec2.on(DescribeVpnConnectionsCommand).rejects(awsError(name, 'later', status));
    await expect(isComplete(waiter(createEvent()))).resolves.toEqual({ IsComplete: false });
  });

  test('past the deadline a wait becomes a failure naming the connection and its state', async () => {
    describeReturns(connection({ State: 'pending' }));
    await expect(isComplete(waiter(createEvent(), CONNECTION, h.clock.now() - 1)))
      .rejects.toThrow(`timed out after 3480 s waiting for VPN connection ${CONNECTION}: connection state 'pending'`);
  });

  test('past the deadline the failure names each tunnel still to change, by index and outside IP, with what is pending', async () => {
    const tunnels = [
      { TunnelInsideCidr: '169.254.10.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'one', ReplayWindowSize: 2048 },
      { TunnelInsideCidr: '169.254.11.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'three', DPDTimeoutSeconds: 60 },
    ];
    describeReturns(connection({ State: 'modifying' as VpnConnection['State'] }));
    const failure = isComplete(waiter(updateEvent(props({ TunnelOptions: tunnels })), CONNECTION, h.clock.now() - 1));
    await expect(failure).rejects.toThrow(`timed out after 3480 s waiting for VPN connection ${CONNECTION}: connection state 'modifying'; `
      + `2 tunnels still to change: tunnel 1 (${OUTSIDE[0]}): ReplayWindowSize, tunnel 2 (${OUTSIDE[1]}): DPDTimeoutSeconds, PreSharedKey`);
    const logged = h.logs().find(l => l.message === 'deadline reached with tunnel modifications remaining');
    expect(logged).toMatchObject({ connectionId: CONNECTION, remaining: 2, ids: [expect.stringContaining('tunnel 1'), expect.stringContaining('tunnel 2')] });
    expect(h.rawLogs().join('\n')).not.toContain(KEY_1);
  });

  test('past the deadline with every tunnel as declared, the reason is the wait alone', async () => {
    describeReturns(connection({ State: 'modifying' as VpnConnection['State'] }));
    await expect(isComplete(waiter(updateEvent(props()), CONNECTION, h.clock.now() - 1)))
      .rejects.toThrow(new RegExp(`waiting for VPN connection ${CONNECTION}: connection state 'modifying'$`));
  });

  test.each([
    ['a version id', '6c2c1b5e-0f3a-4c8e-9d6b-2a1f0e9c8b7a', { VersionId: '6c2c1b5e-0f3a-4c8e-9d6b-2a1f0e9c8b7a' }],
    ['a staging label', 'AWSPENDING', { VersionStage: 'AWSPENDING' }],
  ])('a changed PreSharedKeySecretVersion (%s) reads that version and modifies tunnel 1 only in this pass', async (_, version, selector) => {
    const tunnels = [
      { TunnelInsideCidr: '169.254.10.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'one', PreSharedKeySecretVersion: version },
      { TunnelInsideCidr: '169.254.11.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'two', PreSharedKeySecretVersion: version },
    ];
    describeReturns(connection());
    sm.on(GetSecretValueCommand, { SecretId: KEYS_ARN, ...selector }).resolves({ SecretString: JSON.stringify({ one: 'RotatedKeyOne.x_1', two: 'RotatedKeyTwo.x_2' }) });
    ec2.on(ModifyVpnTunnelOptionsCommand).resolves({});
    ec2.on(CreateTagsCommand).resolves({});
    await expect(isComplete(waiter(updateEvent(props({ TunnelOptions: tunnels }))))).resolves.toEqual({ IsComplete: false });
    expect(sm.commandCalls(GetSecretValueCommand).map(c => c.args[0].input)).toEqual([{ SecretId: KEYS_ARN, ...selector }]);
    expect(tunnelCalls()).toEqual([expect.objectContaining({ VpnTunnelOutsideIpAddress: OUTSIDE[0], TunnelOptions: { PreSharedKey: 'RotatedKeyOne.x_1' } })]);
    expect(h.rawLogs().join('\n')).not.toContain('RotatedKey');
  });

  test('an unchanged PreSharedKeySecretVersion reads no key and modifies nothing', async () => {
    const tunnels = [0, 1].map(i => ({
      TunnelInsideCidr: i === 0 ? '169.254.10.0/30' : '169.254.11.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: i === 0 ? 'one' : 'two', PreSharedKeySecretVersion: 'V2',
    }));
    const tags = [0, 1].map(i => ({ Key: `cdk-network-access:psk-tunnel${i + 1}`, Value: preSharedKeyMarker(KEYS_ARN, i === 0 ? 'one' : 'two', 'V2') }));
    describeReturns(connection({ Tags: [{ Key: VPN_OWNER_TAG_KEY, Value: OWNER }, ...tags] }));
    completionSucceeds();
    await expect(isComplete(waiter(updateEvent(props({ TunnelOptions: tunnels }))))).resolves.toMatchObject({ IsComplete: true });
    expect(tunnelCalls()).toEqual([]);
    expect(sm.commandCalls(GetSecretValueCommand).filter(c => c.args[0].input.SecretId === KEYS_ARN)).toHaveLength(0);
  });

  test('a gateway that disappeared fails the attribute read naming it', async () => {
    describeReturns(connection());
    completionSucceeds();
    ec2.on(DescribeCustomerGatewaysCommand).rejects(awsError('InvalidCustomerGatewayID.NotFound'));
    await expect(isComplete(waiter(createEvent()))).rejects.toThrow(`customer gateway ${CGW} (CustomerGatewayId) does not exist`);
  });
});

describe('Update: replace or modify in place', () => {
  const replacing: Array<[string, Record<string, unknown>]> = [
    ['Type', { Type: 'ipsec.2' }],
    ['StaticRoutesOnly', { StaticRoutesOnly: 'true' }],
    ['EnableAcceleration', { EnableAcceleration: 'true', VpnGatewayId: undefined, TransitGatewayId: TGW }],
    ['TunnelInsideIpVersion', { TunnelInsideIpVersion: 'ipv6' }],
    ['OutsideIpAddressType', { OutsideIpAddressType: 'PrivateIpv4' }],
    ['TransportTransitGatewayAttachmentId', { TransportTransitGatewayAttachmentId: 'tgw-attach-0123456789abcdef0' }],
    ['PreSharedKeyStorage', { PreSharedKeyStorage: 'SecretsManager' }],
    ['OwnerTag', { OwnerTag: 'Stack/Other' }],
  ];

  test('the table covers exactly the contract\'s replacing properties', () => {
    expect(replacing.map(([name]) => name).sort()).toEqual([...SITE_TO_SITE_VPN_REPLACING_PROPERTIES].sort());
  });

  test.each(replacing.filter(([name]) => name !== 'Type'))('%s creates a new connection', async (_name, overrides) => {
    ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: [connection()] });
    keysReadable();
    ec2.on(CreateVpnConnectionCommand).resolves({ VpnConnection: connection({ VpnConnectionId: 'vpn-0bbbbbbbbbbbbbbb0', State: 'pending' }) });
    const result = await onEvent(updateEvent(props(overrides)));
    expect(result.PhysicalResourceId).toBe('vpn-0bbbbbbbbbbbbbbb0');
    expect(ec2.commandCalls(CreateVpnConnectionCommand)[0].args[0].input.TagSpecifications?.[0].Tags)
      .toContainEqual({ Key: VPN_REQUEST_TAG_KEY, Value: 'req-update' });
  });

  test('Type other than ipsec.1 is refused as malformed', async () => {
    await expect(onEvent(updateEvent(props({ Type: 'ipsec.2' })))).rejects.toThrow("Type 'ipsec.2' must be one of ipsec.1");
  });

  test.each([
    ['a tunnel option', { TunnelOptions: [{ TunnelInsideCidr: '169.254.10.0/30', Phase1LifetimeSeconds: '3600' }] }],
    ['the gateway', { VpnGatewayId: 'vgw-0ccccccccccccccc0' }],
    ['the customer gateway', { CustomerGatewayId: 'cgw-0ccccccccccccccc0' }],
    ['a network CIDR', { RemoteIpv4NetworkCidr: '10.0.0.0/8' }],
    ['the tags', { Tags: [{ Key: 'Name', Value: 'x' }] }],
    ['a switch to a transit gateway', { VpnGatewayId: undefined, TransitGatewayId: TGW }],
    ['StaticRoutesOnly false made explicit', { StaticRoutesOnly: 'false' }],
  ])('%s keeps the connection', async (_what, overrides) => {
    describeReturns(connection());
    const result = await onEvent(updateEvent(props(overrides)));
    expect(result.PhysicalResourceId).toBe(CONNECTION);
    expect(ec2.commandCalls(CreateVpnConnectionCommand)).toHaveLength(0);
    expect(ec2.commandCalls(ModifyVpnTunnelOptionsCommand)).toHaveLength(0);
  });

  test('a replacing Update adopts the owner\'s other connection with the declared options (rollback of a replacement)', async () => {
    const original = connection({ VpnConnectionId: 'vpn-0aaaaaaaaaaaaaaa0', Tags: [{ Key: VPN_OWNER_TAG_KEY, Value: OWNER }, { Key: VPN_REQUEST_TAG_KEY, Value: 'req-create' }] });
    const replacement = connection({ Options: { StaticRoutesOnly: true }, Tags: [{ Key: VPN_OWNER_TAG_KEY, Value: OWNER }, { Key: VPN_REQUEST_TAG_KEY, Value: 'req-update' }] });
    describeReturns(original, replacement);
    const result = await onEvent(updateEvent(props(), props({ StaticRoutesOnly: 'true' }), CONNECTION, 'req-rollback'));
    expect(result.PhysicalResourceId).toBe('vpn-0aaaaaaaaaaaaaaa0');
    expect(ec2.commandCalls(CreateVpnConnectionCommand)).toHaveLength(0);
  });

  test('a connection gone since the last deploy is made again', async () => {
    ec2.on(DescribeVpnConnectionsCommand, { VpnConnectionIds: [CONNECTION] }).resolves({ VpnConnections: [connection({ State: 'deleted' })] });
    ec2.on(DescribeVpnConnectionsCommand, { Filters: [{ Name: `tag:${VPN_OWNER_TAG_KEY}`, Values: [OWNER] }] })
      .resolves({ VpnConnections: [connection({ State: 'deleted' })] });
    keysReadable();
    ec2.on(CreateVpnConnectionCommand).resolves({ VpnConnection: connection({ VpnConnectionId: 'vpn-0bbbbbbbbbbbbbbb0', State: 'pending' }) });
    await expect(onEvent(updateEvent(props()))).resolves.toMatchObject({ PhysicalResourceId: 'vpn-0bbbbbbbbbbbbbbb0' });
  });
});

describe('Update: isComplete, one change per pass', () => {
  test('gateway first: ModifyVpnConnection with the target gateway only', async () => {
    describeReturns(connection());
    ec2.on(ModifyVpnConnectionCommand).resolves({});
    const update = updateEvent(props({ VpnGatewayId: undefined, TransitGatewayId: TGW, CustomerGatewayId: 'cgw-0ccccccccccccccc0' }));
    await expect(isComplete(waiter(update))).resolves.toEqual({ IsComplete: false });
    expect(ec2.commandCalls(ModifyVpnConnectionCommand).map(c => c.args[0].input)).toEqual([{ VpnConnectionId: CONNECTION, TransitGatewayId: TGW }]);
  });

  test('then the customer gateway', async () => {
    describeReturns(connection());
    ec2.on(ModifyVpnConnectionCommand).resolves({});
    await isComplete(waiter(updateEvent(props({ CustomerGatewayId: 'cgw-0ccccccccccccccc0' }))));
    expect(ec2.commandCalls(ModifyVpnConnectionCommand).map(c => c.args[0].input)).toEqual([{ VpnConnectionId: CONNECTION, CustomerGatewayId: 'cgw-0ccccccccccccccc0' }]);
  });

  test('an unknown new gateway fails naming it', async () => {
    describeReturns(connection());
    ec2.on(ModifyVpnConnectionCommand).rejects(awsError('InvalidVpnGatewayID.NotFound'));
    await expect(isComplete(waiter(updateEvent(props({ VpnGatewayId: 'vgw-0ddddddddddddddd0' })))))
      .rejects.toThrow('virtual private gateway vgw-0ddddddddddddddd0 (VpnGatewayId) does not exist');
  });

  test('network CIDRs: ModifyVpnConnectionOptions with the ones that differ; a dropped one returns to 0.0.0.0/0', async () => {
    describeReturns(connection({ Options: { ...connection().Options, LocalIpv4NetworkCidr: '10.0.0.0/16', RemoteIpv4NetworkCidr: '0.0.0.0/0' } }));
    ec2.on(ModifyVpnConnectionOptionsCommand).resolves({});
    await isComplete(waiter(updateEvent(props({ RemoteIpv4NetworkCidr: '172.16.0.0/12' }))));
    expect(ec2.commandCalls(ModifyVpnConnectionOptionsCommand).map(c => c.args[0].input))
      .toEqual([{ VpnConnectionId: CONNECTION, LocalIpv4NetworkCidr: '0.0.0.0/0', RemoteIpv4NetworkCidr: '172.16.0.0/12' }]);
  });

  test('tunnel options: only the first differing tunnel is modified in a pass, by its outside address', async () => {
    describeReturns(connection());
    ec2.on(ModifyVpnTunnelOptionsCommand).resolves({});
    const both = props({
      TunnelOptions: [
        { TunnelInsideCidr: '169.254.10.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'one', DPDTimeoutSeconds: '60' },
        { TunnelInsideCidr: '169.254.11.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'two', DPDTimeoutSeconds: '60' },
      ],
    });
    await expect(isComplete(waiter(updateEvent(both)))).resolves.toEqual({ IsComplete: false });
    expect(tunnelCalls()).toEqual([{ VpnConnectionId: CONNECTION, VpnTunnelOutsideIpAddress: OUTSIDE[0], TunnelOptions: { DPDTimeoutSeconds: 60 } }]);

    // Next pass: tunnel 1 done, the connection available again and tunnel 1 UP: tunnel 2.
    ec2.resetHistory();
    describeReturns(connection({}, [{ DpdTimeoutSeconds: 60 }, {}]));
    await isComplete(waiter(updateEvent(both)));
    expect(tunnelCalls()).toEqual([{ VpnConnectionId: CONNECTION, VpnTunnelOutsideIpAddress: OUTSIDE[1], TunnelOptions: { DPDTimeoutSeconds: 60 } }]);
  });

  test('tunnel 2 waits while tunnel 1 is recovering from its change, and goes once tunnel 1 is UP', async () => {
    const recovering = connection({}, [{ DpdTimeoutSeconds: 60 }, {}]);
    recovering.VgwTelemetry = [
      { OutsideIpAddress: OUTSIDE[0], Status: 'DOWN', LastStatusChange: new Date(h.clock.now() - 30_000) },
      { OutsideIpAddress: OUTSIDE[1], Status: 'UP', LastStatusChange: new Date(h.clock.now() - 900_000) },
    ];
    describeReturns(recovering);
    ec2.on(ModifyVpnTunnelOptionsCommand).resolves({});
    const both = props({
      TunnelOptions: [
        { TunnelInsideCidr: '169.254.10.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'one', DPDTimeoutSeconds: '60' },
        { TunnelInsideCidr: '169.254.11.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'two', DPDTimeoutSeconds: '60' },
      ],
    });
    await expect(isComplete(waiter(updateEvent(both)))).resolves.toEqual({ IsComplete: false });
    expect(tunnelCalls()).toEqual([]);
    expect(h.logs().find(l => l.message === 'waiting')?.reason).toContain('tunnel 2 waits until tunnel 1');

    // A tunnel down for longer than the grace (the device is not connected) holds nothing up.
    h.clock.time += 600_000;
    await isComplete(waiter(updateEvent(both)));
    expect(tunnelCalls().map(c => c.VpnTunnelOutsideIpAddress)).toEqual([OUTSIDE[1]]);
  });

  test('options compare by effective value: absent equals the default, lists as sets', async () => {
    describeReturns(connection({}, [
      { Phase1LifetimeSeconds: 28800, IkeVersions: [{ Value: 'ikev2' }, { Value: 'ikev1' }] },
      { DpdTimeoutAction: 'clear' },
    ]));
    completionSucceeds();
    const declared = props({
      TunnelOptions: [
        { TunnelInsideCidr: '169.254.10.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'one', IKEVersions: ['ikev1', 'ikev2'] },
        { TunnelInsideCidr: '169.254.11.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'two' },
      ],
    });
    await expect(isComplete(waiter(updateEvent(declared)))).resolves.toMatchObject({ IsComplete: true });
    expect(tunnelCalls()).toEqual([]);
  });

  test('a new key reference sends the key from Secrets Manager and then records it in the marker tag', async () => {
    describeReturns(connection());
    keysReadable();
    ec2.on(ModifyVpnTunnelOptionsCommand).resolves({});
    ec2.on(CreateTagsCommand).resolves({});
    const rotated = props({
      TunnelOptions: [
        { TunnelInsideCidr: '169.254.10.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'two' },
        { TunnelInsideCidr: '169.254.11.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'two' },
      ],
    });
    await isComplete(waiter(updateEvent(rotated)));
    expect(tunnelCalls()).toEqual([{ VpnConnectionId: CONNECTION, VpnTunnelOutsideIpAddress: OUTSIDE[0], TunnelOptions: { PreSharedKey: KEY_2 } }]);
    expect(ec2.commandCalls(CreateTagsCommand)[0].args[0].input.Tags?.[0].Key).toBe('cdk-network-access:psk-tunnel1');
    expect(JSON.stringify(h.logs())).not.toContain(KEY_2);
  });

  test('toggling lifecycle control replaces the tunnel endpoint now (SkipTunnelReplacement false)', async () => {
    describeReturns(connection());
    ec2.on(ModifyVpnTunnelOptionsCommand).resolves({});
    await isComplete(waiter(updateEvent(props({
      TunnelOptions: [{ TunnelInsideCidr: '169.254.10.0/30', PreSharedKeySecretArn: KEYS_ARN, PreSharedKeySecretField: 'one', EnableTunnelLifecycleControl: 'true' }],
    }))));
    expect(tunnelCalls()[0]).toMatchObject({ SkipTunnelReplacement: false, TunnelOptions: { EnableTunnelLifecycleControl: true } });
  });

  test.each([
    ['InvalidVpnConnection.InvalidState', 400],
    ['IncorrectState', 400],
    ['RequestLimitExceeded', 503],
    ['InternalError', 500],
  ])('%s from ModifyVpnTunnelOptions waits for the next pass', async (name, status) => {
    describeReturns(connection());
    ec2.on(ModifyVpnTunnelOptionsCommand).rejects(awsError(name, 'busy', status));
    await expect(isComplete(waiter(updateEvent(props({ TunnelOptions: [{ ReplayWindowSize: '512' }] }))))).resolves.toEqual({ IsComplete: false });
  });

  test('a refused tunnel option fails naming the tunnel and the options', async () => {
    describeReturns(connection());
    ec2.on(ModifyVpnTunnelOptionsCommand).rejects(awsError('InvalidParameterValue', 'bad value'));
    await expect(isComplete(waiter(updateEvent(props({ TunnelOptions: [{ ReplayWindowSize: '512' }] })))))
      .rejects.toThrow(`ModifyVpnTunnelOptions for tunnel 1 (${OUTSIDE[0]}) of ${CONNECTION}: ReplayWindowSize failed: InvalidParameterValue: bad value`);
  });

  test('tags: sets declared ones, removes those the old declaration had, leaves the handler\'s own', async () => {
    describeReturns(connection({ Tags: [...(connection().Tags ?? []), { Key: 'Name', Value: 'old' }, { Key: 'gone', Value: 'x' }, { Key: 'foreign', Value: 'y' }] }));
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(DeleteTagsCommand).resolves({});
    completionSucceeds();
    await isComplete(waiter(updateEvent(props({ Tags: [{ Key: 'Name', Value: 'new' }] }), props({ Tags: [{ Key: 'Name', Value: 'old' }, { Key: 'gone', Value: 'x' }] }))));
    expect(ec2.commandCalls(CreateTagsCommand)[0].args[0].input).toEqual({ Resources: [CONNECTION], Tags: [{ Key: 'Name', Value: 'new' }] });
    expect(ec2.commandCalls(DeleteTagsCommand)[0].args[0].input).toEqual({ Resources: [CONNECTION], Tags: [{ Key: 'gone' }] });
  });
});

describe('Delete', () => {
  test('deletes an owned connection, then waits for deleted', async () => {
    describeReturns(connection());
    ec2.on(DeleteVpnConnectionCommand).resolves({});
    await expect(onEvent(deleteEvent())).resolves.toMatchObject({ PhysicalResourceId: CONNECTION });
    expect(ec2.commandCalls(DeleteVpnConnectionCommand)).toHaveLength(1);
    describeReturns(connection({ State: 'deleting' }));
    await expect(isComplete(waiter(deleteEvent()))).resolves.toEqual({ IsComplete: false });
    describeReturns(connection({ State: 'deleted' }));
    await expect(isComplete(waiter(deleteEvent()))).resolves.toEqual({ IsComplete: true });
    expect(ec2.commandCalls(DeleteVpnConnectionCommand)).toHaveLength(1);
  });

  test('not found is done', async () => {
    ec2.on(DescribeVpnConnectionsCommand).rejects(awsError('InvalidVpnConnectionID.NotFound'));
    await expect(isComplete(waiter(deleteEvent()))).resolves.toEqual({ IsComplete: true });
    describeReturns(connection());
    ec2.on(DeleteVpnConnectionCommand).rejects(awsError('InvalidVpnConnectionID.NotFound'));
    await expect(isComplete(waiter(deleteEvent()))).resolves.toEqual({ IsComplete: true });
  });

  test.each(['IncorrectState', 'InvalidVpnConnection.InvalidState'])('%s (mid-modification) waits', async name => {
    describeReturns(connection({ State: 'modifying' as 'available' }));
    ec2.on(DeleteVpnConnectionCommand).rejects(awsError(name));
    await expect(isComplete(waiter(deleteEvent()))).resolves.toEqual({ IsComplete: false });
  });

  test.each([
    ['the failed-create marker', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', props()],
    ['a non-vpn id', 'cgw-0123456789abcdef0', props()],
    ['unreadable properties', CONNECTION, props({ SchemaVersion: '7' })],
  ])('%s: no AWS call at all', async (_what, physicalId, properties) => {
    await expect(onEvent(deleteEvent(properties, physicalId))).resolves.toEqual({ PhysicalResourceId: physicalId });
    await expect(isComplete(waiter(deleteEvent(properties, physicalId), physicalId))).resolves.toEqual({ IsComplete: true });
    expect(ec2.calls()).toHaveLength(0);
  });

  test('a connection without this owner\'s tag is not deleted', async () => {
    describeReturns(connection({ Tags: [{ Key: VPN_OWNER_TAG_KEY, Value: 'Other/Stack' }] }));
    await expect(isComplete(waiter(deleteEvent()))).resolves.toEqual({ IsComplete: true });
    expect(ec2.commandCalls(DeleteVpnConnectionCommand)).toHaveLength(0);
    expect(h.logs().find(l => l.message === 'not deleting a connection this construct does not own')).toMatchObject({ expected: OWNER, found: 'Other/Stack' });
  });

  test('an unexpected terminal error fails naming the connection', async () => {
    describeReturns(connection());
    ec2.on(DeleteVpnConnectionCommand).rejects(awsError('UnauthorizedOperation', 'denied'));
    await expect(isComplete(waiter(deleteEvent()))).rejects.toThrow(`DeleteVpnConnection for ${CONNECTION} failed: UnauthorizedOperation: denied`);
  });
});
