/**
 * The process the local executor starts for each job: it receives the job
 * over IPC, runs it with the default job kinds into the store, reports, and
 * exits. One process per job keeps a crash (or a kill) to that job, and gives
 * each job a fresh heap.
 */
import { loadJobKinds } from "./job-kinds.js";
import { isPermanentError, runJob } from "./run-job.js";
import { type JobSpec, JobStore } from "./store.js";

/** What the executor sends. */
export interface JobProcessRequest {
  readonly job: JobSpec;
  readonly storeDir: string;
  readonly attempt: number;
  /** Modules whose `jobKinds` are registered beside the default ones. */
  readonly kindModules: readonly string[];
}

/** What the process answers before it exits. */
export type JobProcessReply = { readonly ok: true } | { readonly ok: false; readonly error: string; readonly permanent: boolean };

// The executor gone (killed, or Ctrl-C), nobody waits for this job: stop, its checkpoint resumes it.
process.on("disconnect", () => process.exit(1));

process.once("message", (request: JobProcessRequest) => {
  const store = new JobStore(request.storeDir);
  loadJobKinds(request.kindModules)
    .then((kinds) => runJob(request.job, kinds, store, { attempt: request.attempt }))
    .then(
      () => process.send?.({ ok: true } satisfies JobProcessReply, () => process.exit(0)),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        process.send?.({ ok: false, error: message, permanent: isPermanentError(error) } satisfies JobProcessReply, () => process.exit(1));
      },
    );
});
