/**
 * Custom::NetworkAccessClientVpnRevocations against a mocked EC2: each request
 * type, each error class of the session calls, the invocation budget and the
 * deadline.
 */
import { DescribeClientVpnConnectionsCommand, TerminateClientVpnConnectionsCommand } from '@aws-sdk/client-ec2';
import { isComplete, onEvent } from '../../../lambda/client-vpn-sessions';
import { HandlerError } from '../../../lambda/shared/errors';
import { ec2, useHarness } from '../ec2-mock';
import { awsError, ENDPOINT, OTHER_ENDPOINT } from '../fixtures';
import {
  ConnectionSpec, createEvent, deleteEvent, REVOCATIONS_ID, revocationsProps, updateEvent, waiterEvent,
} from './fixtures';
import { describeCalls, listings, terminateCalls, terminateSucceeds, terminateTargets } from './sessions-ec2';

const h = useHarness();

const HOUR = 3_600_000;

/** Connections as they stand before the request, all established an hour ago. */
function before(): { bob1: ConnectionSpec; bob2: ConnectionSpec; alice: ConnectionSpec; carol: ConnectionSpec; bobOld: ConnectionSpec } {
  const at = h.clock.time - HOUR;
  return {
    bob1: { id: 'cvpn-connection-0b0b00000000000a1', username: 'bob', establishedAt: at },
    bob2: { id: 'cvpn-connection-0b0b00000000000a2', username: 'bob', establishedAt: at },
    bobOld: { id: 'cvpn-connection-0b0b00000000000a0', username: 'bob', establishedAt: at - HOUR, status: 'terminated' },
    alice: { id: 'cvpn-connection-0a1c00000000000a1', username: 'alice', establishedAt: at },
    carol: { id: 'cvpn-connection-0ca100000000000a1', commonName: 'carol-laptop', establishedAt: at },
  };
}

function ended(spec: ConnectionSpec): ConnectionSpec {
  return { ...spec, status: 'terminated' };
}

async function accept(event: Parameters<typeof onEvent>[0]): Promise<Record<string, unknown>> {
  return { ...await onEvent(event) };
}

describe('onEvent', () => {
  test('Create answers with the natural physical id, a deadline and the acceptance time, making no AWS call', async () => {
    const response = await onEvent(createEvent('revocations', revocationsProps(['bob'], ['carol-laptop'])));
    expect(response).toEqual({ PhysicalResourceId: REVOCATIONS_ID, Deadline: h.clock.time + (3600 - 120) * 1000, AcceptedAt: h.clock.time });
    expect(ec2.calls()).toHaveLength(0);
  });

  test('Updates make no AWS call either, whatever they change', async () => {
    await onEvent(updateEvent('revocations', revocationsProps(['alice', 'bob']), revocationsProps(['alice']), REVOCATIONS_ID));
    await onEvent(updateEvent('revocations', revocationsProps(['alice']), revocationsProps(['alice', 'bob']), REVOCATIONS_ID));
    const moved = await onEvent(updateEvent('revocations', revocationsProps(['alice'], [], { ClientVpnEndpointId: OTHER_ENDPOINT }),
      revocationsProps(['alice']), REVOCATIONS_ID));
    expect(moved.PhysicalResourceId).toBe(`${OTHER_ENDPOINT}/revocations/revocations-7c1e`);
    expect(ec2.calls()).toHaveLength(0);
  });

  test('malformed properties fail Create in onEvent, naming the property', async () => {
    await expect(onEvent(createEvent('revocations', revocationsProps([], [], { ClientVpnEndpointId: 'vpn-1' }))))
      .rejects.toThrow("invalid properties for Create: ClientVpnEndpointId 'vpn-1' is not a Client VPN endpoint id (cvpn-endpoint-...)");
  });
});

