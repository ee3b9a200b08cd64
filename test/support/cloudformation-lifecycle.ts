/**
 * A lifecycle driver that plays CloudFormation plus aws-cdk-lib's custom
 * resource Provider framework against a handler module (`onEvent`,
 * `isComplete`), on a virtual clock.
 *
 * What it reproduces, from aws-cdk-lib 2.236's
 * custom-resources/lib/provider-framework/runtime/{framework,cfn-response}.js
 * and waiter-state-machine.js:
 * - onEvent's result is merged as `{...request, ...result, PhysicalResourceId}`;
 *   the physical id defaults to RequestId on Create and the current id on
 *   Update/Delete; a Delete that changes it fails.
 * - A Create whose onEvent fails gets the physical id
 *   `AWSCDK::CustomResourceProviderFramework::CREATE_FAILED`, and a Delete with
 *   that id is answered SUCCESS without calling the handler. A Create that
 *   fails later (isComplete, timeout) keeps the id onEvent returned, so its
 *   Delete does reach the handler.
 * - The waiter calls isComplete at once, then every queryInterval, at most
 *   totalTimeout/queryInterval more times, then fails "Operation timed out".
 *   A throw from isComplete fails at once; `IsComplete: false` with Data fails.
 *   The final response is `{...event, ...result, Data: {...event.Data, ...result.Data}}`.
 * - A failure Reason is the error message plus the `Logs: /aws/lambda/<fn>` line
 *   and the stack trace, as the framework's safeHandler sends it.
 *
 * What it reproduces of CloudFormation: scalar properties arrive as strings,
 * ServiceToken is among ResourceProperties, a new physical id on Update is a
 * replacement whose old id is deleted (with the old properties) after the
 * update, a failed update rolls back with an Update carrying old and new
 * swapped, a failed create rolls back with a Delete, a response body over
 * 4096 bytes is refused, and the same request can be delivered twice.
 *
 * Lost invocations (a SimulatedCrash, or any invocation after which the crash
 * source reports a crash) are re-delivered: onEvent by CloudFormation/Lambda's
 * asynchronous retry with the same RequestId, isComplete by the waiter's next
 * attempt. (In the real framework a *user* function that dies is reported to
 * the framework as a FunctionError and becomes FAILED; re-delivery is what
 * happens when the framework's own invocation is lost. The driver plays the
 * latter because that is the case handlers must survive without help.)
 */
import { isSimulatedCrash } from './simulated-client-vpn';
import type { SimulatedClock } from './simulated-clock';
import type { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from '../../lambda/shared/events';
import { CLIENT_VPN_AUTHORIZATIONS_RESOURCE_TYPE } from '../../src/private/contract/client-vpn-authorizations';

export const CREATE_FAILED_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
export const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';
export const OPERATION_TIMED_OUT = 'Operation timed out';
/** CloudFormation refuses larger custom-resource responses. */
export const RESPONSE_BODY_LIMIT_BYTES = 4096;

/** The handler module under test. Method syntax keeps parameter types bivariant, so a handler may narrow them. */
export interface ProviderHandler {
  onEvent(event: OnEventRequest): Promise<OnEventResponse | undefined | void>;
  isComplete?(event: IsCompleteRequest): Promise<IsCompleteResponse>;
}

/** Something that knows whether the last invocation's process died (SimulatedClientVpnService does). */
export interface CrashSource {
  consumeCrash(): boolean;
}

export type ResourceProperties = Readonly<Record<string, unknown>>;

export interface LifecycleDriverOptions {
  readonly handler: ProviderHandler;
  readonly clock: SimulatedClock;
  /** @default 10 */
  readonly queryIntervalSeconds?: number;
  /** @default 3600 (the framework's maximum) */
  readonly totalTimeoutSeconds?: number;
  /** @default 'Authorizations' */
  readonly logicalResourceId?: string;
  /** @default 'Custom::NetworkAccessClientVpnAuthorizations' */
  readonly resourceType?: string;
  /** @default 'LifecycleTest' */
  readonly stackName?: string;
  readonly crashSources?: readonly CrashSource[];
  /** How often a lost onEvent invocation is re-delivered before giving up. @default 2 (Lambda's asynchronous retries) */
  readonly maxRedeliveries?: number;
  /** Virtual time one handler invocation may take before Lambda kills it. @default 900 */
  readonly handlerTimeoutSeconds?: number;
}

/** The body the framework PUTs to the ResponseURL (cfn-response.js submitResponse). */
export interface ProviderResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Readonly<Record<string, unknown>>;
}

