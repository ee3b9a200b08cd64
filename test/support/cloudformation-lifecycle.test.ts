import {
  CloudFormationLifecycleDriver,
  CREATE_FAILED_PHYSICAL_ID_MARKER,
  OPERATION_TIMED_OUT,
} from './cloudformation-lifecycle';
import type { CrashSource, LifecycleDriverOptions } from './cloudformation-lifecycle';
import { SimulatedCrash } from './simulated-client-vpn';
import { SimulatedClock } from './simulated-clock';
import type { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from '../../lambda/shared/events';

/**
 * These tests pin the driver's reproduction of the Provider framework and
 * CloudFormation, using small handlers whose behaviour each test scripts.
 * What is asserted is what the driver does with that behaviour (merging,
 * defaults, markers, retries, rollbacks), never the scripted value itself.
 */

interface Recorded {
  readonly onEvent: OnEventRequest[];
  readonly isComplete: Array<{ at: number; event: IsCompleteRequest }>;
}

type OnEventScript = (event: OnEventRequest, call: number) => Promise<OnEventResponse | undefined>;
type IsCompleteScript = (event: IsCompleteRequest, call: number) => Promise<IsCompleteResponse>;

function scriptedHandler(clock: SimulatedClock, onEvent: OnEventScript, isComplete: IsCompleteScript) {
  const recorded: Recorded = { onEvent: [], isComplete: [] };
  return {
    recorded,
    handler: {
      onEvent: async (event: OnEventRequest) => {
        recorded.onEvent.push(event);
        return onEvent(event, recorded.onEvent.length);
      },
      isComplete: async (event: IsCompleteRequest) => {
        recorded.isComplete.push({ at: clock.now(), event });
        return isComplete(event, recorded.isComplete.length);
      },
    },
  };
}

const idFromProps = async (event: OnEventRequest): Promise<OnEventResponse> => {
  const props = event.ResourceProperties as { Name: string };
  return { PhysicalResourceId: `thing/${props.Name}` };
};
const completeAt = (n: number): IsCompleteScript => async (_e, call) => ({ IsComplete: call >= n });

function driverFor(clock: SimulatedClock, handler: LifecycleDriverOptions['handler'], extra: Partial<LifecycleDriverOptions> = {}) {
  return new CloudFormationLifecycleDriver({ handler, clock, queryIntervalSeconds: 10, totalTimeoutSeconds: 60, ...extra });
}

let clock: SimulatedClock;
beforeEach(() => { clock = new SimulatedClock(); });

describe('events', () => {
  test('a Create event carries CloudFormation fields and stringified properties', async () => {
    const { handler, recorded } = scriptedHandler(clock, idFromProps, completeAt(1));
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a', Enabled: true, Count: 3, Nested: [{ Flag: false }] });

    const event = recorded.onEvent[0];
    expect(event).toMatchObject({
      RequestType: 'Create',
      ResourceType: 'Custom::NetworkAccessClientVpnAuthorizations',
      LogicalResourceId: 'Authorizations',
      StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/LifecycleTest\//),
      ResponseURL: expect.stringMatching(/^https:\/\//),
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(event.ResourceProperties).toEqual({
      ServiceToken: event.ServiceToken, Name: 'a', Enabled: 'true', Count: '3', Nested: [{ Flag: 'false' }],
    });
    expect('PhysicalResourceId' in event).toBe(false);
  });

  test('isComplete receives the request merged with what onEvent returned', async () => {
    const { handler, recorded } = scriptedHandler(clock,
      async () => ({ PhysicalResourceId: 'p-1', Deadline: 123, Data: { A: '1' } }), completeAt(1));
    const driver = driverFor(clock, handler);
    const result = await driver.create({ Name: 'a' });

    expect(recorded.isComplete[0].event).toMatchObject({
      RequestType: 'Create', PhysicalResourceId: 'p-1', Deadline: 123, Data: { A: '1' }, RequestId: recorded.onEvent[0].RequestId,
    });
    expect(result.responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'p-1', Data: { A: '1' } });
  });

  test('without a PhysicalResourceId from onEvent, Create uses the RequestId', async () => {
    const { handler, recorded } = scriptedHandler(clock, async () => undefined, completeAt(1));
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a' });
    expect(driver.state.physicalResourceId).toBe(recorded.onEvent[0].RequestId);
  });

  test('Data from isComplete is merged over Data from onEvent', async () => {
    const { handler } = scriptedHandler(clock,
      async () => ({ PhysicalResourceId: 'p', Data: { A: 'from-onEvent', B: 'kept' } }),
      async () => ({ IsComplete: true, Data: { A: 'from-isComplete' } }));
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a' });
    expect(driver.state.data).toEqual({ A: 'from-isComplete', B: 'kept' });
  });
});

describe('waiter', () => {
  test('isComplete runs at once, then every queryInterval', async () => {
    const { handler, recorded } = scriptedHandler(clock, idFromProps, completeAt(3));
    const start = clock.now();
    await driverFor(clock, handler).create({ Name: 'a' });
    expect(recorded.isComplete.map(c => (c.at - start) / 1000)).toEqual([0, 10, 20]);
  });

  test('never complete: 1 + totalTimeout/queryInterval attempts, then "Operation timed out" with the real id', async () => {
    const { handler, recorded } = scriptedHandler(clock, idFromProps, async () => ({ IsComplete: false }));
    const driver = driverFor(clock, handler);
    const result = await driver.create({ Name: 'a' }, { rollback: false });
    expect(recorded.isComplete).toHaveLength(7);
    expect(result.responses[0]).toMatchObject({ Status: 'FAILED', Reason: OPERATION_TIMED_OUT, PhysicalResourceId: 'thing/a' });
    expect(driver.state.status).toBe('CREATE_FAILED');
  });

  test('IsComplete false with Data fails as the framework does', async () => {
    const { handler } = scriptedHandler(clock, idFromProps, async () => ({ IsComplete: false, Data: { X: '1' } }));
    const result = await driverFor(clock, handler).create({ Name: 'a' }, { rollback: false });
    expect(result.reason).toBe('"Data" is not allowed if "IsComplete" is "False"');
  });

  test('a response body over 4096 bytes is refused', async () => {
    const { handler } = scriptedHandler(clock, idFromProps, async () => ({ IsComplete: true, Data: { Big: 'x'.repeat(5000) } }));
    const result = await driverFor(clock, handler).create({ Name: 'a' }, { rollback: false });
    expect(result.reason).toMatch(/^Response object is too long/);
  });

  test('an invocation that overruns the Lambda timeout fails', async () => {
    const { handler } = scriptedHandler(clock, idFromProps, async () => {
      await clock.sleep(16 * 60 * 1000);
      return { IsComplete: true };
    });
    const result = await driverFor(clock, handler).create({ Name: 'a' }, { rollback: false });
    expect(result.reason).toMatch(/Task timed out after 900.00 seconds/);
  });
});

describe('failures and markers', () => {
  test('onEvent failing on Create: marker id, reason with Logs line, rollback Delete never reaches the handler', async () => {
    const { handler, recorded } = scriptedHandler(clock, async () => { throw new Error('bad input: Name'); }, completeAt(1));
    const driver = driverFor(clock, handler);
    const result = await driver.create({ Name: 'a' });

    expect(result.responses[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER });
    expect(result.reason).toMatch(/^bad input: Name\n\nLogs: \/aws\/lambda\/LifecycleTest-OnEventHandler\n/);
    expect(result.responses[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER });
    expect(recorded.onEvent).toHaveLength(1);
    expect(driver.state.status).toBe('ROLLBACK_COMPLETE');
  });

  test('isComplete failing on Create keeps the real id, so the rollback Delete reaches the handler', async () => {
    const { handler, recorded } = scriptedHandler(clock, idFromProps, async e => {
      if (e.RequestType === 'Create') throw new Error('rule failed');
      return { IsComplete: true };
    });
    const driver = driverFor(clock, handler);
    const result = await driver.create({ Name: 'a' });
    expect(result.responses.map(r => [r.Status, r.PhysicalResourceId])).toEqual([['FAILED', 'thing/a'], ['SUCCESS', 'thing/a']]);
    expect(recorded.onEvent.map(e => e.RequestType)).toEqual(['Create', 'Delete']);
    expect(recorded.onEvent[1]).toMatchObject({ PhysicalResourceId: 'thing/a', ResourceProperties: { Name: 'a' } });
  });

  test('deleteAfterFailedCreate is the explicit form when rollback is off', async () => {
    const { handler, recorded } = scriptedHandler(clock, async () => { throw new Error('no'); }, completeAt(1));
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a' }, { rollback: false });
    expect(driver.state.status).toBe('CREATE_FAILED');
    const result = await driver.deleteAfterFailedCreate();
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(recorded.onEvent).toHaveLength(1);
  });

  test('a Delete that changes the physical id fails', async () => {
    const { handler } = scriptedHandler(clock, async e => (e.RequestType === 'Delete' ? { PhysicalResourceId: 'other' } : idFromProps(e)), completeAt(1));
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a' });
    const result = await driver.delete();
    expect(result.status).toBe('DELETE_FAILED');
    expect(result.reason).toContain('DELETE: cannot change the physical resource ID from "thing/a" to "other" during deletion');
  });
});

describe('updates', () => {
  test('a new physical id is a replacement: the old id is deleted with the old properties', async () => {
    const { handler, recorded } = scriptedHandler(clock, idFromProps, completeAt(1));
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a' });
    const result = await driver.update({ Name: 'b' });

    expect(recorded.onEvent.map(e => [e.RequestType, 'PhysicalResourceId' in e ? e.PhysicalResourceId : '-', (e.ResourceProperties as { Name: string }).Name]))
      .toEqual([['Create', '-', 'a'], ['Update', 'thing/a', 'b'], ['Delete', 'thing/a', 'a']]);
    expect(recorded.onEvent[1]).toMatchObject({ OldResourceProperties: { Name: 'a' } });
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(driver.state).toMatchObject({ physicalResourceId: 'thing/b', properties: { Name: 'b' } });
  });

  test('a failed replacement rolls back with swapped properties, then deletes the new id', async () => {
    const { handler, recorded } = scriptedHandler(clock, idFromProps, async e => {
      if ((e.ResourceProperties as { Name: string }).Name === 'b' && e.RequestType === 'Update') throw new Error('b failed');
      return { IsComplete: true };
    });
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a' });
    const result = await driver.update({ Name: 'b' });

    const calls = recorded.onEvent.slice(1).map(e => ({
      type: e.RequestType,
      id: 'PhysicalResourceId' in e ? e.PhysicalResourceId : undefined,
      props: (e.ResourceProperties as { Name: string }).Name,
      old: e.RequestType === 'Update' ? (e.OldResourceProperties as { Name: string }).Name : undefined,
    }));
    expect(calls).toEqual([
      { type: 'Update', id: 'thing/a', props: 'b', old: 'a' },
      { type: 'Update', id: 'thing/b', props: 'a', old: 'b' },
      { type: 'Delete', id: 'thing/b', props: 'b', old: undefined },
    ]);
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/^b failed/);
    expect(driver.state).toMatchObject({ physicalResourceId: 'thing/a', properties: { Name: 'a' } });
  });

  test('a failing rollback leaves UPDATE_ROLLBACK_FAILED', async () => {
    const { handler } = scriptedHandler(clock, idFromProps, async e => {
      if (e.RequestType === 'Update') throw new Error('always');
      return { IsComplete: true };
    });
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a' });
    expect((await driver.update({ Name: 'a', X: '1' })).status).toBe('UPDATE_ROLLBACK_FAILED');
  });

  test('a cleanup Delete that keeps failing is dropped and the old id recorded as orphaned', async () => {
    const { handler, recorded } = scriptedHandler(clock, idFromProps, async e => {
      if (e.RequestType === 'Delete') throw new Error('cannot delete');
      return { IsComplete: true };
    });
    const driver = driverFor(clock, handler);
    await driver.create({ Name: 'a' });
    const result = await driver.update({ Name: 'b' });
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(recorded.onEvent.filter(e => e.RequestType === 'Delete')).toHaveLength(3);
    expect(driver.state.orphanedPhysicalIds).toEqual(['thing/a']);
  });
});

describe('duplicate delivery and lost invocations', () => {
  test('sequential duplicate: the same RequestId twice, one after the other', async () => {
    const { handler, recorded } = scriptedHandler(clock, idFromProps, completeAt(1));
    const driver = driverFor(clock, handler);
    const result = await driver.create({ Name: 'a' }, { delivery: 'twice-sequential' });
    expect(result.responses).toHaveLength(2);
    expect(recorded.onEvent.map(e => e.RequestId)).toEqual([recorded.onEvent[0].RequestId, recorded.onEvent[0].RequestId]);
    expect(driver.log.filter(e => e.kind === 'request' || e.kind === 'onEvent' || e.kind === 'isComplete' || e.kind === 'response').map(e => e.kind))
      .toEqual(['request', 'onEvent', 'isComplete', 'response', 'request', 'onEvent', 'isComplete', 'response']);
  });

  test('interleaved duplicate: both onEvents, then the two waiters alternate pass by pass', async () => {
    // isComplete calls are counted across both waiters: the 4th call (the
    // second waiter's second pass) is the first to report complete.
    const { handler } = scriptedHandler(clock, idFromProps, completeAt(4));
    const driver = driverFor(clock, handler);
    const result = await driver.create({ Name: 'a' }, { delivery: 'twice-interleaved' });
    expect(result.responses.map(r => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    const kinds = driver.log.map(e => (e.kind === 'request' ? `req${e.delivery}` : e.kind === 'isComplete' ? `ic${e.attempt}` : e.kind));
    expect(kinds).toEqual(['req1', 'onEvent', 'req2', 'onEvent', 'ic1', 'ic1', 'ic2', 'ic2', 'response', 'ic3', 'response', 'stack']);
  });

  test('a lost onEvent is re-delivered with the same RequestId', async () => {
    const { handler, recorded } = scriptedHandler(clock, async (e, call) => {
      if (call === 1) throw new SimulatedCrash(1);
      return idFromProps(e);
    }, completeAt(1));
    const driver = driverFor(clock, handler);
    const result = await driver.create({ Name: 'a' });
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(recorded.onEvent.map(e => e.RequestId)).toEqual([recorded.onEvent[0].RequestId, recorded.onEvent[0].RequestId]);
  });

  test('a lost isComplete is retried at the next interval, even if the handler swallowed the crash', async () => {
    let crashed = false;
    const source: CrashSource = { consumeCrash: () => { const c = crashed; crashed = false; return c; } };
    const { handler, recorded } = scriptedHandler(clock, idFromProps, async (_e, call) => {
      if (call === 1) {
        crashed = true;
        // A handler that catches everything still cannot answer for a dead process.
        return { IsComplete: true };
      }
      return { IsComplete: true };
    });
    const driver = driverFor(clock, handler, { crashSources: [source] });
    const start = clock.now();
    const result = await driver.create({ Name: 'a' });
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(recorded.isComplete.map(c => (c.at - start) / 1000)).toEqual([0, 10]);
    expect(driver.log.filter(e => e.kind === 'isComplete').map(e => e.kind === 'isComplete' && e.outcome)).toEqual(['lost', 'complete']);
  });

  test('an onEvent lost on every delivery ends FAILED after the retries', async () => {
    const { handler, recorded } = scriptedHandler(clock, async () => { throw new SimulatedCrash(0); }, completeAt(1));
    const result = await driverFor(clock, handler, { maxRedeliveries: 2 }).create({ Name: 'a' }, { rollback: false });
    expect(recorded.onEvent).toHaveLength(3);
    expect(result.status).toBe('CREATE_FAILED');
  });
});

test('the driver refuses a totalTimeout not divisible by queryInterval, as the framework does', () => {
  const { handler } = scriptedHandler(clock, idFromProps, completeAt(1));
  expect(() => driverFor(clock, handler, { totalTimeoutSeconds: 65 })).toThrow(/not integrally dividable/);
});
