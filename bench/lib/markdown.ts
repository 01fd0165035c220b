/** Markdown tables and the docs/benchmarks.md section: pure string functions. */

export const SECTION_START = '<!-- bench:query:start -->';
export const SECTION_END = '<!-- bench:query:end -->';

export function markdownTable(header: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length), 3));
  const cell = (value: string, i: number) =>
    align[i] === 'r' ? value.padStart(widths[i] as number) : value.padEnd(widths[i] as number);
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : 'n/a');

/**
 * Puts `section` between the markers (by default the query bench's; each bench has its
 * own pair), keeping everything else in the file. Without markers the section is
 * appended; a file that does not exist yet gets a title first.
 */
export function replaceSection(
  existing: string | null,
  section: string,
  markers: { start: string; end: string } = { start: SECTION_START, end: SECTION_END },
): string {
  const block = `${markers.start}\n${section.trim()}\n${markers.end}`;
  if (existing === null || existing.trim() === '') return `# Benchmarks\n\n${block}\n`;
  const start = existing.indexOf(markers.start);
  const end = existing.indexOf(markers.end);
  if (start !== -1 && end > start) {
    return `${existing.slice(0, start)}${block}${existing.slice(end + markers.end.length)}`;
  }
  return `${existing.trimEnd()}\n\n${block}\n`;
}