export type RequestType = 'Create' | 'Update' | 'Delete';

/** One request as CloudFormation would send it, before it is turned into an event. */
export interface RequestSpec {
  readonly requestType: RequestType;
  readonly properties: ResourceProperties;
  readonly oldProperties?: ResourceProperties;
  readonly physicalResourceId?: string;
  /** Reuse a RequestId (re-delivery); a fresh one otherwise. */
  readonly requestId?: string;
}

export type Delivery = 'once' | 'twice-sequential' | 'twice-interleaved';

export type StackStatus =
  | 'NOT_CREATED'
  | 'CREATE_COMPLETE' | 'CREATE_FAILED' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_COMPLETE' | 'UPDATE_FAILED' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_COMPLETE' | 'DELETE_FAILED';

/** What CloudFormation records about the resource. */
export interface ResourceState {
  readonly status: StackStatus;
  readonly physicalResourceId?: string;
  readonly properties?: ResourceProperties;
  readonly data?: Readonly<Record<string, unknown>>;
  /** Old physical ids whose cleanup Delete failed: CloudFormation gives up on them (orphaned access). */
  readonly orphanedPhysicalIds: readonly string[];
}

export interface StackOperationResult {
  readonly status: StackStatus;
  /** Every response CloudFormation received during the operation, in order (rollback and cleanup included). */
  readonly responses: readonly ProviderResponse[];
  /** The Reason of the first FAILED response. */
  readonly reason?: string;
}

export interface StackOperationOptions {
  /** Roll back on failure, as CloudFormation does unless told not to. @default true */
  readonly rollback?: boolean;
  /** Deliver the operation's main request twice (CloudFormation may). @default 'once' */
  readonly delivery?: Delivery;
}

export type LogEntry =
  | { readonly at: number; readonly kind: 'request'; readonly requestType: RequestType; readonly requestId: string; readonly physicalResourceId?: string; readonly delivery: number }
  | { readonly at: number; readonly kind: 'onEvent'; readonly requestId: string; readonly outcome: 'returned' | 'threw' | 'lost' | 'skipped'; readonly detail?: string }
  | { readonly at: number; readonly kind: 'isComplete'; readonly requestId: string; readonly attempt: number; readonly outcome: 'complete' | 'incomplete' | 'threw' | 'lost'; readonly detail?: string }
  | { readonly at: number; readonly kind: 'response'; readonly requestId: string; readonly status: 'SUCCESS' | 'FAILED'; readonly physicalResourceId: string; readonly reason: string }
  | { readonly at: number; readonly kind: 'stack'; readonly operation: string; readonly status: StackStatus };

type Invocation<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'lost'; readonly error?: unknown };

/** CloudFormation hands every scalar property to custom resources as a string. */
export function cloudFormationProperties(value: unknown): unknown {
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(cloudFormationProperties);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloudFormationProperties(v)]));
  }
  return value;
}

/** Lambda payloads are JSON: what a handler receives or returns is a copy without undefined, functions or prototypes. */
function viaJson<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value)) as T;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A Waiter run: one per request whose onEvent succeeded and that has an isComplete handler. */
interface WaiterRun {
  readonly event: Record<string, unknown> & { readonly RequestId: string };
  attempt: number;
  response?: ProviderResponse;
}

export class CloudFormationLifecycleDriver {
  readonly clock: SimulatedClock;
  private readonly handler: ProviderHandler;
  private readonly queryIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly logicalResourceId: string;
  private readonly resourceType: string;
  private readonly stackName: string;
  private readonly stackId: string;
  private readonly serviceToken: string;
  private readonly crashSources: readonly CrashSource[];
  private readonly maxRedeliveries: number;
  private readonly handlerTimeoutMs: number;

  private requestSerial = 0;
  private readonly entries: LogEntry[] = [];
  private resource: ResourceState = { status: 'NOT_CREATED', orphanedPhysicalIds: [] };

