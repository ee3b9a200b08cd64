import {
  AuthorizeClientVpnIngressCommand,
  DescribeClientVpnConnectionsCommand,
  DescribeVpnConnectionsCommand,
  EC2Client,
  EC2ServiceException,
  TerminateClientVpnConnectionsCommand,
} from '@aws-sdk/client-ec2';
import type { ClientVpnConnection, DescribeClientVpnConnectionsCommandInput, Filter } from '@aws-sdk/client-ec2';
import { SimulatedClientVpnService, SimulatedCrash } from './simulated-client-vpn';
import { formatConnectionTime, SimulatedClientVpnSessions, TERMINATED_RETENTION_MS } from './simulated-client-vpn-sessions';
import { SimulatedClock } from './simulated-clock';

// Driven through the real SDK client, so these tests pin what the engine
// sees: error names, $fault, $metadata and output shapes.
const ec2 = new EC2Client({ region: 'us-east-1' });

let clock: SimulatedClock;
let sim: SimulatedClientVpnSessions;
let endpoint: string;

beforeEach(() => {
  clock = new SimulatedClock();
  sim = new SimulatedClientVpnSessions({ clock, seed: 7 });
  sim.install();
  endpoint = sim.createEndpoint();
});

afterEach(() => sim.restore());

function describe_(input: Partial<DescribeClientVpnConnectionsCommandInput> = {}) {
  return ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: endpoint, ...input }));
}

async function listAll(maxResults?: number, filters?: Filter[]): Promise<{ connections: ClientVpnConnection[]; pages: number }> {
  const connections: ClientVpnConnection[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await describe_({ MaxResults: maxResults, NextToken: token, Filters: filters });
    pages++;
    connections.push(...page.Connections ?? []);
    token = page.NextToken;
  } while (token);
  return { connections, pages };
}

function terminateId(connectionId: string, endpointId = endpoint) {
  return ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: endpointId, ConnectionId: connectionId }));
}

function terminateUser(username: string) {
  return ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: endpoint, Username: username }));
}

async function errorOf(p: Promise<unknown>): Promise<EC2ServiceException> {
  try {
    await p;
  } catch (e) {
    return e as EC2ServiceException;
  }
  throw new Error('expected the call to fail');
}

