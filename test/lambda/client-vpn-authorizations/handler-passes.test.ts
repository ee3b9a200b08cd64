/**
 * What one isComplete pass observes and how much it does: pagination, the
 * per-endpoint mutation budget, description changes, idempotency tokens,
 * the deadline, and what it logs.
 */
import {
  AuthorizeClientVpnIngressCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  RevokeClientVpnIngressCommand,
} from '@aws-sdk/client-ec2';
import { isComplete } from '../../../lambda/client-vpn-authorizations';
import { HandlerError } from '../../../lambda/shared/errors';
import {
  authorizeCalls, authorizeSucceeds, describeCalls, describeReturns, ec2, mutationCount, revokeCalls, revokeSucceeds, useHarness,
} from '../ec2-mock';
import { createEvent, ENDPOINT, PHYSICAL_ID, setProps, updateEvent, waiterEvent, wireRule } from '../fixtures';

const h = useHarness();

const rules = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ Cidr: `10.${from + i}.0.0/16`, GroupId: 'g-1' }));
const foreign = (n: number, status: 'authorizing' | 'revoking') =>
  Array.from({ length: n }, (_, i) => wireRule(`172.16.${i}.0/24`, 'someone-else', status));

describe('pagination', () => {
  test('follows NextToken across 3 pages and plans on all of them', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand)
      .resolvesOnce({ AuthorizationRules: [wireRule('10.0.0.0/16', 'g-1', 'active')], NextToken: 'page-2' })
      .resolvesOnce({ AuthorizationRules: [wireRule('10.1.0.0/16', 'g-1', 'active')], NextToken: 'page-3' })
      .resolvesOnce({ AuthorizationRules: [wireRule('10.2.0.0/16', 'g-1', 'authorizing')] });
    authorizeSucceeds();
    await expect(isComplete(waiterEvent(createEvent(setProps(rules(4))), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });

    expect(describeCalls().map(c => [c.NextToken, c.MaxResults])).toEqual([[undefined, 1000], ['page-2', 1000], ['page-3', 1000]]);
    // Rules on pages 1-3 exist or are in progress; only the fourth is authorized.
    expect(authorizeCalls().map(c => c.TargetNetworkCidr)).toEqual(['10.3.0.0/16']);
  });

  test('a throttled page is retried within the listing instead of restarting it next pass', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand)
      .resolvesOnce({ AuthorizationRules: [wireRule('10.0.0.0/16', 'g-1', 'active')], NextToken: 'page-2' })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }))
      .resolvesOnce({ AuthorizationRules: [wireRule('10.1.0.0/16', 'g-1', 'active')] });
    await expect(isComplete(waiterEvent(createEvent(setProps(rules(2))), PHYSICAL_ID))).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '2' } });
    expect(describeCalls().map(c => c.NextToken)).toEqual([undefined, 'page-2', 'page-2']);
    expect(h.clock.sleeps).toEqual([1000]);
  });

  test('page retries are bounded: a listing that stays throttled gives up for this pass', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    await expect(isComplete(waiterEvent(createEvent(setProps(rules(2))), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
    expect(describeCalls()).toHaveLength(4);
    expect(mutationCount()).toBe(0);
  });

  test('a repeated NextToken is treated as a transient read failure, not a partial list', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand).resolves({ AuthorizationRules: [], NextToken: 'same' });
    await expect(isComplete(waiterEvent(createEvent(setProps(rules(1))), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
    expect(mutationCount()).toBe(0);
    expect(describeCalls()).toHaveLength(2);
  });
});

describe('mutation budget (10 concurrent mutations per endpoint)', () => {
  test('8 foreign rules authorizing leave room for 2 calls', async () => {
    describeReturns(...foreign(8, 'authorizing'));
    authorizeSucceeds();
    await isComplete(waiterEvent(createEvent(setProps(rules(5))), PHYSICAL_ID));
    expect(mutationCount()).toBe(2);
    expect(h.logs()).toContainEqual(expect.objectContaining({
      message: 'reconcile pass planned', inFlight: 8, budget: 2, authorize: 2, deferred: 3,
    }));
  });

  test('a full endpoint gets no call at all', async () => {
    const revoking = Array.from({ length: 4 }, (_, i) => wireRule(`172.17.${i}.0/24`, 'someone-else', 'revoking'));
    describeReturns(...foreign(6, 'authorizing'), ...revoking);
    await expect(isComplete(waiterEvent(createEvent(setProps(rules(3))), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
    expect(mutationCount()).toBe(0);
    expect(h.logs()).toContainEqual(expect.objectContaining({ message: 'reconcile pass planned', inFlight: 10, budget: 0, deferred: 3 }));
  });

  test('12 new rules on an idle endpoint: 10 calls, never more than 10 pending at once', async () => {
    let active = 0;
    let peak = 0;
    describeReturns();
    ec2.on(AuthorizeClientVpnIngressCommand).callsFake(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise(resolve => setImmediate(resolve));
      active--;
      return { Status: { Code: 'authorizing' } };
    });
    await isComplete(waiterEvent(createEvent(setProps(rules(12))), PHYSICAL_ID));
    expect(authorizeCalls()).toHaveLength(10);
    expect(peak).toBeLessThanOrEqual(10);
    expect(peak).toBeGreaterThan(1);
  });

  test('MAX_MUTATIONS_PER_ENDPOINT lowers the limit (and cannot raise it)', async () => {
    process.env.MAX_MUTATIONS_PER_ENDPOINT = '3';
    describeReturns();
    authorizeSucceeds();
    await isComplete(waiterEvent(createEvent(setProps(rules(12))), PHYSICAL_ID));
    expect(authorizeCalls()).toHaveLength(3);

    ec2.resetHistory();
    process.env.MAX_MUTATIONS_PER_ENDPOINT = '50';
    await isComplete(waiterEvent(createEvent(setProps(rules(12))), PHYSICAL_ID));
    expect(authorizeCalls()).toHaveLength(10);
  });
});

describe('description changes', () => {
  const before = setProps([{ Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'old' }, { Cidr: '10.1.0.0/16', GroupId: 'g-1', Description: 'same' }]);
  const after = setProps([{ Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'new' }, { Cidr: '10.1.0.0/16', GroupId: 'g-1', Description: 'same' }]);

  test('revoke the one changed rule, poll each second, authorize it with the new description once gone', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand)
      .resolvesOnce({ AuthorizationRules: [wireRule('10.0.0.0/16', 'g-1', 'active', 'old'), wireRule('10.1.0.0/16', 'g-1', 'active', 'same')] })
      .resolvesOnce({ AuthorizationRules: [wireRule('10.0.0.0/16', 'g-1', 'revoking', 'old')] })
      .resolvesOnce({ AuthorizationRules: [] });
    revokeSucceeds();
    authorizeSucceeds();

    await expect(isComplete(waiterEvent(updateEvent(after, before), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });

    expect(revokeCalls()).toEqual([{ ClientVpnEndpointId: ENDPOINT, TargetNetworkCidr: '10.0.0.0/16', AccessGroupId: 'g-1' }]);
    expect(authorizeCalls()).toEqual([expect.objectContaining({ TargetNetworkCidr: '10.0.0.0/16', AccessGroupId: 'g-1', Description: 'new' })]);
    expect(h.clock.sleeps).toEqual([1000, 1000]);
    expect(describeCalls().slice(1).map(c => c.Filters)).toEqual([
      [{ Name: 'destination-cidr', Values: ['10.0.0.0/16'] }],
      [{ Name: 'destination-cidr', Values: ['10.0.0.0/16'] }],
    ]);
    // The revoke is answered before the authorize is sent.
    const order = ec2.calls().map(call => call.args[0].constructor.name);
    expect(order.indexOf('RevokeClientVpnIngressCommand')).toBeLessThan(order.indexOf('AuthorizeClientVpnIngressCommand'));
  });

  test('a read that still shows the old rule active keeps the poll waiting, not re-revoking', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand)
      .resolvesOnce({ AuthorizationRules: [wireRule('10.0.0.0/16', 'g-1', 'active', 'old'), wireRule('10.1.0.0/16', 'g-1', 'active', 'same')] })
      .resolvesOnce({ AuthorizationRules: [wireRule('10.0.0.0/16', 'g-1', 'active', 'old')] })
      .resolvesOnce({ AuthorizationRules: [] });
    revokeSucceeds();
    authorizeSucceeds();
    await isComplete(waiterEvent(updateEvent(after, before), PHYSICAL_ID));
    expect(revokeCalls()).toHaveLength(1);
    expect(authorizeCalls()).toEqual([expect.objectContaining({ TargetNetworkCidr: '10.0.0.0/16', Description: 'new' })]);
    expect(h.clock.sleeps).toEqual([1000, 1000]);
  });

  test('still revoking after 20 s: stop polling, the next pass authorizes it', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand)
      .resolvesOnce({ AuthorizationRules: [wireRule('10.0.0.0/16', 'g-1', 'active', 'old'), wireRule('10.1.0.0/16', 'g-1', 'active', 'same')] })
      .resolves({ AuthorizationRules: [wireRule('10.0.0.0/16', 'g-1', 'revoking', 'old')] });
    revokeSucceeds();
    const event = waiterEvent(updateEvent(after, before), PHYSICAL_ID);
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(h.clock.sleeps.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(authorizeCalls()).toEqual([]);

    ec2.reset();
    ec2.onAnyCommand().rejects(new Error('unexpected AWS call'));
    describeReturns(wireRule('10.1.0.0/16', 'g-1', 'active', 'same'));
    authorizeSucceeds();
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(authorizeCalls()).toEqual([expect.objectContaining({ TargetNetworkCidr: '10.0.0.0/16', Description: 'new' })]);
    expect(revokeCalls()).toEqual([]);
  });

  test('a throttled revoke is not followed by polling or an authorize', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active', 'old'), wireRule('10.1.0.0/16', 'g-1', 'active', 'same'));
    ec2.on(RevokeClientVpnIngressCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    await expect(isComplete(waiterEvent(updateEvent(after, before), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
    // One resend of the refused revoke a second later, then no redescribe polling.
    expect(revokeCalls()).toHaveLength(2);
    expect(h.clock.sleeps).toEqual([1000]);
    expect(authorizeCalls()).toEqual([]);
  });
});

describe('idempotency', () => {
  test('a duplicate delivery of the same request sends the same ClientTokens; another request sends others', async () => {
    describeReturns();
    authorizeSucceeds();
    const props = setProps(rules(3));
    await isComplete(waiterEvent(createEvent(props, 'req-A'), PHYSICAL_ID));
    await isComplete(waiterEvent(createEvent(props, 'req-A'), PHYSICAL_ID));
    await isComplete(waiterEvent(createEvent(props, 'req-B'), PHYSICAL_ID));
    const tokens = authorizeCalls().map(c => c.ClientToken);
    expect(tokens.slice(0, 3)).toEqual(tokens.slice(3, 6));
    expect(new Set(tokens.slice(0, 3)).size).toBe(3);
    expect(tokens.slice(6).some(t => tokens.slice(0, 3).includes(t))).toBe(false);
    expect(tokens.every(t => /^[0-9a-f]{64}$/.test(t ?? ''))).toBe(true);
  });

  test('the token also covers the description, so a new description is a new request to EC2', async () => {
    describeReturns();
    authorizeSucceeds();
    await isComplete(waiterEvent(createEvent(setProps([{ Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'a' }]), 'req-A'), PHYSICAL_ID));
    await isComplete(waiterEvent(createEvent(setProps([{ Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'b' }]), 'req-A'), PHYSICAL_ID));
    const [first, second] = authorizeCalls().map(c => c.ClientToken);
    expect(first).not.toBe(second);
  });
});

describe('deadline', () => {
  test('past it, fails naming the endpoint, the wait and the pending rules', async () => {
    describeReturns(
      wireRule('10.0.0.0/16', 'g-1', 'authorizing'),
      wireRule('10.1.0.0/16', 'all', 'authorizing'),
      wireRule('10.2.0.0/16', 'g-2', 'authorizing'),
    );
    const props = setProps([{ Cidr: '10.0.0.0/16', GroupId: 'g-1' }, { Cidr: '10.1.0.0/16', AllGroups: 'true' }, { Cidr: '10.2.0.0/16', GroupId: 'g-2' }]);
    const event = waiterEvent(createEvent(props), PHYSICAL_ID, h.clock.now() - 1);
    await expect(isComplete(event)).rejects.toThrow(new HandlerError(
      `timed out after 3480 s waiting for endpoint ${ENDPOINT}: 3 rules still authorizing (10.0.0.0/16 group g-1, 10.1.0.0/16 all groups, 10.2.0.0/16 group g-2)`,
    ));
    expect(mutationCount()).toBe(0);
  });

  test('names every pending rule that fits the reason, by state', async () => {
    describeReturns(...Array.from({ length: 8 }, (_, i) => wireRule(`10.${i}.0.0/16`, 'g-1', 'revoking')), ...foreign(2, 'authorizing'));
    const event = waiterEvent(createEvent(setProps(rules(14))), PHYSICAL_ID, h.clock.now() - 1);
    const error = await isComplete(event).then(() => undefined, (e: Error) => e);
    expect(error?.message).toBe(
      `timed out after 3480 s waiting for endpoint ${ENDPOINT}: `
      + '8 rules still revoking (10.0.0.0/16 group g-1, 10.1.0.0/16 group g-1, 10.2.0.0/16 group g-1, 10.3.0.0/16 group g-1, '
      + '10.4.0.0/16 group g-1, 10.5.0.0/16 group g-1, 10.6.0.0/16 group g-1, 10.7.0.0/16 group g-1); '
      + '6 rules not yet started (no free mutation slot on the endpoint) (10.10.0.0/16 group g-1, 10.11.0.0/16 group g-1, '
      + '10.12.0.0/16 group g-1, 10.13.0.0/16 group g-1, 10.8.0.0/16 group g-1, 10.9.0.0/16 group g-1)',
    );
  });

  test('with hundreds pending, names as many as fit the response budget and logs them all', async () => {
    describeReturns(...foreign(10, 'authorizing'));
    const many = Array.from({ length: 400 }, (_, i) => ({ Cidr: `10.${Math.floor(i / 200)}.${i % 200}.0/24`, GroupId: 'g-1' }));
    const event = waiterEvent(createEvent(setProps(many)), PHYSICAL_ID, h.clock.now() - 1);
    const error = await isComplete(event).then(() => undefined, (e: Error) => e);
    const reason = error?.message ?? '';
    expect(reason.length).toBeLessThan(1700);
    const named = reason.match(/10\.\d+\.\d+\.0\/24 group g-1/g) ?? [];
    expect(named.length).toBeGreaterThan(40);
    expect(reason).toMatch(new RegExp(`and ${400 - named.length} more\\)$`));
    const full = h.logs().find(line => line.message === 'deadline reached with rules remaining');
    expect(full?.remaining).toBe(400);
    expect((full?.ids as string[])).toContain('10.1.199.0/24 group g-1 (queued)');
  });

  test('a set that is in place succeeds even past the deadline', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active'));
    const event = waiterEvent(createEvent(setProps(rules(1))), PHYSICAL_ID, h.clock.now() - 1);
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '1' } });
  });

  test('past it while the rules cannot be read: fails with the last error instead of waiting for the waiter\'s bare timeout', async () => {
    ec2.on(DescribeClientVpnAuthorizationRulesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    const event = waiterEvent(createEvent(setProps(rules(1))), PHYSICAL_ID, h.clock.now() - 1);
    await expect(isComplete(event)).rejects.toThrow(
      `timed out after 3480 s waiting for endpoint ${ENDPOINT}: its rules could not be read (RequestLimitExceeded: Rate exceeded)`,
    );
  });

  test('before it, pending work just waits', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'authorizing'));
    const event = waiterEvent(createEvent(setProps(rules(1))), PHYSICAL_ID, h.clock.now() + 1);
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
  });
});

