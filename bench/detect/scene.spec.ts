import { describe, expect, it } from 'vitest';
import { detectScene } from './scene.js';

describe('detectScene', () => {
  const script = detectScene('/x/samples.jpg');

  it('moves the square through the whole cycle without a jump', () => {
    const moves = [...script.moves].sort((m, n) => m.start - n.start);
    expect(moves[0]?.start).toBe(0);
    expect(moves.at(-1)?.end).toBe(script.period);
    for (let i = 1; i < moves.length; i++) {
      expect(moves[i]?.start).toBe(moves[i - 1]?.end);
      expect(moves[i]?.from).toEqual(moves[i - 1]?.to);
    }
    // Back where it started when the cycle wraps: no jump at 0 either.
    expect(moves.at(-1)?.to).toEqual(moves[0]?.from);
  });

  it('keeps the person in view the whole cycle, away from the square', () => {
    expect(script.pictures).toEqual([
      { start: 0, end: script.period, image: '/x/samples.jpg', crop: [0, 0, 156, 156], at: [0.35, 0.5], height: 0.8 },
    ]);
    const picture = script.pictures[0];
    // A square crop at 0.8 of a 16:9 frame's height is 0.45 of its width.
    const right = (picture?.at[0] ?? 0) + ((picture?.height ?? 0) * 9) / 16 / 2;
    const squareLeft = Math.min(...script.moves.flatMap((m) => [m.from[0], m.to[0]])) - (0.12 * 9) / 16 / 2;
    expect(right).toBeLessThan(squareLeft);
  });

  it('stays inside the script format: period 10..86400, fractions in 0..1', () => {
    expect(script.period).toBeGreaterThanOrEqual(10);
    for (const m of script.moves) for (const v of [...m.from, ...m.to]) expect(v).toBeGreaterThanOrEqual(0);
    for (const m of script.moves) for (const v of [...m.from, ...m.to]) expect(v).toBeLessThanOrEqual(1);
    expect(JSON.parse(JSON.stringify(script))).toEqual(script);
  });
});
