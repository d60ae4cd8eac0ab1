import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { LocalExecutor } from "./executor.js";
import { checkSweepGrid, expandGrid, type SweepGrid } from "./grid.js";
import { loadJobKinds } from "./job-kinds.js";
import { groupRows, resultsCsv, spread } from "./results.js";
import { JobStore } from "./store.js";
import { planSweep, runSweep, sweepStatus } from "./sweep.js";

const tiny = { model: "snn", epochs: 1, trainCount: 512, testCount: 200, batchSize: 64, learningRate: 5e-3 };

describe("sweep grids", () => {
  it("crosses the axes over each list entry, dotted keys reaching into the config", () => {
    const jobs = expandGrid({
      base: { epochs: 2 },
      grid: { seed: [1, 2], timeSteps: [5, 10, 25] },
      list: [{}, { "network.neuron": "alif" }],
    });
    expect(jobs).toHaveLength(12);
    expect(jobs[0]).toEqual({ kind: "train", settings: { epochs: 2, seed: 1, timeSteps: 5 }, axes: { seed: 1, timeSteps: 5 } });
    expect(jobs[11]?.settings).toEqual({ epochs: 2, network: { neuron: "alif" }, seed: 2, timeSteps: 25 });
  });

  it("lists every problem of a grid file with its path", () => {
    const issues = checkSweepGrid({ grid: { seed: [], timeSteps: 5 }, list: [3], extra: 1 });
    expect(issues.map((i) => i.path)).toEqual(["extra", "grid.seed", "grid.timeSteps", "list[0]"]);
    expect(checkSweepGrid([1])[0]?.message).toMatch(/JSON object/);
  });

  it("completes each job with its kind's defaults, names it by content hash and runs an equal job once", () => {
    const { jobs, entries, duplicates } = planSweep({
      base: tiny,
      grid: { seed: [1], timeSteps: [4, 8] },
      list: [{ model: "snn" }, { model: "ffnn" }],
    });
    // The FFNN has one time step whatever the grid said: its two grid entries are one job.
    expect(jobs).toHaveLength(3);
    expect(duplicates).toBe(1);
    expect(entries.map((e) => e.axes)).toEqual([
      { model: "snn", seed: 1, timeSteps: 4 },
      { model: "snn", seed: 1, timeSteps: 8 },
      { model: "ffnn", seed: 1, timeSteps: 1 },
    ]);
    expect(jobs[0]?.config).toMatchObject({ ...tiny, seed: 1, timeSteps: 4, workers: 2, lrSchedule: "constant" });
    expect(new Set(jobs.map((j) => j.id)).size).toBe(3);
    // Same grid, same names; another setting, another name.
    expect(planSweep({ base: tiny, grid: { seed: [1], timeSteps: [4] } }).jobs[0]?.id).toBe(jobs[0]?.id);
    expect(planSweep({ base: { ...tiny, learningRate: 1e-3 }, grid: { seed: [1], timeSteps: [4] } }).jobs[0]?.id).not.toBe(jobs[0]?.id);
  });

  it("refuses bad settings before any job runs, naming each once with what is accepted", () => {
    const bad: SweepGrid = { base: { ...tiny, epochs: 0, model: "cnn", colour: "red" }, grid: { seed: [1, 2, 3] } };
    const error = (() => {
      try {
        planSweep(bad);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error("accepted");
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i) => i.path)).toEqual(["jobs[0].colour", "jobs[0].model", "jobs[0].epochs"]);
    expect(error.message).toMatch(/accepted: .*model/);
    expect(() => planSweep({ base: { ...tiny, network: { neuron: "nope" } } })).toThrow(/network.*nope/s);
    expect(() => planSweep({ kind: "render" })).toThrow(/unknown job kind 'render'; registered: train/);
  });
});

