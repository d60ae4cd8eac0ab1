/**
 * Running one sweep job in this process: the one place that turns a
 * {@link JobSpec} into a stored {@link JobRecord}, used by the local
 * executor's job processes and by the BullMQ worker alike.
 */
import { hostname } from "node:os";
import { NeuroBridgeError, ValidationError } from "@neurobridge/core";
import type { JobKinds } from "./job-kinds.js";
import type { JobRecord, JobSpec, JobStore } from "./store.js";

/** Errors that another attempt cannot fix (a wrong config, a worker on other code): the job fails at once. */
const PERMANENT = new Set([
  "QUEUE_FORGED",
  "CODE_MISMATCH",
  "JOB_KIND_UNKNOWN",
  "GRID_INVALID",
  "OPTION_INVALID",
  "SPEC_INVALID",
  "INVALID",
]);

/** Whether `error` is one another attempt cannot fix. */
export function isPermanentError(error: unknown): boolean {
  return error instanceof ValidationError || (error instanceof NeuroBridgeError && PERMANENT.has(error.code));
}

/** Options of {@link runJob}. */
export interface RunJobOptions {
  /** Which attempt this is (1 = the first); recorded with the result. */
  readonly attempt?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number, detail: string) => void;
}

/**
 * Runs `job` with its registered kind and stores its record in `store`. A job
 * already in the store is returned as it is, never run again. A job made for
 * other code than this process runs is refused: its id names the code.
 */
export async function runJob(job: JobSpec, kinds: JobKinds, store: JobStore, options: RunJobOptions = {}): Promise<JobRecord> {
  const done = store.get(job.id);
  if (done) return done;
  const kind = kinds.get(job.kind);
  const code = kind.code();
  if (code !== job.code) {
    throw new NeuroBridgeError(
      "CODE_MISMATCH",
      `job ${job.id} was made for NeuroBridge code ${job.code}, this worker runs ${code}; run the same build on every worker and the sweep command`,
    );
  }
  const attempt = options.attempt ?? 1;
  store.markRunning(job.id, attempt);
  const t0 = performance.now();
  const result = await kind.run(job.config, {
    workDir: store.workDir(job.id),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const record: JobRecord = {
    format: "neurobridge.sweep-job",
    version: 1,
    id: job.id,
    kind: job.kind,
    config: job.config,
    code: job.code,
    result,
    attempt,
    seconds: (performance.now() - t0) / 1000,
    host: hostname(),
    finishedAt: new Date().toISOString(),
  };
  store.put(record);
  return record;
}
