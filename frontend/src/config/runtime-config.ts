import { z } from 'zod';

/**
 * The dashboard's runtime configuration, served as /config.json by server.mjs
 * (from FATHOM_API_URL / FATHOM_API_TOKEN). Nothing here is baked into the
 * build, so one built image serves any backend.
 */
export const RuntimeConfigSchema = z.object({
  /** Absolute http(s) URL, or a path on this origin such as "/api" when proxied. */
  apiBaseUrl: z
    .string()
    .min(1)
    .refine((value) => value.startsWith('/') || /^https?:\/\//i.test(value), {
      message: 'must be an http(s) URL or a path starting with /',
    }),
  /** Bearer token for the Fathom API (never the InfluxDB token). */
  apiToken: z.string().min(1).optional(),
});

export interface RuntimeConfig {
  /** Absolute, without a trailing slash. */
  apiBaseUrl: string;
  apiToken?: string;
}

/** Validates /config.json and resolves a relative API base against the page's origin. */
export function parseRuntimeConfig(json: unknown, pageOrigin: string): RuntimeConfig {
  const parsed = RuntimeConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new Error(`config.json is invalid: ${problems.join('; ')}`);
  }
  const absolute = new URL(parsed.data.apiBaseUrl, pageOrigin).toString();
  const apiBaseUrl = absolute.replace(/\/+$/, '');
  return parsed.data.apiToken ? { apiBaseUrl, apiToken: parsed.data.apiToken } : { apiBaseUrl };
}
