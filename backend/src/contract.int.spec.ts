/**
 * The API contract, fuzzed: a schema-driven request generator (test/fuzz) reads /openapi.json
 * from the real backend (every route mounted, a real influxd with a few frames, chunks and
 * minutes so lookups find something) and, for every operation, sends
 *   (a) requests the document calls valid: never a 5xx, never a 4xx other than the ones the
 *       operation documents for a semantic reason (404 no frame, 409 not ready, 422 no stills),
 *       and the body matches the documented schema of its status and content type;
 *   (b) requests the document calls invalid in one way (a field off its schema, a required one
 *       missing, a cross-field rule broken, a body that is not JSON): 400, or 415 for a body
 *       that is not sent as JSON, with a JSON {error, detail};
 *   (c) every method a path does not declare: 405 with an Allow header of the declared ones.
 * Deterministic: FUZZ_SEED (default 16) and FUZZ_RUNS per operation and kind (default 40).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ACTIVITY_BUCKET_SUFFIX, chunkRelativePath, thumbnailRelativePath } from '@fathom/index-contract';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chunkToPoint, storageToPoint } from '../../feed-handler/src/index/influx.js';
import {
  type Answer,
  describeAnswer,
  describeExchange,
  type Exchange,
  exchangeOf,
  send,
} from '../test/fuzz/http-exchange.js';
import { type OpenApiDocument, type OperationObject, validate } from '../test/fuzz/json-schema.js';
import {
  type FuzzRequest,
  HTTP_METHODS,
  invalidRequest,
  isInvalidInOneWay,
  isValidRequest,
  type Operation,
  operationsOf,
  validRequest,
} from '../test/fuzz/request-arbitraries.js';
import { serve } from '../test/http.js';
import { type Fixture, startFixture, TEST_FONT } from '../test/influx-fixture.js';
import { createActivityIndex } from './activity-reader.js';
import { systemClock } from './adapters/clock.js';
import { createChunkStore, createThumbnailStore } from './adapters/files.js';
import { createInfluxReader } from './adapters/influx.js';
import { createApp } from './app.js';
import { createClipIndex } from './clip-reader.js';
import { createDetectionIndex } from './detection-reader.js';
import { createExportService } from './exports/export-service.js';
import { createThumbnailIndex } from './index-reader.js';
import { allowedMethods, declaredRoutes } from './method-not-allowed.js';
import { createMetrics } from './metrics.js';

const SEED = Number(process.env.FUZZ_SEED ?? 16);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/** The document's example instant (2026-11-25T15:00:00Z): frames around it make lookups find something. */
const T = 1_795_618_800_000;
const CAMERAS = ['front-door', 'yard'];

let fx: Fixture;
let api: { url: string; close(): Promise<void> };
let app: ReturnType<typeof createApp>;
let stopExports: () => Promise<void>;
let document: OpenApiDocument;
const scratch: string[] = [];
let requestsSent = 0;
/** Per operation: how its valid and invalid requests were answered, e.g. "valid 200x31 404x9". */
const tallies = new Map<string, Map<string, number>>();
function tally(op: string, what: string) {
  const counts = tallies.get(op) ?? new Map<string, number>();
  counts.set(what, (counts.get(what) ?? 0) + 1);
  tallies.set(op, counts);
}

