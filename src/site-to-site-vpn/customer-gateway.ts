import { isIPv4, isIPv6 } from 'net';
import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { checkInteger, fail } from './validation';

/** The customer gateway of a new site-to-site VPN connection: your device's side. */
export interface SiteToSiteVpnCustomerGatewayOptions {
  /**
   * The static address of the device's outside interface (behind NAT: the
   * NAT device's address). IPv4, or IPv6 with
   * `outsideIpAddressType: VpnOutsideIpAddressType.IPV6`.
   */
  readonly ipAddress: string;

  /**
   * The device's BGP autonomous system number, 2-byte or 4-byte:
   * 1 to 4,294,967,294. AWS reserves 7224 in every Region, 9059 in
   * eu-west-1, 10124 in ap-northeast-1 and 17943 in ap-southeast-1. It must
   * differ from the Amazon side ASN of the gateway.
   *
   * @default 65000
   * @see https://docs.aws.amazon.com/vpn/latest/s2svpn/cgw-options.html
   */
  readonly bgpAsn?: number;

  /**
   * The ARN of an AWS Private CA certificate that authenticates the device
   * (certificate-based authentication instead of pre-shared keys).
   *
   * @default - pre-shared key authentication
   */
  readonly certificateArn?: string;

  /**
   * A name for the device, up to 255 characters. Also what lets two customer
   * gateways share an IP address and ASN.
   *
   * @default - no name
   */
  readonly deviceName?: string;
}

/** The largest ASN AWS's BgpAsn parameter takes; larger ones go in BgpAsnExtended. */
const MAX_BGP_ASN = 2_147_483_647;
/** 4294967295 is reserved (RFC 7300). */
const MAX_ASN = 4_294_967_294;
export const DEFAULT_CUSTOMER_ASN = 65000;
export const DEFAULT_AMAZON_SIDE_ASN = 64512;

/** ASNs AWS reserves for itself (cgw-options): '*' = every Region. */
const RESERVED_ASNS: ReadonlyArray<{ asn: number; region: string }> = [
  { asn: 7224, region: '*' },
  { asn: 9059, region: 'eu-west-1' },
  { asn: 10124, region: 'ap-northeast-1' },
  { asn: 17943, region: 'ap-southeast-1' },
];

/** A customer gateway ASN: in range, not reserved by AWS in the stack's Region. */
export function checkCustomerAsn(scope: Construct, option: string, asn: number): void {
  if (Token.isUnresolved(asn)) return;
  if (!Number.isInteger(asn) || asn < 1 || asn > MAX_ASN) {
    fail(scope, `${option} ${asn} is out of range; a BGP ASN is a whole number from 1 to ${MAX_ASN} (4294967295 is reserved by RFC 7300)`);
  }
  const region = Stack.of(scope).region;
  for (const reserved of RESERVED_ASNS) {
    if (reserved.asn !== asn) continue;
    if (reserved.region === '*' || reserved.region === region) {
      fail(scope, `${option} ${asn} is reserved by AWS${reserved.region === '*' ? ' in every Region' : ` in ${reserved.region}`}; use your own public ASN or a private one (64512-65534, 4200000000-4294967294)`);
    }
    if (Token.isUnresolved(region)) {
      Annotations.of(scope).addWarningV2('cdk-network-access:vpn-reserved-asn',
        `${option} ${asn} is reserved by AWS in ${reserved.region}; the stack's Region is unknown at synth, so the deploy fails there if the stack lands in ${reserved.region}`);
    }
  }
}

/** The Amazon side ASN of a new virtual private gateway: a private ASN. */
export function checkAmazonSideAsn(scope: Construct, option: string, asn: number): void {
  if (Token.isUnresolved(asn)) return;
  const inSixteenBit = asn >= 64512 && asn <= 65534;
  const inThirtyTwoBit = asn >= 4_200_000_000 && asn <= MAX_ASN;
  if (!Number.isInteger(asn) || !(inSixteenBit || inThirtyTwoBit)) {
    fail(scope, `${option} ${asn} is not a private ASN; AWS takes 64512-65534 or 4200000000-4294967294 for the Amazon side`);
  }
}

/** What the connection needs to know about the customer gateway it creates. */
export interface CreatedCustomerGateway {
  readonly resource: ec2.CfnCustomerGateway;
  readonly id: string;
  readonly ipAddress: string;
  readonly asn: number;
}

/**
 * Validate the options and create the AWS::EC2::CustomerGateway. The ASN goes
 * to BgpAsn up to 2,147,483,647 and to BgpAsnExtended above (the EC2 API's
 * split between its 32-bit signed and extended parameters).
 */
export function createCustomerGateway(
  scope: Construct,
  id: string,
  options: SiteToSiteVpnCustomerGatewayOptions,
  outsideIpAddressType: string | undefined,
): CreatedCustomerGateway {
  const ip = options.ipAddress;
  if (!Token.isUnresolved(ip)) {
    if (outsideIpAddressType === 'Ipv6') {
      if (!isIPv6(ip)) {
        fail(scope, `customerGateway.ipAddress '${ip}' is not an IPv6 address, but outsideIpAddressType is 'Ipv6'; give the device's IPv6 address`);
      }
    } else if (!isIPv4(ip)) {
      fail(scope, `customerGateway.ipAddress '${ip}' is not an IPv4 address; give the static address of the device's outside interface (or set outsideIpAddressType to VpnOutsideIpAddressType.IPV6 for an IPv6 address)`);
    }
  }

  const asn = options.bgpAsn ?? DEFAULT_CUSTOMER_ASN;
  checkCustomerAsn(scope, 'customerGateway.bgpAsn', asn);
  if (options.deviceName !== undefined && !Token.isUnresolved(options.deviceName)) {
    checkInteger(scope, 'the length of customerGateway.deviceName', options.deviceName.length, 1, 255, ' characters');
  }
  if (options.certificateArn !== undefined && !Token.isUnresolved(options.certificateArn)
    && !/^arn:[a-z-]+:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/.test(options.certificateArn)) {
    fail(scope, `customerGateway.certificateArn '${options.certificateArn}' is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`);
  }

  const extended = !Token.isUnresolved(asn) && asn > MAX_BGP_ASN;
  const resource = new ec2.CfnCustomerGateway(scope, id, {
    type: 'ipsec.1',
    ipAddress: ip,
    ...(extended ? { bgpAsnExtended: asn } : { bgpAsn: asn }),
    certificateArn: options.certificateArn,
    deviceName: options.deviceName,
  });
  return { resource, id: resource.ref, ipAddress: ip, asn };
}
