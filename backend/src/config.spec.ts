import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CORS_ORIGINS, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('needs only INFLUX_TOKEN and fills documented defaults', () => {
    const config = parseConfig({ INFLUX_TOKEN: 'secret' });
    expect(config).toEqual({
      influx: { url: 'http://127.0.0.1:8086', token: 'secret', org: 'fathom', bucket: 'fathom' },
      activityBucket: 'fathom_activity',
      thumbnailDir: './thumbnails',
      chunkDir: 'thumbnails/_chunks',
      host: '0.0.0.0',
      port: 3000,
      groupMinutes: { default: 10, max: 60 },
      apiToken: undefined,
      corsOrigins: DEFAULT_CORS_ORIGINS.split(','),
      logLevel: 'info',
      lookupBatching: { maxInFlight: 2, maxBatch: 16 },
      answers: { settleSeconds: 120, cacheBytes: 32 * 1024 * 1024, generationPollMs: 5000 },
      exports: {
        enabled: true,
        dir: './exports',
        retentionHours: 72,
        maxRangeHours: 168,
        niceness: 19,
        fontFile: '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
        ffmpegPath: undefined,
      },
      feedHandlerUrl: undefined,
    });
  });

  it('reads FEED_HANDLER_URL as an http(s) URL, empty as unset', () => {
    expect(parseConfig({ INFLUX_TOKEN: 't', FEED_HANDLER_URL: 'http://feed-handler:3001' }).feedHandlerUrl).toBe(
      'http://feed-handler:3001',
    );
    expect(parseConfig({ INFLUX_TOKEN: 't', FEED_HANDLER_URL: '' }).feedHandlerUrl).toBeUndefined();
    expect(() => parseConfig({ INFLUX_TOKEN: 't', FEED_HANDLER_URL: 'feed-handler:3001' })).toThrow(/FEED_HANDLER_URL/);
    expect(() => parseConfig({ INFLUX_TOKEN: 't', FEED_HANDLER_URL: 'rtmp://feed-handler/live' })).toThrow(
      /FEED_HANDLER_URL/,
    );
  });

  it('names every bad export setting', () => {
    const bad = () =>
      parseConfig({ INFLUX_TOKEN: 't', EXPORTS_ENABLED: 'yes', EXPORT_NICE: '20', EXPORT_MAX_HOURS: '0' });
    expect(bad).toThrow(/EXPORTS_ENABLED must be true or false/);
    expect(bad).toThrow(/EXPORT_NICE/);
    expect(bad).toThrow(/EXPORT_MAX_HOURS/);
  });

  it('names the activity bucket after the index bucket unless told', () => {
    expect(parseConfig({ INFLUX_TOKEN: 't', INFLUX_BUCKET: 'cams' }).activityBucket).toBe('cams_activity');
    expect(parseConfig({ INFLUX_TOKEN: 't', ACTIVITY_BUCKET: 'minutes' }).activityBucket).toBe('minutes');
    expect(parseConfig({ INFLUX_TOKEN: 't', ACTIVITY_BUCKET: '' }).activityBucket).toBe('fathom_activity');
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ INFLUX_TOKEN: 't', BACKEND_PORT: '', FATHOM_API_TOKEN: '' }).port).toBe(3000);
    expect(parseConfig({ INFLUX_TOKEN: 't', FATHOM_API_TOKEN: '' }).apiToken).toBeUndefined();
  });

  it('reads CORS origins as a list, * or none', () => {
    expect(parseConfig({ INFLUX_TOKEN: 't', CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(parseConfig({ INFLUX_TOKEN: 't', CORS_ORIGINS: 'none' }).corsOrigins).toEqual([]);
    expect(parseConfig({ INFLUX_TOKEN: 't', CORS_ORIGINS: 'https://a.example, http://b:8080' }).corsOrigins).toEqual([
      'https://a.example',
      'http://b:8080',
    ]);
    expect(() => parseConfig({ INFLUX_TOKEN: 't', CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS/);
  });

  it('names every bad key at once', () => {
    try {
      parseConfig({
        INFLUX_URL: 'ftp://x',
        BACKEND_PORT: '99999',
        GROUP_MINUTES: 'ten',
        LOG_LEVEL: 'loud',
        FATHOM_API_TOKEN: 'short',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      for (const key of [
        'INFLUX_URL',
        'INFLUX_TOKEN',
        'BACKEND_PORT',
        'GROUP_MINUTES',
        'LOG_LEVEL',
        'FATHOM_API_TOKEN',
      ]) {
        expect(message).toContain(key);
      }
    }
  });

  it('refuses a default group longer than the maximum', () => {
    expect(() => parseConfig({ INFLUX_TOKEN: 't', GROUP_MINUTES: '61' })).toThrow(/GROUP_MINUTES must not exceed/);
  });
});
