/**
 * An off-chip input layer in plain JavaScript, for environments without ONNX
 * Runtime (the browser). Sums in float64 and rounds once, so its currents can
 * differ from the training backend's GEMM in the last float32 bit; use
 * `HostLayer` (Node) where spikes must match training exactly.
 */
import type { DensePlanLayer } from "@neurobridge/core";
import type { HostInput } from "./event-emulator.js";

/** y = W·x + b per row, in JavaScript. */
export class JsHostLayer implements HostInput {
  constructor(readonly layer: DensePlanLayer) {}

  async currents(input: Float32Array, rows: number): Promise<Float32Array> {
    const { inFeatures: K, outFeatures: N, weight, bias } = this.layer;
    const out = new Float32Array(rows * N);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < N; j++) {
        let s = bias ? (bias[j] as number) : 0;
        const w = j * K;
        const x = r * K;
        for (let k = 0; k < K; k++) s += (input[x + k] as number) * (weight[w + k] as number);
        out[r * N + j] = s;
      }
    }
    return out;
  }

  get macsPerRow(): number {
    return this.layer.inFeatures * this.layer.outFeatures;
  }

  async release(): Promise<void> {}
}
