import {
  DescribeClientVpnConnectionsCommand,
  EC2Client,
  TerminateClientVpnConnectionsCommand,
} from '@aws-sdk/client-ec2';
import type {
  ClientVpnConnection,
  ClientVpnConnectionStatusCode,
  DescribeClientVpnConnectionsCommandInput,
  DescribeClientVpnConnectionsCommandOutput,
  EC2ServiceException,
  TerminateClientVpnConnectionsCommandInput,
  TerminateClientVpnConnectionsCommandOutput,
  TerminateConnectionStatus,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { isSimulatedCrash, SimulatedCrash, simulatedServiceError, SimulatedTokenBucket } from './simulated-client-vpn';
import type { DurationRange, SimulationTime, TokenBucketOptions } from './simulated-client-vpn';

/**
 * A SIMULATED Client VPN endpoint with client sessions (connections), for
 * engine, handler, lifecycle and benchmark use. It is not an emulator: it
 * keeps state the way the documented API behaves (sessions pass from
 * `active` through `terminating` to `terminated`, terminated ones stay listed
 * for 60 minutes, Describe pages with NextToken, Terminate by Username works
 * for at most five connections) and injects what a deployment meets (EC2
 * token buckets, throttling, 5xx, `failed-to-terminate`, a Lambda dying after
 * a call, reads that lag writes). Every behaviour below that is not in the
 * AWS documentation is marked ASSUMPTION.
 *
 * It implements DescribeClientVpnConnections and TerminateClientVpnConnections
 * only, and can share one aws-sdk-client-mock stub with SimulatedClientVpnService
 * (authorization rules): see `attach`.
 */

export type SessionOperation = 'DescribeClientVpnConnections' | 'TerminateClientVpnConnections';

export const SESSION_OPERATIONS: readonly SessionOperation[] = ['DescribeClientVpnConnections', 'TerminateClientVpnConnections'];

/** EC2's documented default bucket for Describe* calls (non-mutating actions). */
export const DEFAULT_DESCRIBE_BUCKET: TokenBucketOptions = { burst: 100, refillPerSecond: 20 };
/** The default shape for TerminateClientVpnConnections (configurable). */
export const DEFAULT_TERMINATE_BUCKET: TokenBucketOptions = { burst: 200, refillPerSecond: 5 };

/** How long DescribeClientVpnConnections lists terminated connections (documented: 60 minutes). */
export const TERMINATED_RETENTION_MS = 60 * 60 * 1000;

/** Documented: Terminate by Username "can only be used if the user has established up to five connections". */
export const USERNAME_TERMINATE_LIMIT = 5;

export interface SimulatedClientVpnSessionsOptions {
  readonly clock: SimulationTime;
  /** Seed of connection ids and transition durations. @default 1 */
  readonly seed?: number;
  /** How long a session stays `terminating`. ASSUMPTION: AWS does not document it. @default 1 s .. 5 s */
  readonly terminateDuration?: DurationRange;
  /** How long terminated sessions stay listed. @default 60 minutes (documented) */
  readonly terminatedRetentionMs?: number;
  /** Page size of Describe when MaxResults is absent. ASSUMPTION: AWS does not document it. @default 50 */
  readonly defaultPageSize?: number;
  /**
   * Largest page Describe returns whatever MaxResults says. EC2 may return
   * fewer results than MaxResults with a NextToken; a cap makes callers prove
   * they follow it. @default no cap
   */
  readonly pageSizeCap?: number;
  /**
   * Values one Describe filter may carry before FilterLimitExceeded.
   * ASSUMPTION: the code is documented ("too many filters or too many filter
   * values"), the number is not for this API. @default 200
   */
  readonly maxFilterValues?: number;
  /** Token bucket of DescribeClientVpnConnections; null for none. @default 100 burst, 20/s */
  readonly describeBucket?: TokenBucketOptions | null;
  /** Token bucket of TerminateClientVpnConnections; null for none. @default 200 burst, 5/s */
  readonly terminateBucket?: TokenBucketOptions | null;
  /**
   * Eventual consistency: Describe shows each session as it was this long ago
   * (a termination is visible only after the lag; so is a new session).
   * Terminate always acts on the current state. @default 0
   */
  readonly staleReadMs?: number;
}

/** How a test adds a session (`connect`). */
export interface ConnectOptions {
  /** Active Directory / SAML user name (the connection's `Username`). */
  readonly username?: string;
  /**
   * Certificate common name. ASSUMPTION (from the API reference: "either the
   * name of the client certificate, or the Active Directory user name"): a
   * session without one reports its username as CommonName.
   */
  readonly commonName?: string;
  /** @default now */
  readonly establishedAt?: number;
  /** @default a fresh seeded `cvpn-connection-<17 hex>` */
  readonly connectionId?: string;
}

/** Where a session is, as a test sees it: the API's states plus `gone` (no longer listed). */
export type SimulatedSessionState = ClientVpnConnectionStatusCode | 'gone';

export interface SimulatedSession {
  readonly endpointId: string;
  readonly connectionId: string;
  readonly username?: string;
  readonly commonName: string;
  readonly establishedAt: number;
  /** The true current state (no read lag). */
  readonly status: SimulatedSessionState;
  /** Terminate calls that changed this session's state (a redundant call is not counted here). */
  readonly terminations: number;
}

/** One API call as the simulation saw it. */
export interface SimulatedSessionCall {
  readonly at: number;
  readonly operation: SessionOperation;
  readonly endpointId?: string;
  /** Terminate: the ConnectionId parameter. */
  readonly connectionId?: string;
  /** Terminate: the Username parameter. */
  readonly username?: string;
  /** Describe: `name=v1,v2` per filter, `;`-joined. */
  readonly filters?: string;
  readonly maxResults?: number;
  /** Describe: connections returned. */
  readonly returned?: number;
  /** Terminate: connection ids whose state this call changed. */
  readonly terminated?: readonly string[];
  /** 'ok' or the error name. */
  readonly outcome: string;
}

export interface SessionSimulationCounters {
  /** Calls that reached the service, per operation, refused ones included. */
  readonly calls: Record<SessionOperation, number>;
  /** Calls refused with RequestLimitExceeded, in all and per operation. */
  readonly throttledCalls: number;
  readonly throttled: Record<SessionOperation, number>;
  /** Errors returned, by name. */
  readonly errors: Record<string, number>;
  /** Session state changes made by Terminate (active or failed-to-terminate -> terminating). */
  readonly terminations: number;
  /** Terminate calls by ConnectionId that named a session already terminating or terminated. */
  readonly redundantTerminations: number;
}

/** Error names the simulation returns, as SDK v3 surfaces them in `error.name`. */
export const SessionErrorNames = {
  endpointNotFound: 'InvalidClientVpnEndpointId.NotFound',
  connectionNotFound: 'InvalidClientVpnConnection.IdNotFound',
  userNotFound: 'InvalidClientVpnConnection.UserNotFound',
  /**
   * Documented as "The number of client connections you're attempting to
   * terminate exceeds the limit". ASSUMPTION: this is what Terminate by
   * Username answers for a user with more than five connections.
   */
  terminateLimit: 'ClientVpnTerminateConnectionsLimitExceeded',
  filterLimit: 'FilterLimitExceeded',
  missingParameter: 'MissingParameter',
  parameterCombination: 'InvalidParameterCombination',
  parameterValue: 'InvalidParameterValue',
  paginationToken: 'InvalidPaginationToken',
  throttled: 'RequestLimitExceeded',
  internal: 'InternalError',
  dryRun: 'DryRunOperation',
} as const;

const ENDPOINT_ID = /^cvpn-endpoint-[0-9a-f]{8,17}$/;
const CONNECTION_ID = /^cvpn-connection-[0-9a-f]{8,17}$/;
const FILTER_NAMES = new Set(['connection-id', 'username']);

interface TimelineEntry {
  readonly at: number;
  readonly status: ClientVpnConnectionStatusCode;
  readonly message?: string;
}

interface SessionState {
  readonly endpointId: string;
  readonly id: string;
  readonly username?: string;
  readonly commonName: string;
  readonly establishedAt: number;
  readonly clientIp: string;
  /** Status changes in time order; entries may lie in the future (a transition already scheduled). */
  readonly timeline: TimelineEntry[];
  /** Injected: how many more terminations end `failed-to-terminate`. */
  failuresLeft: number;
  terminations: number;
}

interface Endpoint {
  readonly id: string;
  readonly sessions: Map<string, SessionState>;
  readonly byUsername: Map<string, SessionState[]>;
}

/** Park-Miller minimal standard generator (the same as the authorization simulation's). */
function seededRandom(seed: number): () => number {
  const modulus = 2147483647;
  let state = Math.abs(Math.floor(seed)) % modulus || 1;
  return () => {
    state = (state * 16807) % modulus;
    return (state - 1) / (modulus - 1);
  };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * `2019-08-12 07:57:14`: the format of ConnectionEstablishedTime, Timestamp
 * and ConnectionEndTime in the API reference's example. ASSUMPTION: UTC (the
 * reference gives no zone); whole seconds, truncated.
 */
export function formatConnectionTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} `
    + `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

