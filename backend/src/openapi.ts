/** The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  activityBody,
  activityQuerySchema,
  activityRules,
  eventsBody,
  eventsQuerySchema,
  eventsRules,
  motionBody,
  motionQuerySchema,
  motionRules,
} from './activity-schemas.js';
import { chunkPathParams, clipsBody, clipsQuerySchema, clipsRules } from './clip-schemas.js';
import { CROSS_FIELD_RULES_KEY, type CrossFieldRule, withRules } from './cross-field-rules.js';
import { detectionsBody, detectionsQuerySchema, detectionsRules } from './detection-schemas.js';
import { exportRequestSchema, exportRules } from './exports/export-request.js';
import { exportBody, exportIdParams, exportsBody, exportVideoQuery } from './exports/export-schemas.js';
import { camerasResponseBody } from './restream-schemas.js';
import {
  errorBody,
  groupBody,
  groupQuerySchema,
  groupRules,
  nearestBody,
  nearestQuerySchema,
  thumbnailPathParams,
} from './schemas.js';
import { wallBody, wallQuerySchema } from './wall-schemas.js';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const jpeg = { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } };
const problem = (description: string) => ({ description, content: json(errorBody) });
/**
 * An operation's rules between fields: a sentence in its description (for people) and the
 * x-cross-field-rules extension (for tools, e.g. the contract fuzzer), from the same objects.
 */
const ruled = (description: string, rules: CrossFieldRule[]) => ({
  description: withRules(description, rules),
  [CROSS_FIELD_RULES_KEY]: rules,
});

