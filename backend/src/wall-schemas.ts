/** The /wall contract: every camera's nearest frame at one instant (validation and OpenAPI from the same objects). */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { CAMERA_ID_PATTERN } from '@fathom/index-contract';
import { z } from 'zod';
import { nearestBody, timestampParam, withinParam } from './schemas.js';

extendZodWithOpenApi(z);

export const MAX_WALL_CAMERAS = 64;

const cameraId = z
  .string()
  .regex(
    CAMERA_ID_PATTERN,
    'must be a camera id: letters, digits, "_" and "-", at most 64, not starting with "_" or "-"',
  );

export const wallQuerySchema = z.object({
  ts: timestampParam,
  camera: z
    // maxItems for the document; the refine says it in words (a union's own error would be "Invalid input").
    .union([cameraId, z.array(cameraId).openapi({ maxItems: MAX_WALL_CAMERAS })])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .refine((ids) => ids.length <= MAX_WALL_CAMERAS, `at most ${MAX_WALL_CAMERAS} cameras`)
    .optional()
    .openapi({
      description: `Cameras to show, repeated (camera=a&camera=b), at most ${MAX_WALL_CAMERAS}; default every camera in the index`,
      example: ['front-door', 'yard'],
    }),
  within: withinParam.optional(),
});

export const wallBody = z
  .object({
    time: z.string().openapi({ description: 'The instant asked for (RFC 3339 UTC)' }),
    ts: z.number().openapi({ description: 'The same in unix seconds' }),
    cameras: z
      .array(
        z.object({
          camera: z.string(),
          // A union, not .nullable(): zod-to-openapi renders a nullable $ref as an allOf that null cannot pass.
          frame: z
            .union([nearestBody, z.null()])
            .openapi({ description: 'null when the camera has no frame (within the bound)' }),
        }),
      )
      .openapi({ description: 'In the order asked for, or by camera id' }),
  })
  .openapi('Wall');

export type WallBody = z.infer<typeof wallBody>;
