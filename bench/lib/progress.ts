/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per 10 % otherwise
 * (CI logs and `| tee` would otherwise fill with carriage-return noise).
 */
export interface Progress {
  advance(done: number): void;
  finish(): void;
}

export function formatCount(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(2)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return String(n);
}

export function progressBar(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  /** What is counted, as the line names it. */
  unit = 'points',
): Progress {
  const started = performance.now();
  const isTty = Boolean(stream.isTTY);
  let done = 0;
  let lastTenth = -1;
  let lastDraw = 0;

  const line = () => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${formatCount(done)}/${formatCount(total)} ${unit}, ${formatCount(Math.round(rate))}/s, ${done >= total ? `${seconds.toFixed(0)} s` : `ETA ${eta} s`}`;
  };

  return {
    advance(count) {
      done += count;
      if (isTty) {
        const now = performance.now();
        if (now - lastDraw < 200 && done < total) return;
        lastDraw = now;
        stream.write(`\r${line()}`);
        return;
      }
      const tenth = Math.floor((done / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${line()}\n`);
      }
    },
    finish() {
      if (isTty) stream.write(`\r${line()}\n`);
      else if (lastTenth < 10) stream.write(`${line()}\n`);
    },
  };
}