beforeAll(async () => {
  const influx = inject('influx');
  fx = await startFixture({}, { activity: true });
  const chunkDir = mkdtempSync(join(tmpdir(), 'fathom-contract-chunks-'));
  const exportDir = mkdtempSync(join(tmpdir(), 'fathom-contract-exports-'));
  scratch.push(chunkDir, exportDir);

  // A few seconds of frames per camera around T, the doc's example thumbnail among them, with motion.
  const frameTimes = [T - 2_000, T - 1_000, T, T + 123, T + 1_000, T + 2_000, T + 30_000, T + 61_000];
  await fx.writeFrames(
    CAMERAS.flatMap((camera) =>
      frameTimes.map((ms, i) => ({
        camera,
        ms,
        metrics: { motion: i % 2 ? 0.2 : 0.001, grid: 'f'.repeat(48), luma: 120, lighting: false },
      })),
    ),
    { files: true },
  );
  // What the object detector saw on some of them, so /detections finds appearances and frames and events carry labels.
  await fx.writeDetections(
    CAMERAS.flatMap((camera) =>
      frameTimes.slice(0, 5).flatMap((ms, i) =>
        (['person', 'car', 'dog'] as const).slice(0, 1 + (i % 3)).map((label, j) => ({
          camera,
          location: 'lab',
          capturedAtMs: ms,
          label,
          score: 0.45 + 0.1 * i + 0.05 * j,
          box: [0.1, 0.1 * j, 0.5, 0.9] as [number, number, number, number],
          count: 1 + j,
          filepath: thumbnailRelativePath(camera, ms),
        })),
      ),
    ),
  );
  await fx.writeMinutes(CAMERAS.map((camera) => ({ camera, ms: T, motionMax: 0.2, motionSum: 0.8, frames: 8 })));
  for (const camera of CAMERAS) {
    await fx.writeStatus({ camera, location: 'lab', ms: T - 60_000, online: true, reason: 'first-frame' });
  }
  // The doc's example chunk, indexed and on disk, and a disk-use report for /cameras.
  const chunk = { camera: 'front-door', location: 'lab', startMs: T + 123, endMs: T + 600_000 };
  const chunkPath = chunkRelativePath(chunk.camera, chunk.startMs, chunk.endMs);
  mkdirSync(dirname(join(chunkDir, chunkPath)), { recursive: true });
  writeFileSync(join(chunkDir, chunkPath), Buffer.alloc(2_000, 1));
  const writeApi = fx.client.getWriteApi(influx.org, fx.bucket, 'ms');
  writeApi.writePoints([
    chunkToPoint({ ...chunk, filepath: chunkPath, bytes: 2_000 }),
    storageToPoint({
      camera: 'front-door',
      location: 'lab',
      atMs: T,
      thumbnailBytes: 100,
      chunkBytes: 2_000,
      oldestMs: T - 2_000,
      daysLeft: 30,
    }),
  ]);
  await writeApi.close();

  // The fixture's own backend has no chunk routes; this one mounts every route, over the fixture's buckets.
  const metrics = createMetrics({ defaultMetrics: false });
  const reader = createInfluxReader({ url: influx.url, token: influx.token, org: influx.org }, metrics.observeQuery);
  const files = createThumbnailStore(fx.thumbnailDir);
  const logger = pino({ level: 'silent' });
  const exports = createExportService(
    // One hour at most: a valid POST /exports stays a handful of stills, and is deleted at once.
    { dir: exportDir, maxRangeHours: 1, retentionHours: 1, niceness: 19, font: { file: TEST_FONT } },
    { influx: reader, bucket: fx.bucket, footage: files, clock: systemClock, logger },
  );
  await exports.queue.start();
  stopExports = () => exports.queue.stop();
  app = createApp({
    index: createThumbnailIndex(reader, fx.bucket),
    files,
    clips: createClipIndex(reader, fx.bucket),
    chunkFiles: createChunkStore(chunkDir),
    activity: createActivityIndex(reader, { index: fx.bucket, activity: `${fx.bucket}${ACTIVITY_BUCKET_SUFFIX}` }),
    detections: createDetectionIndex(reader, fx.bucket),
    exports,
    clock: systemClock,
    logger,
    metrics,
    settings: { groupMinutes: { default: 10, max: 60 }, corsOrigins: ['http://localhost:5173'] },
  });
  api = await serve(app);
  document = (await (await fetch(`${api.url}/openapi.json`)).json()) as OpenApiDocument;
  console.log(`contract fuzzer: seed ${SEED} (FUZZ_SEED), ${RUNS} runs per operation and kind (FUZZ_RUNS)`);
});

