/**
 * The real stack for browser tests: RTSP test pattern → feed-handler →
 * influxd → backend, plus the dashboard server, on free ports, through the
 * same startStack that `npm run stack` uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/process.js';
import { type StackHandle, startStack } from '../../scripts/lib/stack.js';
import { ensureDashboardBuilt } from './dashboard-build.js';

export interface E2eStack {
  stack: StackHandle;
  /** The last log lines of every service, for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

export async function startE2eStack(
  options: {
    cameras?: number;
    /** RTSP source and its settings (default: the test pattern). */
    rtsp?: { source: 'testpattern' | 'timecode' | 'scene'; env?: Record<string, string> };
    /** Extra settings for the Node services. */
    env?: Record<string, string>;
  } = {},
): Promise<E2eStack> {
  ensureDashboardBuilt();
  const workDir = mkdtempSync(join(tmpdir(), 'fathom-e2e-'));
  const lines: string[] = [];
  const dashboardPort = await freePort();
  try {
    const stack = await startStack({
      workDir,
      cameras: options.cameras ?? 1,
      ports: { dashboard: dashboardPort },
      // The browser calls the API from the dashboard's origin.
      env: { CORS_ORIGINS: `http://127.0.0.1:${dashboardPort}`, LOG_LEVEL: 'warn', ...options.env },
      ...(options.rtsp
        ? { rtspSource: options.rtsp.source, ...(options.rtsp.env ? { rtspEnv: options.rtsp.env } : {}) }
        : {}),
      log: (service, line) => {
        lines.push(`${service}| ${line}`);
        if (lines.length > 400) lines.shift();
      },
    });
    return {
      stack,
      logTail: () => lines.slice(-80).join('\n'),
      async stop() {
        await stack.stop();
        rmSync(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      },
    };
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw new Error(`${String(error)}\n--- service logs ---\n${lines.slice(-80).join('\n')}`);
  }
}
