/**
 * Typed events of aws-cdk-lib's custom-resources Provider framework, as the
 * user handlers (`onEvent`, `isComplete`) receive them.
 *
 * The framework passes whatever extra top-level fields `onEvent` returns on to
 * every `isComplete` call (it spreads the onEvent result into the waiter's
 * input), which is how a handler hands itself a deadline.
 */

export type RequestType = 'Create' | 'Update' | 'Delete';

interface BaseRequest<P> {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: P;
}

export interface CreateRequest<P> extends BaseRequest<P> {
  readonly RequestType: 'Create';
}

export interface UpdateRequest<P> extends BaseRequest<P> {
  readonly RequestType: 'Update';
  readonly PhysicalResourceId: string;
  readonly OldResourceProperties: P;
}

export interface DeleteRequest<P> extends BaseRequest<P> {
  readonly RequestType: 'Delete';
  readonly PhysicalResourceId: string;
}

/** What `onEvent` receives. Properties are `unknown` until the handler has validated them. */
export type OnEventRequest<P = unknown> = CreateRequest<P> | UpdateRequest<P> | DeleteRequest<P>;

/** What `onEvent` returns. Extra fields reach `isComplete` unchanged. */
export interface OnEventResponse {
  readonly PhysicalResourceId?: string;
  readonly Data?: Record<string, string>;
  readonly NoEcho?: boolean;
  /** Epoch milliseconds after which `isComplete` gives up with a reason. */
  readonly Deadline?: number;
  /**
   * Epoch milliseconds at which `onEvent` accepted the request: the cutoff of
   * session terminations (sessions established later are not this request's).
   */
  readonly AcceptedAt?: number;
  /**
   * Epoch milliseconds until which a target the service does not describe
   * yet (one created earlier in the same deploy, which EC2 can take a moment
   * to show) is waited for rather than failed on.
   */
  readonly NotFoundGraceUntil?: number;
}

/** What `isComplete` receives: the request plus what `onEvent` returned. */
export type IsCompleteRequest<P = unknown> = OnEventRequest<P> & {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  readonly Deadline?: number;
  readonly AcceptedAt?: number;
  readonly NotFoundGraceUntil?: number;
};

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  /** Only allowed with IsComplete: true (the framework rejects Data otherwise). */
  readonly Data?: Record<string, string>;
}
