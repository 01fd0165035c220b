/**
 * CLI: start influxd in a data dir on a port and set it up from DOCKER_INFLUXDB_INIT_*.
 *   tsx influx/start-influxd.ts [--data-dir ./influx/data] [--port 8086]
 * Reads .env (or .env.example when there is no .env). Runs until SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { REPO_ROOT } from '../scripts/lib/process.js';
import { influxInitFromEnv, provideInfluxd, setupInfluxd, startInfluxd } from './influxd.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: join(REPO_ROOT, 'influx/data') },
    port: { type: 'string', default: '8086' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const envFile = existsSync(join(REPO_ROOT, '.env')) ? '.env' : '.env.example';
loadDotenv({ path: join(REPO_ROOT, envFile), quiet: true });

const init = influxInitFromEnv(process.env);
const bin = await provideInfluxd();
const started = Date.now();
const influxd = await startInfluxd({
  bin,
  dataDir: values['data-dir'] as string,
  port: Number(values.port),
  host: values.host as string,
});
const state = await setupInfluxd(influxd.url, init);
console.log(
  JSON.stringify({ event: 'ready', url: influxd.url, setup: state, startMs: Date.now() - started, bin, envFile }),
);

const shutdown = async () => {
  await influxd.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
