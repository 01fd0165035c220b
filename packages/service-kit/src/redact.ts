/**
 * RTSP URLs carry credentials (rtsp://user:pass@host/...). Everything that
 * may contain one (a URL, an ffmpeg command line, an ffmpeg error line) is
 * passed through here before it reaches a log.
 */
const CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi;

export function redactCredentials(text: string): string {
  return text.replace(CREDENTIALS, '$1***@');
}
