// Progress bars with ETA on stderr. On a terminal one line is redrawn in
// place; in logs (CI, pipes) a line is printed at most every few seconds.

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  #lastPrint = 0;
  #drawn = false;
  readonly #started = Date.now();

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#tty = Boolean(stream.isTTY);
  }

  update(done: number, total: number, message: string, etaS: number | null): void {
    const now = Date.now();
    const finished = total > 0 && done >= total;
    if (!this.#tty && !finished && now - this.#lastPrint < 5000) return;
    this.#lastPrint = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const width = 28;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const elapsed = formatDuration((now - this.#started) / 1000);
    const text = `${bar} ${(fraction * 100).toFixed(0).padStart(3)}%  ${elapsed} elapsed, ETA ${formatDuration(etaS)}  ${message}`;
    if (this.#tty) {
      const columns = this.#stream.columns ?? 120;
      this.#stream.write(`\r\x1b[2K${text.slice(0, columns - 1)}`);
      this.#drawn = true;
    } else {
      this.#stream.write(`${text}\n`);
    }
  }

  /** Prints a message line without breaking the bar. */
  log(line: string): void {
    if (this.#tty && this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#stream.write(`${line}\n`);
    this.#drawn = false;
  }

  end(): void {
    if (this.#tty && this.#drawn) this.#stream.write('\n');
    this.#drawn = false;
  }
}
