import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api-client';
import {
  DEFAULT_EXPORT_OPTIONS,
  EXPORT_FPS_CHOICES,
  EXPORT_WIDTH_CHOICES,
  estimateText,
  expectedEndText,
  exportErrorText,
  formatBytes,
  formatRange,
  isFinishedState,
  jobProblem,
  percentText,
  rangeUpToNow,
  stillsText,
  videoLengthText,
} from './export-math';

// Local times, as the dashboard shows them: the test holds in any time zone.
const at = (h: number, m = 0, s = 0, day = 25) => new Date(2026, 10, day, h, m, s).getTime();

describe('what a view exports', () => {
  it('leaves out the part of a range that has not happened, and refuses a range wholly in the future', () => {
    const day = { fromMs: at(0), toMs: at(0, 0, 0, 26) };
    expect(rangeUpToNow(day, at(12, 3, 7) + 0.4)).toEqual({ fromMs: at(0), toMs: at(12, 3, 7) });
    expect(rangeUpToNow(day, at(0, 0, 0, 27))).toEqual(day);
    expect(rangeUpToNow(day, at(0))).toBeNull();
    expect(rangeUpToNow({ fromMs: at(14), toMs: at(15) }, at(13))).toBeNull();
  });

  it('says the range with its day and length', () => {
    expect(formatRange({ fromMs: at(12), toMs: at(12, 10) })).toBe('2026-11-25 12:00:00–12:10:00 (10 min)');
    expect(formatRange({ fromMs: at(0), toMs: at(0, 0, 0, 26) })).toBe('2026-11-25 00:00:00–24:00:00 (24 h)');
    expect(formatRange({ fromMs: at(23, 30), toMs: at(0, 30, 0, 26) })).toBe(
      '2026-11-25 23:30:00 – 2026-11-26 00:30:00 (1 h)',
    );
  });

  it('estimates at most one still a second, and the video that makes', () => {
    const hour = { fromMs: at(12), toMs: at(13) };
    expect(estimateText(hour, { mode: 'all', fps: 30 })).toBe(
      'At most 3,600 stills (one a second): at most 2 min of video',
    );
    expect(estimateText({ fromMs: at(12), toMs: at(12, 0, 25) }, { mode: 'all', fps: 10 })).toBe(
      'At most 25 stills (one a second): at most 2.5 s of video',
    );
    expect(estimateText(hour, { mode: 'motion', fps: 60 })).toMatch(/^At most 3,600 stills .*fewer with only motion/);
  });

  it('offers only what the API accepts, with the defaults among the choices', () => {
    for (const fps of EXPORT_FPS_CHOICES) expect(Number.isInteger(fps) && fps >= 1 && fps <= 60).toBe(true);
    for (const width of EXPORT_WIDTH_CHOICES) expect(width % 2 === 0 && width >= 64 && width <= 1920).toBe(true);
    expect(EXPORT_FPS_CHOICES).toContain(DEFAULT_EXPORT_OPTIONS.fps);
    expect(EXPORT_WIDTH_CHOICES).toContain(DEFAULT_EXPORT_OPTIONS.width);
    expect(DEFAULT_EXPORT_OPTIONS).toEqual({ mode: 'all', fps: 30, width: 640, burnIn: true });
  });
});

