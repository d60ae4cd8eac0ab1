/**
 * An off-chip input layer in plain JavaScript, for environments without ONNX
 * Runtime (the browser). Sums in float64 and rounds once, so its currents can
 * differ from the training backend's GEMM in the last float32 bit; use
 * `HostLayer` (Node) where spikes must match training exactly.
 */
import { type DensePlanLayer, denseReference } from "@neurobridge/core";
import type { HostInput } from "./event-emulator.js";

/** y = W·x + b per row, in JavaScript. */
export class JsHostLayer implements HostInput {
  constructor(readonly layer: DensePlanLayer) {}

  async currents(input: Float32Array, rows: number): Promise<Float32Array> {
    return denseReference(this.layer, input, rows);
  }

  get macsPerRow(): number {
    return this.layer.inFeatures * this.layer.outFeatures;
  }

  async release(): Promise<void> {}
}
