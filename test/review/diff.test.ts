import { loc, report } from './report-fixtures';
import { diffReports, failOnMatches, hasChanges, portsToSet, setToPorts } from '../../src/review/private/diff';

test('ports: parse, merge, print', () => {
  expect(setToPorts(portsToSet(['22', '80-81', '82']))).toEqual(['22', '80-82']);
  expect(setToPorts(portsToSet(['all']))).toEqual(['all']);
});

test('identical reports: no change', () => {
  const r = report({ principals: { '*': [], 'A': ['10.0.0.0/16'] }, access: [['0.0.0.0/0', 'tcp', ['443']]] });
  const d = diffReports(r, r);
  expect(hasChanges(d)).toBe(false);
  expect(d.summary.changes).toBe(0);
});

test('a stack rename with the same entity keys is no change', () => {
  const f = { principals: { A: ['10.0.0.0/16'] }, access: [['0.0.0.0/0', 'tcp', ['443']]] as Array<[string, string, string[]]> };
  expect(hasChanges(diffReports(report({ ...f, stack: 'Old' }), report({ ...f, stack: 'New' })))).toBe(false);
});

test('client vpn: widened, narrowed and moved, as disjoint CIDRs', () => {
  const base = report({ principals: { A: ['10.0.0.0/16'], B: ['10.1.0.0/16'], C: ['10.2.0.0/16'] } });
  const head = report({ principals: { A: ['10.0.0.0/15'], B: ['10.1.0.0/17'], C: ['10.3.0.0/16'] } });
  const d = diffReports(base, head);
  expect(d.changes.map(c => [c.subject, c.class, c.gained, c.lost])).toEqual([
    ['A', 'widened', ['10.1.0.0/16'], []],
    ['B', 'narrowed', [], ['10.1.128.0/17']],
    ['C', 'moved', ['10.3.0.0/16'], ['10.2.0.0/16']],
  ]);
  expect(failOnMatches(d, 'widened')).toBe(true);
  expect(failOnMatches(diffReports(head, report({ principals: { A: ['10.0.0.0/16'] } })), 'widened')).toBe(false);
});

test('a loss that a more specific rule of another group takes names that rule', () => {
  const base = report({ rules: [['10.0.0.0/8', 'A']], principals: { A: ['10.0.0.0/8'] } });
  const head = report({ rules: [['10.0.0.0/8', 'A'], ['10.5.0.0/16', 'B']], principals: { A: ['10.0.0.0/14', '10.4.0.0/16', '10.6.0.0/15'], B: ['10.5.0.0/16'] } });
  const a = diffReports(base, head).changes.find(c => c.subject === 'A')!;
  expect(a.lost.length).toBeGreaterThan(0);
  expect(a.lost).not.toContain('10.0.0.0/14');
  expect(a.shadowedBy).toEqual([{ lost: ['10.5.0.0/16'], cidr: '10.5.0.0/16', principal: 'B', constructPath: 'S/Rules1' }]);
});

test('security groups per source and protocol; static routes; cache ingress', () => {
  const base = report({ access: [['10.0.0.0/8', 'tcp', ['443']]], staticRoutes: ['192.168.0.0/24'], cacheIngress: ['app'] });
  const head = report({ access: [['10.0.0.0/8', 'tcp', ['443', '8080-8081']], ['0.0.0.0/0', 'tcp', ['22']]], staticRoutes: ['192.168.1.0/24'], cacheIngress: ['app', 'batch'] });
  const d = diffReports(base, head);
  expect(d.changes.map(c => [c.kind, c.subject, c.class, c.gained, c.lost])).toEqual([
    ['cache-ingress', 'ingress', 'widened', ['123456789012/batch'], []],
    ['security-group', '0.0.0.0/0 tcp', 'widened', ['22'], []],
    ['security-group', '10.0.0.0/8 tcp', 'widened', ['8080-8081'], []],
    ['vpn-static-routes', 'static routes', 'moved', ['192.168.1.0/24'], ['192.168.0.0/24']],
  ]);
});

test('findings: introduced, resolved, suppressed; matched with construct paths masked', () => {
  const finding = (stack: string, severity: 'high' | 'low') => ({
    ...loc(stack, 'Sg'), ruleId: 'NA-SG-OPEN-INGRESS', severity, message: `security group ${stack}/Sg admits 0.0.0.0/0 on tcp 22`,
  });
  const withFinding = report({ stack: 'Old', access: [], findings: [finding('Old', 'high')] });
  const renamed = report({ stack: 'New', access: [], findings: [finding('New', 'high')] });
  expect(hasChanges(diffReports(withFinding, renamed))).toBe(false);
  const none = report({ access: [] });
  const introduced = diffReports(none, withFinding);
  expect(introduced.findingsIntroduced.map(f => f.ruleId)).toEqual(['NA-SG-OPEN-INGRESS']);
  expect(failOnMatches(introduced, 'high')).toBe(true);
  expect(failOnMatches(introduced, 'medium')).toBe(true);
  expect(failOnMatches(introduced, 'critical')).toBe(false);
  const suppressed = report({ stack: 'Old', access: [], suppressed: [{ ...finding('Old', 'high'), reason: 'accepted' }] });
  expect(diffReports(withFinding, suppressed).findingsResolved).toEqual([expect.objectContaining({ ruleId: 'NA-SG-OPEN-INGRESS', suppressedReason: 'accepted' })]);
  expect(diffReports(withFinding, none).findingsResolved[0].suppressedReason).toBeUndefined();
});

