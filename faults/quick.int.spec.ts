/**
 * The quick fault and abuse suite (inside `npm test`): one native stack with 2
 * cameras; the API token on every route; 1,000 hostile requests against the
 * canaries; 50 clients for 5 s; then each fault for a few seconds, checked file
 * by file against the index. `npm run faults` runs the same with full lengths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultStack, QUICK, startFaultStack, waitForSteadyState } from './lib/harness.js';
import { runLoadTest } from './lib/load-test.js';
import { authTable, faultTable, hostileTable, loadTable } from './lib/report.js';
import { type FaultName, type FaultResult, QUICK_TIMING, runFault } from './lib/scenarios.js';
import { describeCensus, runAuthSuite, runHostileSuite, searchInfluxToken, wholeRunCensus } from './lib/suite.js';

const HOSTILE_REQUESTS = 1_000;
const SEED = 20261125;
const results: FaultResult[] = [];

describe('fault and abuse suite (quick)', () => {
  let ctx: FaultStack;

  beforeAll(async () => {
    ctx = await startFaultStack(QUICK);
    await waitForSteadyState(ctx, 3, 90_000);
  }, 240_000);

  afterAll(async () => {
    if (results.length) console.log(`\nquick fault suite\n${faultTable(results)}\n`);
    await ctx?.close();
  }, 60_000);

  it('refuses a missing or wrong API token on every route but the health probes', async () => {
    const cases = await runAuthSuite(ctx);
    console.log(`\n${authTable(cases)}\n`);
    expect(cases.length).toBeGreaterThan(30);
    expect(cases.filter((c) => !c.ok)).toEqual([]);
  });

  it(`answers ${HOSTILE_REQUESTS} hostile requests with no 5xx and never reaches the canaries`, async () => {
    const { result, canaryProblems, canaryListed } = await runHostileSuite(ctx, HOSTILE_REQUESTS, SEED);
    console.log(`\n${hostileTable(result)}\n`);
    expect(result.serverErrors.slice(0, 5)).toEqual([]);
    expect(result.unanswered.slice(0, 5)).toEqual([]);
    expect(result.leaks.slice(0, 5)).toEqual([]);
    expect(canaryProblems).toEqual([]);
    expect(canaryListed).toBe(false);
  });

  it('serves 50 clients for 5 s with 0 errors while the feed-handler writes', async () => {
    const summary = await runLoadTest(ctx, 50, 5);
    console.log(`\n${loadTable(50, summary)}\n`);
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.errors).toBe(0);
  });

  const faults: FaultName[] = ['rtsp-killed', 'influxd-killed', 'feed-handler-sigkill', 'backend-restart', 'disk-full'];
  for (const fault of faults) {
    it(`${fault}: loses no index point and recovers`, async (test) => {
      const result = await runFault(ctx, fault, QUICK_TIMING);
      results.push(result);
      if (result.skipped) {
        test.skip(result.skipped);
        return;
      }
      expect({ lost: result.lost, phantom: result.phantom, leftovers: result.leftovers }).toEqual({
        lost: 0,
        phantom: 0,
        leftovers: 0,
      });
      expect(result.recoverySeconds, result.notes.join('; ')).not.toBeNull();
      expect(result.errorsAfterRecovery).toBe(0);
      // Only the API itself (restart) and its database (influxd) going away may reach clients.
      if (fault !== 'backend-restart' && fault !== 'influxd-killed') expect(result.clientErrors).toBe(0);
      if (fault === 'rtsp-killed') expect(result.statusGaps).not.toBe('none');
    }, 180_000);
  }

  it('holds exactly the files on disk in the index over the whole run (count() by camera)', async () => {
    const census = await wholeRunCensus(ctx);
    expect(census.equal, describeCensus(census)).toBe(true);
    expect(census.cameras.map((c) => c.camera)).toEqual(expect.arrayContaining(['test', 'cam2']));
  });

  it('shows the InfluxDB token in no frontend file and no log line', async () => {
    const search = await searchInfluxToken(ctx);
    expect(search.frontendFilesScanned).toBeGreaterThan(0);
    expect(search.logLines).toBeGreaterThan(100);
    expect(search.frontendHits).toEqual([]);
    expect(search.logHits).toEqual([]);
  });
});
