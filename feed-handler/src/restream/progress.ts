/**
 * ffmpeg's `-progress pipe:1` output: blocks of key=value lines, each closed by
 * `progress=continue` (or `progress=end` at the exit), about twice a second.
 * `frame` counts video frames written (copied ones too), `total_size` bytes
 * written to the output. Pure.
 */
export interface ProgressReport {
  /** Video frames sent so far in this run. */
  frames: number;
  /** Bytes written to the output so far in this run. */
  bytes: number;
  /** Output time in microseconds; null before the first packet ("N/A"). */
  outTimeUs: number | null;
  ended: boolean;
}

const toNumber = (value: string | undefined): number | null => {
  if (value === undefined) return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
};

export class ProgressParser {
  private pending = '';
  private fields = new Map<string, string>();

  /** Feeds a chunk of stdout; returns the blocks it completed, in order. */
  push(chunk: Buffer | string): ProgressReport[] {
    this.pending += chunk.toString();
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    // A child that writes without newlines must not grow this buffer for ever.
    if (this.pending.length > 4_096) this.pending = '';
    const reports: ProgressReport[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const equals = line.indexOf('=');
      if (equals <= 0) continue;
      const key = line.slice(0, equals);
      const value = line.slice(equals + 1);
      if (key !== 'progress') {
        this.fields.set(key, value);
        continue;
      }
      reports.push({
        frames: toNumber(this.fields.get('frame')) ?? 0,
        bytes: toNumber(this.fields.get('total_size')) ?? 0,
        outTimeUs: toNumber(this.fields.get('out_time_us')),
        ended: value.trim() === 'end',
      });
      this.fields = new Map();
    }
    return reports;
  }
}
