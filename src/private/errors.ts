import { IConstruct } from 'constructs';

/**
 * A synth-time validation failure. Its message names the prop, the value and
 * the fix, and it carries the path of the construct that rejected the input.
 *
 * aws-cdk-lib's own ValidationError is `@internal`; importing it through a deep
 * path broke users of other libraries (aws/aws-cdk PRs #34691 and #36414), so
 * we keep our own.
 */
export class NetworkAccessValidationError extends Error {
  /** Construct path of the construct that raised the error. */
  public readonly constructPath: string;

  constructor(message: string, scope: IConstruct) {
    super(`${scope.node.path}: ${message}`);
    this.name = 'NetworkAccessValidationError';
    this.constructPath = scope.node.path;
  }
}
