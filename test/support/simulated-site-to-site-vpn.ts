import {
  CreateTagsCommand,
  CreateVpnConnectionCommand,
  DeleteTagsCommand,
  DeleteVpnConnectionCommand,
  DescribeCustomerGatewaysCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewaysCommand,
  DescribeVpnConnectionsCommand,
  DescribeVpnGatewaysCommand,
  EC2Client,
  ModifyVpnConnectionCommand,
  ModifyVpnConnectionOptionsCommand,
  ModifyVpnTunnelOptionsCommand,
} from '@aws-sdk/client-ec2';
import type {
  CreateTagsCommandInput,
  CreateVpnConnectionCommandInput,
  DeleteTagsCommandInput,
  DeleteVpnConnectionCommandInput,
  DescribeCustomerGatewaysCommandInput,
  DescribeTransitGatewayAttachmentsCommandInput,
  DescribeTransitGatewaysCommandInput,
  DescribeVpnConnectionsCommandInput,
  DescribeVpnGatewaysCommandInput,
  ModifyVpnConnectionCommandInput,
  ModifyVpnConnectionOptionsCommandInput,
  ModifyVpnTunnelOptionsCommandInput,
  ModifyVpnTunnelOptionsSpecification,
  Tag,
  TunnelOption,
  VpnConnection,
  VpnTunnelOptionsSpecification,
} from '@aws-sdk/client-ec2';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import type { GetSecretValueCommandInput, PutSecretValueCommandInput } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { SimulatedCrash, isSimulatedCrash, simulatedServiceError, SimulatedTokenBucket } from './simulated-client-vpn';
import type { DurationRange, SimulationTime, TokenBucketOptions } from './simulated-client-vpn';

/**
 * A SIMULATED site-to-site VPN service (EC2 VPN connections, the gateways
 * they reference, and the Secrets Manager calls of the handler), for
 * lifecycle tests of the site-to-site VPN handler. It is not an emulator: it
 * keeps state the way the documented API behaves (connections pass through
 * `pending` to `available`, through `modifying` while a change runs, through
 * `deleting` to `deleted` and stay listed as `deleted` for a while) and can
 * inject the faults a deployment meets (throttling, 5xx, chosen errors, a
 * Lambda dying after a call). Every behaviour below that is not in the AWS
 * documentation is marked ASSUMPTION.
 *
 * Tunnels have an availability timeline: a tunnel is DOWN while its
 * connection is pending, while a change to it (or to the whole connection)
 * runs, and for a short recovery after that (IKE renegotiating), which is
 * what lets a test assert that an update kept one tunnel UP at every instant.
 *
 * The customer gateway configuration it reports is SYNTHETIC: a short text
 * carrying the tunnels' addresses and pre-shared keys, not AWS's XML.
 */

export type SimulatedVpnOperation =
  | 'CreateVpnConnection'
  | 'DescribeVpnConnections'
  | 'ModifyVpnConnection'
  | 'ModifyVpnConnectionOptions'
  | 'ModifyVpnTunnelOptions'
  | 'DeleteVpnConnection'
  | 'CreateTags'
  | 'DeleteTags'
  | 'DescribeCustomerGateways'
  | 'DescribeVpnGateways'
  | 'DescribeTransitGateways'
  | 'DescribeTransitGatewayAttachments'
  | 'GetSecretValue'
  | 'PutSecretValue';

const EC2_COMMANDS = {
  CreateVpnConnection: CreateVpnConnectionCommand,
  DescribeVpnConnections: DescribeVpnConnectionsCommand,
  ModifyVpnConnection: ModifyVpnConnectionCommand,
  ModifyVpnConnectionOptions: ModifyVpnConnectionOptionsCommand,
  ModifyVpnTunnelOptions: ModifyVpnTunnelOptionsCommand,
  DeleteVpnConnection: DeleteVpnConnectionCommand,
  CreateTags: CreateTagsCommand,
  DeleteTags: DeleteTagsCommand,
  DescribeCustomerGateways: DescribeCustomerGatewaysCommand,
  DescribeVpnGateways: DescribeVpnGatewaysCommand,
  DescribeTransitGateways: DescribeTransitGatewaysCommand,
  DescribeTransitGatewayAttachments: DescribeTransitGatewayAttachmentsCommand,
} as const;

const SECRETS_COMMANDS = {
  GetSecretValue: GetSecretValueCommand,
  PutSecretValue: PutSecretValueCommand,
} as const;

const MUTATING: ReadonlySet<SimulatedVpnOperation> = new Set<SimulatedVpnOperation>([
  'CreateVpnConnection', 'ModifyVpnConnection', 'ModifyVpnConnectionOptions', 'ModifyVpnTunnelOptions',
  'DeleteVpnConnection', 'CreateTags', 'DeleteTags', 'PutSecretValue',
]);

export interface SimulatedSiteToSiteVpnOptions {
  readonly clock: SimulationTime;
  /** Seed of the pseudo-random durations, addresses and keys. @default 1 */
  readonly seed?: number;
  /** How long a new connection stays `pending`. @default 120 s .. 300 s */
  readonly pendingDuration?: DurationRange;
  /** How long a modification keeps the connection `modifying`. @default 60 s .. 180 s */
  readonly modifyDuration?: DurationRange;
  /** How long a tunnel stays DOWN after its connection becomes available again (IKE renegotiation). ASSUMPTION. @default 5 s .. 30 s */
  readonly tunnelRecovery?: DurationRange;
  /** How long a deletion takes. @default 30 s .. 90 s */
  readonly deletingDuration?: DurationRange;
  /** How long a deleted connection stays listed by DescribeVpnConnections. ASSUMPTION: AWS says "a while". @default 1 h */
  readonly deletedVisibleMs?: number;
  /** Whether a customer device answers, so tunnels come UP. @default true */
  readonly customerDeviceConnected?: boolean;
  /** The "Site-to-Site VPN connections per Region" quota. @default 50 */
  readonly maxConnections?: number;
  /** Error name of a modification attempted while the connection is not `available`. @default 'InvalidVpnConnection.InvalidState' */
  readonly invalidStateErrorName?: string;
}

