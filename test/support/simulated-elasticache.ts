import {
  AuthorizationAlreadyExistsFault,
  AuthorizationNotFoundFault,
  AuthorizeCacheSecurityGroupIngressCommand,
  CacheSecurityGroupNotFoundFault,
  DescribeCacheSecurityGroupsCommand,
  ElastiCacheClient,
  ElastiCacheServiceException,
  InvalidCacheSecurityGroupStateFault,
  InvalidParameterValueException,
  RevokeCacheSecurityGroupIngressCommand,
} from '@aws-sdk/client-elasticache';
import type {
  AuthorizeCacheSecurityGroupIngressCommandInput,
  AuthorizeCacheSecurityGroupIngressCommandOutput,
  CacheSecurityGroup,
  DescribeCacheSecurityGroupsCommandInput,
  DescribeCacheSecurityGroupsCommandOutput,
  RevokeCacheSecurityGroupIngressCommandInput,
  RevokeCacheSecurityGroupIngressCommandOutput,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { SimulatedCrash } from './simulated-client-vpn';
import type { DurationRange, SimulationTime } from './simulated-client-vpn';

/**
 * A SIMULATED ElastiCache cache security group service (ingress only), for
 * lifecycle and property tests of the cache security group ingress handler.
 * moto does not implement these actions (see test/emulator/
 * cache-security-group-ingress.emulator.test.ts), so this carries them.
 *
 * It keeps state the way the documented API behaves: an authorized EC2
 * security group passes through `authorizing` to `authorized`, a revoked one
 * through `revoking` to gone; errors are the SDK's own exception classes
 * (`AuthorizationAlreadyExistsFault`, ...). It can inject throttling, 5xx,
 * `InvalidCacheSecurityGroupState`, the VPC-only account refusal, and a
 * Lambda dying after a call. Behaviour that AWS does not document is marked
 * ASSUMPTION.
 */

export type SimulatedElastiCacheOperation =
  | 'AuthorizeCacheSecurityGroupIngress'
  | 'RevokeCacheSecurityGroupIngress'
  | 'DescribeCacheSecurityGroups';

export const SIMULATED_ELASTICACHE_OPERATIONS: readonly SimulatedElastiCacheOperation[] = [
  'AuthorizeCacheSecurityGroupIngress',
  'RevokeCacheSecurityGroupIngress',
  'DescribeCacheSecurityGroups',
];

const MUTATING: ReadonlySet<SimulatedElastiCacheOperation> = new Set<SimulatedElastiCacheOperation>([
  'AuthorizeCacheSecurityGroupIngress',
  'RevokeCacheSecurityGroupIngress',
]);

/** The message AWS gives VPC-only accounts (quoted in the reference notes). */
export const VPC_ONLY_MESSAGE = 'Use of cache security groups is not permitted in this API version for your account.';

export type SimulatedPairStatus = 'authorizing' | 'authorized' | 'revoking';

export interface SimulatedPair {
  readonly name: string;
  readonly ownerId: string;
  readonly status: SimulatedPairStatus;
}

export interface SimulatedElastiCacheOptions {
  readonly clock: SimulationTime;
  /** Seed of the pseudo-random transition durations. @default 1 */
  readonly seed?: number;
  /** How long a pair stays `authorizing`. @default 2 s .. 20 s */
  readonly authorizeDuration?: DurationRange;
  /** How long a pair stays `revoking`. @default 2 s .. 20 s */
  readonly revokeDuration?: DurationRange;
  /** The account that owns the cache security groups. @default '123456789012' */
  readonly accountId?: string;
}

export interface SimulatedElastiCacheCall {
  readonly at: number;
  readonly operation: SimulatedElastiCacheOperation;
  readonly group?: string;
  /** `name|owner` for mutations. */
  readonly pair?: string;
  /** 'ok' or the error name. */
  readonly outcome: string;
}

interface PairState {
  readonly name: string;
  readonly ownerId: string;
  status: SimulatedPairStatus;
  transitionAt: number;
}

interface GroupState {
  readonly name: string;
  readonly pairs: Map<string, PairState>;
}

const IN_TRANSITION: ReadonlySet<SimulatedPairStatus> = new Set(['authorizing', 'revoking']);

function key(name: string, ownerId: string): string {
  return `${name}|${ownerId}`;
}

/** `name|owner status`: the comparable form of a group's pairs. */
export function pairSignature(pair: { name: string; ownerId: string; status?: string }): string {
  return `${key(pair.name, pair.ownerId)} ${pair.status ?? 'authorized'}`;
}

function seededRandom(seed: number): () => number {
  const modulus = 2147483647;
  let state = Math.abs(Math.floor(seed)) % modulus || 1;
  return () => {
    state = (state * 16807) % modulus;
    return (state - 1) / (modulus - 1);
  };
}

const metadata = (status: number) => ({ httpStatusCode: status, requestId: 'sim', attempts: 1, totalRetryDelay: 0 });

export class SimulatedElastiCacheService {
  private readonly clock: SimulationTime;
  private readonly random: () => number;
  private readonly authorizeDuration: DurationRange;
  private readonly revokeDuration: DurationRange;
  private readonly accountId: string;
  private readonly groups = new Map<string, GroupState>();
  private readonly faults = new Map<SimulatedElastiCacheOperation, Array<() => Error>>();
  private readonly scripts = new Map<string, { kind: 'reject'; message: string } | { kind: 'hold' }>();
  private vpcOnlyAccount = false;
  private crashCountdown?: number;
  private crashed = false;
  private readonly log: SimulatedElastiCacheCall[] = [];
  private readonly listeners: Array<(call: SimulatedElastiCacheCall) => void> = [];
  private mutations = 0;
  private stub?: AwsClientStub<ElastiCacheClient>;

  constructor(options: SimulatedElastiCacheOptions) {
    this.clock = options.clock;
    this.random = seededRandom(options.seed ?? 1);
    this.authorizeDuration = options.authorizeDuration ?? { minMs: 2_000, maxMs: 20_000 };
    this.revokeDuration = options.revokeDuration ?? { minMs: 2_000, maxMs: 20_000 };
    this.accountId = options.accountId ?? '123456789012';
  }

  // ---------------------------------------------------------------- wiring

  /** Route ElastiCacheClient#send (every instance) here; other commands reject. */
  install(): AwsClientStub<ElastiCacheClient> {
    if (this.stub) return this.stub;
    const stub = mockClient(ElastiCacheClient);
    const unsupported = Object.assign(new Error(`SimulationUnsupportedOperation: only ${SIMULATED_ELASTICACHE_OPERATIONS.join(', ')}`), {
      name: 'SimulationUnsupportedOperation',
    });
    stub.onAnyCommand().rejects(unsupported);
    stub.on(AuthorizeCacheSecurityGroupIngressCommand).callsFake((input: AuthorizeCacheSecurityGroupIngressCommandInput) => this.authorize(input));
    stub.on(RevokeCacheSecurityGroupIngressCommand).callsFake((input: RevokeCacheSecurityGroupIngressCommandInput) => this.revoke(input));
    stub.on(DescribeCacheSecurityGroupsCommand).callsFake((input: DescribeCacheSecurityGroupsCommandInput) => this.describe(input));
    this.stub = stub;
    return stub;
  }

  restore(): void {
    this.stub?.restore();
    this.stub = undefined;
  }

  // ---------------------------------------------------------- test set-up

  createCacheSecurityGroup(name: string): void {
    if (this.groups.has(name)) throw new Error(`createCacheSecurityGroup: ${name} exists`);
    this.groups.set(name, { name, pairs: new Map() });
  }

  /** Delete a group and its pairs out of band. */
  deleteCacheSecurityGroup(name: string): void {
    if (!this.groups.delete(name)) throw new Error(`deleteCacheSecurityGroup: no group ${name}`);
  }

  /** Place a pair without an API call (another tool's, or one left over). */
  putPair(group: string, pair: { name: string; ownerId: string; status?: SimulatedPairStatus; transitionInMs?: number }): void {
    const state = this.requireGroup(group);
    const status = pair.status ?? 'authorized';
    state.pairs.set(key(pair.name, pair.ownerId), {
      name: pair.name,
      ownerId: pair.ownerId,
      status,
      transitionAt: IN_TRANSITION.has(status) ? this.clock.now() + (pair.transitionInMs ?? this.draw(this.authorizeDuration)) : Infinity,
    });
  }

  /** Remove a pair out of band (revoked in the console). */
  removePair(group: string, pair: { name: string; ownerId: string }): void {
    this.requireGroup(group).pairs.delete(key(pair.name, pair.ownerId));
  }

  // ------------------------------------------------------- fault injection

  /** Every call from now on answers as a VPC-only account does. */
  makeVpcOnlyAccount(): void {
    this.vpcOnlyAccount = true;
  }

  /** The next `n` calls of `operation` fail with `Throttling`. */
  throttleNext(operation: SimulatedElastiCacheOperation, n = 1): void {
    this.inject(operation, n, () => new ElastiCacheServiceException({ name: 'Throttling', $fault: 'client', $metadata: metadata(400), message: 'Rate exceeded' }));
  }

  /** The next `n` calls of `operation` fail with a 500. */
  failNext(operation: SimulatedElastiCacheOperation, n = 1): void {
    this.inject(operation, n, () => new ElastiCacheServiceException({ name: 'InternalFailure', $fault: 'server', $metadata: metadata(500), message: 'internal error' }));
  }

  /** The next `n` calls of `operation` find the group mid-change. */
  invalidStateNext(operation: SimulatedElastiCacheOperation, n = 1): void {
    this.inject(operation, n, () => new InvalidCacheSecurityGroupStateFault({ $metadata: metadata(400), message: 'The cache security group is being modified.' }));
  }

  /** Every Authorize of this pair from now on fails with InvalidParameterValue and `message` (a terminal error). */
  rejectAuthorization(name: string, ownerId: string, message: string): void {
    this.scripts.set(key(name, ownerId), { kind: 'reject', message });
  }

  /** Every Authorize of this pair from now on stays `authorizing` forever. */
  holdAuthorization(name: string, ownerId: string): void {
    this.scripts.set(key(name, ownerId), { kind: 'hold' });
  }

  /** The `n`th successful mutating call from now applies its change and then throws SimulatedCrash. */
  crashAfterMutatingCalls(n: number): void {
    this.crashCountdown = n;
  }

  consumeCrash(): boolean {
    const crashed = this.crashed;
    this.crashed = false;
    return crashed;
  }

  onCall(listener: (call: SimulatedElastiCacheCall) => void): void {
    this.listeners.push(listener);
  }

  // ----------------------------------------------------------- inspection

  pairs(group: string): SimulatedPair[] {
    const state = this.requireGroup(group);
    this.settle(state);
    return [...state.pairs.values()]
      .map(p => ({ name: p.name, ownerId: p.ownerId, status: p.status }))
      .sort((a, b) => (key(a.name, a.ownerId) < key(b.name, b.ownerId) ? -1 : 1));
  }

  /** Sorted `pairSignature` lines of the group. */
  pairSignatures(group: string): string[] {
    return this.pairs(group).map(pairSignature).sort();
  }

  hasGroup(name: string): boolean {
    return this.groups.has(name);
  }

  get calls(): readonly SimulatedElastiCacheCall[] {
    return this.log;
  }

  /** Authorize/Revoke calls that changed state. */
  get mutatingCalls(): number {
    return this.mutations;
  }

  /** Mutating calls that reached the service (any outcome), from index `since` of `calls`. */
  mutationAttempts(since = 0): SimulatedElastiCacheCall[] {
    return this.log.slice(since).filter(c => MUTATING.has(c.operation));
  }

  // ------------------------------------------------------------ operations

  private async authorize(input: AuthorizeCacheSecurityGroupIngressCommandInput): Promise<AuthorizeCacheSecurityGroupIngressCommandOutput> {
    return this.call('AuthorizeCacheSecurityGroupIngress', input.CacheSecurityGroupName, input, group => {
      const pairKey = key(input.EC2SecurityGroupName!, input.EC2SecurityGroupOwnerId!);
      const existing = group.pairs.get(pairKey);
      if (existing?.status === 'revoking') {
        // ASSUMPTION: authorizing a pair that is still being revoked is refused as a state problem.
        throw new InvalidCacheSecurityGroupStateFault({ $metadata: metadata(400), message: `${pairKey} is being revoked from ${group.name}.` });
      }
      const script = this.scripts.get(pairKey);
      if (script?.kind === 'reject') {
        throw new InvalidParameterValueException({ $metadata: metadata(400), message: script.message });
      }
      if (existing) {
        throw new AuthorizationAlreadyExistsFault({ $metadata: metadata(400), message: `${pairKey} is already authorized for ${group.name}.` });
      }
      group.pairs.set(pairKey, {
        name: input.EC2SecurityGroupName!,
        ownerId: input.EC2SecurityGroupOwnerId!,
        status: 'authorizing',
        transitionAt: script?.kind === 'hold' ? Infinity : this.clock.now() + this.draw(this.authorizeDuration),
      });
      return { CacheSecurityGroup: this.wire(group), $metadata: {} };
    });
  }

  private async revoke(input: RevokeCacheSecurityGroupIngressCommandInput): Promise<RevokeCacheSecurityGroupIngressCommandOutput> {
    return this.call('RevokeCacheSecurityGroupIngress', input.CacheSecurityGroupName, input, group => {
      const pairKey = key(input.EC2SecurityGroupName!, input.EC2SecurityGroupOwnerId!);
      const existing = group.pairs.get(pairKey);
      if (!existing) {
        throw new AuthorizationNotFoundFault({ $metadata: metadata(404), message: `${pairKey} is not authorized for ${group.name}.` });
      }
      if (existing.status !== 'authorized') {
        // ASSUMPTION: a pair mid-transition cannot be revoked yet.
        throw new InvalidCacheSecurityGroupStateFault({ $metadata: metadata(400), message: `${pairKey} on ${group.name} is ${existing.status}.` });
      }
      existing.status = 'revoking';
      existing.transitionAt = this.clock.now() + this.draw(this.revokeDuration);
      return { CacheSecurityGroup: this.wire(group), $metadata: {} };
    });
  }

  private async describe(input: DescribeCacheSecurityGroupsCommandInput): Promise<DescribeCacheSecurityGroupsCommandOutput> {
    return this.call('DescribeCacheSecurityGroups', input.CacheSecurityGroupName, undefined, () => {
      if (input.CacheSecurityGroupName !== undefined) {
        const group = this.lookup(input.CacheSecurityGroupName);
        this.settle(group);
        return { CacheSecurityGroups: [this.wire(group)], $metadata: {} };
      }
      const all = [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      all.forEach(g => this.settle(g));
      return { CacheSecurityGroups: all.map(g => this.wire(g)), $metadata: {} };
    });
  }

  // -------------------------------------------------------------- internals

  private async call<T>(
    operation: SimulatedElastiCacheOperation,
    groupName: string | undefined,
    mutation: { EC2SecurityGroupName?: string; EC2SecurityGroupOwnerId?: string } | undefined,
    body: (group: GroupState) => T,
  ): Promise<T> {
    if (this.crashed) throw new SimulatedCrash(this.mutations);
    await Promise.resolve();
    const pair = mutation ? key(mutation.EC2SecurityGroupName ?? '', mutation.EC2SecurityGroupOwnerId ?? '') : undefined;
    const record = (outcome: string) => {
      const entry: SimulatedElastiCacheCall = { at: this.clock.now(), operation, group: groupName, ...(pair ? { pair } : {}), outcome };
      this.log.push(entry);
      for (const listener of this.listeners) listener(entry);
    };
    try {
      if (this.vpcOnlyAccount) {
        throw new InvalidParameterValueException({ $metadata: metadata(400), message: VPC_ONLY_MESSAGE });
      }
      const fault = this.faults.get(operation)?.shift();
      if (fault) throw fault();
      if (mutation) {
        if (!mutation.EC2SecurityGroupName || !/^\d{12}$/.test(mutation.EC2SecurityGroupOwnerId ?? '')) {
          throw new InvalidParameterValueException({ $metadata: metadata(400), message: 'EC2SecurityGroupName and a 12-digit EC2SecurityGroupOwnerId are required.' });
        }
      }
      const group = groupName === undefined ? undefined : this.lookup(groupName);
      if (group) this.settle(group);
      const result = body(group as GroupState);
      record('ok');
      if (mutation) {
        this.mutations++;
        if (this.crashCountdown !== undefined && --this.crashCountdown === 0) {
          this.crashCountdown = undefined;
          this.crashed = true;
          throw new SimulatedCrash(this.mutations);
        }
      }
      return result;
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      record(e instanceof Error ? e.name : 'Unknown');
      throw e;
    }
  }

  private inject(operation: SimulatedElastiCacheOperation, n: number, make: () => Error): void {
    const queue = this.faults.get(operation) ?? [];
    for (let i = 0; i < n; i++) queue.push(make);
    this.faults.set(operation, queue);
  }

  private lookup(name: string): GroupState {
    const group = this.groups.get(name);
    if (!group) {
      throw new CacheSecurityGroupNotFoundFault({ $metadata: metadata(404), message: `CacheSecurityGroup ${name} not found.` });
    }
    return group;
  }

  private requireGroup(name: string): GroupState {
    const group = this.groups.get(name);
    if (!group) throw new Error(`the simulation has no cache security group ${name}`);
    return group;
  }

  private settle(group: GroupState): void {
    const now = this.clock.now();
    for (const [k, pair] of [...group.pairs]) {
      if (!IN_TRANSITION.has(pair.status) || pair.transitionAt > now) continue;
      if (pair.status === 'revoking') {
        group.pairs.delete(k);
      } else {
        pair.status = 'authorized';
        pair.transitionAt = Infinity;
      }
    }
  }

  private draw(range: DurationRange): number {
    return Math.round(range.minMs + this.random() * (range.maxMs - range.minMs));
  }

  private wire(group: GroupState): CacheSecurityGroup {
    return {
      OwnerId: this.accountId,
      CacheSecurityGroupName: group.name,
      Description: `simulated ${group.name}`,
      ARN: `arn:aws:elasticache:us-east-1:${this.accountId}:securitygroup:${group.name}`,
      EC2SecurityGroups: [...group.pairs.values()].map(p => ({ Status: p.status, EC2SecurityGroupName: p.name, EC2SecurityGroupOwnerId: p.ownerId })),
    };
  }
}
