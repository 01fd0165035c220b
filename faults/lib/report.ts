/** Markdown tables of the results (pure). */
import type { AuthCase } from './auth-check.js';
import type { HostileResult } from './hostile-run.js';
import type { FaultResult } from './scenarios.js';
import { formatTally } from './stats.js';
import type { TrafficSummary } from './traffic.js';

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const s = (value: number | null, digits = 1) => (value === null ? '—' : value.toFixed(digits));

export function faultTable(results: readonly FaultResult[]): string {
  return markdownTable(
    [
      'fault',
      'outage s',
      'files on disk',
      'points indexed',
      'points lost',
      'recovery s (frames again)',
      'camera_status gap',
      'longest footage gap s',
      'client errors / requests',
      'errors after recovery',
      'notes',
    ],
    results.map((r) =>
      r.skipped
        ? [r.fault, '—', '—', '—', '—', '—', '—', '—', '—', '—', `skipped: ${r.skipped}`]
        : [
            r.fault,
            s(r.outageSeconds),
            String(r.disk),
            String(r.indexed),
            `${r.lost}${r.phantom ? ` (+${r.phantom} without file)` : ''}`,
            `${s(r.recoverySeconds)} (${s(r.framesResumedSeconds)})`,
            r.statusGaps,
            s(r.footageGapSeconds),
            `${r.clientErrors} / ${r.clientRequests}${r.clientErrorKinds ? ` (${r.clientErrorKinds})` : ''}`,
            String(r.errorsAfterRecovery),
            [...r.notes, r.leftovers ? `${r.leftovers} .tmp/truncated files` : ''].filter(Boolean).join('; '),
          ],
    ),
  );
}

export function hostileTable(r: HostileResult): string {
  return markdownTable(
    [
      'requests',
      'seconds',
      'answers',
      '5xx',
      'unanswered',
      'reset mid-upload (1-10 MB body / head > 16 KiB)',
      'canary/secret leaks',
    ],
    [
      [
        String(r.requests),
        s(r.seconds),
        formatTally(r.statuses),
        String(r.serverErrors.length),
        String(r.unanswered.length),
        `${r.bodyRefusals} / ${r.headRefusals}`,
        String(r.leaks.length),
      ],
    ],
  );
}

export function loadTable(clients: number, r: TrafficSummary): string {
  const kind = (k: string) => r.byKind[k];
  return markdownTable(
    [
      'clients',
      'seconds',
      'requests',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'p99 ms by route (thumbnail / group / image)',
    ],
    [
      [
        String(clients),
        s(r.seconds),
        String(r.requests),
        s(r.requestsPerSecond),
        s(r.latency.p50Ms),
        s(r.latency.p99Ms),
        `${r.errors}${r.errors ? ` (${formatTally(r.errorKinds)})` : ''}`,
        ['thumbnail', 'thumbnailGroup', 'image'].map((k) => s(kind(k)?.latency.p99Ms ?? null)).join(' / '),
      ],
    ],
  );
}

export function authTable(cases: readonly AuthCase[]): string {
  const routes = [...new Set(cases.map((c) => c.route.split('?')[0] as string))];
  return markdownTable(
    ['route', 'no token', 'wrong bearer', 'token + 1 char', 'basic', 'wrong access_token', 'right token'],
    routes.map((route) => [
      route.length > 60 ? `${route.slice(0, 57)}…` : route,
      ...['none', 'wrong bearer', 'token + 1 char', 'basic', 'wrong access_token', 'right token'].map((cred) => {
        const c = cases.find((x) => x.route.split('?')[0] === route && x.credential === cred);
        return c ? `${c.status ?? 'no answer'}${c.ok ? '' : ' ✗'}` : '—';
      }),
    ]),
  );
}
