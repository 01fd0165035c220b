/**
 * A memory-bounded LRU of answers for settled windows (pure: no clock of its own, no I/O).
 * Entries carry the index generation they were computed under; a lookup under another
 * generation misses, so one bump (a backfill, a retention delete) retires every older entry
 * without a sweep, and the LRU order lets them age out.
 */
export interface CachedAnswer {
  body: string;
  etag: string;
}

export class SettledCache {
  private readonly entries = new Map<string, { answer: CachedAnswer; bytes: number; expiresMs: number }>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string, nowMs: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresMs <= nowMs) {
      if (entry) this.delete(key);
      this.misses += 1;
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits += 1;
    return entry.answer;
  }

  set(key: string, answer: CachedAnswer, nowMs: number): void {
    const bytes = answer.body.length + answer.etag.length + key.length + 64;
    if (bytes > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { answer, bytes, expiresMs: nowMs + this.ttlMs });
    this.bytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.entries.delete(key);
  }
}
