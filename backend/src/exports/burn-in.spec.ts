import { describe, expect, it } from 'vitest';
import { captureTimeLabel } from './burn-in.js';

describe('captureTimeLabel', () => {
  it('gives the capture time to the second (truncated) with the zone', () => {
    expect(captureTimeLabel(Date.UTC(2026, 10, 29, 22, 48, 3, 999), 'UTC')).toBe('2026-11-29 22:48:03 UTC');
    expect(captureTimeLabel(Date.UTC(2026, 6, 1, 0, 0, 0), 'Europe/Berlin')).toBe('2026-07-01 02:00:00 GMT+2');
  });
  it('writes midnight as 00, never 24', () => {
    expect(captureTimeLabel(Date.UTC(2026, 0, 1, 0, 0, 0), 'UTC')).toBe('2026-01-01 00:00:00 UTC');
  });
});
