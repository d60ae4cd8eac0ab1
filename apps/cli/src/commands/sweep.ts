/**
 * `neurobridge sweep --grid FILE --out DIR [--executor local|bullmq] [--redis URL] [--json]`:
 * runs a grid of experiments as content-addressed jobs (finished ones are never
 * recomputed), on worker processes of this machine or on a BullMQ queue that
 * `neurobridge worker` processes pull from; `sweep status --out DIR` reports a
 * sweep folder. Thin shells over `runSweep`, `sweepStatus` and `runWorker`.
 */
import { hostname } from "node:os";
import { resolve } from "node:path";
import { NeuroBridgeError } from "@neurobridge/core";
import type { Command } from "commander";
import { readJsonFile } from "../files.js";
import { type GlobalOptions, printJson } from "../output.js";
import { loadPlugin } from "../plugin-loader.js";
import { OPTION_LIMITS, positiveInt, positiveNumber } from "./options.js";

interface SweepOptions {
  grid?: string;
  out?: string;
  executor: string;
  redis?: string;
  queue?: string;
  concurrency?: string;
  attempts: string;
  figures: boolean;
  force?: boolean;
  kinds?: string[];
  json?: boolean;
}

const EXECUTORS = ["local", "bullmq"] as const;

const duration = (seconds: number | null): string => {
  if (seconds === null) return "ETA …";
  const s = Math.round(seconds);
  return `ETA ${s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`}`;
};

/** Where a sweep's jobs run, as the options say it. */
export interface ExecutorOptions {
  executor: string;
  redis?: string;
  queue?: string;
  concurrency?: string;
  jobsPerProcess?: string;
  attempts: string;
  kinds?: string[];
}

/** The executor the options name (the BullMQ one only with --redis); `sweep` and `paper` share it. */
export async function executorOf(o: ExecutorOptions) {
  if (!(EXECUTORS as readonly string[]).includes(o.executor))
    throw new NeuroBridgeError("OPTION_INVALID", `--executor: '${o.executor}' is not an executor; accepted: ${EXECUTORS.join(", ")}`);
  const attempts = positiveInt(o.attempts, "--attempts", 1, OPTION_LIMITS.attempts);
  if (o.jobsPerProcess !== undefined && o.executor !== "local")
    throw new NeuroBridgeError("OPTION_INVALID", "--jobs-per-process applies to --executor local only");
  const { BullmqExecutor, LocalExecutor } = await import("@neurobridge/experiments");
  if (o.executor === "bullmq") {
    if (!o.redis) throw new NeuroBridgeError("OPTION_INVALID", "--executor bullmq needs --redis URL (e.g. redis://127.0.0.1:6379)");
    if (o.concurrency !== undefined)
      throw new NeuroBridgeError(
        "OPTION_INVALID",
        "--concurrency: with --executor bullmq each worker sets its own (neurobridge worker --concurrency N)",
      );
    return new BullmqExecutor({ redis: o.redis, attempts, ...(o.queue ? { queue: o.queue } : {}) });
  }
  if (o.redis) throw new NeuroBridgeError("OPTION_INVALID", "--redis applies to --executor bullmq only");
  if (o.queue) throw new NeuroBridgeError("OPTION_INVALID", "--queue applies to --executor bullmq only");
  return new LocalExecutor({
    attempts,
    ...(o.concurrency !== undefined ? { concurrency: positiveInt(o.concurrency, "--concurrency", 1, OPTION_LIMITS.parallel) } : {}),
    ...(o.jobsPerProcess !== undefined ? { jobsPerProcess: positiveInt(o.jobsPerProcess, "--jobs-per-process") } : {}),
    // The job processes register the same kinds the sweep was planned with.
    ...(o.kinds?.length ? { kindModules: o.kinds.map((k) => (/^[./]/.test(k) ? resolve(k) : k)) } : {}),
  });
}

async function runSweepCommand(o: SweepOptions, globals: GlobalOptions = {}): Promise<void> {
  if (!o.grid) throw new NeuroBridgeError("OPTION_INVALID", "--grid: required, a sweep file (JSON with base, grid and/or list)");
  if (!o.out) throw new NeuroBridgeError("OPTION_INVALID", "--out: required, the sweep's folder");
  const { loadJobKinds, parseSweepGrid, runSweep } = await import("@neurobridge/experiments");
  const parsed = parseSweepGrid(readJsonFile(o.grid), o.grid);
  // --plugin reaches every job as its `plugins` setting (part of its id), by the URL each process imports.
  const plugins = await Promise.all((globals.plugin ?? []).map(async (p) => (await loadPlugin(p)).source?.module ?? p));
  const grid = plugins.length ? { ...parsed, base: { ...(parsed.base ?? {}), plugins } } : parsed;
  const kinds = await loadJobKinds(o.kinds ?? []);
  const executor = await executorOf(o);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const summary = await runSweep({
      grid,
      out: o.out,
      executor,
      kinds,
      figures: o.figures,
      ...(o.force ? { force: true } : {}),
      signal: controller.signal,
      onProgress: (p) => {
        const e = p.event;
        const what = e
          ? ` · ${e.id} ${e.state}${e.state === "running" && e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}${"error" in e ? `: ${e.error}` : ""}`
          : "";
        process.stderr.write(
          `sweep: ${p.done}/${p.jobs} done${p.cached ? ` (${p.cached} already)` : ""} · ${p.running} running · ${p.failed} failed · ${duration(p.etaSeconds)}${what}\n`,
        );
      },
    });
    if (controller.signal.aborted) {
      process.stderr.write(
        `neurobridge: interrupted; ${summary.done} of ${summary.jobs} jobs are stored in ${o.out}. Rerun the same command to resume.\n`,
      );
      process.exitCode = 130;
    } else if (summary.failed) process.exitCode = 1;
    if (o.json) {
      printJson({
        jobs: summary.jobs,
        done: summary.done,
        failed: summary.failed,
        results: summary.results,
        groups: summary.groups,
        failures: summary.failures,
        duplicates: summary.duplicates,
        wallSeconds: summary.wallSeconds,
        files: summary.files,
      });
      return;
    }
    const lines = [
      `${summary.done} of ${summary.jobs} jobs done, ${summary.failed} failed, in ${summary.wallSeconds.toFixed(1)} s → ${summary.files.csv}, ${summary.files.json}`,
    ];
    if (summary.duplicates) lines.push(`  ${summary.duplicates} grid entries named a job already in the sweep and ran once`);
    for (const g of summary.groups) {
      const acc = g.metrics.testAccuracy;
      const axes = Object.entries(g.axes)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      if (acc)
        lines.push(
          `  ${axes || "all"}: test accuracy ${(acc.mean * 100).toFixed(2)}% ± ${(acc.sd * 100).toFixed(2)} (n ${g.n}, ${(acc.min * 100).toFixed(2)}–${(acc.max * 100).toFixed(2)}%)`,
        );
    }
    for (const f of summary.failures) lines.push(`  failed ${f.id}: ${f.error}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function runStatusCommand(o: { out: string; json?: boolean }): Promise<void> {
  const { sweepStatus } = await import("@neurobridge/experiments");
  const s = sweepStatus(o.out);
  if (o.json) return printJson(s);
  const lines = [
    `${o.out}: ${s.done}/${s.jobs} done · ${s.running} running · ${s.failed} failed · ${s.pending} pending (executor ${s.executor})`,
  ];
  for (const r of s.runningJobs)
    lines.push(`  running ${r.id} (attempt ${r.attempt}) on ${r.pid ? `${r.host} pid ${r.pid}` : "a queue worker"} since ${r.startedAt}`);
  for (const f of s.failures) lines.push(`  failed ${f.id} after ${f.attempts} attempt(s): ${f.error}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

interface WorkerCommandOptions {
  redis: string;
  queue?: string;
  concurrency: string;
  store?: string;
  lockSeconds: string;
  idleExit?: string;
  stopGrace: string;
  kinds?: string[];
}

async function runWorkerCommand(o: WorkerCommandOptions): Promise<void> {
  const concurrency = positiveInt(o.concurrency, "--concurrency", 1, OPTION_LIMITS.parallel);
  const lockSeconds = positiveNumber(o.lockSeconds, "--lock-seconds", OPTION_LIMITS.waitSeconds);
  const idleSeconds = o.idleExit !== undefined ? positiveNumber(o.idleExit, "--idle-exit", OPTION_LIMITS.waitSeconds) : undefined;
  const { loadJobKinds, redisConnection, runWorker } = await import("@neurobridge/experiments");
  redisConnection(o.redis).disconnect();
  // Loaded once here so that a module that does not load is an error now, not at every job.
  await loadJobKinds(o.kinds ?? []);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.stderr.write(`worker ${hostname()} pid ${process.pid}: pulling jobs from ${o.redis} (concurrency ${concurrency})\n`);
  const stopGraceSeconds = positiveNumber(o.stopGrace, "--stop-grace", OPTION_LIMITS.waitSeconds);
  try {
    const { abandoned } = await runWorker({
      redis: o.redis,
      concurrency,
      lockSeconds,
      stopGraceSeconds,
      kindModules: o.kinds ?? [],
      ...(idleSeconds !== undefined ? { idleSeconds } : {}),
      ...(o.queue ? { queue: o.queue } : {}),
      ...(o.store ? { store: o.store } : {}),
      signal: controller.signal,
      onEvent: (e) => process.stderr.write(`worker: ${e.id} ${e.state}${e.detail ? `: ${e.detail}` : ""}\n`),
    });
    if (abandoned) {
      // Its job processes end with this process; their locks lapse and the jobs are retried elsewhere.
      process.stderr.write(
        `worker pid ${process.pid}: stopped; a job still running after --stop-grace ${stopGraceSeconds} s was abandoned (another worker retries it)\n`,
      );
      process.exit(process.exitCode ?? 0);
    }
    process.stderr.write(`worker pid ${process.pid}: stopped\n`);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

export function registerSweepCommands(program: Command): void {
  program
    .command("sweep")
    .description("run a grid of experiments as jobs named by content hash, on local worker processes or a BullMQ queue")
    // `sweep status --out DIR` shares --out and --json with the sweep itself (a subcommand could not: the options would clash).
    .argument("[action]", "status: report the sweep folder --out (jobs done, running, failed, pending) instead of running")
    .option("--grid <file>", "sweep file: JSON with base settings, grid axes and/or a list (required)")
    .option("--out <dir>", "the sweep's folder: manifest, job store, results.csv/json, figures (required)")
    .option("--executor <name>", "local (processes on this machine) | bullmq (a Redis queue for neurobridge worker)", "local")
    .option("--redis <url>", "Redis of the bullmq executor: redis://host:port[/db], rediss://…, unix:///path.sock")
    .option("--queue <name>", "BullMQ queue name (default neurobridge-sweep)")
    .option("--concurrency <n>", "local executor: jobs at once, one process each (default 1; a training job uses both cores)")
    .option(
      "--jobs-per-process <n>",
      "local executor: jobs one process runs before a fresh one takes over (default 1: a fresh heap per job; more saves ~1.5 s of start-up per short job)",
    )
    .option("--attempts <n>", "attempts per job before it fails for good (a crash, a kill or a stalled worker uses one)", "3")
    .option("--no-figures", "skip the figures")
    .option("--force", "replace the results of a different sweep already in --out (finished jobs both share are reused)")
    .option(
      "--kinds <module>",
      "a module exporting jobKinds: more job kinds (repeatable; workers need the same)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--json", "print one JSON object { jobs, done, failed, results, … } last")
    .action((what: string | undefined, o: SweepOptions, command: Command) => {
      if (what === undefined) return runSweepCommand(o, command.optsWithGlobals<GlobalOptions>());
      if (what !== "status")
        throw new NeuroBridgeError("OPTION_INVALID", `sweep: unknown action '${what}'; accepted: status (or none, to run the sweep)`);
      if (!o.out) throw new NeuroBridgeError("OPTION_INVALID", "sweep status: --out DIR names the sweep's folder (required)");
      return runStatusCommand({ out: o.out, ...(o.json ? { json: true } : {}) });
    });
  program
    .command("worker")
    .description("pull sweep jobs from a BullMQ queue on Redis and run them (any number of machines; stops on SIGINT/SIGTERM)")
    .requiredOption("--redis <url>", "redis://host:port[/db], rediss://…, unix:///path.sock")
    .option("--queue <name>", "BullMQ queue name (default neurobridge-sweep)")
    .option("--concurrency <n>", "jobs at once, each in its own process", "1")
    .option("--store <dir>", "job store: results and resumable state (a shared folder lets a retry resume another worker's checkpoint)")
    .option("--lock-seconds <s>", "a job whose worker is silent this long is retried elsewhere", "30")
    .option("--idle-exit <s>", "exit once the queue has been empty this long (e.g. as a Kubernetes Job)")
    .option(
      "--stop-grace <s>",
      "on SIGTERM/SIGINT, how long running jobs may take to finish before they are abandoned to another worker",
      "30",
    )
    .option("--kinds <module>", "a module exporting jobKinds: more job kinds (repeatable)", (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .action((o: WorkerCommandOptions) => runWorkerCommand(o));
}
