import { describe, expect, it } from 'vitest';
import { markdownTable, replaceSection, SECTION_END, SECTION_START } from './markdown.js';

describe('replaceSection', () => {
  it('creates the file with a title', () => {
    expect(replaceSection(null, 'hello')).toBe(`# Benchmarks\n\n${SECTION_START}\nhello\n${SECTION_END}\n`);
  });

  it('replaces only its own section and keeps the rest, including other benches', () => {
    const other = '<!-- bench:ingest:start -->\ningest table\n<!-- bench:ingest:end -->';
    const before = `# Benchmarks\n\nintro\n\n${SECTION_START}\nold\n${SECTION_END}\n\n${other}\n`;
    const after = replaceSection(before, 'new');
    expect(after).toBe(`# Benchmarks\n\nintro\n\n${SECTION_START}\nnew\n${SECTION_END}\n\n${other}\n`);
    expect(replaceSection(after, 'new')).toBe(after);
  });

  it('appends when the markers are missing', () => {
    expect(replaceSection('# Benchmarks\n\nother\n', 'mine')).toBe(
      `# Benchmarks\n\nother\n\n${SECTION_START}\nmine\n${SECTION_END}\n`,
    );
  });
});

describe('markdownTable', () => {
  it('pads columns and right-aligns numbers', () => {
    expect(markdownTable(['name', 'ms'], [['a', '1.5']], ['l', 'r'])).toBe(
      '| name |  ms |\n| ---- | --: |\n| a    | 1.5 |',
    );
  });
});
