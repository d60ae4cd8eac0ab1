/**
 * `@neurobridge/backend-neuromorphic` — emulated neuromorphic targets (Loihi,
 * TrueNorth) and ONNX export. So far: the target profiles as sourced data.
 *
 * @packageDocumentation
 */
export * from "./profiles.js";
