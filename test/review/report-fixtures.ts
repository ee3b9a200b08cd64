/** Hand-built reports for the unit tests of diff.ts and intent.ts. */
import { ClientVpnRuleEntry, Finding, NetworkAccessReportJson, StackReport } from '../../src/review/private/report-types';

export interface Fixture {
  readonly stack?: string;
  /** Principal -> reachable (= authorized) CIDRs. */
  readonly principals?: Record<string, string[]>;
  readonly rules?: Array<[string, string]>;
  /** [source, protocol, ports] */
  readonly access?: Array<[string, string, string[]]>;
  readonly staticRoutes?: string[];
  readonly cacheIngress?: string[];
  readonly findings?: Finding[];
  readonly suppressed?: Array<Finding & { reason: string }>;
}

export function loc(stack: string, p: string) {
  return { stack, logicalId: p.replace(/\W/g, ''), constructPath: `${stack}/${p}` };
}

export function report(f: Fixture): NetworkAccessReportJson {
  const stack = f.stack ?? 'S';
  const rules: ClientVpnRuleEntry[] = (f.rules ?? []).map(([cidr, principal], i) => ({
    ...loc(stack, `Rules${i}`), cidr, principal, source: 'cdk-network-access',
  }));
  const s: StackReport = {
    stack,
    clientVpnEndpoints: f.principals || f.rules ? [{
      ...loc(stack, 'Endpoint'),
      key: 'client-vpn:10.100.0.0/16',
      routes: ['10.0.0.0/8'],
      routesKnown: true,
      rules,
      principals: Object.entries(f.principals ?? {}).map(([principal, c]) => ({ principal, authorized: c, reachable: c })),
    }] : [],
    securityGroups: f.access ? [{
      ...loc(stack, 'Sg'),
      key: 'security-group:web',
      ingress: [],
      access: f.access.map(([id, protocol, ports]) => ({ source: { kind: 'cidr' as const, id }, protocol, ports })),
    }] : [],
    vpnConnections: f.staticRoutes ? [{ ...loc(stack, 'Vpn'), key: 'vpn:203.0.113.1:vgw', staticRoutes: f.staticRoutes, preSharedKeys: 'secrets-manager' }] : [],
    cacheSecurityGroups: f.cacheIngress ? [{
      ...loc(stack, 'Cache'),
      key: 'cache-security-group:app',
      ingress: f.cacheIngress.map(n => ({ ...loc(stack, 'Cache'), ec2SecurityGroupName: n, ownerId: '123456789012', crossAccount: false })),
    }] : [],
  };
  const findings = f.findings ?? [];
  return {
    $schema: 'https://cdk-network-access.dev/schemas/network-access-report.schema.json',
    schemaVersion: 1,
    summary: { stacks: 1, grants: 0, findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, suppressed: 0, unknowns: 0 },
    stacks: [s],
    findings,
    suppressed: f.suppressed ?? [],
    unknowns: [],
  };
}
