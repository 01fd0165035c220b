/**
 * The foundation's first proofs, on real services started by the global setup:
 * a real influxd answers Flux, and the real GStreamer RTSP server yields frames.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { flux, InfluxDB, Point } from '@influxdata/influxdb-client';
import { afterAll, describe, expect, inject, it } from 'vitest';

const execFileAsync = promisify(execFile);

describe('influxd (real, throwaway)', () => {
  const influx = inject('influx');

  it('writes a point and reads it back with Flux', async () => {
    const client = new InfluxDB({ url: influx.url, token: influx.token });
    const camera = `foundation-${Date.now()}`;
    const at = new Date(Date.UTC(2026, 10, 25, 12, 0, 0, 123));
    const writer = client.getWriteApi(influx.org, influx.bucket, 'ms');
    writer.writePoint(
      new Point('filepaths')
        .tag('camera', camera)
        .tag('location', 'lab')
        .stringField('filepath', 'a.jpg')
        .timestamp(at),
    );
    await writer.close();

    const rows = await client.getQueryApi(influx.org).collectRows<{ _time: string; _value: string; camera: string }>(
      flux`from(bucket: ${influx.bucket})
        |> range(start: ${new Date(at.getTime() - 1000)}, stop: ${new Date(at.getTime() + 1000)})
        |> filter(fn: (r) => r._measurement == "filepaths" and r.camera == ${camera})`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?._value).toBe('a.jpg');
    expect(rows[0]?._time).toBe('2026-11-25T12:00:00.123Z');
  });

  it('runs a 2.x server with Flux', async () => {
    const health = (await (await fetch(`${influx.url}/health`)).json()) as { status: string; version: string };
    expect(health.status).toBe('pass');
    expect(health.version).toMatch(/^v?2\./);
  });
});

describe('GStreamer RTSP server (real)', () => {
  const rtsp = inject('rtsp');
  const dir = mkdtempSync(join(tmpdir(), 'fathom-frames-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('yields 3 JPEG frames of the expected size through ffmpeg', async () => {
    await execFileAsync(
      'ffmpeg',
      ['-v', 'error', '-rtsp_transport', 'tcp', '-i', `${rtsp.baseUrl}/test`, '-frames:v', '3', join(dir, 'f%d.jpg')],
      { timeout: 30_000 },
    );
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['f1.jpg', 'f2.jpg', 'f3.jpg']);
    for (const file of files) {
      const bytes = readFileSync(join(dir, file));
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff])); // JPEG SOI marker
      const { stdout } = await execFileAsync('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=width,height',
        '-of',
        'csv=p=0',
        join(dir, file),
      ]);
      expect(stdout.trim()).toBe('640,360');
    }
  });
});
