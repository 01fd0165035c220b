/**
 * The pieces each service's environment schema is built from. A service keeps
 * one zod schema over its environment in its own config.ts, the only module
 * that reads process.env; it parses with `parseEnv`, which gives every bad
 * key at once, and turns the issues into its own ConfigError.
 */
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL: a pino level, `info` when unset. */
export const logLevel = () => z.enum(LOG_LEVELS).default('info');

/** An integer written in digits only, within [min, max]: `1e3`, `5.0` and ` 5` are refused. */
export const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

// The two below read a value the way Number() does (so `1e3` and ` 5` pass), unlike wholeNumber.

/** A positive integer (a count, milliseconds); `fallback` when unset. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A positive number (seconds may be fractional); `fallback` when unset. */
export const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);

/** One bad setting: the variable (or the path inside it, `CAMERAS.0.url`) and what is wrong with it. */
export interface EnvIssue {
  key: string;
  message: string;
}

/**
 * Empty strings count as unset, so `KEY=` in a .env or compose file means the default. Two ways, one
 * per service (they differ only in which issues a bad env reports together): drop empty values from
 * the whole map before parsing (`withoutEmpty`), or per key, in the schema (`emptyAsUnset`).
 */
export function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

/** This key is optional, and an empty value parses as unset (see withoutEmpty). */
export const emptyAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** Parses an env map; on failure, every bad key with its message. */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  env: Record<string, string | undefined>,
): { ok: true; data: z.output<T> } | { ok: false; issues: EnvIssue[] } {
  const result = schema.safeParse(env);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      key: issue.path.map(String).join('.') || '(env)',
      message: issue.message,
    })),
  };
}
