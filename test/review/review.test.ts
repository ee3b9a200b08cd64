import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { App, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import { ClientVpnAuthorizations, NetworkAccessReview, ReviewSeverity } from '../../src';
import { readAssembly } from '../../src/review/private/assembly';
import { ReviewConfigurationError, reviewStacks } from '../../src/review/private/engine';
import { renderMarkdown } from '../../src/review/private/markdown';
import { NetworkAccessReportJson } from '../../src/review/private/report-types';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'schemas', 'network-access-report.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

const ACCOUNT = '111111111111';
const CERT = 'arn:aws:acm:eu-west-1:111111111111:certificate/11111111-1111-1111-1111-111111111111';

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'review-'));
}

/** Synthesize an app built by `build` and review its assembly as the CLI would. */
function review(build: (app: App) => void): NetworkAccessReportJson {
  const app = new App({ outdir: outdir() });
  build(app);
  const assembly = app.synth();
  const report = reviewStacks(readAssembly(assembly.directory));
  expect(validate(report)).toBe(true);
  return report;
}

function stackWithEndpoint(app: App, id = 'Net', authorizeAll = false) {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16') });
  const endpoint = vpc.addClientVpnEndpoint('Endpoint', {
    cidr: '10.100.0.0/22', serverCertificateArn: CERT, clientCertificateArn: CERT, authorizeAllUsersToVpcCidr: authorizeAll,
  });
  return { stack, vpc, endpoint };
}

function ids(report: NetworkAccessReportJson): string[] {
  return report.findings.map(f => f.ruleId);
}

