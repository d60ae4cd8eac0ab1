/**
 * An input layer computed off-chip. Neuromorphic cores take spikes; a first
 * dense layer fed graded pixel values (direct encoding) runs on the host, as
 * nengo-loihi runs off-chip layers, and drives the first population with a
 * current. It multiplies with ONNX Runtime's GEMM without weight pre-packing
 * — the same arithmetic as the training backend — so its currents are
 * bit-identical to training's.
 */

import type { DensePlanLayer, Runtime } from "@neurobridge/core";
import { decodeOnnx } from "../onnx/model-file.js";
import { GraphBuilder } from "../onnx/proto.js";
import { OnnxNetwork } from "../onnx/session.js";
import type { HostInput } from "./event-emulator.js";

/** A dense layer evaluated on the host with ONNX Runtime (Node). */
export class HostLayer implements HostInput {
  private constructor(
    readonly layer: DensePlanLayer,
    private readonly network: OnnxNetwork,
  ) {}

  static async create(runtime: Runtime, layer: DensePlanLayer): Promise<HostLayer> {
    const b = new GraphBuilder();
    const w = b.constant(`${layer.id}.weight`, layer.weight, [layer.outFeatures, layer.inFeatures]);
    const inputs = [b.input("input", ["batch", layer.inFeatures]), w];
    if (layer.bias) inputs.push(b.constant(`${layer.id}.bias`, layer.bias, [layer.outFeatures]));
    b.output("scores", b.node("Gemm", inputs, { transB: 1 }), ["batch", layer.outFeatures]);
    const bytes = b.build(`host-${layer.id}`, "host input layer", {});
    const { description } = decodeOnnx(bytes, `host-${layer.id}.onnx`);
    const network = await OnnxNetwork.load(runtime, bytes, description, `host-${layer.id}.onnx`, { threads: 1 });
    return new HostLayer(layer, network);
  }

  /** Currents `[rows, outFeatures]` for inputs `[rows, inFeatures]` (already encoded). */
  async currents(input: Float32Array, rows: number): Promise<Float32Array> {
    return this.network.infer(input, [rows, this.layer.inFeatures]);
  }

  /** Multiply-accumulates per input row. */
  get macsPerRow(): number {
    return this.layer.inFeatures * this.layer.outFeatures;
  }

  async release(): Promise<void> {
    await this.network.release();
  }
}
