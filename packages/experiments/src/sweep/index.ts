/** Sweeps: grids of experiment configs run as content-addressed jobs on local processes or a BullMQ queue. */
export * from "./bullmq.js";
export * from "./executor.js";
export * from "./grid.js";
export * from "./job-kinds.js";
export * from "./results.js";
export * from "./run-job.js";
export * from "./store.js";
export * from "./sweep.js";
