/**
 * Sweeps across machines: a BullMQ queue on Redis. The sweep command adds
 * each unfinished job under its content hash as BullMQ job id (so a job
 * already queued, running or finished is never added twice) and collects
 * the results; `neurobridge worker --redis URL` on any number of machines
 * pulls jobs and runs each in a child process (BullMQ's sandbox), which
 * keeps the lock renewed while a job computes. A worker that dies stops
 * renewing its lock; after `lockSeconds` another worker's stalled check puts
 * the job back in the queue, and it is retried — from the checkpoint, when
 * the store is shared.
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NeuroBridgeError } from "@neurobridge/core";
import { type Job, Queue, Worker } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { JobEvent, SweepExecutor } from "./executor.js";
import { checkReturnedRecord } from "./queue-checks.js";
import type { JobRecord, JobSpec, JobStore } from "./store.js";

/** The queue every NeuroBridge sweep and worker use unless told otherwise. */
export const DEFAULT_QUEUE = "neurobridge-sweep";

/** The data of a queued job. */
export interface QueuedJob {
  readonly job: JobSpec;
}

/**
 * A Redis connection for BullMQ from a URL: `redis://[user:pass@]host:port[/db]`,
 * `rediss://…` (TLS) or `unix:///path/to/redis.sock`.
 */
export function redisConnection(url: string, what = "--redis"): Redis {
  // BullMQ's workers block on Redis: they need requests that wait instead of failing after retries.
  const common: RedisOptions = { maxRetriesPerRequest: null, lazyConnect: true };
  if (url.startsWith("unix://")) {
    const path = url.slice("unix://".length);
    if (!path.startsWith("/"))
      throw new NeuroBridgeError("OPTION_INVALID", `${what}: '${url}' needs an absolute socket path, e.g. unix:///run/redis.sock`);
    return new Redis({ ...common, path });
  }
  if (/^rediss?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      throw new NeuroBridgeError("OPTION_INVALID", `${what}: '${url}' is not a valid URL`);
    }
    return new Redis(url, common);
  }
  throw new NeuroBridgeError(
    "OPTION_INVALID",
    `${what}: '${url}' is not a Redis URL; accepted: redis://host:port[/db], rediss://host:port, unix:///path/to/socket`,
  );
}

/** Connects, or fails with an error that names the server (instead of retrying for ever). */
async function connect(url: string, what: string): Promise<Redis> {
  const redis = redisConnection(url, what);
  redis.on("error", () => {
    // Reported by connect() below or by the command that failed; ioredis reconnects meanwhile.
  });
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 10 s")), 10_000).unref()),
    ]);
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new NeuroBridgeError("REDIS_UNREACHABLE", `${what}: cannot reach Redis at ${url} (${(error as Error).message})`);
  }
  return redis;
}

/** How long a sweep waits for a Redis that stopped answering before it gives up, naming it. */
const REDIS_LOST_MS = 30_000;

/** Options of {@link BullmqExecutor}. */
export interface BullmqExecutorOptions {
  readonly redis: string;
  readonly queue?: string;
  /** Attempts per job (a thrown error or a stalled worker each use one; default 3). */
  readonly attempts?: number;
  /** Milliseconds between checks of the queued jobs (default 500). */
  readonly pollMs?: number;
  /** Seconds a check may wait on a Redis that stopped answering before the sweep ends, naming it (default 30). */
  readonly lostAfterSeconds?: number;
}

/** Jobs on a BullMQ queue, run by `neurobridge worker` processes wherever they are. */
export class BullmqExecutor implements SweepExecutor {
  readonly name = "bullmq";
  concurrency = 1;
  private readonly attempts: number;

