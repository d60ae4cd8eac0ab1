/**
 * Progress on stderr for long commands: a redrawn bar on a terminal, and
 * plain lines — at the start, every few seconds and at the end — when stderr
 * is a file or a pipe (a CI log, `nohup`, a scheduler), where a redrawn bar
 * would print nothing or garbage.
 */
import cliProgress from "cli-progress";

/** Seconds between plain lines (`NEUROBRIDGE_PROGRESS_SECONDS`, default 10; 0 prints every update). */
const interval = (): number => {
  const v = Number(process.env.NEUROBRIDGE_PROGRESS_SECONDS ?? 10);
  return Number.isFinite(v) && v >= 0 ? v * 1000 : 10_000;
};

/** One progress display; `start` a phase (a new bar or line), `update` it, `stop` at the end. */
export interface Progress {
  /** Begins a phase named `label` of `total` `unit`s (e.g. "epoch 2/10", 469, "batches"). */
  start(label: string, total: number, unit: string): void;
  /** `done` units of the phase; `detail` is shown after the count (loss, accuracy, speed …). */
  update(done: number, detail?: string): void;
  /** Ends the current phase (its last state is printed once more when it was not yet). */
  stop(): void;
}

/** The progress display for `stream` (default stderr): a bar on a terminal, lines otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(stream, interval());
}

class BarProgress implements Progress {
  private readonly bar: cliProgress.SingleBar;
  private active = false;
  constructor(stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      { stream, format: "  {label} |{bar}| {value}/{total} {unit} {detail}", hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
  }
  start(label: string, total: number, unit: string): void {
    this.stop();
    this.bar.start(total, 0, { label, unit, detail: "" });
    this.active = true;
  }
  update(done: number, detail = ""): void {
    if (this.active) this.bar.update(done, { detail });
  }
  stop(): void {
    if (this.active) this.bar.stop();
    this.active = false;
  }
}

class LineProgress implements Progress {
  private label = "";
  private total = 0;
  private unit = "";
  private last = 0;
  private printed = "";
  private pending = "";
  private active = false;
  private started = 0;
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly everyMs: number,
  ) {}
  start(label: string, total: number, unit: string): void {
    this.stop();
    Object.assign(this, { label, total, unit, active: true, started: Date.now(), last: Date.now(), printed: "", pending: "" });
    this.write(`${label}: 0/${total} ${unit}`);
  }
  update(done: number, detail = ""): void {
    if (!this.active) return;
    const pct = this.total > 0 ? ` (${Math.floor((100 * done) / this.total)}%)` : "";
    const seconds = (Date.now() - this.started) / 1000;
    const eta = done > 0 && done < this.total ? `, about ${Math.ceil((seconds * (this.total - done)) / done)} s left` : "";
    const line = `${this.label}: ${done}/${this.total} ${this.unit}${pct}${detail ? `, ${detail}` : ""}${eta}`;
    const now = Date.now();
    if (done >= this.total || now - this.last >= this.everyMs) {
      this.write(line);
      this.last = now;
    } else {
      this.pending = line;
    }
  }
  stop(): void {
    if (this.active && this.pending && this.pending !== this.printed) this.write(this.pending);
    this.active = false;
    this.pending = "";
  }
  private write(line: string): void {
    this.stream.write(`${line}\n`);
    this.printed = line;
    this.pending = "";
  }
}