export function buildOpenApiDocument(options: {
  groupMinutes: { default: number; max: number };
  tokenRequired: boolean;
  /** /clips and /chunks are mounted (the app was given the chunk index and volume). */
  chunks?: boolean;
  /** /activity, /motion and /events are mounted. */
  activity?: boolean;
  /** /detections is mounted. */
  detections?: boolean;
  /** /exports is mounted; with the server's EXPORT_MAX_HOURS the document states that limit, not its range. */
  exports?: boolean | { maxRangeHours: number };
}) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'FATHOM_API_TOKEN; GET requests may pass it as ?access_token= instead (for <img src>).',
  });
  const security = options.tokenRequired ? [{ [bearer.name]: [] }] : [];
  const denied: Record<string, ReturnType<typeof problem>> = options.tokenRequired
    ? { 401: problem('Missing or wrong API token') }
    : {};

  registry.registerPath({
    method: 'get',
    path: '/thumbnail',
    summary: 'The thumbnail closest in time to ts',
    description:
      'Ties go to the earlier frame; an exact match has distance 0. Without `within` the nearest frame is found wherever it is (up to 100 years away).',
    security,
    request: { query: nearestQuerySchema },
    responses: {
      200: { description: 'The closest frame', content: { ...json(nearestBody), ...jpeg } },
      400: problem('Invalid query'),
      ...denied,
      404: problem('No frame (within the bound)'),
      503: problem('InfluxDB unavailable'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/thumbnailGroup',
    summary: 'Every thumbnail with ts < time <= ts + minutes, oldest first',
    ...ruled('', groupRules),
    security,
    request: { query: groupQuerySchema(options.groupMinutes) },
    responses: {
      200: { description: 'The frames of the window', content: json(groupBody) },
      400: problem('Invalid query, or ts + minutes past the last time InfluxDB can store'),
      ...denied,
      503: problem('InfluxDB unavailable'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/wall',
    summary: "Every camera's thumbnail closest to ts: a wall of cameras at one instant, in one request",
    description:
      'Each camera is searched as /thumbnail?camera= would be (ties to the earlier frame); the lookups of all cameras share one Flux script per search ring.',
    security,
    request: { query: wallQuerySchema },
    responses: {
      200: { description: 'One entry per camera', content: json(wallBody) },
      400: problem('Invalid query'),
      ...denied,
      503: problem('InfluxDB unavailable'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/cameras',
    summary: 'Each camera with its location, newest frame and online status',
    security,
    responses: {
      200: { description: 'Cameras, sorted by id', content: json(camerasResponseBody) },
      ...denied,
      503: problem('InfluxDB unavailable'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/thumbnails/{path}',
    summary: 'A thumbnail JPEG (immutable; cached for a year)',
    security,
    request: { params: thumbnailPathParams },
    responses: {
      200: { description: 'The JPEG', content: jpeg },
      304: { description: 'Not modified (If-None-Match)' },
      400: problem('Not of the path pattern'),
      ...denied,
      404: problem('No such file (or a path of the pattern that names none: folders not the hour of its time)'),
    },
  });

  if (options.activity) {
    registry.registerPath({
      method: 'get',
      path: '/activity',
      summary: 'A heatmap row of one camera: motion and coverage in equal buckets over from..to',
      ...ruled(
        'Buckets of 5 minutes or more read the per-minute activity bucket (and the thumbnails for the last few minutes); narrower ones read the thumbnails. A bucket with coverage 0 is a gap in the footage.',
        activityRules,
      ),
      security,
      request: { query: activityQuerySchema },
      responses: {
        200: { description: 'One value per bucket in each array', content: json(activityBody) },
        400: problem(
          'Invalid query, or a cross-field rule broken (to not at least 1 minute after from, more than 31 days, buckets narrower than 1 s)',
        ),
        ...denied,
        503: problem('InfluxDB unavailable'),
      },
    });
    registry.registerPath({
      method: 'get',
      path: '/motion',
      summary: 'The nearest frame after (next) or before (prev) ts whose motion is at least min',
      ...ruled(
        'Searches up to 400 days away (and never past now), optionally only motion inside a region.',
        motionRules,
      ),
      security,
      request: { query: motionQuerySchema },
      responses: {
        200: { description: 'The frame', content: json(motionBody) },
        400: problem('Invalid query'),
        ...denied,
        404: problem('No such frame in that direction'),
        503: problem('InfluxDB unavailable'),
      },
    });
    registry.registerPath({
      method: 'get',
      path: '/events',
      summary: 'Runs of motion merged into events, each with its peak frame',
      ...ruled('', eventsRules),
      security,
      request: { query: eventsQuerySchema },
      responses: {
        200: { description: 'Events, oldest first', content: json(eventsBody) },
        400: problem(
          'Invalid query, or a cross-field rule broken (to not after from, more than 7 days, region outside the picture)',
        ),
        ...denied,
        503: problem('InfluxDB unavailable'),
      },
    });
  }

  if (options.detections) {
    registry.registerPath({
      method: 'get',
      path: '/detections',
      summary: 'Appearances of objects (people, vehicles, animals, …) found by the object detector, newest first',
      ...ruled(
        'The detections of the labels the words mean, with a score of at least `min`, per camera and label; ' +
          'detections less than `gap` seconds apart are one appearance, with its first and last frame and its best ' +
          'frame (highest score, the earliest of equal ones). Without `to` the window ends now; without `from` it ' +
          'starts 24 hours before `to`. An appearance running across `from` or `to` is cut there.',
        detectionsRules,
      ),
      security,
      request: { query: detectionsQuerySchema },
      responses: {
        200: { description: 'Appearances, newest first (by lastSeen)', content: json(detectionsBody) },
        400: problem(
          'Invalid query: no label, a word that names no known object (the detail names it and lists the known ones), min outside 0..1, or a cross-field rule broken (to not after from, more than 31 days)',
        ),
        ...denied,
        404: problem('No such camera in the index'),
        503: problem('InfluxDB unavailable'),
      },
    });
  }

  if (options.exports) {
    const mp4 = { 'video/mp4': { schema: z.string().openapi({ format: 'binary' }) } };
    registry.registerPath({
      method: 'post',
      path: '/exports',
      summary: "Start a timelapse export of one camera's stills from..to (one still per video frame)",
      ...ruled(
        "Jobs run one at a time at low priority; poll the answer's `url` for progress.",
        exportRules(typeof options.exports === 'object' ? options.exports.maxRangeHours : undefined),
      ),
      security,
      request: { body: { content: json(exportRequestSchema), required: true } },
      responses: {
        202: { description: 'Queued; Location is the job', content: json(exportBody) },
        400: problem('Invalid request (a field, or to not after from, or a range too long)'),
        ...denied,
        404: problem('No such camera'),
        415: problem('The body is not JSON'),
        422: problem('The camera has no stills in the range'),
        503: problem('Exports cannot run here (no ffmpeg, export volume not writable) or InfluxDB unavailable'),
      },
    });
    registry.registerPath({
      method: 'get',
      path: '/exports',
      summary: 'Every export job, newest first (finished ones are kept EXPORT_RETENTION_HOURS)',
      security,
      responses: { 200: { description: 'Jobs', content: json(exportsBody) }, ...denied },
    });
    registry.registerPath({
      method: 'get',
      path: '/exports/{id}',
      summary: 'One export: state, stills done of total, expected end, then its videoUrl',
      security,
      request: { params: exportIdParams },
      responses: {
        200: { description: 'The job', content: json(exportBody) },
        400: problem('Not an export id'),
        ...denied,
        404: problem('No such export'),
      },
    });
    registry.registerPath({
      method: 'delete',
      path: '/exports/{id}',
      summary: 'Cancel a queued or running export (nothing of it is kept), or delete a finished one',
      security,
      request: { params: exportIdParams },
      responses: {
        200: { description: 'Cancelled; the job as it ended', content: json(exportBody) },
        204: { description: 'Deleted (it had finished)' },
        400: problem('Not an export id'),
        ...denied,
        404: problem('No such export'),
      },
    });
    registry.registerPath({
      method: 'get',
      path: '/exports/{id}/video',
      summary: 'The finished timelapse: H.264 MP4 with faststart; Range requests; ?download=1 to save it',
      security,
      request: { params: exportIdParams, query: exportVideoQuery },
      responses: {
        200: { description: 'The MP4', content: mp4 },
        206: { description: 'The requested byte range (Content-Range)' },
        304: { description: 'Not modified (If-None-Match)' },
        400: problem('Not an export id, or download not 0 or 1'),
        ...denied,
        404: problem('No such export'),
        409: problem('The export is not done'),
        416: problem('Range not satisfiable'),
      },
    });
  }

  if (options.chunks) registerChunkRoutes();
  function registerChunkRoutes() {
    registry.registerPath({
      method: 'get',
      path: '/clips',
      summary: 'The video chunks overlapping [from, to), with their time ranges and thumbnail group',
      ...ruled('', clipsRules),
      security,
      request: { query: clipsQuerySchema },
      responses: {
        200: { description: 'Chunks, oldest first', content: json(clipsBody) },
        400: problem('Invalid query, or a cross-field rule broken (to not after from, more than 7 days)'),
        ...denied,
        503: problem('InfluxDB unavailable'),
      },
    });

    registry.registerPath({
      method: 'get',
      path: '/chunks/{path}',
      summary:
        'A video chunk (MP4, the video as the camera sent it, its sound as AAC); Range requests; ?download=1 to save it',
      security,
      request: { params: chunkPathParams, query: exportVideoQuery },
      responses: {
        200: { description: 'The MP4', content: { 'video/mp4': { schema: z.string().openapi({ format: 'binary' }) } } },
        206: { description: 'The requested byte range (Content-Range)' },
        304: { description: 'Not modified (If-None-Match)' },
        400: problem('Not of the path pattern, or download not 0 or 1'),
        ...denied,
        404: problem('No such file (or a path of the pattern that names none)'),
        416: problem('Range not satisfiable'),
      },
    });
  }

  const status = z.object({ status: z.string() });
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers (never needs a token)',
    responses: { 200: { description: 'Alive', content: json(status) } },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: InfluxDB answers and the bucket exists (never needs a token)',
    responses: { 200: { description: 'Ready', content: json(status) }, 503: problem('Not ready') },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    security,
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
  });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    security,
    responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: z.object({}) } } } },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Fathom API',
      version: '0.1.0',
      description:
        'Find the camera frame closest to any moment and browse minutes of footage. ' +
        'Every constraint the server checks is in this document: a value outside a schema (pattern, range, enum, ' +
        "length) is a 400 with {error, detail}, and so is breaking one of an operation's cross-field rules " +
        '(in its description, and machine-readable in x-cross-field-rules). A path of this document asked with a ' +
        'method it does not list gets 405 with an Allow header (GET implies HEAD; OPTIONS is the CORS preflight).',
    },
  });
}