function statusAt(session: SessionState, t: number): TimelineEntry | undefined {
  let found: TimelineEntry | undefined;
  for (const entry of session.timeline) {
    if (entry.at > t) break;
    found = entry;
  }
  return found;
}

export class SimulatedClientVpnSessions {
  private readonly clock: SimulationTime;
  private readonly random: () => number;
  private readonly terminateDuration: DurationRange;
  private readonly retentionMs: number;
  private readonly defaultPageSize: number;
  private readonly pageSizeCap: number;
  private readonly maxFilterValues: number;
  private readonly staleReadMs: number;

  private readonly endpoints = new Map<string, Endpoint>();
  private readonly connectionIds = new Set<string>();
  private endpointSerial = 0;
  private ipSerial = 0;

  private readonly buckets = new Map<SessionOperation, SimulatedTokenBucket>();
  private readonly throttleNextCounts = new Map<SessionOperation, number>();
  private readonly failNextCounts = new Map<SessionOperation, number>();
  private crashCountdown?: number;
  private crashDue = false;
  private crashed = false;

  private readonly callCounts: Record<SessionOperation, number> = { DescribeClientVpnConnections: 0, TerminateClientVpnConnections: 0 };
  private readonly throttledCounts: Record<SessionOperation, number> = { DescribeClientVpnConnections: 0, TerminateClientVpnConnections: 0 };
  private readonly errorCounts: Record<string, number> = {};
  private terminationCount = 0;
  private redundantCount = 0;
  private readonly log: SimulatedSessionCall[] = [];
  private readonly listeners: Array<(call: SimulatedSessionCall) => void> = [];
  private ownStub?: AwsClientStub<EC2Client>;

