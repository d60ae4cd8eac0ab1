/**
 * The `tfjs` backend's plugin: what it registers, and nothing that loads
 * TensorFlow.js. The backend itself is imported when a runtime first asks
 * for it, so a thread that rebuilds a runtime from plugin sources (the
 * emulator's and the trainer's workers) pays for TensorFlow.js only if it
 * trains.
 */
import type { BackendCapabilities, NeuroBridgePlugin } from "@neurobridge/core";
import type { TfjsBackendOptions } from "./backend.js";

/** What the `tfjs` backend can do (its `capabilities`). */
export const TFJS_CAPABILITIES = {
  train: true,
  eventDriven: false,
  precisions: ["float32"],
  hosts: "chains input → (dense → neuron)* → output of any registered neuron model; learns any learnable parameter",
  records: ["spikes", "membrane"],
} as const satisfies BackendCapabilities;

/** Registers the `tfjs` backend. */
export function tfjsPlugin(options: TfjsBackendOptions = {}): NeuroBridgePlugin {
  return {
    name: "@neurobridge/backend-tfjs",
    version: "0.1.0",
    description: "TensorFlow.js backend: training and inference.",
    source: { module: import.meta.url, export: "tfjsPlugin", options },
    register(r) {
      r.backend({
        name: "tfjs",
        description:
          "TensorFlow.js: surrogate-gradient BPTT training and float32 inference (dense products on ONNX Runtime where available).",
        capabilities: TFJS_CAPABILITIES,
        create: async (runtime) => (await import("./backend.js")).TfjsBackend.create(runtime, options),
      });
    },
  };
}
