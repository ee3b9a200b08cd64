import { App, Aspects, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  AccessMechanism,
  AccessModel,
  AccessPrincipalKind,
  ClientVpnAuthorizations,
  SessionsOnRevoke,
} from '../../src';
import { SESSIONS_ON_REVOKE_NONE, SESSIONS_ON_REVOKE_TERMINATE_ALL } from '../../src/private/contract/client-vpn-authorizations';

const ENDPOINT = 'cvpn-endpoint-0123456789abcdef0';
const TYPE = 'Custom::NetworkAccessClientVpnAuthorizations';

interface PolicyResource {
  Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } };
}

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** A VPC, a Client VPN endpoint in it, and one set with one group rule. */
function endpointWithOneRuleSet(stack: Stack): ec2.ClientVpnEndpoint {
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
  const endpoint = vpc.addClientVpnEndpoint('Endpoint', {
    cidr: '10.100.0.0/16',
    serverCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/server',
    clientCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/client',
    authorizeAllUsersToVpcCidr: false,
  });
  new ClientVpnAuthorizations(stack, 'Access', {
    clientVpnEndpoint: endpoint,
    rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }],
  });
  return endpoint;
}

function rulesOf(stack: Stack): unknown[] {
  const resources = Template.fromStack(stack).findResources(TYPE);
  return Object.values(resources).map(r => (r as { Properties: { Rules: unknown } }).Properties.Rules);
}

