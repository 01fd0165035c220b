import { describe, expect, it } from 'vitest';
import { scanFlags } from './flags.js';

describe('scanFlags', () => {
  const scan = (argv: string[]) => scanFlags(argv, new Set(['--quick']), new Set(['--window']), 'USAGE');

  it('takes switches and values, with or without =', () => {
    expect([...scan(['--quick', '--window', '20'])]).toEqual([
      ['--quick', undefined],
      ['--window', '20'],
    ]);
    expect(scan(['--window=5']).get('--window')).toBe('5');
  });

  it('refuses a missing value, a switch given a value and an unknown word, naming it', () => {
    expect(() => scan(['--window'])).toThrow(/--window needs a value/);
    expect(() => scan(['--quick=1'])).toThrow(/unknown flag --quick=1\nUSAGE/);
    expect(() => scan(['--fast'])).toThrow(/unknown flag --fast/);
  });
});