describe("sweep results", () => {
  it("groups replicates with mean, sample standard deviation, min and max", () => {
    expect(spread([0.9, 0.92, 0.94])).toEqual({ mean: expect.closeTo(0.92, 12), sd: expect.closeTo(0.02, 12), min: 0.9, max: 0.94 });
    const rows = [1, 2, 3].flatMap((seed) =>
      [5, 10].map((timeSteps) => ({
        id: `${seed}-${timeSteps}`,
        kind: "train",
        axes: { seed, timeSteps },
        metrics: { testAccuracy: timeSteps / 10 + seed / 100, energy: null },
      })),
    );
    const groups = groupRows(rows, "seed");
    expect(groups.map((g) => [g.axes, g.n, g.replicates])).toEqual([
      [{ timeSteps: 5 }, 3, [1, 2, 3]],
      [{ timeSteps: 10 }, 3, [1, 2, 3]],
    ]);
    expect(groups[1]?.metrics.testAccuracy?.mean).toBeCloseTo(1.02, 12);
    expect(groups[1]?.metrics.energy).toBeNull();
    const csv = resultsCsv(rows).split("\n");
    expect(csv[0]).toBe("id,kind,seed,timeSteps,testAccuracy,energy");
    expect(csv[1]).toBe("1-5,train,1,5,0.51,");
  });
});

describe("job kinds from a module", () => {
  it("registers a kind the runner, the job processes and the results table know by registration only", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-sweep-kind-"));
    const module = join(dir, "kinds.mjs");
    writeFileSync(
      module,
      `export const jobKinds = [{
        name: "square", description: "x squared, plus seed/1000", replicateKey: "seed",
        configure: (s) => ({ x: s.x, seed: s.seed ?? 0 }),
        code: () => "square-1",
        run: async (c) => { if (c.x < 0) throw new Error("negative x"); return { y: c.x * c.x + c.seed / 1000 }; },
        row: (_c, r) => ({ metrics: { y: r.y } }),
      }];\n`,
    );
    const kinds = await loadJobKinds([module]);
    expect(kinds.names()).toEqual(["square", "train"]);
    const out = join(dir, "out");
    const summary = await runSweep({
      grid: { kind: "square", grid: { x: [1, 2, -1], seed: [1, 2] } },
      out,
      kinds,
      executor: new LocalExecutor({ concurrency: 2, attempts: 2, kindModules: [module] }),
      figures: false,
    });
    expect(summary).toMatchObject({ jobs: 6, done: 4, failed: 2 });
    expect(summary.failures.map((f) => f.error)).toEqual(["negative x", "negative x"]);
    expect(summary.groups.map((g) => [g.axes, g.n, g.metrics.y?.mean])).toEqual([
      [{ x: 1 }, 2, 1.0015],
      [{ x: 2 }, 2, 4.0015],
    ]);
    expect(readFileSync(join(out, "results.csv"), "utf8").split("\n")[0]).toBe("id,kind,x,seed,y");
    await expect(loadJobKinds([join(dir, "missing.mjs")])).rejects.toThrow(/job kind module .*missing\.mjs cannot be loaded/);
  }, 120_000);
});