afterAll(async () => {
  await stopExports?.();
  await api?.close();
  await fx?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  for (const [op, counts] of tallies) {
    console.log(`  ${op}: ${[...counts].map(([what, n]) => `${what}x${n}`).join(' ')}`);
  }
  console.log(`contract fuzzer: ${requestsSent} requests sent (seed ${SEED})`);
});

// ---- checking an answer against the document --------------------------------------

interface Finding {
  /** What went wrong, without the particular values: findings are grouped by it. */
  kind: string;
  line: string;
}

const key = (op: Operation) => `${op.method} ${op.path}`;
const mediaType = (answer: Answer) =>
  String(answer.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim() ?? '';
/** 4xx answers a valid request can get for a reason the document gives (no such frame, not ready, ...). */
const VALIDATION_STATUSES = new Set([400, 401, 405, 415]);

async function exchange(request: FuzzRequest): Promise<{ wire: Exchange; answer: Answer }> {
  const wire = exchangeOf(request);
  requestsSent++;
  return { wire, answer: await send(api.url, wire) };
}

/** Problems with the answer's status-independent part: documented status, content type and body schema. */
function bodyProblems(spec: OperationObject, answer: Answer): string[] {
  const documented = spec.responses[String(answer.status)];
  if (!documented) return [`status ${answer.status} is not documented`];
  if (answer.body.length === 0) return [];
  const type = mediaType(answer);
  const content = documented.content ?? {};
  const media = content[type];
  if (!media)
    return [`a ${type} body is not documented for ${answer.status} (${Object.keys(content).join(', ') || 'none'})`];
  if (type !== 'application/json' || !media.schema) return [];
  let json: unknown;
  try {
    json = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return ['the body is not JSON'];
  }
  return validate(document, media.schema, json, { closedObjects: true }).map((p) => `body ${p}`);
}

/** The fields an error detail blames ("ts is empty; within is not ..." -> "ts, within"), to group findings by. */
function blamed(body: string): string {
  try {
    const detail = String((JSON.parse(body) as { detail?: unknown }).detail ?? '');
    return [...new Set(detail.split('; ').map((clause) => clause.split(' ')[0]))].join(', ');
  } catch {
    return 'no JSON detail';
  }
}

function errorShapeProblems(answer: Answer): string[] {
  if (mediaType(answer) !== 'application/json') return [`a ${answer.status} without a JSON {error, detail}`];
  const body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  const ok = typeof body.error === 'string' && typeof body.detail === 'string';
  return ok
    ? []
    : [`a ${answer.status} body that is not {error, detail}: ${answer.body.toString('utf8').slice(0, 200)}`];
}

function finding(findings: Finding[], op: Operation, kind: string, wire: Exchange, answer: Answer, why: string) {
  findings.push({
    kind: `${key(op)}: ${kind}`,
    line: `${key(op)}: ${why}\n    request: ${describeExchange(wire)}\n    answer:  ${describeAnswer(answer)}`,
  });
}

/** Findings grouped by kind, a few examples each: the failure message. */
function report(findings: Finding[]): string {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.kind, [...(groups.get(f.kind) ?? []), f]);
  const lines = [...groups].map(([kind, list]) =>
    [`${kind} (${list.length}x; seed ${SEED})`, ...list.slice(0, 2).map((f) => `  ${f.line}`)].join('\n'),
  );
  return `${groups.size} kinds of finding, ${findings.length} in all:\n${lines.join('\n')}`;
}

/** `runs` requests that pass `keep`, from at most 4 × runs candidates: bounded, whatever the document says. */
function sample(arbitrary: fc.Arbitrary<FuzzRequest>, runs: number, keep: (request: FuzzRequest) => boolean) {
  return fc
    .sample(arbitrary, { seed: SEED, numRuns: runs * 4 })
    .filter(keep)
    .slice(0, runs);
}

