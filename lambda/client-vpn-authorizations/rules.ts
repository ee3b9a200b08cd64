/**
 * The rule model shared by the parser, the planner and the EC2 calls.
 *
 * A rule's identity is (CIDR, group or all groups): EC2 allows one rule per
 * identity on an endpoint, so that is what sets diff on. The description is
 * an attribute of the rule, not part of its identity.
 */

/** Who a rule admits to which network. `groupId` undefined means all groups. */
export interface RuleIdentity {
  readonly cidr: string;
  readonly groupId?: string;
}

/** A rule as the template declares it. */
export interface DesiredRule extends RuleIdentity {
  /** Normalised: '' when there is none (EC2 does not distinguish absent from empty). */
  readonly description: string;
}

/** An opaque, collision-free key for a rule identity. */
export type RuleKey = string;

export function ruleKey(rule: RuleIdentity): RuleKey {
  // JSON keeps "all groups" (null) apart from any group id string, including
  // ones containing separators.
  return JSON.stringify([rule.cidr, rule.groupId ?? null]);
}

/**
 * The key of a rule in the sets' ownership records: `10.0.0.0/16 group:g-1`
 * or `10.0.0.0/16 *`. Readable by an operator, and unambiguous: a CIDR holds
 * no space, and what follows it is either `*` or `group:` and the group id.
 */
export function ownershipKey(rule: RuleIdentity): string {
  return rule.groupId === undefined ? `${rule.cidr} *` : `${rule.cidr} group:${rule.groupId}`;
}

/** How failure reasons and logs name a rule: `10.0.0.0/16 group g-1` or `10.0.0.0/16 all groups`. */
export function ruleLabel(rule: RuleIdentity): string {
  return rule.groupId === undefined ? `${rule.cidr} all groups` : `${rule.cidr} group ${rule.groupId}`;
}

export function normalizeDescription(description: string | undefined | null): string {
  return description ?? '';
}

/** Sorting by key makes plans, logs and failure reasons deterministic. */
export function compareRules(a: RuleIdentity, b: RuleIdentity): number {
  const ka = ruleKey(a);
  const kb = ruleKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
