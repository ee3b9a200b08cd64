import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * An encryption algorithm a tunnel may negotiate in IKE phase 1 or phase 2.
 *
 * @see https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html
 */
export class VpnEncryptionAlgorithm {
  /** AES with a 128-bit key, CBC mode. */
  public static readonly AES128 = new VpnEncryptionAlgorithm('AES128');
  /** AES with a 256-bit key, CBC mode. */
  public static readonly AES256 = new VpnEncryptionAlgorithm('AES256');
  /** AES-GCM with a 128-bit key and a 16-byte ICV. */
  public static readonly AES128_GCM_16 = new VpnEncryptionAlgorithm('AES128-GCM-16');
  /** AES-GCM with a 256-bit key and a 16-byte ICV. */
  public static readonly AES256_GCM_16 = new VpnEncryptionAlgorithm('AES256-GCM-16');

  /**
   * An algorithm by its AWS name. A literal must be one of AWS's names
   * (AES128, AES256, AES128-GCM-16, AES256-GCM-16) or synth fails.
   */
  public static of(name: string): VpnEncryptionAlgorithm {
    return new VpnEncryptionAlgorithm(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/**
 * An integrity (hash) algorithm a tunnel may negotiate in IKE phase 1 or phase 2.
 *
 * @see https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html
 */
export class VpnIntegrityAlgorithm {
  /** SHA-1. */
  public static readonly SHA1 = new VpnIntegrityAlgorithm('SHA1');
  /** SHA-256. */
  public static readonly SHA2_256 = new VpnIntegrityAlgorithm('SHA2-256');
  /** SHA-384. */
  public static readonly SHA2_384 = new VpnIntegrityAlgorithm('SHA2-384');
  /** SHA-512. */
  public static readonly SHA2_512 = new VpnIntegrityAlgorithm('SHA2-512');

  /**
   * An algorithm by its AWS name. A literal must be one of AWS's names
   * (SHA1, SHA2-256, SHA2-384, SHA2-512) or synth fails.
   */
  public static of(name: string): VpnIntegrityAlgorithm {
    return new VpnIntegrityAlgorithm(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/**
 * A Diffie-Hellman group a tunnel may use in IKE phase 1 or phase 2.
 * Group 5 is accepted for phase 2 only.
 *
 * @see https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html
 */
export class VpnDhGroup {
  /** Group 2 (1024-bit MODP). */
  public static readonly GROUP_2 = new VpnDhGroup(2);
  /** Group 5 (1536-bit MODP); phase 2 only. */
  public static readonly GROUP_5 = new VpnDhGroup(5);
  /** Group 14 (2048-bit MODP). */
  public static readonly GROUP_14 = new VpnDhGroup(14);
  /** Group 15 (3072-bit MODP). */
  public static readonly GROUP_15 = new VpnDhGroup(15);
  /** Group 16 (4096-bit MODP). */
  public static readonly GROUP_16 = new VpnDhGroup(16);
  /** Group 17 (6144-bit MODP). */
  public static readonly GROUP_17 = new VpnDhGroup(17);
  /** Group 18 (8192-bit MODP). */
  public static readonly GROUP_18 = new VpnDhGroup(18);
  /** Group 19 (256-bit random ECP). */
  public static readonly GROUP_19 = new VpnDhGroup(19);
  /** Group 20 (384-bit random ECP). */
  public static readonly GROUP_20 = new VpnDhGroup(20);
  /** Group 21 (521-bit random ECP). */
  public static readonly GROUP_21 = new VpnDhGroup(21);
  /** Group 22 (1024-bit MODP with 160-bit prime order subgroup). */
  public static readonly GROUP_22 = new VpnDhGroup(22);
  /** Group 23 (2048-bit MODP with 224-bit prime order subgroup). */
  public static readonly GROUP_23 = new VpnDhGroup(23);
  /** Group 24 (2048-bit MODP with 256-bit prime order subgroup). */
  public static readonly GROUP_24 = new VpnDhGroup(24);

  /**
   * A group by number. A literal must be in AWS's list for the phase it is
   * used in (phase 1: 2, 14-24; phase 2: 2, 5, 14-24) or synth fails.
   */
  public static of(groupNumber: number): VpnDhGroup {
    return new VpnDhGroup(groupNumber);
  }

  private constructor(
    /** The group number. */
    public readonly value: number) {}
}

/** An IKE version a tunnel may use. */
export class VpnIkeVersion {
  /** IKEv1. */
  public static readonly IKEV1 = new VpnIkeVersion('ikev1');
  /** IKEv2. */
  public static readonly IKEV2 = new VpnIkeVersion('ikev2');

  /** A version by its AWS name ('ikev1' or 'ikev2'); any other literal fails synth. */
  public static of(name: string): VpnIkeVersion {
    return new VpnIkeVersion(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/** What the AWS side does when dead peer detection times out. */
export class VpnDpdTimeoutAction {
  /** End the IKE session (AWS's default). */
  public static readonly CLEAR = new VpnDpdTimeoutAction('clear');
  /** Do nothing. */
  public static readonly NONE = new VpnDpdTimeoutAction('none');
  /** Restart the IKE initiation. */
  public static readonly RESTART = new VpnDpdTimeoutAction('restart');

  /** An action by its AWS name ('clear', 'none' or 'restart'); any other literal fails synth. */
  public static of(name: string): VpnDpdTimeoutAction {
    return new VpnDpdTimeoutAction(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/** Who starts the IKE negotiation of a tunnel. */
export class VpnTunnelStartupAction {
  /** The customer gateway device initiates (AWS's default). */
  public static readonly ADD = new VpnTunnelStartupAction('add');
  /** AWS initiates the IKE negotiation. */
  public static readonly START = new VpnTunnelStartupAction('start');

  /** An action by its AWS name ('add' or 'start'); any other literal fails synth. */
  public static of(name: string): VpnTunnelStartupAction {
    return new VpnTunnelStartupAction(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/** Format of the tunnel activity logs sent to CloudWatch Logs. */
export class VpnTunnelLogOutputFormat {
  /** JSON (AWS's default). */
  public static readonly JSON = new VpnTunnelLogOutputFormat('json');
  /** Plain text. */
  public static readonly TEXT = new VpnTunnelLogOutputFormat('text');

  /** A format by its AWS name ('json' or 'text'); any other literal fails synth. */
  public static of(name: string): VpnTunnelLogOutputFormat {
    return new VpnTunnelLogOutputFormat(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/** The kind of address of the customer gateway device's outside interface. */
export class VpnOutsideIpAddressType {
  /** A public IPv4 address (AWS's default). */
  public static readonly PUBLIC_IPV4 = new VpnOutsideIpAddressType('PublicIpv4');
  /**
   * A private IPv4 address, over AWS Direct Connect: needs a transit gateway
   * and `transportTransitGatewayAttachmentId`.
   */
  public static readonly PRIVATE_IPV4 = new VpnOutsideIpAddressType('PrivateIpv4');
  /** An IPv6 address. */
  public static readonly IPV6 = new VpnOutsideIpAddressType('Ipv6');

  /** A type by its AWS name ('PublicIpv4', 'PrivateIpv4' or 'Ipv6'); any other literal fails synth. */
  public static of(name: string): VpnOutsideIpAddressType {
    return new VpnOutsideIpAddressType(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/** Whether the tunnels carry IPv4 or IPv6 traffic. */
export class VpnTunnelInsideIpVersion {
  /** IPv4 traffic (AWS's default). */
  public static readonly IPV4 = new VpnTunnelInsideIpVersion('ipv4');
  /** IPv6 traffic; transit gateways only. */
  public static readonly IPV6 = new VpnTunnelInsideIpVersion('ipv6');

  /** A version by its AWS name ('ipv4' or 'ipv6'); any other literal fails synth. */
  public static of(name: string): VpnTunnelInsideIpVersion {
    return new VpnTunnelInsideIpVersion(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/** The throughput capacity of each tunnel of a connection. */
export class VpnTunnelBandwidth {
  /** Up to 1.25 Gbps per tunnel (AWS's default). */
  public static readonly STANDARD = new VpnTunnelBandwidth('standard');
  /** Up to 5 Gbps per tunnel; transit gateway (and Cloud WAN) connections only. */
  public static readonly LARGE = new VpnTunnelBandwidth('large');

  /** A bandwidth by its AWS name ('standard' or 'large'); any other literal fails synth. */
  public static of(name: string): VpnTunnelBandwidth {
    return new VpnTunnelBandwidth(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/** Where AWS keeps the pre-shared keys it generates. */
export class VpnPreSharedKeyStorage {
  /** Inside the Site-to-Site VPN service (AWS's default). */
  public static readonly STANDARD = new VpnPreSharedKeyStorage('Standard');
  /**
   * In an AWS Secrets Manager secret that AWS creates and owns (through the
   * AWSServiceRoleForVPCS2SVPN service-linked role); its ARN is the
   * connection's `preSharedKeyArn`.
   */
  public static readonly SECRETS_MANAGER = new VpnPreSharedKeyStorage('SecretsManager');

  /** A storage mode by its AWS name ('Standard' or 'SecretsManager'); any other literal fails synth. */
  public static of(name: string): VpnPreSharedKeyStorage {
    return new VpnPreSharedKeyStorage(name);
  }

  private constructor(
    /** The name the EC2 API uses. */
    public readonly value: string) {}
}

/**
 * The options of one tunnel of a site-to-site VPN connection. Every option
 * left out takes AWS's default. Changing any of them later modifies the
 * tunnel in place (ModifyVpnTunnelOptions, one tunnel at a time, the other
 * tunnel staying up); the connection and its outside IP addresses are kept.
 *
 * @see https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html
 */
export interface SiteToSiteVpnTunnelOptions {
  /**
   * The inside IPv4 addresses of the tunnel: a /30 inside 169.254.0.0/16,
   * different from the other tunnel's and from those of every connection on
   * the same gateway. AWS reserves 169.254.0.0/30 to 169.254.5.0/30 and
   * 169.254.169.252/30. The AWS side takes the first host address, the
   * customer gateway the second.
   *
   * @default - AWS picks a free /30
   */
  readonly insideCidr?: string;

  /**
   * The inside IPv6 addresses of the tunnel: a /126 inside fd00::/8. Only with
   * `tunnelInsideIpVersion: VpnTunnelInsideIpVersion.IPV6`.
   *
   * @default - AWS picks a free /126 when the tunnels carry IPv6
   */
  readonly insideIpv6Cidr?: string;

  /**
   * The Secrets Manager secret that holds the pre-shared key. The handler
   * reads it at deploy time; the template carries only the secret's ARN.
   * AWS's rules for a key: 8 to 64 characters, letters, digits, periods and
   * underscores, not starting with 0. The construct cannot see the key, so
   * AWS checks them and a bad key fails the deploy with AWS's message (the
   * key itself is never echoed).
   *
   * A new key source (a new secret, a new `preSharedKeyField` or a new
   * `preSharedKeyVersion`) is applied in place, one tunnel at a time. A new
   * value put into the same secret is invisible to the template and is not
   * applied: rotate by changing `preSharedKeyVersion` (see the README).
   *
   * @default - AWS generates the key
   */
  readonly preSharedKey?: secretsmanager.ISecret;

  /**
   * The JSON field of `preSharedKey` that holds the key, when the secret is
   * a JSON object.
   *
   * @default - the whole secret string is the key
   */
  readonly preSharedKeyField?: string;

  /**
   * The version of `preSharedKey` that holds the key: a version id (the
   * UUID Secrets Manager gave the version) or a staging label (AWSCURRENT,
   * AWSPENDING or one of your own). Only with `preSharedKey`.
   *
   * This is how a key is rotated under the same secret and field: put the
   * new key into the secret as a new version, set this to its version id
   * (or to a label that names it) and deploy. The handler reads that version
   * and modifies the tunnel in place (ModifyVpnTunnelOptions with the new
   * key), one tunnel at a time: the second tunnel is modified only once the
   * first is UP again. Deploying the same value again changes nothing. The
   * key itself never reaches the template, a log or a failure message.
   *
   * @default - the AWSCURRENT version, read when the key source changes
   */
  readonly preSharedKeyVersion?: string;

  /**
   * Lifetime of the IKE phase 1 security association: 900 to 28,800 seconds,
   * longer than `phase2Lifetime`.
   *
   * @default Duration.seconds(28800)
   */
  readonly phase1Lifetime?: Duration;

  /**
   * Lifetime of the IKE phase 2 security association: 900 to 3,600 seconds,
   * shorter than `phase1Lifetime`.
   *
   * @default Duration.seconds(3600)
   */
  readonly phase2Lifetime?: Duration;

  /**
   * How long before the phase 2 lifetime ends the AWS side rekeys: at least
   * 60 seconds and at most half of `phase2Lifetime`.
   *
   * @default Duration.seconds(270)
   */
  readonly rekeyMargin?: Duration;

  /**
   * The percentage of the rekey window (`rekeyMargin`) in which the rekey
   * time is picked at random: 0 to 100.
   *
   * @default 100
   */
  readonly rekeyFuzzPercentage?: number;

  /**
   * The number of packets in the IKE replay window: 64 to 2,048.
   *
   * @default 1024
   */
  readonly replayWindowSize?: number;

  /**
   * The time after which dead peer detection times out: at least 30 seconds.
   *
   * @default Duration.seconds(30)
   */
  readonly dpdTimeout?: Duration;

  /**
   * What the AWS side does when dead peer detection times out.
   *
   * @default VpnDpdTimeoutAction.CLEAR
   */
  readonly dpdTimeoutAction?: VpnDpdTimeoutAction;

  /**
   * The encryption algorithms allowed in phase 1.
   *
   * @default - all four of AWS's algorithms
   */
  readonly phase1EncryptionAlgorithms?: VpnEncryptionAlgorithm[];

  /**
   * The encryption algorithms allowed in phase 2.
   *
   * @default - all four of AWS's algorithms
   */
  readonly phase2EncryptionAlgorithms?: VpnEncryptionAlgorithm[];

  /**
   * The integrity algorithms allowed in phase 1.
   *
   * @default - all four of AWS's algorithms
   */
  readonly phase1IntegrityAlgorithms?: VpnIntegrityAlgorithm[];

  /**
   * The integrity algorithms allowed in phase 2.
   *
   * @default - all four of AWS's algorithms
   */
  readonly phase2IntegrityAlgorithms?: VpnIntegrityAlgorithm[];

  /**
   * The Diffie-Hellman groups allowed in phase 1 (2, 14-24).
   *
   * @default - all of AWS's phase 1 groups
   */
  readonly phase1DhGroups?: VpnDhGroup[];

  /**
   * The Diffie-Hellman groups allowed in phase 2 (2, 5, 14-24).
   *
   * @default - all of AWS's phase 2 groups
   */
  readonly phase2DhGroups?: VpnDhGroup[];

  /**
   * The IKE versions allowed.
   *
   * @default - IKEv1 and IKEv2
   */
  readonly ikeVersions?: VpnIkeVersion[];

  /**
   * Who starts the IKE negotiation.
   *
   * @default VpnTunnelStartupAction.ADD - the customer gateway device
   */
  readonly startupAction?: VpnTunnelStartupAction;

  /**
   * Let you control when AWS replaces the tunnel endpoint for maintenance
   * (tunnel endpoint lifecycle control).
   *
   * @default false
   * @see https://docs.aws.amazon.com/vpn/latest/s2svpn/tunnel-endpoint-lifecycle.html
   */
  readonly enableTunnelLifecycleControl?: boolean;

  /**
   * The log group the tunnel's activity logs (IKE, IPsec, dead peer
   * detection) are sent to. The handler is granted the CloudWatch Logs
   * delivery permissions AWS documents for vended logs; AWS adds a resource
   * policy to the log group if it needs one.
   *
   * @default - no tunnel logs
   * @see https://docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-logs.html
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * Format of the tunnel logs. Only with `logGroup`.
   *
   * @default VpnTunnelLogOutputFormat.JSON
   */
  readonly logOutputFormat?: VpnTunnelLogOutputFormat;

  /**
   * The log group the tunnel's BGP logs (session state changes, route
   * updates; a separate stream from the activity logs of `logGroup`) are
   * sent to. It may be the same group as `logGroup`. The handler gets the
   * same vended-log delivery permissions as for `logGroup`. Changing it
   * modifies the tunnel in place.
   *
   * @default - no BGP logs
   * @see https://docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-logs.html
   */
  readonly bgpLogGroup?: logs.ILogGroup;

  /**
   * Format of the BGP logs. Only with `bgpLogGroup`.
   *
   * @default VpnTunnelLogOutputFormat.JSON
   */
  readonly bgpLogOutputFormat?: VpnTunnelLogOutputFormat;
}
