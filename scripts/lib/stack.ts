/**
 * The whole Fathom stack, natively: influxd, the GStreamer RTSP server, the
 * feed-handler, the backend and the dashboard server. Used by `npm run stack`,
 * the browser tests, the fault suite and the benchmarks, so all of them run
 * the same thing. Each service is started exactly as its Dockerfile starts it
 * (built JS under dist/, `node dist/main.js`), so the two paths can't drift.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type InfluxdHandle,
  influxInitFromEnv,
  provideInfluxd,
  setupInfluxd,
  startInfluxd,
} from '../../influx/influxd.js';
import { type RtspServerHandle, startRtspServer } from '../../test/support/rtsp-server.js';
import { readStackEnvFile } from './env-file.js';
import { provideFeedHandlerFfmpeg } from './feed-handler-ffmpeg.js';
import { FEED_HANDLER_NODE_ENV, FEED_HANDLER_NODE_FLAGS } from './feed-handler-node.js';
import { freePort, REPO_ROOT, spawnBound, stopChild, tailOf, waitFor } from './process.js';

export type ServiceName = 'influx' | 'rtsp' | 'backend' | 'feedHandler' | 'dashboard';

export interface StackOptions {
  /** Holds influx data and thumbnails (`<workDir>/influx`, `<workDir>/thumbnails`) unless given below. */
  workDir: string;
  influxDataDir?: string;
  thumbnailDir?: string;
  /** Number of simulated cameras: 1 → ['test'], 2 → ['test', 'cam2'], …; 0: none (no RTSP server is started). */
  cameras?: number;
  /**
   * Real cameras, as the CAMERAS setting's JSON (a user's .env): recorded beside the simulated ones,
   * which come after them. Its ids must not be a simulated camera's.
   */
  realCameras?: string;
  /** Fixed ports; any not given is a free port. `npm run stack` passes the documented ones. */
  ports?: Partial<Record<ServiceName, number>>;
  /** Extra env for the Node services (wins over .env). */
  env?: Record<string, string>;
  /** RTSP source mode for the simulated cameras. */
  rtspSource?: 'testpattern' | 'timecode' | 'scene';
  /** Extra RTSP_* settings for the simulated cameras' server (e.g. RTSP_SCENE_SCRIPT). */
  rtspEnv?: Record<string, string>;
  /** Skip `npm run build` (the caller already built). */
  skipBuild?: boolean;
  /** Start the dashboard server (needs frontend/dist). Default true. */
  dashboard?: boolean;
  log?: (service: string, line: string) => void;
}

