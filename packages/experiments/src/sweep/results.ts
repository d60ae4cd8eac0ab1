/**
 * The results of a sweep: one row per job (its axes and metrics), a summary
 * per group of replicates (mean, standard deviation, min and max over the
 * seeds), the CSV, and the figures — accuracy against T and the accuracy /
 * energy frontier, seeds as error bars. Built only from stored job records,
 * so the same jobs give the same tables byte for byte wherever they ran.
 */
import type { FigureSpec } from "@neurobridge/plots";
import type { JobKinds } from "./job-kinds.js";
import type { JobRecord } from "./store.js";

/** One job of the sweep as the runner lists it in its manifest. */
export interface SweepJobEntry {
  readonly id: string;
  readonly kind: string;
  readonly axes: Readonly<Record<string, unknown>>;
  readonly config: unknown;
}

/** A row of the results table. */
export interface ResultRow {
  readonly id: string;
  readonly kind: string;
  readonly axes: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, number | null>>;
}

/** Mean, sample standard deviation, min and max of a metric over a group's replicates. */
export interface Spread {
  readonly mean: number;
  readonly sd: number;
  readonly min: number;
  readonly max: number;
}

/** A group of replicates: the rows with equal axes except the replicate key. */
export interface ResultGroup {
  readonly axes: Readonly<Record<string, unknown>>;
  readonly n: number;
  readonly replicates: readonly unknown[];
  readonly metrics: Readonly<Record<string, Spread | null>>;
}

/** Mean, sample standard deviation (0 for one value), min and max. */
export function spread(values: readonly number[]): Spread {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

/** The rows of the finished jobs, in the manifest's order. */
export function resultRows(entries: readonly SweepJobEntry[], records: ReadonlyMap<string, JobRecord>, kinds: JobKinds): ResultRow[] {
  return entries.flatMap((e) => {
    const record = records.get(e.id);
    if (!record) return [];
    return [{ id: e.id, kind: e.kind, axes: e.axes, metrics: kinds.get(e.kind).row(record.config, record.result).metrics }];
  });
}

/** Rows grouped over the replicate key (`seed`), in first-seen order. */
export function groupRows(rows: readonly ResultRow[], replicateKey: string | undefined): ResultGroup[] {
  const groups = new Map<string, { axes: Record<string, unknown>; rows: ResultRow[] }>();
  for (const row of rows) {
    const axes = Object.fromEntries(Object.entries(row.axes).filter(([k]) => k !== replicateKey));
    const key = JSON.stringify([row.kind, axes]);
    const group = groups.get(key) ?? { axes, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ axes, rows: members }) => {
    const names = [...new Set(members.flatMap((r) => Object.keys(r.metrics)))];
    const metrics = Object.fromEntries(
      names.map((name) => {
        const values = members.map((r) => r.metrics[name]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
        return [name, values.length ? spread(values) : null];
      }),
    );
    return { axes, n: members.length, replicates: members.map((r) => (replicateKey ? r.axes[replicateKey] : undefined)), metrics };
  });
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The rows as CSV: id, kind, every axis, every metric (numbers at full precision). */
export function resultsCsv(rows: readonly ResultRow[]): string {
  const axes = [...new Set(rows.flatMap((r) => Object.keys(r.axes)))];
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const lines = [["id", "kind", ...axes, ...metrics].map(csvCell).join(",")];
  for (const r of rows)
    lines.push([r.id, r.kind, ...axes.map((a) => r.axes[a]), ...metrics.map((m) => r.metrics[m])].map(csvCell).join(","));
  return `${lines.join("\n")}\n`;
}

/** A group's label from its axes other than `except` (e.g. `model=snn neuron=alif`). */
const label = (axes: Readonly<Record<string, unknown>>, except: string): string =>
  Object.entries(axes)
    .filter(([k]) => k !== except)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ") || "all";

/** Points with error bars: mean and min–max of `y` (and of `x` when it is a metric). */
function points(groups: readonly ResultGroup[], x: (g: ResultGroup) => number | undefined, y: string, seriesExcept: string) {
  return groups.flatMap((g) => {
    const s = g.metrics[y];
    const xv = x(g);
    if (!s || xv === undefined) return [];
    return [{ x: xv, mean: s.mean, lo: s.min, hi: s.max, n: g.n, series: label(g.axes, seriesExcept) }];
  });
}

/**
 * The sweep's figures: accuracy against T (when T is an axis) and accuracy
 * against energy per inference, one series per group of other axes, the
 * spread over replicates as error bars (min–max).
 */
export function sweepFigures(groups: readonly ResultGroup[], replicateKey: string | undefined): FigureSpec[] {
  const reps = replicateKey ? `; error bars: min–max over ${replicateKey}s` : "";
  const figures: FigureSpec[] = [];
  const layered = (values: object[], xField: { title: string; log?: boolean }, yTitle: string) => ({
    width: 460,
    height: 280,
    data: { values },
    encoding: {
      x: { field: "x", type: "quantitative", title: xField.title, ...(xField.log ? { scale: { type: "log" } } : {}) },
      color: { field: "series", type: "nominal", title: null },
    },
    layer: [
      {
        mark: { type: "line", point: true, strokeWidth: 2 },
        encoding: { y: { field: "mean", type: "quantitative", title: yTitle, scale: { zero: false } } },
      },
      // The same title as the means': layered axes join different titles ("Test accuracy, lo").
      {
        mark: { type: "errorbar", ticks: true },
        encoding: { y: { field: "lo", type: "quantitative", title: yTitle }, y2: { field: "hi" } },
      },
    ],
  });
  const withT = groups.filter((g) => typeof g.axes.timeSteps === "number");
  const tPoints = points(withT, (g) => g.axes.timeSteps as number, "testAccuracy", "timeSteps");
  if (tPoints.length) {
    figures.push({
      id: "sweep-accuracy-vs-T",
      title: "Test accuracy against time steps T",
      caption: `Mean test accuracy per T${reps}.`,
      spec: layered(tPoints, { title: "Time steps T" }, "Test accuracy") as FigureSpec["spec"],
    });
  }
  const ePoints = points(groups, (g) => g.metrics.energyCmos45J?.mean, "testAccuracy", "timeSteps").map((p) => ({ ...p, x: p.x * 1e6 }));
  if (ePoints.length) {
    figures.push({
      id: "sweep-accuracy-vs-energy",
      title: "Accuracy against energy per inference (45 nm CMOS, with memory)",
      caption: `Each point is a configuration (mean over replicates), joined along T within a series; energy from its measured operations${reps}.`,
      spec: {
        width: 460,
        height: 280,
        data: { values: ePoints },
        encoding: {
          x: { field: "x", type: "quantitative", title: "Energy per inference (µJ)", scale: { type: "log" } },
          color: { field: "series", type: "nominal", title: null },
        },
        layer: [
          {
            mark: { type: "line", point: { filled: true, size: 60 }, strokeWidth: 1.5 },
            encoding: { y: { field: "mean", type: "quantitative", title: "Test accuracy", scale: { zero: false } } },
          },
          {
            mark: { type: "errorbar", ticks: true },
            encoding: { y: { field: "lo", type: "quantitative", title: "Test accuracy" }, y2: { field: "hi" } },
          },
        ],
      } as FigureSpec["spec"],
    });
  }
  return figures;
}
