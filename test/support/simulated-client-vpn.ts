import {
  AuthorizeClientVpnIngressCommand,
  DescribeClientVpnAuthorizationRulesCommand,
  EC2Client,
  EC2ServiceException,
  RevokeClientVpnIngressCommand,
} from '@aws-sdk/client-ec2';
import type {
  AuthorizationRule,
  AuthorizeClientVpnIngressCommandInput,
  AuthorizeClientVpnIngressCommandOutput,
  ClientVpnAuthorizationRuleStatusCode,
  DescribeClientVpnAuthorizationRulesCommandInput,
  DescribeClientVpnAuthorizationRulesCommandOutput,
  RevokeClientVpnIngressCommandInput,
  RevokeClientVpnIngressCommandOutput,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * A SIMULATED Client VPN service (authorization rules only), for lifecycle and
 * property tests of handlers. It is not an emulator: it keeps state the way
 * the documented API behaves (rules pass through `authorizing`/`revoking`,
 * 10 concurrent mutations per endpoint, paginated Describe, client tokens)
 * and can inject the faults a deployment meets (throttling, 5xx, failed
 * rules, a Lambda dying after a call). Every behaviour below that is not in
 * the AWS documentation is marked ASSUMPTION.
 */

export type SimulatedOperation =
  | 'AuthorizeClientVpnIngress'
  | 'RevokeClientVpnIngress'
  | 'DescribeClientVpnAuthorizationRules';

export const SIMULATED_OPERATIONS: readonly SimulatedOperation[] = [
  'AuthorizeClientVpnIngress',
  'RevokeClientVpnIngress',
  'DescribeClientVpnAuthorizationRules',
];

const MUTATING_OPERATIONS: ReadonlySet<SimulatedOperation> = new Set<SimulatedOperation>([
  'AuthorizeClientVpnIngress',
  'RevokeClientVpnIngress',
]);

/** The time source the simulation reads; SimulatedClock satisfies it. */
export interface SimulationTime {
  now(): number;
}

export interface DurationRange {
  readonly minMs: number;
  readonly maxMs: number;
}

export interface SimulatedClientVpnOptions {
  readonly clock: SimulationTime;
  /** Seed of the pseudo-random transition durations. @default 1 */
  readonly seed?: number;
  /** How long a rule stays `authorizing`. @default 3 s .. 15 s */
  readonly authorizeDuration?: DurationRange;
  /** How long a rule stays `revoking`. @default 2 s .. 10 s */
  readonly revokeDuration?: DurationRange;
  /** Page size of Describe when MaxResults is absent. ASSUMPTION: AWS does not document it. @default 50 */
  readonly defaultPageSize?: number;
  /** Rules in `authorizing`/`revoking` at which further mutations are refused. @default 10 */
  readonly maxConcurrentMutations?: number;
  /**
   * Largest page Describe returns whatever MaxResults says. EC2 may return
   * fewer results than MaxResults with a NextToken; a cap makes callers prove
   * they follow it. @default no cap
   */
  readonly pageSizeCap?: number;
  /** The "Authorization rules per Client VPN endpoint" quota (adjustable in AWS). @default 50 */
  readonly maxRulesPerEndpoint?: number;
  /**
   * GroupId that Describe reports for an all-groups rule.
   * ASSUMPTION: the CLI examples show an empty string; set undefined to omit it.
   * @default ''
   */
  readonly allGroupsGroupId?: string | undefined;
}

/** Identifies a rule on an endpoint: CIDR plus one group or all groups. */
export interface RuleKey {
  readonly cidr: string;
  readonly groupId?: string;
  readonly allGroups?: boolean;
}

/** A rule as a test sees it (not the wire shape). */
export interface SimulatedRule {
  readonly cidr: string;
  readonly groupId?: string;
  readonly allGroups: boolean;
  readonly description?: string;
  readonly status: ClientVpnAuthorizationRuleStatusCode;
  readonly message?: string;
}

/** A rule placed on an endpoint out of band (console, another stack), not through the API. */
export interface PutRuleOptions extends RuleKey {
  readonly description?: string;
  /** @default 'active' */
  readonly status?: ClientVpnAuthorizationRuleStatusCode;
  readonly message?: string;
  /** For `authorizing`/`revoking`: when the transition ends. Infinity holds it forever. @default drawn from the duration range */
  readonly transitionInMs?: number;
}

export interface TokenBucketOptions {
  /** Tokens available at once (EC2's "bucket size"). */
  readonly burst: number;
  /** Tokens added per virtual second. */
  readonly refillPerSecond: number;
}

/**
 * EC2's request token bucket on the virtual clock, shared by every simulated
 * service. ASSUMPTION: a refused call takes no token.
 */
export class SimulatedTokenBucket {
  private tokens: number;
  private at: number;

  constructor(public readonly options: TokenBucketOptions, now: number) {
    this.tokens = options.burst;
    this.at = now;
  }

  /** Refill up to `now`, then take one token; false when the call must be throttled. */
  take(now: number): boolean {
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.at) / 1000) * this.options.refillPerSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One API call as the simulation saw it. */
export interface SimulatedCall {
  readonly at: number;
  readonly operation: SimulatedOperation;
  readonly endpointId?: string;
  /** `cidr|group` for mutations. */
  readonly rule?: string;
  readonly description?: string;
  /** 'ok' or the error name. */
  readonly outcome: string;
}

export interface SimulationCounters {
  /** Calls that reached the service, per operation, including refused ones. */
  readonly calls: Record<SimulatedOperation, number>;
  /** Authorize/Revoke calls that changed state (client-token replays excluded). */
  readonly mutatingCalls: number;
  /** Calls refused with RequestLimitExceeded. */
  readonly throttledCalls: number;
  /** Errors returned, by name. */
  readonly errors: Record<string, number>;
  /** Highest number of rules in `authorizing`/`revoking` on one endpoint, sampled after every change. */
  readonly maxInTransitionObserved: number;
}

/**
 * Thrown by the simulation after it applied a mutation, to stand for the
 * Lambda process dying before it saw the response. Until `consumeCrash()` is
 * called every further call also throws it without effect: a dead process
 * makes no more calls, whatever the handler does with the first error.
 */
export class SimulatedCrash extends Error {
  constructor(readonly afterMutatingCall: number) {
    super(`SimulatedCrash: the handler process died after mutating call #${afterMutatingCall}`);
    this.name = 'SimulatedCrash';
  }
}

export function isSimulatedCrash(e: unknown): e is SimulatedCrash {
  return e instanceof SimulatedCrash || (e instanceof Error && e.name === 'SimulatedCrash');
}

/** Error names the simulation returns, as SDK v3 surfaces them in `error.name`. */
export const SimulatedErrorNames = {
  duplicateRule: 'InvalidClientVpnDuplicateAuthorizationRule',
  ruleNotFound: 'InvalidClientVpnEndpointAuthorizationRuleNotFound',
  endpointNotFound: 'InvalidClientVpnEndpointId.NotFound',
  missingParameter: 'MissingParameter',
  parameterCombination: 'InvalidParameterCombination',
  parameterValue: 'InvalidParameterValue',
  concurrentMutation: 'ConcurrentMutationLimitExceeded',
  ruleLimit: 'ClientVpnAuthorizationRuleLimitExceeded',
  idempotentMismatch: 'IdempotentParameterMismatch',
  paginationToken: 'InvalidPaginationToken',
  throttled: 'RequestLimitExceeded',
  internal: 'InternalError',
  dryRun: 'DryRunOperation',
} as const;

/** Builds an error the way SDK v3's EC2 (ec2Query) protocol does for an unmodeled error code. */
export function simulatedServiceError(code: string, message: string, httpStatusCode: number): EC2ServiceException {
  const e = new EC2ServiceException({
    name: code,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, requestId: `sim-${code}`, attempts: 1, totalRetryDelay: 0 },
    message,
  });
  // The real deserializer also copies the wire error's Code onto the exception.
  return Object.assign(e, { Code: code });
}