describe('sessions', () => {
  test('a connection is described the way the API reference shows it', async () => {
    const establishedAt = clock.now() - 90_500;
    const id = sim.connect(endpoint, { username: 'alice', establishedAt });
    clock.advance(1_000);
    const { connections } = await listAll();
    expect(connections).toEqual([{
      ClientVpnEndpointId: endpoint,
      Timestamp: formatConnectionTime(clock.now()),
      ConnectionId: id,
      Username: 'alice',
      ConnectionEstablishedTime: formatConnectionTime(establishedAt),
      IngressBytes: '0',
      EgressBytes: '0',
      IngressPackets: '0',
      EgressPackets: '0',
      ClientIp: expect.stringMatching(/^10\.\d+\.\d+\.\d+$/),
      // The API reference: "either the name of the client certificate, or the Active Directory user name".
      CommonName: 'alice',
      Status: { Code: 'active' },
      ConnectionEndTime: '-',
      PostureComplianceStatuses: [],
    }]);
    expect(id).toMatch(/^cvpn-connection-[0-9a-f]{17}$/);
  });

  test('times use the reference\'s `YYYY-MM-DD hh:mm:ss` form, in UTC, truncated to the second', () => {
    expect(formatConnectionTime(Date.UTC(2019, 7, 12, 7, 57, 14, 999))).toBe('2019-08-12 07:57:14');
    expect(formatConnectionTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01 00:00:00');
  });

  test('a certificate session has no Username', async () => {
    sim.connect(endpoint, { commonName: 'laptop-7.example.com' });
    const [c] = (await listAll()).connections;
    expect(c.Username).toBeUndefined();
    expect(c.CommonName).toBe('laptop-7.example.com');
  });

  test('terminate by id: terminating, then terminated after its seeded duration, listed for 60 minutes, then gone', async () => {
    const id = sim.connect(endpoint, { commonName: 'cn-1' });
    const out = await terminateId(id);
    expect(out.ConnectionStatuses).toEqual([{ ConnectionId: id, PreviousStatus: { Code: 'active' }, CurrentStatus: { Code: 'terminating' } }]);
    expect(out.ClientVpnEndpointId).toBe(endpoint);
    expect(sim.session(id).status).toBe('terminating');
    clock.advance(999);
    expect(sim.session(id).status).toBe('terminating'); // the minimum is 1 s
    clock.advance(4_001);
    expect(sim.session(id).status).toBe('terminated');
    const [c] = (await listAll()).connections;
    expect(c.Status).toEqual({ Code: 'terminated' });
    expect(c.ConnectionEndTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    clock.advance(TERMINATED_RETENTION_MS);
    expect((await listAll()).connections).toEqual([]);
    expect(sim.session(id).status).toBe('gone');
    expect((await errorOf(terminateId(id))).name).toBe('InvalidClientVpnConnection.IdNotFound');
  });

  test('terminating a session already on its way out succeeds, changes nothing and is counted as redundant', async () => {
    const id = sim.connect(endpoint, { username: 'bob' });
    await terminateId(id);
    const again = await terminateId(id);
    expect(again.ConnectionStatuses).toEqual([{ ConnectionId: id, PreviousStatus: { Code: 'terminating' }, CurrentStatus: { Code: 'terminating' } }]);
    expect(sim.counters.terminations).toBe(1);
    expect(sim.counters.redundantTerminations).toBe(1);
    expect(sim.session(id).terminations).toBe(1);
  });

  test('an unknown connection id is IdNotFound', async () => {
    expect((await errorOf(terminateId('cvpn-connection-0123456789abcdef0'))).name).toBe('InvalidClientVpnConnection.IdNotFound');
  });

  test('failed-to-terminate is injectable per session, and a later Terminate can still end it', async () => {
    const id = sim.connect(endpoint, { username: 'carol' });
    sim.failTermination(id, 2);
    await terminateId(id);
    clock.advance(5_000);
    expect(sim.session(id).status).toBe('failed-to-terminate');
    const [c] = (await listAll()).connections;
    expect(c.Status?.Code).toBe('failed-to-terminate');
    expect(c.Status?.Message).toBeDefined();

    expect((await terminateId(id)).ConnectionStatuses?.[0].PreviousStatus).toEqual({ Code: 'failed-to-terminate' });
    clock.advance(5_000);
    expect(sim.session(id).status).toBe('failed-to-terminate');
    await terminateId(id);
    clock.advance(5_000);
    expect(sim.session(id).status).toBe('terminated');
    expect(sim.session(id).terminations).toBe(3);
    expect(sim.counters.redundantTerminations).toBe(0);
  });

  test('a client disconnecting by itself ends its session without a call', async () => {
    const id = sim.connect(endpoint, { username: 'dave' });
    sim.disconnect(id);
    expect(sim.session(id).status).toBe('terminated');
    expect(sim.counters.calls.TerminateClientVpnConnections).toBe(0);
  });

  test('connection ids are reproducible from the seed', () => {
    const ids = (seed: number) => {
      const s = new SimulatedClientVpnSessions({ clock, seed });
      const e = s.createEndpoint();
      return [1, 2, 3].map(i => s.connect(e, { username: `u${i}` }));
    };
    expect(ids(3)).toEqual(ids(3));
    expect(ids(3)).not.toEqual(ids(4));
  });
});

describe('terminate by username', () => {
  test('ends every active connection of a user with at most five, in one call', async () => {
    const ids = [1, 2, 3, 4, 5].map(() => sim.connect(endpoint, { username: 'erin' }));
    const other = sim.connect(endpoint, { username: 'frank' });
    const out = await terminateUser('erin');
    expect(out.Username).toBe('erin');
    expect(out.ConnectionStatuses?.map(s => s.ConnectionId).sort()).toEqual([...ids].sort());
    expect(out.ConnectionStatuses?.every(s => s.CurrentStatus?.Code === 'terminating')).toBe(true);
    expect(sim.session(other).status).toBe('active');
    expect(sim.calls.at(-1)?.terminated?.length).toBe(5);
  });

  test('a user with more than five connections not yet terminated is refused with ClientVpnTerminateConnectionsLimitExceeded', async () => {
    const ids = [1, 2, 3, 4, 5, 6].map(() => sim.connect(endpoint, { username: 'gina' }));
    const e = await errorOf(terminateUser('gina'));
    expect(e.name).toBe('ClientVpnTerminateConnectionsLimitExceeded');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(ids.every(id => sim.session(id).status === 'active')).toBe(true);

    // Terminating connections still count; terminated ones do not.
    await terminateId(ids[0]);
    expect((await errorOf(terminateUser('gina'))).name).toBe('ClientVpnTerminateConnectionsLimitExceeded');
    clock.advance(5_000);
    const out = await terminateUser('gina');
    expect(out.ConnectionStatuses).toHaveLength(5);
  });

  test('a user without an active connection is UserNotFound', async () => {
    expect((await errorOf(terminateUser('nobody'))).name).toBe('InvalidClientVpnConnection.UserNotFound');
    const id = sim.connect(endpoint, { username: 'hank' });
    await terminateId(id);
    expect((await errorOf(terminateUser('hank'))).name).toBe('InvalidClientVpnConnection.UserNotFound');
  });

  test('usernames are matched exactly and case-sensitively', async () => {
    sim.connect(endpoint, { username: 'Ivy' });
    expect((await errorOf(terminateUser('ivy'))).name).toBe('InvalidClientVpnConnection.UserNotFound');
    const filtered = await listAll(undefined, [{ Name: 'username', Values: ['ivy'] }]);
    expect(filtered.connections).toEqual([]);
  });
});

describe('parameters and errors', () => {
  test('errors are EC2ServiceExceptions named after the EC2 error code', async () => {
    const e = await errorOf(terminateId('cvpn-connection-0123456789abcdef0'));
    expect(e).toBeInstanceOf(EC2ServiceException);
    expect(e.$fault).toBe('client');
  });

  test('ConnectionId and Username: both is InvalidParameterCombination, neither is MissingParameter', async () => {
    const id = sim.connect(endpoint, { username: 'jack' });
    const both = ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: endpoint, ConnectionId: id, Username: 'jack' }));
    expect((await errorOf(both)).name).toBe('InvalidParameterCombination');
    const neither = ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: endpoint }));
    expect((await errorOf(neither)).name).toBe('MissingParameter');
    expect(sim.session(id).status).toBe('active');
  });

  test('a missing endpoint is InvalidClientVpnEndpointId.NotFound for both operations', async () => {
    const missing = 'cvpn-endpoint-0123456789abcdef0';
    expect((await errorOf(describe_({ ClientVpnEndpointId: missing }))).name).toBe('InvalidClientVpnEndpointId.NotFound');
    expect((await errorOf(terminateId('cvpn-connection-0123456789abcdef0', missing))).name).toBe('InvalidClientVpnEndpointId.NotFound');
    sim.deleteEndpoint(endpoint);
    expect((await errorOf(describe_())).name).toBe('InvalidClientVpnEndpointId.NotFound');
  });

  test('DryRun answers DryRunOperation and changes nothing', async () => {
    const id = sim.connect(endpoint, { username: 'kim' });
    const dry = ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: endpoint, ConnectionId: id, DryRun: true }));
    expect((await errorOf(dry)).name).toBe('DryRunOperation');
    expect(sim.session(id).status).toBe('active');
  });

  test('sessions of one endpoint are invisible on another', async () => {
    const other = sim.createEndpoint();
    const id = sim.connect(other, { username: 'lee' });
    expect((await listAll()).connections).toEqual([]);
    expect((await errorOf(terminateId(id))).name).toBe('InvalidClientVpnConnection.IdNotFound');
  });
});

