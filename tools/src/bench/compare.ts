/**
 * Side-by-side speed figures: NeuroBridge against a peer measured in the same
 * run, as a ratio (the machines are noisy and change between sessions, so
 * only ratios from one run compare).
 */
import { alignedTable } from "../bench.js";

/** The `RESULT_JSON {…}` line a benchmark or peer prints (the last one wins). */
export function resultJson(stdout: string): Record<string, unknown> {
  const lines = stdout.split("\n").filter((l) => l.startsWith("RESULT_JSON "));
  const last = lines.at(-1);
  if (!last) throw new Error(`no RESULT_JSON line in the output:\n${stdout.slice(-2000)}`);
  return JSON.parse(last.slice("RESULT_JSON ".length)) as Record<string, unknown>;
}

/** Reads a number at a dotted path (`epochs.0.train_seconds`), or undefined. */
export function numberAt(value: unknown, path: string): number | undefined {
  let at: unknown = value;
  for (const key of path.split(".")) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === "number" && Number.isFinite(at) ? at : undefined;
}

/** One line of the comparison. */
export interface Comparison {
  readonly work: string;
  /** What the figure is (`s`, `samples/s`, `ms`). */
  readonly unit: string;
  /** Whether a larger figure is better (throughput) or worse (time). */
  readonly higherIsBetter: boolean;
  readonly ours?: number;
  readonly peer?: number;
  readonly peerName?: string;
  /** A target ratio, for the `target` column. */
  readonly target?: number;
}

/** How many times faster NeuroBridge is (>1: ahead), or undefined without both figures. */
export function speedRatio(c: Comparison): number | undefined {
  if (c.ours === undefined || c.peer === undefined || c.ours <= 0 || c.peer <= 0) return undefined;
  return c.higherIsBetter ? c.ours / c.peer : c.peer / c.ours;
}

const figure = (v: number | undefined, unit: string) =>
  v === undefined ? "—" : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;

/** An aligned plain-text table: work, peer, its figure, ours, ratio, target. */
export function comparisonTable(rows: readonly Comparison[]): string {
  const header = ["work", "peer", "peer figure", "NeuroBridge", "ratio (× faster)", "target"];
  const body = rows.map((r) => {
    const ratio = speedRatio(r);
    return [
      r.work,
      r.peerName ?? "—",
      figure(r.peer, r.unit),
      figure(r.ours, r.unit),
      ratio === undefined ? "—" : `${ratio.toFixed(2)}×`,
      r.target === undefined ? "" : `≥ ${r.target}×${ratio === undefined ? "" : ratio >= r.target ? " met" : " not met"}`,
    ];
  });
  return alignedTable(header, body);
}
