/**
 * A phase profiler for the executor: wall time and calls per named phase
 * (`fc2 forward`, `lif1 backward`, `loss` …), accumulated over many work
 * units. It answers "where does the time of an epoch go" without a sampling
 * profiler, and costs two `performance.now()` calls per phase.
 *
 * @example
 * ```ts
 * const profile = new PhaseProfile();
 * const executor = new ChainExecutor(runtime, plan, gemm, { profile });
 * // … train …
 * console.log(profile.table());
 * ```
 */
export class PhaseProfile {
  private readonly phases = new Map<string, { ms: number; calls: number }>();

  /** Adds `ms` to `phase`. */
  add(phase: string, ms: number): void {
    const entry = this.phases.get(phase);
    if (entry) {
      entry.ms += ms;
      entry.calls++;
    } else this.phases.set(phase, { ms, calls: 1 });
  }

  /** Times `fn` (sync or async) under `phase`. */
  async time<T>(phase: string, fn: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - start);
    }
  }

  /** Times a synchronous `fn` under `phase`. */
  timeSync<T>(phase: string, fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      this.add(phase, performance.now() - start);
    }
  }

  /** Phases in the order first seen, with their totals. */
  entries(): { phase: string; ms: number; calls: number }[] {
    return [...this.phases].map(([phase, e]) => ({ phase, ...e }));
  }

  /** Total time over all phases, in ms. */
  totalMs(): number {
    let total = 0;
    for (const e of this.phases.values()) total += e.ms;
    return total;
  }

  /** Forgets everything measured so far. */
  clear(): void {
    this.phases.clear();
  }

  /** An aligned plain-text table: phase, ms, share of the total, calls. */
  table(): string {
    const total = this.totalMs();
    const rows = this.entries().map((e) => [e.phase, e.ms.toFixed(0), `${((100 * e.ms) / (total || 1)).toFixed(1)}%`, String(e.calls)]);
    const all = [["phase", "ms", "share", "calls"], ...rows, ["total", total.toFixed(0), "100%", ""]];
    const widths = [0, 1, 2, 3].map((i) => Math.max(...all.map((r) => (r[i] as string).length)));
    return all
      .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  "))
      .join("\n");
  }
}
