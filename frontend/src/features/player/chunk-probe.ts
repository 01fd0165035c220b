/**
 * Reads the start of a chunk to learn its codecs, once the <video> could not
 * play it. The API does not say which codec a camera records, and the MP4 does,
 * in its first few kilobytes (see ./mp4-codecs.ts). A plain GET of the media URL
 * (the token, if any, is in its query, as for <video>): no header that would
 * need a CORS preflight; the body is read up to PROBE_BYTES and the rest is
 * not downloaded.
 */
import { mp4Codecs } from './mp4-codecs';
import type { ChunkProbe } from './unplayable';

/** Enough for the moov of a chunk of several minutes, which holds every track's sample entry. */
export const PROBE_BYTES = 256 * 1024;

async function readPrefix(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      length += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(length, limit));
  let at = 0;
  for (const part of parts) {
    const take = part.subarray(0, bytes.length - at);
    bytes.set(take, at);
    at += take.length;
  }
  return bytes;
}

/** What the first bytes of `mediaUrl` say; rejects only when `signal` aborts. */
export async function probeChunk(
  mediaUrl: string,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<ChunkProbe> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetchImpl(mediaUrl, { signal: stop.signal });
    if (!response.ok) return { state: 'http', status: response.status };
    if (!response.body) return { state: 'unreadable' };
    return { state: 'read', codecs: mp4Codecs(await readPrefix(response.body, PROBE_BYTES)) };
  } catch (error) {
    if (signal.aborted) throw error;
    return { state: 'unreadable' };
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Whatever is still on its way is not wanted.
    stop.abort();
  }
}
