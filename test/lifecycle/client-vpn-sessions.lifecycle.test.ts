import {
  ExportClientVpnClientCertificateRevocationListCommand,
  ImportClientVpnClientCertificateRevocationListCommand,
} from '@aws-sdk/client-ec2';
import type { ImportClientVpnClientCertificateRevocationListCommandInput, EC2Client } from '@aws-sdk/client-ec2';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import * as handler from '../../lambda/client-vpn-sessions';
import { CLIENT_VPN_CRL_RESOURCE_TYPE, CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE } from '../../src/private/contract/client-vpn-sessions';
import { CRL_PEM, CRL_PEM_2, sha256 } from '../lambda/client-vpn-sessions/fixtures';
import { CloudFormationLifecycleDriver, CREATE_FAILED_PHYSICAL_ID_MARKER } from '../support/cloudformation-lifecycle';
import type { ResourceProperties } from '../support/cloudformation-lifecycle';
import { simulatedServiceError } from '../support/simulated-client-vpn';
import { SimulatedClientVpnSessions } from '../support/simulated-client-vpn-sessions';
import type { SimulatedClientVpnSessionsOptions } from '../support/simulated-client-vpn-sessions';
import { SimulatedClock } from '../support/simulated-clock';

/**
 * Lifecycle tests of the Client VPN sessions handler: CloudFormation and the
 * Provider framework (the driver) against a simulated endpoint with sessions.
 * Every test checks which sessions ended, which did not, and that no session
 * was ever the object of more than one state-changing Terminate.
 */

const TOTAL_TIMEOUT_SECONDS = 7200;
const SET_ID = 'revocations-5e7a';
const MINUTE = 60_000;

/**
 * A SIMULATED certificate revocation list per endpoint, for the two CRL
 * operations the sessions simulation does not implement. ASSUMPTION: an
 * imported list reads back verbatim, `pending` for a few seconds, then
 * `active` (AWS documents both states, not their timing).
 */
class SimulatedCrlStore {
  readonly imports: Array<{ at: number; endpointId: string; pem: string }> = [];
  private readonly importListeners: Array<() => void> = [];
  private readonly lists = new Map<string, { pem: string; activeAt: number }>();

  constructor(private readonly clock: SimulatedClock, private readonly sessions: SimulatedClientVpnSessions, private readonly pendingMs = 3_000) {}

  attach(stub: AwsClientStub<EC2Client>): void {
    type ImportInput = ImportClientVpnClientCertificateRevocationListCommandInput;
    stub.on(ImportClientVpnClientCertificateRevocationListCommand).callsFake(async (input: ImportInput) => {
      this.requireEndpoint(input.ClientVpnEndpointId);
      this.imports.push({ at: this.clock.now(), endpointId: input.ClientVpnEndpointId!, pem: input.CertificateRevocationList! });
      this.lists.set(input.ClientVpnEndpointId!, { pem: input.CertificateRevocationList!, activeAt: this.clock.now() + this.pendingMs });
      this.importListeners.forEach(listener => listener());
      return { Return: true };
    });
    stub.on(ExportClientVpnClientCertificateRevocationListCommand).callsFake(async (input: { ClientVpnEndpointId?: string }) => {
      this.requireEndpoint(input.ClientVpnEndpointId);
      const list = this.lists.get(input.ClientVpnEndpointId!);
      if (!list) return {};
      return { CertificateRevocationList: list.pem, Status: { Code: this.clock.now() >= list.activeAt ? 'active' : 'pending' } };
    });
  }

  onImport(listener: () => void): void {
    this.importListeners.push(listener);
  }

  current(endpointId: string): { pem: string; active: boolean } | undefined {
    const list = this.lists.get(endpointId);
    return list && { pem: list.pem, active: this.clock.now() >= list.activeAt };
  }

  private requireEndpoint(endpointId: string | undefined): void {
    if (!endpointId || !this.sessions.hasEndpoint(endpointId)) {
      throw simulatedServiceError('InvalidClientVpnEndpointId.NotFound', `The Client VPN endpoint ID '${endpointId}' does not exist`, 400);
    }
  }
}

interface Lab {
  readonly clock: SimulatedClock;
  readonly sessions: SimulatedClientVpnSessions;
  readonly crl: SimulatedCrlStore;
  readonly driver: CloudFormationLifecycleDriver;
  readonly endpoint: string;
  /** Connect a session established a minute before now (before any request of the test). */
  connect(options: { username?: string; commonName?: string }): string;
  /** State of each connection id. */
  states(ids: readonly string[]): string[];
  /** Assert no session changed state by Terminate more than once. */
  expectNoDoubleTermination(): void;
  /** AWS calls made after the driver's last request of `requestType` was sent (e.g. during a rollback). */
  callsSinceLastRequest(requestType: 'Create' | 'Update' | 'Delete'): number;
}

