/**
 * The pure parts of the site-to-site VPN handler: the property parser, the
 * tunnel option comparison, the inside-address maths and the scrubbing of
 * secret values.
 */
import { hostOf } from '../../../lambda/site-to-site-vpn/attributes';
import { parseVpnProperties, replacingChanges, VpnSpec } from '../../../lambda/site-to-site-vpn/properties';
import { errorText, forgetSecrets, preSharedKeyProblem, rememberDocument, rememberSecret, scrub } from '../../../lambda/site-to-site-vpn/secrets';
import { tunnelDifference } from '../../../lambda/site-to-site-vpn/tunnel-options';
import { awsError } from '../fixtures';

const BASE = {
  SchemaVersion: '1',
  OwnerTag: 'S/V',
  CustomerGatewayId: 'cgw-1',
  VpnGatewayId: 'vgw-1',
  Type: 'ipsec.1',
  ConfigurationSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:c-AbCdEf',
};

function parse(overrides: Record<string, unknown>): ReturnType<typeof parseVpnProperties> {
  return parseVpnProperties({ ...BASE, ...overrides });
}

function spec(overrides: Record<string, unknown> = {}): VpnSpec {
  const parsed = parse(overrides);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.spec;
}

describe('parseVpnProperties', () => {
  test('CloudFormation strings become numbers, booleans and lists; defaults fill the replacing options', () => {
    const parsed = spec({
      StaticRoutesOnly: 'true',
      TunnelOptions: [{ Phase1LifetimeSeconds: '14400', Phase1DHGroupNumbers: ['14', '19'], EnableTunnelLifecycleControl: 'false', LogOptions: { LogEnabled: 'false' } }],
    });
    expect(parsed).toMatchObject({ staticRoutesOnly: true, enableAcceleration: false, tunnelInsideIpVersion: 'ipv4', outsideIpAddressType: 'PublicIpv4', preSharedKeyStorage: 'Standard' });
    expect(parsed.tunnels[0]).toEqual({
      phase1LifetimeSeconds: 14400, phase1DhGroupNumbers: [14, 19], enableTunnelLifecycleControl: false, logOptions: { enabled: false },
    });
  });

  test.each([
    [{ OwnerTag: '' }, "OwnerTag '' must be a non-empty string"],
    [{ VpnGatewayId: 'tgw-1' }, "VpnGatewayId 'tgw-1' is not a virtual private gateway id"],
    [{ EnableAcceleration: 'true' }, 'EnableAcceleration \'true\' needs a transit gateway'],
    [{ LocalIpv4NetworkCidr: '10.0.0.1/16' }, "LocalIpv4NetworkCidr '10.0.0.1/16' has host bits set"],
    [{ RemoteIpv6NetworkCidr: 'fd00::1/64' }, "RemoteIpv6NetworkCidr 'fd00::1/64' has host bits set"],
    [{ OutsideIpAddressType: 'Public' }, "OutsideIpAddressType 'Public' must be one of PublicIpv4, PrivateIpv4, Ipv6"],
    [{ TunnelOptions: [{}, {}, {}] }, 'TunnelOptions must be a list of at most 2 tunnels'],
    [{ TunnelOptions: [{ TunnelInsideCidr: '169.254.10.0/29' }] }, "TunnelOptions[0].TunnelInsideCidr '169.254.10.0/29' must be a /30 inside 169.254.0.0/16"],
    [{ TunnelOptions: [{ TunnelInsideIpv6Cidr: 'fe80::/126' }] }, "TunnelOptions[0].TunnelInsideIpv6Cidr 'fe80::/126' must be a /126 inside fd00::/8"],
    [{ TunnelOptions: [{ TunnelInsideCidr: '169.254.10.0/30' }, { TunnelInsideCidr: '169.254.10.0/30' }] }, 'both tunnels use TunnelInsideCidr'],
    [{ TunnelOptions: [{ Phase1LifetimeSeconds: 3600, Phase2LifetimeSeconds: 3600 }] }, 'Phase2LifetimeSeconds 3600 must be less than Phase1LifetimeSeconds'],
    [{ TunnelOptions: [{ RekeyMarginTimeSeconds: 1000, Phase2LifetimeSeconds: 1800 }] }, 'RekeyMarginTimeSeconds 1000 must be at most half of Phase2LifetimeSeconds'],
    [{ TunnelOptions: [{ Phase2DHGroupNumbers: [1] }] }, 'Phase2DHGroupNumbers [1] must list values from 2, 5, 14'],
    [{ TunnelOptions: [{ IKEVersions: ['ikev2', 'ikev2'] }] }, 'IKEVersions ["ikev2","ikev2"] lists a value twice'],
    [{ TunnelOptions: [{ DPDTimeoutAction: 'stop' }] }, "DPDTimeoutAction 'stop' must be one of clear, none, restart"],
    [{ TunnelOptions: [{ PreSharedKeySecretArn: 'my-secret' }] }, "PreSharedKeySecretArn 'my-secret' is not a Secrets Manager secret ARN"],
    [{ TunnelOptions: [{ PreSharedKeySecretField: 'k' }] }, 'PreSharedKeySecretField \'k\' needs PreSharedKeySecretArn'],
    [{ TunnelOptions: [{ LogOptions: { LogEnabled: 'true' } }] }, 'LogOptions.LogGroupArn is required when LogEnabled is true'],
    [{ Tags: [{ Key: 'cdk-network-access:owner', Value: 'x' }] }, "Tags[0].Key 'cdk-network-access:owner' is reserved"],
    [{ ConfigurationSecretArn: undefined }, 'ConfigurationSecretArn is required'],
  ])('%j is refused: %s', (overrides, expected) => {
    const parsed = parse(overrides);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problems.join('; ')).toContain(expected);
  });

  test('replacingChanges names what differs after normalisation only', () => {
    expect(replacingChanges(spec(), spec({ StaticRoutesOnly: 'false', OutsideIpAddressType: 'PublicIpv4' }))).toEqual([]);
    expect(replacingChanges(spec(), spec({ StaticRoutesOnly: true, PreSharedKeyStorage: 'SecretsManager' }))).toEqual(['StaticRoutesOnly', 'PreSharedKeyStorage']);
  });
});

