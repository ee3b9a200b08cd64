import { report } from './report-fixtures';
import { renderDiffMarkdown, renderDiffTable, summaryLine } from '../../cli/review';
import { diffReports } from '../../src/review/private/diff';

const base = report({ principals: { A: ['10.0.0.0/16'] } });
const head = report({ principals: { A: ['10.0.0.0/16', '10.2.0.0/16', '10.4.0.0/16', '10.6.0.0/16', '10.8.0.0/16', '10.10.0.0/16'] } });

test('markdown: summary line first, a table per stack, long lists collapsed', () => {
  const md = renderDiffMarkdown(diffReports(base, head));
  const lines = md.split('\n');
  expect(lines[0]).toBe('**Network access: 1 widened, 0 narrowed, 0 moved; findings: 0 introduced, 0 resolved.**');
  expect(md).toContain('#### Stack `S`');
  expect(md).toContain('| **widened** | Client VPN `client-vpn:10.100.0.0/16` | group A | <details><summary>5 CIDRs</summary>`10.2.0.0/16`<br>');
});

test('short lists inline; no change says so', () => {
  const small = report({ principals: { A: ['10.0.0.0/16', '10.2.0.0/16'] } });
  expect(renderDiffMarkdown(diffReports(base, small))).toContain('| group A | `10.2.0.0/16` |  |');
  expect(summaryLine(diffReports(base, base))).toBe('Network access: no change.');
  expect(renderDiffTable(diffReports(small, base))).toMatch(/NARROWED Client VPN client-vpn:10\.100\.0\.0\/16, group A \(stack S\)\n {2}- 10\.2\.0\.0\/16\n/);
});