let teardown: Array<() => void> = [];

function lab(kind: 'revocations' | 'crl' = 'revocations', options: Partial<SimulatedClientVpnSessionsOptions> = {}): Lab {
  const clock = new SimulatedClock();
  const sessions = new SimulatedClientVpnSessions({ clock, seed: 7, ...options });
  const stub = sessions.install();
  const crl = new SimulatedCrlStore(clock, sessions);
  crl.attach(stub);
  teardown.push(() => sessions.restore(), clock.install());
  const endpoint = sessions.createEndpoint();
  // For each session call (and CRL import), how far the driver's log had got.
  const callLogPositions: number[] = [];
  const driver: CloudFormationLifecycleDriver = new CloudFormationLifecycleDriver({
    handler,
    clock,
    crashSources: [sessions],
    totalTimeoutSeconds: TOTAL_TIMEOUT_SECONDS,
    queryIntervalSeconds: 10,
    resourceType: kind === 'crl' ? CLIENT_VPN_CRL_RESOURCE_TYPE : CLIENT_VPN_REVOCATIONS_RESOURCE_TYPE,
    logicalResourceId: kind === 'crl' ? 'Crl' : 'Revocations',
  });
  sessions.onCall(() => callLogPositions.push(driver.log.length));
  crl.onImport(() => callLogPositions.push(driver.log.length));
  return {
    clock,
    sessions,
    crl,
    driver,
    endpoint,
    connect: o => sessions.connect(endpoint, { ...o, establishedAt: clock.now() - MINUTE }),
    states: ids => ids.map(id => sessions.session(id).status),
    expectNoDoubleTermination() {
      const twice = sessions.sessions(endpoint).filter(s => s.terminations > 1).map(s => s.connectionId);
      expect(twice).toEqual([]);
    },
    callsSinceLastRequest(requestType) {
      const lastRequest = driver.log.map((e, i) => (e.kind === 'request' && e.requestType === requestType ? i : -1)).filter(i => i >= 0).pop();
      if (lastRequest === undefined) throw new Error(`no ${requestType} request in the driver log`);
      return callLogPositions.filter(position => position > lastRequest).length;
    },
  };
}

function revocations(endpointId: string, usernames: string[], commonNames: string[] = []): ResourceProperties {
  return { SchemaVersion: '1', ClientVpnEndpointId: endpointId, SetId: SET_ID, Usernames: usernames, CommonNames: commonNames };
}

function crlProps(endpointId: string, pem: string, commonNames: string[]): ResourceProperties {
  return { SchemaVersion: '1', ClientVpnEndpointId: endpointId, Crl: pem, CrlSha256: sha256(pem), CommonNames: commonNames };
}

