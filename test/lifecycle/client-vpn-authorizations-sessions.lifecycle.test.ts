import * as handler from '../../lambda/client-vpn-authorizations';
import { SESSIONS_ON_REVOKE_NONE, SESSIONS_ON_REVOKE_TERMINATE_ALL } from '../../src/private/contract/client-vpn-authorizations';
import { CloudFormationLifecycleDriver } from '../support/cloudformation-lifecycle';
import type { ResourceProperties } from '../support/cloudformation-lifecycle';
import { SimulatedClientVpnService } from '../support/simulated-client-vpn';
import { SimulatedClientVpnSessions } from '../support/simulated-client-vpn-sessions';
import { SimulatedClock } from '../support/simulated-clock';
import { SimulatedParameterStore } from '../support/simulated-parameter-store';

/**
 * SessionsOnRevoke end to end: the authorization handler under the lifecycle
 * driver, against the simulated authorization rules and the simulated
 * sessions of the same endpoint, served by one EC2 mock.
 */

const TOTAL_TIMEOUT_SECONDS = 3600;
const SET_ID = 'set-9d4c';
const MINUTE = 60_000;

interface Rule {
  readonly cidr: string;
  readonly group: string;
}

const DEV: Rule = { cidr: '10.0.0.0/16', group: 'g-dev' };
const CONTRACTORS: Rule = { cidr: '10.9.0.0/16', group: 'g-contractors' };

function props(endpointId: string, rules: readonly Rule[], sessionsOnRevoke?: string): ResourceProperties {
  return {
    SchemaVersion: '1',
    ClientVpnEndpointId: endpointId,
    SetId: SET_ID,
    Rules: rules.map(r => ({ Cidr: r.cidr, GroupId: r.group })),
    ...(sessionsOnRevoke === undefined ? {} : { SessionsOnRevoke: sessionsOnRevoke }),
  };
}

let teardown: Array<() => void> = [];

function lab() {
  const clock = new SimulatedClock();
  const rules = new SimulatedClientVpnService({ clock, seed: 11 });
  const sessions = new SimulatedClientVpnSessions({ clock, seed: 11 });
  sessions.attach(rules.install());
  const records = new SimulatedParameterStore({ now: () => clock.now() });
  records.install();
  teardown.push(() => rules.restore(), () => records.restore(), clock.install());
  const endpoint = rules.createEndpoint();
  sessions.createEndpoint(endpoint);
  const driver = new CloudFormationLifecycleDriver({
    handler, clock, crashSources: [rules, sessions], totalTimeoutSeconds: TOTAL_TIMEOUT_SECONDS, queryIntervalSeconds: 10,
  });
  const connectEarlier = (username: string) => sessions.connect(endpoint, { username, establishedAt: clock.now() - MINUTE });
  const states = (ids: readonly string[]) => ids.map(id => sessions.session(id).status);
  return { clock, rules, sessions, endpoint, driver, connectEarlier, states };
}

beforeEach(() => {
  process.env.TOTAL_TIMEOUT_SECONDS = String(TOTAL_TIMEOUT_SECONDS);
  process.env.AWS_REGION = 'us-east-1';
  const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  teardown = [() => spy.mockRestore()];
});

afterEach(() => {
  for (const undo of teardown.reverse()) undo();
  delete process.env.TOTAL_TIMEOUT_SECONDS;
});

test("'terminate-all': after the revoke is done, every session from before the update ends; later ones survive", async () => {
  const l = lab();
  await l.driver.create(props(l.endpoint, [DEV, CONTRACTORS], SESSIONS_ON_REVOKE_TERMINATE_ALL));
  expect(l.sessions.calls).toEqual([]);
  const before = [l.connectEarlier('dev-1'), l.connectEarlier('contractor-1'), l.connectEarlier('contractor-1')];

  // A client that connects while the revoke is under way (after onEvent) is not the update's to end.
  let during: string | undefined;
  l.rules.onCall(call => {
    if (call.operation === 'RevokeClientVpnIngress' && during === undefined) {
      l.clock.advance(2_000);
      during = l.sessions.connect(l.endpoint, { username: 'dev-2' });
    }
  });
  // Revoke first: when the first Terminate is sent, the removed rule must already be gone.
  let rulesAtFirstTerminate: string[] | undefined;
  l.sessions.onCall(call => {
    if (call.operation === 'TerminateClientVpnConnections' && rulesAtFirstTerminate === undefined) {
      rulesAtFirstTerminate = l.rules.rules(l.endpoint).map(r => `${r.cidr} ${r.groupId}`);
    }
  });

  const result = await l.driver.update(props(l.endpoint, [DEV], SESSIONS_ON_REVOKE_TERMINATE_ALL));

  expect(result.status).toBe('UPDATE_COMPLETE');
  expect(l.driver.state.data).toEqual({ RuleCount: '1' });
  expect(rulesAtFirstTerminate).toEqual([`${DEV.cidr} ${DEV.group}`]);
  expect(l.states(before)).toEqual(['terminated', 'terminated', 'terminated']);
  expect(during).toBeDefined();
  expect(l.states([during!])).toEqual(['active']);
  expect(l.sessions.sessions(l.endpoint).filter(s => s.terminations > 1)).toEqual([]);
  // No terminate by username: it could end dev-2's later session along with dev-1's.
  expect(l.sessions.terminateCalls().filter(c => c.username !== undefined)).toEqual([]);
});

test.each([
  ['absent (the default)', undefined],
  ["'none'", SESSIONS_ON_REVOKE_NONE],
])('SessionsOnRevoke %s: the revoke ends no session', async (_what, option) => {
  const l = lab();
  await l.driver.create(props(l.endpoint, [DEV, CONTRACTORS], option));
  const before = [l.connectEarlier('dev-1'), l.connectEarlier('contractor-1')];

  const result = await l.driver.update(props(l.endpoint, [DEV], option));

  expect(result.status).toBe('UPDATE_COMPLETE');
  expect(l.rules.rules(l.endpoint).map(r => r.cidr)).toEqual([DEV.cidr]);
  expect(l.sessions.calls).toEqual([]);
  expect(l.states(before)).toEqual(['active', 'active']);
});

test("'terminate-all' on Create and on an Update that only adds rules ends no session", async () => {
  const l = lab();
  const before = [l.connectEarlier('dev-1')];
  await l.driver.create(props(l.endpoint, [DEV], SESSIONS_ON_REVOKE_TERMINATE_ALL));
  await l.driver.update(props(l.endpoint, [DEV, CONTRACTORS], SESSIONS_ON_REVOKE_TERMINATE_ALL));
  expect(l.sessions.calls).toEqual([]);
  expect(l.states(before)).toEqual(['active']);
});

test("'terminate-all' with a crash mid-termination: the retry ends the rest, none twice", async () => {
  const l = lab();
  await l.driver.create(props(l.endpoint, [DEV, CONTRACTORS], SESSIONS_ON_REVOKE_TERMINATE_ALL));
  const before = Array.from({ length: 9 }, (_, i) => l.connectEarlier(`user-${i}`));
  l.sessions.crashAfterTerminateCalls(4);

  const result = await l.driver.update(props(l.endpoint, [DEV], SESSIONS_ON_REVOKE_TERMINATE_ALL));

  expect(result.status).toBe('UPDATE_COMPLETE');
  expect(l.driver.log.some(e => e.kind === 'isComplete' && e.outcome === 'lost')).toBe(true);
  expect(l.states(before).every(s => s === 'terminated')).toBe(true);
  expect(l.sessions.sessions(l.endpoint).filter(s => s.terminations > 1)).toEqual([]);
});
