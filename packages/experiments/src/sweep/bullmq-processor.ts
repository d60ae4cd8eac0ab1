/**
 * The BullMQ sandbox processor: `neurobridge worker` runs each job through
 * this module in a child process, so the worker's own event loop stays free
 * to renew the job's lock however long the training computes.
 */
import type { SandboxedJob } from "bullmq";
import type { QueuedJob } from "./bullmq.js";
import { loadJobKinds } from "./job-kinds.js";
import { checkQueuedJob } from "./queue-checks.js";
import { isPermanentError, runJob } from "./run-job.js";
import { type JobRecord, JobStore } from "./store.js";

// The worker gone (killed, or its machine lost), nobody renews this job's lock: stop now,
// so the retry elsewhere is the only run (its checkpoint resumes it where the store is shared).
process.on("disconnect", () => process.exit(1));

/** Runs one queued job; its record becomes the BullMQ job's return value. */
export default async function processSweepJob(job: SandboxedJob<QueuedJob, JobRecord>): Promise<JobRecord> {
  const store = new JobStore(process.env.NEUROBRIDGE_WORKER_STORE ?? ".");
  try {
    const kinds = await loadJobKinds(JSON.parse(process.env.NEUROBRIDGE_JOB_KIND_MODULES ?? "[]") as string[]);
    // Checked before use: its id names folders in the store.
    return await runJob(checkQueuedJob(job.data), kinds, store, { attempt: job.attemptsStarted ?? job.attemptsMade + 1 });
  } catch (error) {
    if (!isPermanentError(error)) throw error;
    // BullMQ fails a job at once, without its remaining attempts, for an error of this name.
    const permanent = new Error((error as Error).message);
    permanent.name = "UnrecoverableError";
    throw permanent;
  }
}
