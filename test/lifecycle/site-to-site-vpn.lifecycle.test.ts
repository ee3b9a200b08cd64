/**
 * Lifecycle of Custom::NetworkAccessSiteToSiteVpnConnection: the real handler
 * driven by the CloudFormation lifecycle driver against the SIMULATED
 * site-to-site VPN service, on a virtual clock.
 */
import type { ModifyVpnTunnelOptionsCommandInput } from '@aws-sdk/client-ec2';
import { VPN_OWNER_TAG_KEY, VPN_REQUEST_TAG_KEY, SITE_TO_SITE_VPN_ATTRIBUTES } from '../../src/private/contract/site-to-site-vpn';
import { KEY_1, KEY_2, KEY_2_ROTATED, lastData, OWNER, tunnel, useLifecycleBench } from '../lambda/site-to-site-vpn/fixtures';

const bench = useLifecycleBench();

async function created(): Promise<string> {
  const { driver } = bench();
  const result = await driver.create(bench().props());
  expect(result.status).toBe('CREATE_COMPLETE');
  return driver.state.physicalResourceId as string;
}

function tunnelModifications(since = 0): Array<{ tunnel: number; at: number }> {
  return bench().sim.calls.slice(since)
    .filter(c => c.operation === 'ModifyVpnTunnelOptions' && c.outcome === 'ok')
    .map(c => ({ tunnel: c.tunnel as number, at: c.at }));
}