describe('effective access of an app', () => {
  test('Client VPN: longest prefix, routes from the association, rules from our construct and L1s', () => {
    const report = review(app => {
      const { stack, endpoint } = stackWithEndpoint(app);
      const access = new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpoint: endpoint });
      access.allowGroup('engineering', '10.0.0.0/16');
      access.allowGroup('finance', '10.0.128.0/20');
      new ec2.CfnClientVpnAuthorizationRule(stack, 'Printers', {
        clientVpnEndpointId: endpoint.endpointId, targetNetworkCidr: '192.168.10.0/24', authorizeAllGroups: true,
      });
      new ec2.CfnClientVpnRoute(stack, 'PrinterRoute', {
        clientVpnEndpointId: endpoint.endpointId, destinationCidrBlock: '192.168.10.0/24', targetVpcSubnetId: 'subnet-12345678',
      });
    });
    const endpoint = report.stacks[0].clientVpnEndpoints[0];
    expect(endpoint.key).toBe('client-vpn:10.100.0.0/22');
    expect(endpoint.constructPath).toBe('Net/Vpc/Endpoint');
    expect(endpoint.routes).toEqual(['10.0.0.0/16', '192.168.10.0/24']);
    const by = Object.fromEntries(endpoint.principals.map(p => [p.principal, p]));
    expect(by.engineering.reachable).toEqual(['10.0.0.0/17', '10.0.144.0/20', '10.0.160.0/19', '10.0.192.0/18', '192.168.10.0/24']);
    expect(by.finance.reachable).toEqual(['10.0.128.0/20', '192.168.10.0/24']);
    expect(by['*'].reachable).toEqual(['192.168.10.0/24']);
    expect(endpoint.rules.map(r => [r.cidr, r.principal, r.source, r.constructPath])).toEqual([
      ['10.0.0.0/16', 'engineering', 'cdk-network-access', 'Net/Access'],
      ['10.0.128.0/20', 'finance', 'cdk-network-access', 'Net/Access'],
      ['192.168.10.0/24', '*', 'cloudformation', 'Net/Printers'],
    ]);
  });

  test('a cross-stack endpoint reference is resolved through the export', () => {
    const report = review(app => {
      const { endpoint } = stackWithEndpoint(app);
      const teams = new Stack(app, 'Teams', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      new ClientVpnAuthorizations(teams, 'Access', { clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.1.0/24', groupId: 'ops' }] });
    });
    const net = report.stacks.find(s => s.stack === 'Net')!;
    expect(net.clientVpnEndpoints).toHaveLength(1);
    expect(net.clientVpnEndpoints[0].rules[0]).toMatchObject({ stack: 'Teams', constructPath: 'Teams/Access', principal: 'ops' });
    expect(report.unknowns).toEqual([]);
  });

  test('an unresolvable reference is an explicit unknown with its construct path, never guessed', () => {
    const report = review(app => {
      const { stack, endpoint } = stackWithEndpoint(app);
      const cidr = new CfnParameter(stack, 'OfficeCidr', { type: 'String' });
      new ec2.CfnClientVpnAuthorizationRule(stack, 'Office', {
        clientVpnEndpointId: endpoint.endpointId, targetNetworkCidr: cidr.valueAsString, accessGroupId: 'office',
      });
      new ec2.CfnClientVpnAuthorizationRule(stack, 'Imported', {
        clientVpnEndpointId: Fn.importValue('SharedEndpointId'), targetNetworkCidr: '10.9.0.0/16', accessGroupId: 'x',
      });
    });
    expect(report.unknowns.map(u => [u.constructPath, u.property, u.reason])).toEqual([
      ['Net/Imported', 'ClientVpnEndpointId', "Fn::ImportValue of export 'SharedEndpointId', which no stack of the assembly declares"],
      ['Net/Office', 'TargetNetworkCidr', 'Ref to parameter OfficeCidr, whose value is given at deploy'],
    ]);
    expect(report.summary.unknowns).toBe(2);
    const all = report.stacks[0].clientVpnEndpoints;
    expect(all.flatMap(e => e.rules).map(r => r.principal)).toEqual(['x']);
    expect(all.find(e => e.key.startsWith('client-vpn:unresolved:'))!.routesKnown).toBe(false);
  });

  test('security groups: inline and standalone, IPv4 and IPv6, source groups, prefix lists, merged ports', () => {
    const report = review(app => {
      const { stack, vpc } = stackWithEndpoint(app);
      const web = new ec2.SecurityGroup(stack, 'Web', { vpc, securityGroupName: 'web' });
      const app1 = new ec2.SecurityGroup(stack, 'App', { vpc, securityGroupName: 'app' });
      app1.addIngressRule(web, ec2.Port.tcpRange(8000, 8080));
      app1.addIngressRule(web, ec2.Port.tcp(8081));
      app1.addIngressRule(ec2.Peer.ipv6('2001:db8::/32'), ec2.Port.tcp(443));
      app1.addIngressRule(ec2.Peer.prefixList('pl-12345678'), ec2.Port.tcp(22));
      new ec2.CfnSecurityGroup(stack, 'Inline', {
        groupDescription: 'inline', vpcId: vpc.vpcId, securityGroupIngress: [{ ipProtocol: '6', fromPort: 5432, toPort: 5432, cidrIp: '10.1.0.0/16' }],
      });
    });
    const groups = Object.fromEntries(report.stacks[0].securityGroups.map(g => [g.key, g]));
    expect(groups['security-group:app'].access).toEqual([
      { source: { kind: 'cidr', id: '2001:db8::/32' }, protocol: 'tcp', ports: ['443'] },
      { source: { kind: 'prefix-list', id: 'pl-12345678' }, protocol: 'tcp', ports: ['22'] },
      { source: { kind: 'security-group', id: 'security-group:web' }, protocol: 'tcp', ports: ['8000-8081'] },
    ]);
    expect(groups['security-group:Inline'].access).toEqual([{ source: { kind: 'cidr', id: '10.1.0.0/16' }, protocol: 'tcp', ports: ['5432'] }]);
  });

  test('cache security group ingress from our construct names the owner', () => {
    const report = review(app => {
      const stack = new Stack(app, 'Cache', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      const group = new elasticache.CfnSecurityGroup(stack, 'Legacy', { description: 'legacy' });
      new elasticache.CfnSecurityGroupIngress(stack, 'Mine', { cacheSecurityGroupName: group.ref, ec2SecurityGroupName: 'app' });
      new elasticache.CfnSecurityGroupIngress(stack, 'Theirs', {
        cacheSecurityGroupName: group.ref, ec2SecurityGroupName: 'partner', ec2SecurityGroupOwnerId: '222222222222',
      });
    });
    expect(report.stacks[0].cacheSecurityGroups[0].ingress.map(i => [i.ec2SecurityGroupName, i.ownerId, i.crossAccount]))
      .toEqual([['app', 'self', false], ['partner', '222222222222', true]]);
    expect(ids(report)).toEqual(['NA-CACHE-CROSS-ACCOUNT']);
  });
});

describe('findings: each has a case that triggers it and one that does not', () => {
  const cases: Array<{ rule: string; triggers: (app: App) => void; clean: (app: App) => void }> = [
    {
      rule: 'NA-SG-OPEN-INGRESS',
      triggers: app => {
        const { stack, vpc } = stackWithEndpoint(app);
        new ec2.SecurityGroup(stack, 'Web', { vpc }).addIngressRule(ec2.Peer.ipv6('0::0/0'), ec2.Port.tcp(443));
      },
      // Text that looks like /0 but is not every address.
      clean: app => {
        const { stack, vpc } = stackWithEndpoint(app);
        new ec2.SecurityGroup(stack, 'Web', { vpc }).addIngressRule(ec2.Peer.ipv4('10.0.0.0/10'), ec2.Port.tcp(443));
      },
    },
    {
      rule: 'NA-CVPN-ALL-USERS-BROAD',
      triggers: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.0.0/8', allUsers: true }] });
      },
      clean: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.0.0/16', allUsers: true }] });
      },
    },
    {
      rule: 'NA-CVPN-SHADOWED',
      triggers: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        new ClientVpnAuthorizations(stack, 'A', {
          clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.0.0/16', groupId: 'a' }, { cidr: '10.0.1.0/24', groupId: 'b' }],
        });
      },
      clean: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        new ClientVpnAuthorizations(stack, 'A', {
          clientVpnEndpoint: endpoint,
          rules: [{ cidr: '10.0.0.0/16', groupId: 'a' }, { cidr: '10.0.1.0/24', groupId: 'b' }, { cidr: '10.0.1.0/24', groupId: 'a' }],
        });
      },
    },
    {
      rule: 'NA-CVPN-AUTHORIZE-ALL-VPC',
      triggers: app => { stackWithEndpoint(app, 'Net', true); },
      clean: app => { stackWithEndpoint(app, 'Net', false); },
    },
    {
      rule: 'NA-CVPN-NO-ROUTE',
      triggers: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpoint: endpoint, rules: [{ cidr: '172.16.0.0/24', groupId: 'a' }] });
      },
      clean: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.0.0/24', groupId: 'a' }] });
      },
    },
    {
      rule: 'NA-CVPN-UNAUTHORIZED-ROUTE',
      triggers: app => {
        const { endpoint } = stackWithEndpoint(app);
        endpoint.addRoute('Office', { cidr: '172.16.0.0/24', target: ec2.ClientVpnRouteTarget.local() });
      },
      clean: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        endpoint.addRoute('Office', { cidr: '172.16.0.0/24', target: ec2.ClientVpnRouteTarget.local() });
        new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpoint: endpoint, rules: [{ cidr: '172.16.0.0/24', groupId: 'a' }] });
      },
    },
    {
      rule: 'NA-DUPLICATE-GRANT',
      triggers: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.0.0/16', groupId: 'a' }, { cidr: '10.0.2.0/24', groupId: 'a' }] });
      },
      clean: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        // Not redundant: without a's /24, b's /24 would take it from a.
        new ClientVpnAuthorizations(stack, 'A', {
          clientVpnEndpoint: endpoint,
          rules: [{ cidr: '10.0.0.0/16', groupId: 'a' }, { cidr: '10.0.2.0/24', groupId: 'a' }, { cidr: '10.0.2.0/24', groupId: 'b' }],
        });
      },
    },
    {
      rule: 'NA-VPN-DEFAULT-ROUTE',
      triggers: app => vpnApp(app, '0.0.0.0/0'),
      clean: app => vpnApp(app, '192.168.0.0/16'),
    },
    {
      rule: 'NA-MALFORMED-RULE',
      triggers: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        const rule = new ec2.CfnClientVpnAuthorizationRule(stack, 'Bad', {
          clientVpnEndpointId: endpoint.endpointId, targetNetworkCidr: '10.0.0.0/16', accessGroupId: 'a',
        });
        rule.addPropertyOverride('TargetNetworkCidr', '10.0.0.0/33');
      },
      clean: app => {
        const { stack, endpoint } = stackWithEndpoint(app);
        new ec2.CfnClientVpnAuthorizationRule(stack, 'Good', {
          clientVpnEndpointId: endpoint.endpointId, targetNetworkCidr: '10.0.0.0/16', accessGroupId: 'a',
        });
      },
    },
    {
      rule: 'NA-PLAINTEXT-PSK',
      triggers: app => vpnApp(app, '192.168.0.0/16', 'correct-horse-battery'),
      clean: app => vpnApp(app, '192.168.0.0/16', '{{resolve:secretsmanager:vpn-psk:SecretString:tunnel1}}'),
    },
  ];

  test.each(cases)('$rule', ({ rule, triggers, clean }) => {
    const hit = review(triggers);
    expect(ids(hit)).toContain(rule);
    const finding = hit.findings.find(f => f.ruleId === rule)!;
    expect(finding.message).not.toMatch(/\n/);
    expect(ids(review(clean))).not.toContain(rule);
  });

  test('the shadowing finding names the group, the network it loses and the rule that takes it', () => {
    const report = review(cases.find(c => c.rule === 'NA-CVPN-SHADOWED')!.triggers);
    expect(report.findings.find(f => f.ruleId === 'NA-CVPN-SHADOWED')!.message).toBe(
      "group 'a' loses 10.0.1.0/24 of its rule 10.0.0.0/16: the more specific rule 10.0.1.0/24 for group 'b' (Net/A) takes it (longest prefix wins)");
  });

  test('a plaintext pre-shared key is named by where it is, never by what it is', () => {
    const report = review(app => vpnApp(app, '192.168.0.0/16', 'correct-horse-battery'));
    const text = JSON.stringify(report) + renderMarkdown(report);
    expect(text).toContain('NA-PLAINTEXT-PSK');
    expect(text).not.toContain('correct-horse-battery');
    expect(report.stacks[0].vpnConnections[0].preSharedKeys).toBe('plaintext-in-template');
  });
});

