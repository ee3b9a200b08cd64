import { Severity } from './report-types';

/** One finding rule of the review: a stable id, a severity, what it means and how to mend it. */
export interface ReviewRuleInfo {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly fix: string;
}

/**
 * Every rule the review applies. Ids are stable: suppressions and CI gates
 * name them. Add a rule here, in the README table and in the tests together.
 */
export const REVIEW_RULES: readonly ReviewRuleInfo[] = [
  {
    id: 'NA-PLAINTEXT-PSK',
    severity: 'critical',
    title: 'A VPN pre-shared key is written in plain text in a template',
    fix: 'Keep the keys in Secrets Manager (SiteToSiteVpn with PreSharedKeyStorage.SECRETS_MANAGER) or let AWS generate them.',
  },
  {
    id: 'NA-SG-OPEN-INGRESS',
    severity: 'high',
    title: 'A security group admits the whole internet (0.0.0.0/0 or ::/0)',
    fix: 'Name the networks or security groups that need access instead of every address.',
  },
  {
    id: 'NA-CVPN-ALL-USERS-BROAD',
    severity: 'high',
    title: 'All Client VPN users are authorized to a broad network',
    fix: 'Authorize the access groups that need the network, or narrow the CIDR.',
  },
  {
    id: 'NA-VPN-DEFAULT-ROUTE',
    severity: 'high',
    title: 'A site-to-site VPN static route sends every address (0.0.0.0/0) to the customer network',
    fix: 'Route only the customer networks behind the gateway.',
  },
  {
    id: 'NA-MALFORMED-RULE',
    severity: 'high',
    title: 'A grant in a template cannot be read (malformed CIDR, port or missing property)',
    fix: 'Correct the property; an escape hatch (addPropertyOverride) is the usual cause.',
  },
  {
    id: 'NA-CVPN-SHADOWED',
    severity: 'medium',
    title: 'A more specific Client VPN rule for other principals takes part of a network away from a group',
    fix: 'Add a rule for the group at the more specific CIDR too, or narrow the rule that shadows it.',
  },
  {
    id: 'NA-CVPN-AUTHORIZE-ALL-VPC',
    severity: 'medium',
    title: "aws-cdk-lib's ClientVpnEndpoint authorizes every user to the whole VPC (authorizeAllUsersToVpcCidr)",
    fix: 'Set authorizeAllUsersToVpcCidr: false and declare the access each group needs.',
  },
  {
    id: 'NA-CACHE-CROSS-ACCOUNT',
    severity: 'medium',
    title: 'A cache security group admits an EC2 security group of another account',
    fix: 'Check that the other account is meant to reach the cache; suppress with the reason if so.',
  },
  {
    id: 'NA-CVPN-NO-ROUTE',
    severity: 'medium',
    title: 'A Client VPN authorization has no route: it reaches nothing',
    fix: 'Add a Client VPN route (or a target network association) for the network, or remove the rule.',
  },
  {
    id: 'NA-CVPN-UNAUTHORIZED-ROUTE',
    severity: 'low',
    title: 'A Client VPN route that no authorization rule covers',
    fix: 'Authorize the groups that need the route, or remove it.',
  },
  {
    id: 'NA-DUPLICATE-GRANT',
    severity: 'low',
    title: 'A grant that another grant already gives (duplicate or fully redundant)',
    fix: 'Remove the redundant grant.',
  },
];

const BY_ID = new Map(REVIEW_RULES.map(r => [r.id, r]));

export function ruleInfo(id: string): ReviewRuleInfo {
  const info = BY_ID.get(id);
  if (!info) {
    throw new Error(`unknown review rule id '${id}'`);
  }
  return info;
}

export function isRuleId(id: string): boolean {
  return BY_ID.has(id);
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

/** True when `s` is at least as severe as `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return RANK[s] <= RANK[threshold];
}