  constructor(options: SimulatedClientVpnSessionsOptions) {
    this.clock = options.clock;
    this.random = seededRandom(options.seed ?? 1);
    this.terminateDuration = options.terminateDuration ?? { minMs: 1_000, maxMs: 5_000 };
    this.retentionMs = options.terminatedRetentionMs ?? TERMINATED_RETENTION_MS;
    this.defaultPageSize = options.defaultPageSize ?? 50;
    this.pageSizeCap = options.pageSizeCap ?? Infinity;
    this.maxFilterValues = options.maxFilterValues ?? 200;
    this.staleReadMs = options.staleReadMs ?? 0;
    const describeBucket = options.describeBucket === undefined ? DEFAULT_DESCRIBE_BUCKET : options.describeBucket;
    const terminateBucket = options.terminateBucket === undefined ? DEFAULT_TERMINATE_BUCKET : options.terminateBucket;
    this.tokenBucket('DescribeClientVpnConnections', describeBucket);
    this.tokenBucket('TerminateClientVpnConnections', terminateBucket);
  }

  // ---------------------------------------------------------------- wiring

  /**
   * Route DescribeClientVpnConnections and TerminateClientVpnConnections of
   * `stub` to this simulation, leaving every other handler on the stub alone:
   * `sessions.attach(authorizations.install())` serves both simulations
   * from one EC2Client mock. (aws-sdk-client-mock picks the last matching
   * registration, so these win over an earlier `onAnyCommand()`.)
   */
  attach(stub: AwsClientStub<EC2Client>): AwsClientStub<EC2Client> {
    stub.on(DescribeClientVpnConnectionsCommand).callsFake(
      (input: DescribeClientVpnConnectionsCommandInput) => this.describeClientVpnConnections(input));
    stub.on(TerminateClientVpnConnectionsCommand).callsFake(
      (input: TerminateClientVpnConnectionsCommandInput) => this.terminateClientVpnConnections(input));
    return stub;
  }

