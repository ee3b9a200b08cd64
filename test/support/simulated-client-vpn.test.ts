import {
  AuthorizeClientVpnIngressCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  DescribeClientVpnConnectionsCommand,
  EC2Client,
  EC2ServiceException,
  RevokeClientVpnIngressCommand,
} from '@aws-sdk/client-ec2';
import type { AuthorizationRule } from '@aws-sdk/client-ec2';
import { SimulatedClientVpnService, SimulatedCrash } from './simulated-client-vpn';
import { SimulatedClock } from './simulated-clock';

// The simulation is driven through the real SDK client so that these tests
// pin what a handler sees: error names, $fault, $metadata and output shapes.
const ec2 = new EC2Client({ region: 'us-east-1' });

let clock: SimulatedClock;
let sim: SimulatedClientVpnService;
let endpoint: string;

beforeEach(() => {
  clock = new SimulatedClock();
  sim = new SimulatedClientVpnService({ clock, seed: 7 });
  sim.install();
  endpoint = sim.createEndpoint();
});

afterEach(() => sim.restore());

function authorize(cidr: string, group: string | 'all', extra: { Description?: string; ClientToken?: string; endpointId?: string } = {}) {
  return ec2.send(new AuthorizeClientVpnIngressCommand({
    ClientVpnEndpointId: extra.endpointId ?? endpoint,
    TargetNetworkCidr: cidr,
    ...(group === 'all' ? { AuthorizeAllGroups: true } : { AccessGroupId: group }),
    Description: extra.Description,
    ClientToken: extra.ClientToken,
  }));
}

function revoke(cidr: string, group: string | 'all', endpointId = endpoint) {
  return ec2.send(new RevokeClientVpnIngressCommand({
    ClientVpnEndpointId: endpointId,
    TargetNetworkCidr: cidr,
    ...(group === 'all' ? { RevokeAllGroups: true } : { AccessGroupId: group }),
  }));
}

async function describeAll(maxResults?: number): Promise<{ rules: AuthorizationRule[]; pages: number }> {
  const rules: AuthorizationRule[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await ec2.send(new DescribeClientVpnAuthorizationRulesCommand({
      ClientVpnEndpointId: endpoint, MaxResults: maxResults, NextToken: token,
    }));
    pages++;
    rules.push(...page.AuthorizationRules ?? []);
    token = page.NextToken;
  } while (token);
  return { rules, pages };
}

async function errorOf(p: Promise<unknown>): Promise<EC2ServiceException> {
  try {
    await p;
  } catch (e) {
    return e as EC2ServiceException;
  }
  throw new Error('expected the call to fail');
}

describe('rule lifecycle', () => {
  test('a rule is authorizing, then active once its transition time has passed', async () => {
    const out = await authorize('10.0.0.0/16', 'grp-a', { Description: 'app' });
    expect(out.Status).toEqual({ Code: 'authorizing' });
    expect(sim.rules(endpoint)).toEqual([
      { cidr: '10.0.0.0/16', groupId: 'grp-a', allGroups: false, description: 'app', status: 'authorizing' },
    ]);

    clock.advance(2_999);
    expect(sim.rules(endpoint)[0].status).toBe('authorizing'); // the minimum is 3 s
    clock.advance(12_001);
    const { rules } = await describeAll();
    expect(rules).toEqual([{
      ClientVpnEndpointId: endpoint,
      Description: 'app',
      GroupId: 'grp-a',
      AccessAll: false,
      DestinationCidr: '10.0.0.0/16',
      Status: { Code: 'active' },
    }]);
  });

  test('an all-groups rule is described with AccessAll and an empty GroupId', async () => {
    await authorize('0.0.0.0/0', 'all');
    clock.advance(15_000);
    const { rules } = await describeAll();
    expect(rules).toEqual([{
      ClientVpnEndpointId: endpoint, GroupId: '', AccessAll: true, DestinationCidr: '0.0.0.0/0', Status: { Code: 'active' },
    }]);
  });

  test('revoke passes through revoking and the rule disappears', async () => {
    await authorize('10.0.0.0/16', 'all');
    clock.advance(15_000);
    expect((await revoke('10.0.0.0/16', 'all')).Status).toEqual({ Code: 'revoking' });
    expect(sim.rules(endpoint)[0].status).toBe('revoking');
    clock.advance(10_000);
    expect(sim.rules(endpoint)).toEqual([]);
  });

  test('a group rule and an all-groups rule for the same CIDR are different rules', async () => {
    await authorize('10.0.0.0/16', 'all');
    await authorize('10.0.0.0/16', 'grp-a');
    expect(sim.rules(endpoint)).toHaveLength(2);
  });

  test('transition durations are reproducible from the seed', async () => {
    const times = async (seed: number) => {
      const c = new SimulatedClock();
      const s = new SimulatedClientVpnService({ clock: c, seed });
      const e = s.createEndpoint();
      for (const cidr of ['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16']) {
        await s.authorizeClientVpnIngress({ ClientVpnEndpointId: e, TargetNetworkCidr: cidr, AuthorizeAllGroups: true });
      }
      const activeAt: number[] = [];
      for (let t = 0; t <= 15_000; t += 500) {
        activeAt.push(s.rules(e).filter(r => r.status === 'active').length);
        c.advance(500);
      }
      return activeAt;
    };
    expect(await times(3)).toEqual(await times(3));
    expect(await times(3)).not.toEqual(await times(4));
  });
});