/** Let every `terminating` session reach its end state. */
function settle(l: Lab): void {
  l.clock.advance(10_000);
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

describe('revocation set', () => {
  test('create terminates the listed principals\' sessions and nothing else', async () => {
    const l = lab();
    const bob = [l.connect({ username: 'bob' }), l.connect({ username: 'bob' })];
    const carol = l.connect({ commonName: 'carol-laptop' });
    const others = [l.connect({ username: 'alice' }), l.connect({ commonName: 'bob' }), l.connect({ username: 'bobby' })];

    const result = await l.driver.create(revocations(l.endpoint, ['bob'], ['carol-laptop']));

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(l.driver.state.physicalResourceId).toBe(`${l.endpoint}/revocations/${SET_ID}`);
    expect(l.driver.state.data).toEqual({ SessionsTerminated: '3' });
    expect(l.states([...bob, carol])).toEqual(['terminated', 'terminated', 'terminated']);
    // A certificate whose common name equals a listed *user name* is not that user.
    expect(l.states(others)).toEqual(['active', 'active', 'active']);
    l.expectNoDoubleTermination();
  });

  test('an update adding a user terminates that user\'s sessions', async () => {
    const l = lab();
    l.connect({ username: 'bob' });
    await l.driver.create(revocations(l.endpoint, ['bob']));
    const alice = [l.connect({ username: 'alice' }), l.connect({ username: 'alice' })];
    const dan = l.connect({ username: 'dan' });

    const result = await l.driver.update(revocations(l.endpoint, ['alice', 'bob']));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(result.responses).toHaveLength(1);
    expect(l.states([...alice, dan])).toEqual(['terminated', 'terminated', 'active']);
    expect(l.callsSinceLastRequest('Update')).toBeGreaterThan(0);
    l.expectNoDoubleTermination();
  });

  test('an update removing a user makes no call and restores nothing', async () => {
    const l = lab();
    const alice = l.connect({ username: 'alice' });
    await l.driver.create(revocations(l.endpoint, ['alice', 'bob']));
    const mark = l.sessions.calls.length;
    const bobAgain = l.connect({ username: 'bob' });

    const result = await l.driver.update(revocations(l.endpoint, ['bob']));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(l.sessions.calls.slice(mark)).toEqual([]);
    expect(l.states([alice, bobAgain])).toEqual(['terminated', 'active']);
  });

  test('duplicate delivery (interleaved): every session ends once, none twice', async () => {
    const l = lab();
    const ids = Array.from({ length: 8 }, (_, i) => l.connect({ username: `user-${i % 3}` }));

    const result = await l.driver.create(revocations(l.endpoint, ['user-0', 'user-1', 'user-2']), { delivery: 'twice-interleaved' });

    expect(result.responses.map(r => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(l.states(ids).every(s => s === 'terminated')).toBe(true);
    l.expectNoDoubleTermination();
    expect(l.sessions.counters.redundantTerminations).toBe(0);
  });

  test('a crash mid-termination: the retried invocation carries on and terminates no session twice', async () => {
    const l = lab();
    const dave = Array.from({ length: 12 }, () => l.connect({ username: 'dave' }));
    l.sessions.crashAfterTerminateCalls(5);

    const result = await l.driver.create(revocations(l.endpoint, ['dave']));

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(l.driver.log.some(e => e.kind === 'isComplete' && e.outcome === 'lost')).toBe(true);
    expect(l.states(dave).every(s => s === 'terminated')).toBe(true);
    l.expectNoDoubleTermination();
    expect(l.sessions.counters.redundantTerminations).toBe(0);
  });

  test('12 sessions of one user are terminated by ConnectionId, never by Username', async () => {
    const l = lab();
    const dave = Array.from({ length: 12 }, () => l.connect({ username: 'dave' }));

    await l.driver.create(revocations(l.endpoint, ['dave']));

    const terminates = l.sessions.terminateCalls();
    expect(terminates.filter(c => c.username !== undefined)).toEqual([]);
    expect(terminates.filter(c => c.outcome === 'ok').map(c => c.connectionId).sort()).toEqual([...dave].sort());
    expect(l.driver.state.data).toEqual({ SessionsTerminated: '12' });
  });

  test('a failed-to-terminate that clears on retry: the create succeeds', async () => {
    const l = lab();
    const flaky = l.connect({ commonName: 'kiosk-1' });
    l.sessions.failTermination(flaky, 1);

    const result = await l.driver.create(revocations(l.endpoint, [], ['kiosk-1']));

    expect(result.status).toBe('CREATE_COMPLETE');
    settle(l);
    expect(l.states([flaky])).toEqual(['terminated']);
    expect(l.sessions.session(flaky).terminations).toBe(2);
  });

  test('a failed-to-terminate that persists fails the create naming the endpoint and connection; the rollback makes no call', async () => {
    const l = lab();
    const stuck = l.connect({ commonName: 'kiosk-2' });
    l.sessions.failTermination(stuck, 100);

    const result = await l.driver.create(revocations(l.endpoint, [], ['kiosk-2']));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toContain(`Client VPN endpoint ${l.endpoint}: 1 session stayed failed-to-terminate after retries (${stuck})`);
    expect(result.responses.map(r => r.Status)).toEqual(['FAILED', 'SUCCESS']);
    expect(l.callsSinceLastRequest('Delete')).toBe(0);
  });

  test('rollback of an update that failed: the swapped Update only removes, so it makes no call', async () => {
    const l = lab();
    await l.driver.create(revocations(l.endpoint, ['bob']));
    const stuck = l.connect({ username: 'erin' });
    l.sessions.failTermination(stuck, 100);

    const result = await l.driver.update(revocations(l.endpoint, ['bob', 'erin']));

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toContain(stuck);
    expect(result.responses.map(r => r.Status)).toEqual(['FAILED', 'SUCCESS']);
    // The rollback (the last Update sent) called nothing.
    expect(l.callsSinceLastRequest('Update')).toBe(0);
    expect(l.driver.state.properties).toEqual(revocations(l.endpoint, ['bob']));
  });

  test('delete makes no call and leaves sessions alone', async () => {
    const l = lab();
    await l.driver.create(revocations(l.endpoint, ['bob']));
    const bobAgain = l.connect({ username: 'bob' });
    const mark = l.sessions.calls.length;

    const result = await l.driver.delete();

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(l.sessions.calls.slice(mark)).toEqual([]);
    expect(l.states([bobAgain])).toEqual(['active']);
  });

  test('a missing endpoint fails the create naming it; the rollback Delete succeeds', async () => {
    const l = lab();
    const missing = 'cvpn-endpoint-0fffffffffffffff0';
    const result = await l.driver.create(revocations(missing, ['bob']));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toContain(`Client VPN endpoint ${missing} does not exist`);
  });

  test('invalid properties fail in onEvent; the Delete of the failed-create marker is skipped', async () => {
    const l = lab();
    const result = await l.driver.create(revocations(l.endpoint, ['']));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toContain("Usernames[0] must be a non-empty string, got ''");
    expect(l.driver.state.physicalResourceId).toBe(CREATE_FAILED_PHYSICAL_ID_MARKER);
    expect(l.sessions.calls).toEqual([]);
  });

  test('moving to another endpoint terminates there under a new id; the old id\'s Delete makes no call', async () => {
    const l = lab();
    await l.driver.create(revocations(l.endpoint, ['bob']));
    const other = l.sessions.createEndpoint();
    const bobThere = l.sessions.connect(other, { username: 'bob', establishedAt: l.clock.now() - MINUTE });
    const bobHere = l.connect({ username: 'bob' });

    const result = await l.driver.update(revocations(other, ['bob']));

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(l.driver.state.physicalResourceId).toBe(`${other}/revocations/${SET_ID}`);
    expect(result.responses.map(r => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(l.states([bobThere, bobHere])).toEqual(['terminated', 'active']);
    expect(l.callsSinceLastRequest('Delete')).toBe(0);
  });
});

describe('certificate revocation list', () => {
  test('create imports the CRL, waits for it to be active, then terminates the listed common names', async () => {
    const l = lab('crl');
    const revoked = [l.connect({ commonName: 'laptop-lost' }), l.connect({ commonName: 'laptop-lost' })];
    const kept = l.connect({ commonName: 'laptop-ok' });

    const result = await l.driver.create(crlProps(l.endpoint, CRL_PEM, ['laptop-lost']));

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(l.driver.state.physicalResourceId).toBe(`${l.endpoint}/certificate-revocation-list`);
    expect(l.crl.current(l.endpoint)).toEqual({ pem: CRL_PEM, active: true });
    expect(l.crl.imports).toHaveLength(1);
    const firstTerminate = l.sessions.terminateCalls()[0];
    expect(firstTerminate.at).toBeGreaterThanOrEqual(l.crl.imports[0].at + 3_000);
    expect(l.states([...revoked, kept])).toEqual(['terminated', 'terminated', 'active']);
    expect(l.driver.state.data).toEqual({ SessionsTerminated: '2' });
  });

  test('duplicate delivery imports once', async () => {
    const l = lab('crl');
    const result = await l.driver.create(crlProps(l.endpoint, CRL_PEM, []), { delivery: 'twice-sequential' });
    expect(result.responses.map(r => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(l.crl.imports).toHaveLength(1);
  });

  test('an update to a new CRL that fails rolls back to the old CRL', async () => {
    const l = lab('crl');
    await l.driver.create(crlProps(l.endpoint, CRL_PEM, []));
    const stuck = l.connect({ commonName: 'laptop-stolen' });
    l.sessions.failTermination(stuck, 100);

    const result = await l.driver.update(crlProps(l.endpoint, CRL_PEM_2, ['laptop-stolen']));

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toContain(stuck);
    expect(l.crl.imports.map(i => i.pem)).toEqual([CRL_PEM, CRL_PEM_2, CRL_PEM]);
    expect(l.crl.current(l.endpoint)).toEqual({ pem: CRL_PEM, active: true });
  });

  test('an update adding a common name terminates without re-importing', async () => {
    const l = lab('crl');
    await l.driver.create(crlProps(l.endpoint, CRL_PEM, ['laptop-1']));
    const laptop2 = l.connect({ commonName: 'laptop-2' });

    await l.driver.update(crlProps(l.endpoint, CRL_PEM, ['laptop-1', 'laptop-2']));

    expect(l.crl.imports).toHaveLength(1);
    expect(l.states([laptop2])).toEqual(['terminated']);
  });

  test('delete makes no call: the CRL stays on the endpoint', async () => {
    const l = lab('crl');
    await l.driver.create(crlProps(l.endpoint, CRL_PEM, []));
    const mark = l.sessions.calls.length;
    const result = await l.driver.delete();
    expect(result.status).toBe('DELETE_COMPLETE');
    expect(l.sessions.calls.slice(mark)).toEqual([]);
    expect(l.crl.current(l.endpoint)).toEqual({ pem: CRL_PEM, active: true });
  });
});