  /**
   * Mock EC2Client (every instance) with this simulation alone: commands other
   * than the two simulated ones reject, so a caller that starts calling
   * something new fails loudly. Use `attach` to combine with another simulation.
   */
  install(): AwsClientStub<EC2Client> {
    if (this.ownStub) return this.ownStub;
    const stub = mockClient(EC2Client);
    const unsupported = new Error(
      `SimulationUnsupportedOperation: the simulated Client VPN sessions implement only ${SESSION_OPERATIONS.join(', ')}`);
    unsupported.name = 'SimulationUnsupportedOperation';
    stub.onAnyCommand().rejects(unsupported);
    this.attach(stub);
    this.ownStub = stub;
    return stub;
  }

  /** Undo `install()` (a stub passed to `attach` belongs to its owner). */
  restore(): void {
    this.ownStub?.restore();
    this.ownStub = undefined;
  }

  // ---------------------------------------------------------- test set-up

  createEndpoint(id?: string): string {
    const endpointId = id ?? `cvpn-endpoint-${(0x0b000000 + ++this.endpointSerial).toString(16).padStart(17, '0')}`;
    if (!ENDPOINT_ID.test(endpointId)) throw new Error(`createEndpoint: '${endpointId}' is not a Client VPN endpoint id`);
    if (this.endpoints.has(endpointId)) throw new Error(`createEndpoint: ${endpointId} exists`);
    this.endpoints.set(endpointId, { id: endpointId, sessions: new Map(), byUsername: new Map() });
    return endpointId;
  }

  /** Delete an endpoint and its sessions (out of band). */
  deleteEndpoint(endpointId: string): void {
    if (!this.endpoints.delete(endpointId)) throw new Error(`deleteEndpoint: no endpoint ${endpointId}`);
  }

  hasEndpoint(endpointId: string): boolean {
    return this.endpoints.has(endpointId);
  }

  /** A client connects: adds an `active` session and returns its connection id. */
  connect(endpointId: string, options: ConnectOptions): string {
    const endpoint = this.requireEndpoint(endpointId);
    if (options.username === undefined && options.commonName === undefined) {
      throw new Error('connect: give a username, a commonName or both');
    }
    const now = this.clock.now();
    const establishedAt = options.establishedAt ?? now;
    if (establishedAt > now) throw new Error('connect: establishedAt lies in the future');
    const id = options.connectionId ?? this.freshConnectionId();
    if (!CONNECTION_ID.test(id)) throw new Error(`connect: '${id}' is not a connection id`);
    if (this.connectionIds.has(id)) throw new Error(`connect: ${id} exists`);
    this.connectionIds.add(id);
    const ip = ++this.ipSerial;
    const session: SessionState = {
      endpointId,
      id,
      ...(options.username !== undefined ? { username: options.username } : {}),
      commonName: options.commonName ?? options.username ?? '',
      establishedAt,
      clientIp: `10.${Math.floor(ip / 65536) % 256}.${Math.floor(ip / 256) % 256}.${ip % 256}`,
      timeline: [{ at: establishedAt, status: 'active' }],
      failuresLeft: 0,
      terminations: 0,
    };
    endpoint.sessions.set(id, session);
    if (session.username !== undefined) {
      endpoint.byUsername.set(session.username, [...endpoint.byUsername.get(session.username) ?? [], session]);
    }
    return id;
  }

  /** The client ends its session by itself (no API call): terminated now. */
  disconnect(connectionId: string): void {
    const session = this.requireSession(connectionId);
    const status = statusAt(session, this.clock.now())?.status;
    if (status !== 'active' && status !== 'failed-to-terminate') {
      throw new Error(`disconnect: ${connectionId} is ${status ?? 'not established yet'}`);
    }
    session.timeline.push({ at: this.clock.now(), status: 'terminated' });
  }

  /** The next `times` terminations of this session end `failed-to-terminate` instead of `terminated`. */
  failTermination(connectionId: string, times = 1): void {
    if (!Number.isInteger(times) || times < 0) throw new Error(`failTermination: times must be a non-negative integer, got ${times}`);
    this.requireSession(connectionId).failuresLeft = times;
  }