describe("the local executor", () => {
  it("runs jobsPerProcess jobs in one process before starting a fresh one, with the same results", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-sweep-reuse-"));
    const module = join(dir, "pid-kind.mjs");
    writeFileSync(
      module,
      `export const jobKinds = [{
        name: "pid", description: "x squared, and the process that ran it", replicateKey: "seed",
        configure: (s) => ({ x: s.x, seed: 0 }),
        code: () => "pid-1",
        run: async (c) => ({ y: c.x * c.x, pid: process.pid }),
        row: (_c, r) => ({ metrics: { y: r.y } }),
      }];\n`,
    );
    const kinds = await loadJobKinds([module]);
    const run = async (jobsPerProcess: number) => {
      const out = join(dir, `out-${jobsPerProcess}`);
      const summary = await runSweep({
        grid: { kind: "pid", grid: { x: [1, 2, 3, 4, 5] } },
        out,
        kinds,
        executor: new LocalExecutor({ kindModules: [module], jobsPerProcess }),
        figures: false,
      });
      const store = new JobStore(join(out, "store"));
      const pids = new Set(summary.entries.map((e) => (store.get(e.id)?.result as { pid: number } | undefined)?.pid));
      return { summary, pids };
    };
    const reused = await run(3);
    const fresh = await run(1);
    expect(reused.summary).toMatchObject({ jobs: 5, done: 5, failed: 0 });
    expect(reused.pids.size).toBe(2); // 3 jobs, then 2 in a second process
    expect(fresh.pids.size).toBe(5);
    expect(reused.summary.results).toEqual(fresh.summary.results);
  }, 120_000);

  it("runs each job in its own process, retries a killed one from its checkpoint, and never reruns a finished job", async () => {
    const out = mkdtempSync(join(tmpdir(), "nb-sweep-local-"));
    const grid: SweepGrid = { base: { ...tiny, epochs: 3 }, grid: { seed: [1, 2], timeSteps: [3] } };
    const store = new JobStore(join(out, "store"));
    let killed: string | undefined;
    const events: string[] = [];
    // Kill the first job's process once it has checkpointed an epoch (a crash mid-job).
    const watcher = setInterval(() => {
      if (killed) return;
      for (const marker of store.running()) {
        if (existsSync(join(store.dir, "work", marker.id, "training.json"))) {
          killed = marker.id;
          process.kill(marker.pid, "SIGKILL");
        }
      }
    }, 20);
    const summary = await runSweep({
      grid,
      out,
      executor: new LocalExecutor({ concurrency: 2 }),
      figures: false,
      onProgress: (p) => p.event && events.push(`${p.event.id}:${p.event.state}`),
    }).finally(() => clearInterval(watcher));
    expect(killed).toBeDefined();
    expect(summary).toMatchObject({ jobs: 2, done: 2, failed: 0 });
    expect(events).toContain(`${killed}:retrying`);
    expect(store.get(killed as string)?.attempt).toBe(2);
    expect(sweepStatus(out)).toMatchObject({ jobs: 2, done: 2, running: 0, failed: 0, pending: 0, executor: "local" });

    // The killed job resumed and finished with the result of an uninterrupted run.
    const again = mkdtempSync(join(tmpdir(), "nb-sweep-local-"));
    const clean = await runSweep({ grid, out: again, executor: new LocalExecutor(), figures: false });
    expect(readFileSync(join(again, "results.csv"), "utf8")).toBe(readFileSync(join(out, "results.csv"), "utf8"));
    expect(clean.results.map((r) => r.metrics.testAccuracy)).toEqual(summary.results.map((r) => r.metrics.testAccuracy));

    // A rerun finds every job stored: nothing runs, the table is the same.
    const rerunEvents: string[] = [];
    const rerun = await runSweep({
      grid,
      out,
      executor: new LocalExecutor(),
      figures: false,
      onProgress: (p) => p.event && rerunEvents.push(p.event.state),
    });
    expect(rerunEvents).toEqual([]);
    expect(rerun.results).toEqual(summary.results);
  }, 240_000);

  it("fails a job whose process cannot succeed after its attempts, keeps the others, and says why", async () => {
    const out = mkdtempSync(join(tmpdir(), "nb-sweep-fail-"));
    const grid: SweepGrid = { base: tiny, grid: { seed: [7, 8] } };
    const { jobs } = planSweep(grid);
    // A file where the job's checkpoint folder must be: every attempt of that job fails.
    const store = new JobStore(join(out, "store"));
    writeFileSync(join(store.dir, "work", jobs[0]?.id as string), "not a folder");
    const summary = await runSweep({ grid, out, executor: new LocalExecutor({ attempts: 2 }), figures: false });
    expect(summary).toMatchObject({ jobs: 2, done: 1, failed: 1 });
    expect(summary.failures[0]?.id).toBe(jobs[0]?.id);
    expect(summary.failures[0]?.error).toMatch(/is a file|not a folder|ENOTDIR|EEXIST/);
    expect(sweepStatus(out)).toMatchObject({ done: 1, failed: 1, failures: [{ attempts: 2 }] });
  }, 120_000);
});
