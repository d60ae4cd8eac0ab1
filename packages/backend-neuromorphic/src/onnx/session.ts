/**
 * Runs exported models in onnxruntime-node: encodes inputs with the model's
 * recorded encoder (the same code the training backend uses), drives step
 * graphs over T steps with their explicit state, and evaluates datasets.
 */
import {
  accuracyOf,
  commonJsExports,
  DataFileError,
  type Dataset,
  type Encoder,
  NeuroBridgeError,
  predictClasses,
  type RandomSource,
  type Runtime,
} from "@neurobridge/core";
import type * as Ort from "onnxruntime-node";
import type { OnnxExportInfo } from "./export.js";
import type { OnnxModelDescription } from "./model-file.js";

type OrtModule = typeof Ort;
let ortModule: Promise<OrtModule> | undefined;
/** onnxruntime-node, loaded once. */
export const loadOrt = (): Promise<OrtModule> => {
  ortModule ??= import("onnxruntime-node").then((m) => commonJsExports<OrtModule>(m));
  return ortModule;
};

/** How a model without NeuroBridge metadata is run: one pass, first input to first output. */
function plainInfo(d: OnnxModelDescription): OnnxExportInfo {
  const input = d.inputs[0];
  const output = d.outputs[0];
  const last = (dims: readonly (number | string)[] | undefined) => Number(dims?.at(-1) ?? 0);
  return {
    mode: "feedforward",
    timeSteps: 1,
    inputSize: last(input?.dims),
    outputSize: last(output?.dims),
    encoder: { name: "direct", params: { gain: 1 }, timeInvariant: true },
    scores: output?.name ?? "",
    states: [],
    spikeOutputs: [],
  };
}

/** Options of {@link OnnxNetwork.load}. */
export interface OnnxNetworkOptions {
  /** ONNX Runtime intra-op threads (default 2, this machine kind's cores). */
  readonly threads?: number;
  /**
   * Let ONNX Runtime pre-pack constant weights (default false). Pre-packed
   * GEMMs sum the inner dimension in other slices than the training
   * backend's GEMM, which moves some currents by one float32 ulp; about one
   * spike count in 10^5 then differs. Off, the exported model reproduces the
   * training backend bit for bit.
   */
  readonly prepack?: boolean;
}

/** An exported network loaded into ONNX Runtime. */
export class OnnxNetwork {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly info: OnnxExportInfo,
    readonly description: OnnxModelDescription,
    private readonly inputName: string,
    /** The encoder the model was exported with (the graph takes encoded input). */
    private readonly encoder: Encoder,
  ) {}

  /** Creates a session for `bytes` (already checked by `decodeOnnx`/`readOnnxFile`). */
  static async load(
    runtime: Runtime,
    bytes: Uint8Array,
    description: OnnxModelDescription,
    file: string,
    options: OnnxNetworkOptions = {},
  ): Promise<OnnxNetwork> {
    const ort = await loadOrt();
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: options.threads ?? 2,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        extra: { session: { disable_prepacking: options.prepack ? "0" : "1" } },
      });
    } catch (error) {
      throw new DataFileError(file, `ONNX Runtime cannot load the model: ${(error as Error).message.split("\n")[0]}`);
    }
    const info = description.neurobridge ?? plainInfo(description);
    const inputName = info.states.length > 0 ? "input" : (session.inputNames[0] ?? "input");
    return new OnnxNetwork(ort, session, info, description, inputName, runtime.encoder(info.encoder.name));
  }

  /**
   * Class scores `[batch, C]` for raw inputs `[batch, F]`: spike counts over T
   * (SNN graphs) or logits (feed-forward). `rng` feeds stochastic encoders.
   */
  async scores(input: Float32Array, batch: number, rng: RandomSource): Promise<Float32Array> {
    const { info } = this;
    const F = info.inputSize;
    if (input.length !== batch * F) {
      throw new NeuroBridgeError("SHAPE_MISMATCH", `input has ${input.length} values; the model takes batch×${F} = ${batch * F}`);
    }
    const encoder = this.encoder;
    const T = info.mode === "feedforward" ? 1 : info.timeSteps;
    const frames = encoder.encode(
      { data: input, steps: 1, batch, features: F },
      encoder.timeInvariant ? 1 : T,
      info.encoder.params as Record<string, number>,
      rng,
    ).data;
    const tensor = (data: Float32Array, dims: number[]) => new this.ort.Tensor("float32", data, dims);
    if (info.mode !== "step") {
      return this.infer(frames, encoder.timeInvariant || info.mode === "feedforward" ? [batch, F] : [T, batch, F]);
    }
    const counts = new Float32Array(batch * info.outputSize);
    const state: Record<string, Ort.Tensor> = {};
    for (const s of info.states) state[s.input] = tensor(new Float32Array(batch * s.size).fill(s.initial), [batch, s.size]);
    const frameSize = batch * F;
    for (let t = 0; t < T; t++) {
      const frame = encoder.timeInvariant ? frames : frames.subarray(t * frameSize, (t + 1) * frameSize);
      const out = await this.session.run({ input: tensor(frame, [batch, F]), ...state });
      const spikes = (out.output as Ort.Tensor).data as Float32Array;
      for (let i = 0; i < counts.length; i++) counts[i] = (counts[i] as number) + (spikes[i] as number);
      for (const s of info.states) state[s.input] = out[s.output] as Ort.Tensor;
    }
    return counts;
  }

  /** Runs a one-pass graph on already encoded `input` of shape `dims`; returns the scores output. */
  async infer(input: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    const out = await this.session.run({ [this.inputName]: new this.ort.Tensor("float32", input, [...dims]) });
    return (out[this.info.scores] as Ort.Tensor).data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Result of {@link evaluateOnnx}. */
export interface OnnxEvaluation {
  readonly accuracy: number;
  readonly count: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly predictions: Uint8Array;
  /** Scores `[count, C]`. */
  readonly outputs: Float32Array;
}

/** Runs `network` over `dataset` in batches (default 256). */
export async function evaluateOnnx(
  network: OnnxNetwork,
  dataset: Dataset,
  rng: RandomSource,
  batchSize = 256,
  onProgress?: (done: number, total: number) => void,
): Promise<OnnxEvaluation> {
  const F = dataset.features;
  if (F !== network.info.inputSize) {
    throw new NeuroBridgeError("SHAPE_MISMATCH", `the data has ${F} features per sample; the model takes ${network.info.inputSize}`);
  }
  const C = network.info.outputSize;
  if (C !== dataset.classes) {
    throw new NeuroBridgeError(
      "SHAPE_MISMATCH",
      `the model outputs ${C} score${C === 1 ? "" : "s"} per sample; the data has ${dataset.classes} classes (one score per class is needed to score accuracy)`,
    );
  }
  const outputs = new Float32Array(dataset.count * C);
  const start = performance.now();
  for (let s = 0; s < dataset.count; s += batchSize) {
    const batch = Math.min(batchSize, dataset.count - s);
    outputs.set(await network.scores(dataset.inputs.subarray(s * F, (s + batch) * F), batch, rng), s * C);
    onProgress?.(s + batch, dataset.count);
  }
  const seconds = (performance.now() - start) / 1000;
  const predictions = predictClasses(outputs, C);
  return {
    accuracy: accuracyOf(predictions, dataset.labels),
    count: dataset.count,
    seconds,
    samplesPerSecond: dataset.count / seconds,
    predictions,
    outputs,
  };
}
