/**
 * The inner-dimension slicing of ONNX Runtime's MLAS SGEMM, which the
 * training backend multiplies with: the event-driven emulator accumulates in
 * the same slices so its currents equal training's bit for bit. The rule
 * lives in core (`mlasSliceK`, beside the spike-sparse products that follow
 * it too); it is re-exported here where the emulator's users found it.
 * Checked against onnxruntime-node in `emulator.test.ts`.
 */
export { mlasSliceK } from "@neurobridge/core";
