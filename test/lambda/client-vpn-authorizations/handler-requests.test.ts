/**
 * onEvent / isComplete for each request type, against a mocked EC2.
 */
import { isComplete, onEvent } from '../../../lambda/client-vpn-authorizations';
import { HandlerError } from '../../../lambda/shared/errors';
import {
  authorizeCalls, authorizeSucceeds, describeCalls, describeReturns, ec2, mutationCount, revokeCalls, revokeSucceeds, useHarness,
} from '../ec2-mock';
import {
  createEvent, deleteEvent, ENDPOINT, OTHER_ENDPOINT, PHYSICAL_ID, setProps, updateEvent, waiterEvent, wireRule,
} from '../fixtures';

const h = useHarness();

const RULE_G1 = { Cidr: '10.0.0.0/16', GroupId: 'g-1', Description: 'engineering' };
const RULE_ALL = { Cidr: '10.1.0.0/16', AllGroups: 'true' };

describe('Create', () => {
  test('onEvent answers with the natural physical id and a deadline, making no AWS call', async () => {
    const response = await onEvent(createEvent(setProps([RULE_G1, RULE_ALL])));
    expect(response).toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Deadline: h.clock.time + (3600 - 120) * 1000,
      // An endpoint created in the same deploy may not be described yet: wait five minutes for it.
      NotFoundGraceUntil: h.clock.time + 300_000,
    });
    expect(ec2.calls()).toHaveLength(0);
    expect(h.parameters.names()).toEqual([]);
  });

  test('TOTAL_TIMEOUT_SECONDS moves the deadline', async () => {
    process.env.TOTAL_TIMEOUT_SECONDS = '1800';
    const response = await onEvent(createEvent(setProps([RULE_G1])));
    expect(response.Deadline).toBe(h.clock.time + (1800 - 120) * 1000);
  });

  test('isComplete authorizes each missing rule (group, all groups, description, client token)', async () => {
    describeReturns();
    authorizeSucceeds();
    const event = createEvent(setProps([RULE_G1, RULE_ALL]));
    await expect(isComplete(waiterEvent(event, PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });

    expect(describeCalls()).toEqual([{ ClientVpnEndpointId: ENDPOINT, MaxResults: 1000, NextToken: undefined, Filters: undefined }]);
    expect(authorizeCalls()).toEqual([
      {
        ClientVpnEndpointId: ENDPOINT,
        TargetNetworkCidr: '10.0.0.0/16',
        AccessGroupId: 'g-1',
        Description: 'engineering',
        ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      {
        ClientVpnEndpointId: ENDPOINT,
        TargetNetworkCidr: '10.1.0.0/16',
        AuthorizeAllGroups: true,
        ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(revokeCalls()).toEqual([]);
  });

  test('rules still authorizing are waited on, not re-authorized', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'authorizing', 'engineering'), wireRule('10.1.0.0/16', 'all', 'authorizing'));
    await expect(isComplete(waiterEvent(createEvent(setProps([RULE_G1, RULE_ALL])), PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
    expect(mutationCount()).toBe(0);
  });

  test('complete when every rule is active with its description; Data carries RuleCount', async () => {
    describeReturns(
      wireRule('10.0.0.0/16', 'g-1', 'active', 'engineering'),
      wireRule('10.1.0.0/16', 'all', 'active'),
      wireRule('10.9.0.0/16', 'all', 'authorizing', 'not ours'),
    );
    const result = await isComplete(waiterEvent(createEvent(setProps([RULE_G1, RULE_ALL])), PHYSICAL_ID));
    expect(result).toEqual({ IsComplete: true, Data: { RuleCount: '2' } });
    expect(mutationCount()).toBe(0);
  });

  test('adopts a rule that already exists with the same description', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active', 'engineering'));
    authorizeSucceeds();
    await isComplete(waiterEvent(createEvent(setProps([RULE_G1, RULE_ALL])), PHYSICAL_ID));
    expect(authorizeCalls().map(c => c.TargetNetworkCidr)).toEqual(['10.1.0.0/16']);
  });

  test('malformed properties fail onEvent and isComplete, naming the path and value', async () => {
    const event = createEvent(setProps([RULE_G1, RULE_ALL, { Cidr: '10.2.0.0/16', GroupId: 'g' }, { Cidr: '10.0.0.5/24', GroupId: 'g' }]));
    const expected = "invalid properties for Create: Rules[3].Cidr '10.0.0.5/24' has host bits set; did you mean '10.0.0.0/24'?";
    await expect(onEvent(event)).rejects.toThrow(new HandlerError(expected));
    await expect(isComplete(waiterEvent(event, PHYSICAL_ID))).rejects.toThrow(expected);
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('Update', () => {
  test('same endpoint: authorizes added rules, then revokes removed ones; unchanged and foreign rules are left alone', async () => {
    const oldProps = setProps([RULE_G1, RULE_ALL, { Cidr: '10.2.0.0/16', GroupId: 'g-2', Description: 'x' }]);
    const newProps = setProps([RULE_G1, { Cidr: '10.2.0.0/16', GroupId: 'g-2', Description: 'x' }, { Cidr: '10.3.0.0/16', GroupId: 'g-3' }]);
    const event = updateEvent(newProps, oldProps);
    await expect(onEvent(event)).resolves.toEqual({
      PhysicalResourceId: PHYSICAL_ID, Deadline: expect.any(Number), NotFoundGraceUntil: expect.any(Number),
    });
    expect(ec2.calls()).toHaveLength(0);

    const unchangedAndForeign = [
      wireRule('10.0.0.0/16', 'g-1', 'active', 'engineering'),
      wireRule('10.2.0.0/16', 'g-2', 'active', 'x'),
      wireRule('10.1.0.0/16', 'g-9', 'active', 'foreign, same CIDR'),
      wireRule('192.168.0.0/16', 'all', 'failed', 'foreign and failed'),
    ];
    describeReturns(...unchangedAndForeign, wireRule('10.1.0.0/16', 'all', 'active'));
    authorizeSucceeds();
    revokeSucceeds();
    // Pass 1: make. The removed rule is held until the new one is active.
    await expect(isComplete(waiterEvent(event, PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
    expect(authorizeCalls()).toEqual([expect.objectContaining({ TargetNetworkCidr: '10.3.0.0/16', AccessGroupId: 'g-3' })]);
    expect(revokeCalls()).toEqual([]);

    // Pass 2: the new rule is active; break.
    ec2.resetHistory();
    describeReturns(...unchangedAndForeign, wireRule('10.1.0.0/16', 'all', 'active'), wireRule('10.3.0.0/16', 'g-3', 'active'));
    await expect(isComplete(waiterEvent(event, PHYSICAL_ID))).resolves.toEqual({ IsComplete: false });
    expect(authorizeCalls()).toEqual([]);
    expect(revokeCalls()).toEqual([{ ClientVpnEndpointId: ENDPOINT, TargetNetworkCidr: '10.1.0.0/16', RevokeAllGroups: true }]);

    // Pass 3: gone; complete.
    ec2.resetHistory();
    describeReturns(...unchangedAndForeign, wireRule('10.3.0.0/16', 'g-3', 'active'));
    await expect(isComplete(waiterEvent(event, PHYSICAL_ID))).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '3' } });
    expect(mutationCount()).toBe(0);
  });

  test('rollback (old and new swapped) restores the old rules, then removes the new ones', async () => {
    const a = setProps([RULE_G1]);
    const b = setProps([RULE_ALL]);
    const rollback = waiterEvent(updateEvent(a, b, PHYSICAL_ID, 'req-rollback'), PHYSICAL_ID);
    describeReturns(wireRule('10.1.0.0/16', 'all', 'active'));
    authorizeSucceeds();
    revokeSucceeds();
    await isComplete(rollback);
    expect(authorizeCalls()).toEqual([expect.objectContaining({ TargetNetworkCidr: '10.0.0.0/16', AccessGroupId: 'g-1' })]);
    expect(revokeCalls()).toEqual([]);

    ec2.resetHistory();
    describeReturns(wireRule('10.1.0.0/16', 'all', 'active'), wireRule('10.0.0.0/16', 'g-1', 'active', 'engineering'));
    await isComplete(rollback);
    expect(authorizeCalls()).toEqual([]);
    expect(revokeCalls()).toEqual([expect.objectContaining({ TargetNetworkCidr: '10.1.0.0/16', RevokeAllGroups: true })]);
  });

  test('moving to another endpoint: new id, rules ensured there, nothing removed (the old id gets a Delete)', async () => {
    const oldProps = setProps([RULE_G1, RULE_ALL]);
    const newProps = setProps([RULE_G1], { ClientVpnEndpointId: OTHER_ENDPOINT });
    const event = updateEvent(newProps, oldProps);
    const newId = `${OTHER_ENDPOINT}/authorizations/set-3f2a`;
    await expect(onEvent(event)).resolves.toMatchObject({ PhysicalResourceId: newId });

    describeReturns();
    authorizeSucceeds();
    await isComplete(waiterEvent(event, newId));
    expect(describeCalls().map(c => c.ClientVpnEndpointId)).toEqual([OTHER_ENDPOINT]);
    expect(authorizeCalls()).toEqual([expect.objectContaining({ ClientVpnEndpointId: OTHER_ENDPOINT, TargetNetworkCidr: '10.0.0.0/16' })]);
    expect(revokeCalls()).toEqual([]);
  });

  test('unreadable old properties: the new rules are ensured and nothing is removed', async () => {
    const event = updateEvent(setProps([RULE_G1]), { SchemaVersion: '0', Whatever: true });
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'active', 'engineering'), wireRule('10.1.0.0/16', 'all', 'active'));
    await expect(isComplete(waiterEvent(event, PHYSICAL_ID))).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '1' } });
    expect(mutationCount()).toBe(0);
  });

  test('malformed new properties fail naming the path', async () => {
    const event = updateEvent(setProps([{ Cidr: '10.0.0.0/16', AllGroups: 'maybe' }]), setProps([RULE_G1]));
    await expect(onEvent(event)).rejects.toThrow("invalid properties for Update: Rules[0].AllGroups 'maybe' must be true or 'true'");
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('Delete', () => {
  const props = setProps([RULE_G1, RULE_ALL, { Cidr: '10.2.0.0/16', GroupId: 'g-2' }]);

  test('onEvent returns the physical id it received, making no AWS call', async () => {
    await expect(onEvent(deleteEvent(props))).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID, Deadline: expect.any(Number) });
    expect(ec2.calls()).toHaveLength(0);
  });

  test('revokes the set\'s rules it finds (active or failed), then completes once they are gone', async () => {
    describeReturns(
      wireRule('10.0.0.0/16', 'g-1', 'active', 'engineering'),
      wireRule('10.1.0.0/16', 'all', 'failed', undefined, 'association lost'),
      wireRule('10.0.0.0/16', 'g-7', 'active', 'someone else'),
    );
    revokeSucceeds();
    const event = waiterEvent(deleteEvent(props), PHYSICAL_ID);
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(revokeCalls()).toEqual([
      { ClientVpnEndpointId: ENDPOINT, TargetNetworkCidr: '10.0.0.0/16', AccessGroupId: 'g-1' },
      { ClientVpnEndpointId: ENDPOINT, TargetNetworkCidr: '10.1.0.0/16', RevokeAllGroups: true },
    ]);
    expect(authorizeCalls()).toEqual([]);

    ec2.reset();
    ec2.onAnyCommand().rejects(new Error('unexpected AWS call'));
    describeReturns(wireRule('10.0.0.0/16', 'g-1', 'revoking', 'engineering'), wireRule('10.0.0.0/16', 'g-7', 'active', 'someone else'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(mutationCount()).toBe(0);

    ec2.reset();
    ec2.onAnyCommand().rejects(new Error('unexpected AWS call'));
    describeReturns(wireRule('10.0.0.0/16', 'g-7', 'active', 'someone else'));
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(mutationCount()).toBe(0);
  });

  test.each([
    ['an unknown schema version', { ...props, SchemaVersion: '7' }],
    ['no properties at all', undefined],
    ['a malformed rule', setProps([{ Cidr: 'nonsense', GroupId: 'g' }])],
  ])('with %s: returns its physical id unchanged, makes no call, logs why', async (_what, raw) => {
    const event = deleteEvent(raw, 'some-legacy-id');
    await expect(onEvent(event)).resolves.toEqual({ PhysicalResourceId: 'some-legacy-id' });
    await expect(isComplete(waiterEvent(event, 'some-legacy-id'))).resolves.toEqual({ IsComplete: true });
    expect(ec2.calls()).toHaveLength(0);
    expect(h.logs()).toContainEqual(expect.objectContaining({
      level: 'warn', message: 'delete skipped without AWS calls', physicalId: 'some-legacy-id', reason: expect.stringContaining('properties unreadable'),
    }));
  });

  test('whose physical id does not belong to its properties: no call', async () => {
    const event = deleteEvent(props, 'req-create-1234');
    await expect(onEvent(event)).resolves.toEqual({ PhysicalResourceId: 'req-create-1234' });
    await expect(isComplete(waiterEvent(event, 'req-create-1234'))).resolves.toEqual({ IsComplete: true });
    expect(ec2.calls()).toHaveLength(0);
  });
});
