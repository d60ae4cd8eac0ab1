/**
 * The one place this package loads TensorFlow.js. `@tensorflow/tfjs-core`
 * alone registers no gradient functions, so the union package is imported
 * once for its gradient registrations; kernels come from the wasm backend
 * (default, SIMD, ~40× faster than cpu here) or the cpu backend.
 */
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { UnsupportedError } from "@neurobridge/core";
import * as tf from "@tensorflow/tfjs-core";

export { tf };

/** Kernel backends this package can run on. */
export const TFJS_KERNEL_BACKENDS = ["wasm", "cpu"] as const;
/** A kernel backend name. */
export type TfjsKernelBackend = (typeof TFJS_KERNEL_BACKENDS)[number];

/**
 * Selects and initialises the tfjs kernel backend.
 *
 * @throws `UnsupportedError` (core) naming the accepted backends for any other name
 */
export async function useKernelBackend(name: string = "wasm"): Promise<TfjsKernelBackend> {
  if (!(TFJS_KERNEL_BACKENDS as readonly string[]).includes(name)) {
    throw new UnsupportedError(`tfjs kernel backend '${name}' is not supported; accepted: ${TFJS_KERNEL_BACKENDS.join(", ")}`);
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new UnsupportedError(`tfjs kernel backend '${name}' failed to initialise`);
  }
  await tf.ready();
  return name as TfjsKernelBackend;
}