describe('AWS errors', () => {
  test('errors are EC2ServiceExceptions named after the EC2 error code', async () => {
    await authorize('10.0.0.0/16', 'grp-a');
    const e = await errorOf(authorize('10.0.0.0/16', 'grp-a'));
    expect(e).toBeInstanceOf(EC2ServiceException);
    expect(e.name).toBe('InvalidClientVpnDuplicateAuthorizationRule');
    expect(e.$fault).toBe('client');
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  test('a duplicate is refused while the rule is revoking, accepted once it is gone', async () => {
    await authorize('10.0.0.0/16', 'grp-a');
    clock.advance(15_000);
    await revoke('10.0.0.0/16', 'grp-a');
    expect((await errorOf(authorize('10.0.0.0/16', 'grp-a'))).name).toBe('InvalidClientVpnDuplicateAuthorizationRule');
    clock.advance(10_000);
    await expect(authorize('10.0.0.0/16', 'grp-a')).resolves.toMatchObject({ Status: { Code: 'authorizing' } });
  });

  test('revoking a missing rule, or revoking with the wrong group form, is RuleNotFound', async () => {
    expect((await errorOf(revoke('10.9.0.0/16', 'grp-a'))).name).toBe('InvalidClientVpnEndpointAuthorizationRuleNotFound');
    await authorize('10.0.0.0/16', 'all');
    // RevokeAllGroups must mirror the rule: a group id does not match an all-groups rule.
    expect((await errorOf(revoke('10.0.0.0/16', 'grp-a'))).name).toBe('InvalidClientVpnEndpointAuthorizationRuleNotFound');
    await expect(revoke('10.0.0.0/16', 'all')).resolves.toBeDefined();
  });

  test('every operation on a missing endpoint is InvalidClientVpnEndpointId.NotFound', async () => {
    const missing = 'cvpn-endpoint-0123456789abcdef0';
    expect((await errorOf(authorize('10.0.0.0/16', 'all', { endpointId: missing }))).name).toBe('InvalidClientVpnEndpointId.NotFound');
    expect((await errorOf(revoke('10.0.0.0/16', 'all', missing))).name).toBe('InvalidClientVpnEndpointId.NotFound');
    const describe = ec2.send(new DescribeClientVpnAuthorizationRulesCommand({ ClientVpnEndpointId: missing }));
    expect((await errorOf(describe)).name).toBe('InvalidClientVpnEndpointId.NotFound');
  });

  test('an endpoint deleted out of band is not found', async () => {
    sim.deleteEndpoint(endpoint);
    expect((await errorOf(authorize('10.0.0.0/16', 'all'))).name).toBe('InvalidClientVpnEndpointId.NotFound');
  });

  test('group parameters: neither is MissingParameter, both is InvalidParameterCombination', async () => {
    const neither = ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: endpoint, TargetNetworkCidr: '10.0.0.0/16' }));
    expect((await errorOf(neither)).name).toBe('MissingParameter');
    const both = ec2.send(new AuthorizeClientVpnIngressCommand({
      ClientVpnEndpointId: endpoint, TargetNetworkCidr: '10.0.0.0/16', AccessGroupId: 'g', AuthorizeAllGroups: true,
    }));
    expect((await errorOf(both)).name).toBe('InvalidParameterCombination');
    const revokeBoth = ec2.send(new RevokeClientVpnIngressCommand({
      ClientVpnEndpointId: endpoint, TargetNetworkCidr: '10.0.0.0/16', AccessGroupId: 'g', RevokeAllGroups: true,
    }));
    expect((await errorOf(revokeBoth)).name).toBe('InvalidParameterCombination');
    expect((await errorOf(authorize('10.0.0.300/16', 'all'))).name).toBe('InvalidParameterValue');
    expect(sim.counters.mutatingCalls).toBe(0);
  });

  test('the endpoint rule quota is enforced', async () => {
    const small = new SimulatedClientVpnService({ clock, maxRulesPerEndpoint: 2 });
    const e = small.createEndpoint();
    await small.authorizeClientVpnIngress({ ClientVpnEndpointId: e, TargetNetworkCidr: '10.0.0.0/16', AuthorizeAllGroups: true });
    await small.authorizeClientVpnIngress({ ClientVpnEndpointId: e, TargetNetworkCidr: '10.1.0.0/16', AuthorizeAllGroups: true });
    await expect(small.authorizeClientVpnIngress({ ClientVpnEndpointId: e, TargetNetworkCidr: '10.2.0.0/16', AuthorizeAllGroups: true }))
      .rejects.toMatchObject({ name: 'ClientVpnAuthorizationRuleLimitExceeded' });
  });
});