/** Requests with nothing to vary (no parameters, no body) are sent a few times, not RUNS times. */
const runsFor = (op: Operation) => ((op.spec.parameters ?? []).length || op.spec.requestBody ? RUNS : 3);

describe('the API contract, fuzzed from /openapi.json', () => {
  it('answers every request the document calls valid as documented', async () => {
    const findings: Finding[] = [];
    const covered: string[] = [];
    for (const op of operationsOf(document)) {
      covered.push(key(op));
      for (const request of sample(validRequest(document, op), runsFor(op), (r) => isValidRequest(document, r))) {
        const { wire, answer } = await exchange(request);
        tally(key(op), `valid:${answer.status}`);
        const fail = (kind: string, why: string) => finding(findings, op, kind, wire, answer, why);
        if (answer.status >= 500) fail(`valid request got ${answer.status}`, `a ${answer.status} for a valid request`);
        else if (VALIDATION_STATUSES.has(answer.status)) {
          const detail = answer.body.toString('utf8');
          fail(
            `valid request refused with ${answer.status} (${blamed(detail)})`,
            `refused a request the document calls valid: ${detail.slice(0, 200)}`,
          );
        }
        for (const problem of bodyProblems(op.spec, answer)) fail(problem.replace(/\d+(\.\d+)?/g, 'N'), problem);
        if (answer.status >= 400) for (const p of errorShapeProblems(answer)) fail('error body shape', p);
        if (op.method === 'POST' && op.path === '/exports' && answer.status === 202)
          await followAndDelete(op, answer, findings);
      }
    }
    console.log(`valid requests: ${covered.length} operations covered: ${covered.join(', ')}`);
    expect(findings, report(findings)).toEqual([]);
  });

  it('refuses every request the document calls invalid with 400 (415 for a body not sent as JSON) and {error, detail}', async () => {
    const findings: Finding[] = [];
    for (const op of operationsOf(document)) {
      const invalid = invalidRequest(document, op);
      if (!invalid) continue;
      for (const request of sample(invalid, RUNS, (r) => isInvalidInOneWay(document, r))) {
        const { wire, answer } = await exchange(request);
        tally(key(op), `invalid:${answer.status}`);
        tally(`${key(op)} breaks`, String(request.breaks).replace(/^rule \d+: /, 'rule '));
        const fail = (kind: string, why: string) => finding(findings, op, kind, wire, answer, why);
        if (answer.status !== request.expectStatus) {
          fail(
            `${request.breaks} answered ${answer.status}`,
            `breaks ${request.breaks}: wanted ${request.expectStatus}`,
          );
        } else {
          for (const problem of errorShapeProblems(answer)) fail(`${request.breaks}: error body`, problem);
          if (!op.spec.responses[String(answer.status)])
            fail(`${answer.status} undocumented`, `${answer.status} is not documented`);
        }
        // A POST /exports the server took anyway must not leave an encoder running.
        if (answer.status === 202) await followAndDelete(op, answer, []);
      }
    }
    expect(findings, report(findings)).toEqual([]);
  });

  it('answers 405 with Allow to every undeclared method on a known path, 404 on unknown paths, CORS on OPTIONS', async () => {
    const findings: string[] = [];
    const probe = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE'];
    for (const [template, item] of Object.entries(document.paths)) {
      const declared = declaredMethods(item);
      const concrete = concretePath(template, item);
      const allow = probe.filter((m) => declared.includes(m));
      for (const method of probe.filter((m) => !declared.includes(m))) {
        requestsSent++;
        const answer = await send(api.url, { method, target: concrete, headers: {} });
        const line = `${method} ${concrete} -> ${describeAnswer(answer)} (Allow: ${answer.headers.allow ?? 'none'})`;
        if (answer.status !== 405) findings.push(`wanted 405: ${line}`);
        else {
          const listed = String(answer.headers.allow ?? '').split(/,\s*/);
          if ([...listed].sort().join() !== [...allow].sort().join())
            findings.push(`wanted Allow ${allow.join(', ')}: ${line}`);
          if (method !== 'HEAD') {
            const body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
            if (body.error !== 'method_not_allowed' || typeof body.detail !== 'string')
              findings.push(`wanted {error: method_not_allowed, detail}: ${line}`);
          }
        }
      }
      requestsSent++;
      const preflight = await send(api.url, {
        method: 'OPTIONS',
        target: concrete,
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
      });
      if (preflight.status !== 204 || preflight.headers['access-control-allow-origin'] !== 'http://localhost:5173') {
        findings.push(`wanted a CORS preflight 204: OPTIONS ${concrete} -> ${describeAnswer(preflight)}`);
      }
    }
    for (const target of [
      '/nope',
      '/thumbnail/extra',
      '/exports/x/y/z',
      '/thumbnails',
      '/metrics.json',
      '/cameras/x',
    ]) {
      for (const method of probe) {
        requestsSent++;
        const answer = await send(api.url, { method, target, headers: {} });
        if (answer.status !== 404)
          findings.push(`wanted 404 (unknown path): ${method} ${target} -> ${describeAnswer(answer)}`);
      }
    }
    expect(findings, findings.join('\n')).toEqual([]);
  });

  it('the router and the document declare the same methods on the same paths', () => {
    const line = (path: string, methods: string[]) => `${path} ${[...methods].sort().join(',')}`;
    const fromRouter = declaredRoutes(app).map(({ path, methods }) =>
      line(path.replace(/[:*](\w+)/g, '{$1}'), methods),
    );
    const fromDocument = Object.entries(document.paths).map(([path, item]) => line(path, declaredMethods(item)));
    expect(fromRouter.sort()).toEqual(fromDocument.sort());
    // And what a 405 would list, for a concrete path of each: the same again.
    for (const [template, item] of Object.entries(document.paths)) {
      const allowed = allowedMethods(app, concretePath(template, item));
      expect(allowed && line(template, allowed), template).toEqual(line(template, declaredMethods(item)));
    }
  });
});

