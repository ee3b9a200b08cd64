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