describe('Delete', () => {
  test.each([
    ['the set it created', revocationsProps(['bob']), REVOCATIONS_ID],
    ['a failed-create marker', revocationsProps(['bob']), 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
    ['properties of an unknown shape', { SchemaVersion: '7', Principals: 'bob' }, REVOCATIONS_ID],
  ])('of %s succeeds without any call and keeps its physical id', async (_what, props, physicalId) => {
    const event = deleteEvent('revocations', props, physicalId);
    const response = await onEvent(event);
    expect(response).toEqual({ PhysicalResourceId: physicalId });
    await expect(isComplete(waiterEvent(event, { ...response }))).resolves.toEqual({ IsComplete: true });
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('Create', () => {
  test('terminates every active session of the listed principals, waits for terminated, and reports the count', async () => {
    const s = before();
    listings(
      [s.bob1, s.bob2, s.bobOld, s.alice, s.carol],
      [ended(s.bob1), ended(s.bob2), s.bobOld, s.alice, ended(s.carol)],
    );
    terminateSucceeds();
    const event = createEvent('revocations', revocationsProps(['bob'], ['carol-laptop']));
    const result = await isComplete(waiterEvent(event, await accept(event)));

    expect(result).toEqual({ IsComplete: true, Data: { SessionsTerminated: '3' } });
    // Bob has two open sessions: one call by username; carol is a certificate user: by connection id.
    expect(terminateTargets().sort()).toEqual([s.carol.id, 'user:bob'].sort());
    // Common names cannot be filtered on server-side, so the listing is the whole endpoint, at the largest page.
    expect(describeCalls()[0]).toEqual({ ClientVpnEndpointId: ENDPOINT, MaxResults: 1000 });
  });

  test('a listed user with more than five sessions is terminated by ConnectionId', async () => {
    const at = h.clock.time - HOUR;
    const many: ConnectionSpec[] = Array.from({ length: 12 }, (_, i) => ({
      id: `cvpn-connection-0d0d000000000${String(i).padStart(4, '0')}`, username: 'dave', establishedAt: at,
    }));
    listings(many, many.map(ended));
    terminateSucceeds();
    const event = createEvent('revocations', revocationsProps(['dave']));
    await expect(isComplete(waiterEvent(event, await accept(event)))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '12' } });
    expect(terminateTargets().sort()).toEqual(many.map(m => m.id).sort());
    expect(describeCalls()[0].Filters).toEqual([{ Name: 'username', Values: ['dave'] }]);
  });

  test('sessions still terminating keep the resource in progress; nothing is terminated twice', async () => {
    const s = before();
    listings([s.bob1], [{ ...s.bob1, status: 'terminating' }]);
    terminateSucceeds();
    const event = createEvent('revocations', revocationsProps(['bob']));
    const accepted = await accept(event);
    await expect(isComplete(waiterEvent(event, accepted), { getRemainingTimeInMillis: () => 60_000 })).resolves.toEqual({ IsComplete: false });
    expect(terminateCalls()).toHaveLength(1);
  });

  test('a principal with no session is not an error', async () => {
    listings([before().alice]);
    const event = createEvent('revocations', revocationsProps(['nobody']));
    await expect(isComplete(waiterEvent(event, await accept(event)))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '0' } });
    expect(terminateCalls()).toHaveLength(0);
  });

  test('a session opened after onEvent is terminated when seen but does not hold up completion', async () => {
    const s = before();
    const event = createEvent('revocations', revocationsProps(['bob']));
    const accepted = await accept(event);
    h.clock.time += 60_000;
    const reconnect: ConnectionSpec = { id: 'cvpn-connection-0b0b00000000000b1', username: 'bob', establishedAt: h.clock.time };
    // The reconnected session never ends (a client in a reconnect loop would look like this).
    listings([s.bob1], [ended(s.bob1), reconnect]);
    terminateSucceeds();
    await expect(isComplete(waiterEvent(event, accepted))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '2' } });
    expect(terminateTargets()).toEqual(['user:bob', 'user:bob']);
  });
});

