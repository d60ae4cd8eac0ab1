/**
 * The sweep runner: expands a grid into jobs named by content hash, skips
 * the finished ones, hands the rest to an executor, and writes the results
 * table and figures. Everything lands in the output folder:
 *
 * ```
 * OUT/sweep.json      the manifest: grid, executor, every job's id, axes and config
 * OUT/store/          the job store (see store.ts): one file per finished job
 * OUT/results.json    rows, groups (mean ± spread over seeds), timings
 * OUT/results.csv     one row per finished job
 * OUT/figures/        accuracy against T, accuracy against energy (SVG and PNG)
 * ```
 *
 * A rerun after a crash or Ctrl-C computes only what is missing.
 */
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { NeuroBridgeError, ValidationError, type ValidationIssue } from "@neurobridge/core";
import { ensureFolder, lockFolder } from "@neurobridge/core/node";
import { renderFigure } from "@neurobridge/plots/node";
import { writeAtomic } from "../cache.js";
import type { JobEvent, SweepExecutor } from "./executor.js";
import { expandGrid, type SweepGrid, valueAt } from "./grid.js";
import { defaultJobKinds, type JobKinds } from "./job-kinds.js";
import { groupRows, type ResultGroup, type ResultRow, resultRows, resultsCsv, type SweepJobEntry, sweepFigures } from "./results.js";
import { type JobRecord, type JobSpec, JobStore, jobId } from "./store.js";

/** The manifest a sweep writes first. */
export interface SweepManifest {
  readonly format: "neurobridge.sweep";
  readonly version: 1;
  readonly grid: SweepGrid;
  readonly executor: string;
  readonly replicateKey: string | null;
  readonly jobs: readonly SweepJobEntry[];
  /** Grid entries that named a job already in the list (same config, same id): run once. */
  readonly duplicates: number;
}

/** The jobs of a grid, each configured by its kind and named by its content hash; duplicates dropped. */
export function planSweep(
  grid: SweepGrid,
  kinds: JobKinds = defaultJobKinds(),
): { jobs: JobSpec[]; entries: SweepJobEntry[]; duplicates: number } {
  const issues: ValidationIssue[] = [];
  const codes = new Map<string, string>();
  const seen = new Set<string>();
  const jobs: JobSpec[] = [];
  const entries: SweepJobEntry[] = [];
  let duplicates = 0;
  expandGrid(grid).forEach((g, i) => {
    let config: unknown;
    try {
      const kind = kinds.get(g.kind);
      config = kind.configure(g.settings, `jobs[${i}]`);
      if (!codes.has(g.kind)) codes.set(g.kind, kind.code());
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.issues);
      else if (error instanceof NeuroBridgeError) issues.push({ path: "kind", message: error.message });
      else throw error;
      return;
    }
    const code = codes.get(g.kind) as string;
    const id = jobId(g.kind, config, code);
    if (seen.has(id)) {
      duplicates++;
      return;
    }
    seen.add(id);
    jobs.push({ id, kind: g.kind, config, code });
    // The value the job runs with (a rate network's T is 1 whatever the grid said).
    const axes = Object.fromEntries(Object.entries(g.axes).map(([k, v]) => [k, valueAt(config, k) ?? v]));
    entries.push({ id, kind: g.kind, axes, config });
  });
  // One problem per path: a bad base setting would otherwise be listed once per job.
  const unique = new Map<string, ValidationIssue>();
  for (const issue of issues) {
    const key = `${issue.path.replace(/^jobs\[\d+\]/, "")}|${issue.message}`;
    if (!unique.has(key)) unique.set(key, issue);
  }
  if (unique.size) throw new ValidationError("sweep grid", [...unique.values()], "GRID_INVALID");
  return { jobs, entries, duplicates };
}

/** Progress of a running sweep. */
export interface SweepProgress {
  readonly jobs: number;
  readonly done: number;
  readonly running: number;
  readonly failed: number;
  /** Finished before this run started (not recomputed). */
  readonly cached: number;
  /** Estimated seconds left, from the mean time of the jobs finished in this run (null before the first). */
  readonly etaSeconds: number | null;
  readonly event?: JobEvent;
}

/** Options of {@link runSweep}. */
export interface SweepOptions {
  readonly grid: SweepGrid;
  readonly out: string;
  readonly executor: SweepExecutor;
  readonly kinds?: JobKinds;
  readonly onProgress?: (progress: SweepProgress) => void;
  readonly signal?: AbortSignal;
  /** Skip the figures (tests, or a machine without the fonts). */
  readonly figures?: boolean;
  /** Replace the results of a different sweep already in `out` (finished jobs it shares are still reused). */
  readonly force?: boolean;
}

