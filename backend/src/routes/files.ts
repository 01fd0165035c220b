/** GET /thumbnails/<camera>/<YYYY>/<MM>/<DD>/<HH>/<ms>.jpg: the JPEGs, read-only. */
import type { Request, Response } from 'express';
import type { ThumbnailStore } from '../adapters/files.js';
import { badRequest, notFound } from '../problems.js';
import { THUMBNAIL_PATH_PATTERN } from '../schemas.js';
import { IMMUTABLE, sendThumbnail } from './send-thumbnail.js';

export function thumbnailFileHandler(files: ThumbnailStore) {
  return async (req: Request, res: Response) => {
    // Express 5 hands the wildcard over as decoded segments; an encoded "/" inside a segment
    // ("..%2F") becomes part of the joined path and fails the exact-name check below.
    const segments = req.params.path as unknown;
    const relative = Array.isArray(segments) ? segments.join('/') : String(segments ?? '');
    // The document's pattern decides 400; a path of that shape that is not one of our names
    // (folders not the UTC hour of its time) is simply no file, which the store says: 404.
    if (!THUMBNAIL_PATH_PATTERN.test(relative)) {
      throw badRequest('not a thumbnail path: expected camera/YYYY/MM/DD/HH/<epoch-ms>.jpg (UTC)');
    }
    const file = await files.open(relative);
    if (!file) throw notFound(`no such thumbnail: ${relative}`);
    await sendThumbnail(req, res, file, IMMUTABLE);
  };
}