  /**
   * Run `listener` after every call has been answered (before the caller sees
   * the answer): the hook for a client reconnecting between a caller's calls.
   */
  onCall(listener: (call: SimulatedSessionCall) => void): void {
    this.listeners.push(listener);
  }

  // ------------------------------------------------------- fault injection

  /** EC2-style token bucket for `operation`, refilled on the virtual clock; null removes it. Starts full. */
  tokenBucket(operation: SessionOperation, options: TokenBucketOptions | null): void {
    if (options === null) {
      this.buckets.delete(operation);
      return;
    }
    if (!(options.burst >= 1) || !(options.refillPerSecond > 0)) {
      throw new Error(`tokenBucket: burst must be >= 1 and refill > 0, got ${JSON.stringify(options)}`);
    }
    this.buckets.set(operation, new SimulatedTokenBucket(options, this.clock.now()));
  }

  /** The next `n` calls of `operation` fail with RequestLimitExceeded (on top of the bucket). */
  throttleNext(operation: SessionOperation, n = 1): void {
    this.throttleNextCounts.set(operation, (this.throttleNextCounts.get(operation) ?? 0) + n);
  }

  /** The next `n` calls of `operation` fail with a 500 InternalError, without effect. */
  failNext(operation: SessionOperation, n = 1): void {
    this.failNextCounts.set(operation, (this.failNextCounts.get(operation) ?? 0) + n);
  }

