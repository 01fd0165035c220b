import { describe, expect, it } from 'vitest';
import { cameraIds, parseRealCameras } from './stack.js';

describe('stack cameras', () => {
  it('names simulated cameras test, cam2, …', () => {
    expect(cameraIds(0)).toEqual([]);
    expect(cameraIds(3)).toEqual(['test', 'cam2', 'cam3']);
  });

  it('reads the CAMERAS of a user’s .env', () => {
    expect(parseRealCameras(undefined)).toEqual([]);
    expect(parseRealCameras('  ')).toEqual([]);
    expect(parseRealCameras('[{"id":"porch","url":"rtsp://cam/1"}]')).toEqual([{ id: 'porch', url: 'rtsp://cam/1' }]);
  });

  it('says what is wrong with a bad CAMERAS', () => {
    expect(() => parseRealCameras('[{"id":')).toThrow(/CAMERAS in .env is not JSON/);
    expect(() => parseRealCameras('{"id":"porch"}')).toThrow(/must be a JSON list/);
    expect(() => parseRealCameras('[{"url":"rtsp://x"}]')).toThrow(/must be a JSON list/);
  });
});