describe('a running job', () => {
  it('counts stills done of the total, and the missing ones', () => {
    expect(stillsText({ done: 12, total: 40, missing: 0 })).toBe('12 of 40 stills');
    expect(stillsText({ done: 0, total: 1, missing: 0 })).toBe('0 of 1 still');
    expect(stillsText({ done: 1200, total: 86_400, missing: 3 })).toBe(
      '1,200 of 86,400 stills (3 missing on disk, left out)',
    );
  });

  it('says progress in whole percent, never 100 % before it is done', () => {
    expect(percentText(0)).toBe('0 %');
    expect(percentText(0.4219)).toBe('42 %');
    expect(percentText(0.999)).toBe('99 %');
    expect(percentText(1)).toBe('100 %');
    expect(percentText(1.2)).toBe('100 %');
  });

  it('says when it should end, relative to now', () => {
    const now = at(14, 2, 55);
    const midway = { done: 400, total: 1_500 };
    expect(expectedEndText(null, now, midway)).toBeNull();
    expect(expectedEndText(at(14, 3, 7), now, midway)).toBe('ends about 14:03:07 (in 12 s)');
    expect(expectedEndText(at(14, 5, 0), now, midway)).toBe('ends about 14:05:00 (in 2 min 5 s)');
    expect(expectedEndText(now + 200, now, midway)).toBe('ends any moment');
    expect(expectedEndText(now - 5_000, now, midway)).toBe('ends any moment');
  });

  it('waits for the rate to settle before naming an end', () => {
    const now = at(14, 2, 55);
    // One still in: the rate includes ffmpeg's start, and would say minutes for a job of seconds.
    expect(expectedEndText(at(14, 11, 4), now, { done: 1, total: 1_500 })).toBe('working out when it ends…');
    expect(expectedEndText(at(14, 3, 30), now, { done: 29, total: 1_500 })).toBe('working out when it ends…');
    expect(expectedEndText(at(14, 3, 30), now, { done: 30, total: 1_500 })).toBe('ends about 14:03:30 (in 35 s)');
    // A short job: all of it is enough.
    expect(expectedEndText(at(14, 2, 56), now, { done: 12, total: 12 })).toBe('ends about 14:02:56 (in 1 s)');
  });

  it('knows which states are final', () => {
    expect(['queued', 'planning', 'encoding'].map((s) => isFinishedState(s as never))).toEqual([false, false, false]);
    expect(['done', 'failed', 'cancelled', 'interrupted'].every((s) => isFinishedState(s as never))).toBe(true);
  });
});

describe('a finished job', () => {
  it('says the video length at its frame rate', () => {
    expect(videoLengthText(25, 10)).toBe('2.5 s of video');
    expect(videoLengthText(600, 30)).toBe('20 s of video');
    expect(videoLengthText(86_400, 30)).toBe('48 min of video');
  });

  it('says sizes in SI units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(273_340)).toBe('273 kB');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.5 GB');
  });

  it('explains why there is no video', () => {
    expect(jobProblem({ state: 'done', error: null })).toBeNull();
    expect(jobProblem({ state: 'encoding', error: null })).toBeNull();
    expect(
      jobProblem({ state: 'failed', error: { error: 'no_stills', detail: 'no stills of this camera were left' } }),
    ).toEqual({ title: 'The export failed', detail: 'no stills of this camera were left' });
    expect(jobProblem({ state: 'failed', error: null })?.detail).toMatch(/no reason/);
    expect(jobProblem({ state: 'interrupted', error: null })?.title).toBe('The export was interrupted');
    expect(jobProblem({ state: 'cancelled', error: null })?.title).toBe('Cancelled');
  });
});

describe('a refused request', () => {
  const base = 'http://api';

  it("shows the API's own detail for a 4xx", () => {
    const noStills = new ApiError(
      'bad-request',
      'no_stills',
      422,
      'camera "test" has no stills from 2026-11-25T12:00:00.000Z to 2026-11-25T12:10:00.000Z',
    );
    expect(exportErrorText(noStills, base)).toBe(noStills.detail);
    const tooLong = new ApiError('bad-request', 'bad_request', 400, 'the range from..to may be at most 168 hours');
    expect(exportErrorText(tooLong, base)).toBe('the range from..to may be at most 168 hours');
    const unknown = new ApiError('not-found', 'not_found', 404, 'no camera "x" in the index');
    expect(exportErrorText(unknown, base)).toBe('no camera "x" in the index');
  });

  it('tells an old backend and switched-off exports apart from a bad request', () => {
    expect(exportErrorText(new ApiError('not-found', 'not_found', 404, 'no route for POST /exports'), base)).toMatch(
      /has no timelapse exports/,
    );
    expect(exportErrorText(new ApiError('server', 'exports_unavailable', 503, 'ffmpeg is not installed'), base)).toBe(
      'Exports cannot run on this backend: ffmpeg is not installed.',
    );
    expect(exportErrorText(new ApiError('unreachable', 'down'), base)).toMatch(/Can't reach the Fathom API/);
    expect(exportErrorText(new ApiError('bad-request', 'bad_request', 400), base)).toMatch(/refused the request/);
  });
});
