/**
 * `@neurobridge/conformance` — one call that checks a registered neuron
 * model everywhere it runs: its declaration and step, the training backend's
 * generic path, every registered kernel against the step (bit-identical
 * outputs), gradients, ONNX export and the event-driven emulator.
 *
 * @packageDocumentation
 * @module @neurobridge/conformance
 */
export * from "./conformance.js";