describe('concurrent mutation limit', () => {
  test('an 11th mutation while 10 rules are in transition is refused; Describe is not', async () => {
    for (let i = 0; i < 10; i++) await authorize(`10.${i}.0.0/16`, 'all');
    expect((await errorOf(authorize('10.10.0.0/16', 'all'))).name).toBe('ConcurrentMutationLimitExceeded');
    expect((await errorOf(revoke('10.0.0.0/16', 'all'))).name).toBe('ConcurrentMutationLimitExceeded');
    await expect(describeAll()).resolves.toBeDefined();
    clock.advance(15_000);
    await expect(authorize('10.10.0.0/16', 'all')).resolves.toBeDefined();
    expect(sim.counters.maxInTransitionObserved).toBe(10);
    expect(sim.counters.errors.ConcurrentMutationLimitExceeded).toBe(2);
  });

  test('foreign rules placed in transition count towards the limit', async () => {
    for (let i = 0; i < 10; i++) sim.putRule(endpoint, { cidr: `172.16.${i}.0/24`, groupId: 'other', status: 'revoking', transitionInMs: 60_000 });
    expect((await errorOf(authorize('10.0.0.0/16', 'all'))).name).toBe('ConcurrentMutationLimitExceeded');
    clock.advance(60_000);
    await expect(authorize('10.0.0.0/16', 'all')).resolves.toBeDefined();
  });
});

