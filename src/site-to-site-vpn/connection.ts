import { CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { createBothTunnelsDownAlarm, createOneTunnelDownAlarm, VpnTunnelAlarmOptions } from './alarms';
import {
  checkAmazonSideAsn,
  createCustomerGateway,
  DEFAULT_AMAZON_SIDE_ASN,
  SiteToSiteVpnCustomerGatewayOptions,
} from './customer-gateway';
import { appendNagSuppressions, SiteToSiteVpnPermissions } from './permissions';
import {
  SiteToSiteVpnTunnelOptions,
  VpnOutsideIpAddressType,
  VpnPreSharedKeyStorage,
  VpnTunnelBandwidth,
  VpnTunnelInsideIpVersion,
} from './tunnel-options';
import {
  ALLOWED_OUTSIDE_IP_ADDRESS_TYPES,
  ALLOWED_PRE_SHARED_KEY_STORAGES,
  ALLOWED_TUNNEL_BANDWIDTHS,
  ALLOWED_TUNNEL_INSIDE_IP_VERSIONS,
  checkIpv4Network,
  checkIpv6Network,
  checkOneOf,
  fail,
  renderTunnelOptions,
} from './validation';
import {
  SITE_TO_SITE_VPN_HANDLER,
  SITE_TO_SITE_VPN_RESOURCE_TYPE,
  SITE_TO_SITE_VPN_SCHEMA_VERSION,
  SiteToSiteVpnAttribute,
  SiteToSiteVpnProperties,
  VpnTunnelOptionsProperty,
} from '../private/contract/site-to-site-vpn';
import { HandlerProvider } from '../private/provider';
import {
  AccessGrant,
  AccessMechanism,
  AccessPrincipalKind,
  AccessTargetKind,
  IAccessGrantSource,
} from '../review/access-model';

/**
 * Properties of `SiteToSiteVpn`.
 *
 * The AWS side is exactly one of: `vpc` (its virtual private gateway, created
 * if it has none), `vpnGateway` / `vpnGatewayId` (an existing virtual private
 * gateway), `transitGateway` / `transitGatewayId`. The customer side is
 * exactly one of `customerGateway` (a new customer gateway) and
 * `customerGatewayId` (an existing one).
 *
 * Changes applied in place (the connection, its outside IP addresses and its
 * keys are kept): every tunnel option (ModifyVpnTunnelOptions, one tunnel at
 * a time, waiting for `available` in between so the other tunnel carries the
 * traffic), the gateway or customer gateway (ModifyVpnConnection), the
 * local/remote network CIDRs (ModifyVpnConnectionOptions), tags, static
 * routes. Changes that replace the connection (a new connection with new
 * outside IP addresses and keys is created, then the old one deleted):
 * `staticRoutesOnly` (and going from no `staticRoutes` to some, or back),
 * `enableAcceleration`, `tunnelInsideIpVersion`, `outsideIpAddressType`,
 * `transportTransitGatewayAttachmentId`, `preSharedKeyStorage`, and moving
 * the construct to another path.
 */
export interface SiteToSiteVpnProps {
  /**
   * The VPC to connect: its virtual private gateway is the AWS side. When the
   * VPC has none, one is created and attached (with `amazonSideAsn` and
   * `vpnRoutePropagation`).
   *
   * @default - use `vpnGateway`, `vpnGatewayId`, `transitGateway` or `transitGatewayId`
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The BGP ASN of the virtual private gateway created for `vpc`: 64512 to
   * 65534 or 4,200,000,000 to 4,294,967,294, different from the customer
   * gateway's ASN. (aws-cdk-lib's `VpnConnection` gives the new gateway the
   * customer's ASN, which AWS refuses; aws/aws-cdk#22848.)
   *
   * @default 64512 - Amazon's default
   */
  readonly amazonSideAsn?: number;

  /**
   * The subnets whose route tables learn the VPN routes of the virtual
   * private gateway created for `vpc`.
   *
   * @default - no route propagation
   */
  readonly vpnRoutePropagation?: ec2.SubnetSelection[];

  /**
   * An existing virtual private gateway (an `ec2.CfnVPNGateway` or
   * `ec2.VpnGateway`).
   *
   * @default - another AWS side
   */
  readonly vpnGateway?: ec2.IVPNGatewayRef;

  /**
   * The id (`vgw-...`) of an existing virtual private gateway.
   *
   * @default - another AWS side
   */
  readonly vpnGatewayId?: string;

  /**
   * A transit gateway (an `ec2.CfnTransitGateway`).
   *
   * @default - another AWS side
   */
  readonly transitGateway?: ec2.ITransitGatewayRef;

  /**
   * The id (`tgw-...`) of a transit gateway.
   *
   * @default - another AWS side
   */
  readonly transitGatewayId?: string;

  /**
   * Transit gateways: the route table (`tgw-rtb-...`) to associate the VPN
   * attachment with, propagate its routes to, and put `staticRoutes` in.
   * Required for static routes on a transit gateway. When the transit gateway
   * associates new attachments with its default route table, give that table
   * here or turn the default association off (an attachment has one
   * association).
   *
   * @default - no route table: the transit gateway's defaults apply
   */
  readonly transitGatewayRouteTableId?: string;

  /**
   * Associate the VPN attachment with `transitGatewayRouteTableId`.
   *
   * @default true
   */
  readonly associateWithRouteTable?: boolean;

  /**
   * Propagate the VPN attachment's routes to `transitGatewayRouteTableId`.
   *
   * @default true
   */
  readonly propagateToRouteTable?: boolean;

  /**
   * A new customer gateway: your device's address, ASN, certificate, name.
   *
   * @default - use `customerGatewayId`
   */
  readonly customerGateway?: SiteToSiteVpnCustomerGatewayOptions;

  /**
   * The id (`cgw-...`) of an existing customer gateway. Its IP address and
   * ASN are read back at deploy time (`customerGatewayIp`,
   * `customerGatewayAsn`).
   *
   * @default - use `customerGateway`
   */
  readonly customerGatewayId?: string;

  /**
   * Static routes to the customer network. Giving any makes the connection
   * static-routes-only (no BGP). On a virtual private gateway each becomes an
   * AWS::EC2::VPNConnectionRoute; on a transit gateway an
   * AWS::EC2::TransitGatewayRoute in `transitGatewayRouteTableId`. Adding and
   * removing routes changes only those routes.
   *
   * @default - dynamic routing (BGP)
   */
  readonly staticRoutes?: string[];

  /**
   * Use static routes only (for devices without BGP). Changing it replaces
   * the connection.
   *
   * @default - true when `staticRoutes` are given, false otherwise
   */
  readonly staticRoutesOnly?: boolean;

  /**
   * Options of the first tunnel.
   *
   * @default - AWS's defaults
   */
  readonly tunnel1?: SiteToSiteVpnTunnelOptions;

  /**
   * Options of the second tunnel.
   *
   * @default - AWS's defaults
   */
  readonly tunnel2?: SiteToSiteVpnTunnelOptions;

  /**
   * Whether the tunnels carry IPv4 or IPv6 traffic (IPv6: transit gateways
   * only). Changing it replaces the connection.
   *
   * @default VpnTunnelInsideIpVersion.IPV4
   */
  readonly tunnelInsideIpVersion?: VpnTunnelInsideIpVersion;

  /**
   * The IPv4 network on the customer side that may communicate over the
   * tunnels. Changed in place.
   *
   * @default '0.0.0.0/0'
   */
  readonly localIpv4NetworkCidr?: string;

  /**
   * The IPv4 network on the AWS side that may communicate over the tunnels.
   * Changed in place.
   *
   * @default '0.0.0.0/0'
   */
  readonly remoteIpv4NetworkCidr?: string;

  /**
   * The IPv6 network on the customer side (IPv6 tunnels only). Changed in place.
   *
   * @default '::/0'
   */
  readonly localIpv6NetworkCidr?: string;

  /**
   * The IPv6 network on the AWS side (IPv6 tunnels only). Changed in place.
   *
   * @default '::/0'
   */
  readonly remoteIpv6NetworkCidr?: string;

  /**
   * The kind of address of the customer gateway device's outside interface.
   * Changing it replaces the connection.
   *
   * @default VpnOutsideIpAddressType.PUBLIC_IPV4
   */
  readonly outsideIpAddressType?: VpnOutsideIpAddressType;

  /**
   * For `VpnOutsideIpAddressType.PRIVATE_IPV4`: the transit gateway attachment
   * (`tgw-attach-...`, a Direct Connect gateway attachment) the tunnels run
   * over. Changing it replaces the connection.
   *
   * @default - none; required with PRIVATE_IPV4
   */
  readonly transportTransitGatewayAttachmentId?: string;

  /**
   * Accelerate the connection through AWS Global Accelerator (transit
   * gateways only). Changing it replaces the connection.
   *
   * @default false
   */
  readonly enableAcceleration?: boolean;

  /**
   * The throughput capacity of each tunnel: `VpnTunnelBandwidth.LARGE` (up
   * to 5 Gbps per tunnel) needs a transit gateway. Changing it modifies the
   * connection in place (ModifyVpnConnectionOptions).
   *
   * @default VpnTunnelBandwidth.STANDARD - up to 1.25 Gbps per tunnel
   */
  readonly tunnelBandwidth?: VpnTunnelBandwidth;

  /**
   * Where AWS keeps the pre-shared keys of tunnels that do not give their
   * own `preSharedKey`. With `VpnPreSharedKeyStorage.SECRETS_MANAGER`, AWS
   * creates and owns a Secrets Manager secret holding them (its ARN is
   * `preSharedKeyArn`). Changing it replaces the connection.
   *
   * @default VpnPreSharedKeyStorage.STANDARD
   */
  readonly preSharedKeyStorage?: VpnPreSharedKeyStorage;

  /**
   * The KMS key that encrypts the configuration secret (the customer gateway
   * configuration the handler writes).
   *
   * @default - the AWS managed key of Secrets Manager
   */
  readonly configurationEncryptionKey?: kms.IKey;

  /**
   * Tags of the VPN connection (changed in place). Keys starting with `aws:`
   * or `cdk-network-access:` are reserved.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/**
 * One AWS Site-to-Site VPN connection, on a virtual private gateway or a
 * transit gateway, with every tunnel option, its outputs and its secrets.
 *
 * Unlike `ec2.VpnConnection` and AWS::EC2::VPNConnection, it is backed by a
 * custom resource that:
 *
 * - changes tunnel options in place, one tunnel at a time, so a tunnel change
 *   neither replaces the connection nor takes both tunnels down (see
 *   `SiteToSiteVpnProps` for what still replaces the connection);
 * - returns the tunnels' outside and inside addresses, the BGP ASNs and the
 *   transit gateway attachment id as attributes;
 * - keeps secrets out of the template: pre-shared keys are read by the
 *   handler from a Secrets Manager secret you give (or generated and kept by
 *   AWS), and the customer gateway configuration is written to the secret
 *   `configurationSecret`, never to outputs;
 * - validates every option at synth, naming the option and the value.
 *
 * It implements `ec2.IVpnConnection`, so `metricTunnelState()` and the data
 * metrics work; `alarmOneTunnelDown()` and `alarmBothTunnelsDown()` add alarms.
 *
 * @resource Custom::NetworkAccessSiteToSiteVpnConnection
 */
export class SiteToSiteVpn extends ec2.VpnConnectionBase implements IAccessGrantSource {
  /** The VPN connection id (`vpn-...`). */
  public readonly vpnId: string;
  /** The customer gateway id (`cgw-...`). */
  public readonly customerGatewayId: string;
  /** The customer gateway's IP address. */
  public readonly customerGatewayIp: string;
  /** The customer gateway's BGP ASN. */
  public readonly customerGatewayAsn: number;

  /** The BGP ASN of the AWS side (the gateway's Amazon side ASN), as a string. */
  public readonly amazonSideAsn: string;
  /** The id of the virtual private gateway, when the AWS side is one. */
  public readonly vpnGatewayId?: string;
  /** The id of the transit gateway, when the AWS side is one. */
  public readonly transitGatewayId?: string;
  /** Transit gateways: the id of the VPN attachment (`tgw-attach-...`); empty otherwise. */
  public readonly transitGatewayAttachmentId: string;

  /** The AWS side outside IP address of tunnel 1. */
  public readonly tunnel1OutsideIpAddress: string;
  /** The AWS side outside IP address of tunnel 2. */
  public readonly tunnel2OutsideIpAddress: string;
  /** The inside IPv4 CIDR of tunnel 1 (empty for IPv6 tunnels). */
  public readonly tunnel1InsideCidr: string;
  /** The inside IPv4 CIDR of tunnel 2 (empty for IPv6 tunnels). */
  public readonly tunnel2InsideCidr: string;
  /** The inside IPv6 CIDR of tunnel 1 (empty for IPv4 tunnels). */
  public readonly tunnel1InsideIpv6Cidr: string;
  /** The inside IPv6 CIDR of tunnel 2 (empty for IPv4 tunnels). */
  public readonly tunnel2InsideIpv6Cidr: string;
  /** The AWS side inside address of tunnel 1 (the BGP peer you configure). */
  public readonly tunnel1AwsInsideAddress: string;
  /** The AWS side inside address of tunnel 2. */
  public readonly tunnel2AwsInsideAddress: string;
  /** The customer side inside address of tunnel 1. */
  public readonly tunnel1CustomerInsideAddress: string;
  /** The customer side inside address of tunnel 2. */
  public readonly tunnel2CustomerInsideAddress: string;

  /**
   * With `VpnPreSharedKeyStorage.SECRETS_MANAGER`: the ARN of the secret AWS
   * keeps the generated pre-shared keys in; empty otherwise.
   */
  public readonly preSharedKeyArn: string;
  /**
   * With `VpnPreSharedKeyStorage.SECRETS_MANAGER`: the secret AWS keeps the
   * generated pre-shared keys in.
   */
  public readonly preSharedKeySecret?: secretsmanager.ISecret;

  /**
   * The secret the customer gateway configuration (the device configuration
   * AWS returns for the connection) is written to. Read it with
   * `aws secretsmanager get-secret-value --secret-id <arn>`, or grant
   * `configurationSecret.grantRead()` to who configures the device.
   */
  public readonly configurationSecret: secretsmanager.ISecret;

  /** The custom resource that carries the connection. */
  public readonly resource: CustomResource;

  private readonly staticRouteCidrs: string[];
  private readonly remoteCidrForGrants: string;
  private readonly awsSideDescription: string;

  constructor(scope: Construct, id: string, props: SiteToSiteVpnProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // ---------------------------------------------------------- connection-level options
    const insideIpVersion = props.tunnelInsideIpVersion?.value ?? 'ipv4';
    if (props.tunnelInsideIpVersion) checkOneOf(this, 'tunnelInsideIpVersion', insideIpVersion, ALLOWED_TUNNEL_INSIDE_IP_VERSIONS);
    const outsideType = props.outsideIpAddressType?.value;
    if (outsideType !== undefined) checkOneOf(this, 'outsideIpAddressType', outsideType, ALLOWED_OUTSIDE_IP_ADDRESS_TYPES);
    const pskStorage = props.preSharedKeyStorage?.value;
    if (pskStorage !== undefined) checkOneOf(this, 'preSharedKeyStorage', pskStorage, ALLOWED_PRE_SHARED_KEY_STORAGES);
    const bandwidth = props.tunnelBandwidth?.value;
    if (bandwidth !== undefined) checkOneOf(this, 'tunnelBandwidth', bandwidth, ALLOWED_TUNNEL_BANDWIDTHS);

    // ---------------------------------------------------------- AWS side
    const sides = [
      props.vpc && 'vpc', props.vpnGateway && 'vpnGateway', props.vpnGatewayId !== undefined && 'vpnGatewayId',
      props.transitGateway && 'transitGateway', props.transitGatewayId !== undefined && 'transitGatewayId',
    ].filter((x): x is string => typeof x === 'string');
    if (sides.length !== 1) {
      fail(this, `give exactly one AWS side: vpc, vpnGateway, vpnGatewayId, transitGateway or transitGatewayId (${sides.length === 0 ? 'none was given' : `got ${sides.join(' and ')}`})`);
    }
    const onTransitGateway = props.transitGateway !== undefined || props.transitGatewayId !== undefined;
    if (props.vpc === undefined && props.amazonSideAsn !== undefined) {
      fail(this, `amazonSideAsn ${props.amazonSideAsn} applies only to the virtual private gateway created for vpc; an existing gateway keeps its own ASN`);
    }
    if (props.vpc === undefined && props.vpnRoutePropagation !== undefined) {
      fail(this, 'vpnRoutePropagation applies only to the virtual private gateway created for vpc; set up propagation where the existing gateway is declared');
    }

    let amazonSideAsnKnown: number | undefined;
    if (props.vpc) {
      if (props.vpc.vpnGatewayId) {
        if (props.amazonSideAsn !== undefined || props.vpnRoutePropagation !== undefined) {
          fail(this, 'the vpc already has a virtual private gateway: amazonSideAsn and vpnRoutePropagation apply only to one this construct creates; set them where the gateway is enabled');
        }
        this.vpnGatewayId = props.vpc.vpnGatewayId;
      } else {
        amazonSideAsnKnown = props.amazonSideAsn ?? DEFAULT_AMAZON_SIDE_ASN;
        checkAmazonSideAsn(this, 'amazonSideAsn', amazonSideAsnKnown);
        props.vpc.enableVpnGateway({
          type: 'ipsec.1',
          amazonSideAsn: amazonSideAsnKnown,
          vpnRoutePropagation: props.vpnRoutePropagation,
        });
        this.vpnGatewayId = props.vpc.vpnGatewayId!;
      }
    } else if (props.vpnGateway || props.vpnGatewayId !== undefined) {
      this.vpnGatewayId = props.vpnGateway?.vpnGatewayRef.vpnGatewayId ?? checkId(this, 'vpnGatewayId', props.vpnGatewayId!, 'vgw');
    } else {
      this.transitGatewayId = props.transitGateway?.transitGatewayRef.transitGatewayId ?? checkId(this, 'transitGatewayId', props.transitGatewayId!, 'tgw');
    }

    if (!onTransitGateway) {
      for (const [name, value] of [['transitGatewayRouteTableId', props.transitGatewayRouteTableId], ['associateWithRouteTable', props.associateWithRouteTable],
        ['propagateToRouteTable', props.propagateToRouteTable], ['transportTransitGatewayAttachmentId', props.transportTransitGatewayAttachmentId]] as const) {
        if (value !== undefined) {
          fail(this, `${name} applies only to a transit gateway connection; this connection uses a virtual private gateway`);
        }
      }
      if (props.enableAcceleration === true) {
        fail(this, 'enableAcceleration true needs a transit gateway; AWS accelerates only transit gateway VPN connections (use transitGateway or transitGatewayId, or drop enableAcceleration)');
      }
      if (bandwidth === 'large') {
        fail(this, 'tunnelBandwidth \'large\' needs a transit gateway; AWS offers large tunnels only on transit gateway and Cloud WAN connections (use transitGateway or transitGatewayId, or VpnTunnelBandwidth.STANDARD)');
      }
      if (insideIpVersion === 'ipv6') {
        fail(this, 'tunnelInsideIpVersion \'ipv6\' needs a transit gateway; IPv6 VPN connections are supported only there');
      }
    }
    if (props.transitGatewayRouteTableId !== undefined) {
      checkId(this, 'transitGatewayRouteTableId', props.transitGatewayRouteTableId, 'tgw-rtb');
    }
    if (outsideType === 'PrivateIpv4' && props.transportTransitGatewayAttachmentId === undefined) {
      fail(this, 'outsideIpAddressType \'PrivateIpv4\' needs transportTransitGatewayAttachmentId, the Direct Connect gateway attachment the tunnels run over');
    }
    if (props.transportTransitGatewayAttachmentId !== undefined) {
      checkId(this, 'transportTransitGatewayAttachmentId', props.transportTransitGatewayAttachmentId, 'tgw-attach');
      if (outsideType !== 'PrivateIpv4' && !(outsideType !== undefined && Token.isUnresolved(outsideType))) {
        fail(this, `transportTransitGatewayAttachmentId '${props.transportTransitGatewayAttachmentId}' is used only with outsideIpAddressType VpnOutsideIpAddressType.PRIVATE_IPV4 (it is '${outsideType ?? 'PublicIpv4'}')`);
      }
    }

    // ---------------------------------------------------------- customer side
    if ((props.customerGateway === undefined) === (props.customerGatewayId === undefined)) {
      fail(this, 'give exactly one of customerGateway (a new customer gateway) and customerGatewayId (an existing one)');
    }
    if (props.customerGateway) {
      const cgw = createCustomerGateway(this, 'CustomerGateway', props.customerGateway, outsideType);
      if (amazonSideAsnKnown !== undefined && !Token.isUnresolved(cgw.asn) && cgw.asn === amazonSideAsnKnown) {
        fail(this, `customerGateway.bgpAsn ${cgw.asn} equals the Amazon side ASN of the new virtual private gateway; AWS refuses it (AsnConflict): change one of them (amazonSideAsn defaults to 64512)`);
      }
      this.customerGatewayId = cgw.id;
      this.customerGatewayIp = cgw.ipAddress;
      this.customerGatewayAsn = cgw.asn;
    } else {
      this.customerGatewayId = checkId(this, 'customerGatewayId', props.customerGatewayId!, 'cgw');
      // Read back by the handler; set below once the resource exists.
      this.customerGatewayIp = '';
      this.customerGatewayAsn = 0;
    }

    // ---------------------------------------------------------- routing
    const staticRoutes = props.staticRoutes ?? [];
    if (props.staticRoutes !== undefined && staticRoutes.length > 0 && props.staticRoutesOnly === false) {
      fail(this, `staticRoutes (${staticRoutes.join(', ')}) need staticRoutesOnly; leave staticRoutesOnly out or set it to true`);
    }
    const staticRoutesOnly = props.staticRoutesOnly ?? staticRoutes.length > 0;
    this.staticRouteCidrs = this.normalizeStaticRoutes(staticRoutes, onTransitGateway);
    if (onTransitGateway && staticRoutes.length > 0 && props.transitGatewayRouteTableId === undefined) {
      fail(this, 'staticRoutes on a transit gateway go into a transit gateway route table: give transitGatewayRouteTableId');
    }

    // ---------------------------------------------------------- network CIDRs
    const networkCidr = (name: string, value: string | undefined, family: 4 | 6) => {
      if (value === undefined) return undefined;
      if (family === 6 && insideIpVersion !== 'ipv6' && !Token.isUnresolved(insideIpVersion)) {
        fail(this, `${name} '${value}' needs tunnelInsideIpVersion VpnTunnelInsideIpVersion.IPV6 (it is '${insideIpVersion}')`);
      }
      return family === 4 ? checkIpv4Network(this, name, value) : checkIpv6Network(this, name, value);
    };
    const localIpv4 = networkCidr('localIpv4NetworkCidr', props.localIpv4NetworkCidr, 4);
    const remoteIpv4 = networkCidr('remoteIpv4NetworkCidr', props.remoteIpv4NetworkCidr, 4);
    const localIpv6 = networkCidr('localIpv6NetworkCidr', props.localIpv6NetworkCidr, 6);
    const remoteIpv6 = networkCidr('remoteIpv6NetworkCidr', props.remoteIpv6NetworkCidr, 6);

    // ---------------------------------------------------------- tunnels
    const context = { insideIpVersion };
    const tunnel1 = renderTunnelOptions(this, 1, props.tunnel1, context);
    const tunnel2 = renderTunnelOptions(this, 2, props.tunnel2, context);
    for (const key of ['TunnelInsideCidr', 'TunnelInsideIpv6Cidr'] as const) {
      const a = tunnel1?.[key];
      const b = tunnel2?.[key];
      if (a !== undefined && b !== undefined && !Token.isUnresolved(a) && a === b) {
        const option = key === 'TunnelInsideCidr' ? 'insideCidr' : 'insideIpv6Cidr';
        fail(this, `tunnel1.${option} and tunnel2.${option} are both '${a}'; each tunnel needs its own inside block`);
      }
    }
    const tunnelOptions = renderTunnelList(tunnel1, tunnel2);

    const tags = this.renderTags(props.tags);

    // ---------------------------------------------------------- provider, secrets, IAM
    const provider = HandlerProvider.getOrCreate(this, {
      handler: SITE_TO_SITE_VPN_HANDLER,
      description: 'Manages site-to-site VPN connections (cdk-network-access)',
      // Creating a connection takes several minutes; a tunnel change takes
      // several minutes per tunnel, and the two tunnels change one after the
      // other. The Provider framework allows at most one hour.
      totalTimeout: Duration.hours(1),
      queryInterval: Duration.seconds(30),
      timeout: Duration.minutes(3),
      statements: [new iam.PolicyStatement({
        sid: 'DescribeVpnResources',
        // EC2 Describe* actions support no resource-level permissions.
        actions: [
          'ec2:DescribeVpnConnections',
          'ec2:DescribeCustomerGateways',
          'ec2:DescribeVpnGateways',
          'ec2:DescribeTransitGateways',
          'ec2:DescribeTransitGatewayAttachments',
        ],
        resources: ['*'],
      })],
    });
    const permissions = SiteToSiteVpnPermissions.of(this, provider);
    permissions.allowGateway('customer-gateway', this.customerGatewayId);
    if (this.vpnGatewayId !== undefined) permissions.allowGateway('vpn-gateway', this.vpnGatewayId);
    if (this.transitGatewayId !== undefined) permissions.allowGateway('transit-gateway', this.transitGatewayId);
    const tunnelLogs = [props.tunnel1, props.tunnel2].some(t => t?.logGroup !== undefined || t?.bgpLogGroup !== undefined);
    if (tunnelLogs) permissions.allowTunnelLogging();
    for (const tunnel of [props.tunnel1, props.tunnel2]) {
      tunnel?.preSharedKey?.grantRead(provider.role);
    }

    const configuration = new secretsmanager.Secret(this, 'Configuration', {
      description: `Customer gateway configuration of the site-to-site VPN connection ${this.node.path} (written by cdk-network-access)`,
      encryptionKey: props.configurationEncryptionKey,
    });
    // The handler reads the current configuration first and writes only
    // when it changed (no new secret version on every deploy).
    configuration.grantRead(provider.role);
    configuration.grantWrite(provider.role);
    this.configurationSecret = configuration;
    appendNagSuppressions(configuration, [{
      id: 'AwsSolutions-SMG4',
      reason: 'The secret holds the customer gateway configuration AWS returns for the connection; the handler rewrites it whenever the connection changes, and rotating it would not change the keys the device uses.',
    }]);
    appendNagSuppressions(provider.role, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Secrets Manager grants on KMS-encrypted secrets use the key actions aws-cdk-lib grants (kms:GenerateDataKey*, kms:ReEncrypt*), limited to the secret\'s key and to Secrets Manager (kms:ViaService).',
      appliesTo: ['Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*'],
    }]);

    // ---------------------------------------------------------- the custom resource
    const properties: Omit<SiteToSiteVpnProperties, 'ServiceToken'> = {
      SchemaVersion: SITE_TO_SITE_VPN_SCHEMA_VERSION,
      // Stable for the life of the construct (same stack, same path, hence
      // the same logical id); the handler tags the connection with it and
      // the IAM conditions match it.
      OwnerTag: `${stack.stackName}/${this.node.addr}`,
      CustomerGatewayId: this.customerGatewayId,
      ...(this.vpnGatewayId !== undefined ? { VpnGatewayId: this.vpnGatewayId } : {}),
      ...(this.transitGatewayId !== undefined ? { TransitGatewayId: this.transitGatewayId } : {}),
      Type: 'ipsec.1',
      StaticRoutesOnly: staticRoutesOnly,
      ...(props.enableAcceleration !== undefined ? { EnableAcceleration: props.enableAcceleration } : {}),
      ...(props.tunnelInsideIpVersion ? { TunnelInsideIpVersion: insideIpVersion } : {}),
      ...(localIpv4 !== undefined ? { LocalIpv4NetworkCidr: localIpv4 } : {}),
      ...(remoteIpv4 !== undefined ? { RemoteIpv4NetworkCidr: remoteIpv4 } : {}),
      ...(localIpv6 !== undefined ? { LocalIpv6NetworkCidr: localIpv6 } : {}),
      ...(remoteIpv6 !== undefined ? { RemoteIpv6NetworkCidr: remoteIpv6 } : {}),
      ...(outsideType !== undefined ? { OutsideIpAddressType: outsideType } : {}),
      ...(props.transportTransitGatewayAttachmentId !== undefined
        ? { TransportTransitGatewayAttachmentId: props.transportTransitGatewayAttachmentId } : {}),
      ...(pskStorage !== undefined ? { PreSharedKeyStorage: pskStorage } : {}),
      ...(bandwidth !== undefined ? { TunnelBandwidth: bandwidth } : {}),
      ...(tunnelOptions.length > 0 ? { TunnelOptions: tunnelOptions } : {}),
      ConfigurationSecretArn: configuration.secretArn,
      ...(tags.length > 0 ? { Tags: tags } : {}),
    };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: SITE_TO_SITE_VPN_RESOURCE_TYPE,
      properties,
    });

    const att = (name: SiteToSiteVpnAttribute) => this.resource.getAttString(name);
    this.vpnId = att('VpnConnectionId');
    if (props.customerGatewayId !== undefined) {
      this.customerGatewayIp = att('CustomerGatewayIp');
      this.customerGatewayAsn = Token.asNumber(att('CustomerGatewayAsn'));
    }
    this.amazonSideAsn = att('AmazonSideAsn');
    this.transitGatewayAttachmentId = att('TransitGatewayAttachmentId');
    this.tunnel1OutsideIpAddress = att('Tunnel1OutsideIpAddress');
    this.tunnel2OutsideIpAddress = att('Tunnel2OutsideIpAddress');
    this.tunnel1InsideCidr = att('Tunnel1InsideCidr');
    this.tunnel2InsideCidr = att('Tunnel2InsideCidr');
    this.tunnel1InsideIpv6Cidr = att('Tunnel1InsideIpv6Cidr');
    this.tunnel2InsideIpv6Cidr = att('Tunnel2InsideIpv6Cidr');
    this.tunnel1AwsInsideAddress = att('Tunnel1AwsInsideAddress');
    this.tunnel2AwsInsideAddress = att('Tunnel2AwsInsideAddress');
    this.tunnel1CustomerInsideAddress = att('Tunnel1CustomerInsideAddress');
    this.tunnel2CustomerInsideAddress = att('Tunnel2CustomerInsideAddress');
    this.preSharedKeyArn = att('PreSharedKeyArn');
    if (pskStorage === 'SecretsManager') {
      this.preSharedKeySecret = secretsmanager.Secret.fromSecretCompleteArn(this, 'PreSharedKeys', this.preSharedKeyArn);
    }

    // ---------------------------------------------------------- routes and transit gateway wiring
    // Ids spell the whole canonical CIDR, so two routes never share one
    // (aws-cdk-lib keeps only the digits: 10.1.10.0/24 and 10.11.0.0/24 collide).
    this.staticRouteCidrs.forEach((cidr, index) => {
      const routeId = Token.isUnresolved(cidr) ? `StaticRoute[#${index}]` : `StaticRoute[${cidr.replace('/', '_')}]`;
      if (onTransitGateway) {
        new ec2.CfnTransitGatewayRoute(this, routeId, {
          transitGatewayRouteTableId: props.transitGatewayRouteTableId!,
          destinationCidrBlock: cidr,
          transitGatewayAttachmentId: this.transitGatewayAttachmentId,
        });
      } else {
        new ec2.CfnVPNConnectionRoute(this, routeId, {
          destinationCidrBlock: cidr,
          vpnConnectionId: this.vpnId,
        });
      }
    });
    if (onTransitGateway && props.transitGatewayRouteTableId !== undefined) {
      if (props.associateWithRouteTable ?? true) {
        new ec2.CfnTransitGatewayRouteTableAssociation(this, 'RouteTableAssociation', {
          transitGatewayAttachmentId: this.transitGatewayAttachmentId,
          transitGatewayRouteTableId: props.transitGatewayRouteTableId,
        });
      }
      if (props.propagateToRouteTable ?? true) {
        new ec2.CfnTransitGatewayRouteTablePropagation(this, 'RouteTablePropagation', {
          transitGatewayAttachmentId: this.transitGatewayAttachmentId,
          transitGatewayRouteTableId: props.transitGatewayRouteTableId,
        });
      }
    }

    // ---------------------------------------------------------- review model
    this.remoteCidrForGrants = remoteIpv4 ?? (props.vpc ? props.vpc.vpcCidrBlock : '0.0.0.0/0');
    this.awsSideDescription = onTransitGateway ? 'transit gateway' : 'virtual private gateway';
  }

  /** The connection's id as the generated EC2 reference interfaces expect it. */
  public get vpnConnectionRef(): ec2.VPNConnectionReference {
    // aws-cdk-lib 2.236's VpnConnectionBase returns the customer gateway id
    // here; the connection's own id is what the reference names.
    return { vpnConnectionId: this.vpnId };
  }

  /** The static routes of the connection, in canonical form. */
  public get staticRoutes(): string[] {
    return [...this.staticRouteCidrs];
  }

  /**
   * An alarm that fires when at least one tunnel is down: the connection
   * still carries traffic but has lost its redundancy (TunnelState Minimum
   * below 1).
   */
  public alarmOneTunnelDown(id: string, options?: VpnTunnelAlarmOptions): cloudwatch.Alarm {
    return createOneTunnelDownAlarm(this, id, this, options);
  }

  /**
   * An alarm that fires when both tunnels are down: no traffic passes
   * (TunnelState Maximum is 0 over the period).
   */
  public alarmBothTunnelsDown(id: string, options?: VpnTunnelAlarmOptions): cloudwatch.Alarm {
    return createBothTunnelsDownAlarm(this, id, this, options);
  }

  /**
   * The grants of network access the connection declares: the customer
   * network reaches the AWS side (the VPC, or what the transit gateway
   * routes to), limited to `remoteIpv4NetworkCidr` when given. With BGP the
   * customer gateway announces its networks; with static routes each route
   * is one grant.
   */
  public accessGrants(): AccessGrant[] {
    const target = { kind: AccessTargetKind.CIDR, id: this.remoteCidrForGrants };
    const base = { target, mechanism: AccessMechanism.VPN_ROUTE, via: this.vpnId, constructPath: this.node.path };
    if (this.staticRouteCidrs.length === 0) {
      return [{
        ...base,
        principal: { kind: AccessPrincipalKind.PEER_GATEWAY, id: this.customerGatewayId },
        description: `BGP: the networks the customer gateway announces, through the ${this.awsSideDescription}`,
      }];
    }
    return this.staticRouteCidrs.map(cidr => ({
      ...base,
      principal: { kind: AccessPrincipalKind.CIDR, id: cidr },
      description: `static route to the customer gateway ${this.customerGatewayId}, through the ${this.awsSideDescription}`,
    }));
  }

  private normalizeStaticRoutes(routes: string[], onTransitGateway: boolean): string[] {
    const seen = new Map<string, string>();
    for (const route of routes) {
      let canonical: string;
      if (Token.isUnresolved(route)) {
        canonical = route;
      } else if (route.includes(':')) {
        if (!onTransitGateway) {
          fail(this, `staticRoutes entry '${route}' is IPv6; a virtual private gateway takes IPv4 static routes only`);
        }
        canonical = checkIpv6Network(this, 'staticRoutes entry', route);
      } else {
        canonical = checkIpv4Network(this, 'staticRoutes entry', route);
      }
      const first = seen.get(canonical);
      if (first !== undefined) {
        fail(this, `staticRoutes lists ${canonical} twice ('${first}' and '${route}'); keep one`);
      }
      seen.set(canonical, route);
    }
    return [...seen.keys()];
  }

  private renderTags(tags: { [key: string]: string } | undefined): Array<{ Key: string; Value: string }> {
    return Object.entries(tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => {
      if (!Token.isUnresolved(key)) {
        if (key.length < 1 || key.length > 128) fail(this, `tag key '${key}' must be 1 to 128 characters`);
        if (key.toLowerCase().startsWith('aws:') || key.startsWith('cdk-network-access:')) {
          fail(this, `tag key '${key}' is reserved (aws: is AWS's, cdk-network-access: is the handler's); pick another key`);
        }
      }
      if (!Token.isUnresolved(value) && value.length > 256) {
        fail(this, `the value of tag '${key}' is ${value.length} characters; AWS allows at most 256`);
      }
      return { Key: key, Value: value };
    });
  }
}

function renderTunnelList(tunnel1: VpnTunnelOptionsProperty | undefined, tunnel2: VpnTunnelOptionsProperty | undefined): VpnTunnelOptionsProperty[] {
  if (tunnel2 !== undefined && Object.keys(tunnel2).length > 0) return [tunnel1 ?? {}, tunnel2];
  if (tunnel1 !== undefined && Object.keys(tunnel1).length > 0) return [tunnel1];
  return [];
}

function checkId(scope: Construct, option: string, value: string, prefix: string): string {
  if (!Token.isUnresolved(value) && !new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(value)) {
    fail(scope, `${option} '${value}' is not a ${prefix} id; it looks like '${prefix}-0123456789abcdef0'`);
  }
  return value;
}
