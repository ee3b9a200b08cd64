import * as path from 'path';
import { App, Aspects, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CertificateRevocationList,
  ClientVpnAuthorizations,
  ClientVpnCertificateRevocationList,
  ClientVpnRevocations,
  SessionEnforcement,
} from '../../src';

const ENDPOINT = 'cvpn-endpoint-0123456789abcdef0';
const OTHER_ENDPOINT = 'cvpn-endpoint-0fedcba9876543210';
const TYPE = 'Custom::NetworkAccessClientVpnRevocations';
const ENDPOINT_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:eu-west-1:123456789012:client-vpn-endpoint/${ENDPOINT}`]] };
const CRL_FILE = path.join(__dirname, '..', 'fixtures', 'client-vpn-crl.pem');

type Statement = Record<string, unknown>;
interface PolicyResource {
  Properties: { PolicyDocument: { Statement: Statement[] }; Roles: Array<{ Ref: string }> };
}

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function newEndpoint(stack: Stack): ec2.ClientVpnEndpoint {
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
  return vpc.addClientVpnEndpoint('Endpoint', {
    cidr: '10.100.0.0/16',
    serverCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/server',
    clientCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/client',
    authorizeAllUsersToVpcCidr: false,
  });
}

function logicalId(stack: Stack, construct: { resource: { node: { defaultChild?: unknown } } }): string {
  return stack.getLogicalId(construct.resource.node.defaultChild as never);
}

/** Statements of the IAM policies attached to roles whose logical id contains `roleFragment`. */
function statementsOfRole(stack: Stack, roleFragment: string): Statement[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .map(p => p as PolicyResource)
    .filter(p => p.Properties.Roles.some(r => r.Ref.includes(roleFragment)))
    .flatMap(p => p.Properties.PolicyDocument.Statement);
}

function ruleInput(stack: Stack): unknown {
  const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  expect(rules).toHaveLength(1);
  const target = (rules[0] as { Properties: { Targets: Array<{ Input: unknown }> } }).Properties.Targets[0];
  return target.Input;
}

describe('ClientVpnRevocations: template', () => {
  test('one custom resource carries sorted, unique lists, the schema version, the set id and the endpoint', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'Offboarded', {
      clientVpnEndpointId: ENDPOINT,
      usernames: ['zoe', 'alice@example.com'],
      commonNames: ['laptop-bob.vpn.example.com'],
    });
    revocations.revokeUser('bob');
    revocations.revokeCommonName('laptop-alice.vpn.example.com');

    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 1);
    template.hasResourceProperties(TYPE, {
      SchemaVersion: '1',
      ClientVpnEndpointId: ENDPOINT,
      SetId: revocations.node.addr,
      Usernames: ['alice@example.com', 'bob', 'zoe'],
      CommonNames: ['laptop-alice.vpn.example.com', 'laptop-bob.vpn.example.com'],
    });
    expect(revocations.usernames).toEqual(['alice@example.com', 'bob', 'zoe']);
    expect(revocations.commonNames).toEqual(['laptop-alice.vpn.example.com', 'laptop-bob.vpn.example.com']);
    expect(revocations.enforcementFunction).toBeUndefined();
    expect(revocations.enforcementRule).toBeUndefined();
  });

  test('the same string may be both a user name and a common name', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT, usernames: ['alice'], commonNames: ['alice'] });
    Template.fromStack(stack).hasResourceProperties(TYPE, { Usernames: ['alice'], CommonNames: ['alice'] });
  });

  test('an empty set renders empty lists and warns that it terminates nothing', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'Nobody', { clientVpnEndpointId: ENDPOINT });
    Template.fromStack(stack).hasResourceProperties(TYPE, { Usernames: [], CommonNames: [] });
    Annotations.fromStack(stack).hasWarning('/Stack/Nobody',
      Match.stringLikeRegexp('this ClientVpnRevocations lists no user name and no common name, so it terminates nothing'));
  });

  test('a set with one principal gives no empty-set warning', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'One', { clientVpnEndpointId: ENDPOINT, commonNames: ['cn'] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('terminates nothing'));
  });

  test('an ec2.ClientVpnEndpoint is referenced and its subnet associations come first', () => {
    const stack = newStack();
    const endpoint = newEndpoint(stack);
    const revocations = new ClientVpnRevocations(stack, 'R', { clientVpnEndpoint: endpoint, usernames: ['alice'] });
    const template = Template.fromStack(stack);
    const resource = template.toJSON().Resources[logicalId(stack, revocations)];
    expect(resource.Properties.ClientVpnEndpointId).toEqual({ Ref: stack.getLogicalId(endpoint.node.defaultChild as ec2.CfnClientVpnEndpoint) });
    const associations = Object.keys(template.findResources('AWS::EC2::ClientVpnTargetNetworkAssociation'));
    expect(associations.length).toBeGreaterThan(0);
    expect(resource.DependsOn).toEqual(expect.arrayContaining(associations));
  });

  test('an imported endpoint works through its id', () => {
    const stack = newStack();
    const endpoint = ec2.ClientVpnEndpoint.fromEndpointAttributes(stack, 'Imported', { endpointId: ENDPOINT, securityGroups: [] });
    new ClientVpnRevocations(stack, 'R', { clientVpnEndpoint: endpoint, usernames: ['alice'] });
    Template.fromStack(stack).hasResourceProperties(TYPE, { ClientVpnEndpointId: ENDPOINT });
  });

  test('tokens pass through unvalidated', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'R', {
      clientVpnEndpointId: Lazy.string({ produce: () => ENDPOINT }),
      usernames: [Lazy.string({ produce: () => ` ${'x'.repeat(300)} ` })],
      commonNames: [Lazy.string({ produce: () => 'late-cn' })],
    });
    Template.fromStack(stack).hasResourceProperties(TYPE, {
      ClientVpnEndpointId: ENDPOINT,
      Usernames: [` ${'x'.repeat(300)} `],
      CommonNames: ['late-cn'],
    });
  });
});

describe('ClientVpnRevocations: ordering', () => {
  test('the set deploys after every authorization set of its endpoint, whichever was declared first', () => {
    const stack = newStack();
    const early = new ClientVpnAuthorizations(stack, 'Early', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.0.0.0/16', groupId: 'a' }] });
    const revocations = new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT, usernames: ['alice'] });
    const late = new ClientVpnAuthorizations(stack, 'Late', { clientVpnEndpointId: ENDPOINT, rules: [{ cidr: '10.1.0.0/16', groupId: 'a' }] });
    const elsewhere = new ClientVpnAuthorizations(stack, 'Elsewhere', { clientVpnEndpointId: OTHER_ENDPOINT, rules: [{ cidr: '10.1.0.0/16', groupId: 'a' }] });

    const resources = Template.fromStack(stack).toJSON().Resources;
    expect([...resources[logicalId(stack, revocations)].DependsOn].sort())
      .toEqual([logicalId(stack, early), logicalId(stack, late)].sort());
    expect(resources[logicalId(stack, revocations)].DependsOn).not.toContain(logicalId(stack, elsewhere));
    // Authorization sets never wait for a session resource (no cycle).
    expect(resources[logicalId(stack, late)].DependsOn).toEqual([logicalId(stack, early)]);
  });

  test('session resources of one endpoint deploy one after the other; other endpoints do not wait', () => {
    const stack = newStack();
    const a = new ClientVpnRevocations(stack, 'A', { clientVpnEndpointId: ENDPOINT, usernames: ['a'] });
    const crl = new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(CRL_FILE),
    });
    const b = new ClientVpnRevocations(stack, 'B', { clientVpnEndpointId: ENDPOINT, usernames: ['b'] });
    const c = new ClientVpnRevocations(stack, 'C', { clientVpnEndpointId: OTHER_ENDPOINT, usernames: ['c'] });
    const resources = Template.fromStack(stack).toJSON().Resources;
    expect(resources[logicalId(stack, a)].DependsOn).toBeUndefined();
    expect(resources[logicalId(stack, crl)].DependsOn).toEqual([logicalId(stack, a)]);
    expect(resources[logicalId(stack, b)].DependsOn).toEqual([logicalId(stack, crl)]);
    expect(resources[logicalId(stack, c)].DependsOn).toBeUndefined();
  });

  test('a stack without session resources keeps its authorization template unchanged', () => {
    const stack = newStack();
    const a = new ClientVpnAuthorizations(stack, 'A', { clientVpnEndpointId: ENDPOINT });
    expect(Template.fromStack(stack).toJSON().Resources[logicalId(stack, a)].DependsOn).toBeUndefined();
  });
});

describe('ClientVpnRevocations: provider and IAM', () => {
  test('one provider per stack serves revocations and CRLs, sized for long terminations', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'A', { clientVpnEndpointId: ENDPOINT, usernames: ['a'] });
    new ClientVpnRevocations(stack, 'B', { clientVpnEndpointId: OTHER_ENDPOINT, usernames: ['b'] });
    new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpointId: ENDPOINT,
      certificateRevocationList: CertificateRevocationList.fromFile(CRL_FILE),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    for (const handler of ['index.onEvent', 'index.isComplete']) {
      template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: handler }, 1);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: handler,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: 900,
        MemorySize: 512,
        Environment: { Variables: { TOTAL_TIMEOUT_SECONDS: '3600' } },
      });
    }
    // The waiter polls every 10 seconds.
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"IntervalSeconds\\":10');
  });

  test('Terminate is allowed only on the endpoint ARN, and Describe is the only "*" action', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'A', { clientVpnEndpointId: ENDPOINT, usernames: ['a'] });
    new ClientVpnRevocations(stack, 'B', { clientVpnEndpointId: ENDPOINT, usernames: ['b'] });
    const statements = statementsOfRole(stack, 'clientvpnsessionsHandlerRole');
    expect(statements.filter(s => JSON.stringify(s.Action).includes('TerminateClientVpnConnections'))).toEqual([{
      Action: 'ec2:TerminateClientVpnConnections',
      Effect: 'Allow',
      Resource: ENDPOINT_ARN,
    }]);
    expect(statements.filter(s => s.Resource === '*').map(s => s.Action)).toEqual(['ec2:DescribeClientVpnConnections']);
  });
});

describe('ClientVpnRevocations: scheduled enforcement', () => {
  test('off by default: no schedule and no extra function', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT, usernames: ['alice'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.onSchedule' }, 0);
  });

  test('a rule runs the onSchedule entry point every interval with the whole list as its input', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'R', {
      clientVpnEndpointId: ENDPOINT,
      usernames: ['zoe'],
      enforcement: SessionEnforcement.every(Duration.minutes(5)),
    });
    // Principals added after the schedule was created still reach its input.
    revocations.revokeUser('alice');
    revocations.revokeCommonName('laptop-bob');

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [stack.getLogicalId(revocations.enforcementFunction!.node.defaultChild as never), 'Arn'] } })],
    });
    expect(JSON.parse(ruleInput(stack) as string)).toEqual({
      SchemaVersion: '1',
      ClientVpnEndpointId: ENDPOINT,
      Usernames: ['alice', 'zoe'],
      CommonNames: ['laptop-bob'],
    });
    expect(revocations.enforcementRule).toBeDefined();
  });

  test('the function: same bundle, own role and log group, no reserved concurrency (new accounts), no queued or retried runs', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'R', {
      clientVpnEndpointId: ENDPOINT,
      usernames: ['alice'],
      enforcement: SessionEnforcement.every(Duration.minutes(5)),
    });
    const template = Template.fromStack(stack);
    const fnId = stack.getLogicalId(revocations.enforcementFunction!.node.defaultChild as never);
    const fn = template.toJSON().Resources[fnId];
    expect(fn.Properties).toMatchObject({
      Handler: 'index.onSchedule',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
    });
    // An account whose concurrency quota is 10 (where new accounts start) cannot reserve any: the lease keeps runs apart instead.
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const onEvent = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.onEvent' } }))[0] as { Properties: { Code: unknown } };
    expect(fn.Properties.Code).toEqual(onEvent.Properties.Code);
    expect(fn.Properties.Role['Fn::GetAtt'][0]).toMatch(/^REnforcementRole/);
    expect(fn.Properties.LoggingConfig.LogGroup.Ref).toMatch(/^REnforcementLogs/);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    expect(template.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref].Properties.RetentionInDays).toBe(365);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
    });
  });

  test('reserved concurrency 1 is an opt-in', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'R', {
      clientVpnEndpointId: ENDPOINT,
      usernames: ['alice'],
      enforcement: SessionEnforcement.every(Duration.minutes(5), { reserveConcurrency: true }),
    });
    const fnId = stack.getLogicalId(revocations.enforcementFunction!.node.defaultChild as never);
    expect(Template.fromStack(stack).toJSON().Resources[fnId].Properties.ReservedConcurrentExecutions).toBe(1);
  });

  test('the enforcement role may read, write and delete the endpoint\'s lease parameter, and no other parameter', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'R', {
      clientVpnEndpointId: ENDPOINT,
      usernames: ['alice'],
      enforcement: SessionEnforcement.every(Duration.minutes(1)),
    });
    const ssmStatements = statementsOfRole(stack, 'REnforcementRole').filter(s => JSON.stringify(s.Action).includes('ssm:'));
    expect(ssmStatements).toEqual([{
      Action: ['ssm:PutParameter', 'ssm:GetParameter', 'ssm:DeleteParameter'],
      Effect: 'Allow',
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' },
          `:ssm:eu-west-1:123456789012:parameter/cdk-network-access/client-vpn-enforcement/${ENDPOINT}/lease`]],
      },
    }]);
  });

  test('the enforcement role may Describe (*) and Terminate on the endpoint, and nothing else on EC2', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'R', {
      clientVpnEndpointId: ENDPOINT,
      usernames: ['alice'],
      enforcement: SessionEnforcement.every(Duration.minutes(1)),
    });
    const ec2Statements = statementsOfRole(stack, 'REnforcementRole').filter(s => JSON.stringify(s.Action).includes('ec2:'));
    expect(ec2Statements).toEqual([
      { Action: 'ec2:DescribeClientVpnConnections', Effect: 'Allow', Resource: '*' },
      { Action: 'ec2:TerminateClientVpnConnections', Effect: 'Allow', Resource: ENDPOINT_ARN },
    ]);
  });

  test.each([
    [Duration.minutes(1), 'rate(1 minute)', 60, 60],
    [Duration.minutes(15), 'rate(15 minutes)', 900, 900],
    [Duration.hours(1), 'rate(1 hour)', 900, 3600],
    [Duration.days(1), 'rate(1 day)', 900, 21600],
  ])('an interval of %s: %s, timeout %d s, events dropped after %d s', (interval, expression, timeout, maxAge) => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT, usernames: ['a'], enforcement: SessionEnforcement.every(interval) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: expression });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onSchedule', Timeout: timeout });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: maxAge });
  });

  test.each([
    [Duration.seconds(30), '30 seconds'],
    [Duration.seconds(90), '1 minute 30 seconds'],
    [Duration.millis(60500), '1 minute 500 millis'],
  ])('an interval of %s fails, naming it', (interval, shown) => {
    const stack = newStack();
    expect(() => new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT, usernames: ['a'], enforcement: SessionEnforcement.every(interval) }))
      .toThrow(`enforcement interval ${shown} is not a whole number of minutes of at least one`);
  });

  test('an input over EventBridge\'s 8,192 characters fails synth with the count and the fix', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'R', {
      clientVpnEndpointId: ENDPOINT,
      enforcement: SessionEnforcement.every(Duration.minutes(5)),
    });
    for (let i = 0; i < 300; i++) {
      revocations.revokeUser(`user-${String(i).padStart(3, '0')}@corp.example.com`);
    }
    expect(() => Template.fromStack(stack)).toThrow(
      /the scheduled enforcement input lists 300 principals in \d+ characters, over EventBridge's limit of 8192 characters for a target's input: split the principals into several ClientVpnRevocations/);
  });

  test('the size check counts the JSON the rule carries: exactly 8,192 characters pass, one more fails', () => {
    const build = (extra: number) => {
      const stack = newStack();
      const revocations = new ClientVpnRevocations(stack, 'R', {
        clientVpnEndpointId: ENDPOINT,
        enforcement: SessionEnforcement.every(Duration.minutes(5)),
      });
      const lengthNow = () => JSON.stringify({
        SchemaVersion: '1', ClientVpnEndpointId: ENDPOINT, Usernames: revocations.usernames, CommonNames: [],
      }).length;
      // Names of 36 characters until less than 200 characters remain...
      for (let i = 0; lengthNow() < 8192 - 200; i++) {
        revocations.revokeUser(`u${String(i).padStart(35, '0')}`);
      }
      // ...then one name that fills the rest (its quotes and comma take three).
      revocations.revokeUser('z'.repeat(8192 - lengthNow() - 3 + extra));
      return stack;
    };
    expect((ruleInput(build(0)) as string).length).toBe(8192);
    expect(() => Template.fromStack(build(1))).toThrow(/in 8193 characters, over EventBridge's limit/);
  });

  test('without enforcement, no size limit applies', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT });
    for (let i = 0; i < 1000; i++) {
      revocations.revokeUser(`user-${i}@corp.example.com`);
    }
    Template.fromStack(stack).resourceCountIs(TYPE, 1);
  });
});

describe('ClientVpnRevocations: metric', () => {
  test('sessions terminated: contract namespace and name, the endpoint as dimension, Sum', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT, usernames: ['a'] });
    const metric = revocations.metricSessionsTerminated();
    expect(metric.namespace).toBe('CdkNetworkAccess/ClientVpn');
    expect(metric.metricName).toBe('SessionsTerminated');
    expect(metric.dimensions).toEqual({ ClientVpnEndpointId: ENDPOINT });
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toMinutes()).toBe(5);
    const hourly = revocations.metricSessionsTerminated({ period: Duration.hours(1), label: 'Terminated' });
    expect(hourly.period.toMinutes()).toBe(60);
    expect(hourly.label).toBe('Terminated');
    expect(hourly.statistic).toBe('Sum');
  });
});

describe('ClientVpnRevocations: validation', () => {
  const cases: Array<[string, ConstructorParameters<typeof ClientVpnRevocations>[2], string | RegExp]> = [
    ['no endpoint', {}, /give exactly one of clientVpnEndpoint \(an ec2.IClientVpnEndpoint\) and clientVpnEndpointId/],
    ['both endpoints', { clientVpnEndpointId: ENDPOINT, clientVpnEndpoint: { endpointId: ENDPOINT } as ec2.IClientVpnEndpoint }, /give exactly one of clientVpnEndpoint/],
    ['a malformed endpoint id', { clientVpnEndpointId: 'vpn-123' }, /clientVpnEndpointId 'vpn-123' is not a Client VPN endpoint id; it looks like 'cvpn-endpoint-/],
    ['an empty user name', { clientVpnEndpointId: ENDPOINT, usernames: [''] }, /a username is empty; write the user name exactly as Client VPN reports it/],
    ['an empty common name', { clientVpnEndpointId: ENDPOINT, commonNames: [''] }, /a common name is empty; write the common name exactly as it appears/],
    ['a user name with a trailing space', { clientVpnEndpointId: ENDPOINT, usernames: ['alice '] },
      'username "alice " has leading or trailing whitespace, which Client VPN would never match; did you mean "alice"?'],
    ['a common name with a leading tab', { clientVpnEndpointId: ENDPOINT, commonNames: ['\tlaptop'] },
      'common name "\\tlaptop" has leading or trailing whitespace'],
    ['a user name of 255 characters', { clientVpnEndpointId: ENDPOINT, usernames: ['u'.repeat(255)] },
      `username '${'u'.repeat(255)}' is 255 characters; a user name has at most 254 characters`],
    ['a common name of 65 characters', { clientVpnEndpointId: ENDPOINT, commonNames: ['c'.repeat(65)] },
      `common name '${'c'.repeat(65)}' is 65 characters; a certificate common name has at most 64 characters (RFC 5280 ub-common-name)`],
    ['a user name with a newline', { clientVpnEndpointId: ENDPOINT, usernames: ['ali\nce'] },
      'username "ali\\nce" contains the control character U+000A at position 3, which Client VPN cannot carry; remove it'],
    ['a common name with a NUL', { clientVpnEndpointId: ENDPOINT, commonNames: ['cn\u0000'] }, /common name "cn\\u0000" contains the control character U\+0000 at position 2/],
    ['a common name with a C1 control', { clientVpnEndpointId: ENDPOINT, commonNames: ['cn\u0085x'] }, /contains the control character U\+0085 at position 2/],
    ['the same user twice', { clientVpnEndpointId: ENDPOINT, usernames: ['alice', 'bob', 'alice'] }, "username 'alice' is revoked twice; keep one of them"],
    ['the same common name twice', { clientVpnEndpointId: ENDPOINT, commonNames: ['cn', 'cn'] }, "common name 'cn' is revoked twice; keep one of them"],
  ];

  test.each(cases)('throws for %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new ClientVpnRevocations(stack, 'R', props)).toThrow(message);
  });

  test('an error names the construct path', () => {
    const stack = newStack();
    expect(() => new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT, usernames: [' x'] })).toThrow(/^Stack\/R: username " x"/);
  });

  test('a method call is validated like a prop', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'R', { clientVpnEndpointId: ENDPOINT, usernames: ['alice'] });
    expect(() => revocations.revokeUser('alice')).toThrow("username 'alice' is revoked twice");
    expect(() => revocations.revokeCommonName('c'.repeat(65))).toThrow('is 65 characters');
  });

  test('the longest names, inner spaces and non-ASCII letters are accepted', () => {
    const stack = newStack();
    const revocations = new ClientVpnRevocations(stack, 'R', {
      clientVpnEndpointId: ENDPOINT,
      usernames: ['u'.repeat(254), 'CORP\\jane doe', 'josé'],
      // 64 characters, counted as characters rather than UTF-16 units.
      commonNames: ['c'.repeat(64), 'é'.repeat(64), '😀'.repeat(64)],
    });
    expect(revocations.usernames).toHaveLength(3);
    expect(revocations.commonNames).toHaveLength(3);
  });

  test('a principal revoked by two sets of the same endpoint is a warning naming both', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'A', { clientVpnEndpointId: ENDPOINT, usernames: ['alice'] });
    new ClientVpnRevocations(stack, 'B', { clientVpnEndpointId: ENDPOINT, usernames: ['alice'], commonNames: ['alice'] });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Stack/B', Match.stringLikeRegexp("username 'alice' is also revoked by Stack/A on the same endpoint"));
    annotations.hasNoWarning('*', Match.stringLikeRegexp("common name 'alice' is also revoked"));
  });

  test('the same principal on two endpoints gives no warning', () => {
    const stack = newStack();
    new ClientVpnRevocations(stack, 'A', { clientVpnEndpointId: ENDPOINT, usernames: ['alice'] });
    new ClientVpnRevocations(stack, 'B', { clientVpnEndpointId: OTHER_ENDPOINT, usernames: ['alice'] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('also revoked'));
  });
});

describe('ClientVpnRevocations: cdk-nag', () => {
  test('AwsSolutions finds nothing unsuppressed, and every suppression has a reason', () => {
    const stack = newStack();
    const endpoint = newEndpoint(stack);
    new ClientVpnAuthorizations(stack, 'Access', { clientVpnEndpoint: endpoint, rules: [{ cidr: '10.0.0.0/16', allUsers: true }] });
    new ClientVpnRevocations(stack, 'Revoked', {
      clientVpnEndpoint: endpoint,
      usernames: ['alice'],
      commonNames: ['laptop-bob'],
      enforcement: SessionEnforcement.every(Duration.minutes(5)),
    });
    new ClientVpnCertificateRevocationList(stack, 'Crl', {
      clientVpnEndpoint: endpoint,
      certificateRevocationList: CertificateRevocationList.fromFile(CRL_FILE),
      terminateSessionsOf: ['laptop-alice.vpn.example.com'],
    });
    Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
    const ours = (m: { id: string }) => m.id.includes('NetworkAccess') || /\/(Access|Revoked|Crl)\//.test(m.id);
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].filter(ours).map(m => `${m.id}: ${m.entry.data}`)).toEqual([]);
    // The check did run: the endpoint of aws-cdk-lib (not ours) has findings.
    expect([...errors, ...warnings].length).toBeGreaterThan(0);

    const template = Template.fromStack(stack).toJSON();
    type NagMetadata = { Metadata?: Record<string, { rules_to_suppress?: Array<{ reason: string }> }> };
    for (const [id, resource] of Object.entries(template.Resources as Record<string, NagMetadata>)) {
      for (const s of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        expect({ id, reasonLength: s.reason.length > 20 }).toEqual({ id, reasonLength: true });
      }
    }
  });
});
