/**
 * The BullMQ sandbox processor: `neurobridge worker` runs each job through
 * this module in a child process, so the worker's own event loop stays free
 * to renew the job's lock however long the training computes.
 */
import { DelayedError, type SandboxedJob } from "bullmq";
import type { QueuedJob } from "./bullmq.js";
import { loadJobKinds } from "./job-kinds.js";
import { checkQueuedJob } from "./queue-checks.js";
import { isPermanentError, runJob } from "./run-job.js";
import { type JobRecord, JobStore } from "./store.js";

// The worker gone (killed, or its machine lost), nobody renews this job's lock: stop now,
// so the retry elsewhere is the only run (its checkpoint resumes it where the store is shared).
process.on("disconnect", () => process.exit(1));

/** How long a job this worker cannot run waits before it is offered again. */
const HAND_BACK_MS = 2000;

/** Runs one queued job; its record becomes the BullMQ job's return value. */
export default async function processSweepJob(job: SandboxedJob<QueuedJob, JobRecord>, token?: string): Promise<JobRecord> {
  const store = new JobStore(process.env.NEUROBRIDGE_WORKER_STORE ?? ".");
  try {
    const kinds = await loadJobKinds(JSON.parse(process.env.NEUROBRIDGE_JOB_KIND_MODULES ?? "[]") as string[]);
    // Checked before use: its id names folders in the store.
    const spec = checkQueuedJob(job.data);
    if (!kinds.names().includes(spec.kind)) {
      // Not this worker's kind: back to the queue for a worker that has it, without using an attempt.
      await job.moveToDelayed(Date.now() + HAND_BACK_MS, token);
      throw new DelayedError();
    }
    return await runJob(spec, kinds, store, { attempt: job.attemptsStarted ?? job.attemptsMade + 1 });
  } catch (error) {
    if (error instanceof DelayedError || !isPermanentError(error)) throw error;
    // BullMQ fails a job at once, without its remaining attempts, for an error of this name.
    const permanent = new Error((error as Error).message);
    permanent.name = "UnrecoverableError";
    throw permanent;
  }
}
