/**
 * `npm run faults`: the full fault and abuse suite against the native stack with
 * 2 cameras. In order: the API token on every route; 10,000 hostile requests
 * against the canaries; 50 clients for 60 s; then, one at a time, the RTSP server
 * killed for 30 s, influxd killed for 60 s, the feed-handler SIGKILLed, the backend
 * restarted under 50 clients, the thumbnail filesystem full for 30 s; finally the
 * search for the InfluxDB token. Prints the tables (markdown) for docs/reliability.md.
 *
 * Options: --quick (the lengths `npm test` uses), --seed N (hostile requests),
 * --hostile N (count), --load-seconds N, --only a,b (sections: auth,hostile,load,faults,token
 * or fault names). Exit code 1 when any check fails.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL, QUICK, startFaultStack, waitForSteadyState } from './lib/harness.js';
import { runLoadTest } from './lib/load-test.js';
import { authTable, faultTable, hostileTable, loadTable } from './lib/report.js';
import { type FaultName, type FaultResult, FULL_TIMING, QUICK_TIMING, runFault } from './lib/scenarios.js';
import { describeCensus, runAuthSuite, runHostileSuite, searchInfluxToken, wholeRunCensus } from './lib/suite.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20261125' },
    hostile: { type: 'string' },
    'load-seconds': { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = Boolean(args.quick);
const profile = quick ? QUICK : FULL;
const timing = quick ? QUICK_TIMING : FULL_TIMING;
const hostileCount = Number(args.hostile ?? (quick ? 1_000 : 10_000));
const loadSeconds = Number(args['load-seconds'] ?? (quick ? 5 : 60));
const only = args.only ? new Set(args.only.split(',')) : null;
const wants = (section: string) => !only || only.has(section);
const FAULTS: FaultName[] = ['rtsp-killed', 'influxd-killed', 'feed-handler-sigkill', 'backend-restart', 'disk-full'];

const out = (text: string) => process.stdout.write(`${text}\n`);
const progress = (text: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

async function main(): Promise<number> {
  const failures: string[] = [];
  const sections: string[] = [];
  const add = (title: string, body: string) => {
    sections.push(`### ${title}\n\n${body}\n`);
    out(`\n### ${title}\n\n${body}\n`);
  };
  const startedAt = new Date();
  progress(`starting the stack (${profile.name} profile), load average ${load()}`);
  const ctx = await startFaultStack(profile);
  const logFile = join(tmpdir(), `fathom-faults-${startedAt.toISOString().replace(/[:.]/g, '-')}.log`);
  try {
    await waitForSteadyState(ctx, 5, 120_000);
    progress(
      `stack up: backend ${ctx.stack.urls.backend}, cameras ${ctx.stack.cameras.join(', ')}, ` +
        `thumbnails on ${ctx.disk ? `a ${ctx.disk.sizeMb} MiB tmpfs` : `plain disk (${ctx.diskUnavailable})`}`,
    );

    if (wants('auth')) {
      progress('auth: every route without / with a wrong token');
      const cases = await runAuthSuite(ctx);
      const bad = cases.filter((c) => !c.ok);
      for (const c of bad) failures.push(`auth ${c.route} ${c.credential}: ${c.status}, expected ${c.expected}`);
      add(`API token (FATHOM_API_TOKEN set): ${cases.length} requests, ${bad.length} wrong`, authTable(cases));
    }

    if (wants('hostile')) {
      progress(`hostile: ${hostileCount} requests, seed ${args.seed}, load average ${load()}`);
      const { result, canaryProblems, canaryListed, targeted } = await runHostileSuite(
        ctx,
        hostileCount,
        Number(args.seed),
      );
      for (const f of [...result.serverErrors, ...result.unanswered, ...result.leaks].slice(0, 20)) {
        failures.push(`hostile ${f.request.method} ${f.request.path}: ${f.outcome}`);
      }
      for (const p of canaryProblems) failures.push(`canary: ${p}`);
      if (canaryListed) failures.push('canary: /cameras lists the canary camera');
      add(
        `Hostile input: ${hostileCount} random (fast-check, seed ${args.seed}) + ${targeted} targeted (Flux, traversal) requests; canaries ${canaryProblems.length ? `DAMAGED: ${canaryProblems.join('; ')}` : 'untouched'}${canaryListed ? ', canary camera LISTED by /cameras' : ''}`,
        hostileTable(result),
      );
    }

    if (wants('load')) {
      progress(`load: 50 clients for ${loadSeconds} s, load average ${load()}`);
      const summary = await runLoadTest(ctx, 50, loadSeconds);
      if (summary.errors) failures.push(`load: ${summary.errors} errors`);
      add(`Load while the feed-handler writes (load average after: ${load()})`, loadTable(50, summary));
    }

    const results: FaultResult[] = [];
    for (const fault of FAULTS) {
      if (!wants('faults') && !wants(fault)) continue;
      progress(`fault ${fault}, load average ${load()}`);
      const r = await runFault(ctx, fault, timing);
      results.push(r);
      progress(
        `  ${fault}: lost ${r.lost}, recovery ${r.recoverySeconds?.toFixed(1) ?? 'none'} s, client errors ${r.clientErrors}/${r.clientRequests}`,
      );
      if (r.skipped) continue;
      if (r.lost || r.phantom) failures.push(`${fault}: ${r.lost} points lost, ${r.phantom} points without a file`);
      if (r.recoverySeconds === null) failures.push(`${fault}: not recovered (${r.notes.join('; ')})`);
      if (r.errorsAfterRecovery) failures.push(`${fault}: ${r.errorsAfterRecovery} client errors after recovery`);
      if (r.leftovers) failures.push(`${fault}: ${r.leftovers} .tmp or truncated files`);
      if (fault !== 'backend-restart' && fault !== 'influxd-killed' && r.clientErrors) {
        failures.push(`${fault}: ${r.clientErrors} client errors`);
      }
    }
    if (results.length) add('Faults, one at a time', faultTable(results));

    // Once more over the whole run, with Flux count() grouped by camera.
    const census = await wholeRunCensus(ctx);
    if (!census.equal) failures.push(`whole run: ${describeCensus(census)}`);
    add(
      'Whole run: files on disk against count() of points',
      `${describeCensus(census)}: ${census.equal ? 'equal' : 'NOT EQUAL'}.`,
    );

    if (wants('token')) {
      progress('searching for the InfluxDB token');
      const t = await searchInfluxToken(ctx);
      for (const h of [...t.frontendHits, ...t.logHits]) failures.push(`InfluxDB token found: ${h}`);
      add(
        'InfluxDB token',
        `frontend/dist: ${t.frontendFilesScanned} files, ${t.frontendHits.length} hits${t.frontendBuilt ? ' (built for this run)' : ''}; ` +
          `service logs: ${t.logLines} lines, ${t.logHits.length} hits; API responses: searched in every hostile answer (leaks column above).`,
      );
    }
  } finally {
    writeFileSync(logFile, `${ctx.logs.join('\n')}\n`);
    await ctx.close();
  }

  const header =
    `Run ${startedAt.toISOString()} (${profile.name}), ${cpus().length} cores, ` +
    `load average at the end ${load()}, ${failures.length} failed checks.`;
  out(`\n${header}`);
  for (const f of failures) out(`FAIL ${f}`);
  const file = join(tmpdir(), `fathom-faults-${startedAt.toISOString().replace(/[:.]/g, '-')}.md`);
  writeFileSync(file, `${header}\n\n${sections.join('\n')}\n${failures.map((f) => `- FAIL ${f}`).join('\n')}\n`);
  progress(`report written to ${file}; service logs in ${logFile}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`faults: ${String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
