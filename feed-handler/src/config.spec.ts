import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CAMERAS, envSchema, parseConfig } from './config.js';

describe('config', () => {
  it('needs only the token and defaults to one camera at the compose rtsp service', () => {
    const config = parseConfig({ INFLUX_TOKEN: 't' });
    expect(config.cameras).toEqual(DEFAULT_CAMERAS);
    expect(config.cameras[0]?.url).toBe('rtsp://rtsp:8554/test');
    expect(config.http).toEqual({ host: '0.0.0.0', port: 3001 });
    expect(config.influx).toMatchObject({ url: 'http://127.0.0.1:8086', org: 'fathom', bucket: 'fathom' });
    expect(config.thumbnail).toEqual({ width: 320, quality: 5 });
    expect(config.decodeMode).toBe('auto');
  });

  it('reads cameras from JSON', () => {
    const config = parseConfig({
      INFLUX_TOKEN: 't',
      CAMERAS: JSON.stringify([
        { id: 'cam1', url: 'rtsp://u:p@10.0.0.2/s', location: 'lab', width: 640 },
        { id: 'cam2', url: 'rtsp://10.0.0.3/s' },
      ]),
    });
    expect(config.cameras).toEqual([
      { id: 'cam1', url: 'rtsp://u:p@10.0.0.2/s', location: 'lab', width: 640 },
      { id: 'cam2', url: 'rtsp://10.0.0.3/s', location: 'default' },
    ]);
  });

  it('names every bad key at once', () => {
    try {
      parseConfig({
        FEED_HANDLER_PORT: 'x',
        THUMBNAIL_QUALITY: '40',
        DECODE_MODE: 'some',
        CAMERAS: '[{"id":"../x","url":"http://a"}]',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const keys = (error as ConfigError).issues.map((i) => i.key.split('.')[0]);
      expect(new Set(keys)).toEqual(
        new Set(['INFLUX_TOKEN', 'FEED_HANDLER_PORT', 'THUMBNAIL_QUALITY', 'DECODE_MODE', 'CAMERAS']),
      );
    }
  });

  it('rejects duplicate camera ids and non-JSON', () => {
    expect(() => parseConfig({ INFLUX_TOKEN: 't', CAMERAS: 'cam1' })).toThrow(/CAMERAS/);
    expect(() =>
      parseConfig({ INFLUX_TOKEN: 't', CAMERAS: '[{"id":"a","url":"rtsp://x/1"},{"id":"a","url":"rtsp://x/2"}]' }),
    ).toThrow(/unique/);
  });

  it('treats empty strings as unset and exports the schema by env name', () => {
    expect(parseConfig({ INFLUX_TOKEN: 't', FFMPEG_PATH: '', CAMERAS: '' }).ffmpegPath).toBeUndefined();
    expect(Object.keys(envSchema.shape)).toEqual(
      expect.arrayContaining(['INFLUX_URL', 'CAMERAS', 'FEED_HANDLER_PORT']),
    );
  });
});
