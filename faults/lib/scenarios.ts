/**
 * The faults, one at a time, each with the same checks afterwards: thumbnails on
 * disk against points indexed (file by file), the recovery time, the outage
 * recorded by camera_status, the longest hole in the footage, and what clients saw.
 */
import { scanThumbnails } from './disk.js';
import { compareCensus, isConsistent, longestFootageGaps, statusGaps } from './gaps.js';
import { type FaultStack, sleep } from './harness.js';
import { isClientError, startTraffic, type TrafficRecord } from './traffic.js';

export type FaultName = 'rtsp-killed' | 'influxd-killed' | 'feed-handler-sigkill' | 'backend-restart' | 'disk-full';

export interface FaultResult {
  fault: FaultName;
  title: string;
  /** Set when the fault could not be injected here; every figure below is then empty. */
  skipped: string | null;
  outageSeconds: number;
  disk: number;
  indexed: number;
  /** Files on disk with no point: index points lost. Must be 0. */
  lost: number;
  /** Points with no file. Must be 0. */
  phantom: number;
  /** From the fault's end until every camera writes again and the index equals the disk; null: not within the bound. */
  recoverySeconds: number | null;
  framesResumedSeconds: number | null;
  statusGaps: string;
  footageGapSeconds: number;
  clientRequests: number;
  clientErrors: number;
  clientErrorKinds: string;
  /** Client errors on requests started after recovery. Must be 0. */
  errorsAfterRecovery: number;
  /** .tmp files left behind and JPEGs that are not whole (disk-full fault). Must be 0. */
  leftovers: number;
  notes: string[];
}

export interface FaultTiming {
  outageMs: number;
  /** Traffic before the fault, so clients are mid-flight when it hits. */
  leadMs: number;
  /** How long recovery may take before the fault counts as not recovered. */
  recoveryBoundMs: number;
  /** Clients during the fault (the backend restart uses the load-test count). */
  clients: number;
  /** Clients during the backend restart. */
  restartClients: number;
}

export const QUICK_TIMING: FaultTiming = {
  outageMs: 4_000,
  leadMs: 1_500,
  recoveryBoundMs: 60_000,
  clients: 2,
  restartClients: 10,
};
export const FULL_TIMING: FaultTiming = {
  outageMs: 30_000,
  leadMs: 5_000,
  recoveryBoundMs: 180_000,
  clients: 2,
  restartClients: 50,
};

const TITLES: Record<FaultName, string> = {
  'rtsp-killed': 'RTSP server SIGKILLed, restarted after the outage',
  'influxd-killed': 'influxd SIGKILLed, restarted after the outage',
  'feed-handler-sigkill': 'feed-handler SIGKILLed, restarted after the outage',
  'backend-restart': 'backend restarted (SIGTERM, start) under client load',
  'disk-full': 'thumbnail filesystem full (ENOSPC), then freed',
};

function killPid(pid: number | undefined, what: string) {
  if (!pid) throw new Error(`${what} is not running`);
  process.kill(pid, 'SIGKILL');
}

/** Outage lengths per fault: influxd's is twice the base (the issue's 30 s / 60 s). */
export function outageFor(fault: FaultName, timing: FaultTiming): number {
  if (fault === 'influxd-killed') return timing.outageMs * 2;
  if (fault === 'feed-handler-sigkill') return Math.min(timing.outageMs, 5_000);
  if (fault === 'backend-restart') return 0;
  return timing.outageMs;
}

