/**
 * Helpers for benchmarks that print figures (`npm run bench…`). Speed targets
 * are checked by reading these figures, not by timed unit tests.
 */

/** Timing statistics of repeated runs, in milliseconds. */
export interface BenchStats {
  readonly name: string;
  readonly runs: number;
  readonly minMs: number;
  readonly medianMs: number;
  readonly meanMs: number;
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed. */
export async function measure(name: string, fn: () => unknown, options: { warmup?: number; runs?: number } = {}): Promise<BenchStats> {
  const { warmup = 1, runs = 5 } = options;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer, got ${runs}`);
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  const median = runs % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
  return { name, runs, minMs: times[0] as number, medianMs: median, meanMs: times.reduce((a, b) => a + b, 0) / runs };
}

/** Formats stats as an aligned plain-text table (one line per benchmark). */
export function formatBenchTable(rows: readonly (BenchStats & { note?: string })[]): string {
  const header = ["benchmark", "runs", "min ms", "median ms", "mean ms", "note"];
  const body = rows.map((r) => [r.name, String(r.runs), r.minMs.toFixed(1), r.medianMs.toFixed(1), r.meanMs.toFixed(1), r.note ?? ""]);
  return alignedTable(header, body);
}

/** Left-aligned columns separated by two spaces, trailing blanks trimmed. */
export function alignedTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line)].join("\n");
}
