/**
 * The wire contract between the SiteToSiteVpn construct (src/site-to-site-vpn/)
 * and its handler (lambda/site-to-site-vpn/).
 *
 * Shared by both sides: no aws-cdk-lib or AWS SDK imports (the handler bundle
 * includes it). Every shape ever shipped stays readable by the handler (Delete
 * and rollback replay old properties): add a SchemaVersion rather than changing
 * the meaning of an existing one.
 *
 * CloudFormation hands custom resources every scalar as a string, so numbers
 * and booleans are typed `string | number` / `string | boolean` and the handler
 * parses them. Field names follow the EC2 API (VpnTunnelOptionsSpecification,
 * VpnConnectionOptionsSpecification), with the API's `[{ Value }]` lists
 * flattened to plain lists.
 *
 * No secret ever travels in these properties: a pre-shared key is referenced
 * by the ARN of the Secrets Manager secret holding it, and the customer
 * gateway configuration travels the other way, written by the handler into
 * the secret named by ConfigurationSecretArn.
 */

export const SITE_TO_SITE_VPN_RESOURCE_TYPE = 'Custom::NetworkAccessSiteToSiteVpnConnection';

/** The schema version the construct writes today. */
export const SITE_TO_SITE_VPN_SCHEMA_VERSION = '1';

/** Folder name of the handler under lambda/ (and of its bundle under assets/lambda/). */
export const SITE_TO_SITE_VPN_HANDLER = 'site-to-site-vpn';

/**
 * Tag keys the handler writes at creation (TagSpecifications of
 * CreateVpnConnection). `OWNER` is the construct's OwnerTag and scopes the
 * handler's mutating IAM permissions (aws:ResourceTag condition); `REQUEST` is
 * the CloudFormation RequestId, so a Create retried after a crash finds the
 * connection it already made instead of making a second one.
 */
export const VPN_OWNER_TAG_KEY = 'cdk-network-access:owner';
export const VPN_REQUEST_TAG_KEY = 'cdk-network-access:request';

/**
 * Prefix of the tags (`...psk-tunnel1`, `...psk-tunnel2`) in which the handler
 * records which declared pre-shared key (a digest of the secret ARN and field,
 * never of the key) each tunnel last received: DescribeVpnConnections does not
 * reliably report the key in use, and a stateless handler must still know
 * whether a key change is applied. Written at creation and with CreateTags
 * after ModifyVpnTunnelOptions, so the handler's role needs CreateTags on the
 * connections it owns.
 */
export const VPN_TUNNEL_PSK_TAG_KEY_PREFIX = 'cdk-network-access:psk-tunnel';

/** CloudWatch Logs options of one tunnel. */
export interface VpnTunnelLogOptionsProperty {
  readonly LogEnabled: string | boolean;
  readonly LogGroupArn?: string;
  /** 'json' or 'text'. */
  readonly LogOutputFormat?: string;
  /** BGP logs (a separate stream from the tunnel activity logs). Absent: off. */
  readonly BgpLogEnabled?: string | boolean;
  readonly BgpLogGroupArn?: string;
  /** 'json' or 'text'. */
  readonly BgpLogOutputFormat?: string;
}

/** Options of one tunnel (index 0 is the first tunnel). Absent fields take AWS's defaults. */
export interface VpnTunnelOptionsProperty {
  /** A /30 inside 169.254.0.0/16. */
  readonly TunnelInsideCidr?: string;
  /** A /126 inside fd00::/8. */
  readonly TunnelInsideIpv6Cidr?: string;
  /**
   * ARN of a Secrets Manager secret holding the pre-shared key; the handler
   * reads it with GetSecretValue. Absent: AWS generates the key.
   */
  readonly PreSharedKeySecretArn?: string;
  /** JSON field of the secret holding the key. Absent: the whole SecretString is the key. */
  readonly PreSharedKeySecretField?: string;
  /**
   * Which version of the secret holds the key: a version id (a UUID) or a
   * staging label. Absent: AWSCURRENT. A change re-reads the key and
   * modifies the tunnel in place (a key rotation).
   */
  readonly PreSharedKeySecretVersion?: string;
  readonly Phase1LifetimeSeconds?: string | number;
  readonly Phase2LifetimeSeconds?: string | number;
  readonly RekeyMarginTimeSeconds?: string | number;
  readonly RekeyFuzzPercentage?: string | number;
  readonly ReplayWindowSize?: string | number;
  readonly DPDTimeoutSeconds?: string | number;
  /** 'clear' | 'none' | 'restart'. */
  readonly DPDTimeoutAction?: string;
  readonly Phase1EncryptionAlgorithms?: string[];
  readonly Phase2EncryptionAlgorithms?: string[];
  readonly Phase1IntegrityAlgorithms?: string[];
  readonly Phase2IntegrityAlgorithms?: string[];
  readonly Phase1DHGroupNumbers?: Array<string | number>;
  readonly Phase2DHGroupNumbers?: Array<string | number>;
  /** 'ikev1' | 'ikev2'. */
  readonly IKEVersions?: string[];
  /** 'add' | 'start'. */
  readonly StartupAction?: string;
  readonly EnableTunnelLifecycleControl?: string | boolean;
  readonly LogOptions?: VpnTunnelLogOptionsProperty;
}

