import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastJson, runCli } from "../test-support.js";

const BIN = fileURLToPath(new URL("../../bin/neurobridge.js", import.meta.url));
const REDIS = process.env.REDIS_SERVER ?? "redis-server";

/** A real Redis on a socket of its own, for this file only. */
function startRedis(dir: string): { url: string; stop: () => void } {
  const socket = join(dir, "redis.sock");
  const server = spawn(REDIS, ["--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline) throw new Error(`${REDIS} did not open ${socket}`);
    spawnSync("sleep", ["0.05"]);
  }
  return { url: `unix://${socket}`, stop: () => server.kill("SIGTERM") };
}

/** `neurobridge worker` as a separate process, as on another machine. */
function startWorker(url: string, store: string): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, [BIN, "worker", "--redis", url, "--store", store, "--lock-seconds", "2"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let text = "";
  child.stderr?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  return { child, log: () => text };
}

/** Runs the CLI asynchronously (the workers run meanwhile). */
function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Puts one job of `kind` straight on queue `name` (as a sweep would), with its content-hash id. */
async function queueOne(url: string, name: string, kind: string, config: unknown, code: string, attempts?: number) {
  const { jobId } = await import("@neurobridge/experiments");
  const job = { id: jobId(kind, config, code), kind, config, code };
  const connection = new Redis({ path: url.slice(7), maxRetriesPerRequest: null });
  connection.on("error", () => {});
  const queue = new Queue(name, { connection });
  await queue.add(kind, { job }, { jobId: job.id, ...(attempts ? { attempts } : {}) });
  const close = async () => {
    await queue.close();
    connection.disconnect();
  };
  return { job, queue, close };
}

const grid = {
  base: { model: "snn", epochs: 3, trainCount: 768, testCount: 200, batchSize: 64, learningRate: 5e-3 },
  grid: { seed: [1, 2, 3], timeSteps: [3, 5] },
};

describe("neurobridge sweep", () => {
  let dir: string;
  let redis: { url: string; stop: () => void };
  let gridFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "nb-sweep-cli-"));
    redis = startRedis(dir);
    gridFile = join(dir, "sweep.json");
    writeFileSync(gridFile, JSON.stringify(grid));
  });
  afterAll(() => {
    redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the same result table on local processes and on BullMQ with two workers, one of them killed mid-job", async () => {
    const local = runCli(["sweep", "--grid", gridFile, "--out", join(dir, "local"), "--concurrency", "2", "--no-figures", "--json"], {
      timeoutMs: 300_000,
    });
    expect(local.code, local.stderr).toBe(0);
    const localSummary = lastJson(local.stdout);
    expect(localSummary).toMatchObject({ jobs: 6, done: 6, failed: 0 });
    expect(localSummary.results).toHaveLength(6);
    expect(local.stderr).toMatch(/sweep: 6\/6 done · 0 running · 0 failed/);

    // Every start of every job, seen from Redis.
    // The test's own connections: BullMQ leaves a passed connection open, so they are closed here, and
    // their errors while the server stops are expected (ioredis would log them as "Unhandled error event").
    const connections: Redis[] = [];
    const testConnection = () => {
      const c = new Redis({ path: redis.url.slice(7), maxRetriesPerRequest: null });
      c.on("error", () => {});
      connections.push(c);
      return c;
    };
    const events = new QueueEvents("neurobridge-sweep", { connection: testConnection() });
    await events.waitUntilReady();
    const starts = new Map<string, number>();
    events.on("active", ({ jobId }) => starts.set(jobId, (starts.get(jobId) ?? 0) + 1));

    const store = join(dir, "worker-store");
    const a = startWorker(redis.url, store);
    const b = startWorker(redis.url, store);
    const sweep = cli(["sweep", "--grid", gridFile, "--out", join(dir, "queue"), "--executor", "bullmq", "--redis", redis.url, "--json"]);
    // Kill worker a (SIGKILL: no goodbye) once one of its jobs has checkpointed an epoch.
    let victim: string | undefined;
    while (!victim) {
      await new Promise((r) => setTimeout(r, 25));
      const running = existsSync(join(store, "running")) ? readdirSync(join(store, "running")) : [];
      for (const file of running) {
        const id = file.replace(/\.json$/, "");
        if (a.log().includes(`${id} running`) && existsSync(join(store, "work", id, "training.json")) && !victim) victim = id;
      }
    }
    a.child.kill("SIGKILL");
    const result = await sweep;
    b.child.kill("SIGTERM");
    await new Promise((r) => b.child.once("exit", r));
    await events.close();
    expect(result.code, result.stderr).toBe(0);
    const summary = lastJson(result.stdout);
    expect(summary).toMatchObject({ jobs: 6, done: 6, failed: 0 });
    // The killed job ran again (on b), and it alone.
    expect(starts.get(victim as string)).toBe(2);
    expect([...starts.entries()].filter(([id]) => id !== victim).every(([, n]) => n === 1)).toBe(true);
    expect(b.log()).toContain(`${victim} done`);
    // Same jobs, same table, byte for byte.
    expect(readFileSync(join(dir, "queue", "results.csv"), "utf8")).toBe(readFileSync(join(dir, "local", "results.csv"), "utf8"));
    expect(summary.results).toEqual(localSummary.results);
    expect(JSON.parse(readFileSync(join(dir, "queue", "results.json"), "utf8")).groups).toEqual(localSummary.groups);

    // Submitted again (a second sweep command, the queue still holding every job): nothing runs twice.
    const before = new Map(starts);
    const queue = new Queue("neurobridge-sweep", { connection: testConnection() });
    const again = runCli(
      ["sweep", "--grid", gridFile, "--out", join(dir, "queue-again"), "--executor", "bullmq", "--redis", redis.url, "--json"],
      { timeoutMs: 60_000 },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(lastJson(again.stdout).results).toEqual(summary.results);
    expect(await queue.getJobCounts("completed", "waiting", "active")).toEqual({ completed: 6, waiting: 0, active: 0 });
    expect(starts).toEqual(before);
    await queue.close();
    for (const c of connections) c.disconnect();

    const status = runCli(["sweep", "status", "--out", join(dir, "queue"), "--json"]);
    expect(lastJson(status.stdout)).toMatchObject({ jobs: 6, done: 6, running: 0, failed: 0, pending: 0, executor: "bullmq" });
  }, 600_000);

  it("names what is wrong with a grid, an executor or a Redis URL, and exits", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ base: { model: "cnn", epochs: -1 }, grid: { seed: [] } }));
    const r = runCli(["sweep", "--grid", bad, "--out", join(dir, "bad")]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/grid\.seed: must be a non-empty array/);
    const jobs = join(dir, "bad-jobs.json");
    writeFileSync(jobs, JSON.stringify({ base: { model: "cnn", epochs: -1 } }));
    const r2 = runCli(["sweep", "--grid", jobs, "--out", join(dir, "bad")]);
    expect(r2.stderr).toMatch(/jobs\[0\]\.model: must be one of ffnn, snn/);
    expect(r2.stderr).toMatch(/jobs\[0\]\.epochs: must be a positive integer/);
    expect(runCli(["sweep", "--grid", gridFile, "--out", join(dir, "x"), "--executor", "slurm"]).stderr).toMatch(
      /--executor: 'slurm' is not an executor; accepted: local, bullmq/,
    );
    expect(runCli(["sweep", "--grid", gridFile, "--out", join(dir, "x"), "--executor", "bullmq"]).stderr).toMatch(/needs --redis URL/);
    expect(runCli(["worker", "--redis", "localhost:6379"]).stderr).toMatch(/is not a Redis URL; accepted: redis:\/\//);
    const down = runCli(["worker", "--redis", `unix://${join(dir, "nobody.sock")}`], { timeoutMs: 30_000 });
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/cannot reach Redis at unix:/);
    expect(runCli(["sweep", "status", "--out", join(dir, "nothing")]).stderr).toMatch(/holds no sweep \(no sweep\.json\)/);
    for (const res of [r, r2, down]) expect(res.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it("runs a custom job kind from --kinds on the default local executor", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-sweep-kinds-"));
    writeFileSync(
      join(dir, "kinds.mjs"),
      `export const jobKinds = [{
        name: "cube", description: "x cubed", replicateKey: "seed",
        configure: (s) => ({ x: s.x, seed: s.seed ?? 0 }),
        code: () => "cube-1",
        run: async (c) => ({ y: c.x ** 3 }),
        row: (_c, r) => ({ metrics: { y: r.y } }),
      }];\n`,
    );
    writeFileSync(join(dir, "grid.json"), JSON.stringify({ kind: "cube", grid: { x: [2, 3] } }));
    const r = runCli(["sweep", "--grid", "grid.json", "--kinds", "./kinds.mjs", "--out", "out", "--no-figures", "--json"], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const summary = lastJson(r.stdout);
    expect(summary).toMatchObject({ jobs: 2, done: 2, failed: 0 });
    expect(summary.groups.map((g: { metrics: { y: { mean: number } } }) => g.metrics.y.mean)).toEqual([8, 27]);
  }, 120_000);

  it("a stopped worker abandons a hung job after --stop-grace instead of waiting for ever", async () => {
    const kinds = join(dir, "hang.mjs");
    writeFileSync(
      kinds,
      `export const jobKinds = [{
        name: "hang", description: "never ends", configure: (s) => ({ n: s.n ?? 0 }), code: () => "hang-1",
        run: () => new Promise(() => {}), row: () => ({ metrics: {} }),
      }];\n`,
    );
    const { job, queue, close } = await queueOne(redis.url, "nb-hang", "hang", { n: 1 }, "hang-1");
    const child = spawn(
      process.execPath,
      [
        BIN,
        "worker",
        "--redis",
        redis.url,
        "--queue",
        "nb-hang",
        "--kinds",
        kinds,
        "--store",
        join(dir, "hang-store"),
        "--stop-grace",
        "1",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    child.stderr?.on("data", (d: Buffer) => {
      log += d.toString();
    });
    while (!log.includes(`${job.id} running`)) await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(code).toBe(0);
    expect(log).toMatch(/a job still running after --stop-grace 1 s was abandoned/);
    await close();
  }, 60_000);

  it("a worker without a job's kind leaves it, without using an attempt, for a worker that has it", async () => {
    const kinds = join(dir, "double.mjs");
    writeFileSync(
      kinds,
      `export const jobKinds = [{
        name: "double", description: "2x", configure: (s) => ({ x: s.x }), code: () => "double-1",
        run: async (c) => ({ y: 2 * c.x }), row: (_c, r) => ({ metrics: { y: r.y } }),
      }];\n`,
    );
    const { job, queue, close } = await queueOne(redis.url, "nb-kinds", "double", { x: 21 }, "double-1", 1);
    const worker = (extra: string[]) =>
      spawn(process.execPath, [BIN, "worker", "--redis", redis.url, "--queue", "nb-kinds", "--store", join(dir, "kinds-store"), ...extra], {
        stdio: "ignore",
      });
    const without = worker([]);
    // It picks the job up and hands it back more than once meanwhile; with one attempt, a failure would be final.
    await new Promise((r) => setTimeout(r, 5000));
    expect(await (await queue.getJob(job.id))?.getState()).not.toBe("failed");
    const able = worker(["--kinds", kinds]);
    let state: string | undefined;
    for (let i = 0; i < 200 && state !== "completed"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = await (await queue.getJob(job.id))?.getState();
    }
    expect(state).toBe("completed");
    expect((await queue.getJob(job.id))?.returnvalue.result).toEqual({ y: 42 });
    for (const w of [without, able]) w.kill("SIGTERM");
    await Promise.all([without, able].map((w) => new Promise((r) => w.once("exit", r))));
    await close();
  }, 90_000);

  it("plans and runs a grid over a plugin's neuron with --plugin (the jobs import it themselves)", () => {
    const plugin = fileURLToPath(new URL("../../../../examples/custom-neuron/dist/plugin.js", import.meta.url));
    const sweepDir = mkdtempSync(join(tmpdir(), "nb-sweep-plugin-"));
    const file = join(sweepDir, "grid.json");
    const base = { model: "snn", epochs: 1, trainCount: 128, testCount: 100, timeSteps: 4, workers: 1, network: { neuron: "izhikevich" } };
    writeFileSync(file, JSON.stringify({ base, grid: { seed: [1] } }));
    const without = runCli(["sweep", "--grid", file, "--out", join(sweepDir, "a")], { timeoutMs: 60_000 });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/unknown neuron model 'izhikevich'/);
    const r = runCli(["--plugin", plugin, "sweep", "--grid", file, "--out", join(sweepDir, "b"), "--no-figures", "--json"], {
      timeoutMs: 120_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ jobs: 1, done: 1, failed: 0 });
  }, 180_000);
});
