/**
 * `npm run stack`: the whole Fathom stack natively on the documented ports
 * (InfluxDB 8086, RTSP 8554, API 3000, feed-handler 3001, dashboard 8080),
 * with prefixed logs. Ctrl-C stops everything.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readStackEnvFile } from './lib/env-file.js';
import { REPO_ROOT } from './lib/process.js';
import { startStack } from './lib/stack.js';

const SIMULATED_SOURCES = ['testpattern', 'scene', 'timecode'] as const;
type SimulatedSource = (typeof SIMULATED_SOURCES)[number];

const { file, values } = readStackEnvFile();
const port = (key: string, fallback: number) => Number(values[key] ?? fallback);
const colors = { stack: 37, influx: 35, rtsp: 36, feedHandler: 33, backend: 32, dashboard: 34 } as Record<
  string,
  number
>;
const tty = process.stdout.isTTY;
const prefix = (service: string) => {
  const label = service.padEnd(11);
  return tty ? `\x1b[${colors[service] ?? 37}m${label}\x1b[0m|` : `${label}|`;
};
const log = (service: string, line: string) => process.stdout.write(`${prefix(service)} ${line}\n`);

log('stack', `settings from ${file}`);
// Cameras named in .env are recorded; the simulated ones (and their RTSP server) run only when asked
// for (STACK_SIMULATE=true) or when .env names none.
const realCameras = values.CAMERAS?.trim() ? values.CAMERAS : undefined;
const simulate = values.STACK_SIMULATE === 'true' || !realCameras;
const dashboardBuilt = existsSync(join(REPO_ROOT, 'frontend/dist/index.html'));
const stack = await startStack({
  workDir: REPO_ROOT,
  influxDataDir: join(REPO_ROOT, 'influx/data'),
  thumbnailDir: join(REPO_ROOT, values.THUMBNAIL_DIR ?? 'thumbnails'),
  cameras: simulate ? Number(values.STACK_CAMERAS ?? 1) : 0,
  ...(realCameras ? { realCameras } : {}),
  ports: {
    influx: port('INFLUX_PORT', 8086),
    rtsp: port('RTSP_PORT', 8554),
    backend: port('BACKEND_PORT', 3000),
    feedHandler: port('FEED_HANDLER_PORT', 3001),
    dashboard: port('DASHBOARD_PORT', 8080),
  },
  dashboard: dashboardBuilt,
  // The simulated cameras' picture: the test pattern, or RTSP_SOURCE=scene (scripted motion) / timecode from .env.
  ...(SIMULATED_SOURCES.includes(values.RTSP_SOURCE as SimulatedSource)
    ? { rtspSource: values.RTSP_SOURCE as SimulatedSource }
    : {}),
  log,
});
log(
  'stack',
  `ready: dashboard ${stack.urls.dashboard}  API ${stack.urls.backend}  cameras ${stack.cameras.join(', ')}${simulate ? `  (simulated at ${stack.urls.rtsp}/<id>)` : ''}`,
);
if (!dashboardBuilt) log('stack', 'dashboard not built (npm run build -w @fathom/frontend); API only');

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  log('stack', 'stopping');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