function vpnApp(app: App, route: string, psk?: string): void {
  const stack = new Stack(app, 'Vpn', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const cgw = new ec2.CfnCustomerGateway(stack, 'Cgw', { bgpAsn: 65000, ipAddress: '203.0.113.10', type: 'ipsec.1' });
  const vgw = new ec2.CfnVPNGateway(stack, 'Vgw', { type: 'ipsec.1' });
  const vpn = new ec2.CfnVPNConnection(stack, 'Vpn', {
    customerGatewayId: cgw.ref,
    vpnGatewayId: vgw.ref,
    type: 'ipsec.1',
    staticRoutesOnly: true,
    ...(psk ? { vpnTunnelOptionsSpecifications: [{ preSharedKey: psk }] } : {}),
  });
  new ec2.CfnVPNConnectionRoute(stack, 'Route', { vpnConnectionId: vpn.ref, destinationCidrBlock: route });
}

describe('suppressions', () => {
  const openIngress = (app: App) => {
    const { stack, vpc } = stackWithEndpoint(app);
    const sg = new ec2.SecurityGroup(stack, 'Web', { vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    return sg;
  };

  test('a suppression with a reason moves the finding to the suppressed list', () => {
    const report = review(app => {
      NetworkAccessReview.suppress(openIngress(app), [{ ruleId: 'NA-SG-OPEN-INGRESS', reason: 'The public web tier' }]);
    });
    expect(ids(report)).not.toContain('NA-SG-OPEN-INGRESS');
    expect(report.suppressed.map(s => [s.ruleId, s.reason, s.constructPath])).toEqual([['NA-SG-OPEN-INGRESS', 'The public web tier', 'Net/Web']]);
    expect(report.summary.suppressed).toBe(1);
    expect(renderMarkdown(report)).toContain('| The public web tier |');
  });

  test('an unknown rule id or an empty reason is an error naming it', () => {
    const app = new App();
    const sg = openIngress(app);
    expect(() => NetworkAccessReview.suppress(sg, [{ ruleId: 'NA-NOPE', reason: 'x' }])).toThrow(/unknown review rule id 'NA-NOPE'/);
    expect(() => NetworkAccessReview.suppress(sg, [{ ruleId: 'NA-SG-OPEN-INGRESS', reason: ' ' }])).toThrow(/needs a reason/);
  });

  test('an unknown rule id written by an escape hatch fails the review, naming the construct', () => {
    const app = new App({ outdir: outdir() });
    const sg = openIngress(app);
    (sg.node.defaultChild as ec2.CfnSecurityGroup).addMetadata('cdk_network_access', { rules_to_suppress: [{ id: 'NA-TYPO', reason: 'r' }] });
    const dir = app.synth().directory;
    expect(() => reviewStacks(readAssembly(dir))).toThrow(ReviewConfigurationError);
    expect(() => reviewStacks(readAssembly(dir))).toThrow("Net/Web: suppression names unknown review rule id 'NA-TYPO'");
  });
});

describe('NetworkAccessReview.of(app)', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  test('writes network-access.json (valid against the schema) and .md into the assembly, once', () => {
    const app = new App({ outdir: outdir() });
    expect(NetworkAccessReview.of(app)).toBe(NetworkAccessReview.of(app));
    stackWithEndpoint(app, 'Net', true);
    const dir = app.synth().directory;
    const json = JSON.parse(fs.readFileSync(path.join(dir, NetworkAccessReview.REPORT_JSON_FILE), 'utf8'));
    expect(validate(json)).toBe(true);
    expect(json).toEqual(reviewStacks(readAssembly(dir)));
    const md = fs.readFileSync(path.join(dir, NetworkAccessReview.REPORT_MARKDOWN_FILE), 'utf8');
    expect(md).toContain('NA-CVPN-AUTHORIZE-ALL-VPC');
    expect(md).toContain('```mermaid');
    // Without failOn it is not a plugin: CDK would only print "success".
    expect(app.policyValidationBeta1).toHaveLength(0);
  });

  test('joins the policy validation plugins with failOn, or without files, never twice', () => {
    const gated = new App({ outdir: outdir() });
    NetworkAccessReview.of(gated, { failOn: ReviewSeverity.HIGH });
    NetworkAccessReview.of(gated, { failOn: ReviewSeverity.HIGH });
    expect(gated.policyValidationBeta1.filter(p => p instanceof NetworkAccessReview)).toHaveLength(1);

    const dir = outdir();
    const quiet = new App({ outdir: dir });
    NetworkAccessReview.of(quiet, { writeReport: false });
    expect(quiet.policyValidationBeta1.filter(p => p instanceof NetworkAccessReview)).toHaveLength(1);
    stackWithEndpoint(quiet, 'Net', true);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    quiet.synth();
    const printed = err.mock.calls.flat().join('\n');
    log.mockRestore();
    err.mockRestore();
    expect(fs.existsSync(path.join(dir, NetworkAccessReview.REPORT_JSON_FILE))).toBe(false);
    expect(printed).toContain('cdk-network-access');
    expect(process.exitCode).toBeUndefined();
  });

  test('annotate: each unsuppressed finding is a synth annotation on its resource, the same findings as the report', () => {
    const app = new App({ outdir: outdir() });
    NetworkAccessReview.of(app, { annotate: true });
    const { stack, endpoint } = stackWithEndpoint(app, 'Net', true);
    const access = new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpoint: endpoint });
    access.allowGroup('engineering', '10.0.0.0/16');
    access.allowGroup('engineering', '10.0.1.0/24'); // redundant: NA-DUPLICATE-GRANT (low)
    const sg = new ec2.SecurityGroup(stack, 'Bastion', { vpc: stack.node.findChild('Vpc') as ec2.Vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    NetworkAccessReview.suppress(sg, [{ ruleId: 'NA-SG-OPEN-INGRESS', reason: 'a bastion, accepted' }]);
    const dir = app.synth().directory;
    const report = JSON.parse(fs.readFileSync(path.join(dir, NetworkAccessReview.REPORT_JSON_FILE), 'utf8')) as NetworkAccessReportJson;
    expect(ids(report)).toEqual(expect.arrayContaining(['NA-CVPN-AUTHORIZE-ALL-VPC', 'NA-DUPLICATE-GRANT']));
    expect(report.suppressed.map(f => f.ruleId)).toEqual(['NA-SG-OPEN-INGRESS']);

    const annotations = Annotations.fromStack(stack);
    const serious = report.findings.filter(f => f.severity !== 'low' && f.severity !== 'info');
    const minor = report.findings.filter(f => f.severity === 'low' || f.severity === 'info');
    expect(serious.length).toBeGreaterThan(0);
    expect(minor.length).toBeGreaterThan(0);
    const warnings = annotations.findWarning('*', Match.stringLikeRegexp('NA-'));
    expect(warnings.map(w => [w.id, w.entry.data]).sort()).toEqual(serious.map(f => [
      `/${f.constructPath}`, `${f.ruleId} (${f.severity}): ${f.message} [ack: cdk-network-access:${f.ruleId}]`,
    ]).sort());
    const infos = annotations.findInfo('*', Match.stringLikeRegexp('NA-'));
    expect(infos.map(i => [i.id, i.entry.data]).sort()).toEqual(minor.map(f => [
      `/${f.constructPath}`, `[cdk-network-access:${f.ruleId}] ${f.ruleId} (${f.severity}): ${f.message}`,
    ]).sort());
    // Without stack traces (they would point into the review), and the switch is put back.
    expect([...warnings, ...infos].map(w => w.entry.trace)).toEqual([...warnings, ...infos].map(() => undefined));
    expect(process.env.CDK_DISABLE_STACK_TRACE).toBeUndefined();
    // The suppressed finding is not annotated.
    expect(JSON.stringify(annotations.findWarning('*', Match.anyValue()))).not.toContain('NA-SG-OPEN-INGRESS');
  });

  test('annotate on an aws-cdk-lib that cannot render templates in memory: a validation error saying so', () => {
    const app = new App({ outdir: outdir() });
    NetworkAccessReview.of(app, { annotate: true });
    stackWithEndpoint(app, 'Net', true);
    const proto = Stack.prototype as unknown as { _toCloudFormation?: unknown };
    const original = proto._toCloudFormation;
    proto._toCloudFormation = undefined;
    try {
      expect(() => app.synth()).toThrow(/annotate needs Stack._toCloudFormation, which this aws-cdk-lib does not have/);
    } finally {
      proto._toCloudFormation = original;
    }
  });

  test('without annotate, no finding becomes an annotation', () => {
    const app = new App({ outdir: outdir() });
    NetworkAccessReview.of(app);
    const { stack } = stackWithEndpoint(app, 'Net', true);
    app.synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('NA-'))).toEqual([]);
  });

  test('as a policy validation plugin: failOn turns a finding at that severity into a failed validation', () => {
    const dir = outdir();
    const app = new App({ outdir: dir });
    const plugin = new NetworkAccessReview({ failOn: ReviewSeverity.MEDIUM });
    stackWithEndpoint(app, 'Net', true);
    app.synth();
    const result = plugin.validate({ templatePaths: [path.join(dir, 'Net.template.json')] });
    expect(result.success).toBe(false);
    expect(result.violations.map(v => [v.ruleName, v.severity, v.violatingResources[0].resourceLogicalId]))
      .toEqual([['NA-CVPN-AUTHORIZE-ALL-VPC', 'medium', expect.stringMatching(/^VpcEndpointAuthorizeAll/)]]);
    const lenient = new NetworkAccessReview({ failOn: ReviewSeverity.HIGH }).validate({ templatePaths: [path.join(dir, 'Net.template.json')] });
    expect(lenient.success).toBe(true);
  });

  test('failOn fails synthesis through CDK\'s own validation report', () => {
    const app = new App({ outdir: outdir() });
    NetworkAccessReview.of(app, { failOn: ReviewSeverity.MEDIUM });
    stackWithEndpoint(app, 'Net', true);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    app.synth();
    const printed = err.mock.calls.flat().join('\n');
    log.mockRestore();
    err.mockRestore();
    expect(process.exitCode).toBe(1);
    expect(printed).toContain('NA-CVPN-AUTHORIZE-ALL-VPC');
  });
});

test('the example app writes its report (checked in as a snapshot)', () => {
  const dir = outdir();
  const root = path.join(__dirname, '..', '..');
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: dir };
  delete env.CDK_DEFAULT_ACCOUNT;
  delete env.CDK_DEFAULT_REGION;
  execFileSync(path.join(root, 'node_modules', '.bin', 'ts-node'), ['--project', 'tsconfig.dev.json', 'examples/app.ts'], { cwd: root, env, stdio: 'pipe' });
  const md = fs.readFileSync(path.join(dir, 'network-access.md'), 'utf8');
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'network-access.json'), 'utf8'));
  expect(validate(json)).toBe(true);
  expect(md).toBe(fs.readFileSync(path.join(root, 'examples', 'network-access.md'), 'utf8'));
});
