/** Looks for secrets and canary markers in bytes (pure). */

export interface Finding {
  where: string;
  what: string;
}

/** Each needle (by name) that occurs in the text. Latin-1 keeps binary bodies byte for byte. */
export function findNeedles(haystack: Buffer | string, needles: Record<string, string>): string[] {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  return Object.entries(needles)
    .filter(([, needle]) => needle.length > 0 && text.includes(needle))
    .map(([name]) => name);
}

/** A response's headers and body as one searchable text. */
export function responseText(headers: Record<string, unknown>, body: Buffer): string {
  return `${JSON.stringify(headers)}\n${body.toString('latin1')}`;
}
