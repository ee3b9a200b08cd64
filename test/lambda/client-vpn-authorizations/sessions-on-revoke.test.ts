/**
 * SessionsOnRevoke of the authorization handler, against a mocked EC2:
 * 'terminate-all' ends every session established before onEvent once an
 * Update's revokes are done; 'none' (the default) and Create never do.
 */
import { DescribeClientVpnConnectionsCommand } from '@aws-sdk/client-ec2';
import { isComplete, onEvent } from '../../../lambda/client-vpn-authorizations';
import { IsCompleteRequest, OnEventRequest } from '../../../lambda/shared/events';
import { SESSIONS_ON_REVOKE_NONE, SESSIONS_ON_REVOKE_TERMINATE_ALL } from '../../../src/private/contract/client-vpn-authorizations';
import { ConnectionSpec } from '../client-vpn-sessions/fixtures';
import { describeCalls as connectionDescribeCalls, listings, terminateSucceeds, terminateTargets } from '../client-vpn-sessions/sessions-ec2';
import { describeReturns, ec2, revokeCalls, revokeSucceeds, useHarness } from '../ec2-mock';
import { awsError, createEvent, ENDPOINT, PHYSICAL_ID, setProps, updateEvent, wireRule } from '../fixtures';

const h = useHarness();

const KEEP = { Cidr: '10.0.0.0/16', GroupId: 'g-dev' };
const DROP = { Cidr: '10.9.0.0/16', GroupId: 'g-contractors' };

const terminateAll = { SessionsOnRevoke: SESSIONS_ON_REVOKE_TERMINATE_ALL };

function sessionsBefore(): ConnectionSpec[] {
  const at = h.clock.time - 3_600_000;
  return [
    { id: 'cvpn-connection-0100000000000000a', username: 'dev-1', establishedAt: at },
    { id: 'cvpn-connection-0100000000000000b', username: 'contractor-1', establishedAt: at },
    { id: 'cvpn-connection-0100000000000000c', commonName: 'laptop-3', establishedAt: at },
  ];
}

/** The isComplete event: the request plus what onEvent returned, as the framework merges them. */
async function waiter(event: OnEventRequest): Promise<IsCompleteRequest> {
  return { ...event, ...await onEvent(event) } as IsCompleteRequest;
}

