/**
 * What the object detector would have written, without running it: `detections` points (one per
 * frame and label, tags camera, location and label; fields score, box, count and filepath), at
 * the capture times of frames that exist as real JPEGs, named by the index contract exactly as
 * the feed-handler's detection writer names them. Also stills for a camera that has none yet
 * (a real JPEG and a `filepaths` point each), so an appearance can be on a second camera.
 */
import { copyFileSync, linkSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DetectionPoint, MEASUREMENT, TAG, THUMBNAIL_FIELD, thumbnailRelativePath } from '@fathom/index-contract';
import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { detectionToPoint } from '../../feed-handler/src/index/influx.js';

export interface InfluxTarget {
  url: string;
  token: string;
  org: string;
  bucket: string;
}

async function write(influx: InfluxTarget, points: Point[]): Promise<void> {
  const failures: Error[] = [];
  const api = new InfluxDB({ url: influx.url, token: influx.token }).getWriteApi(influx.org, influx.bucket, 'ms', {
    batchSize: points.length + 1,
    maxRetries: 0,
    writeFailed: (error) => void failures.push(error),
  });
  api.writePoints(points);
  await api.close();
  if (failures.length) throw failures[0];
}

/** Writes the detections and waits until InfluxDB has them all. */
export async function seedDetections(influx: InfluxTarget, detections: readonly DetectionPoint[]): Promise<void> {
  await write(influx, detections.map(detectionToPoint));
}

/**
 * Stills of `camera` at the given capture times: a copy of `jpeg` at
 * THUMBNAIL_DIR/<thumbnailRelativePath> and a `filepaths` point each (no motion measured).
 * Returns each still's relative path.
 */
export async function seedCameraStills(
  influx: InfluxTarget,
  thumbnailDir: string,
  still: { camera: string; location: string; jpeg: string; width: number; height: number },
  times: readonly number[],
): Promise<string[]> {
  const bytes = statSync(still.jpeg).size;
  const paths: string[] = [];
  const points: Point[] = [];
  for (const ms of times) {
    const relative = thumbnailRelativePath(still.camera, ms);
    const file = join(thumbnailDir, relative);
    mkdirSync(dirname(file), { recursive: true });
    try {
      linkSync(still.jpeg, file);
    } catch {
      copyFileSync(still.jpeg, file);
    }
    paths.push(relative);
    points.push(
      new Point(MEASUREMENT.thumbnails)
        .tag(TAG.camera, still.camera)
        .tag(TAG.location, still.location)
        .stringField(THUMBNAIL_FIELD.filepath, relative)
        .intField(THUMBNAIL_FIELD.bytes, bytes)
        .intField(THUMBNAIL_FIELD.width, still.width)
        .intField(THUMBNAIL_FIELD.height, still.height)
        .timestamp(new Date(ms)),
    );
  }
  await write(influx, points);
  return paths;
}
