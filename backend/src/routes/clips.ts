/** GET /clips?camera=&from=&to=: the video chunks overlapping a window, with their thumbnails' group. */
import type { Request, Response } from 'express';
import type { ClipIndex } from '../clip-reader.js';
import { type ClipsBody, clipsQuerySchema } from '../clip-schemas.js';
import { badRequest } from '../problems.js';
import { NS_PER_MS, NS_PER_SECOND, nsToIso } from '../time-input.js';
import { parseQuery } from './shared.js';

/** A chunk is at most a day long (CHUNK_SECONDS divides a day): one that overlaps `from` started at most this early. */
const LONGEST_CHUNK_NS = 86_400n * NS_PER_SECOND;
const MAX_WINDOW_NS = 7n * 86_400n * NS_PER_SECOND;

const seconds = (ms: number) => ms / 1000;
const secondsParam = (ms: number) => `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;

export function chunkUrl(filepath: string): string {
  return `/chunks/${filepath.split('/').map(encodeURIComponent).join('/')}`;
}

/** /thumbnailGroup is (ts, ts + minutes]: from 1 ms before the first frame, whole minutes to the end. */
export function thumbnailGroupUrl(camera: string, startMs: number, endMs: number): string {
  // (start - 1 ms, start - 1 ms + X]: holds the first frame, and the frame at `end` (the next chunk's) only past X.
  const minutes = Math.max(1, Math.ceil((endMs - startMs) / 60_000));
  const params = new URLSearchParams({ camera, ts: secondsParam(Math.max(0, startMs - 1)), minutes: String(minutes) });
  return `/thumbnailGroup?${params.toString()}`;
}

export function clipsHandler(clips: ClipIndex) {
  return async (req: Request, res: Response) => {
    const query = parseQuery(clipsQuerySchema, req.query);
    if (query.to <= query.from) throw badRequest('to must be after from');
    if (query.to - query.from > MAX_WINDOW_NS) throw badRequest('the window from..to may be at most 7 days');
    const fromMs = Number(query.from / NS_PER_MS);
    const chunks = await clips.chunksIn({ startNs: query.from - LONGEST_CHUNK_NS, stopNs: query.to }, query.camera);
    const overlapping = chunks.filter((c) => c.endMs > fromMs);
    const body: ClipsBody = {
      camera: query.camera ?? null,
      from: nsToIso(query.from),
      to: nsToIso(query.to),
      count: overlapping.length,
      clips: overlapping.map((c) => ({
        camera: c.camera,
        location: c.location,
        start: new Date(c.startMs).toISOString(),
        end: new Date(c.endMs).toISOString(),
        startTs: seconds(c.startMs),
        endTs: seconds(c.endMs),
        durationSeconds: seconds(c.endMs - c.startMs),
        bytes: c.bytes,
        url: chunkUrl(c.filepath),
        thumbnailGroupUrl: thumbnailGroupUrl(c.camera, c.startMs, c.endMs),
      })),
    };
    res.json(body);
  };
}