export interface StackHandle {
  urls: Record<ServiceName, string>;
  ports: Record<ServiceName, number>;
  cameras: string[];
  thumbnailDir: string;
  influx: { url: string; token: string; org: string; bucket: string };
  /** Env the Node services were started with (for restarting one). */
  serviceEnv: Record<string, string>;
  pids(): Partial<Record<ServiceName, number>>;
  /** Stops one service (SIGKILL when `kill` is true) without stopping the rest. */
  stopService(name: ServiceName, options?: { kill?: boolean }): Promise<void>;
  startService(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

/** The CAMERAS JSON of a user's .env, as a list of entries with an id (the feed-handler checks the rest). */
export function parseRealCameras(text: string | undefined): { id: string; [key: string]: unknown }[] {
  if (!text || text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`CAMERAS in .env is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.some((c) => typeof c !== 'object' || c === null || typeof c.id !== 'string')) {
    throw new Error('CAMERAS in .env must be a JSON list of {"id": …, "url": …} entries');
  }
  return parsed as { id: string }[];
}

export function cameraIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 'test' : `cam${i + 1}`));
}

export function buildServices(): void {
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

export async function startStack(options: StackOptions): Promise<StackHandle> {
  const log = options.log ?? (() => {});
  const simulated = cameraIds(options.cameras ?? 1);
  const real = parseRealCameras(options.realCameras);
  const clash = real.find((c) => simulated.includes(c.id));
  if (clash)
    throw new Error(`CAMERAS names "${clash.id}", which is a simulated camera's id: rename it or set STACK_CAMERAS=0`);
  const cameras = [...real.map((c) => c.id), ...simulated];
  const { values: fileEnv } = readStackEnvFile();
  const init = influxInitFromEnv({ ...fileEnv, ...options.env });
  const ports = {} as Record<ServiceName, number>;
  for (const name of ['influx', 'rtsp', 'backend', 'feedHandler', 'dashboard'] as const) {
    ports[name] = options.ports?.[name] ?? (await freePort());
  }
  const urls: Record<ServiceName, string> = {
    influx: `http://127.0.0.1:${ports.influx}`,
    rtsp: `rtsp://127.0.0.1:${ports.rtsp}`,
    backend: `http://127.0.0.1:${ports.backend}`,
    feedHandler: `http://127.0.0.1:${ports.feedHandler}`,
    dashboard: `http://127.0.0.1:${ports.dashboard}`,
  };
  const thumbnailDir = options.thumbnailDir ?? join(options.workDir, 'thumbnails');
  const influxDir = options.influxDataDir ?? join(options.workDir, 'influx');
  mkdirSync(thumbnailDir, { recursive: true });
  if (!options.skipBuild) buildServices();

  const location = fileEnv.DEFAULT_LOCATION ?? 'lab';
  const serviceEnv: Record<string, string> = {
    ...fileEnv,
    INFLUX_URL: urls.influx,
    INFLUX_TOKEN: init.token,
    INFLUX_ORG: init.org,
    INFLUX_BUCKET: init.bucket,
    THUMBNAIL_DIR: thumbnailDir,
    // Timelapse exports beside the footage, in the stack's own work folder.
    EXPORT_DIR: fileEnv.EXPORT_DIR ?? join(options.workDir, 'exports'),
    BACKEND_HOST: '127.0.0.1',
    BACKEND_PORT: String(ports.backend),
    FEED_HANDLER_HOST: '127.0.0.1',
    FEED_HANDLER_PORT: String(ports.feedHandler),
    // The backend reads the restream status for /cameras from the feed-handler.
    FEED_HANDLER_URL: urls.feedHandler,
    DASHBOARD_HOST: '127.0.0.1',
    DASHBOARD_PORT: String(ports.dashboard),
    FATHOM_API_URL: urls.backend,
    // The dashboard calls the API from the browser, so its origin must be allowed.
    CORS_ORIGINS: `http://localhost:${ports.dashboard},http://127.0.0.1:${ports.dashboard}`,
    CAMERAS: JSON.stringify([...real, ...simulated.map((id) => ({ id, url: `${urls.rtsp}/${id}`, location }))]),
    ...options.env,
  };

  const bin = await provideInfluxd();
  // The feed-handler runs the ffmpeg its image builds (feed-handler/provide-ffmpeg.sh), unless .env names one.
  // Without the tools to build it (scripts/setup.sh installs them), Debian's full build does the same work.
  const feedHandlerEnv: Record<string, string> = { ...FEED_HANDLER_NODE_ENV };
  if (!serviceEnv.FFMPEG_PATH && !process.env.FFMPEG_PATH) {
    try {
      feedHandlerEnv.FFMPEG_PATH = await provideFeedHandlerFfmpeg();
    } catch (error) {
      log(
        'stack',
        `the feed-handler's ffmpeg could not be built (${(error as Error).message.split('\n')[0]}): it runs ffmpeg from PATH`,
      );
    }
  }
  let influxd: InfluxdHandle | undefined;
  let rtsp: RtspServerHandle | undefined;
  const children = new Map<ServiceName, ChildProcess>();

  const node =
    (
      name: ServiceName,
      script: string,
      healthPath: string,
      nodeFlags: readonly string[] = [],
      ownEnv: Record<string, string> = {},
    ) =>
    async () => {
      const child = spawnBound(process.execPath, [...nodeFlags, join(REPO_ROOT, script)], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...serviceEnv, ...ownEnv },
      });
      children.set(name, child);
      const tail = tailOf(child);
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) createInterface({ input: stream }).on('line', (line) => log(name, line));
      }
      await waitFor(
        `${name} ${healthPath}`,
        async () => {
          if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${tail()}`);
          const res = await fetch(`${urls[name]}${healthPath}`).catch(() => undefined);
          // Any HTTP answer means it is listening; /healthz may be 503 until the first frames arrive.
          return res ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
    };

  const starters: Record<ServiceName, () => Promise<void>> = {
    influx: async () => {
      influxd = await startInfluxd({ bin, dataDir: influxDir, port: ports.influx });
      await setupInfluxd(influxd.url, init);
    },
    rtsp: async () => {
      rtsp = await startRtspServer({
        port: ports.rtsp,
        mounts: simulated,
        source: options.rtspSource ?? 'testpattern',
        ...(options.rtspEnv ? { env: options.rtspEnv } : {}),
      });
    },
    feedHandler: node('feedHandler', 'feed-handler/dist/main.js', '/healthz', FEED_HANDLER_NODE_FLAGS, feedHandlerEnv),
    backend: node('backend', 'backend/dist/main.js', '/healthz'),
    dashboard: node('dashboard', 'frontend/server.mjs', '/healthz'),
  };

  const stopService = async (name: ServiceName, { kill = false } = {}) => {
    if (name === 'influx') {
      await influxd?.stop();
      influxd = undefined;
    } else if (name === 'rtsp') {
      await rtsp?.stop();
      rtsp = undefined;
    } else {
      const child = children.get(name);
      children.delete(name);
      if (!child) return;
      if (kill) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      } else {
        await stopChild(child, 15_000);
      }
    }
  };

  // The simulated cameras' server runs only when there are simulated cameras.
  const order: ServiceName[] =
    simulated.length > 0 ? ['influx', 'rtsp', 'feedHandler', 'backend'] : ['influx', 'feedHandler', 'backend'];
  if (options.dashboard !== false) order.push('dashboard');
  const stop = async () => {
    for (const name of [...order].reverse()) await stopService(name).catch(() => {});
  };
  try {
    for (const name of order) {
      await starters[name]();
      log('stack', `${name} ready at ${urls[name]}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    urls,
    ports,
    cameras,
    thumbnailDir,
    influx: { url: urls.influx, token: init.token, org: init.org, bucket: init.bucket },
    serviceEnv,
    pids: () => ({
      influx: influxd?.pid,
      rtsp: rtsp?.pid,
      ...Object.fromEntries([...children].map(([k, c]) => [k, c.pid])),
    }),
    stopService,
    startService: (name) => starters[name](),
    stop,
  };
}