const ENDPOINT_ID = /^cvpn-endpoint-[0-9a-f]{8,17}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const FILTER_NAMES = new Set(['destination-cidr', 'group-id', 'description']);
const IN_TRANSITION: ReadonlySet<ClientVpnAuthorizationRuleStatusCode> = new Set(['authorizing', 'revoking']);

type Phase = ClientVpnAuthorizationRuleStatusCode;

interface RuleState {
  readonly cidr: string;
  readonly groupId?: string;
  readonly allGroups: boolean;
  readonly description?: string;
  phase: Phase;
  message?: string;
  /** Virtual time at which `authorizing`/`revoking` ends. */
  transitionAt: number;
}

interface Endpoint {
  readonly id: string;
  readonly rules: Map<string, RuleState>;
}

type AuthorizationScript =
  | { readonly kind: 'fail'; readonly message: string }
  | { readonly kind: 'hold' };

interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly result: AuthorizeClientVpnIngressCommandOutput;
}

function ruleKeyString(cidr: string, allGroups: boolean, groupId: string | undefined): string {
  return allGroups ? `${cidr}|*` : `${cidr}|g:${groupId}`;
}

function keyOf(key: RuleKey): string {
  if (key.allGroups === true && key.groupId !== undefined) {
    throw new Error(`rule key ${JSON.stringify(key)}: give groupId or allGroups, not both`);
  }
  if (key.allGroups !== true && key.groupId === undefined) {
    throw new Error(`rule key ${JSON.stringify(key)}: give groupId or allGroups`);
  }
  return ruleKeyString(key.cidr, key.allGroups === true, key.groupId);
}

