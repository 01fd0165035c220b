/**
 * The canaries: things no request may return, change or delete.
 * - `canary.jpg` in the parent folder of THUMBNAIL_DIR (a JPEG whose comment holds the marker);
 * - a symlinked camera folder and a symlinked thumbnail inside THUMBNAIL_DIR that point at it
 *   with valid contract names (the backend must not follow a link out of its volume);
 * - a point tagged with the marker in another measurement of the bucket, and one in another bucket.
 * Any response containing the marker, or any change to these, is a failure.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { thumbnailRelativePath } from '@fathom/index-contract';
import { sha256File } from './disk.js';
import type { IndexProbe } from './index-db.js';

export const CANARY_MEASUREMENT = 'fathom_canary';
export const CANARY_BUCKET = 'fathom-canary';

export interface Canary {
  marker: string;
  file: string;
  /** Relative thumbnail paths that are symlinks leading out of THUMBNAIL_DIR. */
  symlinkPaths: string[];
  verify(): Promise<string[]>;
}

/** A tiny JPEG (SOI, COM segment with the marker, EOI). */
function canaryJpeg(marker: string): Buffer {
  const text = Buffer.from(marker, 'ascii');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(text.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xfe]), length, text, Buffer.from([0xff, 0xd9])]);
}

export async function plantCanary(thumbnailDir: string, index: IndexProbe, bucket: string): Promise<Canary> {
  const marker = `FATHOM-CANARY-${randomBytes(8).toString('hex')}`;
  const parent = dirname(thumbnailDir);
  const file = join(parent, 'canary.jpg');
  writeFileSync(file, canaryJpeg(marker));

  // Times in 2020, far from any real frame, so the feed-handler's catch-up never meets them.
  const linkTime = Date.UTC(2020, 0, 1, 0, 0, 0, 1);
  const fileLink = thumbnailRelativePath('test', linkTime);
  mkdirSync(join(thumbnailDir, dirname(fileLink)), { recursive: true });
  symlinkSync(file, join(thumbnailDir, fileLink));

  const outside = join(parent, 'outside-camera');
  const dirLinkPath = thumbnailRelativePath('symcam', linkTime);
  mkdirSync(join(outside, dirname(dirLinkPath).slice('symcam/'.length)), { recursive: true });
  writeFileSync(join(outside, dirLinkPath.slice('symcam/'.length)), canaryJpeg(marker));
  symlinkSync(outside, join(thumbnailDir, 'symcam'));

  const hash = await sha256File(file);
  await index.ensureBucket(CANARY_BUCKET);
  const atMs = Date.now() - 60_000;
  await index.writeCanaryPoint(bucket, CANARY_MEASUREMENT, marker, atMs);
  await index.writeCanaryPoint(CANARY_BUCKET, 'filepaths', marker, atMs);

  return {
    marker,
    file,
    symlinkPaths: [fileLink, dirLinkPath],
    async verify() {
      const problems: string[] = [];
      if ((await sha256File(file)) !== hash) problems.push(`${file} changed or deleted`);
      try {
        if (readlinkSync(join(thumbnailDir, fileLink)) !== file) problems.push('thumbnail symlink changed');
        if (readlinkSync(join(thumbnailDir, 'symcam')) !== outside) problems.push('camera symlink changed');
      } catch (error) {
        problems.push(`symlink gone: ${String(error)}`);
      }
      if ((await index.countCanary(bucket, CANARY_MEASUREMENT, marker)) !== 1) {
        problems.push(`canary point in ${bucket}/${CANARY_MEASUREMENT} changed or deleted`);
      }
      if ((await index.countCanary(CANARY_BUCKET, 'filepaths', marker)) !== 1) {
        problems.push(`canary point in bucket ${CANARY_BUCKET} changed or deleted`);
      }
      return problems;
    },
  };
}
