/**
 * Builders shared by the site-to-site VPN handler, lifecycle and emulator
 * tests: properties as the construct writes them, and a lifecycle bench
 * (virtual clock, simulated service, CloudFormation driver, captured logs).
 */
import * as handler from '../../../lambda/site-to-site-vpn';
import {
  SITE_TO_SITE_VPN_RESOURCE_TYPE,
  SiteToSiteVpnProperties,
  VpnTunnelOptionsProperty,
} from '../../../src/private/contract/site-to-site-vpn';
import { CloudFormationLifecycleDriver, ProviderResponse } from '../../support/cloudformation-lifecycle';
import { SimulatedClock } from '../../support/simulated-clock';
import { SimulatedSiteToSiteVpnService, SimulatedSiteToSiteVpnOptions } from '../../support/simulated-site-to-site-vpn';

/** Keys that meet AWS's rules; the tests look for them in every output. */
export const KEY_1 = 'Tunnel1KeyAlpha.sample_11';
export const KEY_2 = 'Tunnel2KeyBravo.sample_22';
export const KEY_2_ROTATED = 'Tunnel2KeyCharlie.rotated_33';

export const OWNER = 'LifecycleTest/Vpn';

export interface VpnIds {
  readonly customerGatewayId: string;
  readonly vpnGatewayId: string;
  readonly configurationSecretArn: string;
  readonly keySecretArn: string;
}

/** Properties as the construct writes them for a virtual-private-gateway connection with two configured tunnels. */
export function vpnProps(ids: VpnIds, overrides: Partial<SiteToSiteVpnProperties> = {}): SiteToSiteVpnProperties {
  return {
    SchemaVersion: '1',
    OwnerTag: OWNER,
    CustomerGatewayId: ids.customerGatewayId,
    VpnGatewayId: ids.vpnGatewayId,
    Type: 'ipsec.1',
    ConfigurationSecretArn: ids.configurationSecretArn,
    TunnelOptions: [
      tunnel(ids, 0),
      tunnel(ids, 1),
    ],
    Tags: [{ Key: 'Name', Value: 'office' }],
    ...overrides,
  };
}

export function tunnel(ids: VpnIds, index: number, overrides: Partial<VpnTunnelOptionsProperty> = {}): VpnTunnelOptionsProperty {
  return {
    TunnelInsideCidr: index === 0 ? '169.254.10.0/30' : '169.254.11.0/30',
    PreSharedKeySecretArn: ids.keySecretArn,
    PreSharedKeySecretField: index === 0 ? 'tunnel1' : 'tunnel2',
    Phase1LifetimeSeconds: 28800,
    Phase2LifetimeSeconds: 3600,
    IKEVersions: ['ikev2'],
    ...overrides,
  };
}

export interface LifecycleBench {
  readonly clock: SimulatedClock;
  readonly sim: SimulatedSiteToSiteVpnService;
  readonly driver: CloudFormationLifecycleDriver;
  readonly ids: VpnIds;
  /** Every log line written so far (raw JSON text). */
  readonly lines: string[];
  /** The properties, typed as the driver takes them. */
  props(overrides?: Partial<SiteToSiteVpnProperties>): Readonly<Record<string, unknown>>;
}

/** Call in a describe block; `bench()` is valid inside tests. */
export function useLifecycleBench(options: Partial<SimulatedSiteToSiteVpnOptions> = {}): () => LifecycleBench {
  let current: LifecycleBench | undefined;
  let restoreClock: () => void = () => undefined;
  let spy: jest.SpyInstance | undefined;
  const savedEnv = { ...process.env };

  beforeEach(() => {
    const clock = new SimulatedClock();
    restoreClock = clock.install();
    const sim = new SimulatedSiteToSiteVpnService({ clock, ...options });
    sim.install();
    const ids: VpnIds = {
      customerGatewayId: sim.createCustomerGateway('198.51.100.10', '65010'),
      vpnGatewayId: sim.createVpnGateway(64512),
      configurationSecretArn: sim.createSecret('vpn-configuration'),
      keySecretArn: sim.createSecret('vpn-keys', JSON.stringify({ tunnel1: KEY_1, tunnel2: KEY_2, tunnel2next: KEY_2_ROTATED })),
    };
    const driver = new CloudFormationLifecycleDriver({
      handler,
      clock,
      queryIntervalSeconds: 30,
      totalTimeoutSeconds: 3600,
      resourceType: SITE_TO_SITE_VPN_RESOURCE_TYPE,
      logicalResourceId: 'Vpn',
      crashSources: [sim],
    });
    const lines: string[] = [];
    spy = jest.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(String(line)); });
    delete process.env.TOTAL_TIMEOUT_SECONDS;
    current = { clock, sim, driver, ids, lines, props: overrides => ({ ...vpnProps(ids, overrides) }) };
  });
  afterEach(() => {
    current?.sim.restore();
    restoreClock();
    spy?.mockRestore();
    process.env = { ...savedEnv };
    current = undefined;
  });

  return () => {
    if (!current) throw new Error('the bench exists only inside a test');
    return current;
  };
}

/** The Data of the last successful response. */
export function lastData(responses: readonly ProviderResponse[]): Record<string, unknown> {
  const success = [...responses].reverse().find(r => r.Status === 'SUCCESS' && r.Data && Object.keys(r.Data).length > 0);
  return (success?.Data ?? {}) as Record<string, unknown>;
}