/** `cidr group "description" status` lines: the comparable form of an endpoint's rules. */
export function ruleSignature(rule: Pick<SimulatedRule, 'cidr' | 'groupId' | 'allGroups' | 'description' | 'status'>): string {
  const who = rule.allGroups ? '*' : `g:${rule.groupId}`;
  return `${rule.cidr} ${who} ${JSON.stringify(rule.description ?? '')} ${rule.status}`;
}

/**
 * Park-Miller minimal standard generator: seedable, reproducible across
 * platforms, and exact in doubles, which is all transition times need.
 */
function seededRandom(seed: number): () => number {
  const modulus = 2147483647;
  let state = Math.abs(Math.floor(seed)) % modulus || 1;
  return () => {
    state = (state * 16807) % modulus;
    return (state - 1) / (modulus - 1);
  };
}

function validCidr(cidr: string): boolean {
  const m = IPV4_CIDR.exec(cidr);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  return octets.every(o => o <= 255) && Number(m[5]) <= 32;
}

export class SimulatedClientVpnService {
  private readonly clock: SimulationTime;
  private readonly random: () => number;
  private readonly authorizeDuration: DurationRange;
  private readonly revokeDuration: DurationRange;
  private readonly defaultPageSize: number;
  private readonly pageSizeCap: number;
  private readonly maxConcurrentMutations: number;
  private readonly maxRulesPerEndpoint: number;
  private readonly allGroupsGroupId: string | undefined;

  private readonly endpoints = new Map<string, Endpoint>();
  private readonly scripts = new Map<string, AuthorizationScript>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private endpointSerial = 0;

  private readonly throttleNextCounts = new Map<SimulatedOperation, number>();
  private readonly failNextCounts = new Map<SimulatedOperation, number>();
  private readonly buckets = new Map<SimulatedOperation, SimulatedTokenBucket>();
  private throttleEveryN?: { readonly n: number; readonly operations: ReadonlySet<SimulatedOperation>; seen: number };
  private crashCountdown?: number;
  private crashed = false;
  private crashDue = false;

  private readonly callCounts: Record<SimulatedOperation, number> = {
    AuthorizeClientVpnIngress: 0,
    RevokeClientVpnIngress: 0,
    DescribeClientVpnAuthorizationRules: 0,
  };
  private readonly errorCounts: Record<string, number> = {};
  private mutations = 0;
  private throttled = 0;
  private maxInTransition = 0;
  private readonly log: SimulatedCall[] = [];
  private readonly listeners: Array<(call: SimulatedCall) => void> = [];
  private stub?: AwsClientStub<EC2Client>;

  constructor(options: SimulatedClientVpnOptions) {
    this.clock = options.clock;
    this.random = seededRandom(options.seed ?? 1);
    this.authorizeDuration = options.authorizeDuration ?? { minMs: 3_000, maxMs: 15_000 };
    this.revokeDuration = options.revokeDuration ?? { minMs: 2_000, maxMs: 10_000 };
    this.defaultPageSize = options.defaultPageSize ?? 50;
    this.pageSizeCap = options.pageSizeCap ?? Infinity;
    this.maxConcurrentMutations = options.maxConcurrentMutations ?? 10;
    this.maxRulesPerEndpoint = options.maxRulesPerEndpoint ?? 50;
    this.allGroupsGroupId = 'allGroupsGroupId' in options ? options.allGroupsGroupId : '';
  }

  // ---------------------------------------------------------------- wiring

