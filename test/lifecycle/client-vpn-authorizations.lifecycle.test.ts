import * as handler from '../../lambda/client-vpn-authorizations';
import { CloudFormationLifecycleDriver, OPERATION_TIMED_OUT } from '../support/cloudformation-lifecycle';
import type { LifecycleDriverOptions, ResourceProperties } from '../support/cloudformation-lifecycle';
import { ruleSignature, SimulatedClientVpnService } from '../support/simulated-client-vpn';
import type { SimulatedClientVpnOptions, SimulatedCall } from '../support/simulated-client-vpn';
import { SimulatedClock } from '../support/simulated-clock';
import { SimulatedParameterStore } from '../support/simulated-parameter-store';

/**
 * Lifecycle tests of the Client VPN authorization handler: CloudFormation and
 * the Provider framework (the driver) against a simulated Client VPN service.
 * Every test ends by comparing the endpoint's exact rule set, foreign rules
 * included, and checking that no call ever named a foreign rule.
 */

interface Rule {
  readonly cidr: string;
  /** undefined: all groups. */
  readonly group?: string;
  readonly description?: string;
}

const TOTAL_TIMEOUT_SECONDS = 3600;
const SET_ID = 'set-1a2b3c';

/** Rules of other owners (console, another stack) placed on every endpoint before each test. */
const FOREIGN: readonly Rule[] = [
  { cidr: '10.1.0.0/16', group: 'foreign-group', description: 'same CIDR as a declared rule, another group' },
  { cidr: '172.16.0.0/12', description: 'all groups, another owner' },
  { cidr: '10.9.0.0/16', group: 'g-admins', description: 'declared by nobody here' },
];

const R1: Rule = { cidr: '10.0.0.0/16', group: 'g-dev', description: 'dev VPC' };
const R2: Rule = { cidr: '10.1.0.0/16', group: 'g-dev', description: 'shared services' };
const R3: Rule = { cidr: '10.2.0.0/24', description: 'everyone: docs' };
const R4: Rule = { cidr: '10.3.0.0/16', group: 'g-ops' };
const R5: Rule = { cidr: '10.1.0.0/16', group: 'g-ops', description: 'ops to shared services' };

function props(endpointId: string, rules: readonly Rule[], setId = SET_ID): ResourceProperties {
  return {
    SchemaVersion: '1',
    ClientVpnEndpointId: endpointId,
    SetId: setId,
    Rules: rules.map(r => ({
      Cidr: r.cidr,
      ...(r.group === undefined ? { AllGroups: true } : { GroupId: r.group }),
      ...(r.description !== undefined ? { Description: r.description } : {}),
    })),
  };
}

function signature(rule: Rule, status = 'active'): string {
  return ruleSignature({
    cidr: rule.cidr,
    groupId: rule.group,
    allGroups: rule.group === undefined,
    description: rule.description,
    status: status as 'active',
  });
}

function keyOf(rule: Rule): string {
  return rule.group === undefined ? `${rule.cidr}|*` : `${rule.cidr}|g:${rule.group}`;
}

interface Lab {
  readonly clock: SimulatedClock;
  readonly sim: SimulatedClientVpnService;
  readonly driver: CloudFormationLifecycleDriver;
  readonly endpoint: string;
  /** What the endpoint must show: the foreign rules plus `declared`, all active unless given. */
  expectExactly(endpointId: string, declared: readonly Rule[], extra?: readonly string[]): void;
  mutationsSince(index: number): SimulatedCall[];
}

let teardown: Array<() => void> = [];
let logged: string[] = [];

interface LabOptions {
  readonly sim?: Partial<SimulatedClientVpnOptions>;
  readonly driver?: Partial<LifecycleDriverOptions>;
  readonly endpoints?: number;
}