/** ResourceProperties of Custom::NetworkAccessSiteToSiteVpnConnection, schema version 1. */
export interface SiteToSiteVpnProperties {
  readonly ServiceToken?: string;
  readonly SchemaVersion: string;
  /** Value of the VPN_OWNER_TAG_KEY tag: unique per construct (stack + construct address). */
  readonly OwnerTag: string;
  readonly CustomerGatewayId: string;
  /** Exactly one of VpnGatewayId and TransitGatewayId. */
  readonly VpnGatewayId?: string;
  readonly TransitGatewayId?: string;
  /** 'ipsec.1'. */
  readonly Type: string;
  readonly StaticRoutesOnly?: string | boolean;
  /** Transit gateway only. */
  readonly EnableAcceleration?: string | boolean;
  /** 'ipv4' | 'ipv6'. */
  readonly TunnelInsideIpVersion?: string;
  readonly LocalIpv4NetworkCidr?: string;
  readonly RemoteIpv4NetworkCidr?: string;
  readonly LocalIpv6NetworkCidr?: string;
  readonly RemoteIpv6NetworkCidr?: string;
  /** 'PublicIpv4' | 'PrivateIpv4' | 'Ipv6'. */
  readonly OutsideIpAddressType?: string;
  /** For PrivateIpv4 outside addresses over Direct Connect: the transport attachment. */
  readonly TransportTransitGatewayAttachmentId?: string;
  /**
   * 'standard' (up to 1.25 Gbps per tunnel) or 'large' (up to 5 Gbps, transit
   * gateway and Cloud WAN only). Absent: 'standard'. Modified in place
   * (ModifyVpnConnectionOptions).
   */
  readonly TunnelBandwidth?: string;
  /** 'SecretsManager': AWS generates the keys and keeps them in Secrets Manager. */
  readonly PreSharedKeyStorage?: string;
  /** Zero to two entries; entry i configures tunnel i + 1. */
  readonly TunnelOptions?: VpnTunnelOptionsProperty[];
  /** The secret (created by the construct) the handler writes the customer gateway configuration into. */
  readonly ConfigurationSecretArn: string;
  /** User tags of the connection (Name among them). */
  readonly Tags?: Array<{ readonly Key: string; readonly Value: string }>;
}

/**
 * Changes AWS cannot make in place: the handler creates a new connection
 * (a new physical id) and CloudFormation deletes the old one. Everything else
 * is modified in place: tunnel options through ModifyVpnTunnelOptions one
 * tunnel at a time, gateways through ModifyVpnConnection, network CIDRs
 * and tunnel bandwidth through ModifyVpnConnectionOptions, tags through CreateTags/DeleteTags.
 */
export const SITE_TO_SITE_VPN_REPLACING_PROPERTIES: ReadonlyArray<keyof SiteToSiteVpnProperties> = [
  'Type',
  'StaticRoutesOnly',
  'EnableAcceleration',
  'TunnelInsideIpVersion',
  'OutsideIpAddressType',
  'TransportTransitGatewayAttachmentId',
  'PreSharedKeyStorage',
  'OwnerTag',
];

/**
 * Attributes the handler returns in `Data`. Every key is always present (an
 * empty string where it does not apply), because GetAtt of a missing key
 * fails the deployment. None of them is secret.
 */
export const SITE_TO_SITE_VPN_ATTRIBUTES = [
  'VpnConnectionId',
  'Tunnel1OutsideIpAddress',
  'Tunnel2OutsideIpAddress',
  'Tunnel1InsideCidr',
  'Tunnel2InsideCidr',
  /** AWS side of the tunnel: the first host of the inside /30 (or /126). */
  'Tunnel1AwsInsideAddress',
  'Tunnel2AwsInsideAddress',
  /** Customer side of the tunnel: the second host of the inside /30 (or /126). */
  'Tunnel1CustomerInsideAddress',
  'Tunnel2CustomerInsideAddress',
  'Tunnel1InsideIpv6Cidr',
  'Tunnel2InsideIpv6Cidr',
  /** BGP ASN of the AWS side (the gateway's Amazon side ASN). */
  'AmazonSideAsn',
  'CustomerGatewayAsn',
  'CustomerGatewayIp',
  /** Transit gateway connections: the VPN attachment. */
  'TransitGatewayAttachmentId',
  /** PreSharedKeyStorage 'SecretsManager': the ARN of the secret AWS keeps the keys in. */
  'PreSharedKeyArn',
  'ConfigurationSecretArn',
] as const;

export type SiteToSiteVpnAttribute = typeof SITE_TO_SITE_VPN_ATTRIBUTES[number];