  /**
   * Route EC2Client#send (every instance, including the handler's) to this
   * simulation. Commands other than the three simulated ones reject, so a
   * handler that starts calling something new fails loudly.
   */
  install(): AwsClientStub<EC2Client> {
    if (this.stub) return this.stub;
    const stub = mockClient(EC2Client);
    const unsupported = new Error(
      'SimulationUnsupportedOperation: the simulated Client VPN service implements only '
      + SIMULATED_OPERATIONS.join(', '));
    unsupported.name = 'SimulationUnsupportedOperation';
    stub.onAnyCommand().rejects(unsupported);
    stub.on(AuthorizeClientVpnIngressCommand).callsFake((input: AuthorizeClientVpnIngressCommandInput) => this.authorizeClientVpnIngress(input));
    stub.on(RevokeClientVpnIngressCommand).callsFake((input: RevokeClientVpnIngressCommandInput) => this.revokeClientVpnIngress(input));
    stub.on(DescribeClientVpnAuthorizationRulesCommand).callsFake(
      (input: DescribeClientVpnAuthorizationRulesCommandInput) => this.describeClientVpnAuthorizationRules(input));
    this.stub = stub;
    return stub;
  }

  /** Undo `install()`. */
  restore(): void {
    this.stub?.restore();
    this.stub = undefined;
  }

  /** Names of commands sent to EC2Client that the simulation does not implement. */
  unsupportedCommandsSent(): string[] {
    if (!this.stub) return [];
    const known = new Set<string>(SIMULATED_OPERATIONS.map(op => `${op}Command`));
    return this.stub.calls()
      .map(call => (call.args[0] as { constructor: { name: string } }).constructor.name)
      .filter(name => !known.has(name));
  }

  // ---------------------------------------------------------- test set-up

  /** Create an endpoint and return its id. */
  createEndpoint(id?: string): string {
    const endpointId = id ?? `cvpn-endpoint-${(0x0a000000 + ++this.endpointSerial).toString(16).padStart(17, '0')}`;
    if (!ENDPOINT_ID.test(endpointId)) throw new Error(`createEndpoint: '${endpointId}' is not a Client VPN endpoint id`);
    if (this.endpoints.has(endpointId)) throw new Error(`createEndpoint: ${endpointId} exists`);
    this.endpoints.set(endpointId, { id: endpointId, rules: new Map() });
    return endpointId;
  }

  /** Delete an endpoint and its rules (out of band, as the console would). */
  deleteEndpoint(endpointId: string): void {
    if (!this.endpoints.delete(endpointId)) throw new Error(`deleteEndpoint: no endpoint ${endpointId}`);
  }

  /** Place a rule on an endpoint without an API call (a foreign or pre-existing rule). */
  putRule(endpointId: string, rule: PutRuleOptions): void {
    const endpoint = this.requireEndpoint(endpointId);
    this.settle(endpoint);
    const status = rule.status ?? 'active';
    const key = keyOf(rule);
    let transitionAt = Infinity;
    if (IN_TRANSITION.has(status)) {
      transitionAt = this.clock.now() + (rule.transitionInMs ?? this.draw(status === 'authorizing' ? this.authorizeDuration : this.revokeDuration));
    }
    endpoint.rules.set(key, {
      cidr: rule.cidr,
      groupId: rule.allGroups ? undefined : rule.groupId,
      allGroups: rule.allGroups === true,
      description: rule.description,
      phase: status,
      message: rule.message,
      transitionAt,
    });
    this.sampleInTransition(endpoint);
  }

  /** Remove a rule without an API call (deleted out of band). */
  removeRule(endpointId: string, key: RuleKey): void {
    this.requireEndpoint(endpointId).rules.delete(keyOf(key));
  }

  /** Every authorization of this rule from now on ends `failed` with `message`. */
  failAuthorization(endpointId: string, key: RuleKey, message: string): void {
    this.scripts.set(`${endpointId}#${keyOf(key)}`, { kind: 'fail', message });
  }

  /** Every authorization of this rule from now on stays `authorizing` forever. */
  holdAuthorization(endpointId: string, key: RuleKey): void {
    this.scripts.set(`${endpointId}#${keyOf(key)}`, { kind: 'hold' });
  }

  clearAuthorizationScript(endpointId: string, key: RuleKey): void {
    this.scripts.delete(`${endpointId}#${keyOf(key)}`);
  }