describe('tunnelDifference', () => {
  test('matching effective values need nothing', () => {
    expect(tunnelDifference({}, { Phase1LifetimeSeconds: 28800, DpdTimeoutAction: 'clear', IkeVersions: [{ Value: 'ikev2' }, { Value: 'ikev1' }] }).options).toEqual([]);
    expect(tunnelDifference({ ikeVersions: ['ikev2', 'ikev1'] }, {}).options).toEqual([]);
  });

  test('an option dropped from the template goes back to AWS\'s default', () => {
    expect(tunnelDifference({}, { ReplayWindowSize: 64, Phase2DHGroupNumbers: [{ Value: 14 }] })).toEqual({
      options: ['ReplayWindowSize', 'Phase2DHGroupNumbers'],
      modification: { ReplayWindowSize: 1024, Phase2DHGroupNumbers: [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24].map(Value => ({ Value })) },
    });
  });

  test('inside CIDRs are compared only when declared', () => {
    expect(tunnelDifference({}, { TunnelInsideCidr: '169.254.99.0/30' }).options).toEqual([]);
    expect(tunnelDifference({ insideCidr: '169.254.10.0/30' }, { TunnelInsideCidr: '169.254.99.0/30' }).modification).toEqual({ TunnelInsideCidr: '169.254.10.0/30' });
  });

  test('logging: group and format matter only while enabled', () => {
    const arn = 'arn:aws:logs:us-east-1:123456789012:log-group:vpn';
    expect(tunnelDifference({ logOptions: { enabled: false, logGroupArn: arn } }, {}).options).toEqual([]);
    const enabledThere = { LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn } } };
    expect(tunnelDifference({ logOptions: { enabled: true, logGroupArn: arn } }, enabledThere).options).toEqual([]);
    expect(tunnelDifference({ logOptions: { enabled: true, logGroupArn: arn, outputFormat: 'text' } }, { LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn } } }).modification)
      .toEqual({ LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn, LogOutputFormat: 'text' } } });
  });

  test("logging: aws-cdk-lib's ':*' log group ARN is the same group as the described one, and is sent without the suffix", () => {
    const arn = 'arn:aws:logs:us-east-1:123456789012:log-group:vpn';
    const enabledThere = { LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn } } };
    expect(tunnelDifference({ logOptions: { enabled: true, logGroupArn: `${arn}:*` } }, enabledThere).options).toEqual([]);
    expect(tunnelDifference({ logOptions: { enabled: true, logGroupArn: `${arn}:*` } }, {}).modification)
      .toEqual({ LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn, LogOutputFormat: 'json' } } });
  });
});

