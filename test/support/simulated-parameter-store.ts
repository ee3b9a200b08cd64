/**
 * A stateful simulated Systems Manager Parameter Store, for the handlers that
 * keep small records there (rule-set ownership, the enforcement lease).
 *
 * It implements the operations those records use with the semantics that
 * matter to them: PutParameter refuses to overwrite unless asked
 * (`ParameterAlreadyExists`, the create-if-absent the lease relies on) and
 * refuses values over the Standard tier's 4 KB; GetParametersByPath pages at
 * most 10 per call and is recursive only when asked; a missing name is
 * `ParameterNotFound`. Faults can be injected per operation (throttling, or
 * any error name) so the handlers' retry paths are exercised too.
 */
import {
  DeleteParameterCommand,
  DeleteParameterCommandInput,
  DeleteParametersCommand,
  DeleteParametersCommandInput,
  GetParameterCommand,
  GetParameterCommandInput,
  GetParametersByPathCommand,
  GetParametersByPathCommandInput,
  PutParameterCommand,
  PutParameterCommandInput,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';

export type SimulatedParameterOperation =
  | 'PutParameter'
  | 'GetParameter'
  | 'GetParametersByPath'
  | 'DeleteParameter'
  | 'DeleteParameters';

export const SIMULATED_PARAMETER_OPERATIONS: readonly SimulatedParameterOperation[] = [
  'PutParameter', 'GetParameter', 'GetParametersByPath', 'DeleteParameter', 'DeleteParameters',
];

/** The Standard tier's value limit. */
export const STANDARD_VALUE_LIMIT_BYTES = 4096;
const NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;

interface StoredParameter {
  readonly value: string;
  readonly version: number;
  readonly modifiedAt: number;
}

export interface SimulatedParameterStoreOptions {
  /** Virtual time (epoch ms) for LastModifiedDate. @default Date.now */
  readonly now?: () => number;
}

/** Builds an error the way SDK v3's SSM (JSON) protocol does. */
export function simulatedSsmError(name: string, message: string, httpStatusCode = 400): SSMServiceException {
  return new SSMServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, requestId: `sim-${name}`, attempts: 1, totalRetryDelay: 0 },
    message,
  });
}

export class SimulatedParameterStore {
  private readonly parameters = new Map<string, StoredParameter>();
  private readonly faults = new Map<SimulatedParameterOperation, string[]>();
  private readonly counts: Record<SimulatedParameterOperation, number> = {
    PutParameter: 0, GetParameter: 0, GetParametersByPath: 0, DeleteParameter: 0, DeleteParameters: 0,
  };
  private readonly now: () => number;
  private stub?: AwsClientStub<SSMClient>;