  /**
   * Run `listener` after every call has been answered (before the caller sees
   * the answer): the hook for another actor changing the endpoint between a
   * handler's Describe and its mutations.
   */
  onCall(listener: (call: SimulatedCall) => void): void {
    this.listeners.push(listener);
  }

  // ------------------------------------------------------- fault injection

  /** The next `n` calls of `operation` fail with RequestLimitExceeded. */
  throttleNext(operation: SimulatedOperation, n = 1): void {
    this.throttleNextCounts.set(operation, (this.throttleNextCounts.get(operation) ?? 0) + n);
  }

  /** Every `n`th call (counting calls of `operations` together) fails with RequestLimitExceeded. */
  throttleEvery(n: number, operations: readonly SimulatedOperation[] = SIMULATED_OPERATIONS): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`throttleEvery: n must be a positive integer, got ${n}`);
    this.throttleEveryN = { n, operations: new Set(operations), seen: 0 };
  }

  /** The next `n` calls of `operation` fail with a 500 InternalError. */
  failNext(operation: SimulatedOperation, n = 1): void {
    this.failNextCounts.set(operation, (this.failNextCounts.get(operation) ?? 0) + n);
  }

  /** EC2-style request token bucket for `operation`, refilled on the virtual clock. */
  tokenBucket(operation: SimulatedOperation, options: TokenBucketOptions): void {
    this.buckets.set(operation, new SimulatedTokenBucket(options, this.clock.now()));
  }

  /** The `n`th successful mutating call from now applies its change and then throws SimulatedCrash. */
  crashAfterMutatingCalls(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`crashAfterMutatingCalls: n must be a positive integer, got ${n}`);
    this.crashCountdown = n;
  }

  /** Whether a crash happened since the last call; also brings the "process" back to life. */
  consumeCrash(): boolean {
    const crashed = this.crashed;
    this.crashed = false;
    return crashed;
  }

  /** Remove every injected fault (not rule scripts). */
  clearFaults(): void {
    this.throttleNextCounts.clear();
    this.failNextCounts.clear();
    this.buckets.clear();
    this.throttleEveryN = undefined;
    this.crashCountdown = undefined;
  }

  // ----------------------------------------------------------- inspection

  /** The endpoint's rules as of now, sorted by key. */
  rules(endpointId: string): SimulatedRule[] {
    const endpoint = this.requireEndpoint(endpointId);
    this.settle(endpoint);
    return [...endpoint.rules.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => ({
        cidr: r.cidr,
        ...(r.allGroups ? {} : { groupId: r.groupId }),
        allGroups: r.allGroups,
        ...(r.description !== undefined ? { description: r.description } : {}),
        status: r.phase,
        ...(r.message !== undefined ? { message: r.message } : {}),
      }));
  }

  /** Sorted `ruleSignature` lines of the endpoint's rules: compare these for an exact rule set. */
  ruleSignatures(endpointId: string): string[] {
    return this.rules(endpointId).map(ruleSignature).sort();
  }

  /** Rules in `authorizing`/`revoking` on the endpoint right now. */
  inTransition(endpointId: string): number {
    const endpoint = this.requireEndpoint(endpointId);
    this.settle(endpoint);
    return this.countInTransition(endpoint);
  }

  hasEndpoint(endpointId: string): boolean {
    return this.endpoints.has(endpointId);
  }

  get counters(): SimulationCounters {
    return {
      calls: { ...this.callCounts },
      mutatingCalls: this.mutations,
      throttledCalls: this.throttled,
      errors: { ...this.errorCounts },
      maxInTransitionObserved: this.maxInTransition,
    };
  }

  /** Every call that reached the service, in order. */
  get calls(): readonly SimulatedCall[] {
    return this.log;
  }

  /** Calls of the mutating operations that reached the service, from index `since` of `calls`. */
  mutationAttempts(since = 0): SimulatedCall[] {
    return this.log.slice(since).filter(c => MUTATING_OPERATIONS.has(c.operation));
  }

  // ------------------------------------------------------------ operations

  async authorizeClientVpnIngress(input: AuthorizeClientVpnIngressCommandInput): Promise<AuthorizeClientVpnIngressCommandOutput> {
    return this.call('AuthorizeClientVpnIngress', input.ClientVpnEndpointId, call => {
      if (input.DryRun) throw this.error(SimulatedErrorNames.dryRun, 'Request would have succeeded, but DryRun flag is set.', 412);
      const cidr = this.requireCidr(input.TargetNetworkCidr, 'TargetNetworkCidr');
      const allGroups = input.AuthorizeAllGroups === true;
      if (allGroups && input.AccessGroupId !== undefined) {
        throw this.error(SimulatedErrorNames.parameterCombination, 'You cannot specify both AccessGroupId and AuthorizeAllGroups.');
      }
      if (!allGroups && (input.AccessGroupId === undefined || input.AccessGroupId === '')) {
        throw this.error(SimulatedErrorNames.missingParameter, 'Either AccessGroupId or AuthorizeAllGroups must be specified.');
      }
      if (input.Description !== undefined && input.Description.length > 255) {
        throw this.error(SimulatedErrorNames.parameterValue, 'Description must be at most 255 characters.');
      }
      const groupId = allGroups ? undefined : input.AccessGroupId;
      const key = ruleKeyString(cidr, allGroups, groupId);
      call.rule = key;
      call.description = input.Description;
      const endpoint = this.lookupEndpoint(input.ClientVpnEndpointId);

      const fingerprint = JSON.stringify([endpoint.id, cidr, groupId ?? null, allGroups, input.Description ?? null]);
      if (input.ClientToken !== undefined) {
        const previous = this.idempotency.get(input.ClientToken);
        if (previous) {
          if (previous.fingerprint !== fingerprint) {
            throw this.error(SimulatedErrorNames.idempotentMismatch,
              `The client token ${input.ClientToken} was used with different parameters.`);
          }
          return previous.result;
        }
      }

      this.settle(endpoint);
      if (endpoint.rules.has(key)) {
        throw this.error(SimulatedErrorNames.duplicateRule,
          `An authorization rule for ${cidr} and ${allGroups ? 'all groups' : `group ${groupId}`} already exists on ${endpoint.id}.`);
      }
      this.requireMutationCapacity(endpoint);
      if (endpoint.rules.size >= this.maxRulesPerEndpoint) {
        throw this.error(SimulatedErrorNames.ruleLimit,
          `The limit of ${this.maxRulesPerEndpoint} authorization rules for ${endpoint.id} has been reached.`);
      }

      const script = this.scripts.get(`${endpoint.id}#${key}`);
      endpoint.rules.set(key, {
        cidr,
        groupId,
        allGroups,
        description: input.Description,
        phase: 'authorizing',
        transitionAt: script?.kind === 'hold' ? Infinity : this.clock.now() + this.draw(this.authorizeDuration),
      });
      const result = { Status: { Code: 'authorizing' as const }, $metadata: {} };
      if (input.ClientToken !== undefined) this.idempotency.set(input.ClientToken, { fingerprint, result });
      this.mutated(endpoint);
      return result;
    });
  }

  async revokeClientVpnIngress(input: RevokeClientVpnIngressCommandInput): Promise<RevokeClientVpnIngressCommandOutput> {
    return this.call('RevokeClientVpnIngress', input.ClientVpnEndpointId, call => {
      if (input.DryRun) throw this.error(SimulatedErrorNames.dryRun, 'Request would have succeeded, but DryRun flag is set.', 412);
      const cidr = this.requireCidr(input.TargetNetworkCidr, 'TargetNetworkCidr');
      const allGroups = input.RevokeAllGroups === true;
      if (allGroups && input.AccessGroupId !== undefined) {
        throw this.error(SimulatedErrorNames.parameterCombination, 'You cannot specify both AccessGroupId and RevokeAllGroups.');
      }
      if (!allGroups && (input.AccessGroupId === undefined || input.AccessGroupId === '')) {
        throw this.error(SimulatedErrorNames.missingParameter, 'Either AccessGroupId or RevokeAllGroups must be specified.');
      }
      const groupId = allGroups ? undefined : input.AccessGroupId;
      const key = ruleKeyString(cidr, allGroups, groupId);
      call.rule = key;
      const endpoint = this.lookupEndpoint(input.ClientVpnEndpointId);
      this.settle(endpoint);
      const rule = endpoint.rules.get(key);
      // ASSUMPTION: a rule already `revoking` is reported as not found (it is on its way out).
      if (!rule || rule.phase === 'revoking') {
        throw this.error(SimulatedErrorNames.ruleNotFound,
          `No authorization rule for ${cidr} and ${allGroups ? 'all groups' : `group ${groupId}`} exists on ${endpoint.id}.`);
      }
      this.requireMutationCapacity(endpoint);
      // ASSUMPTION: revoking a rule that is still `authorizing` is accepted.
      rule.phase = 'revoking';
      rule.message = undefined;
      const script = this.scripts.get(`${endpoint.id}#${key}`);
      rule.transitionAt = script?.kind === 'hold' ? Infinity : this.clock.now() + this.draw(this.revokeDuration);
      this.mutated(endpoint);
      return { Status: { Code: 'revoking' as const }, $metadata: {} };
    });
  }

  async describeClientVpnAuthorizationRules(
    input: DescribeClientVpnAuthorizationRulesCommandInput,
  ): Promise<DescribeClientVpnAuthorizationRulesCommandOutput> {
    return this.call('DescribeClientVpnAuthorizationRules', input.ClientVpnEndpointId, () => {
      if (input.DryRun) throw this.error(SimulatedErrorNames.dryRun, 'Request would have succeeded, but DryRun flag is set.', 412);
      if (input.MaxResults !== undefined && (input.MaxResults < 5 || input.MaxResults > 1000 || !Number.isInteger(input.MaxResults))) {
        throw this.error(SimulatedErrorNames.parameterValue, `MaxResults must be between 5 and 1000, got ${input.MaxResults}.`);
      }
      const filters = (input.Filters ?? []).map(f => {
        if (!f.Name || !FILTER_NAMES.has(f.Name)) {
          throw this.error(SimulatedErrorNames.parameterValue, `The filter '${f.Name}' is invalid.`);
        }
        return { name: f.Name, values: new Set(f.Values ?? []) };
      });
      const endpoint = this.lookupEndpoint(input.ClientVpnEndpointId);
      this.settle(endpoint);

      let after: string | undefined;
      if (input.NextToken !== undefined) {
        after = this.decodeToken(input.NextToken, endpoint.id);
      }
      const pageSize = Math.min(input.MaxResults ?? this.defaultPageSize, this.pageSizeCap);
      const matching = [...endpoint.rules.entries()]
        .filter(([, r]) => filters.every(f => {
          switch (f.name) {
            case 'destination-cidr': return f.values.has(r.cidr);
            case 'group-id': return r.groupId !== undefined && f.values.has(r.groupId);
            default: return r.description !== undefined && f.values.has(r.description);
          }
        }))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .filter(([k]) => after === undefined || k > after);
      const page = matching.slice(0, pageSize);
      const more = matching.length > pageSize;
      return {
        AuthorizationRules: page.map(([, r]) => this.wireRule(endpoint.id, r)),
        ...(more ? { NextToken: this.encodeToken(endpoint.id, page[page.length - 1][0]) } : {}),
        $metadata: {},
      };
    });
  }

  // -------------------------------------------------------------- internals

  private async call<T>(
    operation: SimulatedOperation,
    endpointId: string | undefined,
    body: (call: { rule?: string; description?: string }) => T,
  ): Promise<T> {
    // A dead process makes no calls: nothing reaches the service.
    if (this.crashed) throw new SimulatedCrash(this.mutations);
    // Handlers may await between calls; a promise boundary keeps ordering realistic.
    await Promise.resolve();
    this.callCounts[operation]++;
    const details: { rule?: string; description?: string } = {};
    const record = (outcome: string) => {
      const entry: SimulatedCall = { at: this.clock.now(), operation, endpointId, ...details, outcome };
      this.log.push(entry);
      for (const listener of this.listeners) listener(entry);
    };
    try {
      this.injectFaults(operation);
      const result = body(details);
      record('ok');
      if (this.crashDue) {
        this.crashDue = false;
        this.crashed = true;
        throw new SimulatedCrash(this.mutations);
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

  private injectFaults(operation: SimulatedOperation): void {
    const throttle = () => {
      this.throttled++;
      return this.error(SimulatedErrorNames.throttled, 'Request limit exceeded.', 503);
    };
    const pending = this.throttleNextCounts.get(operation) ?? 0;
    if (pending > 0) {
      this.throttleNextCounts.set(operation, pending - 1);
      throw throttle();
    }
    const every = this.throttleEveryN;
    if (every && every.operations.has(operation)) {
      every.seen++;
      if (every.seen % every.n === 0) throw throttle();
    }
    if (this.buckets.get(operation)?.take(this.clock.now()) === false) throw throttle();
    const failures = this.failNextCounts.get(operation) ?? 0;
    if (failures > 0) {
      this.failNextCounts.set(operation, failures - 1);
      throw this.error(SimulatedErrorNames.internal, 'An internal error has occurred.', 500);
    }
  }

  private error(code: string, message: string, status = 400): EC2ServiceException {
    return simulatedServiceError(code, message, status);
  }

  private requireEndpoint(endpointId: string): Endpoint {
    const endpoint = this.endpoints.get(endpointId);
    if (!endpoint) throw new Error(`the simulation has no endpoint ${endpointId}`);
    return endpoint;
  }

  private lookupEndpoint(endpointId: string | undefined): Endpoint {
    if (endpointId === undefined || endpointId === '') {
      throw this.error(SimulatedErrorNames.missingParameter, 'The request must contain the parameter ClientVpnEndpointId.');
    }
    // No malformed-id error: whether EC2 sends one for Client VPN ids is not
    // documented, and any id it does not know is at least not found.
    const endpoint = this.endpoints.get(endpointId);
    if (!endpoint) {
      throw this.error(SimulatedErrorNames.endpointNotFound, `The Client VPN endpoint ID '${endpointId}' does not exist`);
    }
    return endpoint;
  }

  private requireCidr(cidr: string | undefined, parameter: string): string {
    if (cidr === undefined || cidr === '') {
      throw this.error(SimulatedErrorNames.missingParameter, `The request must contain the parameter ${parameter}.`);
    }
    if (!validCidr(cidr)) {
      throw this.error(SimulatedErrorNames.parameterValue, `Value (${cidr}) for parameter ${parameter} is invalid.`);
    }
    return cidr;
  }

  private requireMutationCapacity(endpoint: Endpoint): void {
    if (this.countInTransition(endpoint) >= this.maxConcurrentMutations) {
      throw this.error(SimulatedErrorNames.concurrentMutation,
        `There are too many concurrent mutations on ${endpoint.id}; the limit is ${this.maxConcurrentMutations}.`);
    }
  }

  private mutated(endpoint: Endpoint): void {
    this.mutations++;
    this.sampleInTransition(endpoint);
    if (this.crashCountdown !== undefined && --this.crashCountdown === 0) {
      this.crashCountdown = undefined;
      this.crashDue = true;
    }
  }

  private sampleInTransition(endpoint: Endpoint): void {
    this.maxInTransition = Math.max(this.maxInTransition, this.countInTransition(endpoint));
  }

  private countInTransition(endpoint: Endpoint): number {
    let n = 0;
    for (const r of endpoint.rules.values()) if (IN_TRANSITION.has(r.phase)) n++;
    return n;
  }

  /** Apply every transition due by now. */
  private settle(endpoint: Endpoint): void {
    const now = this.clock.now();
    for (const [key, rule] of [...endpoint.rules.entries()]) {
      if (!IN_TRANSITION.has(rule.phase) || rule.transitionAt > now) continue;
      if (rule.phase === 'revoking') {
        endpoint.rules.delete(key);
        continue;
      }
      const script = this.scripts.get(`${endpoint.id}#${key}`);
      if (script?.kind === 'fail') {
        rule.phase = 'failed';
        rule.message = script.message;
      } else {
        rule.phase = 'active';
      }
    }
  }

  private draw(range: DurationRange): number {
    return Math.round(range.minMs + this.random() * (range.maxMs - range.minMs));
  }

  private wireRule(endpointId: string, r: RuleState): AuthorizationRule {
    const groupId = r.allGroups ? this.allGroupsGroupId : r.groupId;
    return {
      ClientVpnEndpointId: endpointId,
      ...(r.description !== undefined ? { Description: r.description } : {}),
      ...(groupId !== undefined ? { GroupId: groupId } : {}),
      AccessAll: r.allGroups,
      DestinationCidr: r.cidr,
      Status: { Code: r.phase, ...(r.message !== undefined ? { Message: r.message } : {}) },
    };
  }

  private encodeToken(endpointId: string, lastKey: string): string {
    return Buffer.from(JSON.stringify({ e: endpointId, k: lastKey }), 'utf8').toString('base64');
  }

  private decodeToken(token: string, endpointId: string): string {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { e?: unknown; k?: unknown };
      if (parsed.e === endpointId && typeof parsed.k === 'string') return parsed.k;
    } catch {
      // fall through to the service error
    }
    throw this.error(SimulatedErrorNames.paginationToken, `The pagination token '${token}' is invalid.`);
  }
}
