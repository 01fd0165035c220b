/**
 * Why a restream child ended, in the words its status shows: short, one line,
 * from a fixed vocabulary, saying which side failed. `target: publish refused
 * (check the stream key)`, `target: connection refused`, `camera: connection
 * lost`, `stalled: no video sent for 10 s`. The raw stderr tail (keys and
 * credentials masked) goes to the logs only. Pure.
 */
import { classifyFfmpegError } from '../capture/exit-reason.js';
import type { ExitResult } from '../capture/ffmpeg.js';

/** Which end failed: the RTMP server (URL, key, network to it) or the camera. */
export type FailureSide = 'target' | 'camera' | 'unknown';

export interface RestreamFailure {
  reason: string;
  side: FailureSide;
}

/** ffmpeg's "<url>: <error>" when it cannot open an input or an output. */
const OPEN_FAILED = /^(rtmps?|rtsps?):\/\/\S*: (.+)$/i;
/** Lines ffmpeg writes when the output goes away mid-stream. */
const OUTPUT_LOST =
  /av_interleaved_write_frame\(\)|Error writing trailer|Error muxing a packet|Error closing file rtmp/i;
const SERVER_ERROR = /^\[rtmps? @ [^\]]+\] Server error/i;
const CAMERA_LINE = /^\[(rtsp|rtp|sdp) @ /i;

const described = (side: 'target' | 'camera', kind: string | null, otherwise: string): RestreamFailure => ({
  reason: `${side}: ${kind ?? otherwise}`,
  side,
});

/**
 * The reason for a child that ended by itself, from its exit and its stderr tail.
 * An RTMP server that refuses the publish (a wrong key, or an application that is
 * not there) drops the connection: ffmpeg then says only "Input/output error".
 */
export function describeRestreamEnd(exit: ExitResult, stderrTail: readonly string[]): RestreamFailure {
  if (exit.error)
    return { reason: `ffmpeg did not start (${classifyFfmpegError(exit.error) ?? 'error'})`, side: 'unknown' };
  for (const line of [...stderrTail].reverse()) {
    const open = OPEN_FAILED.exec(line.trim());
    if (open) {
      const message = open[2] as string;
      if (/^rtmp/i.test(open[1] as string)) {
        const kind = classifyFfmpegError(message);
        if (kind === null && /Input\/output error|Operation not permitted/i.test(message)) {
          return { reason: 'target: publish refused (check the stream key)', side: 'target' };
        }
        return described('target', kind, 'could not publish');
      }
      return described('camera', classifyFfmpegError(message), 'could not read the stream');
    }
  }
  if (stderrTail.some((line) => SERVER_ERROR.test(line.trim()))) {
    return { reason: 'target: publish refused by the server', side: 'target' };
  }
  if (stderrTail.some((line) => OUTPUT_LOST.test(line))) {
    return described('target', classifyFfmpegError(stderrTail.filter((l) => OUTPUT_LOST.test(l))), 'connection lost');
  }
  const cameraLines = stderrTail.filter((line) => CAMERA_LINE.test(line.trim()));
  if (cameraLines.length > 0 && classifyFfmpegError(cameraLines)) {
    return described('camera', classifyFfmpegError(cameraLines), 'stream ended');
  }
  const kind = classifyFfmpegError(stderrTail);
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? 'unknown'}`;
  return { reason: kind ? `exited: ${how} (${kind})` : `exited: ${how}`, side: 'unknown' };
}

/** The reason for a probe that could not read the camera's stream. */
export function describeProbeFailure(exit: ExitResult, stderrTail: readonly string[]): string {
  const kind = classifyFfmpegError(exit.error ? [...stderrTail, exit.error] : stderrTail);
  return `camera: ${kind ?? 'no stream'}`;
}
