/**
 * The browser-safe part of `@neurobridge/backend-neuromorphic`: reading a
 * network plan and running it in the event-driven emulator (float32,
 * or Loihi's fixed point), with no Node built-ins and no ONNX Runtime. The
 * off-chip input layer runs in plain JavaScript here.
 *
 * @packageDocumentation
 */
export * from "./emulator/counters.js";
export * from "./emulator/evaluate.js";
export * from "./emulator/event-emulator.js";
export { floatEmulator, floatPopulation, stageIssues, stagesOf } from "./emulator/float-plan.js";
export * from "./emulator/js-host-layer.js";
export * from "./emulator/population.js";
export * from "./loihi/cuba-lif.js";