describe('ClientVpnAuthorizations: template', () => {
  test('one custom resource carries the whole set, sorted, with schema version and endpoint', () => {
    const stack = newStack();
    const set = new ClientVpnAuthorizations(stack, 'Access', {
      clientVpnEndpointId: ENDPOINT,
      rules: [
        { cidr: '10.2.0.0/16', groupId: 'engineering', description: 'Engineering VPC' },
        { cidr: '10.1.0.0/16', allUsers: true },
      ],
    });
    set.allowGroup('ops', '10.2.0.0/16', 'Ops too');
    set.allowAllUsers('192.168.0.0/24');

    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 1);
    template.hasResourceProperties(TYPE, {
      SchemaVersion: '2',
      ClientVpnEndpointId: ENDPOINT,
      SetId: set.node.addr,
      RuleQuota: 50,
      Rules: [
        { Cidr: '10.1.0.0/16', AllGroups: true },
        { Cidr: '10.2.0.0/16', GroupId: 'engineering', Description: 'Engineering VPC' },
        { Cidr: '10.2.0.0/16', GroupId: 'ops', Description: 'Ops too' },
        { Cidr: '192.168.0.0/24', AllGroups: true },
      ],
    });
    expect(set.ruleCount).toBe(4);
  });

  test('500 rules on one endpoint are still one custom resource', () => {
    const stack = newStack();
    const set = new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpointId: ENDPOINT, ruleQuota: 500 });
    for (let i = 0; i < 500; i++) {
      set.allowGroup(`group-${i}`, `10.${Math.floor(i / 250)}.${i % 250}.0/24`);
    }
    Template.fromStack(stack).resourceCountIs(TYPE, 1);
    expect((rulesOf(stack)[0] as unknown[]).length).toBe(500);
  });

  test('an empty set is allowed and renders an empty rule list', () => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpointId: ENDPOINT });
    expect(rulesOf(stack)).toEqual([[]]);
  });

  test('an ec2.ClientVpnEndpoint is referenced and its subnet associations come first', () => {
    const stack = newStack();
    const endpoint = endpointWithOneRuleSet(stack);
    const template = Template.fromStack(stack);
    const [logicalId, resource] = Object.entries(template.findResources(TYPE))[0];
    expect(logicalId).toBeDefined();
    expect((resource as { Properties: { ClientVpnEndpointId: unknown } }).Properties.ClientVpnEndpointId)
      .toEqual({ Ref: stack.getLogicalId(endpoint.node.defaultChild as ec2.CfnClientVpnEndpoint) });
    const associations = Object.keys(template.findResources('AWS::EC2::ClientVpnTargetNetworkAssociation'));
    expect(associations.length).toBeGreaterThan(0);
    expect((resource as { DependsOn: string[] }).DependsOn).toEqual(expect.arrayContaining(associations));
  });

  test('an imported endpoint works through its id', () => {
    const stack = newStack();
    const endpoint = ec2.ClientVpnEndpoint.fromEndpointAttributes(stack, 'Imported', {
      endpointId: ENDPOINT,
      securityGroups: [],
    });
    new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.0.0/8', allUsers: true }] });
    Template.fromStack(stack).hasResourceProperties(TYPE, { ClientVpnEndpointId: ENDPOINT });
  });

  test('two sets on the same endpoint deploy one after the other; other endpoints do not wait', () => {
    const stack = newStack();
    const a = new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'a' }] });
    const b = new ClientVpnAuthorizations(stack, 'B', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'b' }] });
    const c = new ClientVpnAuthorizations(stack, 'C', { clientVpnEndpointId: 'cvpn-endpoint-0fedcba9876543210', rules: [{ cidr: '10.0.0.0/16', groupId: 'a' }] });
    const resources = Template.fromStack(stack).toJSON().Resources;
    const idOf = (s: ClientVpnAuthorizations) => stack.getLogicalId(s.resource.node.defaultChild as never);
    expect(resources[idOf(b)].DependsOn).toEqual([idOf(a)]);
    expect(resources[idOf(a)].DependsOn).toBeUndefined();
    expect(resources[idOf(c)].DependsOn).toBeUndefined();
  });

  test('the handler may mutate only the declared endpoints, and Describe is the only "*" action', () => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'a' }] });
    new ClientVpnAuthorizations(stack, 'B', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.1.0.0/16', groupId: 'a' }] });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statementsOf = (p: unknown) => (p as PolicyResource).Properties.PolicyDocument.Statement;
    const statements = Object.values(policies).flatMap(statementsOf);
    const mutate = statements.filter(s => JSON.stringify(s.Action).includes('AuthorizeClientVpnIngress'));
    expect(mutate).toEqual([{
      Action: ['ec2:AuthorizeClientVpnIngress', 'ec2:RevokeClientVpnIngress'],
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:123456789012:client-vpn-endpoint/${ENDPOINT}`]] },
    }]);
    const handlerStatements = Object.entries(policies)
      .filter(([logicalId]) => logicalId.includes('HandlerRole'))
      .flatMap(([, p]) => statementsOf(p));
    const starred = handlerStatements.filter(s => s.Resource === '*').map(s => s.Action);
    expect(starred).toEqual(['ec2:DescribeClientVpnAuthorizationRules']);
  });

  test('one provider per stack serves every set, with log groups that expire', () => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT });
    new ClientVpnAuthorizations(stack, 'B', { clientVpnEndpointId: 'cvpn-endpoint-0fedcba9876543210' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.onEvent' }, 1);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.isComplete' }, 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.isComplete',
      Environment: { Variables: { TOTAL_TIMEOUT_SECONDS: '3600' } },
    });
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(logGroups).length).toBeGreaterThanOrEqual(3);
    for (const lg of Object.values(logGroups)) {
      expect((lg as { Properties: { RetentionInDays?: number } }).Properties.RetentionInDays).toBe(365);
    }
  });

  test('tokens pass through unvalidated', () => {
    const stack = newStack();
    const cidr = Lazy.string({ produce: () => '10.9.0.0/16' });
    const group = Lazy.string({ produce: () => 'late-group' });
    const endpointId = Lazy.string({ produce: () => ENDPOINT });
    new ClientVpnAuthorizations(stack, 'Access', {
      clientVpnEndpointId: endpointId,
      rules: [{ cidr, groupId: group, description: Lazy.string({ produce: () => 'x'.repeat(300) }) }],
    });
    Template.fromStack(stack).hasResourceProperties(TYPE, {
      ClientVpnEndpointId: ENDPOINT,
      Rules: [{ Cidr: '10.9.0.0/16', GroupId: 'late-group', Description: Match.anyValue() }],
    });
  });
});

describe('ClientVpnAuthorizations: validation', () => {
  const cases: Array<[string, ConstructorParameters<typeof ClientVpnAuthorizations>[2], RegExp]> = [
    ['no endpoint', {}, /give exactly one of clientVpnEndpoint .* and clientVpnEndpointId/],
    ['both endpoints', {
      clientVpnEndpointId: ENDPOINT,
      clientVpnEndpoint: { endpointId: ENDPOINT } as ec2.IClientVpnEndpoint,
    }, /give exactly one of clientVpnEndpoint/],
    ['a malformed endpoint id', { clientVpnEndpointId: 'vpn-123' }, /clientVpnEndpointId 'vpn-123' is not a Client VPN endpoint id; it looks like 'cvpn-endpoint-/],
    ['a CIDR that is not CIDR notation', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0', allUsers: true }] },
      /cidr '10.0.0.0' is not in IPv4 CIDR notation \(a.b.c.d\/n\); write an IPv4 network such as '10.0.0.0\/16'/],
    ['an octet over 255', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.300.0/24', allUsers: true }] },
      /cidr '10.0.300.0\/24' has an invalid IPv4 address '10.0.300.0'/],
    ['a prefix over 32', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/33', allUsers: true }] },
      /cidr '10.0.0.0\/33' has prefix length \/33; IPv4 prefixes run from \/0 to \/32/],
    ['an IPv6 CIDR', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '2001:db8::/32', allUsers: true }] },
      /cidr '2001:db8::\/32' is not in IPv4 CIDR notation/],
    ['host bits set', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.5/24', groupId: 'g' }] },
      /cidr '10.0.0.5\/24' has host bits set; did you mean '10.0.0.0\/24'\?/],
    ['an empty CIDR', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: ' ', groupId: 'g' }] }, /a rule has no cidr/],
    ['group and all users both', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'g', allUsers: true }] },
      /the rule for 10.0.0.0\/16 sets both groupId 'g' and allUsers; a rule grants one group or all users: drop one of them/],
    ['neither group nor all users', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16' }] },
      /the rule for 10.0.0.0\/16 sets neither groupId nor allUsers; give groupId to allow one group, or allUsers: true/],
    ['allUsers false and no group', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', allUsers: false }] },
      /sets neither groupId nor allUsers/],
    ['an empty group id', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: '' }] },
      /the rule for 10.0.0.0\/16 has an empty groupId/],
    ['the same (CIDR, group) twice', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }, { cidr: '10.0.0.0/16', groupId: 'g', description: 'again' }] },
      /the rule for 10.0.0.0\/16 \(group 'g'\) is declared twice; keep one of them/],
    ['all users twice on one CIDR', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', allUsers: true }, { cidr: '10.0.0.0/16', allUsers: true }] },
      /the rule for 10.0.0.0\/16 \(all users\) is declared twice/],
    ['a description over 255 characters', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', allUsers: true, description: 'd'.repeat(256) }] },
      /the description of the rule for 10.0.0.0\/16 is 256 characters; Client VPN allows at most 255: shorten it/],
    ['a ruleQuota of zero', { clientVpnEndpointId: ENDPOINT, ruleQuota: 0 }, /ruleQuota 0 must be a positive whole number/],
  ];

  test.each(cases)('throws for %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new ClientVpnAuthorizations(stack, 'Access', props)).toThrow(message);
  });

  test('an error names the construct path', () => {
    const stack = newStack();
    expect(() => new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.1/8', allUsers: true }] }))
      .toThrow(/^Stack\/Access: cidr '10.0.0.1\/8'/);
  });

  test('a 255-character description and a /32 and /0 are accepted', () => {
    const stack = newStack();
    const set = new ClientVpnAuthorizations(stack, 'Access', {
      clientVpnEndpointId: ENDPOINT,
      rules: [
        { cidr: '10.0.0.0/16', allUsers: true, description: 'd'.repeat(255) },
        { cidr: '10.0.0.7/32', groupId: 'g' },
        { cidr: '0.0.0.0/0', groupId: 'g' },
      ],
    });
    expect(set.ruleCount).toBe(3);
  });

  test('a rule declared by two sets of the same endpoint fails synth, naming both', () => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }] });
    new ClientVpnAuthorizations(stack, 'B', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }] });
    expect(() => Template.fromStack(stack)).toThrow(/the rule for 10.0.0.0\/16 \(group 'g'\) on endpoint cvpn-endpoint-0123456789abcdef0 is declared by both Stack\/A and Stack\/B/);
  });

  test('more than 50 rules for one endpoint is a warning, not an error', () => {
    const stack = newStack();
    const a = new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT });
    const b = new ClientVpnAuthorizations(stack, 'B', { clientVpnEndpointId: ENDPOINT });
    for (let i = 0; i < 30; i++) {
      a.allowGroup('a', `10.0.${i}.0/24`);
      b.allowGroup('b', `10.0.${i}.0/24`);
    }
    Annotations.fromStack(stack).hasWarning('/Stack/B',
      Match.stringLikeRegexp('60 authorization rules are declared for endpoint cvpn-endpoint-0123456789abcdef0, over the quota of 50'));
  });

  test('more rules than an explicitly set ruleQuota fails synth, naming the count, the quota and where it was set', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
    const a = new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT, ruleQuota: 20 });
    const b = new ClientVpnAuthorizations(stack, 'B', { clientVpnEndpointId: ENDPOINT });
    for (let i = 0; i < 15; i++) {
      a.allowGroup('a', `10.0.${i}.0/24`);
      b.allowGroup('b', `10.0.${i}.0/24`);
    }
    expect(() => app.synth()).toThrow(
      '30 authorization rules are declared for endpoint cvpn-endpoint-0123456789abcdef0, over its ruleQuota of 20 (set on Stack/A)');
  });

  test('ruleQuota reaches the handler, which plans revokes first at the quota', () => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT, ruleQuota: 120, rules: [{ cidr: '10.0.0.0/16', allUsers: true }] });
    // A set that does not say inherits the quota another set of the endpoint declares.
    new ClientVpnAuthorizations(stack, 'B', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.1.0.0/16', allUsers: true }] });
    const sets = Template.fromStack(stack).findResources(TYPE);
    expect(Object.values(sets).map(r => [r.Properties.SchemaVersion, r.Properties.RuleQuota])).toEqual([['2', 120], ['2', 120]]);
  });

  test('50 rules, or a raised quota, give no warning', () => {
    const stack = newStack();
    const a = new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT });
    const b = new ClientVpnAuthorizations(stack, 'B', { clientVpnEndpointId: 'cvpn-endpoint-0fedcba9876543210', ruleQuota: 100 });
    for (let i = 0; i < 50; i++) {
      a.allowAllUsers(`10.0.${i}.0/24`);
      b.allowAllUsers(`10.0.${i}.0/24`);
      b.allowAllUsers(`10.1.${i}.0/24`);
    }
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('over the quota'));
  });
});

describe('ClientVpnAuthorizations: access model', () => {
  test('every rule is a grant, in a stable order', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    new ClientVpnAuthorizations(stack, 'Access', {
      clientVpnEndpointId: ENDPOINT,
      rules: [
        { cidr: '10.2.0.0/16', groupId: 'engineering', description: 'Engineering VPC' },
        { cidr: '10.1.0.0/16', allUsers: true },
      ],
    });
    expect(AccessModel.grantsIn(app)).toEqual([
      {
        principal: { kind: AccessPrincipalKind.CLIENT_VPN_ALL_USERS },
        target: { kind: 'cidr', id: '10.1.0.0/16' },
        mechanism: AccessMechanism.CLIENT_VPN_AUTHORIZATION_RULE,
        via: ENDPOINT,
        constructPath: 'Stack/Access',
        description: undefined,
      },
      {
        principal: { kind: AccessPrincipalKind.CLIENT_VPN_GROUP, id: 'engineering' },
        target: { kind: 'cidr', id: '10.2.0.0/16' },
        mechanism: AccessMechanism.CLIENT_VPN_AUTHORIZATION_RULE,
        via: ENDPOINT,
        constructPath: 'Stack/Access',
        description: 'Engineering VPC',
      },
    ]);
  });
});

describe('ClientVpnAuthorizations: sessionsOnRevoke', () => {
  const statementsOf = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap(p => (p as PolicyResource).Properties.PolicyDocument.Statement);

  test('the enum values are the wire values of the contract', () => {
    expect(SessionsOnRevoke.NONE).toBe(SESSIONS_ON_REVOKE_NONE);
    expect(SessionsOnRevoke.TERMINATE_ALL).toBe(SESSIONS_ON_REVOKE_TERMINATE_ALL);
  });

  test.each([
    ['by default', undefined],
    ['with NONE', SessionsOnRevoke.NONE],
  ])('%s the property is not written and the handler may not touch sessions', (_name, sessionsOnRevoke) => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }], sessionsOnRevoke });
    Template.fromStack(stack).hasResourceProperties(TYPE, { SessionsOnRevoke: Match.absent() });
    expect(JSON.stringify(statementsOf(stack))).not.toMatch(/ClientVpnConnections/);
  });

  test('TERMINATE_ALL writes the property and allows Describe (*) and Terminate on the endpoint only', () => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'Access', {
      clientVpnEndpointId: ENDPOINT,
      rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }],
      sessionsOnRevoke: SessionsOnRevoke.TERMINATE_ALL,
    });
    Template.fromStack(stack).hasResourceProperties(TYPE, { SessionsOnRevoke: 'terminate-all' });
    const sessions = statementsOf(stack).filter(s => JSON.stringify(s.Action).includes('ClientVpnConnections'));
    expect(sessions).toEqual([
      { Action: 'ec2:DescribeClientVpnConnections', Effect: 'Allow', Resource: '*' },
      {
        Action: 'ec2:TerminateClientVpnConnections',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:123456789012:client-vpn-endpoint/${ENDPOINT}`]] },
      },
    ]);
  });

  test('only the sets that ask for it write the property; the grant covers their endpoints only', () => {
    const stack = newStack();
    const quiet = new ClientVpnAuthorizations(stack, 'Quiet', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }] });
    new ClientVpnAuthorizations(stack, 'Strict', {
      clientVpnEndpointId: 'cvpn-endpoint-0fedcba9876543210',
      rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }],
      sessionsOnRevoke: SessionsOnRevoke.TERMINATE_ALL,
    });
    const resources = Template.fromStack(stack).toJSON().Resources;
    expect(resources[stack.getLogicalId(quiet.resource.node.defaultChild as never)].Properties.SessionsOnRevoke).toBeUndefined();
    const terminate = statementsOf(stack).filter(s => JSON.stringify(s.Action).includes('Terminate'));
    expect(terminate).toHaveLength(1);
    expect(JSON.stringify(terminate[0].Resource)).toContain('client-vpn-endpoint/cvpn-endpoint-0fedcba9876543210');
  });

  test('cdk-nag finds nothing unsuppressed with TERMINATE_ALL', () => {
    const stack = newStack();
    new ClientVpnAuthorizations(stack, 'Access', {
      clientVpnEndpointId: ENDPOINT,
      rules: [{ cidr: '10.0.0.0/16', groupId: 'g' }],
      sessionsOnRevoke: SessionsOnRevoke.TERMINATE_ALL,
    });
    Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].map(m => `${m.id}: ${m.entry.data}`)).toEqual([]);
  });
});

describe('ClientVpnAuthorizations: cdk-nag', () => {
  test('AwsSolutions finds nothing unsuppressed, and every suppression has a reason', () => {
    const stack = newStack();
    endpointWithOneRuleSet(stack);
    Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    const ours = (m: { id: string }) => m.id.includes('NetworkAccess') || m.id.includes('/Access/');
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].filter(ours).map(m => `${m.id}: ${m.entry.data}`)).toEqual([]);

    const template = Template.fromStack(stack).toJSON();
    type NagMetadata = { Metadata?: Record<string, { rules_to_suppress?: Array<{ reason: string }> }> };
    for (const [logicalId, resource] of Object.entries(template.Resources as Record<string, NagMetadata>)) {
      for (const s of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        expect({ logicalId, reasonLength: s.reason.length > 20 }).toEqual({ logicalId, reasonLength: true });
      }
    }
  });
});