  /** The `n`th successful Terminate from now applies its change and then throws SimulatedCrash. */
  crashAfterTerminateCalls(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`crashAfterTerminateCalls: n must be a positive integer, got ${n}`);
    this.crashCountdown = n;
  }

  /** Whether a crash happened since the last call; also brings the "process" back to life. */
  consumeCrash(): boolean {
    const crashed = this.crashed;
    this.crashed = false;
    return crashed;
  }

  /** Remove injected throttling, 5xx and crashes (not buckets, not session failures). */
  clearFaults(): void {
    this.throttleNextCounts.clear();
    this.failNextCounts.clear();
    this.crashCountdown = undefined;
  }

  // ----------------------------------------------------------- inspection

  /** Every session of the endpoint (gone ones included), in connection id order. */
  sessions(endpointId: string): SimulatedSession[] {
    return [...this.requireEndpoint(endpointId).sessions.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(s => this.view(s));
  }

  session(connectionId: string): SimulatedSession {
    return this.view(this.requireSession(connectionId));
  }

  /** Sessions of the endpoint per current state. */
  statusCounts(endpointId: string): Record<SimulatedSessionState, number> {
    const counts: Record<SimulatedSessionState, number> = { 'active': 0, 'failed-to-terminate': 0, 'terminating': 0, 'terminated': 0, 'gone': 0 };
    for (const s of this.requireEndpoint(endpointId).sessions.values()) counts[this.currentState(s)]++;
    return counts;
  }

  get counters(): SessionSimulationCounters {
    return {
      calls: { ...this.callCounts },
      throttledCalls: this.throttledCounts.DescribeClientVpnConnections + this.throttledCounts.TerminateClientVpnConnections,
      throttled: { ...this.throttledCounts },
      errors: { ...this.errorCounts },
      terminations: this.terminationCount,
      redundantTerminations: this.redundantCount,
    };
  }

  /** Every call that reached the service, in order. */
  get calls(): readonly SimulatedSessionCall[] {
    return this.log;
  }

  /** Terminate calls from index `since` of `calls`. */
  terminateCalls(since = 0): SimulatedSessionCall[] {
    return this.log.slice(since).filter(c => c.operation === 'TerminateClientVpnConnections');
  }

  // ------------------------------------------------------------ operations

  async describeClientVpnConnections(input: DescribeClientVpnConnectionsCommandInput): Promise<DescribeClientVpnConnectionsCommandOutput> {
    return this.call('DescribeClientVpnConnections', input.ClientVpnEndpointId, call => {
      call.maxResults = input.MaxResults;
      if (input.DryRun) throw this.error(SessionErrorNames.dryRun, 'Request would have succeeded, but DryRun flag is set.', 412);
      // Documented range: 5 to 1000.
      if (input.MaxResults !== undefined && (!Number.isInteger(input.MaxResults) || input.MaxResults < 5 || input.MaxResults > 1000)) {
        throw this.error(SessionErrorNames.parameterValue, `MaxResults must be between 5 and 1000, got ${input.MaxResults}.`);
      }
      const filters = (input.Filters ?? []).map(f => {
        if (!f.Name || !FILTER_NAMES.has(f.Name)) {
          // ASSUMPTION: the code EC2 uses for an unknown filter name.
          throw this.error(SessionErrorNames.parameterValue, `The filter '${f.Name}' is invalid.`);
        }
        const values = f.Values ?? [];
        if (values.length > this.maxFilterValues) {
          throw this.error(SessionErrorNames.filterLimit, `The filter '${f.Name}' has ${values.length} values; at most ${this.maxFilterValues} are allowed.`);
        }
        return { name: f.Name, values: new Set(values) };
      });
      call.filters = (input.Filters ?? []).map(f => `${f.Name}=${(f.Values ?? []).join(',')}`).join(';') || undefined;
      const endpoint = this.lookupEndpoint(input.ClientVpnEndpointId);
      const after = input.NextToken === undefined ? undefined : this.decodeToken(input.NextToken, endpoint.id);

      const now = this.clock.now();
      const viewAt = now - this.staleReadMs;
      const visible: Array<{ session: SessionState; entry: TimelineEntry }> = [];
      for (const session of endpoint.sessions.values()) {
        if (after !== undefined && session.id <= after) continue;
        const entry = statusAt(session, viewAt);
        if (entry === undefined || this.expired(entry, viewAt)) continue;
        const matches = filters.every(f => (f.name === 'connection-id'
          ? f.values.has(session.id)
          : session.username !== undefined && f.values.has(session.username)));
        if (matches) visible.push({ session, entry });
      }
      visible.sort((a, b) => (a.session.id < b.session.id ? -1 : a.session.id > b.session.id ? 1 : 0));
      const pageSize = Math.min(input.MaxResults ?? this.defaultPageSize, this.pageSizeCap);
      const page = visible.slice(0, pageSize);
      call.returned = page.length;
      return {
        Connections: page.map(({ session, entry }) => this.wireConnection(session, entry, now)),
        ...(visible.length > pageSize ? { NextToken: this.encodeToken(endpoint.id, page[page.length - 1].session.id) } : {}),
        $metadata: {},
      };
    });
  }

  async terminateClientVpnConnections(input: TerminateClientVpnConnectionsCommandInput): Promise<TerminateClientVpnConnectionsCommandOutput> {
    return this.call('TerminateClientVpnConnections', input.ClientVpnEndpointId, call => {
      call.connectionId = input.ConnectionId;
      call.username = input.Username;
      if (input.DryRun) throw this.error(SessionErrorNames.dryRun, 'Request would have succeeded, but DryRun flag is set.', 412);
      const byId = input.ConnectionId !== undefined && input.ConnectionId !== '';
      const byUser = input.Username !== undefined && input.Username !== '';
      // ASSUMPTION: the codes for both and neither (the reference only says "ConnectionId or Username").
      if (byId && byUser) {
        throw this.error(SessionErrorNames.parameterCombination, 'Specify either ConnectionId or Username, not both.');
      }
      if (!byId && !byUser) {
        throw this.error(SessionErrorNames.missingParameter, 'The request must contain the parameter ConnectionId or Username.');
      }
      const endpoint = this.lookupEndpoint(input.ClientVpnEndpointId);
      const now = this.clock.now();
      const statuses: TerminateConnectionStatus[] = [];
      const changed: string[] = [];

      if (byId) {
        const session = endpoint.sessions.get(input.ConnectionId!);
        const entry = session ? statusAt(session, now) : undefined;
        if (!session || !entry || this.expired(entry, now)) {
          throw this.error(SessionErrorNames.connectionNotFound, `The connection ID '${input.ConnectionId}' does not exist.`);
        }
        if (entry.status === 'active' || entry.status === 'failed-to-terminate') {
          statuses.push(this.startTermination(session, entry.status, now));
          changed.push(session.id);
        } else {
          // ASSUMPTION: terminating a session already on its way out succeeds and changes nothing.
          this.redundantCount++;
          statuses.push({ ConnectionId: session.id, PreviousStatus: { Code: entry.status }, CurrentStatus: { Code: entry.status } });
        }
      } else {
        const username = input.Username!;
        const own = (endpoint.byUsername.get(username) ?? [])
          .map(session => ({ session, entry: statusAt(session, now) }))
          .filter((x): x is { session: SessionState; entry: TimelineEntry } => x.entry !== undefined && !this.expired(x.entry, now));
        // ASSUMPTION: the limit counts the user's connections that are not terminated yet.
        const open = own.filter(x => x.entry.status !== 'terminated');
        if (open.length > USERNAME_TERMINATE_LIMIT) {
          throw this.error(SessionErrorNames.terminateLimit,
            `User '${username}' has ${open.length} connections; terminating by username is limited to ${USERNAME_TERMINATE_LIMIT}.`);
        }
        // Documented: "terminate all active connections for the specified user".
        const active = open.filter(x => x.entry.status === 'active');
        if (active.length === 0) {
          throw this.error(SessionErrorNames.userNotFound, `The user '${username}' does not have an active connection to ${endpoint.id}.`);
        }
        for (const { session } of active) {
          statuses.push(this.startTermination(session, 'active', now));
          changed.push(session.id);
        }
      }
      call.terminated = changed;
      return {
        ClientVpnEndpointId: endpoint.id,
        ...(byUser ? { Username: input.Username } : {}),
        ConnectionStatuses: statuses,
        $metadata: {},
      };
    });
  }

  // -------------------------------------------------------------- internals

  private startTermination(session: SessionState, previous: ClientVpnConnectionStatusCode, now: number): TerminateConnectionStatus {
    const endsAt = now + this.draw(this.terminateDuration);
    session.timeline.push({ at: now, status: 'terminating' });
    if (session.failuresLeft > 0) {
      session.failuresLeft--;
      // ASSUMPTION: the message text.
      session.timeline.push({ at: endsAt, status: 'failed-to-terminate', message: 'The connection could not be terminated.' });
    } else {
      session.timeline.push({ at: endsAt, status: 'terminated' });
    }
    session.terminations++;
    this.terminationCount++;
    return { ConnectionId: session.id, PreviousStatus: { Code: previous }, CurrentStatus: { Code: 'terminating' } };
  }

  private async call<T>(
    operation: SessionOperation,
    endpointId: string | undefined,
    body: (call: MutableCall) => T,
  ): Promise<T> {
    if (this.crashed) throw new SimulatedCrash(this.terminationCount);
    // Callers may await between calls; a promise boundary keeps ordering realistic.
    await Promise.resolve();
    this.callCounts[operation]++;
    const details: MutableCall = {};
    const record = (outcome: string) => {
      const entry: SimulatedSessionCall = { at: this.clock.now(), operation, endpointId, ...details, outcome };
      this.log.push(entry);
      for (const listener of this.listeners) listener(entry);
    };
    try {
      this.injectFaults(operation);
      const result = body(details);
      record('ok');
      if (operation === 'TerminateClientVpnConnections' && this.crashCountdown !== undefined && --this.crashCountdown === 0) {
        this.crashCountdown = undefined;
        this.crashDue = true;
      }
      if (this.crashDue) {
        this.crashDue = false;
        this.crashed = true;
        throw new SimulatedCrash(this.terminationCount);
      }
      return result;
    } catch (e) {
      if (isSimulatedCrash(e)) throw e;
      const name = e instanceof Error ? e.name : 'Unknown';
      this.errorCounts[name] = (this.errorCounts[name] ?? 0) + 1;
      record(name);
      throw e;
    }
  }

  private injectFaults(operation: SessionOperation): void {
    const throttle = () => {
      this.throttledCounts[operation]++;
      return this.error(SessionErrorNames.throttled, 'Request limit exceeded.', 503);
    };
    const pending = this.throttleNextCounts.get(operation) ?? 0;
    if (pending > 0) {
      this.throttleNextCounts.set(operation, pending - 1);
      throw throttle();
    }
    if (this.buckets.get(operation)?.take(this.clock.now()) === false) throw throttle();
    const failures = this.failNextCounts.get(operation) ?? 0;
    if (failures > 0) {
      this.failNextCounts.set(operation, failures - 1);
      throw this.error(SessionErrorNames.internal, 'An internal error has occurred.', 500);
    }
  }

  private error(code: string, message: string, status = 400): EC2ServiceException {
    return simulatedServiceError(code, message, status);
  }

  private expired(entry: TimelineEntry, t: number): boolean {
    return entry.status === 'terminated' && t - entry.at >= this.retentionMs;
  }

  private currentState(session: SessionState): SimulatedSessionState {
    const now = this.clock.now();
    const entry = statusAt(session, now);
    if (!entry) return 'gone';
    return this.expired(entry, now) ? 'gone' : entry.status;
  }

  private view(s: SessionState): SimulatedSession {
    return {
      endpointId: s.endpointId,
      connectionId: s.id,
      ...(s.username !== undefined ? { username: s.username } : {}),
      commonName: s.commonName,
      establishedAt: s.establishedAt,
      status: this.currentState(s),
      terminations: s.terminations,
    };
  }

  private wireConnection(session: SessionState, entry: TimelineEntry, now: number): ClientVpnConnection {
    return {
      ClientVpnEndpointId: session.endpointId,
      Timestamp: formatConnectionTime(now),
      ConnectionId: session.id,
      ...(session.username !== undefined ? { Username: session.username } : {}),
      ConnectionEstablishedTime: formatConnectionTime(session.establishedAt),
      IngressBytes: '0',
      EgressBytes: '0',
      IngressPackets: '0',
      EgressPackets: '0',
      ClientIp: session.clientIp,
      CommonName: session.commonName,
      Status: { Code: entry.status, ...(entry.message !== undefined ? { Message: entry.message } : {}) },
      // The reference's example shows '-' for a connection that has not ended.
      ConnectionEndTime: entry.status === 'terminated' ? formatConnectionTime(entry.at) : '-',
      PostureComplianceStatuses: [],
    };
  }

  private requireEndpoint(endpointId: string): Endpoint {
    const endpoint = this.endpoints.get(endpointId);
    if (!endpoint) throw new Error(`the simulation has no endpoint ${endpointId}`);
    return endpoint;
  }

  private requireSession(connectionId: string): SessionState {
    for (const endpoint of this.endpoints.values()) {
      const session = endpoint.sessions.get(connectionId);
      if (session) return session;
    }
    throw new Error(`the simulation has no connection ${connectionId}`);
  }

  private lookupEndpoint(endpointId: string | undefined): Endpoint {
    if (endpointId === undefined || endpointId === '') {
      throw this.error(SessionErrorNames.missingParameter, 'The request must contain the parameter ClientVpnEndpointId.');
    }
    const endpoint = this.endpoints.get(endpointId);
    if (!endpoint) {
      throw this.error(SessionErrorNames.endpointNotFound, `The Client VPN endpoint ID '${endpointId}' does not exist`);
    }
    return endpoint;
  }

  private freshConnectionId(): string {
    for (;;) {
      // Three draws of the 31-bit generator give more than the 68 bits of 17 hex digits.
      const hex = [this.random(), this.random(), this.random()]
        .map(r => Math.floor(r * 0x1000000).toString(16).padStart(6, '0'))
        .join('')
        .slice(0, 17);
      const id = `cvpn-connection-${hex}`;
      if (!this.connectionIds.has(id)) return id;
    }
  }

  private draw(range: DurationRange): number {
    return Math.round(range.minMs + this.random() * (range.maxMs - range.minMs));
  }

  private encodeToken(endpointId: string, lastId: string): string {
    return Buffer.from(JSON.stringify({ e: endpointId, k: lastId }), 'utf8').toString('base64');
  }

  private decodeToken(token: string, endpointId: string): string {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { e?: unknown; k?: unknown };
      if (parsed.e === endpointId && typeof parsed.k === 'string') return parsed.k;
    } catch {
      // fall through to the service error
    }
    throw this.error(SessionErrorNames.paginationToken, `The pagination token '${token}' is invalid.`);
  }
}

interface MutableCall {
  connectionId?: string;
  username?: string;
  filters?: string;
  maxResults?: number;
  returned?: number;
  terminated?: readonly string[];
}
