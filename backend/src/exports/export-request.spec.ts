import { describe, expect, it } from 'vitest';
import { checkExportRequest, exportRequestSchema } from './export-request.js';

const parse = (body: unknown) => exportRequestSchema.safeParse(body);
const limits = { maxRangeHours: 24 };

describe('exportRequestSchema and checkExportRequest', () => {
  it('fills the defaults and reads seconds and ISO times exactly', () => {
    const parsed = parse({ camera: 'porch', from: 1795618800.123, to: '2026-11-25T16:00:00Z' });
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    const checked = checkExportRequest(parsed.data, limits);
    expect(checked).toEqual({
      ok: true,
      value: {
        camera: 'porch',
        fromNs: 1_795_618_800_123_000_000n,
        toNs: 1_795_622_400_000_000_000n,
        fps: 30,
        width: 640,
        mode: 'all',
        minMotion: 0.01,
        contextSeconds: 2,
        burnIn: true,
        timeZone: 'UTC',
      },
    });
  });
  it('refuses reversed, empty and too long ranges', () => {
    const check = (from: number, to: number) => {
      const parsed = parse({ camera: 'porch', from, to });
      if (!parsed.success) throw parsed.error;
      return checkExportRequest(parsed.data, limits);
    };
    expect(check(200, 100)).toEqual({ ok: false, detail: 'to must be after from' });
    expect(check(100, 100)).toEqual({ ok: false, detail: 'to must be after from' });
    expect(check(0, 24 * 3600 + 1)).toMatchObject({ ok: false, detail: expect.stringContaining('at most 24 hours') });
    expect(check(0, 24 * 3600)).toMatchObject({ ok: true });
  });
  it.each([
    [{ camera: '../x', from: 1, to: 2 }, 'camera'],
    [{ camera: 'x', from: 1795618800123, to: 2 }, 'from'],
    [{ camera: 'x', from: -1, to: 2 }, 'from'],
    [{ camera: 'x', from: 1, to: 2, width: 641 }, 'width'],
    [{ camera: 'x', from: 1, to: 2, fps: 61 }, 'fps'],
    [{ camera: 'x', from: 1, to: 2, timeZone: 'Nowhere/Else' }, 'timeZone'],
    [{ camera: 'x', from: 1, to: 2, extra: 1 }, ''],
  ])('refuses %j (%s)', (body, field) => {
    const parsed = parse(body);
    expect(parsed.success).toBe(false);
    if (!parsed.success && field) expect(parsed.error.issues.map((i) => i.path.join('.'))).toContain(field);
  });
});