describe("'terminate-all'", () => {
  test('onEvent hands isComplete the cutoff, and makes no call', async () => {
    const event = updateEvent(setProps([KEEP], terminateAll), setProps([KEEP, DROP], terminateAll));
    expect(await onEvent(event)).toEqual({
      PhysicalResourceId: PHYSICAL_ID, Deadline: expect.any(Number), AcceptedAt: h.clock.time, NotFoundGraceUntil: expect.any(Number),
    });
    expect(ec2.calls()).toHaveLength(0);
  });

  test('no session is touched while a revoke is still in progress', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-dev', 'active'), wireRule('10.9.0.0/16', 'g-contractors', 'revoking'));
    const event = updateEvent(setProps([KEEP], terminateAll), setProps([KEEP, DROP], terminateAll));
    await expect(isComplete(await waiter(event))).resolves.toEqual({ IsComplete: false });
    expect(ec2.commandCalls(DescribeClientVpnConnectionsCommand)).toHaveLength(0);
  });

  test('once the revokes are done, every session from before onEvent ends, whoever it belongs to', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-dev', 'active'));
    const event = updateEvent(setProps([KEEP], terminateAll), setProps([KEEP, DROP], terminateAll));
    const request = await waiter(event);
    h.clock.time += 30_000;
    const sessions = sessionsBefore();
    const newcomer: ConnectionSpec = { id: 'cvpn-connection-0100000000000000d', username: 'dev-2', establishedAt: h.clock.time };
    listings([...sessions, newcomer], [...sessions.map(s => ({ ...s, status: 'terminated' as const })), newcomer]);
    terminateSucceeds();

    await expect(isComplete(request)).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '1' } });
    // By connection id: a Terminate by Username could also end a session opened after the cutoff.
    expect(terminateTargets().sort()).toEqual(sessions.map(s => s.id).sort());
    expect(connectionDescribeCalls()[0]).toEqual({ ClientVpnEndpointId: ENDPOINT, MaxResults: 1000 });
  });

  test('a revoke that this pass makes comes before any termination', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-dev', 'active'), wireRule('10.9.0.0/16', 'g-contractors', 'active'));
    revokeSucceeds();
    const event = updateEvent(setProps([KEEP], terminateAll), setProps([KEEP, DROP], terminateAll));
    await expect(isComplete(await waiter(event))).resolves.toEqual({ IsComplete: false });
    expect(revokeCalls()).toEqual([{ ClientVpnEndpointId: ENDPOINT, TargetNetworkCidr: '10.9.0.0/16', AccessGroupId: 'g-contractors' }]);
    expect(ec2.commandCalls(DescribeClientVpnConnectionsCommand)).toHaveLength(0);
  });

  test('a rollback that revokes rules terminates too', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-dev', 'active'));
    const sessions = sessionsBefore();
    listings(sessions, sessions.map(s => ({ ...s, status: 'terminated' as const })));
    terminateSucceeds();
    // The failed update had added DROP; the rollback restores the set without it.
    const rollback = updateEvent(setProps([KEEP], terminateAll), setProps([KEEP, DROP], { SessionsOnRevoke: SESSIONS_ON_REVOKE_NONE }));
    await expect(isComplete(await waiter(rollback))).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '1' } });
    expect(terminateTargets()).toHaveLength(3);
  });

  test('a missing endpoint during termination fails naming it', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-dev', 'active'));
    ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound'));
    const event = updateEvent(setProps([KEEP], terminateAll), setProps([KEEP, DROP], terminateAll));
    await expect(isComplete(await waiter(event))).rejects.toThrow(`Client VPN endpoint ${ENDPOINT} does not exist`);
  });

  test('past the deadline with sessions left, the update fails naming the endpoint and the count', async () => {
    describeReturns(wireRule('10.0.0.0/16', 'g-dev', 'active'));
    const sessions = sessionsBefore();
    listings(sessions, sessions.map(s => ({ ...s, status: 'terminating' as const })));
    terminateSucceeds();
    const event = updateEvent(setProps([KEEP], terminateAll), setProps([KEEP, DROP], terminateAll));
    const request = await waiter(event);
    h.clock.time = (request.Deadline as number) + 1;
    await expect(isComplete(request)).rejects.toThrow(`terminating sessions on Client VPN endpoint ${ENDPOINT}: 3 sessions still to end`);
  });

  test.each([
    ['Create', createEvent(setProps([KEEP, DROP], terminateAll)), undefined],
    ['an Update that only adds rules', updateEvent(setProps([KEEP, DROP], terminateAll), setProps([KEEP], terminateAll)), undefined],
    ['an Update that only changes a description',
      updateEvent(setProps([{ ...KEEP, Description: 'new' }, DROP], terminateAll), setProps([KEEP, DROP], terminateAll)), 'new'],
  ])('%s terminates nothing', async (_what, event, keepDescription) => {
    describeReturns(wireRule('10.0.0.0/16', 'g-dev', 'active', keepDescription), wireRule('10.9.0.0/16', 'g-contractors', 'active'));
    const request = await waiter(event);
    expect(request.AcceptedAt).toBeUndefined();
    await expect(isComplete(request)).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '2' } });
    expect(ec2.commandCalls(DescribeClientVpnConnectionsCommand)).toHaveLength(0);
  });
});

test.each([
  ["'none'", { SessionsOnRevoke: SESSIONS_ON_REVOKE_NONE }],
  ['an absent SessionsOnRevoke', {}],
])('%s leaves sessions alone after a revoke', async (_what, option) => {
  describeReturns(wireRule('10.0.0.0/16', 'g-dev', 'active'));
  const event = updateEvent(setProps([KEEP], option), setProps([KEEP, DROP], option));
  const request = await waiter(event);
  expect(request.AcceptedAt).toBeUndefined();
  await expect(isComplete(request)).resolves.toEqual({ IsComplete: true, Data: { RuleCount: '1' } });
  expect(ec2.commandCalls(DescribeClientVpnConnectionsCommand)).toHaveLength(0);
});