describe('Update', () => {
  test('adding a principal terminates the sessions of every listed one', async () => {
    const s = before();
    listings([s.bob1, s.alice], [ended(s.bob1), ended(s.alice)]);
    terminateSucceeds();
    const event = updateEvent('revocations', revocationsProps(['alice', 'bob']), revocationsProps(['alice']), REVOCATIONS_ID);
    await expect(isComplete(waiterEvent(event, await accept(event)))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '2' } });
    expect(terminateTargets().sort()).toEqual(['user:alice', 'user:bob']);
  });

  test.each([
    ['removes a principal', revocationsProps(['alice']), revocationsProps(['alice', 'bob'])],
    ['changes nothing', revocationsProps(['alice']), revocationsProps(['alice'])],
  ])('that %s is complete at once without any call', async (_what, props, old) => {
    const event = updateEvent('revocations', props, old, REVOCATIONS_ID);
    await expect(isComplete(waiterEvent(event, await accept(event)))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '0' } });
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('error classes', () => {
  test('InvalidClientVpnConnection.IdNotFound: the session is gone, which is what was wanted', async () => {
    const s = before();
    listings([s.carol], [s.alice]);
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnConnection.IdNotFound'));
    const event = createEvent('revocations', revocationsProps([], ['carol-laptop']));
    await expect(isComplete(waiterEvent(event, await accept(event)))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '0' } });
  });

  test('InvalidClientVpnConnection.UserNotFound: the user has no active session left', async () => {
    const s = before();
    listings([s.bob1], [ended(s.bob1)]);
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnConnection.UserNotFound'));
    const event = createEvent('revocations', revocationsProps(['bob']));
    await expect(isComplete(waiterEvent(event, await accept(event)))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '0' } });
  });

  test('InvalidClientVpnEndpointId.NotFound fails naming the endpoint', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('InvalidClientVpnEndpointId.NotFound', `The Client VPN endpoint ID '${ENDPOINT}' does not exist`));
    const event = createEvent('revocations', revocationsProps(['bob']));
    const outcome = isComplete(waiterEvent(event, await accept(event)));
    await expect(outcome).rejects.toThrow(HandlerError);
    await expect(outcome).rejects.toThrow(`Client VPN endpoint ${ENDPOINT} does not exist`);
  });

  test('RequestLimitExceeded on every call never fails before the deadline: the request stays in progress', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const event = createEvent('revocations', revocationsProps(['bob']));
    const accepted = await accept(event);
    await expect(isComplete(waiterEvent(event, accepted), { getRemainingTimeInMillis: () => 90_000 })).resolves.toEqual({ IsComplete: false });
  });

  test('RequestLimitExceeded on some calls is absorbed: the termination completes', async () => {
    const s = before();
    const describe = ec2.on(DescribeClientVpnConnectionsCommand);
    describe.rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolvesOnce({ Connections: [s.bob1, s.alice].map(c => ({ ConnectionId: c.id, Username: c.username, CommonName: c.username, Status: { Code: 'active' }, ConnectionEstablishedTime: '2029-12-31 23:00:00' })) })
      .resolves({ Connections: [{ ConnectionId: s.bob1.id, Username: 'bob', CommonName: 'bob', Status: { Code: 'terminated' }, ConnectionEstablishedTime: '2029-12-31 23:00:00' }] });
    ec2.on(TerminateClientVpnConnectionsCommand)
      .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.', 503))
      .resolves({ ConnectionStatuses: [] });
    const event = createEvent('revocations', revocationsProps(['bob']));
    await expect(isComplete(waiterEvent(event, await accept(event)))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '1' } });
    expect(terminateTargets()).toEqual(['user:bob', 'user:bob']);
  });

  test('a 5xx that persists waits for the next invocation', async () => {
    ec2.on(DescribeClientVpnConnectionsCommand).rejects(awsError('InternalError', 'An internal error has occurred.', 500));
    const event = createEvent('revocations', revocationsProps(['bob']));
    const outcome = isComplete(waiterEvent(event, await accept(event)), { getRemainingTimeInMillis: () => 90_000 });
    await expect(outcome).resolves.toEqual({ IsComplete: false });
  });

  test('a terminal Terminate error fails naming the call, the target and the endpoint', async () => {
    listings([before().bob1]);
    ec2.on(TerminateClientVpnConnectionsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const event = createEvent('revocations', revocationsProps(['bob']));
    await expect(isComplete(waiterEvent(event, await accept(event)))).rejects.toThrow(
      `TerminateClientVpnConnections for user 'bob' on ${ENDPOINT} failed: UnauthorizedOperation: You are not authorized to perform this operation.`);
  });

  test('sessions that stay failed-to-terminate fail the request, naming the endpoint and every connection id that fits', async () => {
    const at = h.clock.time - HOUR;
    const stuck: ConnectionSpec[] = Array.from({ length: 12 }, (_, i) => ({
      id: `cvpn-connection-0f0f000000000${String(i).padStart(4, '0')}`, commonName: `device-${i}`, establishedAt: at, status: 'failed-to-terminate',
    }));
    listings(stuck);
    terminateSucceeds();
    const event = createEvent('revocations', revocationsProps([], stuck.map(s => s.commonName!)));
    const outcome = isComplete(waiterEvent(event, await accept(event)));
    await expect(outcome).rejects.toThrow(HandlerError);
    const message = await outcome.catch((err: Error) => err.message);
    expect(message).toContain(`Client VPN endpoint ${ENDPOINT}: 12 sessions stayed failed-to-terminate after retries`);
    // Twelve ids fit in the reason's budget: all are named, none counted.
    expect(message).toContain(`(${stuck.map(s => s.id).join(', ')})`);
    expect(message).not.toContain('more');
  });
});