function lab(options: LabOptions = {}): Lab & { endpoints: string[] } {
  const clock = new SimulatedClock();
  const sim = new SimulatedClientVpnService({ clock, seed: 42, ...options.sim });
  sim.install();
  const records = new SimulatedParameterStore({ now: () => clock.now() });
  records.install();
  teardown.push(() => sim.restore(), () => records.restore(), clock.install());
  const endpoints = Array.from({ length: options.endpoints ?? 1 }, () => sim.createEndpoint());
  for (const e of endpoints) {
    for (const f of FOREIGN) {
      sim.putRule(e, { cidr: f.cidr, ...(f.group ? { groupId: f.group } : { allGroups: true }), description: f.description });
    }
  }
  const driver = new CloudFormationLifecycleDriver({
    handler, clock, crashSources: [sim], totalTimeoutSeconds: TOTAL_TIMEOUT_SECONDS, queryIntervalSeconds: 10, ...options.driver,
  });
  const foreignKeys = new Set(FOREIGN.map(keyOf));
  return {
    clock,
    sim,
    driver,
    endpoint: endpoints[0],
    endpoints,
    expectExactly(endpointId, declared, extra = []) {
      const expected = [...FOREIGN.map(f => signature(f)), ...declared.map(r => signature(r)), ...extra].sort();
      expect(sim.ruleSignatures(endpointId)).toEqual(expected);
      // Foreign rules are not only present: nothing ever addressed them.
      const touched = sim.calls.filter(c => c.operation !== 'DescribeClientVpnAuthorizationRules' && c.rule && foreignKeys.has(c.rule));
      expect(touched).toEqual([]);
      expect(sim.unsupportedCommandsSent()).toEqual([]);
    },
    mutationsSince(index) {
      return sim.mutationAttempts(index);
    },
  };
}

beforeEach(() => {
  process.env.TOTAL_TIMEOUT_SECONDS = String(TOTAL_TIMEOUT_SECONDS);
  process.env.AWS_REGION = 'us-east-1';
  logged = [];
  // The handler logs JSON lines; keep them for the secret check and out of the test output.
  const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
  teardown = [() => spy.mockRestore()];
});

afterEach(() => {
  for (const undo of teardown.reverse()) undo();
  delete process.env.TOTAL_TIMEOUT_SECONDS;
  // Nothing a handler logs may carry the pre-signed ResponseURL.
  expect(logged.filter(line => line.includes('X-Amz-Signature'))).toEqual([]);
});

describe('create', () => {
  test('authorizes the declared rules and answers with the natural physical id', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    const result = await driver.create(props(endpoint, [R1, R2, R3]));

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(driver.state.physicalResourceId).toBe(`${endpoint}/authorizations/${SET_ID}`);
    expect(driver.state.data).toMatchObject({ RuleCount: '3' });
    expect(sim.counters.mutatingCalls).toBe(3);
    expectExactly(endpoint, [R1, R2, R3]);
  });

  test('onEvent makes no AWS call at all', async () => {
    const { driver, sim, endpoint } = lab();
    const request = driver.buildRequest({ requestType: 'Create', properties: props(endpoint, [R1]) });
    await handler.onEvent(JSON.parse(JSON.stringify(request)));
    expect(sim.calls).toEqual([]);
  });

  test('a missing endpoint fails the create with a reason naming the endpoint id', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    const missing = 'cvpn-endpoint-0fffffffffffffff0';
    const result = await driver.create(props(missing, [R1]));

    expect(result.responses[0].Status).toBe('FAILED');
    expect(result.reason).toContain(missing);
    expect(result.reason).not.toContain(OPERATION_TIMED_OUT);
    // The rollback Delete of a set on a missing endpoint has nothing to do.
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(sim.counters.mutatingCalls).toBe(0);
    expectExactly(endpoint, []);
  });
});

