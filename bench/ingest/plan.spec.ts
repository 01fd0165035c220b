import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';
import { COSTS, coldStartSeconds, feedHandlerSeconds, naiveSeconds, planRun, planText } from './plan.js';

describe('planRun', () => {
  it('prices a feed-handler step with its warm-up, window and (1 s GOP, auto) the handovers', () => {
    const o = parseOptions([]);
    expect(feedHandlerSeconds(1, 10, o)).toBe(
      COSTS.feedHandlerFixed + 10 * COSTS.feedHandlerPerCamera + 1 + COSTS.handover + 5 + 30,
    );
    expect(feedHandlerSeconds(4, 0, o)).toBe(COSTS.feedHandlerFixed + 4 + 5 + 30);
    expect(feedHandlerSeconds(1, 0, parseOptions(['--decode-mode', 'keyframes']))).toBe(
      COSTS.feedHandlerFixed + 1 + 5 + 30,
    );
    expect(naiveSeconds(10, o)).toBe(COSTS.naiveFixed + 5 + 35);
    expect(coldStartSeconds(40)).toBe(
      COSTS.coldStartFixed + 2 * (COSTS.coldStartPerStart + 40 * COSTS.coldStartPerCamera),
    );
  });

  it('adds up every listed N, the bisection steps and the naive pulls at counts the sweep visits', () => {
    const o = parseOptions([
      '--only',
      'sweep',
      '--gops',
      '4',
      '--cameras',
      '1,4',
      '--naive-cameras',
      '4,8',
      '--no-build',
    ]);
    const plan = planRun(o);
    const sweep = plan.parts.find((p) => p.name === 'sweep, 4 s GOP');
    const fh = (n: number) => feedHandlerSeconds(4, n, o);
    expect(sweep?.seconds).toBe(fh(1) + fh(4) + fh(4) + naiveSeconds(4, o));
    expect(sweep?.what).toBe('N = 1,4 (+1 bisection); naive at 4');
    expect(plan.totalSeconds).toBe(COSTS.setup + (sweep?.seconds ?? 0));
  });

  it('prices the fan-out steps, the cold start, the two-stream pairs and the clips to encode', () => {
    const o = parseOptions([
      '--skip',
      'sweep',
      '--fan-out',
      '40',
      '--cold-start',
      '1,40',
      '--two-stream',
      '4',
      '--no-build',
    ]);
    const plan = planRun(o, 2);
    expect(plan.parts.map((p) => p.name)).toEqual([
      'setup',
      'fan-out relay, 1 s GOP',
      'cold start, 1 s GOP',
      'two streams, 4 s GOP',
    ]);
    expect(plan.parts[0]?.seconds).toBe(COSTS.setup + 2 * COSTS.clipEncode);
    expect(plan.parts[1]?.seconds).toBe(feedHandlerSeconds(1, 40, o));
    expect(plan.parts[2]?.seconds).toBe(coldStartSeconds(1) + coldStartSeconds(40));
    expect(plan.parts[3]?.seconds).toBe(2 * feedHandlerSeconds(4, 4, o));
  });

  it('keeps the default full run near 40 minutes, and says it is an upper bound', () => {
    const plan = planRun(parseOptions([]));
    expect(plan.totalSeconds / 60).toBeGreaterThan(25);
    expect(plan.totalSeconds / 60).toBeLessThanOrEqual(42);
    const text = planText(plan);
    expect(text).toMatch(/upper bound/);
    expect(text).toMatch(/after waiting up to 10 min for a quiet machine/);
  });
});
