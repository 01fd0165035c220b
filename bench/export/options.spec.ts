import { describe, expect, it } from 'vitest';
import { DAY_STILLS, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to the issue: a full day, 4 cameras, a 60 s baseline, docs written', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({ stills: DAY_STILLS, cameras: 4, baselineSeconds: 60, width: 320, fps: 30 });
    expect(o.docs).toBe(true);
    expect(o.burnIn).toBe(true);
    expect(o.build).toBe(true);
  });

  it('--smoke is a short run that leaves the docs alone; explicit flags win over it', () => {
    expect(parseOptions(['--smoke'])).toMatchObject({ stills: 3_600, cameras: 2, baselineSeconds: 20, docs: false });
    expect(parseOptions(['--smoke', '--cameras', '4']).cameras).toBe(4);
  });

  it('writes the docs only for a full day unless told', () => {
    expect(parseOptions(['--stills', '3600', '--cameras', '2']).docs).toBe(false);
    expect(parseOptions(['--stills=3600', '--docs']).docs).toBe(true);
    expect(parseOptions(['--no-docs']).docs).toBe(false);
  });

  it('refuses what the export or the day cannot be', () => {
    expect(() => parseOptions(['--stills', '86401'])).toThrow(/--stills/);
    expect(() => parseOptions(['--stills', '1.5'])).toThrow(/whole number/);
    expect(() => parseOptions(['--width', '321'])).toThrow(/even/);
    expect(() => parseOptions(['--baseline', '5'])).toThrow(/--baseline/);
    expect(() => parseOptions(['--cameras'])).toThrow(/needs a value/);
    expect(() => parseOptions(['--frobnicate'])).toThrow(/unknown flag/);
    expect(() => parseOptions(['--docs', '--no-docs'])).toThrow(/contradict/);
  });
});