describe('update', () => {
  test('adding and removing rules calls only for the difference and keeps the physical id', async () => {
    const { driver, sim, endpoint, expectExactly, mutationsSince } = lab();
    await driver.create(props(endpoint, [R1, R2, R3]));
    const id = driver.state.physicalResourceId;
    const mark = sim.calls.length;

    const result = await driver.update(props(endpoint, [R2, R3, R4, R5]));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(driver.state.physicalResourceId).toBe(id);
    expect(result.responses).toHaveLength(1); // no replacement, so no cleanup Delete
    expect(mutationsSince(mark).map(c => `${c.operation} ${c.rule}`).sort()).toEqual([
      `AuthorizeClientVpnIngress ${keyOf(R5)}`,
      `AuthorizeClientVpnIngress ${keyOf(R4)}`,
      `RevokeClientVpnIngress ${keyOf(R1)}`,
    ].sort());
    expectExactly(endpoint, [R2, R3, R4, R5]);
  });

  test('a description-only change revokes and re-authorizes that rule and makes no other call', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    await driver.create(props(endpoint, [R1, R2, R3]));
    const mark = sim.calls.length;
    const R2b = { ...R2, description: 'shared services (renamed)' };

    const result = await driver.update(props(endpoint, [R1, R2b, R3]));

    expect(result.status).toBe('UPDATE_COMPLETE');
    const nonDescribe = sim.calls.slice(mark).filter(c => c.operation !== 'DescribeClientVpnAuthorizationRules');
    expect(nonDescribe.map(c => [c.operation, c.rule, c.description, c.outcome])).toEqual([
      ['RevokeClientVpnIngress', keyOf(R2), undefined, 'ok'],
      ['AuthorizeClientVpnIngress', keyOf(R2), R2b.description, 'ok'],
    ]);
    expectExactly(endpoint, [R1, R2b, R3]);
  });

  test('a rule deleted out of band is restored by the next update', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    await driver.create(props(endpoint, [R1, R2]));
    sim.removeRule(endpoint, { cidr: R1.cidr, groupId: R1.group });

    const result = await driver.update(props(endpoint, [R1, R2, R3]));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expectExactly(endpoint, [R1, R2, R3]);
  });

  test('a new rule ending failed fails the update, naming endpoint, CIDR, group and AWS message; rollback restores the old set', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    await driver.create(props(endpoint, [R1, R2]));
    sim.failAuthorization(endpoint, { cidr: R4.cidr, groupId: R4.group }, 'The group g-ops does not exist in the directory');

    const result = await driver.update(props(endpoint, [R1, R4]));

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.responses.map(r => r.Status)).toEqual(['FAILED', 'SUCCESS']);
    for (const part of [endpoint, R4.cidr, R4.group as string, 'The group g-ops does not exist in the directory']) {
      expect(result.reason).toContain(part);
    }
    expect(driver.state.properties).toEqual(props(endpoint, [R1, R2]));
    expectExactly(endpoint, [R1, R2]);
  });

  test('widening a CIDR in place: the new rule is active before the old one is revoked', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    await driver.create(props(endpoint, [R1]));
    // 10.0.0.0/15 contains 10.0.0.0/16: hosts g-dev could reach must stay
    // reachable throughout (the reference's "CIDR change -> new rule active
    // before the old one is revoked").
    const R1wider = { ...R1, cidr: '10.0.0.0/15' };
    let newStatusAtRevoke: string | undefined;
    sim.onCall(call => {
      if (call.operation === 'RevokeClientVpnIngress' && call.rule === keyOf(R1) && newStatusAtRevoke === undefined) {
        newStatusAtRevoke = sim.rules(endpoint).find(r => r.cidr === R1wider.cidr && r.groupId === R1wider.group)?.status ?? 'absent';
      }
    });

    const result = await driver.update(props(endpoint, [R1wider]));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(newStatusAtRevoke).toBe('active');
    expectExactly(endpoint, [R1wider]);
  });
});

describe('replacement (endpoint A -> B)', () => {
  test('rules are authorized on B first, then the cleanup Delete revokes them on A', async () => {
    const { driver, sim, endpoints, expectExactly } = lab({ endpoints: 2 });
    const [a, b] = endpoints;
    await driver.create(props(a, [R1, R2]));
    const mark = sim.calls.length;

    const result = await driver.update(props(b, [R1, R2]));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(driver.state.physicalResourceId).toBe(`${b}/authorizations/${SET_ID}`);
    const mutations = sim.mutationAttempts(mark);
    const lastAuthorizeOnB = Math.max(...mutations.map((c, i) => (c.endpointId === b && c.operation === 'AuthorizeClientVpnIngress' ? i : -1)));
    const firstRevokeOnA = mutations.findIndex(c => c.endpointId === a && c.operation === 'RevokeClientVpnIngress');
    expect(lastAuthorizeOnB).toBeGreaterThanOrEqual(0);
    expect(firstRevokeOnA).toBeGreaterThan(lastAuthorizeOnB);
    expect(mutations).toHaveLength(4);
    expectExactly(a, []);
    expectExactly(b, [R1, R2]);
  });

  test('a failed replacement rolls back: A keeps its rules, B is cleaned up', async () => {
    const { driver, sim, endpoints, expectExactly } = lab({ endpoints: 2 });
    const [a, b] = endpoints;
    await driver.create(props(a, [R1, R2]));
    sim.failAuthorization(b, { cidr: R2.cidr, groupId: R2.group }, 'Directory unreachable');

    const result = await driver.update(props(b, [R1, R2]));

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toContain('Directory unreachable');
    expect(driver.state.physicalResourceId).toBe(`${a}/authorizations/${SET_ID}`);
    expectExactly(a, [R1, R2]);
    expectExactly(b, []);
  });
});