describe('Describe paging and filters', () => {
  beforeEach(() => {
    for (let i = 0; i < 23; i++) sim.connect(endpoint, i % 2 === 0 ? { username: `user-${i}` } : { commonName: `cn-${i}` });
  });

  test('MaxResults must be an integer from 5 to 1000', async () => {
    for (const bad of [4, 1001, 7.5, 0]) {
      expect((await errorOf(describe_({ MaxResults: bad }))).name).toBe('InvalidParameterValue');
    }
    await expect(describe_({ MaxResults: 5 })).resolves.toBeDefined();
    await expect(describe_({ MaxResults: 1000 })).resolves.toBeDefined();
  });

  test('pages follow NextToken in connection id order; the default page is 50', async () => {
    const first = await describe_({ MaxResults: 10 });
    expect(first.Connections).toHaveLength(10);
    expect(first.NextToken).toBeDefined();
    const { connections, pages } = await listAll(10);
    expect(pages).toBe(3);
    const ids = connections.map(c => c.ConnectionId!);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(23);
    expect((await describe_()).Connections).toHaveLength(23);
  });

  test('a page size cap returns fewer than MaxResults, with a NextToken', async () => {
    const capped = new SimulatedClientVpnSessions({ clock, pageSizeCap: 7 });
    capped.attach(sim.install());
    const e = capped.createEndpoint();
    for (let i = 0; i < 20; i++) capped.connect(e, { username: `u-${i}` });
    const page = await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: e, MaxResults: 1000 }));
    expect(page.Connections).toHaveLength(7);
    expect(page.NextToken).toBeDefined();
  });

  test('an unknown pagination token is InvalidPaginationToken', async () => {
    expect((await errorOf(describe_({ NextToken: 'bogus' }))).name).toBe('InvalidPaginationToken');
  });

  test('username and connection-id filters: values OR, filters AND', async () => {
    const byUser = await listAll(undefined, [{ Name: 'username', Values: ['user-0', 'user-2', 'cn-1'] }]);
    expect(byUser.connections.map(c => c.Username).sort()).toEqual(['user-0', 'user-2']);
    const id = byUser.connections[0].ConnectionId!;
    const both = await listAll(undefined, [{ Name: 'username', Values: ['user-0', 'user-2'] }, { Name: 'connection-id', Values: [id] }]);
    expect(both.connections.map(c => c.ConnectionId)).toEqual([id]);
  });

  test('an unknown filter is InvalidParameterValue; too many values is FilterLimitExceeded', async () => {
    expect((await errorOf(describe_({ Filters: [{ Name: 'common-name', Values: ['x'] }] }))).name).toBe('InvalidParameterValue');
    const values = Array.from({ length: 201 }, (_, i) => `user-${i}`);
    expect((await errorOf(describe_({ Filters: [{ Name: 'username', Values: values }] }))).name).toBe('FilterLimitExceeded');
    await expect(describe_({ Filters: [{ Name: 'username', Values: values.slice(0, 200) }] })).resolves.toBeDefined();
  });
});