/**
 * Refuses to write over a different sweep's manifest and results in `out`:
 * the same jobs resume; other jobs need `force`.
 */
function checkSameSweep(out: string, entries: readonly SweepJobEntry[], force: boolean | undefined): void {
  const path = join(out, "sweep.json");
  if (force || !existsSync(path)) return;
  let previous: Partial<SweepManifest>;
  try {
    previous = JSON.parse(readFileSync(path, "utf8")) as Partial<SweepManifest>;
  } catch {
    throw new NeuroBridgeError("SWEEP_EXISTS", `${path} is not a sweep manifest; choose another folder, or replace it with --force`);
  }
  const before = new Set((Array.isArray(previous.jobs) ? previous.jobs : []).map((j) => (j as SweepJobEntry)?.id));
  const now = new Set(entries.map((e) => e.id));
  const same = before.size === now.size && [...now].every((id) => before.has(id));
  if (!same) {
    const added = [...now].filter((id) => !before.has(id)).length;
    const dropped = [...before].filter((id) => !now.has(id)).length;
    throw new NeuroBridgeError(
      "SWEEP_EXISTS",
      `${out} holds a sweep of another grid (${before.size} jobs; this one adds ${added} and drops ${dropped}), whose results.csv and results.json this would replace: rerun it with its own grid to resume, choose another folder, or replace it with --force (finished jobs both share are reused)`,
    );
  }
}

/** What a sweep run ends with (the CLI prints it as its last line). */
export interface SweepSummary {
  readonly jobs: number;
  readonly done: number;
  readonly failed: number;
  readonly results: readonly ResultRow[];
  readonly groups: readonly ResultGroup[];
  /** Every job of the sweep (id, axes, config), finished or not: the manifest's list. */
  readonly entries: readonly SweepJobEntry[];
  readonly duplicates: number;
  readonly failures: readonly { id: string; error: string }[];
  readonly wallSeconds: number;
  readonly files: { readonly json: string; readonly csv: string; readonly figures: readonly string[] };
}

/** The finished records of `entries` in `store`. */
function records(entries: readonly SweepJobEntry[], store: JobStore): Map<string, JobRecord> {
  const out = new Map<string, JobRecord>();
  for (const e of entries) {
    const r = store.get(e.id);
    if (r) out.set(e.id, r);
  }
  return out;
}

/** Writes results.json, results.csv and the figures of the finished jobs; returns the summary's table part. */
async function writeResults(out: string, manifest: SweepManifest, store: JobStore, kinds: JobKinds, figures: boolean) {
  const done = records(manifest.jobs, store);
  const rows = resultRows(manifest.jobs, done, kinds);
  const groups = groupRows(rows, manifest.replicateKey ?? undefined);
  const timings = Object.fromEntries(
    [...done.values()].map((r) => [
      r.id,
      { seconds: r.seconds, attempt: r.attempt, host: r.host, ...(kinds.get(r.kind).row(r.config, r.result).timings ?? {}) },
    ]),
  );
  const json = join(out, "results.json");
  const csv = join(out, "results.csv");
  // Deterministic first (rows and groups depend only on the jobs' results); wall-clock facts apart.
  writeAtomic(
    json,
    `${JSON.stringify({ format: "neurobridge.sweep-results", version: 1, replicateKey: manifest.replicateKey, rows, groups, timings }, null, 2)}\n`,
  );
  writeAtomic(csv, resultsCsv(rows));
  const files: string[] = [];
  if (figures && rows.length) {
    ensureFolder(join(out, "figures"));
    for (const figure of sweepFigures(groups, manifest.replicateKey ?? undefined)) {
      const { svg, png } = await renderFigure(figure);
      writeAtomic(join(out, "figures", `${figure.id}.svg`), svg);
      writeAtomic(join(out, "figures", `${figure.id}.png`), png);
      files.push(join(out, "figures", `${figure.id}.svg`), join(out, "figures", `${figure.id}.png`));
    }
  }
  return { rows, groups, files: { json, csv, figures: files } };
}