describe('tunnelDifference: BGP logs', () => {
  const arn = 'arn:aws:logs:us-east-1:123456789012:log-group:vpn';
  const bgp = 'arn:aws:logs:us-east-1:123456789012:log-group:bgp';

  test('turned on: sent with its group and the default format, next to the activity logs', () => {
    const observed = { LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn } } };
    expect(tunnelDifference({ logOptions: { enabled: true, logGroupArn: arn, bgpEnabled: true, bgpLogGroupArn: `${bgp}:*` } }, observed)).toEqual({
      options: ['LogOptions'],
      modification: {
        LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn, LogOutputFormat: 'json', BgpLogEnabled: true, BgpLogGroupArn: bgp, BgpLogOutputFormat: 'json' } },
      },
    });
  });

  test('declared as described: no change; the BGP group and format do not matter while BGP logs are off', () => {
    const on = { LogOptions: { CloudWatchLogOptions: { LogEnabled: false, BgpLogEnabled: true, BgpLogGroupArn: bgp, BgpLogOutputFormat: 'text' } } };
    expect(tunnelDifference({ logOptions: { enabled: false, bgpEnabled: true, bgpLogGroupArn: bgp, bgpOutputFormat: 'text' } }, on).options).toEqual([]);
    const off = { LogOptions: { CloudWatchLogOptions: { LogEnabled: false, BgpLogEnabled: false, BgpLogGroupArn: bgp } } };
    expect(tunnelDifference({ logOptions: { enabled: false } }, off).options).toEqual([]);
  });

  test('turned off: BgpLogEnabled false is sent only where BGP logs were on', () => {
    const on = { LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn, BgpLogEnabled: true, BgpLogGroupArn: bgp } } };
    expect(tunnelDifference({ logOptions: { enabled: true, logGroupArn: arn } }, on).modification)
      .toEqual({ LogOptions: { CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: arn, LogOutputFormat: 'json', BgpLogEnabled: false } } });
  });
});

describe('hostOf', () => {
  test.each([
    ['169.254.10.0/30', 1, '169.254.10.1'],
    ['169.254.10.252/30', 2, '169.254.10.254'],
    ['fd00:0:0:1::/126', 1, 'fd00:0:0:1::1'],
    ['fd12:3456:789a:1::4/126', 2, 'fd12:3456:789a:1::6'],
    ['', 1, ''],
  ])('%s host %d is %s', (cidr, n, expected) => {
    expect(hostOf(cidr, n)).toBe(expected);
  });
});

describe('scrubbing', () => {
  afterEach(() => forgetSecrets());

  test('remembered values vanish from messages, whitespace-collapsed and truncated ones included', () => {
    rememberSecret('SuperSecretKey_1');
    rememberDocument('<config>\n  <psk>AnotherSecretKey_22</psk>\n</config>');
    expect(scrub('key SuperSecretKey_1 here')).toBe('key [secret] here');
    const echoed = awsError('InvalidParameterValue', `bad\n  <psk>AnotherSecretKey_22</psk>\n${'x'.repeat(400)}`);
    expect(errorText(echoed)).toBe(`InvalidParameterValue: bad [secret] ${'x'.repeat(300 - 'bad [secret] '.length - 3)}...`);
    forgetSecrets();
    expect(scrub('key SuperSecretKey_1 here')).toContain('SuperSecretKey_1');
  });

  test('short values are not remembered (they would scrub innocent text)', () => {
    rememberSecret('abc');
    expect(scrub('abc')).toBe('abc');
  });

  test.each(['short', '0startsWithZero', 'has space in it', 'x'.repeat(65)])('pre-shared key %s breaks AWS rules', key => {
    expect(preSharedKeyProblem(key)).toContain("does not meet AWS's rules");
  });

  test('a valid key passes', () => {
    expect(preSharedKeyProblem('Valid.Key_123')).toBeUndefined();
  });
});