  constructor(private readonly options: BullmqExecutorOptions) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    redisConnection(options.redis).disconnect();
  }

  async run(jobs: readonly JobSpec[], store: JobStore, onEvent: (event: JobEvent) => void, signal?: AbortSignal): Promise<void> {
    const connection = await connect(this.options.redis, "--redis");
    const queue = new Queue<QueuedJob>(this.options.queue ?? DEFAULT_QUEUE, { connection });
    try {
      await queue.addBulk(
        jobs.map((job) => ({
          name: job.kind,
          data: { job },
          opts: {
            jobId: job.id,
            attempts: this.attempts,
            backoff: { type: "exponential", delay: 1000 },
            // Finished jobs stay: their results are read back by id, also by a later run of the sweep.
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
      const pending = new Map(jobs.map((j) => [j.id, { started: 0, failedSeen: false }]));
      const byId = new Map(jobs.map((j) => [j.id, j]));
      // A job that failed for good in an earlier run of this sweep gets its attempts again.
      for (const id of pending.keys()) {
        const queued = await queue.getJob(id);
        if (queued && (await queued.getState()) === "failed")
          await queued.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      }
      // Redis going away mid-sweep: its errors are kept (not printed as stack traces), and a poll that
      // cannot finish in lostAfterSeconds ends the sweep with one message; the queued jobs stay in Redis.
      let lost: Error | undefined;
      queue.on("error", (error) => {
        lost = error;
      });
      let gaveUp = false;
      const lostMs = (this.options.lostAfterSeconds ?? REDIS_LOST_MS / 1000) * 1000;
      const poll = async () => {
        const workers = (await queue.getWorkers()).length;
        this.concurrency = Math.max(1, workers);
        for (const [id, seen] of pending) {
          const queued = (await queue.getJob(id)) as Job<QueuedJob, JobRecord> | undefined;
          // A poll outlived by its deadline acts on nothing (a closing connection answers "no such job").
          if (gaveUp) return;
          if (!queued) {
            // Removed from the queue by someone else: nothing will run it.
            store.fail(id, "removed from the queue before it finished", seen.started);
            onEvent({ id, state: "failed", attempt: seen.started, error: "removed from the queue before it finished" });
            pending.delete(id);
            continue;
          }
          const state = await queued.getState();
          if (gaveUp) return;
          // The job may have finished between the two reads: its return value comes with a fresh read.
          if (state === "completed" && !queued.returnvalue) continue;
          const started = queued.attemptsStarted ?? queued.attemptsMade;
          if (started > seen.started) {
            if (seen.started > 0)
              onEvent({ id, state: "retrying", attempt: seen.started, error: queued.failedReason || "its worker stopped (stalled)" });
            seen.started = started;
            if (state === "active") {
              // Its worker may be on another machine: the marker says so (pid 0), for sweep status.
              store.markRunning(id, started, 0);
              onEvent({ id, state: "running", attempt: started, worker: "bullmq" });
            }
          }
          if (state === "completed") {
            let record: JobRecord;
            try {
              record = checkReturnedRecord(queued.returnvalue, byId.get(id) as JobSpec);
            } catch (error) {
              const why = (error as Error).message;
              store.fail(id, why, started);
              onEvent({ id, state: "failed", attempt: started, error: why });
              pending.delete(id);
              continue;
            }
            if (!store.has(id)) store.put(record);
            onEvent({ id, state: "done", attempt: record.attempt });
            pending.delete(id);
          } else if (state === "failed") {
            const error = queued.failedReason || "failed";
            store.fail(id, error, started);
            onEvent({ id, state: "failed", attempt: started, error });
            pending.delete(id);
          }
        }
      };
      while (pending.size && !signal?.aborted) {
        let timer: NodeJS.Timeout | undefined;
        const done = await Promise.race([
          poll().then(() => true),
          new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), lostMs);
          }),
        ]);
        clearTimeout(timer);
        if (!done) {
          gaveUp = true;
          throw new NeuroBridgeError(
            "REDIS_UNREACHABLE",
            `--redis: lost Redis at ${this.options.redis} for ${lostMs / 1000} s${lost ? ` (${lost.message})` : ""}; the queued jobs stay there — rerun the sweep to collect them once it is back`,
          );
        }
        if (pending.size) await new Promise((r) => setTimeout(r, this.options.pollMs ?? 500));
      }
    } finally {
      // Closing waits for Redis; a lost one is not waited for.
      connection.disconnect();
      await Promise.race([queue.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    }
  }
}

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  readonly redis: string;
  readonly queue?: string;
  /** Jobs at once, each in its own process (default 1). */
  readonly concurrency?: number;
  /** The job store: results are also written here, and jobs resume from their state here (default: a folder in the temp dir). */
  readonly store?: string;
  /** Seconds without a lock renewal after which a job counts as stalled and is retried elsewhere (default 30). */
  readonly lockSeconds?: number;
  /** How many times a job may stall before it fails (default 2). */
  readonly maxStalls?: number;
  /** Modules exporting `jobKinds` that the job processes register (see `loadJobKinds`). */
  readonly kindModules?: readonly string[];
  /** Stop once the queue has had nothing waiting or running for this many seconds (a worker as a batch job). */
  readonly idleSeconds?: number;
  /**
   * Once stopped, how long running jobs may take to finish (default 30 s). A job
   * still running then is abandoned: its lock lapses and another worker retries
   * it (from its checkpoint, where the store is shared). A hung job no longer
   * holds the worker for ever.
   */
  readonly stopGraceSeconds?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: { readonly id: string; readonly state: "running" | "done" | "failed"; readonly detail?: string }) => void;
}

