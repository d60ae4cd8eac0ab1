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
  const restore = keepProcessHandlers();
  try {
    if (tf.getBackend() !== name) {
      const ok = await tf.setBackend(name);
      if (!ok) throw new UnsupportedError(`tfjs kernel backend '${name}' failed to initialise`);
    }
    await tf.ready();
  } finally {
    restore();
  }
  return name as TfjsKernelBackend;
}

const PROCESS_EVENTS = ["uncaughtException", "unhandledRejection"] as const;

/**
 * The wasm backend's Emscripten module adds `uncaughtException` and
 * `unhandledRejection` listeners to the host process that rethrow any error
 * and exit with code 7, printing the whole minified module — for errors in
 * the user's own program. A library must not take over the host's error
 * handling: this snapshots the listeners and returns a function that removes
 * whatever was added since. (A no-op where there is no `process`, e.g. a browser.)
 */
function keepProcessHandlers(): () => void {
  // Typed as a plain emitter: the process's overloads do not take a union of event names.
  const proc = (globalThis as { process?: NodeJS.EventEmitter }).process;
  if (typeof proc?.listeners !== "function") return () => {};
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(proc.listeners(event))]));
  return () => {
    for (const event of PROCESS_EVENTS) {
      const kept = before.get(event) as Set<unknown>;
      for (const listener of proc.listeners(event)) {
        if (!kept.has(listener)) proc.off(event, listener as (...args: unknown[]) => void);
      }
    }
  };
}
