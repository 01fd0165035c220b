import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emptyAsUnset, logLevel, parseEnv, positiveInt, positiveNumber, wholeNumber, withoutEmpty } from './env.js';

describe('environment helpers', () => {
  const schema = z.object({
    TOKEN: z.string({ error: 'is required' }).min(1, 'is required'),
    PORT: wholeNumber(0, 65_535).default(3000),
    BATCH: positiveInt(500),
    SECONDS: positiveNumber(5),
    LOG_LEVEL: logLevel(),
  });

  it('treats empty strings as unset, so the defaults apply', () => {
    expect(withoutEmpty({ A: '', B: 'b', C: undefined })).toEqual({ B: 'b' });
    const env = { TOKEN: 't', PORT: '', BATCH: '', SECONDS: '', LOG_LEVEL: '' };
    const defaults = { TOKEN: 't', PORT: 3000, BATCH: 500, SECONDS: 5, LOG_LEVEL: 'info' };
    expect(parseEnv(schema, withoutEmpty(env))).toEqual({ ok: true, data: defaults });
    const perKey = z.object({
      PORT: emptyAsUnset(wholeNumber(0, 65_535)).default(3000),
      DIR: emptyAsUnset(z.string()),
    });
    expect(parseEnv(perKey, { PORT: '', DIR: '' })).toEqual({ ok: true, data: { PORT: 3000, DIR: undefined } });
  });

  it('names every bad key at once', () => {
    const result = parseEnv(schema, { TOKEN: '', PORT: '80.5', BATCH: '0', SECONDS: '-1', LOG_LEVEL: 'loud' });
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.map((i) => i.key).sort()).toEqual(['BATCH', 'LOG_LEVEL', 'PORT', 'SECONDS', 'TOKEN']);
    expect(issues).toContainEqual({ key: 'TOKEN', message: 'is required' });
    expect(issues).toContainEqual({ key: 'PORT', message: 'must be a whole number' });
  });

  it('reads whole numbers strictly, positive numbers the way Number() does', () => {
    const strict = z.object({ N: wholeNumber(1, 100) });
    expect(parseEnv(strict, { N: '1e1' }).ok).toBe(false);
    expect(parseEnv(strict, { N: '101' }).ok).toBe(false);
    expect(parseEnv(strict, { N: '10' })).toEqual({ ok: true, data: { N: 10 } });
    const coerced = z.object({ N: positiveInt(1), S: positiveNumber(1) });
    expect(parseEnv(coerced, { N: '1e3', S: '0.5' })).toEqual({ ok: true, data: { N: 1000, S: 0.5 } });
    expect(parseEnv(coerced, { N: '1.5' }).ok).toBe(false);
  });

  it('keys an issue inside a value by its path, and a whole-object issue as (env)', () => {
    const nested = z
      .object({
        LIST: z
          .string()
          .transform((s) => s.split(','))
          .pipe(z.array(z.string().min(2))),
      })
      .refine(() => false, 'never');
    const result = parseEnv(nested, { LIST: 'ab,c' });
    expect(result.ok ? [] : result.issues.map((i) => i.key)).toEqual(['LIST.1', '(env)']);
    expect(parseEnv(nested, { LIST: 'ab' })).toEqual({ ok: false, issues: [{ key: '(env)', message: 'never' }] });
  });
});
