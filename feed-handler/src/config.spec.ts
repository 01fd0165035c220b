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

  it('names a removed setting that is still set, without refusing it', () => {
    expect(parseConfig({ INFLUX_TOKEN: 't' }).retiredSettings).toEqual([]);
    expect(parseConfig({ INFLUX_TOKEN: 't', PROBE_SECONDS: '' }).retiredSettings).toEqual([]);
    const config = parseConfig({ INFLUX_TOKEN: 't', PROBE_SECONDS: '3' });
    expect(config.retiredSettings).toEqual(['PROBE_SECONDS']);
    expect(config).not.toHaveProperty('probeSeconds');
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
      { id: 'cam1', url: 'rtsp://u:p@10.0.0.2/s', location: 'lab', width: 640, transport: 'tcp' },
      { id: 'cam2', url: 'rtsp://10.0.0.3/s', location: 'default', transport: 'tcp' },
    ]);
  });

  it('reads each camera over TCP unless it says udp, and names a camera with another transport', () => {
    const cameras = (list: unknown[]) => ({ INFLUX_TOKEN: 't', CAMERAS: JSON.stringify(list) });
    const config = parseConfig(
      cameras([
        { id: 'a', url: 'rtsp://10.0.0.2/s', transport: 'udp' },
        { id: 'b', url: 'rtsp://10.0.0.3/s', transport: 'tcp' },
        { id: 'c', url: 'rtsp://10.0.0.4/s' },
      ]),
    );
    expect(config.cameras.map((c) => c.transport)).toEqual(['udp', 'tcp', 'tcp']);
    try {
      parseConfig({
        ...cameras([
          { id: 'a', url: 'rtsp://10.0.0.2/s' },
          { id: 'b', url: 'rtsp://10.0.0.3/s', transport: 'UDP' },
          { id: 'c', url: 'rtsp://10.0.0.4/s', transport: 'http' },
        ]),
        THUMBNAIL_QUALITY: '40',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues;
      expect(issues.map((i) => i.key).sort()).toEqual([
        'CAMERAS.1.transport',
        'CAMERAS.2.transport',
        'THUMBNAIL_QUALITY',
      ]);
      expect(issues.find((i) => i.key === 'CAMERAS.1.transport')?.message).toBe('must be "tcp" or "udp"');
      expect((error as Error).message).toContain('CAMERAS.2.transport: must be "tcp" or "udp"');
    }
  });

  it('reads a sub-stream for the thumbnails, and names one that is no RTSP URL', () => {
    const env = (camera: object) => ({ INFLUX_TOKEN: 't', CAMERAS: JSON.stringify([camera]) });
    const config = parseConfig(env({ id: 'porch', url: 'rtsp://cam/main', thumbnailUrl: 'rtsp://cam/sub' }));
    expect(config.cameras[0]).toMatchObject({ url: 'rtsp://cam/main', thumbnailUrl: 'rtsp://cam/sub' });
    expect(() => parseConfig(env({ id: 'porch', url: 'rtsp://cam/main', thumbnailUrl: 'http://cam/sub' }))).toThrow(
      /CAMERAS\.0\.thumbnailUrl/,
    );
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

describe('chunk and retention settings', () => {
  it('defaults: chunks as long as the clips (GROUP_MINUTES), inside THUMBNAIL_DIR; 30 days, no budget, 1 GB floor', () => {
    const config = parseConfig({ INFLUX_TOKEN: 't', THUMBNAIL_DIR: '/data/thumbnails' });
    expect(config.chunks).toEqual({ enabled: true, dir: '/data/thumbnails/_chunks', seconds: 600 });
    expect(config.retention).toEqual({
      maxAgeDays: 30,
      maxBytes: null,
      minFreeBytes: 1e9,
      intervalSeconds: 300,
      freeCheckSeconds: 10,
    });
    expect(parseConfig({ INFLUX_TOKEN: 't', GROUP_MINUTES: '5' }).chunks.seconds).toBe(300);
  });

  it('reads them, and refuses a chunk length that does not divide a day', () => {
    const config = parseConfig({
      INFLUX_TOKEN: 't',
      CHUNK_DIR: '/video',
      CHUNK_SECONDS: '10',
      CHUNKS_ENABLED: 'false',
      RETENTION_DAYS: '0',
      RETENTION_MAX_GB: '1.5',
      RETENTION_MIN_FREE_GB: '0',
    });
    expect(config.chunks).toEqual({ enabled: false, dir: '/video', seconds: 10 });
    expect(config.retention).toMatchObject({ maxAgeDays: null, maxBytes: 1_500_000_000, minFreeBytes: 0 });
    expect(() => parseConfig({ INFLUX_TOKEN: 't', CHUNK_SECONDS: '7' })).toThrow(/CHUNK_SECONDS/);
    expect(() => parseConfig({ INFLUX_TOKEN: 't', RETENTION_MAX_GB: '-1', CHUNKS_ENABLED: 'yes' })).toThrow(
      /RETENTION_MAX_GB.*CHUNKS_ENABLED|CHUNKS_ENABLED.*RETENTION_MAX_GB/,
    );
  });
});

describe('motion settings', () => {
  const base = { INFLUX_TOKEN: 't' };
  it('scores motion by default, into <INFLUX_BUCKET>_activity kept 400 days', () => {
    expect(parseConfig({ ...base, INFLUX_BUCKET: 'cams' }).motion).toEqual({
      enabled: true,
      activityBucket: 'cams_activity',
      activityRetentionDays: 400,
    });
  });

  it('can be turned off, and names bad values', () => {
    expect(parseConfig({ ...base, MOTION_ENABLED: 'false' }).motion.enabled).toBe(false);
    expect(() => parseConfig({ ...base, MOTION_ENABLED: 'yes', ACTIVITY_RETENTION_DAYS: '-1' })).toThrow(
      /MOTION_ENABLED.*ACTIVITY_RETENTION_DAYS|ACTIVITY_RETENTION_DAYS.*MOTION_ENABLED/,
    );
  });

  describe('restream targets', () => {
    const withTargets = (restream: unknown, extra: Record<string, string> = {}) =>
      parseConfig({
        INFLUX_TOKEN: 't',
        CAMERAS: JSON.stringify([{ id: 'cam1', url: 'rtsp://10.0.0.2/s', restream }]),
        ...extra,
      });

    it('reads targets, naming each after its host unless named, enabled unless said otherwise', () => {
      const config = withTargets([
        { url: 'rtmp://a.rtmp.youtube.com/live2', key: 'abcd-efgh-ijkl' },
        { name: 'relay', url: 'rtmps://relay.example:443/app/', key: 'k2?s_bl=1', enabled: false },
      ]);
      expect(config.cameras[0]?.restream).toEqual([
        { name: 'a.rtmp.youtube.com', url: 'rtmp://a.rtmp.youtube.com/live2', key: 'abcd-efgh-ijkl', enabled: true },
        { name: 'relay', url: 'rtmps://relay.example:443/app/', key: 'k2?s_bl=1', enabled: false },
      ]);
      expect(config.restream).toEqual({ backoff: { baseMs: 1_000, maxMs: 60_000 }, stallSeconds: 15 });
      expect(config.apiToken).toBeUndefined();
      expect(parseConfig({ INFLUX_TOKEN: 't' }).cameras[0]?.restream).toBeUndefined();
    });

    it('names every bad key of every target, and never quotes a key', () => {
      const secret = 'do-not-print-me';
      try {
        withTargets(
          [
            { url: 'http://a/live2', key: secret },
            { url: 'rtmp://host-only', key: '' },
            { url: 'rtmp://h/app', key: `two ${secret}`, enable: false },
            { name: '../x', url: 'rtmp://h/app', key: secret, enabled: 'yes' },
          ],
          { RESTREAM_BACKOFF_BASE_MS: '5000', RESTREAM_BACKOFF_MAX_MS: '1000' },
        );
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        const issues = (error as ConfigError).issues;
        expect(issues.map((i) => i.key)).toEqual(
          expect.arrayContaining([
            'CAMERAS.0.restream.0.url',
            'CAMERAS.0.restream.1.url',
            'CAMERAS.0.restream.1.key',
            'CAMERAS.0.restream.2.key',
            'CAMERAS.0.restream.2',
            'CAMERAS.0.restream.3.name',
            'CAMERAS.0.restream.3.enabled',
          ]),
        );
        expect(issues.find((i) => i.key === 'CAMERAS.0.restream.2')?.message).toMatch(/enable/);
        expect((error as Error).message).not.toContain(secret);
      }
    });

    it('refuses two targets of one camera with the same name, and a max backoff below the base', () => {
      expect(() =>
        withTargets([
          { url: 'rtmp://a.rtmp.youtube.com/live2', key: 'k1' },
          { url: 'rtmp://a.rtmp.youtube.com/live2', key: 'k2' },
        ]),
      ).toThrow(/CAMERAS\.0\.restream: restream target names must be unique/);
      expect(() => withTargets([], { RESTREAM_BACKOFF_BASE_MS: '5000', RESTREAM_BACKOFF_MAX_MS: '1000' })).toThrow(
        /RESTREAM_BACKOFF_MAX_MS: must be >= RESTREAM_BACKOFF_BASE_MS/,
      );
    });

    it('takes an API token of 16 characters or more for the switch', () => {
      expect(parseConfig({ INFLUX_TOKEN: 't', FATHOM_API_TOKEN: 'x'.repeat(16) }).apiToken).toBe('x'.repeat(16));
      expect(parseConfig({ INFLUX_TOKEN: 't', FATHOM_API_TOKEN: '' }).apiToken).toBeUndefined();
      expect(() => parseConfig({ INFLUX_TOKEN: 't', FATHOM_API_TOKEN: 'short' })).toThrow(/FATHOM_API_TOKEN/);
    });
  });
});