/** Runs the sweep of `options.grid` into `options.out` (held exclusively meanwhile). */
export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const started = performance.now();
  const kinds = options.kinds ?? defaultJobKinds();
  // What configuring needs first (a train job's plugins), done before planning.
  for (const job of expandGrid(options.grid)) if (kinds.names().includes(job.kind)) await kinds.get(job.kind).prepare?.(job.settings);
  const { jobs, entries, duplicates } = planSweep(options.grid, kinds);
  const lock = lockFolder(options.out, "a neurobridge sweep");
  try {
    checkSameSweep(options.out, entries, options.force);
    const store = new JobStore(join(options.out, "store"));
    // Replicates are grouped only when every job's kind numbers them by the same key.
    const keys = new Set(jobs.map((j) => kinds.get(j.kind).replicateKey ?? null));
    const replicateKey = keys.size === 1 ? ([...keys][0] ?? null) : null;
    const manifest: SweepManifest = {
      format: "neurobridge.sweep",
      version: 1,
      grid: options.grid,
      executor: options.executor.name,
      replicateKey,
      jobs: entries,
      duplicates,
    };
    writeAtomic(join(options.out, "sweep.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const pending = jobs.filter((j) => !store.has(j.id));
    const cached = jobs.length - pending.length;
    const state = new Map<string, JobEvent["state"]>();
    const times: number[] = [];
    const startedAt = new Map<string, number>();
    const report = (event?: JobEvent) => {
      const count = (s: JobEvent["state"]) => [...state.values()].filter((v) => v === s).length;
      const done = cached + count("done");
      const running = count("running") + count("retrying");
      const failed = count("failed");
      const left = jobs.length - done - failed;
      const mean = times.length ? times.reduce((a, b) => a + b, 0) / times.length : null;
      const etaSeconds = mean === null ? null : (mean * left) / Math.max(1, options.executor.concurrency);
      options.onProgress?.({ jobs: jobs.length, done, running, failed, cached, etaSeconds, ...(event ? { event } : {}) });
    };
    report();
    if (pending.length) {
      await options.executor.run(
        pending,
        store,
        (event) => {
          if (event.state === "running" && !startedAt.has(event.id)) startedAt.set(event.id, performance.now());
          if (event.state === "done") times.push((performance.now() - (startedAt.get(event.id) ?? performance.now())) / 1000);
          state.set(event.id, event.state);
          report(event);
        },
        options.signal,
      );
    }
    const table = await writeResults(options.out, manifest, store, kinds, options.figures ?? true);
    const failures = jobs.flatMap((j) => {
      const f = !store.has(j.id) ? store.failure(j.id) : undefined;
      return f ? [{ id: j.id, error: f.error }] : [];
    });
    return {
      jobs: jobs.length,
      done: table.rows.length,
      failed: failures.length,
      results: table.rows,
      groups: table.groups,
      entries,
      duplicates,
      failures,
      wallSeconds: (performance.now() - started) / 1000,
      files: table.files,
    };
  } finally {
    lock.release();
  }
}

/** The state of a sweep folder (also while a sweep runs in it, or after it was killed). */
export interface SweepStatus {
  readonly jobs: number;
  readonly done: number;
  readonly running: number;
  readonly failed: number;
  readonly pending: number;
  readonly executor: string;
  readonly failures: readonly { id: string; error: string; attempts: number }[];
  readonly runningJobs: readonly { id: string; host: string; pid: number; attempt: number; startedAt: string }[];
}

/** Whether process `pid` of this machine lives (a marker whose process died is not running). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads the manifest and store of the sweep in `out`. */
export function sweepStatus(out: string): SweepStatus {
  const path = join(out, "sweep.json");
  if (!existsSync(path))
    throw new NeuroBridgeError(
      "NOT_A_SWEEP",
      `${out} holds no sweep (no sweep.json); run neurobridge sweep --grid FILE --out ${out} first`,
    );
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(readFileSync(path, "utf8")) as SweepManifest;
  } catch {
    throw new NeuroBridgeError("NOT_A_SWEEP", `${path} is not a sweep manifest (not JSON)`);
  }
  if (manifest.format !== "neurobridge.sweep")
    throw new NeuroBridgeError("NOT_A_SWEEP", `${path} is not a sweep manifest (format ${JSON.stringify(manifest.format)})`);
  const store = new JobStore(join(out, "store"));
  const ids = new Set(manifest.jobs.map((j) => j.id));
  const done = manifest.jobs.filter((j) => store.has(j.id)).length;
  const failures = manifest.jobs.flatMap((j) => {
    const f = !store.has(j.id) ? store.failure(j.id) : undefined;
    return f ? [{ id: j.id, error: f.error, attempts: f.attempts }] : [];
  });
  const runningJobs = store
    .running()
    .filter((m) => ids.has(m.id) && !store.has(m.id) && !(m.host === hostname() && m.pid > 0 && !alive(m.pid)))
    .map(({ id, host, pid, attempt, startedAt }) => ({ id, host, pid, attempt, startedAt }));
  return {
    jobs: manifest.jobs.length,
    done,
    running: runningJobs.length,
    failed: failures.length,
    pending: manifest.jobs.length - done - failures.length - runningJobs.length,
    executor: manifest.executor,
    failures,
    runningJobs,
  };
}
