/**
 * `@neurobridge/backend-neuromorphic` — networks off the training backend:
 * the emulated targets as backends (`emulator`, `loihi`, `truenorth`, from
 * {@link neuromorphicPlugin}), ONNX export (feed-forward, SNN step and
 * unrolled graphs) run in onnxruntime-node, and the targets' sourced profiles.
 *
 * @packageDocumentation
 * @module @neurobridge/backend-neuromorphic
 */
export * from "./backends.js";
export * from "./deploy.js";
export * from "./emulator/counters.js";
export * from "./emulator/evaluate.js";
export * from "./emulator/event-emulator.js";
export { floatEmulator, floatPopulation, type Stage, stageIssues, stagesOf } from "./emulator/float-plan.js";
export * from "./emulator/gemm-order.js";
export * from "./emulator/js-host-layer.js";
export * from "./emulator/parallel-evaluate.js";
export * from "./emulator/population.js";
export * from "./loihi/cuba-lif.js";
export * from "./loihi/quantize.js";
export * from "./onnx/export.js";
export * from "./onnx/model-file.js";
export * from "./onnx/onnx-ops.js";
export { GraphBuilder, IR_VERSION, OPSET } from "./onnx/proto.js";
export * from "./onnx/session.js";
export * from "./profiles.js";
export * from "./truenorth/chip.js";
export * from "./truenorth/map.js";
export * from "./truenorth/network.js";
export * from "./truenorth/neuron.js";
export * from "./truenorth/training.js";
