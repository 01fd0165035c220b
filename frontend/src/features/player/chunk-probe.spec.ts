import { describe, expect, it } from 'vitest';
import { PROBE_BYTES, probeChunk } from './chunk-probe';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(ascii(type), 4);
  let at = 8;
  for (const p of payload) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** ftyp, then a moov with one H.265 video track, as the feed-handler's faststart chunks begin. */
const HEVC_HEAD = (() => {
  const hdlr = box('hdlr', new Uint8Array(8), ascii('vide'), new Uint8Array(13));
  const stsd = box('stsd', new Uint8Array(4), Uint8Array.of(0, 0, 0, 1), box('hev1', new Uint8Array(78)));
  const moov = box('moov', box('trak', box('mdia', hdlr, box('minf', box('stbl', stsd)))));
  const ftyp = box('ftyp', ascii('isom'), new Uint8Array(4));
  const out = new Uint8Array(ftyp.length + moov.length);
  out.set(ftyp, 0);
  out.set(moov, ftyp.length);
  return out;
})();

/** A body of `head` then endless media, in 16 KiB pieces; counts what was pulled and whether it was cancelled. */
function endlessBody(head: Uint8Array) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = seen.pulled === 0 ? head : new Uint8Array(16 * 1024);
      seen.pulled += piece.length;
      controller.enqueue(piece);
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

describe('probeChunk', () => {
  it('reads the codecs from the start of the file with a plain GET and stops reading there', async () => {
    const { body, seen } = endlessBody(HEVC_HEAD);
    const asked: { url: string; init: RequestInit | undefined }[] = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      asked.push({ url, init });
      return new Response(body, { status: 200, headers: { 'content-type': 'video/mp4' } });
    }) as typeof fetch;
    const probe = await probeChunk(
      'http://api/chunks/porch/x.mp4?access_token=t',
      new AbortController().signal,
      fetchImpl,
    );
    expect(probe).toEqual({ state: 'read', codecs: { video: 'hev1', audio: null } });
    expect(asked).toHaveLength(1);
    expect(asked[0]?.url).toBe('http://api/chunks/porch/x.mp4?access_token=t');
    // No headers: nothing that would need a CORS preflight.
    expect(asked[0]?.init?.headers).toBeUndefined();
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThan(PROBE_BYTES + 64 * 1024);
  });

  it('reports the status of an answer that is not the file', async () => {
    const fetchImpl = (async () => new Response('{"error":"not_found"}', { status: 404 })) as typeof fetch;
    expect(await probeChunk('http://api/x', new AbortController().signal, fetchImpl)).toEqual({
      state: 'http',
      status: 404,
    });
  });

  it('is unreadable when there is no answer, and rejects when the caller aborts', async () => {
    const refused = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expect(await probeChunk('http://api/x', new AbortController().signal, refused)).toEqual({ state: 'unreadable' });

    const abort = new AbortController();
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof fetch;
    const pending = probeChunk('http://api/x', abort.signal, hanging);
    abort.abort();
    await expect(pending).rejects.toThrow('aborted');
  });

  it('reads a short file to its end', async () => {
    const fetchImpl = (async () => new Response(HEVC_HEAD, { status: 200 })) as typeof fetch;
    expect(await probeChunk('http://api/x', new AbortController().signal, fetchImpl)).toEqual({
      state: 'read',
      codecs: { video: 'hev1', audio: null },
    });
  });
});