/** One API call as the simulation saw it. */
export interface SimulatedVpnCall {
  readonly at: number;
  readonly operation: SimulatedVpnOperation;
  readonly connectionId?: string;
  /** ModifyVpnTunnelOptions: the tunnel index (0-based) named by the outside address. */
  readonly tunnel?: number;
  /** 'ok' or the error name. */
  readonly outcome: string;
}

/** A failure to inject: an error name and status, with a message that may quote the request (to test scrubbing). */
export interface InjectedFailure {
  readonly name: string;
  readonly status?: number;
  readonly message?: string | ((input: unknown) => string);
}

/** A half-open interval of virtual time [from, to). */
export interface Interval {
  readonly from: number;
  readonly to: number;
}

interface TunnelState {
  readonly outsideIp: string;
  insideCidr: string;
  insideIpv6Cidr?: string;
  preSharedKey: string;
  /** Options set explicitly through the API (AWS reports only those). */
  options: Omit<TunnelOption, 'OutsideIpAddress' | 'TunnelInsideCidr' | 'TunnelInsideIpv6Cidr' | 'PreSharedKey'>;
  outages: Interval[];
}

type Phase = 'pending' | 'available' | 'modifying' | 'deleting' | 'deleted';

interface ConnectionState {
  readonly id: string;
  readonly type: string;
  customerGatewayId: string;
  vpnGatewayId?: string;
  transitGatewayId?: string;
  readonly createdAt: number;
  phase: Phase;
  phaseEndsAt: number;
  deletedAt?: number;
  readonly staticRoutesOnly: boolean;
  readonly enableAcceleration: boolean;
  readonly tunnelInsideIpVersion: string;
  readonly outsideIpAddressType: string;
  localIpv4NetworkCidr?: string;
  remoteIpv4NetworkCidr?: string;
  localIpv6NetworkCidr?: string;
  remoteIpv6NetworkCidr?: string;
  tunnelBandwidth?: string;
  readonly preSharedKeyArn?: string;
  readonly tunnels: TunnelState[];
  readonly tags: Map<string, string>;
  attachmentId?: string;
}

interface SecretState {
  versions: string[];
  /** Staging labels other than AWSCURRENT / AWSPREVIOUS (which follow the newest versions): label -> version index. */
  readonly labels: Map<string, number>;
  /** The version labelled AWSCURRENT. */
  current: number;
}

