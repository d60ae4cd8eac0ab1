/**
 * Executors run a sweep's unfinished jobs and report each one's state. They
 * share one contract, so the sweep runner, its progress and its results do
 * not depend on where jobs run: `local` (a process per job on this machine,
 * no server needed) or `bullmq` (a Redis queue that workers on any number of
 * machines pull from, see bullmq.ts).
 */
import { type ChildProcess, fork } from "node:child_process";
import type { JobProcessReply, JobProcessRequest } from "./job-process.js";
import type { JobSpec, JobStore } from "./store.js";

/** A change of one job's state. */
export type JobEvent =
  | { readonly id: string; readonly state: "running"; readonly attempt: number; readonly worker?: string }
  | { readonly id: string; readonly state: "done"; readonly attempt: number }
  | { readonly id: string; readonly state: "retrying" | "failed"; readonly attempt: number; readonly error: string };

/** Runs jobs. */
export interface SweepExecutor {
  /** `local`, `bullmq`, … (recorded in the sweep's manifest). */
  readonly name: string;
  /** Jobs run at once, for the ETA (an estimate where workers come and go). */
  readonly concurrency: number;
  /**
   * Runs every job of `jobs` (none finished yet) until it is in `store` or has
   * failed for good (recorded with `store.fail`), reporting each state change.
   * Resolves when all are settled, or soon after `signal` aborts (what is
   * running is stopped; its checkpoint resumes it next time).
   */
  run(jobs: readonly JobSpec[], store: JobStore, onEvent: (event: JobEvent) => void, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link LocalExecutor}. */
export interface LocalExecutorOptions {
  /** Jobs at once, each in its own process (default 1: a training job already uses both cores of this machine). */
  readonly concurrency?: number;
  /** Attempts per job before it fails for good (default 3). */
  readonly attempts?: number;
  /** Modules exporting `jobKinds` that the job processes register (see `loadJobKinds`). */
  readonly kindModules?: readonly string[];
  /**
   * Jobs one process runs, one after another, before a fresh one takes over
   * (default 1: every job gets a fresh heap). Start-up (modules, MNIST) costs
   * a process ~1.5 s of CPU, which dominates short jobs; a job that fails, or
   * a process that dies, always gets a new process.
   */
  readonly jobsPerProcess?: number;
}

/** The compiled job process (workers run built code; under the test runner the sources are beside it). */
function jobProcessPath(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith(".ts") ? new URL("../../dist/sweep/job-process.js", here) : new URL("./job-process.js", here);
}

/** What one attempt ended with. */
type AttemptEnd = JobProcessReply;

/** The last `max` characters a child wrote to stderr (to name why it crashed). */
function tail(child: ChildProcess, max = 2000): () => string {
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-max);
  });
  return () => text.trim();
}

/**
 * One job process: runs the jobs it is sent one at a time, until closed or
 * it dies (a crash or a kill ends the job in flight, which is retried).
 */
class JobProcess {
  private readonly child: ChildProcess;
  private readonly stderr: () => string;
  private current:
    | { readonly job: JobSpec; readonly store: JobStore; readonly resolve: (end: AttemptEnd) => void; reply?: AttemptEnd }
    | undefined;
  /** Jobs sent so far. */
  jobs = 0;
  /** False once a job failed here, or the process ended: it takes no more jobs. */
  usable = true;

  constructor(private readonly kindModules: readonly string[]) {
    this.child = fork(jobProcessPath(), [], { stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: [] });
    this.stderr = tail(this.child);
    this.child.on("error", (error) => {
      if (this.current) this.current.reply ??= { ok: false, error: `its process could not run: ${error.message}`, permanent: false };
    });
    this.child.on("message", (message: AttemptEnd) => {
      if (!message.ok) this.usable = false;
      this.finish(message);
    });
    this.child.on("exit", (code, killedBy) => {
      this.usable = false;
      const why = killedBy ? `killed by ${killedBy}` : `exit code ${code}`;
      const last = this.stderr().split("\n").at(-1);
      this.finish(this.current?.reply ?? { ok: false, error: `its process ended (${why})${last ? `: ${last}` : ""}`, permanent: false });
    });
  }

  /** Ends the job in flight (if any) with `end`. */
  private finish(end: AttemptEnd): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    // The job's own marker goes with its attempt: what is running is what has a live attempt.
    if (!current.store.has(current.job.id)) current.store.clearRunning(current.job.id);
    current.resolve(end);
  }

  /** Runs one attempt of `job` here; `signal` aborting kills the process. */
  run(job: JobSpec, store: JobStore, attempt: number, signal?: AbortSignal): Promise<AttemptEnd> {
    this.jobs++;
    return new Promise((resolve) => {
      const stop = () => this.child.kill("SIGTERM");
      signal?.addEventListener("abort", stop, { once: true });
      this.current = {
        job,
        store,
        resolve: (end) => {
          signal?.removeEventListener("abort", stop);
          resolve(end);
        },
      };
      this.child.send({ job, storeDir: store.dir, attempt, kindModules: this.kindModules } satisfies JobProcessRequest);
    });
  }

  /** Lets the process exit (it does once its IPC channel closes). */
  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

/**
 * Jobs in worker processes on this machine: `concurrency` lanes, each a
 * process that runs `jobsPerProcess` jobs before a fresh one takes over
 * (default one per job: every job gets a fresh heap). A crash or a kill ends
 * only that attempt, which is retried in a new process.
 */
export class LocalExecutor implements SweepExecutor {
  readonly name = "local";
  readonly concurrency: number;
  private readonly attempts: number;
  private readonly kindModules: readonly string[];
  private readonly jobsPerProcess: number;

  constructor(options: LocalExecutorOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.kindModules = options.kindModules ?? [];
    this.jobsPerProcess = Math.max(1, options.jobsPerProcess ?? 1);
  }

  async run(jobs: readonly JobSpec[], store: JobStore, onEvent: (event: JobEvent) => void, signal?: AbortSignal): Promise<void> {
    const queue = [...jobs];
    const lane = async () => {
      let worker: JobProcess | undefined;
      // This lane's process for the next attempt: the current one while it is usable and has jobs left, else a fresh one.
      const next = (): JobProcess => {
        if (!worker?.usable || worker.jobs >= this.jobsPerProcess) {
          worker?.close();
          worker = new JobProcess(this.kindModules);
        }
        return worker;
      };
      try {
        for (let job = queue.shift(); job && !signal?.aborted; job = queue.shift()) await this.settle(job, store, onEvent, next, signal);
      } finally {
        worker?.close();
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, lane));
  }

  /** Runs `job` until it is stored, fails permanently, or runs out of attempts. */
  private async settle(
    job: JobSpec,
    store: JobStore,
    onEvent: (event: JobEvent) => void,
    processFor: () => JobProcess,
    signal?: AbortSignal,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      onEvent({ id: job.id, state: "running", attempt, worker: "local" });
      const end = await processFor().run(job, store, attempt, signal);
      if (end.ok && store.has(job.id)) {
        onEvent({ id: job.id, state: "done", attempt });
        return;
      }
      if (signal?.aborted) return;
      const error = end.ok ? "its process ended without storing a result" : end.error;
      if ((!end.ok && end.permanent) || attempt >= this.attempts) {
        store.fail(job.id, error, attempt);
        onEvent({ id: job.id, state: "failed", attempt, error });
        return;
      }
      onEvent({ id: job.id, state: "retrying", attempt, error });
    }
  }
}