  constructor(options: LifecycleDriverOptions) {
    this.handler = options.handler;
    this.clock = options.clock;
    const interval = options.queryIntervalSeconds ?? 10;
    const total = options.totalTimeoutSeconds ?? 3600;
    const attempts = total / interval;
    // Same check as the framework's calculateRetryPolicy.
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new Error(`totalTimeout=${total}s is not integrally dividable by queryInterval=${interval}s`);
    }
    this.queryIntervalMs = interval * 1000;
    this.maxAttempts = attempts;
    this.logicalResourceId = options.logicalResourceId ?? 'Authorizations';
    this.resourceType = options.resourceType ?? CLIENT_VPN_AUTHORIZATIONS_RESOURCE_TYPE;
    this.stackName = options.stackName ?? 'LifecycleTest';
    this.stackId = `arn:aws:cloudformation:us-east-1:123456789012:stack/${this.stackName}/5b3c2e10-0000-4000-8000-000000000000`;
    this.serviceToken = `arn:aws:lambda:us-east-1:123456789012:function:${this.stackName}-ProviderframeworkonEvent`;
    this.crashSources = options.crashSources ?? [];
    this.maxRedeliveries = options.maxRedeliveries ?? 2;
    this.handlerTimeoutMs = (options.handlerTimeoutSeconds ?? 900) * 1000;
  }

  // ------------------------------------------------------ stack operations

  /** What CloudFormation records about the resource now. */
  get state(): ResourceState {
    return this.resource;
  }

  get log(): readonly LogEntry[] {
    return this.entries;
  }

  /** The log as text, for failure messages. */
  formatLog(): string {
    return this.entries.map(e => {
      const t = `+${((e.at - this.entries[0].at) / 1000).toFixed(1)}s`;
      switch (e.kind) {
        case 'request': return `${t} ${e.requestType} ${e.requestId} (${e.physicalResourceId ?? '-'}) delivery ${e.delivery}`;
        case 'onEvent': return `${t}   onEvent ${e.outcome}${e.detail ? `: ${e.detail}` : ''}`;
        case 'isComplete': return `${t}   isComplete #${e.attempt} ${e.outcome}${e.detail ? `: ${e.detail}` : ''}`;
        case 'response': return `${t}   => ${e.status} ${e.physicalResourceId}${e.status === 'FAILED' ? `: ${e.reason.split('\n')[0]}` : ''}`;
        default: return `${t} stack ${e.operation}: ${e.status}`;
      }
    }).join('\n');
  }

  /** Create the resource; on failure roll back (Delete) unless `rollback: false`. */
  async create(properties: ResourceProperties, options: StackOperationOptions = {}): Promise<StackOperationResult> {
    if (this.resource.status !== 'NOT_CREATED' && this.resource.status !== 'DELETE_COMPLETE') {
      throw new Error(`create: the resource is ${this.resource.status}`);
    }
    const responses: ProviderResponse[] = [];
    const response = await this.sendWith(options.delivery, { requestType: 'Create', properties }, responses);
    this.resource = {
      status: response.Status === 'SUCCESS' ? 'CREATE_COMPLETE' : 'CREATE_FAILED',
      physicalResourceId: response.PhysicalResourceId,
      properties,
      data: response.Data,
      orphanedPhysicalIds: this.resource.orphanedPhysicalIds,
    };
    if (response.Status === 'FAILED' && options.rollback !== false) {
      const rollback = await this.deleteAfterFailedCreate();
      return this.finish('create', responses.concat(rollback.responses));
    }
    return this.finish('create', responses);
  }

  /**
   * The Delete CloudFormation sends for a resource whose Create failed (stack
   * rollback, or a later stack delete after `rollback: false`).
   */
  async deleteAfterFailedCreate(): Promise<StackOperationResult> {
    if (this.resource.status !== 'CREATE_FAILED') {
      throw new Error(`deleteAfterFailedCreate: the resource is ${this.resource.status}`);
    }
    const response = await this.send({
      requestType: 'Delete',
      properties: this.resource.properties ?? {},
      physicalResourceId: this.resource.physicalResourceId,
    });
    this.resource = {
      ...this.resource,
      status: response.Status === 'SUCCESS' ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED',
    };
    return this.finish('deleteAfterFailedCreate', [response]);
  }

  /**
   * Update to `properties`. A new physical id is a replacement: after success
   * the old id is deleted with the old properties. On failure, roll back
   * unless `rollback: false`.
   */
  async update(properties: ResourceProperties, options: StackOperationOptions = {}): Promise<StackOperationResult> {
    const current = this.requireLive('update');
    const responses: ProviderResponse[] = [];
    const response = await this.sendWith(options.delivery, {
      requestType: 'Update',
      properties,
      oldProperties: current.properties,
      physicalResourceId: current.physicalResourceId,
    }, responses);

    if (response.Status === 'SUCCESS') {
      this.resource = { ...this.resource, status: 'UPDATE_COMPLETE', physicalResourceId: response.PhysicalResourceId, properties, data: response.Data };
      if (response.PhysicalResourceId !== current.physicalResourceId) {
        await this.cleanupDelete(current.physicalResourceId, current.properties, responses);
      }
      return this.finish('update', responses);
    }

    this.resource = { ...this.resource, status: 'UPDATE_FAILED' };
    if (options.rollback === false) {
      return this.finish('update', responses);
    }
    // Rollback: old and new swapped, addressed to the id the failed update reported.
    const failedId = response.PhysicalResourceId;
    const rollback = await this.send({
      requestType: 'Update',
      properties: current.properties,
      oldProperties: properties,
      physicalResourceId: failedId,
    });
    responses.push(rollback);
    if (rollback.Status === 'FAILED') {
      this.resource = { ...this.resource, status: 'UPDATE_ROLLBACK_FAILED', physicalResourceId: failedId };
      return this.finish('update', responses);
    }
    this.resource = {
      ...this.resource,
      status: 'UPDATE_ROLLBACK_COMPLETE',
      physicalResourceId: rollback.PhysicalResourceId,
      properties: current.properties,
      data: rollback.Data,
    };
    if (rollback.PhysicalResourceId !== failedId) {
      await this.cleanupDelete(failedId, properties, responses);
    }
    return this.finish('update', responses);
  }

  /** Delete the resource (stack delete, or removal from the template). */
  async delete(options: Pick<StackOperationOptions, 'delivery'> = {}): Promise<StackOperationResult> {
    const current = this.requireLive('delete');
    const responses: ProviderResponse[] = [];
    const response = await this.sendWith(options.delivery, {
      requestType: 'Delete',
      properties: current.properties,
      physicalResourceId: current.physicalResourceId,
    }, responses);
    this.resource = { ...this.resource, status: response.Status === 'SUCCESS' ? 'DELETE_COMPLETE' : 'DELETE_FAILED' };
    return this.finish('delete', responses);
  }

  // ------------------------------------------------------ request delivery

  /** Build the event CloudFormation would send for `spec`. */
  buildRequest(spec: RequestSpec): OnEventRequest {
    const requestId = spec.requestId ?? this.nextRequestId();
    const base = {
      RequestType: spec.requestType,
      ServiceToken: this.serviceToken,
      ResponseURL: `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/${encodeURIComponent(this.stackId)}%7C${this.logicalResourceId}%7C${requestId}?X-Amz-Signature=SECRET-SIGNATURE`,
      StackId: this.stackId,
      RequestId: requestId,
      LogicalResourceId: this.logicalResourceId,
      ResourceType: this.resourceType,
      ResourceProperties: this.resourceProperties(spec.properties),
    };
    switch (spec.requestType) {
      case 'Create':
        return { ...base, RequestType: 'Create' };
      case 'Update':
        if (spec.physicalResourceId === undefined || spec.oldProperties === undefined) {
          throw new Error('an Update needs physicalResourceId and oldProperties');
        }
        return {
          ...base,
          RequestType: 'Update',
          PhysicalResourceId: spec.physicalResourceId,
          OldResourceProperties: this.resourceProperties(spec.oldProperties),
        };
      default:
        if (spec.physicalResourceId === undefined) throw new Error('a Delete needs physicalResourceId');
        return { ...base, RequestType: 'Delete', PhysicalResourceId: spec.physicalResourceId };
    }
  }

  /** Deliver one request through the framework and wait for its response. */
  async send(spec: RequestSpec): Promise<ProviderResponse> {
    return this.deliver(this.buildRequest(spec));
  }

  /** Deliver an already built request (re-delivery reuses its RequestId). */
  async deliver(request: OnEventRequest, delivery = 1): Promise<ProviderResponse> {
    const started = await this.frameworkOnEvent(request, delivery);
    if ('response' in started) return started.response;
    while (!started.waiter.response) {
      await this.waiterStep(started.waiter);
    }
    return started.waiter.response;
  }

  /**
   * The same request delivered twice. 'twice-sequential': the second starts
   * after the first has answered. 'twice-interleaved': both onEvents run, then
   * the two waiters alternate pass by pass. Returns both responses in
   * completion order; CloudFormation acts on the first.
   */
  async deliverTwice(spec: RequestSpec, mode: Exclude<Delivery, 'once'>): Promise<[ProviderResponse, ProviderResponse]> {
    const request = this.buildRequest(spec);
    if (mode === 'twice-sequential') {
      const first = await this.deliver(request, 1);
      const second = await this.deliver(request, 2);
      return [first, second];
    }
    const a = await this.frameworkOnEvent(request, 1);
    const b = await this.frameworkOnEvent(request, 2);
    const done: ProviderResponse[] = [];
    const runs: WaiterRun[] = [];
    for (const started of [a, b]) {
      if ('response' in started) done.push(started.response);
      else runs.push(started.waiter);
    }
    while (runs.some(r => !r.response)) {
      for (const run of runs) {
        if (run.response) continue;
        await this.waiterAttempt(run);
        if (run.response) done.push(run.response);
      }
      if (runs.some(r => !r.response)) this.clock.advance(this.queryIntervalMs);
    }
    return [done[0], done[1]];
  }

  // -------------------------------------------------------------- internals

  private async sendWith(delivery: Delivery | undefined, spec: RequestSpec, responses: ProviderResponse[]): Promise<ProviderResponse> {
    if (delivery === undefined || delivery === 'once') {
      const response = await this.send(spec);
      responses.push(response);
      return response;
    }
    const both = await this.deliverTwice(spec, delivery);
    responses.push(...both);
    return both[0];
  }

  /** A replaced resource's old id is deleted after the update; CloudFormation tries three times, then gives up. */
  private async cleanupDelete(physicalResourceId: string, properties: ResourceProperties, responses: ProviderResponse[]): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await this.send({ requestType: 'Delete', properties, physicalResourceId });
      responses.push(response);
      if (response.Status === 'SUCCESS') return;
    }
    this.resource = { ...this.resource, orphanedPhysicalIds: [...this.resource.orphanedPhysicalIds, physicalResourceId] };
  }

  private requireLive(operation: string): { physicalResourceId: string; properties: ResourceProperties } {
    const live: StackStatus[] = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_FAILED', 'DELETE_FAILED'];
    if (!live.includes(this.resource.status) || !this.resource.physicalResourceId || !this.resource.properties) {
      throw new Error(`${operation}: the resource is ${this.resource.status}`);
    }
    return { physicalResourceId: this.resource.physicalResourceId, properties: this.resource.properties };
  }

  private finish(operation: string, responses: ProviderResponse[]): StackOperationResult {
    this.entries.push({ at: this.clock.now(), kind: 'stack', operation, status: this.resource.status });
    const failed = responses.find(r => r.Status === 'FAILED');
    return { status: this.resource.status, responses, ...(failed ? { reason: failed.Reason } : {}) };
  }

  private nextRequestId(): string {
    return `00000000-0000-4000-8000-${(++this.requestSerial).toString(16).padStart(12, '0')}`;
  }

  private resourceProperties(properties: ResourceProperties): Record<string, unknown> {
    return cloudFormationProperties({ ServiceToken: this.serviceToken, ...properties }) as Record<string, unknown>;
  }

  /**
   * The framework's onEvent (safeHandler + onEvent + createResponseEvent), with
   * CloudFormation's re-delivery of a lost invocation.
   */
  private async frameworkOnEvent(
    request: OnEventRequest,
    delivery: number,
  ): Promise<{ response: ProviderResponse } | { waiter: WaiterRun }> {
    this.entries.push({
      at: this.clock.now(),
      kind: 'request',
      requestType: request.RequestType,
      requestId: request.RequestId,
      physicalResourceId: 'PhysicalResourceId' in request ? request.PhysicalResourceId : undefined,
      delivery,
    });
    if (request.RequestType === 'Delete' && request.PhysicalResourceId === CREATE_FAILED_PHYSICAL_ID_MARKER) {
      this.entries.push({ at: this.clock.now(), kind: 'onEvent', requestId: request.RequestId, outcome: 'skipped', detail: 'DELETE after failed CREATE' });
      return { response: this.respond('SUCCESS', request, { physicalResourceId: request.PhysicalResourceId }) };
    }

    for (let attempt = 0; ; attempt++) {
      const result = await this.invoke('onEvent', () => this.handler.onEvent(viaJson(request)));
      if (result.kind === 'lost') {
        this.entries.push({ at: this.clock.now(), kind: 'onEvent', requestId: request.RequestId, outcome: 'lost', detail: result.error ? messageOf(result.error) : undefined });
        if (attempt < this.maxRedeliveries) continue;
        // Nobody answers: CloudFormation waits for its own timeout.
        return { response: this.failOnEvent(request, new Error('no response: every delivery of the request was lost')) };
      }
      if (result.kind === 'threw') {
        this.entries.push({ at: this.clock.now(), kind: 'onEvent', requestId: request.RequestId, outcome: 'threw', detail: messageOf(result.error) });
        return { response: this.failOnEvent(request, result.error, 'user') };
      }
      const onEventResult = (viaJson(result.value) ?? {}) as OnEventResponse & Record<string, unknown>;
      this.entries.push({ at: this.clock.now(), kind: 'onEvent', requestId: request.RequestId, outcome: 'returned', detail: JSON.stringify(onEventResult) });

      const physicalResourceId = onEventResult.PhysicalResourceId
        || (request.RequestType === 'Create' ? request.RequestId : request.PhysicalResourceId);
      if (request.RequestType === 'Delete' && physicalResourceId !== request.PhysicalResourceId) {
        return {
          response: this.failOnEvent(request, new Error(
            `DELETE: cannot change the physical resource ID from "${request.PhysicalResourceId}" to "${onEventResult.PhysicalResourceId}" during deletion`)),
        };
      }
      const event = { ...request, ...onEventResult, PhysicalResourceId: physicalResourceId };
      if (!this.handler.isComplete) {
        return { response: this.respond('SUCCESS', event, { physicalResourceId, data: onEventResult.Data, noEcho: onEventResult.NoEcho }) };
      }
      return { waiter: { event, attempt: 0 } };
    }
  }

  /** One waiter attempt, then the poll interval if it is not done. */
  private async waiterStep(run: WaiterRun): Promise<void> {
    await this.waiterAttempt(run);
    if (!run.response) this.clock.advance(this.queryIntervalMs);
  }

  /** The waiter's Task: framework isComplete under Step Functions' Retry/Catch. */
  private async waiterAttempt(run: WaiterRun): Promise<void> {
    const attempt = ++run.attempt;
    const isComplete = this.handler.isComplete;
    if (!isComplete) throw new Error('no isComplete handler');
    const result = await this.invoke('isComplete', () => isComplete.call(this.handler, viaJson(run.event) as unknown as IsCompleteRequest));
    const requestId = run.event.RequestId;
    let retry = false;
    if (result.kind === 'lost') {
      this.entries.push({ at: this.clock.now(), kind: 'isComplete', requestId, attempt, outcome: 'lost', detail: result.error ? messageOf(result.error) : undefined });
      retry = true;
    } else if (result.kind === 'threw') {
      this.entries.push({ at: this.clock.now(), kind: 'isComplete', requestId, attempt, outcome: 'threw', detail: messageOf(result.error) });
      run.response = this.respond('FAILED', run.event, { reason: this.reasonOf(result.error, 'isComplete') });
      return;
    } else {
      const value = (viaJson(result.value) ?? {}) as IsCompleteResponse & Record<string, unknown>;
      if (!value.IsComplete) {
        if (value.Data && Object.keys(value.Data).length > 0) {
          this.entries.push({ at: this.clock.now(), kind: 'isComplete', requestId, attempt, outcome: 'threw', detail: 'Data with IsComplete false' });
          run.response = this.respond('FAILED', run.event, { reason: '"Data" is not allowed if "IsComplete" is "False"' });
          return;
        }
        this.entries.push({ at: this.clock.now(), kind: 'isComplete', requestId, attempt, outcome: 'incomplete' });
        retry = true;
      } else {
        this.entries.push({ at: this.clock.now(), kind: 'isComplete', requestId, attempt, outcome: 'complete' });
        const merged = { ...run.event, ...value, Data: { ...(run.event.Data as object | undefined), ...value.Data } };
        run.response = this.respond('SUCCESS', merged, { data: merged.Data, noEcho: run.event.NoEcho === true });
        return;
      }
    }
    // Step Functions: MaxAttempts retries after the first attempt, then Catch -> onTimeout.
    if (retry && attempt > this.maxAttempts) {
      run.response = this.respond('FAILED', run.event, { reason: OPERATION_TIMED_OUT });
    }
  }

  /** Run a user function as Lambda would: lost if the process died, failed if it overran its timeout. */
  private async invoke<T>(name: string, fn: () => Promise<T>): Promise<Invocation<T>> {
    const started = this.clock.now();
    let outcome: Invocation<T>;
    try {
      outcome = { kind: 'ok', value: await fn() };
    } catch (error) {
      outcome = isSimulatedCrash(error) ? { kind: 'lost', error } : { kind: 'threw', error };
    }
    // Ask every source, so none keeps a stale crash for the next invocation.
    const crashed = this.crashSources.map(s => s.consumeCrash()).some(Boolean);
    if (crashed && outcome.kind !== 'lost') {
      outcome = { kind: 'lost', error: outcome.kind === 'threw' ? outcome.error : undefined };
    }
    const elapsed = this.clock.now() - started;
    if (outcome.kind !== 'lost' && elapsed > this.handlerTimeoutMs) {
      outcome = { kind: 'threw', error: new Error(`${name}: Task timed out after ${(this.handlerTimeoutMs / 1000).toFixed(2)} seconds`) };
    }
    return outcome;
  }

  private failOnEvent(request: OnEventRequest, error: unknown, source: 'user' | 'framework' = 'framework'): ProviderResponse {
    // safeHandler: a failed Create without a physical id gets the marker so that its Delete is skipped.
    const physicalResourceId = 'PhysicalResourceId' in request ? request.PhysicalResourceId : CREATE_FAILED_PHYSICAL_ID_MARKER;
    const reason = source === 'user' ? this.reasonOf(error, 'onEvent') : (error instanceof Error && error.stack) || messageOf(error);
    return this.respond('FAILED', request, { physicalResourceId, reason });
  }

  /** The Reason the framework sends for a user function's error (invokeUserFunction + safeHandler). */
  private reasonOf(error: unknown, fn: 'onEvent' | 'isComplete'): string {
    const functionName = `${this.stackName}-${fn === 'onEvent' ? 'OnEventHandler' : 'IsCompleteHandler'}`;
    const message = [messageOf(error) || 'error', '', `Logs: /aws/lambda/${functionName}`, ''].join('\n');
    const trace = error instanceof Error && error.stack ? error.stack.split('\n').slice(1) : [];
    return [message, ...trace].join('\n');
  }

  private respond(
    status: 'SUCCESS' | 'FAILED',
    event: { readonly RequestId: string; readonly PhysicalResourceId?: unknown },
    options: { physicalResourceId?: string; reason?: string; data?: unknown; noEcho?: boolean } = {},
  ): ProviderResponse {
    const physicalResourceId = options.physicalResourceId
      ?? (typeof event.PhysicalResourceId === 'string' && event.PhysicalResourceId ? event.PhysicalResourceId : MISSING_PHYSICAL_ID_MARKER);
    let response: ProviderResponse = {
      Status: status,
      Reason: options.reason ?? status,
      StackId: this.stackId,
      RequestId: event.RequestId,
      PhysicalResourceId: physicalResourceId,
      LogicalResourceId: this.logicalResourceId,
      ...(options.noEcho !== undefined ? { NoEcho: options.noEcho } : {}),
      ...(options.data !== undefined ? { Data: options.data as Record<string, unknown> } : {}),
    };
    const size = Buffer.byteLength(JSON.stringify(response), 'utf8');
    if (size > RESPONSE_BODY_LIMIT_BYTES) {
      response = { ...response, Status: 'FAILED', Reason: `Response object is too long (${size} bytes).`, Data: undefined };
    }
    this.entries.push({
      at: this.clock.now(),
      kind: 'response',
      requestId: response.RequestId,
      status: response.Status,
      physicalResourceId: response.PhysicalResourceId,
      reason: response.Reason,
    });
    return response;
  }
}
