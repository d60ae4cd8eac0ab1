/**
 * `@neurobridge/backend-tfjs` — TensorFlow.js backend: neuron models run
 * through {@link createTfjsOps} with surrogate gradients for training.
 *
 * @packageDocumentation
 */
export { TFJS_KERNEL_BACKENDS, type TfjsKernelBackend, tf, useKernelBackend } from "./tf.js";
export { createTfjsOps } from "./tfjs-ops.js";
