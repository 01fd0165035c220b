/**
 * GET /detections?label=…: appearances of objects. The detections of the labels (score >= min)
 * come from one Flux script; runs of them per camera and label, each detection less than `gap`
 * after the one before, are merged into appearances here (detection-math.ts), newest first.
 */
import type { Request, Response } from 'express';
import type { Clock } from '../adapters/clock.js';
import { DETECTION_LAG_NS, mergeAppearances, newestFirst } from '../detection-math.js';
import type { DetectionIndex } from '../detection-reader.js';
import {
  DEFAULT_APPEARANCE_GAP_SECONDS,
  DEFAULT_APPEARANCES_LIMIT,
  DEFAULT_DETECTIONS_HOURS,
  DEFAULT_MIN_SCORE,
  type DetectionsBody,
  detectionsQuerySchema,
  MAX_DETECTIONS_DAYS,
} from '../detection-schemas.js';
import type { ThumbnailIndex } from '../index-reader.js';
import { badRequest, notFound } from '../problems.js';
import { liveAnswers, type SettledAnswers } from '../settled-answers.js';
import { MAX_TIME_NS, MIN_TIME_NS, maxNs, minNs, NS_PER_SECOND, nsToIso } from '../time-input.js';
import { fileUrl, parseQuery } from './shared.js';

const HOUR_NS = 3_600n * NS_PER_SECOND;

export function detectionsHandler(
  detections: DetectionIndex,
  index: ThumbnailIndex,
  clock: Clock,
  answers: SettledAnswers = liveAnswers,
) {
  return async (req: Request, res: Response) => {
    const query = parseQuery(detectionsQuerySchema, req.query);
    const toNs = query.to ?? minNs(clock.nowNs(), MAX_TIME_NS);
    const fromNs = query.from ?? maxNs(toNs - BigInt(DEFAULT_DETECTIONS_HOURS) * HOUR_NS, MIN_TIME_NS);
    if (toNs <= fromNs) throw badRequest('to must be after from');
    if (toNs - fromNs > BigInt(MAX_DETECTIONS_DAYS) * 24n * HOUR_NS)
      throw badRequest(`from..to may be at most ${MAX_DETECTIONS_DAYS} days`);
    const minScore = query.min ?? DEFAULT_MIN_SCORE;
    const gapSeconds = query.gap ?? DEFAULT_APPEARANCE_GAP_SECONDS;
    const limit = query.limit ?? DEFAULT_APPEARANCES_LIMIT;

    await answers.json(req, res, async () => {
      const found = await detections.detections(
        { startNs: fromNs, stopNs: toNs },
        query.label.labels,
        query.camera,
        minScore,
      );
      if (found.length === 0 && query.camera !== undefined) {
        const cameras = await index.cameraIds();
        if (!cameras.includes(query.camera)) throw notFound(`no camera "${query.camera}" in the index`);
      }
      const newest = newestFirst(mergeAppearances(found, BigInt(gapSeconds) * NS_PER_SECOND), limit);
      const body: DetectionsBody = {
        query: {
          words: query.label.words,
          labels: query.label.labels,
          camera: query.camera ?? null,
          from: nsToIso(fromNs),
          to: nsToIso(toNs),
          minScore,
          gapSeconds,
        },
        appearances: newest.appearances.map((a) => ({
          camera: a.camera,
          location: a.location,
          label: a.label,
          firstSeen: nsToIso(a.firstNs),
          lastSeen: nsToIso(a.lastNs),
          frames: a.frames,
          best: {
            time: nsToIso(a.best.timeNs),
            score: a.best.score,
            box: a.best.box,
            filepath: a.best.filepath,
            url: fileUrl(a.best.filepath),
          },
        })),
        truncated: newest.truncated,
      };
      // Without `to` the window ends now: live, never cached under its query. With it, settled
      // once the detector's lag has passed too (detection-math.ts, DETECTION_LAG_NS).
      return { body, dependsThroughNs: query.to === undefined ? null : toNs + DETECTION_LAG_NS };
    });
  };
}
