/**
 * A stream key is the password of a live channel: whoever has it can broadcast
 * on it. It never reaches a log line, a metric, an HTTP answer or an error.
 * ffmpeg echoes its output URL (which ends in the key) in its own messages, and
 * an RTMP server may quote the stream name back, so every text from or about a
 * restream passes through here. Pure.
 */
import { redactCredentials } from '@fathom/service-kit';

export const KEY_MASK = '***';

/**
 * rtmp[s]://host[:port]/app, then the rest (the stream key, a query): the rest is masked,
 * up to a space or a quote, leaving the colon of ffmpeg's "<url>: <error>".
 */
const RTMP_URL = /(rtmps?:\/\/[^\s/'"]+\/[^\s/?'"]+)[/?][^\s'"]*?(?=:?(?:[\s'"]|$))/gi;

/** Any rtmp:// or rtmps:// URL keeps its host and application; what follows them is masked. */
export function redactStreamUrls(text: string): string {
  return text.replace(RTMP_URL, `$1/${KEY_MASK}`);
}

/** Every way a key may be written in a text: as is, and percent-encoded (an URL, a form post). */
function spellings(key: string): string[] {
  const encoded = encodeURIComponent(key);
  return encoded === key ? [key] : [key, encoded];
}

/**
 * A redactor for texts about the given targets: each known key is masked wherever it
 * appears (a URL, a server's quote of the stream name), any RTMP URL loses what follows
 * its application, and user:pass@ goes from any URL (the camera's RTSP credentials).
 */
export function keyRedactor(keys: readonly string[]): (text: string) => string {
  // Longest first, so a key that contains another is masked whole.
  const literals = [...new Set(keys.filter((k) => k.length > 0).flatMap(spellings))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => {
    let out = text;
    for (const literal of literals) out = out.split(literal).join(KEY_MASK);
    return redactCredentials(redactStreamUrls(out));
  };
}