describe('response and logs', () => {
  test('Data stays far below 4 KB for the largest set', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ Cidr: `10.${Math.floor(i / 256)}.${i % 256}.0/24`, GroupId: 'g-1' }));
    describeReturns(...many.map(r => wireRule(r.Cidr, 'g-1', 'active')));
    const result = await isComplete(waiterEvent(createEvent(setProps(many)), PHYSICAL_ID));
    expect(result).toEqual({ IsComplete: true, Data: { RuleCount: '1000' } });
    expect(Buffer.byteLength(JSON.stringify(result.Data))).toBeLessThan(4096);
  });

  test('each pass logs its decisions and counts, never an API response', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active', 'keep'), wireRule('10.5.0.0/16', 'g-1', 'active'));
    authorizeSucceeds();
    revokeSucceeds();
    const update = updateEvent(
      setProps([{ Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'keep' }, { Cidr: '10.1.0.0/16', GroupId: 'g-1' }]),
      setProps([{ Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'keep' }, { Cidr: '10.5.0.0/16', GroupId: 'g-1' }]),
    );
    await isComplete(waiterEvent(update, PHYSICAL_ID));
    const logs = h.logs();
    expect(logs).toContainEqual({
      level: 'info',
      message: 'reconcile pass planned',
      requestType: 'Update',
      endpointId: ENDPOINT,
      physicalId: PHYSICAL_ID,
      ensure: 2,
      remove: 1,
      observed: 2,
      inFlight: 0,
      budget: 10,
      authorize: 1,
      revoke: 0,
      redescribe: 0,
      wait: 0,
      deferred: 0,
      held: 1,
      done: 1,
      failed: 0,
      complete: false,
    });
    const text = JSON.stringify(logs);
    expect(text).not.toContain('AuthorizationRules');
    expect(text).not.toContain('$metadata');
  });
});