describe('token buckets', () => {
  test('Describe: 100 at once, then 20 per second', async () => {
    for (let i = 0; i < 100; i++) await describe_();
    expect((await errorOf(describe_())).name).toBe('RequestLimitExceeded');
    clock.advance(1_000);
    for (let i = 0; i < 20; i++) await describe_();
    const e = await errorOf(describe_());
    expect(e.name).toBe('RequestLimitExceeded');
    expect(e.$metadata.httpStatusCode).toBe(503);
    expect(sim.counters.throttled.DescribeClientVpnConnections).toBe(2);
    expect(sim.counters.throttledCalls).toBe(2);
  });

  test('Terminate: 200 at once, then 5 per second, by default; refused calls change nothing', async () => {
    const ids = Array.from({ length: 206 }, (_, i) => sim.connect(endpoint, { commonName: `cn-${i}` }));
    for (const id of ids.slice(0, 200)) await terminateId(id);
    expect((await errorOf(terminateId(ids[200]))).name).toBe('RequestLimitExceeded');
    expect(sim.session(ids[200]).status).toBe('active');
    clock.advance(1_000);
    for (const id of ids.slice(200, 205)) await terminateId(id);
    expect((await errorOf(terminateId(ids[205]))).name).toBe('RequestLimitExceeded');
    expect(sim.counters.throttled.TerminateClientVpnConnections).toBe(2);
    expect(sim.counters.terminations).toBe(205);
  });

  test('buckets are configurable and can be removed', async () => {
    const custom = new SimulatedClientVpnSessions({ clock, terminateBucket: { burst: 2, refillPerSecond: 1 }, describeBucket: null });
    custom.attach(sim.install());
    const e = custom.createEndpoint();
    const ids = [1, 2, 3].map(i => custom.connect(e, { username: `u${i}` }));
    await terminateId(ids[0], e);
    await terminateId(ids[1], e);
    expect((await errorOf(terminateId(ids[2], e))).name).toBe('RequestLimitExceeded');
    for (let i = 0; i < 300; i++) await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: e }));
    custom.tokenBucket('TerminateClientVpnConnections', null);
    await terminateId(ids[2], e);
    expect(custom.counters.throttledCalls).toBe(1);
  });
});

