/**
 * A small table printer. The same markdown table goes to the terminal and to
 * bench/results.md; its columns are padded so it reads well in both.
 */

export type Align = 'left' | 'right';

export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column; numbers read better right-aligned. @default all left */
  readonly align?: readonly Align[];
  /** Sentences printed under the table. */
  readonly notes?: readonly string[];
}

function escapeCell(cell: string): string {
  return cell.replace(/\|/g, '\\|');
}

export function renderTable(table: Table): string {
  const cells = [table.headers, ...table.rows].map(row => row.map(escapeCell));
  const widths = table.headers.map((_, col) => Math.max(3, ...cells.map(row => (row[col] ?? '').length)));
  const alignOf = (col: number): Align => table.align?.[col] ?? 'left';
  const pad = (text: string, col: number) =>
    (alignOf(col) === 'right' ? text.padStart(widths[col]) : text.padEnd(widths[col]));
  const line = (row: readonly string[]) => `| ${widths.map((_, col) => pad(row[col] ?? '', col)).join(' | ')} |`;
  const rule = `|${widths.map((w, col) => (alignOf(col) === 'right' ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;

  const out = [`### ${table.title}`, '', line(cells[0]), rule, ...cells.slice(1).map(line)];
  if (table.notes && table.notes.length > 0) {
    out.push('', ...table.notes.map(note => `- ${note}`));
  }
  return out.join('\n');
}
