/** Streams one thumbnail JPEG with validators; used by /thumbnails/* and /thumbnail?format=image. */
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { ThumbnailFile } from '../adapters/files.js';

/** A file's name carries its capture time and it is never rewritten: cache it for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

export async function sendThumbnail(req: Request, res: Response, file: ThumbnailFile, cacheControl: string) {
  const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  res.set({ 'Content-Type': 'image/jpeg', 'Cache-Control': cacheControl, ETag: etag });
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    await file.close();
    res.status(304).end();
    return;
  }
  res.set('Content-Length', String(file.size));
  if (req.method === 'HEAD') {
    await file.close();
    res.status(200).end();
    return;
  }
  res.status(200);
  // pipeline destroys both ends on error: a client that goes away releases the file.
  await pipeline(file.stream(), res).catch((error: unknown) => {
    if (!res.headersSent) throw error;
    // A client closing right as the last bytes arrive is normal (curl, <img> swaps); other faults are not.
    const clientLeft = (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
    req.log?.[clientLeft ? 'debug' : 'warn']({ err: error }, 'thumbnail stream ended early');
  });
}