describe('fault injection', () => {
  test('throttleNext and failNext refuse calls without effect', async () => {
    const id = sim.connect(endpoint, { username: 'max' });
    sim.throttleNext('TerminateClientVpnConnections');
    sim.failNext('TerminateClientVpnConnections');
    expect((await errorOf(terminateId(id))).name).toBe('RequestLimitExceeded');
    const e = await errorOf(terminateId(id));
    expect(e.name).toBe('InternalError');
    expect(e.$fault).toBe('server');
    expect(sim.session(id).status).toBe('active');
    await terminateId(id);
    expect(sim.counters.errors).toEqual({ RequestLimitExceeded: 1, InternalError: 1 });
  });

  test('a crash after a Terminate applies it, then every call fails until the crash is consumed', async () => {
    const a = sim.connect(endpoint, { username: 'nia' });
    const b = sim.connect(endpoint, { username: 'oli' });
    sim.crashAfterTerminateCalls(1);
    await expect(terminateId(a)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(sim.session(a).status).toBe('terminating');
    await expect(terminateId(b)).rejects.toBeInstanceOf(SimulatedCrash);
    await expect(describe_()).rejects.toBeInstanceOf(SimulatedCrash);
    expect(sim.session(b).status).toBe('active');
    expect(sim.consumeCrash()).toBe(true);
    expect(sim.consumeCrash()).toBe(false);
    await terminateId(b);
    expect(sim.session(b).status).toBe('terminating');
  });

  test('a read lag shows sessions as they were staleReadMs ago; Terminate acts on the present', async () => {
    const lagging = new SimulatedClientVpnSessions({ clock, staleReadMs: 3_000 });
    lagging.attach(sim.install());
    const e = lagging.createEndpoint();
    const old = lagging.connect(e, { username: 'pat', establishedAt: clock.now() - 60_000 });
    const fresh = lagging.connect(e, { username: 'quinn' });
    const read = async () => (await ec2.send(new DescribeClientVpnConnectionsCommand({ ClientVpnEndpointId: e }))).Connections ?? [];
    expect((await read()).map(c => c.ConnectionId)).toEqual([old]);
    await terminateId(old, e);
    expect((await read()).find(c => c.ConnectionId === old)?.Status?.Code).toBe('active');
    clock.advance(3_000);
    const later = await read();
    expect(later.find(c => c.ConnectionId === old)?.Status?.Code).toBe('terminating');
    expect(later.map(c => c.ConnectionId)).toContain(fresh);
  });

  test('onCall listeners see every answered call', async () => {
    const seen: string[] = [];
    sim.onCall(call => seen.push(`${call.operation} ${call.outcome}`));
    const id = sim.connect(endpoint, { username: 'rae' });
    await describe_();
    await terminateId(id);
    await errorOf(terminateUser('rae'));
    expect(seen).toEqual([
      'DescribeClientVpnConnections ok',
      'TerminateClientVpnConnections ok',
      'TerminateClientVpnConnections InvalidClientVpnConnection.UserNotFound',
    ]);
    expect(sim.terminateCalls().map(c => c.connectionId ?? c.username)).toEqual([id, 'rae']);
  });
});

describe('wiring', () => {
  test('attach serves sessions next to the authorization simulation on one stub, and leaves its handlers alone', async () => {
    sim.restore();
    const authorizations = new SimulatedClientVpnService({ clock });
    const stub = authorizations.install();
    try {
      const sessions = new SimulatedClientVpnSessions({ clock });
      sessions.attach(stub);
      const e = authorizations.createEndpoint();
      sessions.createEndpoint(e);
      const id = sessions.connect(e, { username: 'sam' });
      await ec2.send(new AuthorizeClientVpnIngressCommand({ ClientVpnEndpointId: e, TargetNetworkCidr: '10.0.0.0/16', AuthorizeAllGroups: true }));
      await ec2.send(new TerminateClientVpnConnectionsCommand({ ClientVpnEndpointId: e, ConnectionId: id }));
      expect(authorizations.counters.calls.AuthorizeClientVpnIngress).toBe(1);
      expect(sessions.counters.calls.TerminateClientVpnConnections).toBe(1);
    } finally {
      authorizations.restore();
    }
  });

  test('install alone rejects commands it does not simulate', async () => {
    await expect(ec2.send(new DescribeVpnConnectionsCommand({}))).rejects.toMatchObject({ name: 'SimulationUnsupportedOperation' });
  });
});