  constructor(options: SimulatedParameterStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Route SSMClient#send to this simulation; other SSM commands reject. */
  install(): AwsClientStub<SSMClient> {
    if (this.stub) return this.stub;
    const stub = mockClient(SSMClient);
    const unsupported = new Error(
      'SimulationUnsupportedOperation: the simulated Parameter Store implements only ' + SIMULATED_PARAMETER_OPERATIONS.join(', '));
    unsupported.name = 'SimulationUnsupportedOperation';
    stub.onAnyCommand().rejects(unsupported);
    stub.on(PutParameterCommand).callsFake((input: PutParameterCommandInput) => this.call('PutParameter', () => this.put(input)));
    stub.on(GetParameterCommand).callsFake((input: GetParameterCommandInput) => this.call('GetParameter', () => this.get(input)));
    stub.on(GetParametersByPathCommand).callsFake(
      (input: GetParametersByPathCommandInput) => this.call('GetParametersByPath', () => this.byPath(input)));
    stub.on(DeleteParameterCommand).callsFake((input: DeleteParameterCommandInput) => this.call('DeleteParameter', () => this.delete(input)));
    stub.on(DeleteParametersCommand).callsFake(
      (input: DeleteParametersCommandInput) => this.call('DeleteParameters', () => this.deleteMany(input)));
    this.stub = stub;
    return stub;
  }

  restore(): void {
    this.stub?.restore();
    this.stub = undefined;
  }

  // ---------------------------------------------------------- test set-up

  /** The next `times` calls of `operation` fail with `errorName` (default throttling). */
  failNext(operation: SimulatedParameterOperation, times = 1, errorName = 'ThrottlingException'): void {
    const queue = this.faults.get(operation) ?? [];
    for (let i = 0; i < times; i++) queue.push(errorName);
    this.faults.set(operation, queue);
  }

  /** Set a value directly (no call counted). */
  seed(name: string, value: string): void {
    const previous = this.parameters.get(name);
    this.parameters.set(name, { value, version: (previous?.version ?? 0) + 1, modifiedAt: this.now() });
  }

  // ---------------------------------------------------------- inspection

  value(name: string): string | undefined {
    return this.parameters.get(name)?.value;
  }

  /** Names under `prefix` (every name when omitted), sorted. */
  names(prefix = '/'): string[] {
    return [...this.parameters.keys()].filter(name => name.startsWith(prefix)).sort();
  }

  callCount(operation: SimulatedParameterOperation): number {
    return this.counts[operation];
  }

  // ---------------------------------------------------------- operations

  private async call<T>(operation: SimulatedParameterOperation, run: () => T): Promise<T> {
    this.counts[operation]++;
    const fault = this.faults.get(operation)?.shift();
    if (fault !== undefined) {
      throw simulatedSsmError(fault, `simulated ${fault} on ${operation}`, fault === 'InternalServerError' ? 500 : 400);
    }
    return run();
  }

  private checkName(name: string | undefined): string {
    if (name === undefined || !NAME.test(name) || name.endsWith('/')) {
      throw simulatedSsmError('ValidationException', `Parameter name: '${name}' is not valid`);
    }
    return name;
  }

  private put(input: PutParameterCommandInput) {
    const name = this.checkName(input.Name);
    const value = input.Value ?? '';
    if (value.length === 0) {
      throw simulatedSsmError('ValidationException', 'Value must not be empty');
    }
    if (input.Tier !== undefined && input.Tier !== 'Standard') {
      throw simulatedSsmError('ValidationException', `the simulation keeps Standard parameters only (asked for ${input.Tier})`);
    }
    if (Buffer.byteLength(value, 'utf8') > STANDARD_VALUE_LIMIT_BYTES) {
      throw simulatedSsmError('ValidationException',
        `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${STANDARD_VALUE_LIMIT_BYTES}`);
    }
    const existing = this.parameters.get(name);
    if (existing && input.Overwrite !== true) {
      throw simulatedSsmError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    const version = (existing?.version ?? 0) + 1;
    this.parameters.set(name, { value, version, modifiedAt: this.now() });
    return { Version: version, Tier: 'Standard' as const, $metadata: {} };
  }

  private describe(name: string, parameter: StoredParameter) {
    return {
      Name: name,
      Type: 'String' as const,
      Value: parameter.value,
      Version: parameter.version,
      LastModifiedDate: new Date(parameter.modifiedAt),
      ARN: `arn:aws:ssm:us-east-1:111111111111:parameter${name}`,
      DataType: 'text',
    };
  }

  private get(input: GetParameterCommandInput) {
    const name = this.checkName(input.Name);
    const parameter = this.parameters.get(name);
    if (!parameter) throw simulatedSsmError('ParameterNotFound', `Parameter ${name} not found.`);
    return { Parameter: this.describe(name, parameter), $metadata: {} };
  }

  private byPath(input: GetParametersByPathCommandInput) {
    const path = input.Path ?? '';
    if (!path.startsWith('/')) throw simulatedSsmError('ValidationException', `Path '${path}' must start with /`);
    const max = input.MaxResults ?? 10;
    if (max < 1 || max > 10) throw simulatedSsmError('ValidationException', 'MaxResults must be between 1 and 10');
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const matching = [...this.parameters.keys()].sort().filter(name => name.startsWith(prefix)
      && (input.Recursive === true || !name.slice(prefix.length).includes('/')));
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    if (!Number.isInteger(start) || start < 0 || start > matching.length) {
      throw simulatedSsmError('InvalidNextToken', 'The specified token is not valid.');
    }
    const page = matching.slice(start, start + max);
    const next = start + max < matching.length ? String(start + max) : undefined;
    return {
      Parameters: page.map(name => this.describe(name, this.parameters.get(name)!)),
      ...(next === undefined ? {} : { NextToken: next }),
      $metadata: {},
    };
  }

  private delete(input: DeleteParameterCommandInput) {
    const name = this.checkName(input.Name);
    if (!this.parameters.delete(name)) throw simulatedSsmError('ParameterNotFound', `Parameter ${name} not found.`);
    return { $metadata: {} };
  }

  private deleteMany(input: DeleteParametersCommandInput) {
    const names = input.Names ?? [];
    if (names.length < 1 || names.length > 10) throw simulatedSsmError('ValidationException', 'Names must hold 1 to 10 names');
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of names) {
      (this.parameters.delete(name) ? deleted : invalid).push(name);
    }
    return { DeletedParameters: deleted, InvalidParameters: invalid, $metadata: {} };
  }
}