describe('Describe pagination and filters', () => {
  beforeEach(async () => {
    for (let i = 0; i < 23; i++) sim.putRule(endpoint, { cidr: `10.${i}.0.0/16`, groupId: i % 2 ? 'odd' : 'even', description: `r${i}` });
  });

  test('MaxResults pages through every rule exactly once', async () => {
    const { rules, pages } = await describeAll(5);
    expect(pages).toBe(5);
    expect(new Set(rules.map(r => r.DestinationCidr)).size).toBe(23);
  });

  test('without MaxResults the configured default page size applies', async () => {
    const small = new SimulatedClientVpnService({ clock, defaultPageSize: 10 });
    const e = small.createEndpoint();
    for (let i = 0; i < 23; i++) small.putRule(e, { cidr: `10.${i}.0.0/16`, allGroups: true });
    const first = await small.describeClientVpnAuthorizationRules({ ClientVpnEndpointId: e });
    expect(first.AuthorizationRules).toHaveLength(10);
    expect(first.NextToken).toBeDefined();
    expect((await describeAll()).pages).toBe(1); // the default of 50 holds 23 rules
  });

  test('a page size cap returns fewer rules than MaxResults, with a NextToken', async () => {
    const capped = new SimulatedClientVpnService({ clock, pageSizeCap: 7 });
    const e = capped.createEndpoint();
    for (let i = 0; i < 10; i++) capped.putRule(e, { cidr: `10.${i}.0.0/16`, allGroups: true });
    const first = await capped.describeClientVpnAuthorizationRules({ ClientVpnEndpointId: e, MaxResults: 1000 });
    expect(first.AuthorizationRules).toHaveLength(7);
    const second = await capped.describeClientVpnAuthorizationRules({ ClientVpnEndpointId: e, MaxResults: 1000, NextToken: first.NextToken });
    expect(second.AuthorizationRules).toHaveLength(3);
    expect(second.NextToken).toBeUndefined();
  });

  test('MaxResults outside 5..1000 and foreign tokens are refused', async () => {
    const tooSmall = ec2.send(new DescribeClientVpnAuthorizationRulesCommand({ ClientVpnEndpointId: endpoint, MaxResults: 4 }));
    expect((await errorOf(tooSmall)).name).toBe('InvalidParameterValue');
    const other = sim.createEndpoint();
    for (let i = 0; i < 6; i++) sim.putRule(other, { cidr: `10.${i}.0.0/16`, allGroups: true });
    const page = await ec2.send(new DescribeClientVpnAuthorizationRulesCommand({ ClientVpnEndpointId: other, MaxResults: 5 }));
    const wrongEndpoint = ec2.send(new DescribeClientVpnAuthorizationRulesCommand({ ClientVpnEndpointId: endpoint, NextToken: page.NextToken }));
    expect((await errorOf(wrongEndpoint)).name).toBe('InvalidPaginationToken');
  });

  test('filters by destination-cidr, group-id and description; unknown filters are refused', async () => {
    const byGroup = await ec2.send(new DescribeClientVpnAuthorizationRulesCommand({
      ClientVpnEndpointId: endpoint, Filters: [{ Name: 'group-id', Values: ['odd'] }], MaxResults: 1000,
    }));
    expect(byGroup.AuthorizationRules).toHaveLength(11);
    const byBoth = await ec2.send(new DescribeClientVpnAuthorizationRulesCommand({
      ClientVpnEndpointId: endpoint,
      Filters: [{ Name: 'destination-cidr', Values: ['10.3.0.0/16', '10.4.0.0/16'] }, { Name: 'description', Values: ['r3'] }],
    }));
    expect(byBoth.AuthorizationRules?.map(r => r.DestinationCidr)).toEqual(['10.3.0.0/16']);
    const unknown = ec2.send(new DescribeClientVpnAuthorizationRulesCommand({
      ClientVpnEndpointId: endpoint, Filters: [{ Name: 'status', Values: ['active'] }],
    }));
    expect((await errorOf(unknown)).name).toBe('InvalidParameterValue');
  });
});

describe('ClientToken idempotency', () => {
  test('the same token and parameters return the original result without a new mutation', async () => {
    const first = await authorize('10.0.0.0/16', 'grp-a', { ClientToken: 't-1' });
    clock.advance(15_000);
    const again = await authorize('10.0.0.0/16', 'grp-a', { ClientToken: 't-1' });
    expect(again.Status).toEqual(first.Status);
    expect(sim.counters.mutatingCalls).toBe(1);
    expect(sim.rules(endpoint)).toHaveLength(1);
  });

  test('the same token with different parameters is IdempotentParameterMismatch', async () => {
    await authorize('10.0.0.0/16', 'grp-a', { ClientToken: 't-1' });
    const e = await errorOf(authorize('10.0.0.0/16', 'grp-a', { ClientToken: 't-1', Description: 'changed' }));
    expect(e.name).toBe('IdempotentParameterMismatch');
  });
});