describe('create', () => {
  test('makes one connection, waits for available, writes the configuration and returns every attribute', async () => {
    const { driver, sim, ids } = bench();
    const result = await driver.create(bench().props());
    expect(result.status).toBe('CREATE_COMPLETE');
    const id = driver.state.physicalResourceId as string;
    expect(id).toMatch(/^vpn-/);
    expect(sim.connectionIds()).toEqual([id]);
    const connection = sim.connection(id);
    expect(connection.state).toBe('available');
    expect(connection.tunnels.map(t => t.preSharedKey)).toEqual([KEY_1, KEY_2]);
    expect(connection.tunnels.map(t => t.insideCidr)).toEqual(['169.254.10.0/30', '169.254.11.0/30']);
    expect(connection.tags).toMatchObject({ [VPN_OWNER_TAG_KEY]: OWNER, Name: 'office' });
    expect(connection.tags[VPN_REQUEST_TAG_KEY]).toMatch(/^00000000-/);

    const data = lastData(result.responses);
    expect(Object.keys(data).sort()).toEqual([...SITE_TO_SITE_VPN_ATTRIBUTES].sort());
    expect(data).toMatchObject({
      VpnConnectionId: id,
      Tunnel1OutsideIpAddress: connection.tunnels[0].outsideIp,
      Tunnel2OutsideIpAddress: connection.tunnels[1].outsideIp,
      Tunnel1InsideCidr: '169.254.10.0/30',
      Tunnel1AwsInsideAddress: '169.254.10.1',
      Tunnel1CustomerInsideAddress: '169.254.10.2',
      Tunnel2AwsInsideAddress: '169.254.11.1',
      Tunnel2CustomerInsideAddress: '169.254.11.2',
      Tunnel1InsideIpv6Cidr: '',
      AmazonSideAsn: '64512',
      CustomerGatewayAsn: '65010',
      CustomerGatewayIp: '198.51.100.10',
      TransitGatewayAttachmentId: '',
      PreSharedKeyArn: '',
      ConfigurationSecretArn: ids.configurationSecretArn,
    });
    expect(sim.secretVersions(ids.configurationSecretArn)).toBe(1);
    expect(sim.secretValue(ids.configurationSecretArn)).toContain(connection.tunnels[0].outsideIp);
    // Waited for available: the connection was pending for minutes of virtual time.
    expect(driver.log.filter(e => e.kind === 'isComplete' && e.outcome === 'incomplete').length).toBeGreaterThan(2);
  });

  test('a transit gateway connection reports its attachment and the transit gateway ASN', async () => {
    const { driver, sim } = bench();
    const tgw = sim.createTransitGateway(4200000000);
    const result = await driver.create(bench().props({ VpnGatewayId: undefined, TransitGatewayId: tgw, EnableAcceleration: true }));
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(lastData(result.responses)).toMatchObject({ AmazonSideAsn: '4200000000', TransitGatewayAttachmentId: expect.stringMatching(/^tgw-attach-/) });
  });

  test('an unknown customer gateway fails at once with its id in the reason, creating nothing', async () => {
    const { driver, sim } = bench();
    const result = await driver.create(bench().props({ CustomerGatewayId: 'cgw-0badbadbadbad0000' }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toContain('cgw-0badbadbadbad0000');
    expect(result.reason).toContain('CustomerGatewayId');
    expect(sim.connectionIds({ includeDeleted: true })).toEqual([]);
    expect(driver.log.filter(e => e.kind === 'isComplete')).toHaveLength(0);
  });

  test('the connection quota fails with the quota named', async () => {
    const { driver, sim } = bench();
    sim.failNext('CreateVpnConnection', 1, { name: 'VpnConnectionLimitExceeded', message: 'limit reached' });
    const result = await driver.create(bench().props());
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toContain("'Site-to-Site VPN connections per Region'");
  });

  test('a crash right after CreateVpnConnection: the re-delivered Create adopts the tagged connection', async () => {
    const { driver, sim } = bench();
    sim.crashAfterMutatingCalls(1);
    const result = await driver.create(bench().props());
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(driver.log.some(e => e.kind === 'onEvent' && e.outcome === 'lost')).toBe(true);
    expect(sim.succeeded('CreateVpnConnection')).toBe(1);
    expect(sim.connectionIds({ includeDeleted: true })).toEqual([driver.state.physicalResourceId]);
  });

  test.each(['twice-sequential', 'twice-interleaved'] as const)('a Create delivered %s makes exactly one connection', async delivery => {
    const { driver, sim } = bench();
    const result = await driver.create(bench().props(), { delivery });
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(result.responses.map(r => r.PhysicalResourceId)).toEqual([driver.state.physicalResourceId, driver.state.physicalResourceId]);
    expect(sim.connectionIds({ includeDeleted: true })).toHaveLength(1);
  });

  test('throttled calls and a token bucket only slow it down', async () => {
    const { driver, sim } = bench();
    sim.tokenBucket('DescribeVpnConnections', { burst: 3, refillPerSecond: 0.1 });
    sim.throttleNext('CreateVpnConnection', 2);
    const result = await driver.create(bench().props());
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(sim.calls.filter(c => c.outcome === 'RequestLimitExceeded').length).toBeGreaterThan(2);
  });
});

describe('update in place', () => {
  test('tunnel options change one tunnel at a time: at every instant one tunnel is UP', async () => {
    const { driver, sim, ids, clock } = bench();
    const id = await created();
    clock.advance(3_600_000);
    const started = clock.now();
    const since = sim.calls.length;
    const result = await driver.update(bench().props({
      TunnelOptions: [
        tunnel(ids, 0, { Phase1LifetimeSeconds: 14400, DPDTimeoutAction: 'restart' }),
        tunnel(ids, 1, { Phase1LifetimeSeconds: 14400, DPDTimeoutAction: 'restart' }),
      ],
    }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(driver.state.physicalResourceId).toBe(id);
    const modifications = tunnelModifications(since);
    expect(modifications.map(m => m.tunnel)).toEqual([0, 1]);
    expect(sim.allTunnelsDown(id, started, clock.now())).toEqual([]);
    // The second tunnel was touched only once the first was UP again.
    const [first] = sim.tunnelOutages(id)[0].filter(o => o.from >= started);
    expect(modifications[1].at).toBeGreaterThanOrEqual(first.to);
    for (const t of sim.connection(id).tunnels) {
      expect(t.options).toMatchObject({ Phase1LifetimeSeconds: 14400, DpdTimeoutAction: 'restart' });
    }
    // Same keys and addresses: the configuration did not change, so no new secret version.
    expect(sim.secretVersions(ids.configurationSecretArn)).toBe(1);
    expect(sim.succeeded('CreateVpnConnection')).toBe(1);
  });

  test('pre-shared key rotation: a new preSharedKeyVersion re-reads the key and modifies tunnel 1, waits for it, then tunnel 2', async () => {
    const { driver, sim, ids, clock } = bench();
    const id = await created();
    clock.advance(3_600_000);
    // A rotation under the same secret ARN and fields: the template cannot see it.
    const rotated = { tunnel1: 'Tunnel1KeyDelta.rotated_44', tunnel2: 'Tunnel2KeyEcho.rotated_55' };
    const versionId = sim.setSecretValue(ids.keySecretArn, JSON.stringify(rotated));
    const started = clock.now();
    const since = sim.calls.length;
    const result = await driver.update(bench().props({
      TunnelOptions: [
        tunnel(ids, 0, { PreSharedKeySecretVersion: versionId }),
        tunnel(ids, 1, { PreSharedKeySecretVersion: versionId }),
      ],
    }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(driver.state.physicalResourceId).toBe(id);
    expect(sim.connection(id).tunnels.map(t => t.preSharedKey)).toEqual([rotated.tunnel1, rotated.tunnel2]);
    const modifications = tunnelModifications(since);
    expect(modifications.map(m => m.tunnel)).toEqual([0, 1]);
    // Tunnel 2 was touched only once tunnel 1 was UP again: never both down.
    const [first] = sim.tunnelOutages(id)[0].filter(o => o.from >= started);
    expect(modifications[1].at).toBeGreaterThanOrEqual(first.to);
    expect(sim.allTunnelsDown(id, started, clock.now())).toEqual([]);
    expect(sim.succeeded('CreateVpnConnection')).toBe(1);

    // The same version again (another change elsewhere): no tunnel is modified.
    const again = sim.calls.length;
    const unchanged = await driver.update(bench().props({
      TunnelOptions: [
        tunnel(ids, 0, { PreSharedKeySecretVersion: versionId }),
        tunnel(ids, 1, { PreSharedKeySecretVersion: versionId }),
      ],
      Tags: [{ Key: 'Name', Value: 'office-2' }],
    }));
    expect(unchanged.status).toBe('UPDATE_COMPLETE');
    expect(tunnelModifications(again)).toEqual([]);
    expect(sim.connection(id).tunnels.map(t => t.preSharedKey)).toEqual([rotated.tunnel1, rotated.tunnel2]);
  });

  test('pre-shared key rotation by staging label, and its rollback restores the previous key', async () => {
    const { driver, sim, ids, clock } = bench();
    const id = await created();
    clock.advance(3_600_000);
    sim.setSecretValue(ids.keySecretArn, JSON.stringify({ tunnel1: 'Tunnel1KeyFoxtrot.label_66', tunnel2: KEY_2 }), 'ROTATION-2026-12');
    // A change to tunnel 1's key; tunnel 2's key is the same value but its version changed too, and a later
    // failure on tunnel 2 rolls the whole update back.
    sim.failNext('ModifyVpnTunnelOptions', 1, { name: 'InvalidParameterValue', status: 400, message: 'simulated refusal' }, 1);
    const failed = await driver.update(bench().props({
      TunnelOptions: [
        tunnel(ids, 0, { PreSharedKeySecretVersion: 'ROTATION-2026-12' }),
        tunnel(ids, 1, { PreSharedKeySecretVersion: 'ROTATION-2026-12' }),
      ],
    }));
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(failed.reason).toContain('PreSharedKey failed: InvalidParameterValue: simulated refusal');
    expect(tunnelModifications().map(m => m.tunnel)).toEqual([0, 0]);
    expect(sim.connection(id).tunnels.map(t => t.preSharedKey)).toEqual([KEY_1, KEY_2]);
  });

  test('only the tunnel that differs is modified; an option removed goes back to the default', async () => {
    const { driver, sim, ids } = bench();
    const id = await created();
    const since = sim.calls.length;
    const result = await driver.update(bench().props({
      TunnelOptions: [tunnel(ids, 0), tunnel(ids, 1, { IKEVersions: undefined })],
    }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(tunnelModifications(since).map(m => m.tunnel)).toEqual([1]);
    const sent = sim.inputsOf<ModifyVpnTunnelOptionsCommandInput>('ModifyVpnTunnelOptions');
    expect(sent[0].TunnelOptions).toEqual({ IKEVersions: [{ Value: 'ikev1' }, { Value: 'ikev2' }] });
    expect(sim.connection(id).tunnels[1].options.IkeVersions).toEqual([{ Value: 'ikev1' }, { Value: 'ikev2' }]);
  });

  test('a new key reference for tunnel 2 sends the new key to tunnel 2 only and rewrites the configuration', async () => {
    const { driver, sim, ids } = bench();
    const id = await created();
    const since = sim.calls.length;
    const result = await driver.update(bench().props({
      TunnelOptions: [tunnel(ids, 0), tunnel(ids, 1, { PreSharedKeySecretField: 'tunnel2next' })],
    }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(tunnelModifications(since).map(m => m.tunnel)).toEqual([1]);
    expect(sim.connection(id).tunnels.map(t => t.preSharedKey)).toEqual([KEY_1, KEY_2_ROTATED]);
    expect(sim.secretVersions(ids.configurationSecretArn)).toBe(2);
    expect(sim.secretValue(ids.configurationSecretArn)).toContain(KEY_2_ROTATED);
    // A later no-op update changes nothing: the marker tag says the key is applied.
    const again = sim.calls.length;
    await driver.update(bench().props({
      TunnelOptions: [tunnel(ids, 0), tunnel(ids, 1, { PreSharedKeySecretField: 'tunnel2next' })],
      Tags: [{ Key: 'Name', Value: 'office' }, { Key: 'team', Value: 'net' }],
    }));
    expect(tunnelModifications(again)).toEqual([]);
    expect(sim.secretVersions(ids.configurationSecretArn)).toBe(2);
  });

  test('gateway, customer gateway, network CIDRs and tags change in place', async () => {
    const { driver, sim } = bench();
    const id = await created();
    const vgw2 = sim.createVpnGateway(64600);
    const cgw2 = sim.createCustomerGateway('198.51.100.20', '65020');
    const result = await driver.update(bench().props({
      VpnGatewayId: vgw2,
      CustomerGatewayId: cgw2,
      LocalIpv4NetworkCidr: '10.0.0.0/16',
      RemoteIpv4NetworkCidr: '172.16.0.0/12',
      Tags: [{ Key: 'team', Value: 'net' }],
    }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(driver.state.physicalResourceId).toBe(id);
    const connection = sim.connection(id);
    expect(connection).toMatchObject({ vpnGatewayId: vgw2, customerGatewayId: cgw2, localIpv4NetworkCidr: '10.0.0.0/16', remoteIpv4NetworkCidr: '172.16.0.0/12' });
    expect(connection.tags).toMatchObject({ team: 'net', [VPN_OWNER_TAG_KEY]: OWNER });
    expect(connection.tags.Name).toBeUndefined();
    expect(sim.succeeded('ModifyVpnConnection')).toBe(2);
    expect(sim.succeeded('ModifyVpnConnectionOptions')).toBe(1);
    expect(lastData(result.responses)).toMatchObject({ AmazonSideAsn: '64600', CustomerGatewayAsn: '65020' });
  });

  test('tunnel bandwidth: a transit gateway connection created standard goes large in place with one ModifyVpnConnectionOptions; back again', async () => {
    const { driver, sim } = bench();
    const tgw = sim.createTransitGateway(4200000000);
    const onTgw = { VpnGatewayId: undefined, TransitGatewayId: tgw };
    expect((await driver.create(bench().props(onTgw))).status).toBe('CREATE_COMPLETE');
    const id = driver.state.physicalResourceId as string;
    expect(sim.connection(id).tunnelBandwidth).toBeUndefined();
    // An explicit 'standard' equals AWS's default: no call.
    expect((await driver.update(bench().props({ ...onTgw, TunnelBandwidth: 'standard' }))).status).toBe('UPDATE_COMPLETE');
    expect(sim.succeeded('ModifyVpnConnectionOptions')).toBe(0);

    expect((await driver.update(bench().props({ ...onTgw, TunnelBandwidth: 'large' }))).status).toBe('UPDATE_COMPLETE');
    expect(driver.state.physicalResourceId).toBe(id);
    expect(sim.connection(id).tunnelBandwidth).toBe('large');
    expect(sim.succeeded('ModifyVpnConnectionOptions')).toBe(1);
    expect(sim.succeeded('CreateVpnConnection')).toBe(1);
    expect(sim.succeeded('ModifyVpnTunnelOptions')).toBe(0);

    expect((await driver.update(bench().props(onTgw))).status).toBe('UPDATE_COMPLETE');
    expect(sim.connection(id).tunnelBandwidth).toBe('standard');
    expect(sim.succeeded('ModifyVpnConnectionOptions')).toBe(2);
  });

  test('tunnel bandwidth large at creation is sent in CreateVpnConnection', async () => {
    const { driver, sim } = bench();
    const tgw = sim.createTransitGateway(4200000000);
    expect((await driver.create(bench().props({ VpnGatewayId: undefined, TransitGatewayId: tgw, TunnelBandwidth: 'large' }))).status).toBe('CREATE_COMPLETE');
    expect(sim.connection(driver.state.physicalResourceId as string).tunnelBandwidth).toBe('large');
    expect(sim.succeeded('ModifyVpnConnectionOptions')).toBe(0);
  });

  test('tunnel bandwidth large on a virtual private gateway fails before any call, naming the property', async () => {
    const { driver, sim } = bench();
    const refused = await driver.create(bench().props({ TunnelBandwidth: 'large' }));
    expect(refused.status).toBe('ROLLBACK_COMPLETE');
    expect(refused.reason).toContain('TunnelBandwidth');
    expect(refused.reason).toContain('transit gateway');
    expect(sim.connectionIds({ includeDeleted: true })).toEqual([]);
  });

  test('BGP logs turn on in place, one tunnel at a time, without touching the activity logs; off again', async () => {
    const { driver, sim, ids, clock } = bench();
    const id = await created();
    const group = 'arn:aws:logs:us-east-1:123456789012:log-group:/vpn/bgp';
    const activity = 'arn:aws:logs:us-east-1:123456789012:log-group:/vpn/tunnels';
    const logs = (bgp: boolean) => ({
      LogOptions: { LogEnabled: true, LogGroupArn: `${activity}:*`, ...(bgp ? { BgpLogEnabled: true, BgpLogGroupArn: `${group}:*`, BgpLogOutputFormat: 'text' } : {}) },
    });
    expect((await driver.update(bench().props({ TunnelOptions: [tunnel(ids, 0, logs(false)), tunnel(ids, 1, logs(false))] }))).status).toBe('UPDATE_COMPLETE');
    clock.advance(3_600_000);
    const started = clock.now();
    const since = sim.calls.length;
    expect((await driver.update(bench().props({ TunnelOptions: [tunnel(ids, 0, logs(true)), tunnel(ids, 1, logs(true))] }))).status).toBe('UPDATE_COMPLETE');
    expect(tunnelModifications(since).map(m => m.tunnel)).toEqual([0, 1]);
    expect(sim.allTunnelsDown(id, started, clock.now())).toEqual([]);
    for (const t of sim.connection(id).tunnels) {
      expect(t.options.LogOptions).toEqual({
        CloudWatchLogOptions: {
          LogEnabled: true,
          LogGroupArn: activity,
          LogOutputFormat: 'json',
          BgpLogEnabled: true,
          BgpLogGroupArn: group,
          BgpLogOutputFormat: 'text',
        },
      });
    }
    // Declared again unchanged: no call.
    const again = sim.calls.length;
    expect((await driver.update(bench().props({ TunnelOptions: [tunnel(ids, 0, logs(true)), tunnel(ids, 1, logs(true))] }))).status).toBe('UPDATE_COMPLETE');
    expect(tunnelModifications(again)).toEqual([]);

    expect((await driver.update(bench().props({ TunnelOptions: [tunnel(ids, 0, logs(false)), tunnel(ids, 1, logs(false))] }))).status).toBe('UPDATE_COMPLETE');
    for (const t of sim.connection(id).tunnels) {
      expect(t.options.LogOptions).toMatchObject({ CloudWatchLogOptions: { LogEnabled: true, BgpLogEnabled: false } });
    }
    expect(sim.succeeded('CreateVpnConnection')).toBe(1);
  });

  test('a crash after the first ModifyVpnTunnelOptions resumes where it stopped', async () => {
    const { driver, sim, ids, clock } = bench();
    const id = await created();
    const started = clock.now();
    const since = sim.calls.length;
    sim.crashAfterMutatingCalls(1);
    const result = await driver.update(bench().props({
      TunnelOptions: [tunnel(ids, 0, { ReplayWindowSize: 2048 }), tunnel(ids, 1, { ReplayWindowSize: 2048 })],
    }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(tunnelModifications(since).map(m => m.tunnel)).toEqual([0, 1]);
    expect(sim.allTunnelsDown(id, started, clock.now())).toEqual([]);
  });

  test('an update delivered twice (interleaved) still modifies each tunnel once', async () => {
    const { driver, sim, ids } = bench();
    await created();
    const since = sim.calls.length;
    const result = await driver.update(bench().props({
      TunnelOptions: [tunnel(ids, 0, { StartupAction: 'start' }), tunnel(ids, 1, { StartupAction: 'start' })],
    }), { delivery: 'twice-interleaved' });
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(tunnelModifications(since).map(m => m.tunnel)).toEqual([0, 1]);
  });
});

describe('replacement', () => {
  test('a replacing property makes a new connection; CloudFormation deletes the old one', async () => {
    const { driver, sim } = bench();
    const old = await created();
    const result = await driver.update(bench().props({ StaticRoutesOnly: true }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    const replacement = driver.state.physicalResourceId as string;
    expect(replacement).not.toBe(old);
    expect(sim.connection(old).state).toMatch(/deleting|deleted/);
    expect(sim.connectionIds()).toEqual([replacement]);
    expect(lastData(result.responses).VpnConnectionId).toBe(replacement);
  });

  test('a connection deleted out of band is made again by the next update', async () => {
    const { driver, sim, clock } = bench();
    const old = await created();
    sim.deleteOutOfBand(old);
    clock.advance(600_000);
    const result = await driver.update(bench().props({ Tags: [{ Key: 'Name', Value: 'office-2' }] }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(driver.state.physicalResourceId).not.toBe(old);
    expect(sim.connectionIds()).toEqual([driver.state.physicalResourceId]);
  });
});

describe('rollback', () => {
  test('a failure on the second tunnel rolls the first one back, one tunnel at a time', async () => {
    const { driver, sim, ids, clock } = bench();
    const id = await created();
    const started = clock.now();
    const since = sim.calls.length;
    sim.failNext('ModifyVpnTunnelOptions', 1, { name: 'InvalidParameterValue', message: 'tunnel 2 refused' }, 1);
    const result = await driver.update(bench().props({
      TunnelOptions: [tunnel(ids, 0, { Phase2LifetimeSeconds: 1800 }), tunnel(ids, 1, { Phase2LifetimeSeconds: 1800 })],
    }));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toContain('tunnel 2');
    expect(result.reason).toContain('InvalidParameterValue: tunnel 2 refused');
    expect(driver.state.physicalResourceId).toBe(id);
    expect(sim.connection(id).tunnels.map(t => t.options.Phase2LifetimeSeconds)).toEqual([3600, 3600]);
    expect(tunnelModifications(since).map(m => m.tunnel)).toEqual([0, 0]);
    expect(sim.allTunnelsDown(id, started, clock.now())).toEqual([]);
  });

  test('rollback of a replacement returns to the original connection instead of making a third', async () => {
    const { driver, sim } = bench();
    const original = await created();
    const outside = sim.connection(original).tunnels.map(t => t.outsideIp);
    // The new connection's attributes cannot be read: the update fails after it was made.
    sim.failNext('DescribeCustomerGateways', 1, { name: 'UnauthorizedOperation', message: 'not allowed' });
    const result = await driver.update(bench().props({ StaticRoutesOnly: true }));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(driver.state.physicalResourceId).toBe(original);
    expect(sim.connection(original).tunnels.map(t => t.outsideIp)).toEqual(outside);
    expect(sim.succeeded('CreateVpnConnection')).toBe(2);
    expect(sim.connectionIds()).toEqual([original]);
  });
});

describe('delete', () => {
  test('deletes and waits for deleted', async () => {
    const { driver, sim } = bench();
    const id = await created();
    const result = await driver.delete();
    expect(result.status).toBe('DELETE_COMPLETE');
    expect(sim.connection(id).state).toBe('deleted');
  });

  test('delivered twice, or after the connection is gone, it succeeds', async () => {
    const { driver, sim, clock } = bench();
    const id = await created();
    sim.deleteOutOfBand(id);
    clock.advance(7_200_000);
    expect(sim.hasConnection(id)).toBe(false);
    const result = await driver.delete({ delivery: 'twice-interleaved' });
    expect(result.status).toBe('DELETE_COMPLETE');
    expect(sim.succeeded('DeleteVpnConnection')).toBe(0);
  });

  test('a connection without our owner tag is left alone', async () => {
    const { driver, sim } = bench();
    const id = await created();
    await sim.connection(id);
    const result = await driver.send({ requestType: 'Delete', properties: bench().props({ OwnerTag: 'SomeoneElse/Vpn' }), physicalResourceId: id });
    expect(result.Status).toBe('SUCCESS');
    expect(sim.connection(id).state).toBe('available');
    expect(sim.calls.filter(c => c.operation === 'DeleteVpnConnection')).toHaveLength(0);
  });
});
