/**
 * The fan-out relay: one MediaMTX path that one ffmpeg publishes the clip to (copied, looped in
 * real time), read by every camera. It stands in for N cameras at the cost of one stream's
 * packaging, where `rtsp/server.py` runs a pipeline (file read, demux, payloading) per mount: the
 * difference between the two is the relay's own CPU, which on this 2-core machine competes with
 * Fathom's. Every camera still opens its own RTSP session and gets its own copy of every packet.
 */
import { spawnBound, stopChild, tailOf, waitFor } from '../../scripts/lib/process.js';
import { startMediaMtx } from '../../test/support/mediamtx.js';

export interface FanoutRelay {
  /** The one path every camera reads. */
  url: string;
  /** MediaMTX and its publisher: the "source" CPU. */
  pids: number[];
  /**
   * MediaMTX's "reader is too slow, discarding …" warnings so far: a reader whose socket stayed full had packets
   * dropped by the relay (as a camera with a full send buffer would), which can cost it a frame.
   */
  slowReaderWarnings(): number;
  stop(): Promise<void>;
}

const PATH = 'fanout';

/** The publisher's arguments: the clip, looped, sent at its own rate without re-encoding. */
export function fanoutPublisherArgs(clipPath: string, publishUrl: string): string[] {
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'warning',
    '-re',
    '-stream_loop',
    '-1',
    '-i',
    clipPath,
    '-c',
    'copy',
    '-f',
    'rtsp',
    '-rtsp_transport',
    'tcp',
    publishUrl,
  ];
}

/** MediaMTX's warnings that it dropped packets for a reader that did not keep up. */
export function countSlowReaderWarnings(output: string): number {
  return output.match(/reader is too slow, discarding/g)?.length ?? 0;
}

export async function startFanoutRelay(clipPath: string, ffmpegPath: string): Promise<FanoutRelay> {
  const mtx = await startMediaMtx({ paths: [{ name: PATH }], logLevel: 'info' });
  const publisher = spawnBound(ffmpegPath, fanoutPublisherArgs(clipPath, mtx.publishUrl(PATH)));
  const publisherOutput = tailOf(publisher, 8_000);
  try {
    await waitFor(
      'the fan-out publisher on MediaMTX',
      async () => {
        if (publisher.exitCode !== null) throw new Error(`publisher exited: ${publisherOutput()}`);
        return mtx.output().includes('is publishing to path') ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  } catch (error) {
    await stopChild(publisher, 2_000);
    await mtx.stop();
    throw new Error(`${String(error)}\n${mtx.output().slice(-2_000)}`);
  }
  const publisherPid = publisher.pid;
  if (publisherPid === undefined) throw new Error('the fan-out publisher has no pid');
  let stopping: Promise<void> | undefined;
  return {
    url: mtx.url(PATH),
    pids: [mtx.pid, publisherPid],
    slowReaderWarnings: () => countSlowReaderWarnings(mtx.output()),
    stop() {
      stopping ??= stopChild(publisher, 3_000).then(() => mtx.stop());
      return stopping;
    },
  };
}