/** The SIMULATED version id of a secret's version `index` (0-based): UUID-shaped, as Secrets Manager's are. */
export function simulatedSecretVersionId(index: number): string {
  return `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;
}

/** A connection as a test sees it. */
export interface SimulatedConnectionView {
  readonly id: string;
  readonly state: Phase;
  readonly customerGatewayId: string;
  readonly vpnGatewayId?: string;
  readonly transitGatewayId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly tunnels: ReadonlyArray<{
    readonly outsideIp: string;
    readonly insideCidr: string;
    readonly preSharedKey: string;
    readonly options: Readonly<Record<string, unknown>>;
    readonly status: 'UP' | 'DOWN';
  }>;
  readonly localIpv4NetworkCidr?: string;
  readonly tunnelBandwidth?: string;
  readonly remoteIpv4NetworkCidr?: string;
}

export const SIMULATED_ACCOUNT = '123456789012';
export const SIMULATED_REGION = 'us-east-1';

function seededRandom(seed: number): () => number {
  const modulus = 2147483647;
  let state = Math.abs(Math.floor(seed)) % modulus || 1;
  return () => {
    state = (state * 16807) % modulus;
    return (state - 1) / (modulus - 1);
  };
}

const RESERVED_INSIDE = new Set(['169.254.0.0/30', '169.254.1.0/30', '169.254.2.0/30', '169.254.3.0/30',
  '169.254.4.0/30', '169.254.5.0/30', '169.254.169.252/30']);
const PSK = /^[A-Za-z0-9._]{8,64}$/;
const CONNECTION_FILTERS = new Set(['state', 'customer-gateway-id', 'vpn-gateway-id', 'transit-gateway-id', 'vpn-connection-id']);

function secretsError(name: string, message: string, status = 400): SecretsManagerServiceException {
  return new SecretsManagerServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: `sim-${name}`, attempts: 1, totalRetryDelay: 0 },
    message,
  });
}

export class SimulatedSiteToSiteVpnService {
  private readonly clock: SimulationTime;
  private readonly random: () => number;
  private readonly pendingDuration: DurationRange;
  private readonly modifyDuration: DurationRange;
  private readonly tunnelRecovery: DurationRange;
  private readonly deletingDuration: DurationRange;
  private readonly deletedVisibleMs: number;
  private readonly deviceConnected: boolean;
  private readonly maxConnections: number;
  private readonly invalidStateName: string;

  private readonly connections = new Map<string, ConnectionState>();
  private readonly customerGateways = new Map<string, { ip: string; asn: string }>();
  private readonly vpnGateways = new Map<string, { asn: number }>();
  private readonly transitGateways = new Map<string, { asn: number }>();
  private readonly secrets = new Map<string, SecretState>();
  private serial = 0;
  private ipSerial = 0;

  private readonly failures = new Map<SimulatedVpnOperation, Array<InjectedFailure | null>>();
  private readonly buckets = new Map<SimulatedVpnOperation, SimulatedTokenBucket>();
  private crashCountdown?: number;
  private crashDue = false;
  private crashed = false;
  private mutations = 0;
  private readonly log: SimulatedVpnCall[] = [];
  private readonly calledInputs: Array<{ operation: SimulatedVpnOperation; input: unknown }> = [];
  private ec2Stub?: AwsClientStub<EC2Client>;
  private secretsStub?: AwsClientStub<SecretsManagerClient>;

  constructor(options: SimulatedSiteToSiteVpnOptions) {
    this.clock = options.clock;
    this.random = seededRandom(options.seed ?? 1);
    this.pendingDuration = options.pendingDuration ?? { minMs: 120_000, maxMs: 300_000 };
    this.modifyDuration = options.modifyDuration ?? { minMs: 60_000, maxMs: 180_000 };
    this.tunnelRecovery = options.tunnelRecovery ?? { minMs: 5_000, maxMs: 30_000 };
    this.deletingDuration = options.deletingDuration ?? { minMs: 30_000, maxMs: 90_000 };
    this.deletedVisibleMs = options.deletedVisibleMs ?? 3_600_000;
    this.deviceConnected = options.customerDeviceConnected ?? true;
    this.maxConnections = options.maxConnections ?? 50;
    this.invalidStateName = options.invalidStateErrorName ?? 'InvalidVpnConnection.InvalidState';
  }

  // ------------------------------------------------------------- wiring

  /** Route EC2Client and SecretsManagerClient commands to the simulation; anything else rejects. */
  install(): void {
    const ec2 = mockClient(EC2Client);
    ec2.onAnyCommand().callsFake((input: unknown) => {
      throw new Error(`the simulated site-to-site VPN service does not implement this EC2 command (input ${JSON.stringify(input)})`);
    });
    for (const [operation, command] of Object.entries(EC2_COMMANDS)) {
      ec2.on(command as never).callsFake((input: unknown) => this.dispatch(operation as SimulatedVpnOperation, input));
    }
    const secrets = mockClient(SecretsManagerClient);
    secrets.onAnyCommand().callsFake(() => {
      throw new Error('the simulated service does not implement this Secrets Manager command');
    });
    for (const [operation, command] of Object.entries(SECRETS_COMMANDS)) {
      secrets.on(command as never).callsFake((input: unknown) => this.dispatch(operation as SimulatedVpnOperation, input));
    }
    this.ec2Stub = ec2;
    this.secretsStub = secrets;
  }

  restore(): void {
    this.ec2Stub?.restore();
    this.secretsStub?.restore();
    this.ec2Stub = undefined;
    this.secretsStub = undefined;
  }

  // ------------------------------------------------------------ set-up

  createCustomerGateway(ip = '198.51.100.10', asn = '65010'): string {
    const id = `cgw-${this.hexId()}`;
    this.customerGateways.set(id, { ip, asn });
    return id;
  }

  createVpnGateway(asn = 64512): string {
    const id = `vgw-${this.hexId()}`;
    this.vpnGateways.set(id, { asn });
    return id;
  }

  createTransitGateway(asn = 64513): string {
    const id = `tgw-${this.hexId()}`;
    this.transitGateways.set(id, { asn });
    return id;
  }

  /** A secret, with a first value when given; returns its ARN. */
  createSecret(name: string, value?: string): string {
    const arn = `arn:aws:secretsmanager:${SIMULATED_REGION}:${SIMULATED_ACCOUNT}:secret:${name}-AbCdEf`;
    this.secrets.set(arn, { versions: value === undefined ? [] : [value], labels: new Map(), current: 0 });
    return arn;
  }

  /**
   * A new value for a secret without an API call (a rotation); returns the
   * new version's id. Without `label` it becomes AWSCURRENT; with one it
   * carries only that staging label (AWSCURRENT stays where it was).
   */
  setSecretValue(arn: string, value: string, label?: string): string {
    const secret = this.requireSecret(arn);
    secret.versions.push(value);
    if (label !== undefined) {
      secret.labels.set(label, secret.versions.length - 1);
    } else {
      secret.current = secret.versions.length - 1;
    }
    return simulatedSecretVersionId(secret.versions.length - 1);
  }

  /** Delete a connection out of band (the console). */
  deleteOutOfBand(connectionId: string): void {
    const connection = this.requireConnection(connectionId);
    this.startDeletion(connection);
  }

  // ---------------------------------------------------------- inspection

  connection(connectionId: string): SimulatedConnectionView {
    const c = this.requireConnection(connectionId);
    this.settle(c);
    const now = this.clock.now();
    return {
      id: c.id,
      state: c.phase,
      customerGatewayId: c.customerGatewayId,
      ...(c.vpnGatewayId ? { vpnGatewayId: c.vpnGatewayId } : {}),
      ...(c.transitGatewayId ? { transitGatewayId: c.transitGatewayId } : {}),
      tags: Object.fromEntries(c.tags),
      tunnels: c.tunnels.map(t => ({
        outsideIp: t.outsideIp,
        insideCidr: t.insideCidr,
        preSharedKey: t.preSharedKey,
        options: { ...t.options },
        status: this.tunnelDown(t, now) ? 'DOWN' as const : 'UP' as const,
      })),
      ...(c.localIpv4NetworkCidr ? { localIpv4NetworkCidr: c.localIpv4NetworkCidr } : {}),
      ...(c.remoteIpv4NetworkCidr ? { remoteIpv4NetworkCidr: c.remoteIpv4NetworkCidr } : {}),
      ...(c.tunnelBandwidth ? { tunnelBandwidth: c.tunnelBandwidth } : {}),
    };
  }

  /** Ids of the connections the simulation holds (listed ones, deleted included), in creation order. */
  connectionIds(options: { includeDeleted?: boolean } = {}): string[] {
    return [...this.connections.values()]
      .filter(c => { this.settle(c); return options.includeDeleted || (c.phase !== 'deleted' && c.phase !== 'deleting'); })
      .map(c => c.id);
  }

  /** Whether DescribeVpnConnections still knows the id. */
  hasConnection(connectionId: string): boolean {
    const c = this.connections.get(connectionId);
    if (c) this.settle(c);
    return this.connections.has(connectionId);
  }

  /** Every DOWN interval of every tunnel of the connection, per tunnel. */
  tunnelOutages(connectionId: string): Interval[][] {
    const c = this.requireConnection(connectionId);
    this.settle(c);
    return c.tunnels.map(t => t.outages.map(o => ({ ...o })));
  }

  /** The intervals within [from, to) during which every tunnel of the connection was DOWN at once. */
  allTunnelsDown(connectionId: string, from: number, to: number): Interval[] {
    let common: Interval[] = [{ from, to }];
    for (const outages of this.tunnelOutages(connectionId)) {
      const next: Interval[] = [];
      for (const a of common) {
        for (const b of outages) {
          const start = Math.max(a.from, b.from);
          const end = Math.min(a.to, b.to);
          if (start < end) next.push({ from: start, to: end });
        }
      }
      common = next;
    }
    return common;
  }

  secretVersions(arn: string): number {
    return this.requireSecret(arn).versions.length;
  }

  secretValue(arn: string): string | undefined {
    const versions = this.requireSecret(arn).versions;
    return versions[versions.length - 1];
  }

  get calls(): readonly SimulatedVpnCall[] {
    return this.log;
  }

  /** Inputs of every call of `operation` that reached the service. */
  inputsOf<T>(operation: SimulatedVpnOperation): T[] {
    return this.calledInputs.filter(c => c.operation === operation).map(c => c.input as T);
  }

  /** Number of calls of `operation` answered without error. */
  succeeded(operation: SimulatedVpnOperation): number {
    return this.log.filter(c => c.operation === operation && c.outcome === 'ok').length;
  }

  // ----------------------------------------------------- fault injection

  /**
   * The next `n` calls of `operation` fail with `failure` (default: a 500
   * InternalError), after letting `skip` calls through.
   */
  failNext(operation: SimulatedVpnOperation, n = 1, failure: InjectedFailure = { name: 'InternalError', status: 500 }, skip = 0): void {
    const queue = this.failures.get(operation) ?? [];
    for (let i = 0; i < skip; i++) queue.push(null);
    for (let i = 0; i < n; i++) queue.push(failure);
    this.failures.set(operation, queue);
  }

  throttleNext(operation: SimulatedVpnOperation, n = 1): void {
    this.failNext(operation, n, { name: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' });
  }

  tokenBucket(operation: SimulatedVpnOperation, options: TokenBucketOptions): void {
    this.buckets.set(operation, new SimulatedTokenBucket(options, this.clock.now()));
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

  clearFaults(): void {
    this.failures.clear();
    this.buckets.clear();
    this.crashCountdown = undefined;
  }

  // ---------------------------------------------------------- dispatch

  private async dispatch(operation: SimulatedVpnOperation, input: unknown): Promise<unknown> {
    if (this.crashed) throw new SimulatedCrash(this.mutations);
    await Promise.resolve();
    const details: { connectionId?: string; tunnel?: number } = {};
    const record = (outcome: string) => this.log.push({ at: this.clock.now(), operation, ...details, outcome });
    this.calledInputs.push({ operation, input });
    try {
      this.injectFaults(operation, input);
      const result = this.execute(operation, input, details);
      record('ok');
      if (MUTATING.has(operation)) {
        this.mutations++;
        if (this.crashCountdown !== undefined && --this.crashCountdown === 0) {
          this.crashCountdown = undefined;
          this.crashDue = true;
        }
      }
      if (this.crashDue) {
        this.crashDue = false;
        this.crashed = true;
        throw new SimulatedCrash(this.mutations);
      }
      return { ...result, $metadata: {} };
    } catch (e) {
      if (isSimulatedCrash(e)) throw e;
      record(e instanceof Error ? e.name : 'Unknown');
      throw e;
    }
  }

  private injectFaults(operation: SimulatedVpnOperation, input: unknown): void {
    if (this.buckets.get(operation)?.take(this.clock.now()) === false) {
      throw this.errorFor(operation, 'RequestLimitExceeded', 'Request limit exceeded.', 503);
    }
    const queue = this.failures.get(operation);
    const failure = queue?.shift();
    if (failure) {
      const message = typeof failure.message === 'function' ? failure.message(input) : failure.message ?? `${failure.name} (injected)`;
      throw this.errorFor(operation, failure.name, message, failure.status ?? 400);
    }
  }

  private errorFor(operation: SimulatedVpnOperation, name: string, message: string, status = 400): Error {
    return operation === 'GetSecretValue' || operation === 'PutSecretValue'
      ? secretsError(name, message, status)
      : simulatedServiceError(name, message, status);
  }

  private execute(operation: SimulatedVpnOperation, input: unknown, details: { connectionId?: string; tunnel?: number }): Record<string, unknown> {
    switch (operation) {
      case 'CreateVpnConnection': return this.createVpnConnection(input as CreateVpnConnectionCommandInput, details);
      case 'DescribeVpnConnections': return this.describeVpnConnections(input as DescribeVpnConnectionsCommandInput);
      case 'ModifyVpnConnection': return this.modifyVpnConnection(input as ModifyVpnConnectionCommandInput, details);
      case 'ModifyVpnConnectionOptions': return this.modifyVpnConnectionOptions(input as ModifyVpnConnectionOptionsCommandInput, details);
      case 'ModifyVpnTunnelOptions': return this.modifyVpnTunnelOptions(input as ModifyVpnTunnelOptionsCommandInput, details);
      case 'DeleteVpnConnection': return this.deleteVpnConnection(input as DeleteVpnConnectionCommandInput, details);
      case 'CreateTags': return this.createTags(input as CreateTagsCommandInput);
      case 'DeleteTags': return this.deleteTags(input as DeleteTagsCommandInput);
      case 'DescribeCustomerGateways': return this.describeCustomerGateways(input as DescribeCustomerGatewaysCommandInput);
      case 'DescribeVpnGateways': return this.describeVpnGateways(input as DescribeVpnGatewaysCommandInput);
      case 'DescribeTransitGateways': return this.describeTransitGateways(input as DescribeTransitGatewaysCommandInput);
      case 'DescribeTransitGatewayAttachments': return this.describeAttachments(input as DescribeTransitGatewayAttachmentsCommandInput);
      case 'GetSecretValue': return this.getSecretValue(input as GetSecretValueCommandInput);
      default: return this.putSecretValue(input as PutSecretValueCommandInput);
    }
  }

  // -------------------------------------------------------- operations

  private createVpnConnection(input: CreateVpnConnectionCommandInput, details: { connectionId?: string }): Record<string, unknown> {
    if (input.Type !== 'ipsec.1') throw simulatedServiceError('InvalidParameterValue', `Invalid VPN connection type: ${input.Type}`, 400);
    if (!input.CustomerGatewayId || !this.customerGateways.has(input.CustomerGatewayId)) {
      throw simulatedServiceError('InvalidCustomerGatewayID.NotFound', `The customerGateway ID '${input.CustomerGatewayId}' does not exist`, 400);
    }
    if (!!input.VpnGatewayId === !!input.TransitGatewayId) {
      throw simulatedServiceError('InvalidParameterCombination', 'Specify exactly one of VpnGatewayId and TransitGatewayId.', 400);
    }
    if (input.VpnGatewayId && !this.vpnGateways.has(input.VpnGatewayId)) {
      throw simulatedServiceError('InvalidVpnGatewayID.NotFound', `The vpnGateway ID '${input.VpnGatewayId}' does not exist`, 400);
    }
    if (input.TransitGatewayId && !this.transitGateways.has(input.TransitGatewayId)) {
      throw simulatedServiceError('InvalidTransitGatewayID.NotFound', `Transit Gateway ${input.TransitGatewayId} was deleted or does not exist.`, 400);
    }
    const live = [...this.connections.values()].filter(c => { this.settle(c); return c.phase !== 'deleted'; }).length;
    if (live >= this.maxConnections) {
      throw simulatedServiceError('VpnConnectionLimitExceeded', `You have reached the limit of ${this.maxConnections} VPN connections.`, 400);
    }
    const specs = input.Options?.TunnelOptions ?? [];
    if (specs.length > 2) throw simulatedServiceError('InvalidParameterValue', 'At most 2 tunnel options may be specified.', 400);
    specs.forEach(spec => this.validateTunnelSpec(spec));

    const now = this.clock.now();
    const id = `vpn-${this.hexId()}`;
    details.connectionId = id;
    const availableAt = now + this.draw(this.pendingDuration);
    const tunnels: TunnelState[] = [0, 1].map(i => {
      const spec: VpnTunnelOptionsSpecification = specs[i] ?? {};
      const { TunnelInsideCidr, TunnelInsideIpv6Cidr, PreSharedKey, ...rest } = spec;
      return {
        outsideIp: this.nextOutsideIp(),
        insideCidr: TunnelInsideCidr ?? this.freeInsideCidr(),
        ...(TunnelInsideIpv6Cidr ? { insideIpv6Cidr: TunnelInsideIpv6Cidr } : {}),
        preSharedKey: PreSharedKey ?? this.generatedKey(),
        options: this.toReportedOptions(rest),
        outages: [{ from: now, to: this.deviceConnected ? availableAt + this.draw(this.tunnelRecovery) : Infinity }],
      };
    });
    const connection: ConnectionState = {
      id,
      type: input.Type,
      customerGatewayId: input.CustomerGatewayId,
      ...(input.VpnGatewayId ? { vpnGatewayId: input.VpnGatewayId } : {}),
      ...(input.TransitGatewayId ? { transitGatewayId: input.TransitGatewayId } : {}),
      createdAt: now,
      phase: 'pending',
      phaseEndsAt: availableAt,
      staticRoutesOnly: input.Options?.StaticRoutesOnly ?? false,
      enableAcceleration: input.Options?.EnableAcceleration ?? false,
      tunnelInsideIpVersion: input.Options?.TunnelInsideIpVersion ?? 'ipv4',
      outsideIpAddressType: input.Options?.OutsideIpAddressType ?? 'PublicIpv4',
      ...(input.Options?.LocalIpv4NetworkCidr ? { localIpv4NetworkCidr: input.Options.LocalIpv4NetworkCidr } : {}),
      ...(input.Options?.RemoteIpv4NetworkCidr ? { remoteIpv4NetworkCidr: input.Options.RemoteIpv4NetworkCidr } : {}),
      ...(input.Options?.TunnelBandwidth ? { tunnelBandwidth: this.checkBandwidth(input.Options.TunnelBandwidth, input.VpnGatewayId) } : {}),
      ...(input.PreSharedKeyStorage === 'SecretsManager'
        ? { preSharedKeyArn: this.createSecret(`vpn-psk-${id}`, JSON.stringify({ keys: 'simulated' })) }
        : {}),
      tunnels,
      tags: new Map((input.TagSpecifications ?? []).flatMap(s => s.Tags ?? []).map(t => [t.Key ?? '', t.Value ?? ''])),
      ...(input.TransitGatewayId ? { attachmentId: `tgw-attach-${this.hexId()}` } : {}),
    };
    this.connections.set(id, connection);
    return { VpnConnection: this.wire(connection, true) };
  }

  private describeVpnConnections(input: DescribeVpnConnectionsCommandInput): Record<string, unknown> {
    for (const c of [...this.connections.values()]) this.settle(c);
    let found = [...this.connections.values()];
    if (input.VpnConnectionIds && input.VpnConnectionIds.length > 0) {
      const missing = input.VpnConnectionIds.find(id => !this.connections.has(id));
      if (missing) throw simulatedServiceError('InvalidVpnConnectionID.NotFound', `The vpnConnection ID '${missing}' does not exist`, 400);
      found = found.filter(c => input.VpnConnectionIds?.includes(c.id));
    }
    for (const filter of input.Filters ?? []) {
      const name = filter.Name ?? '';
      const values = new Set(filter.Values ?? []);
      if (name.startsWith('tag:')) {
        const key = name.slice(4);
        found = found.filter(c => c.tags.has(key) && values.has(c.tags.get(key) as string));
      } else if (CONNECTION_FILTERS.has(name)) {
        found = found.filter(c => values.has(({
          'state': c.phase,
          'customer-gateway-id': c.customerGatewayId,
          'vpn-gateway-id': c.vpnGatewayId ?? '',
          'transit-gateway-id': c.transitGatewayId ?? '',
          'vpn-connection-id': c.id,
        } as Record<string, string>)[name]));
      } else {
        throw simulatedServiceError('InvalidParameterValue', `The filter '${name}' is invalid`, 400);
      }
    }
    return { VpnConnections: found.map(c => this.wire(c, false)) };
  }

  private modifyVpnConnection(input: ModifyVpnConnectionCommandInput, details: { connectionId?: string }): Record<string, unknown> {
    const c = this.lookup(input.VpnConnectionId, details);
    this.requireAvailable(c);
    if (input.CustomerGatewayId && !this.customerGateways.has(input.CustomerGatewayId)) {
      throw simulatedServiceError('InvalidCustomerGatewayID.NotFound', `The customerGateway ID '${input.CustomerGatewayId}' does not exist`, 400);
    }
    if (input.VpnGatewayId && !this.vpnGateways.has(input.VpnGatewayId)) {
      throw simulatedServiceError('InvalidVpnGatewayID.NotFound', `The vpnGateway ID '${input.VpnGatewayId}' does not exist`, 400);
    }
    if (input.TransitGatewayId && !this.transitGateways.has(input.TransitGatewayId)) {
      throw simulatedServiceError('InvalidTransitGatewayID.NotFound', `Transit Gateway ${input.TransitGatewayId} does not exist.`, 400);
    }
    // ASSUMPTION: the new gateways are reported at once; AWS's documentation
    // says the connection is briefly unavailable, so both tunnels go DOWN.
    if (input.CustomerGatewayId) c.customerGatewayId = input.CustomerGatewayId;
    if (input.VpnGatewayId) { c.vpnGatewayId = input.VpnGatewayId; c.transitGatewayId = undefined; c.attachmentId = undefined; }
    if (input.TransitGatewayId) { c.transitGatewayId = input.TransitGatewayId; c.vpnGatewayId = undefined; c.attachmentId = `tgw-attach-${this.hexId()}`; }
    this.startModification(c, [0, 1]);
    return { VpnConnection: this.wire(c, false) };
  }

  private modifyVpnConnectionOptions(input: ModifyVpnConnectionOptionsCommandInput, details: { connectionId?: string }): Record<string, unknown> {
    const c = this.lookup(input.VpnConnectionId, details);
    this.requireAvailable(c);
    if (input.LocalIpv4NetworkCidr) c.localIpv4NetworkCidr = input.LocalIpv4NetworkCidr;
    if (input.RemoteIpv4NetworkCidr) c.remoteIpv4NetworkCidr = input.RemoteIpv4NetworkCidr;
    if (input.LocalIpv6NetworkCidr) c.localIpv6NetworkCidr = input.LocalIpv6NetworkCidr;
    if (input.RemoteIpv6NetworkCidr) c.remoteIpv6NetworkCidr = input.RemoteIpv6NetworkCidr;
    if (input.TunnelBandwidth) c.tunnelBandwidth = this.checkBandwidth(input.TunnelBandwidth, c.vpnGatewayId);
    // ASSUMPTION: changing the traffic selectors or the bandwidth does not
    // take the tunnels down (AWS does not document the bandwidth's effect).
    this.startModification(c, []);
    return { VpnConnection: this.wire(c, false) };
  }

  private modifyVpnTunnelOptions(
    input: ModifyVpnTunnelOptionsCommandInput,
    details: { connectionId?: string; tunnel?: number },
  ): Record<string, unknown> {
    const c = this.lookup(input.VpnConnectionId, details);
    const index = c.tunnels.findIndex(t => t.outsideIp === input.VpnTunnelOutsideIpAddress);
    if (index < 0) {
      throw simulatedServiceError('InvalidParameterValue', `No tunnel of ${c.id} has outside address ${input.VpnTunnelOutsideIpAddress}`, 400);
    }
    details.tunnel = index;
    this.requireAvailable(c);
    const spec: ModifyVpnTunnelOptionsSpecification = input.TunnelOptions ?? {};
    this.validateTunnelSpec(spec);
    const tunnel = c.tunnels[index];
    const { TunnelInsideCidr, TunnelInsideIpv6Cidr, PreSharedKey, ...rest } = spec;
    if (TunnelInsideCidr) tunnel.insideCidr = TunnelInsideCidr;
    if (TunnelInsideIpv6Cidr) tunnel.insideIpv6Cidr = TunnelInsideIpv6Cidr;
    if (PreSharedKey) tunnel.preSharedKey = PreSharedKey;
    // ASSUMPTION: the new options are reported as soon as the call succeeds.
    tunnel.options = { ...tunnel.options, ...this.toReportedOptions(rest) };
    this.startModification(c, [index]);
    return { VpnConnection: this.wire(c, false) };
  }

  private deleteVpnConnection(input: DeleteVpnConnectionCommandInput, details: { connectionId?: string }): Record<string, unknown> {
    const c = this.lookup(input.VpnConnectionId, details);
    // ASSUMPTION: deleting a connection that is already deleting or deleted succeeds.
    if (c.phase !== 'deleting' && c.phase !== 'deleted') {
      if (c.phase === 'modifying') throw simulatedServiceError(this.invalidStateName, `The VPN connection ${c.id} is modifying.`, 400);
      this.startDeletion(c);
    }
    return {};
  }

  private createTags(input: CreateTagsCommandInput): Record<string, unknown> {
    for (const id of input.Resources ?? []) {
      const c = this.lookup(id, {});
      for (const tag of input.Tags ?? []) c.tags.set(tag.Key ?? '', tag.Value ?? '');
    }
    return {};
  }

  private deleteTags(input: DeleteTagsCommandInput): Record<string, unknown> {
    for (const id of input.Resources ?? []) {
      const c = this.lookup(id, {});
      for (const tag of input.Tags ?? []) c.tags.delete(tag.Key ?? '');
    }
    return {};
  }

  private describeCustomerGateways(input: DescribeCustomerGatewaysCommandInput): Record<string, unknown> {
    const ids = input.CustomerGatewayIds ?? [...this.customerGateways.keys()];
    const missing = ids.find(id => !this.customerGateways.has(id));
    if (missing) throw simulatedServiceError('InvalidCustomerGatewayID.NotFound', `The customerGateway ID '${missing}' does not exist`, 400);
    return {
      CustomerGateways: ids.map(id => {
        const g = this.customerGateways.get(id) as { ip: string; asn: string };
        return { CustomerGatewayId: id, IpAddress: g.ip, BgpAsn: g.asn, State: 'available', Type: 'ipsec.1' };
      }),
    };
  }

  private describeVpnGateways(input: DescribeVpnGatewaysCommandInput): Record<string, unknown> {
    const ids = input.VpnGatewayIds ?? [...this.vpnGateways.keys()];
    const missing = ids.find(id => !this.vpnGateways.has(id));
    if (missing) throw simulatedServiceError('InvalidVpnGatewayID.NotFound', `The vpnGateway ID '${missing}' does not exist`, 400);
    return { VpnGateways: ids.map(id => ({ VpnGatewayId: id, AmazonSideAsn: this.vpnGateways.get(id)?.asn, State: 'available', Type: 'ipsec.1' })) };
  }

  private describeTransitGateways(input: DescribeTransitGatewaysCommandInput): Record<string, unknown> {
    const ids = input.TransitGatewayIds ?? [...this.transitGateways.keys()];
    const missing = ids.find(id => !this.transitGateways.has(id));
    if (missing) throw simulatedServiceError('InvalidTransitGatewayID.NotFound', `Transit Gateway ${missing} does not exist.`, 400);
    return { TransitGateways: ids.map(id => ({ TransitGatewayId: id, State: 'available', Options: { AmazonSideAsn: this.transitGateways.get(id)?.asn } })) };
  }

  private describeAttachments(input: DescribeTransitGatewayAttachmentsCommandInput): Record<string, unknown> {
    const resourceIds = new Set(input.Filters?.find(f => f.Name === 'resource-id')?.Values ?? []);
    const attachments = [...this.connections.values()]
      .filter(c => c.attachmentId && (resourceIds.size === 0 || resourceIds.has(c.id)))
      .map(c => ({
        TransitGatewayAttachmentId: c.attachmentId,
        TransitGatewayId: c.transitGatewayId,
        ResourceType: 'vpn',
        ResourceId: c.id,
        State: c.phase === 'deleted' ? 'deleted' : 'available',
      }));
    return { TransitGatewayAttachments: attachments };
  }

  private getSecretValue(input: GetSecretValueCommandInput): Record<string, unknown> {
    const secret = this.secrets.get(input.SecretId ?? '');
    if (!secret) throw secretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (secret.versions.length === 0) {
      throw secretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
    }
    const newest = secret.current;
    let index = newest;
    if (input.VersionId !== undefined) {
      index = secret.versions.findIndex((_, i) => simulatedSecretVersionId(i) === input.VersionId);
    } else if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') {
      index = input.VersionStage === 'AWSPREVIOUS' ? newest - 1 : secret.labels.get(input.VersionStage) ?? -1;
    }
    if (index < 0) {
      throw secretsError('ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${input.VersionId !== undefined ? `VersionId: ${input.VersionId}` : `staging label: ${input.VersionStage}`}`);
    }
    return { ARN: input.SecretId, SecretString: secret.versions[index], VersionId: simulatedSecretVersionId(index), VersionStages: index === newest ? ['AWSCURRENT'] : [] };
  }

  private putSecretValue(input: PutSecretValueCommandInput): Record<string, unknown> {
    const secret = this.secrets.get(input.SecretId ?? '');
    if (!secret) throw secretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    secret.versions.push(input.SecretString ?? '');
    secret.current = secret.versions.length - 1;
    return { ARN: input.SecretId, VersionId: simulatedSecretVersionId(secret.versions.length - 1), VersionStages: ['AWSCURRENT'] };
  }

  // ---------------------------------------------------------- internals

  private lookup(id: string | undefined, details: { connectionId?: string }): ConnectionState {
    details.connectionId = id;
    const c = id === undefined ? undefined : this.connections.get(id);
    if (!c) throw simulatedServiceError('InvalidVpnConnectionID.NotFound', `The vpnConnection ID '${id}' does not exist`, 400);
    this.settle(c);
    if (!this.connections.has(c.id)) throw simulatedServiceError('InvalidVpnConnectionID.NotFound', `The vpnConnection ID '${id}' does not exist`, 400);
    return c;
  }

  private requireConnection(id: string): ConnectionState {
    const c = this.connections.get(id);
    if (!c) throw new Error(`the simulation has no connection ${id}`);
    return c;
  }

  private requireSecret(arn: string): SecretState {
    const secret = this.secrets.get(arn);
    if (!secret) throw new Error(`the simulation has no secret ${arn}`);
    return secret;
  }

  private requireAvailable(c: ConnectionState): void {
    if (c.phase !== 'available') {
      throw simulatedServiceError(this.invalidStateName, `The VPN connection ${c.id} is in state ${c.phase} and cannot be modified.`, 400);
    }
  }

  private startModification(c: ConnectionState, tunnelIndexes: readonly number[]): void {
    const now = this.clock.now();
    c.phase = 'modifying';
    c.phaseEndsAt = now + this.draw(this.modifyDuration);
    for (const i of tunnelIndexes) {
      c.tunnels[i].outages.push({ from: now, to: this.deviceConnected ? c.phaseEndsAt + this.draw(this.tunnelRecovery) : Infinity });
    }
  }

  private startDeletion(c: ConnectionState): void {
    const now = this.clock.now();
    c.phase = 'deleting';
    c.phaseEndsAt = now + this.draw(this.deletingDuration);
    for (const t of c.tunnels) t.outages.push({ from: now, to: Infinity });
  }

  /** Apply every transition due by now. */
  private settle(c: ConnectionState): void {
    const now = this.clock.now();
    if ((c.phase === 'pending' || c.phase === 'modifying') && c.phaseEndsAt <= now) {
      c.phase = 'available';
    }
    if (c.phase === 'deleting' && c.phaseEndsAt <= now) {
      c.phase = 'deleted';
      c.deletedAt = c.phaseEndsAt;
    }
    if (c.phase === 'deleted' && (c.deletedAt ?? now) + this.deletedVisibleMs <= now) {
      this.connections.delete(c.id);
    }
  }

  private tunnelDown(t: TunnelState, at: number): boolean {
    return t.outages.some(o => o.from <= at && at < o.to);
  }

  /** The latest outage boundary at or before `at`: when the tunnel last changed status. */
  private lastStatusChange(t: TunnelState, at: number): number {
    const edges = t.outages.flatMap(o => [o.from, o.to]).filter(e => e <= at);
    return edges.length > 0 ? Math.max(...edges) : at;
  }

  private wire(c: ConnectionState, creating: boolean): VpnConnection {
    const now = this.clock.now();
    // CustomerGatewayConfiguration is "present in describe-vpn-connections
    // only if the VPN connection is in the pending or available state".
    const withConfiguration = creating || c.phase === 'pending' || c.phase === 'available';
    return {
      VpnConnectionId: c.id,
      State: c.phase as VpnConnection['State'],
      Type: c.type as VpnConnection['Type'],
      CustomerGatewayId: c.customerGatewayId,
      ...(c.vpnGatewayId ? { VpnGatewayId: c.vpnGatewayId } : {}),
      ...(c.transitGatewayId ? { TransitGatewayId: c.transitGatewayId } : {}),
      ...(withConfiguration ? { CustomerGatewayConfiguration: this.configuration(c) } : {}),
      ...(c.preSharedKeyArn ? { PreSharedKeyArn: c.preSharedKeyArn } : {}),
      Category: 'VPN',
      Tags: [...c.tags].map(([Key, Value]): Tag => ({ Key, Value })),
      Options: {
        StaticRoutesOnly: c.staticRoutesOnly,
        ...(c.enableAcceleration ? { EnableAcceleration: true } : {}),
        TunnelInsideIpVersion: c.tunnelInsideIpVersion as 'ipv4',
        OutsideIpAddressType: c.outsideIpAddressType,
        LocalIpv4NetworkCidr: c.localIpv4NetworkCidr ?? '0.0.0.0/0',
        RemoteIpv4NetworkCidr: c.remoteIpv4NetworkCidr ?? '0.0.0.0/0',
        ...(c.tunnelBandwidth ? { TunnelBandwidth: c.tunnelBandwidth as 'standard' } : {}),
        TunnelOptions: c.tunnels.map(t => ({
          OutsideIpAddress: t.outsideIp,
          TunnelInsideCidr: t.insideCidr,
          ...(t.insideIpv6Cidr ? { TunnelInsideIpv6Cidr: t.insideIpv6Cidr } : {}),
          // ASSUMPTION: with keys kept in Secrets Manager, Describe does not report them.
          ...(c.preSharedKeyArn ? {} : { PreSharedKey: t.preSharedKey }),
          ...t.options,
        })),
      },
      VgwTelemetry: c.tunnels.map(t => ({
        OutsideIpAddress: t.outsideIp,
        Status: this.tunnelDown(t, now) ? 'DOWN' : 'UP',
        LastStatusChange: new Date(this.lastStatusChange(t, now)),
        StatusMessage: this.tunnelDown(t, now) ? 'IPSEC IS DOWN' : '',
        AcceptedRouteCount: 0,
      })),
    };
  }

  /** SYNTHETIC configuration text: enough to carry what a real one carries (addresses and keys). */
  private configuration(c: ConnectionState): string {
    return [
      `# SIMULATED customer gateway configuration for ${c.id} (not AWS's format)`,
      ...c.tunnels.map((t, i) => `tunnel ${i + 1}: outside ${t.outsideIp} inside ${t.insideCidr} pre-shared-key ${t.preSharedKey}`),
    ].join('\n');
  }

  /** The Describe shape of options set through the API (AWS reports only those). */
  /** ASSUMPTION: the wording of AWS's refusal of 'large' on a virtual private gateway is unknown; the code is InvalidParameterValue. */
  private checkBandwidth(bandwidth: string, vpnGatewayId: string | undefined): string {
    if (bandwidth !== 'standard' && bandwidth !== 'large') {
      throw simulatedServiceError('InvalidParameterValue', `The tunnel bandwidth '${bandwidth}' is invalid.`, 400);
    }
    if (bandwidth === 'large' && vpnGatewayId) {
      throw simulatedServiceError('InvalidParameterValue', 'Large tunnel bandwidth is supported only for transit gateway and Cloud WAN VPN connections.', 400);
    }
    return bandwidth;
  }

  private toReportedOptions(spec: Omit<VpnTunnelOptionsSpecification, 'TunnelInsideCidr' | 'TunnelInsideIpv6Cidr' | 'PreSharedKey'>): TunnelState['options'] {
    const { DPDTimeoutSeconds, DPDTimeoutAction, IKEVersions, ...rest } = spec;
    return {
      ...rest,
      ...(DPDTimeoutSeconds !== undefined ? { DpdTimeoutSeconds: DPDTimeoutSeconds } : {}),
      ...(DPDTimeoutAction !== undefined ? { DpdTimeoutAction: DPDTimeoutAction } : {}),
      ...(IKEVersions !== undefined ? { IkeVersions: IKEVersions } : {}),
    } as TunnelState['options'];
  }

  private validateTunnelSpec(spec: VpnTunnelOptionsSpecification | ModifyVpnTunnelOptionsSpecification): void {
    if (spec.PreSharedKey !== undefined && (!PSK.test(spec.PreSharedKey) || spec.PreSharedKey.startsWith('0'))) {
      // The real message's wording is unknown; this one does not quote the key.
      throw simulatedServiceError('InvalidParameterValue', 'The pre-shared key is invalid.', 400);
    }
    if (spec.TunnelInsideCidr !== undefined && (!spec.TunnelInsideCidr.startsWith('169.254.') || !spec.TunnelInsideCidr.endsWith('/30')
      || RESERVED_INSIDE.has(spec.TunnelInsideCidr))) {
      throw simulatedServiceError('InvalidParameterValue', `The tunnel inside CIDR ${spec.TunnelInsideCidr} is invalid.`, 400);
    }
    const p1 = spec.Phase1LifetimeSeconds;
    const p2 = spec.Phase2LifetimeSeconds;
    if (p1 !== undefined && (p1 < 900 || p1 > 28_800)) throw simulatedServiceError('InvalidParameterValue', 'Phase1LifetimeSeconds is out of range.', 400);
    if (p2 !== undefined && (p2 < 900 || p2 > 3_600)) throw simulatedServiceError('InvalidParameterValue', 'Phase2LifetimeSeconds is out of range.', 400);
  }

  private nextOutsideIp(): string {
    this.ipSerial++;
    return `203.0.113.${this.ipSerial}`;
  }

  private freeInsideCidr(): string {
    for (;;) {
      const third = 6 + Math.floor(this.random() * 240);
      const fourth = Math.floor(this.random() * 64) * 4;
      const cidr = `169.254.${third}.${fourth}/30`;
      const used = [...this.connections.values()].some(c => c.tunnels.some(t => t.insideCidr === cidr));
      if (!RESERVED_INSIDE.has(cidr) && !used) return cidr;
    }
  }

  private generatedKey(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._';
    let key = 'k';
    for (let i = 0; i < 31; i++) key += alphabet[Math.floor(this.random() * alphabet.length)];
    return key;
  }

  private hexId(): string {
    return (0x1000000 + ++this.serial).toString(16).padStart(17, '0');
  }

  private draw(range: DurationRange): number {
    return Math.round(range.minMs + this.random() * (range.maxMs - range.minMs));
  }
}
