import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One cdk-nag rule suppression: the rule, why, and optionally which findings. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  /** Finding ids (`Resource::*`) or `{ regex: '/.../g' }` patterns, as cdk-nag reads them. */
  readonly appliesTo?: Array<string | { readonly regex: string }>;
}

/**
 * Record cdk-nag suppressions on every CloudFormation resource below `scope`,
 * in the metadata format cdk-nag reads (`cdk_nag.rules_to_suppress`).
 *
 * Written here rather than imported from cdk-nag so that the library has no
 * runtime dependency on it: users who do not run cdk-nag pay nothing, users
 * who do see our findings already explained.
 */
export function suppressNagRules(scope: IConstruct, suppressions: NagSuppression[]): void {
  for (const child of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(child)) {
      continue;
    }
    const existing = (child.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as Array<Record<string, unknown>>;
    const merged = [...existing];
    for (const s of suppressions) {
      const index = merged.findIndex(e => e.id === s.id);
      if (index < 0) {
        merged.push({ id: s.id, reason: s.reason, ...(s.appliesTo ? { applies_to: s.appliesTo } : {}) });
      } else if (s.appliesTo && Array.isArray(merged[index].applies_to)) {
        // A granular rule suppressed for more findings by a later caller (a
        // construct adding a scoped wildcard to a shared role): one entry per
        // rule, with both reasons and every finding.
        const entry = merged[index];
        const appliesTo = entry.applies_to as Array<string | { readonly regex: string }>;
        const added = s.appliesTo.filter(a => !appliesTo.some(b => JSON.stringify(b) === JSON.stringify(a)));
        if (added.length > 0) {
          merged[index] = { ...entry, reason: `${entry.reason} ${s.reason}`, applies_to: [...appliesTo, ...added] };
        }
      }
    }
    child.addMetadata('cdk_nag', { rules_to_suppress: merged });
  }
}