describe('delete', () => {
  test('revokes the set and nothing else', async () => {
    const { driver, endpoint, expectExactly } = lab();
    await driver.create(props(endpoint, [R1, R2, R3]));
    const result = await driver.delete();
    expect(result.status).toBe('DELETE_COMPLETE');
    expectExactly(endpoint, []);
  });

  test('after a failed create (invalid properties) it succeeds without any AWS call', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    const result = await driver.create(props(endpoint, [R1, { cidr: '10.0.0.5/24', group: 'g-dev' }]), { rollback: false });
    expect(result.status).toBe('CREATE_FAILED');
    expect(result.reason).toContain("did you mean '10.0.0.0/24'?");

    const deleted = await driver.deleteAfterFailedCreate();

    expect(deleted.status).toBe('ROLLBACK_COMPLETE');
    expect(sim.calls).toEqual([]);
    expectExactly(endpoint, []);
  });

  test('succeeds when the endpoint was deleted out of band', async () => {
    const { driver, sim, endpoint } = lab();
    await driver.create(props(endpoint, [R1]));
    sim.deleteEndpoint(endpoint);
    expect((await driver.delete()).status).toBe('DELETE_COMPLETE');
  });
});

describe('duplicate delivery', () => {
  test.each(['twice-sequential', 'twice-interleaved'] as const)('the same Create delivered %s: no duplicate rules, no errors', async delivery => {
    const { driver, sim, endpoint, expectExactly } = lab();
    const result = await driver.create(props(endpoint, [R1, R2, R3, R4]), { delivery });

    expect(result.responses.map(r => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(result.responses[0].RequestId).toBe(result.responses[1].RequestId);
    expect(sim.counters.mutatingCalls).toBe(4);
    expect(sim.counters.errors).toEqual({});
    expectExactly(endpoint, [R1, R2, R3, R4]);
  });

  test.each(['twice-sequential', 'twice-interleaved'] as const)('the same Update delivered %s converges with the minimum of changes', async delivery => {
    const { driver, sim, endpoint, expectExactly } = lab();
    await driver.create(props(endpoint, [R1, R2, R3]));
    const before = sim.counters.mutatingCalls;
    const result = await driver.update(props(endpoint, [R1, { ...R2, description: 'renamed' }, R4]), { delivery });

    expect(result.responses.map(r => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    // R2 revoke + re-authorize, R3 revoke, R4 authorize.
    expect(sim.counters.mutatingCalls - before).toBe(4);
    expectExactly(endpoint, [R1, { ...R2, description: 'renamed' }, R4]);
  });
});

describe('lost invocations', () => {
  test('a crash between two mutating calls: the retry converges with no duplicate', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    sim.crashAfterMutatingCalls(2);

    const result = await driver.create(props(endpoint, [R1, R2, R3, R4]));

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(driver.log.some(e => e.kind === 'isComplete' && e.outcome === 'lost')).toBe(true);
    expect(sim.counters.mutatingCalls).toBe(4);
    expectExactly(endpoint, [R1, R2, R3, R4]);
  });

  test('a crash after the first mutating call of an update: the retry converges', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    await driver.create(props(endpoint, [R1, R2, R3]));
    const before = sim.counters.mutatingCalls;
    sim.crashAfterMutatingCalls(1);

    const result = await driver.update(props(endpoint, [R1, { ...R3, description: 'changed' }, R4]));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(driver.log.some(e => e.kind === 'isComplete' && e.outcome === 'lost')).toBe(true);
    expect(sim.counters.mutatingCalls - before).toBe(4);
    expectExactly(endpoint, [R1, { ...R3, description: 'changed' }, R4]);
  });
});

describe('limits and throttling', () => {
  test('throttling on every third call still converges within totalTimeout', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    sim.throttleEvery(3);
    const start = driver.clock.now();

    await driver.create(props(endpoint, [R1, R2, R3, R4]));
    const result = await driver.update(props(endpoint, [R2, { ...R3, description: 'new' }, R5]));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(sim.counters.throttledCalls).toBeGreaterThan(0);
    expect(driver.clock.now() - start).toBeLessThan(2 * TOTAL_TIMEOUT_SECONDS * 1000);
    expectExactly(endpoint, [R2, { ...R3, description: 'new' }, R5]);
  });

  test('foreign rules in transition shrink the budget: no call exceeds the limit', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    for (let i = 0; i < 8; i++) {
      sim.putRule(endpoint, { cidr: `192.168.${i}.0/24`, groupId: 'other-stack', status: 'authorizing', transitionInMs: 45_000 });
    }
    const rules = Array.from({ length: 6 }, (_, i): Rule => ({ cidr: `10.${20 + i}.0.0/16`, group: 'g-dev' }));

    const result = await driver.create(props(endpoint, rules));

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(sim.counters.errors.ConcurrentMutationLimitExceeded).toBeUndefined();
    expect(sim.counters.maxInTransitionObserved).toBeLessThanOrEqual(10);
    // The other stack's rules were never waited on; let them finish before comparing.
    driver.clock.advance(45_000);
    const others = Array.from({ length: 8 }, (_, i) => signature({ cidr: `192.168.${i}.0/24`, group: 'other-stack' }));
    expectExactly(endpoint, rules, others);
  });

  test('ConcurrentMutationLimitExceeded from another actor racing the handler: converges, never over 10 in transition', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    // Another stack starts mutations right after each of our Describes, so
    // the budget the handler computed is stale by the time it calls.
    let racing = 0;
    sim.onCall(call => {
      if (call.operation === 'DescribeClientVpnAuthorizationRules' && racing < 24) {
        for (let i = 0; i < 6 && sim.inTransition(endpoint) < 10; i++, racing++) {
          sim.putRule(endpoint, { cidr: `192.168.${racing}.0/24`, groupId: 'other-stack', status: 'authorizing' });
        }
      }
    });
    const rules = Array.from({ length: 12 }, (_, i): Rule => ({ cidr: `10.${20 + i}.0.0/16`, group: 'g-dev' }));

    const result = await driver.create(props(endpoint, rules));

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(sim.counters.errors.ConcurrentMutationLimitExceeded).toBeGreaterThan(0);
    expect(sim.counters.maxInTransitionObserved).toBeLessThanOrEqual(10);
    driver.clock.advance(15_000); // the other stack's last rules settle
    const others = Array.from({ length: racing }, (_, i) => signature({ cidr: `192.168.${i}.0/24`, group: 'other-stack' }));
    expectExactly(endpoint, rules, others);
  });

  test('120 rules on one endpoint converge in passes of at most 10, across Describe pages', async () => {
    // 120 rules need a raised "authorization rules per endpoint" quota (default 50),
    // and a page cap makes the handler follow NextToken.
    const { driver, sim, endpoint, expectExactly } = lab({ sim: { maxRulesPerEndpoint: 200, pageSizeCap: 50 } });
    const rules = Array.from({ length: 120 }, (_, i): Rule => ({
      cidr: `10.${100 + Math.floor(i / 4)}.0.0/16`,
      group: `g-${i % 4}`,
    }));
    const unique = new Set(rules.map(keyOf));
    expect(unique.size).toBe(120);

    const created = await driver.create(props(endpoint, rules));
    expect(created.status).toBe('CREATE_COMPLETE');
    expect(sim.counters.maxInTransitionObserved).toBeLessThanOrEqual(10);
    expect(sim.counters.errors.ConcurrentMutationLimitExceeded).toBeUndefined();
    expect(sim.counters.mutatingCalls).toBe(120);
    expectExactly(endpoint, rules);

    const deleted = await driver.delete();
    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(sim.counters.maxInTransitionObserved).toBeLessThanOrEqual(10);
    expectExactly(endpoint, []);
  });
});

describe('deadline', () => {
  test('a rule stuck authorizing fails with a reason naming it, before the waiter times out', async () => {
    const { driver, sim, endpoint, expectExactly } = lab();
    sim.holdAuthorization(endpoint, { cidr: R2.cidr, groupId: R2.group });
    const start = driver.clock.now();

    const result = await driver.create(props(endpoint, [R1, R2]), { rollback: false });

    expect(result.status).toBe('CREATE_FAILED');
    expect(result.reason).not.toContain(OPERATION_TIMED_OUT);
    expect(result.reason).toContain(endpoint);
    expect(result.reason).toContain(`${R2.cidr} group ${R2.group}`);
    expect(result.reason).toContain('authorizing');
    expect(driver.clock.now() - start).toBeLessThan(TOTAL_TIMEOUT_SECONDS * 1000);
    expectExactly(endpoint, [R1], [signature(R2, 'authorizing')]);
  });
});
