/**
 * The process the local executor starts for its jobs: it receives a job over
 * IPC, runs it with the default job kinds into the store, reports, and waits
 * for the next, until the executor closes the channel. A crash (or a kill)
 * ends only the job in flight; by default the executor sends one job per
 * process, so each gets a fresh heap (`LocalExecutorOptions.jobsPerProcess`).
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

/** What the process answers after each job. */
export type JobProcessReply = { readonly ok: true } | { readonly ok: false; readonly error: string; readonly permanent: boolean };

// Whether a job is running here: the executor gone mid-job (killed, or Ctrl-C) is a failed attempt.
let busy = false;
// The executor gone, or done with this process: stop (a job in flight resumes from its checkpoint).
process.on("disconnect", () => process.exit(busy ? 1 : 0));

// Jobs arrive one at a time: the next only after this one's reply.
process.on("message", (request: JobProcessRequest) => {
  busy = true;
  const store = new JobStore(request.storeDir);
  const reply = (message: JobProcessReply) => {
    busy = false;
    process.send?.(message);
  };
  loadJobKinds(request.kindModules)
    .then((kinds) => runJob(request.job, kinds, store, { attempt: request.attempt }))
    .then(
      () => reply({ ok: true }),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        reply({ ok: false, error: message, permanent: isPermanentError(error) });
      },
    );
});