/** Resolves `done` once queue `name` has had no waiting, delayed or active job for `seconds`. */
function watchIdle(name: string, connection: Redis, seconds: number): { done: Promise<void>; stop: () => void } {
  const queue = new Queue(name, { connection });
  let timer: NodeJS.Timeout | undefined;
  let idleSince: number | undefined;
  const done = new Promise<void>((resolve) => {
    const check = async () => {
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized").catch(() => undefined);
      const busy = counts ? Object.values(counts).reduce((a, b) => a + b, 0) > 0 : true;
      if (busy) idleSince = undefined;
      else idleSince ??= performance.now();
      if (idleSince !== undefined && performance.now() - idleSince >= seconds * 1000) return resolve();
      timer = setTimeout(check, 1000);
    };
    void check();
  });
  return {
    done,
    stop: () => {
      clearTimeout(timer);
      void queue.close();
    },
  };
}

/** The compiled sandbox processor (workers run built code; under the test runner the sources are beside it). */
function processorPath(): string {
  const here = new URL(import.meta.url);
  const url = here.pathname.endsWith(".ts")
    ? new URL("../../dist/sweep/bullmq-processor.js", here)
    : new URL("./bullmq-processor.js", here);
  return url.pathname;
}

/** The store a worker uses when none is given. */
export const defaultWorkerStore = (): string => join(tmpdir(), "neurobridge-worker");

/**
 * Pulls jobs from the queue and runs them until `signal` aborts; then stops
 * taking jobs, lets BullMQ hand back what is running, and resolves.
 */
export async function runWorker(options: WorkerOptions): Promise<{ readonly abandoned: boolean }> {
  const connection = await connect(options.redis, "--redis");
  const lockMs = Math.round((options.lockSeconds ?? 30) * 1000);
  const store = options.store ?? defaultWorkerStore();
  if (!existsSync(processorPath()))
    throw new NeuroBridgeError("NOT_BUILT", `the worker's job processor ${processorPath()} is missing; run npm run build`);
  // The sandboxed processes inherit the environment: it tells them where the store is.
  process.env.NEUROBRIDGE_WORKER_STORE = store;
  process.env.NEUROBRIDGE_JOB_KIND_MODULES = JSON.stringify(options.kindModules ?? []);
  const worker = new Worker<QueuedJob, JobRecord>(options.queue ?? DEFAULT_QUEUE, processorPath(), {
    connection,
    concurrency: Math.max(1, options.concurrency ?? 1),
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.round(lockMs / 2)),
    maxStalledCount: options.maxStalls ?? 2,
    autorun: false,
  });
  worker.on("active", (job) => options.onEvent?.({ id: job.id ?? "?", state: "running" }));
  worker.on("completed", (job) => options.onEvent?.({ id: job.id ?? "?", state: "done" }));
  worker.on("failed", (job, error) => options.onEvent?.({ id: job?.id ?? "?", state: "failed", detail: error.message }));
  worker.on("error", () => {
    // Connection hiccups: BullMQ reconnects and carries on.
  });
  const stopped = new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  const running = worker.run();
  const idle = options.idleSeconds !== undefined ? watchIdle(options.queue ?? DEFAULT_QUEUE, connection, options.idleSeconds) : undefined;
  await Promise.race([stopped, ...(idle ? [idle.done] : [])]);
  idle?.stop();
  const grace = (options.stopGraceSeconds ?? 30) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    worker
      .close()
      .then(() => running.catch(() => undefined))
      .then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), grace);
    }),
  ]);
  clearTimeout(timer);
  connection.disconnect();
  return { abandoned: !finished };
}
