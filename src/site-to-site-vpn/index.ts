// The public API of the family; helpers of the other files stay internal.
export type { VpnTunnelAlarmOptions } from './alarms';
export { SiteToSiteVpn } from './connection';
export type { SiteToSiteVpnProps } from './connection';
export type { SiteToSiteVpnCustomerGatewayOptions } from './customer-gateway';
export * from './tunnel-options';