/** The methods a path item declares, upper case, with HEAD wherever GET is (GET implies HEAD). */
function declaredMethods(item: Record<string, OperationObject>): string[] {
  const methods = Object.keys(item)
    .filter((method) => (HTTP_METHODS as readonly string[]).includes(method))
    .map((method) => method.toUpperCase());
  return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
}

/** A path of the template with each parameter filled from its schema's example (or a stand-in). */
function concretePath(template: string, item: Record<string, OperationObject>): string {
  const parameters = Object.values(item).flatMap((op) => op.parameters ?? []);
  return template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const schema = parameters.find((p) => p.in === 'path' && p.name === name)?.schema;
    const example = schema?.example ?? schema?.examples?.[0] ?? 'x';
    return encodeURIComponent(String(example));
  });
}

/** A 202 from POST /exports: its job as the document describes it, then deleted, so no encoder outlives the test. */
async function followAndDelete(op: Operation, answer: Answer, findings: Finding[]) {
  const job = JSON.parse(answer.body.toString('utf8')) as { url?: string };
  if (typeof job.url !== 'string') return;
  for (const [method, path] of [
    ['GET', '/exports/{id}'],
    ['DELETE', '/exports/{id}'],
  ] as const) {
    const spec = document.paths[path]?.[method.toLowerCase()];
    const wire = { method, target: job.url, headers: {} };
    requestsSent++;
    const followed = await send(api.url, wire);
    if (!spec) continue;
    for (const problem of bodyProblems(spec, followed)) {
      finding(findings, { ...op, method, path, spec }, problem.replace(/\d+(\.\d+)?/g, 'N'), wire, followed, problem);
    }
  }
}
