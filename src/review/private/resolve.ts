/**
 * Resolution of CloudFormation values inside one cloud assembly, before
 * deploy. A value is either known (a literal, or something that resolves to a
 * literal inside the assembly), a reference to a resource of the assembly
 * (whose identity is known even though its physical id is not), a pseudo
 * parameter, or unknown with the reason why. Nothing is ever guessed.
 */

export interface StackInput {
  /** Artifact id of the stack. */
  readonly name: string;
  /** The synthesized template. */
  readonly template: CfnTemplate;
  /** The stack's account when the assembly fixes it (a literal 12-digit id). */
  readonly account?: string;
  /** The template's file, when it was read from one. */
  readonly templatePath?: string;
  /** Construct path by logical id (from the assembly manifest or the construct tree). */
  readonly constructPaths?: Readonly<Record<string, string>>;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResourceJson>;
  readonly Parameters?: Record<string, unknown>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
}

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export type Resolved =
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'resource'; readonly stack: string; readonly logicalId: string; readonly attribute?: string }
  | { readonly kind: 'pseudo'; readonly stack: string; readonly name: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/** The stacks of an assembly, with their exports indexed. */
export class AssemblyIndex {
  public readonly stacks: ReadonlyMap<string, StackInput>;
  private readonly exports = new Map<string, { stack: string; value: unknown }>();

  constructor(stacks: readonly StackInput[]) {
    this.stacks = new Map(stacks.map(s => [s.name, s]));
    for (const s of stacks) {
      for (const output of Object.values(s.template.Outputs ?? {})) {
        const name = output?.Export?.Name;
        if (typeof name === 'string') {
          this.exports.set(name, { stack: s.name, value: output.Value });
        }
      }
    }
  }

  public resource(stack: string, logicalId: string): CfnResourceJson | undefined {
    return this.stacks.get(stack)?.template.Resources?.[logicalId];
  }

  /** Resolve `value` as it appears in `stack`'s template. */
  public resolve(stack: string, value: unknown, depth = 0): Resolved {
    if (depth > 20) {
      return { kind: 'unknown', reason: 'a reference cycle or a chain too deep to follow' };
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return { kind: 'literal', value };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { kind: 'unknown', reason: 'not a scalar value' };
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length !== 1) {
      return { kind: 'unknown', reason: 'an object where a value was expected' };
    }
    const [fn, arg] = entries[0];
    switch (fn) {
      case 'Ref':
        return this.resolveRef(stack, arg);
      case 'Fn::GetAtt':
        return this.resolveGetAtt(stack, arg, depth);
      case 'Fn::ImportValue': {
        const name = this.resolve(stack, arg, depth + 1);
        if (name.kind !== 'literal') {
          return { kind: 'unknown', reason: 'Fn::ImportValue of a name that is not known before deploy' };
        }
        const exported = this.exports.get(String(name.value));
        if (!exported) {
          return { kind: 'unknown', reason: `Fn::ImportValue of export '${name.value}', which no stack of the assembly declares` };
        }
        return this.resolve(exported.stack, exported.value, depth + 1);
      }
      case 'Fn::Join':
        return this.resolveJoin(stack, arg, depth);
      default:
        return { kind: 'unknown', reason: `${fn} is not evaluated before deploy` };
    }
  }

  /** A resolved value as text, or undefined when it is not a literal. */
  public literal(stack: string, value: unknown): string | undefined {
    if (typeof value === 'string') return value;
    const r = this.resolve(stack, value);
    return r.kind === 'literal' ? String(r.value) : undefined;
  }

  private resolveRef(stack: string, arg: unknown): Resolved {
    if (typeof arg !== 'string') {
      return { kind: 'unknown', reason: 'Ref to something that is not a name' };
    }
    if (arg.startsWith('AWS::')) {
      const account = this.stacks.get(stack)?.account;
      if (arg === 'AWS::AccountId' && account) {
        return { kind: 'literal', value: account };
      }
      return { kind: 'pseudo', stack, name: arg };
    }
    const template = this.stacks.get(stack)?.template;
    if (template?.Resources?.[arg]) {
      return { kind: 'resource', stack, logicalId: arg };
    }
    if (template?.Parameters?.[arg] !== undefined) {
      return { kind: 'unknown', reason: `Ref to parameter ${arg}, whose value is given at deploy` };
    }
    return { kind: 'unknown', reason: `Ref to ${arg}, which the template does not declare` };
  }

  private resolveGetAtt(stack: string, arg: unknown, depth: number): Resolved {
    const parts = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split('.') : [];
    const [logicalId, attribute] = parts;
    if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
      return { kind: 'unknown', reason: 'Fn::GetAtt with a malformed argument' };
    }
    const resource = this.resource(stack, logicalId);
    if (!resource) {
      return { kind: 'unknown', reason: `Fn::GetAtt of ${logicalId}, which the template does not declare` };
    }
    // The attributes that are copies of a property the template sets.
    if (resource.Type === 'AWS::EC2::VPC' && attribute === 'CidrBlock' && resource.Properties?.CidrBlock !== undefined) {
      return this.resolve(stack, resource.Properties.CidrBlock, depth + 1);
    }
    return { kind: 'resource', stack, logicalId, attribute };
  }

  private resolveJoin(stack: string, arg: unknown, depth: number): Resolved {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) {
      return { kind: 'unknown', reason: 'Fn::Join with a malformed argument' };
    }
    const parts: string[] = [];
    for (const part of arg[1] as unknown[]) {
      const r = this.resolve(stack, part, depth + 1);
      if (r.kind !== 'literal') {
        return { kind: 'unknown', reason: r.kind === 'unknown' ? r.reason : 'Fn::Join of a value known only at deploy' };
      }
      parts.push(String(r.value));
    }
    return { kind: 'literal', value: parts.join(arg[0]) };
  }
}

/** A short text for an unresolved value, for reasons and coverage. */
export function describeUnresolved(r: Resolved): string {
  switch (r.kind) {
    case 'literal': return String(r.value);
    case 'resource': return `${r.attribute ? 'Fn::GetAtt' : 'Ref'} ${r.logicalId}${r.attribute ? `.${r.attribute}` : ''}, known only at deploy`;
    case 'pseudo': return `${r.name}, known only at deploy`;
    case 'unknown': return r.reason;
  }
}
