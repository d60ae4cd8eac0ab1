/**
 * `@neurobridge/backend-tfjs` — training and inference of NeuroBridge
 * networks: the chain executor on a network plan (dense products on ONNX
 * Runtime's GEMM where available, registered kernels, tfjs autograd through
 * any other neuron model's `step`), Adam, worker-thread data parallelism and
 * evaluation with activity and op counts. Checkpoints are core's
 * (`@neurobridge/core/node`), re-exported here.
 *
 * @packageDocumentation
 * @module @neurobridge/backend-tfjs
 */

export { CHECKPOINT_FORMAT, loadCheckpoint, saveCheckpoint } from "@neurobridge/core/node";
export * from "./adam.js";
export * from "./backend.js";
export { type Engine, executorTrainStep, type LossConfig, summarizeForward, type TrainStepResult } from "./engine.js";
export * from "./evaluate.js";
export * from "./executor.js";
export * from "./gemm.js";
export * from "./plugin.js";
export * from "./profile.js";
export * from "./spike-sparse.js";
export { TFJS_KERNEL_BACKENDS, type TfjsKernelBackend, tf, useKernelBackend } from "./tf.js";
export { createTfjsOps } from "./tfjs-ops.js";
export * from "./trainer.js";