describe('unnamed groups renamed (keyed by construct path)', () => {
  type Group = { path: string; key?: string; access: Array<[string, string, string[]]>; sourceGroup?: string };
  /** A report with the given security groups; `key` defaults to the path key, as the engine writes it for an unnamed group. */
  function withGroups(groups: Group[], stack = 'S') {
    const r = report({ stack });
    return {
      ...r,
      stacks: [{
        ...r.stacks[0],
        securityGroups: groups.map(g => ({
          ...loc(stack, g.path),
          key: g.key ?? `security-group:${g.path}`,
          ingress: [],
          access: [
            ...g.access.map(([id, protocol, ports]) => ({ source: { kind: 'cidr' as const, id }, protocol, ports })),
            ...(g.sourceGroup ? [{ source: { kind: 'security-group' as const, id: g.sourceGroup }, protocol: 'tcp', ports: ['5432'] }] : []),
          ],
        })),
      }],
    };
  }

  test('the same access under a new path is a rename, not a change; references to it follow', () => {
    const base = withGroups([
      { path: 'App/Sg', access: [['10.0.0.0/8', 'tcp', ['443']]] },
      { path: 'Db', key: 'security-group:db', access: [], sourceGroup: 'security-group:App/Sg' },
    ]);
    const head = withGroups([
      { path: 'Web/Sg', access: [['10.0.0.0/8', 'tcp', ['443']]] },
      { path: 'Db', key: 'security-group:db', access: [], sourceGroup: 'security-group:Web/Sg' },
    ], 'Renamed');
    const d = diffReports(base, head);
    expect(d.changes).toEqual([]);
    expect(hasChanges(d)).toBe(false);
    expect(d.renamed).toEqual([{ kind: 'security-group', stack: 'Renamed', from: 'security-group:App/Sg', to: 'security-group:Web/Sg' }]);
  });

  test('a rename with a change in access, a named group, or two look-alikes: never paired', () => {
    const changed = diffReports(
      withGroups([{ path: 'App/Sg', access: [['10.0.0.0/8', 'tcp', ['443']]] }]),
      withGroups([{ path: 'Web/Sg', access: [['10.0.0.0/8', 'tcp', ['443', '22']]] }]),
    );
    expect(changed.renamed).toEqual([]);
    expect(changed.changes.map(c => [c.entity, c.class])).toEqual([['security-group:App/Sg', 'narrowed'], ['security-group:Web/Sg', 'widened']]);

    const named = diffReports(
      withGroups([{ path: 'App/Sg', key: 'security-group:app', access: [['10.0.0.0/8', 'tcp', ['443']]] }]),
      withGroups([{ path: 'Web/Sg', key: 'security-group:web2', access: [['10.0.0.0/8', 'tcp', ['443']]] }]),
    );
    expect(named.renamed).toEqual([]);
    expect(named.changes).toHaveLength(2);

    const twins = diffReports(
      withGroups([{ path: 'A', access: [['10.0.0.0/8', 'tcp', ['443']]] }, { path: 'B', access: [['10.0.0.0/8', 'tcp', ['443']]] }]),
      withGroups([{ path: 'C', access: [['10.0.0.0/8', 'tcp', ['443']]] }, { path: 'D', access: [['10.0.0.0/8', 'tcp', ['443']]] }]),
    );
    expect(twins.renamed).toEqual([]);
    expect(twins.changes).toHaveLength(4);
  });

  test('an unnamed cache security group moved with the same ingress is a rename', () => {
    const base = report({ cacheIngress: ['app-servers'] });
    const move = (r: ReturnType<typeof report>, p: string) => ({
      ...r,
      stacks: [{ ...r.stacks[0], cacheSecurityGroups: r.stacks[0].cacheSecurityGroups.map(c => ({ ...c, ...loc('S', p), key: `cache-security-group:${p}` })) }],
    });
    const d = diffReports(move(base, 'Old/Cache'), move(base, 'New/Cache'));
    expect(d.changes).toEqual([]);
    expect(d.renamed.map(r => [r.kind, r.from, r.to])).toEqual([['cache-security-group', 'cache-security-group:Old/Cache', 'cache-security-group:New/Cache']]);
  });
});