describe('budget and deadline', () => {
  test('one invocation stops within the Lambda context\'s remaining time', async () => {
    const s = before();
    listings([s.bob1], [{ ...s.bob1, status: 'terminating' }]);
    terminateSucceeds();
    const event = createEvent('revocations', revocationsProps(['bob']));
    const accepted = await accept(event);
    const started = h.clock.time;
    await isComplete(waiterEvent(event, accepted), { getRemainingTimeInMillis: () => 100_000 - (h.clock.time - started) });
    // The safety margin (35 s) is left free for calls in flight and the response.
    expect(h.clock.time - started).toBeLessThanOrEqual(100_000 - 35_000);
    expect(describeCalls().length).toBeGreaterThan(1);
  });

  test('past the deadline with sessions left, the request fails naming the connections left', async () => {
    const s = before();
    listings([s.bob1, s.bob2], [{ ...s.bob1, status: 'terminating' }, { ...s.bob2, status: 'terminating' }]);
    terminateSucceeds();
    const event = createEvent('revocations', revocationsProps(['bob']));
    const accepted = await accept(event);
    h.clock.time = (accepted.Deadline as number) + 1;
    const ids = [s.bob1.id, s.bob2.id].sort();
    await expect(isComplete(waiterEvent(event, accepted))).rejects.toThrow(
      `timed out after 3480 s terminating sessions on Client VPN endpoint ${ENDPOINT}: 2 sessions still to end (${ids.join(', ')})`);
    expect(h.logs()).toContainEqual(expect.objectContaining({ message: 'deadline reached with sessions remaining', remaining: 2, ids, endpointId: ENDPOINT }));
  });

  test('past the deadline with hundreds of sessions left, the reason names what fits and counts the rest; the log has them all', async () => {
    const at = h.clock.time - HOUR;
    const many: ConnectionSpec[] = Array.from({ length: 300 }, (_, i) => ({
      id: `cvpn-connection-0a0a000000000${String(i).padStart(4, '0')}`, username: 'bob', establishedAt: at, status: 'terminating',
    }));
    listings(many);
    terminateSucceeds();
    const event = createEvent('revocations', revocationsProps(['bob']));
    const accepted = await accept(event);
    h.clock.time = (accepted.Deadline as number) + 1;
    const message = await isComplete(waiterEvent(event, accepted)).then(() => '', (err: Error) => err.message);
    expect(message).toMatch(new RegExp(`: 300 sessions still to end \\(${many[0].id}, ${many[1].id}, .* and \\d+ more\\)$`));
    // Within the custom-resource response's 4 KB, with room for the envelope.
    expect(message.length).toBeLessThan(1500);
    const named = many.filter(c => message.includes(c.id)).length;
    expect(named).toBeGreaterThan(30);
    expect(message).toContain(`and ${300 - named} more`);
    const logged = h.logs().find(line => line.message === 'deadline reached with sessions remaining');
    expect(logged?.ids).toEqual(many.map(c => c.id));
  });

  test('past the deadline, work that did finish is reported done', async () => {
    const s = before();
    listings([ended(s.bob1)]);
    const event = createEvent('revocations', revocationsProps(['bob']));
    const accepted = await accept(event);
    h.clock.time = (accepted.Deadline as number) + 1;
    await expect(isComplete(waiterEvent(event, accepted))).resolves.toEqual({ IsComplete: true, Data: { SessionsTerminated: '0' } });
  });
});

test('logs name terminated connections by id and never carry connection records', async () => {
  const s = before();
  listings([s.carol], [ended(s.carol)]);
  terminateSucceeds();
  const event = createEvent('revocations', revocationsProps([], ['carol-laptop']));
  await isComplete(waiterEvent(event, await accept(event)));
  const logs = h.logs();
  expect(logs).toContainEqual(expect.objectContaining({ message: 'sessions terminated', endpointId: ENDPOINT, connectionIds: [s.carol.id] }));
  expect(JSON.stringify(logs)).not.toContain('10.20.0.5');
});
