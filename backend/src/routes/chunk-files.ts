/**
 * GET /chunks/<camera>/<YYYY>/<MM>/<DD>/<HH>/<start-ms>-<end-ms>.mp4: the MP4s,
 * read-only, with HTTP range requests (206) so a browser can seek without
 * downloading the whole chunk. Same path rules as /thumbnails. `?download=1`
 * answers it as an attachment: a link on another origin (the dashboard's) cannot
 * ask the browser to save it otherwise, and an H.265 chunk it cannot play is saved.
 */
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { ChunkStore, ThumbnailFile } from '../adapters/files.js';
import { exportVideoQuery } from '../exports/export-schemas.js';
import { badRequest, notFound } from '../problems.js';
import { CHUNK_PATH_PATTERN } from '../schemas.js';
import { IMMUTABLE } from './send-thumbnail.js';
import { parseQuery } from './shared.js';

export function chunkFileHandler(files: ChunkStore) {
  return async (req: Request, res: Response) => {
    const segments = req.params.path as unknown;
    const relative = Array.isArray(segments) ? segments.join('/') : String(segments ?? '');
    // As /thumbnails: the document's pattern decides 400; a name of that shape that is not one of ours is a 404.
    if (!CHUNK_PATH_PATTERN.test(relative)) {
      throw badRequest('not a chunk path: expected camera/YYYY/MM/DD/HH/<start-ms>-<end-ms>.mp4 (UTC)');
    }
    const { download } = parseQuery(exportVideoQuery, req.query);
    const file = await files.open(relative);
    if (!file) throw notFound(`no such chunk: ${relative}`);
    const camera = relative.split('/')[0] ?? 'camera';
    const name = `fathom-${camera}-${relative.split('/').pop() ?? 'chunk.mp4'}`;
    res.set('Content-Disposition', `${download === '1' ? 'attachment' : 'inline'}; filename="${name}"`);
    await sendVideo(req, res, file);
  };
}

export async function sendVideo(req: Request, res: Response, file: ThumbnailFile): Promise<void> {
  const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  res.set({ 'Content-Type': 'video/mp4', 'Cache-Control': IMMUTABLE, ETag: etag, 'Accept-Ranges': 'bytes' });
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    await file.close();
    res.status(304).end();
    return;
  }
  // Express's range parser: undefined (no header), -1 (unsatisfiable), -2 (malformed: ignored), or ranges.
  const ranges = req.get('range') ? req.range(file.size, { combine: true }) : undefined;
  if (ranges === -1) {
    await file.close();
    res.set('Content-Range', `bytes */${file.size}`);
    res.status(416).json({ error: 'range_not_satisfiable', detail: `the file has ${file.size} bytes` });
    return;
  }
  // One range is what players ask for; several (rare) get the whole file.
  const range = Array.isArray(ranges) && ranges.length === 1 ? ranges[0] : undefined;
  if (range) {
    res.status(206);
    res.set({
      'Content-Range': `bytes ${range.start}-${range.end}/${file.size}`,
      'Content-Length': String(range.end - range.start + 1),
    });
  } else {
    res.status(200);
    res.set('Content-Length', String(file.size));
  }
  if (req.method === 'HEAD' || file.size === 0) {
    await file.close();
    res.end();
    return;
  }
  await pipeline(file.stream(range ? { start: range.start, end: range.end } : undefined), res).catch(
    (error: unknown) => {
      if (!res.headersSent) throw error;
      // A player abandons a range as soon as it seeks elsewhere: normal, not a fault.
      const clientLeft = (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
      req.log?.[clientLeft ? 'debug' : 'warn']({ err: error }, 'chunk stream ended early');
    },
  );
}