export async function runFault(ctx: FaultStack, fault: FaultName, timing: FaultTiming): Promise<FaultResult> {
  const { stack } = ctx;
  const outageMs = outageFor(fault, timing);
  const base: FaultResult = {
    fault,
    title: TITLES[fault],
    skipped: null,
    outageSeconds: outageMs / 1000,
    disk: 0,
    indexed: 0,
    lost: 0,
    phantom: 0,
    recoverySeconds: null,
    framesResumedSeconds: null,
    statusGaps: '',
    footageGapSeconds: 0,
    clientRequests: 0,
    clientErrors: 0,
    clientErrorKinds: '',
    errorsAfterRecovery: 0,
    leftovers: 0,
    notes: [],
  };
  if (fault === 'disk-full' && !ctx.disk) return { ...base, skipped: ctx.diskUnavailable ?? 'no sized filesystem' };

  const windowStart = Date.now() - 10_000;
  const traffic = startTraffic({
    baseUrl: stack.urls.backend,
    apiToken: ctx.apiToken,
    workers: fault === 'backend-restart' ? timing.restartClients : timing.clients,
    cameras: stack.cameras,
    fromMs: ctx.startedAtMs,
  });
  const logMark = ctx.logs.length;
  await sleep(timing.leadMs);

  const faultAt = Date.now();
  let restoredAt: number;
  switch (fault) {
    case 'rtsp-killed':
      killPid(stack.pids().rtsp, 'the RTSP server');
      await stack.stopService('rtsp');
      await sleep(outageMs);
      restoredAt = Date.now();
      await stack.startService('rtsp');
      break;
    case 'influxd-killed':
      killPid(stack.pids().influx, 'influxd');
      await stack.stopService('influx');
      await sleep(outageMs);
      restoredAt = Date.now();
      await stack.startService('influx');
      break;
    case 'feed-handler-sigkill':
      await stack.stopService('feedHandler', { kill: true });
      await sleep(outageMs);
      restoredAt = Date.now();
      await stack.startService('feedHandler');
      break;
    case 'backend-restart': {
      // Load runs on both sides of the restart. The outage is the old process's drain (SIGTERM to exit).
      await stack.stopService('backend');
      restoredAt = Date.now();
      base.outageSeconds = (restoredAt - faultAt) / 1000;
      await stack.startService('backend');
      await sleep(timing.leadMs * 2);
      break;
    }
    case 'disk-full': {
      const disk = ctx.disk as NonNullable<FaultStack['disk']>;
      const filler = await disk.fill();
      await sleep(outageMs);
      restoredAt = Date.now();
      await disk.free();
      base.notes.push(`filled ${(filler / 2 ** 20).toFixed(1)} MiB of a ${disk.sizeMb} MiB tmpfs`);
      break;
    }
  }

  // Recovery: every camera writes again, and the index holds exactly the files on disk.
  const deadline = Date.now() + timing.recoveryBoundMs;
  let framesAt: number | null = null;
  let recoveredAt: number | null = null;
  let lastCensus = '';
  while (Date.now() < deadline) {
    const now = Date.now();
    const disk = await scanThumbnails(ctx.thumbnailDir, windowStart, now);
    if (framesAt === null && stack.cameras.every((c) => (disk.times.get(c) ?? []).some((t) => t > restoredAt))) {
      framesAt = now;
    }
    if (framesAt !== null) {
      // Frames of the last 3 s may be on disk but not yet flushed (INDEX_FLUSH_MS): compare up to then.
      const to = now - 3_000;
      const onDisk = new Map([...disk.times].map(([c, ts]) => [c, ts.filter((t) => t <= to)]));
      const indexed = await ctx.index.thumbnailTimes(windowStart, to).catch(() => null);
      if (indexed) {
        const census = compareCensus(onDisk, indexed);
        if (isConsistent(census) && [...onDisk.values()].some((ts) => ts.some((t) => t > restoredAt))) {
          recoveredAt = now;
          break;
        }
        lastCensus = `lost ${census.lost.length}, phantom ${census.phantom.length}`;
      }
    }
    await sleep(500);
  }
  if (recoveredAt === null)
    base.notes.push(`not recovered within ${timing.recoveryBoundMs / 1000} s (${lastCensus || 'no new frames'})`);

  // A little traffic after recovery: it must all succeed.
  await sleep(2_000);
  const records = await traffic.stop();
  const endAt = Date.now();

  // The figures, over the whole fault window.
  const to = endAt - 3_000;
  const scan = await scanThumbnails(ctx.thumbnailDir, windowStart, to, { checkJpegs: true });
  const census = compareCensus(scan.times, await ctx.index.thumbnailTimes(windowStart, to));
  // From 3 s before the fault: after a SIGKILL the next start writes the offline point at the
  // last thumbnail before the kill + 1 ms, and that thumbnail was captured up to ~2 s earlier.
  const gaps = statusGaps(await ctx.index.statusRows(faultAt - 3_000, endAt));
  const footage = longestFootageGaps(scan.times);
  const errors = records.filter(isClientError);
  let recoveryMark = recoveredAt ?? endAt;
  let recoverySeconds = recoveredAt === null ? null : (recoveredAt - restoredAt) / 1000;
  if (fault === 'backend-restart') {
    // For the API, recovered means: the new process answered a client. Only requests sent
    // after the old process exited can reach the new one.
    const served = records
      .filter((r) => !isClientError(r) && r.atMs >= restoredAt)
      .map((r) => r.atMs + r.ms)
      .sort((a, b) => a - b)[0];
    const firstError = errors.map((r) => r.atMs).sort((a, b) => a - b)[0];
    if (served === undefined) base.notes.push('no client was served after the restart');
    else {
      recoveryMark = served;
      if (recoveredAt !== null) recoverySeconds = (served - restoredAt) / 1000;
      const window = firstError === undefined ? 0 : (served - firstError) / 1000;
      base.notes.push(
        `old process drained in ${base.outageSeconds.toFixed(1)} s; clients saw errors for ${window.toFixed(1)} s`,
      );
    }
  }

  if (fault === 'disk-full') {
    const refused = ctx.logs.slice(logMark).filter((l) => l.startsWith('feedHandler') && l.includes('ENOSPC')).length;
    base.notes.push(`${refused} feed-handler log lines with ENOSPC during the fault`);
  }
  return {
    ...base,
    disk: Object.values(census.disk).reduce((a, b) => a + b, 0),
    indexed: Object.values(census.indexed).reduce((a, b) => a + b, 0),
    lost: census.lost.length,
    phantom: census.phantom.length,
    recoverySeconds,
    // The backend writes no frames; its row's recovery is the API's.
    framesResumedSeconds: framesAt === null || fault === 'backend-restart' ? null : (framesAt - restoredAt) / 1000,
    statusGaps: describeGaps(gaps),
    footageGapSeconds: Math.max(0, ...Object.values(footage)) / 1000,
    clientRequests: records.length,
    clientErrors: errors.length,
    clientErrorKinds: kinds(errors),
    errorsAfterRecovery: errors.filter((r) => r.atMs > recoveryMark).length,
    leftovers: scan.tmpFiles.length + scan.truncated.length,
  };
}

function kinds(errors: readonly TrafficRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of errors) {
    const key = r.status === null ? (r.error ?? 'error') : String(r.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}×${n}`).join(' ');
}

function describeGaps(gaps: ReturnType<typeof statusGaps>): string {
  if (gaps.length === 0) return 'none';
  return gaps
    .map((g) => {
      const length =
        g.onlineAtMs === null ? 'still offline' : `${((g.onlineAtMs - g.offlineAtMs) / 1000).toFixed(1)} s`;
      // Reasons may carry ffmpeg's stderr: one line, short, for a table cell.
      const reason = g.reason.replace(/\s+/g, ' ').trim();
      return `${g.camera} ${length} (${reason.length > 70 ? `${reason.slice(0, 67)}…` : reason})`;
    })
    .join('; ');
}
