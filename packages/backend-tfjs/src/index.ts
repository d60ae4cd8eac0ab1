/**
 * `@neurobridge/backend-tfjs` — training and inference of NeuroBridge
 * networks: the chain executor (dense products on ONNX Runtime's GEMM where
 * available, fused LIF kernels, tfjs autograd for any other neuron model), the
 * tfjs autograd graph it is checked against, losses, Adam, evaluation with
 * activity and op counts, and checkpoints.
 *
 * @packageDocumentation
 */
export * from "./adam.js";
export * from "./backend.js";
export * from "./checkpoint.js";
export * from "./evaluate.js";
export * from "./executor.js";
export * from "./gemm.js";
export * from "./graph.js";
export * from "./lif-kernel.js";
export * from "./losses.js";
export { TFJS_KERNEL_BACKENDS, type TfjsKernelBackend, tf, useKernelBackend } from "./tf.js";
export { createTfjsOps } from "./tfjs-ops.js";
export * from "./trainer.js";
