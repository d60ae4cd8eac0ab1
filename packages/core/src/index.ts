/**
 * `@neurobridge/core` — the contracts of NeuroBridge, usable without any
 * backend: the network spec and its validator, the network plan, neuron-model,
 * kernel, strategy and backend interfaces, the tsyringe plugin runtime, seeded
 * randomness, encoders, losses, batching, units and op counting. The
 * checkpoint codec (files) is `@neurobridge/core/node`.
 *
 * @packageDocumentation
 * @module @neurobridge/core
 */
// tsyringe needs the Reflect metadata polyfill before it loads: keep this first.
import "reflect-metadata";

export * from "./backend.js";
export * from "./builtins/encoders.js";
export * from "./builtins/losses.js";
export * from "./builtins/models.js";
export * from "./builtins/surrogates.js";
export * from "./codecs.js";
export * from "./data-fit.js";
export * from "./dataset.js";
export * from "./defaults.js";
export * from "./errors.js";
export * from "./kernels.js";
export * from "./module-interop.js";
export * from "./neuron-check.js";
export * from "./neuron-model.js";
export * from "./ops.js";
export * from "./params.js";
export * from "./plan.js";
export * from "./plugin-source.js";
export * from "./predictions.js";
export * from "./random.js";
export * from "./reference.js";
export * from "./resolve.js";
export * from "./runtime.js";
export * from "./safetensors.js";
export * from "./serialize.js";
export * from "./spec.js";
export * from "./spike-product.js";
export * from "./step-compiler.js";
export * from "./strategies.js";
export * from "./tensor-ops.js";
export * from "./training.js";
export * from "./units.js";
export * from "./validate.js";
export * from "./wasm.js";
export * from "./weights.js";