describe('fault injection', () => {
  test('throttleNext refuses the next N calls of one operation with a 503 RequestLimitExceeded', async () => {
    sim.throttleNext('AuthorizeClientVpnIngress', 2);
    const e = await errorOf(authorize('10.0.0.0/16', 'all'));
    expect(e.name).toBe('RequestLimitExceeded');
    expect(e.$metadata.httpStatusCode).toBe(503);
    await expect(describeAll()).resolves.toBeDefined();
    await expect(authorize('10.0.0.0/16', 'all')).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    await expect(authorize('10.0.0.0/16', 'all')).resolves.toBeDefined();
    expect(sim.counters.throttledCalls).toBe(2);
    expect(sim.counters.calls.AuthorizeClientVpnIngress).toBe(3);
  });

  test('throttleEvery refuses every Nth call', async () => {
    sim.throttleEvery(3);
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(await describeAll().then(() => 'ok', (e: Error) => e.name));
    }
    expect(outcomes).toEqual(['ok', 'ok', 'RequestLimitExceeded', 'ok', 'ok', 'RequestLimitExceeded']);
  });

  test('failNext returns a 500 InternalError with a server fault', async () => {
    sim.failNext('DescribeClientVpnAuthorizationRules');
    const e = await errorOf(describeAll());
    expect(e.name).toBe('InternalError');
    expect(e.$fault).toBe('server');
    expect(e.$metadata.httpStatusCode).toBe(500);
  });

  test('a token bucket refills on the virtual clock', async () => {
    sim.tokenBucket('DescribeClientVpnAuthorizationRules', { burst: 2, refillPerSecond: 0.5 });
    await describeAll();
    await describeAll();
    expect((await errorOf(describeAll())).name).toBe('RequestLimitExceeded');
    clock.advance(1_000);
    expect((await errorOf(describeAll())).name).toBe('RequestLimitExceeded');
    clock.advance(1_000);
    await expect(describeAll()).resolves.toBeDefined();
  });

  test('failAuthorization makes the rule end failed with the given message', async () => {
    sim.failAuthorization(endpoint, { cidr: '10.0.0.0/16', groupId: 'grp-a' }, 'Group not found in directory');
    await authorize('10.0.0.0/16', 'grp-a');
    clock.advance(15_000);
    const { rules } = await describeAll();
    expect(rules[0].Status).toEqual({ Code: 'failed', Message: 'Group not found in directory' });
    // A failed rule still occupies its key until revoked.
    expect((await errorOf(authorize('10.0.0.0/16', 'grp-a'))).name).toBe('InvalidClientVpnDuplicateAuthorizationRule');
  });

  test('holdAuthorization keeps a rule authorizing forever', async () => {
    sim.holdAuthorization(endpoint, { cidr: '10.0.0.0/16', allGroups: true });
    await authorize('10.0.0.0/16', 'all');
    clock.advance(24 * 3600 * 1000);
    expect(sim.rules(endpoint)[0].status).toBe('authorizing');
  });

  test('a crash applies the Nth mutation, then every call fails until the crash is consumed', async () => {
    sim.crashAfterMutatingCalls(2);
    await authorize('10.0.0.0/16', 'all');
    await expect(authorize('10.1.0.0/16', 'all')).rejects.toBeInstanceOf(SimulatedCrash);
    expect(sim.rules(endpoint).map(r => r.cidr)).toEqual(['10.0.0.0/16', '10.1.0.0/16']);
    // The dead process's later calls never reach the service.
    await expect(authorize('10.2.0.0/16', 'all')).rejects.toBeInstanceOf(SimulatedCrash);
    expect(sim.rules(endpoint)).toHaveLength(2);
    expect(sim.consumeCrash()).toBe(true);
    expect(sim.consumeCrash()).toBe(false);
    await expect(authorize('10.2.0.0/16', 'all')).resolves.toBeDefined();
  });

  test('a call listener can change the endpoint before the caller sees the answer', async () => {
    sim.onCall(call => {
      if (call.operation === 'DescribeClientVpnAuthorizationRules') {
        for (let i = 0; i < 10; i++) sim.putRule(endpoint, { cidr: `172.16.${i}.0/24`, allGroups: true, status: 'authorizing' });
      }
    });
    const { rules } = await describeAll();
    expect(rules).toEqual([]);
    expect((await errorOf(authorize('10.0.0.0/16', 'all'))).name).toBe('ConcurrentMutationLimitExceeded');
  });

  test('commands the simulation does not implement are rejected', async () => {
    await expect(ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: endpoint })))
      .rejects.toMatchObject({ name: 'SimulationUnsupportedOperation' });
    expect(sim.unsupportedCommandsSent()).toEqual(['DescribeClientVpnConnectionsCommand']);
  });
});
