/**
 * ONNX export (opset 17, IR 8) of chain-shaped networks:
 *
 * - `feedforward` — networks without spiking populations (the paper's FFNN):
 *   `input [batch, F] → scores [batch, C]`, dense layers as `Gemm`, rate
 *   neurons through their own `step` (ReLU becomes `Relu`).
 * - `unrolled` — an SNN over all T steps in one graph: `input` (the encoded
 *   frame `[batch, F]` for time-invariant encoders, else `[T, batch, F]`) →
 *   `scores [batch, C]`, the output spike counts. Layers run one after the
 *   other over all steps (as the training executor does), so each dense layer
 *   is one large `Gemm`; each spiking layer is T copies of its model's step.
 * - `step` — one time step with the state explicit: inputs `input [batch, F]`
 *   and `<layer>.<state>` for every state variable, outputs `output` (the last
 *   layer's spikes this step), `<layer>.<state>.next`, and `spikes.<layer>` for
 *   the hidden spiking layers. The caller loops T times and sums `output`.
 *
 * The arithmetic is float32 in the same order as the training backend
 * (`Mul`, `Add`, `Greater`, reset), so spikes match it exactly. Metadata
 * (`neurobridge.*` keys) records the mode, T, encoder, state names and the
 * spec, so `neurobridge run --onnx` and other tools can drive the file.
 */

import type { NetworkPlan, NeuronPlanLayer } from "@neurobridge/core";
import { type NeuronModel, serializeSpec, UnsupportedError } from "@neurobridge/core";
import { onnxOps } from "./onnx-ops.js";
import { floatTensor, GraphBuilder } from "./proto.js";

/** How an SNN is exported; networks without spiking layers are always `feedforward`. */
export type OnnxExportMode = "step" | "unrolled";
/** The graph layout actually written. */
export type OnnxGraphMode = OnnxExportMode | "feedforward";

/** A state variable exposed by a step graph. */
export interface OnnxStateBinding {
  readonly layer: string;
  readonly variable: string;
  /** Graph input carrying the state into the step. */
  readonly input: string;
  /** Graph output carrying it out of the step. */
  readonly output: string;
  readonly size: number;
  /** Value at the start of every sample. */
  readonly initial: number;
}

/** The metadata an exported model carries (also stored as `neurobridge.*` properties). */
export interface OnnxExportInfo {
  readonly mode: OnnxGraphMode;
  readonly timeSteps: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Encoder applied before the graph (`input` is the encoded frame or frames). */
  readonly encoder: { readonly name: string; readonly params: Readonly<Record<string, unknown>>; readonly timeInvariant: boolean };
  /** Name of the output holding class scores (spike counts or logits); `output` per step for step graphs. */
  readonly scores: string;
  readonly states: readonly OnnxStateBinding[];
  /** Hidden spiking layers' per-step spike outputs (step graphs). */
  readonly spikeOutputs: readonly { readonly layer: string; readonly output: string; readonly size: number }[];
  /** How the input was scaled in training (e.g. `unit`: pixels / 255), when the exporter knew; a runner must scale the same way. */
  readonly normalization?: string;
}

/** An exported model: the serialised bytes and what they contain. */
export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly info: OnnxExportInfo;
}

/** Metadata key prefix. */
export const METADATA_PREFIX = "neurobridge.";

/** Binds a neuron layer's parameters as graph initializers, per neuron. */
function paramValues(b: GraphBuilder, layer: NeuronPlanLayer): Record<string, string> {
  return Object.fromEntries(
    Object.entries(layer.params).map(([name, data]) => [name, b.constant(`${layer.id}.${name}`, data, [layer.size])]),
  );
}

/** A state tensor filled with `initial`, shaped like `like`. */
function initialState(b: GraphBuilder, like: string, initial: number): string {
  const value = { tensor: floatTensor("value", Float32Array.of(initial), [1]) };
  return b.node("ConstantOfShape", [b.node("Shape", [like])], { value });
}

function checkModel(model: NeuronModel, layer: string): void {
  if (typeof model.step !== "function") throw new UnsupportedError(`layer '${layer}': model '${model.name}' has no step to export`);
}

function dense(b: GraphBuilder, x: string, layer: Extract<NetworkPlan["layers"][number], { kind: "dense" }>): string {
  const w = b.constant(`${layer.id}.weight`, layer.weight, [layer.outFeatures, layer.inFeatures]);
  const inputs = [x, w];
  if (layer.bias) inputs.push(b.constant(`${layer.id}.bias`, layer.bias, [layer.outFeatures]));
  return b.node("Gemm", inputs, { transB: 1 });
}

function buildFeedforward(chain: NetworkPlan, b: GraphBuilder): void {
  const ops = onnxOps(b);
  let x = b.input("input", ["batch", chain.inputSize]);
  for (const layer of chain.layers) {
    if (layer.kind === "dense") x = dense(b, x, layer);
    else {
      checkModel(layer.resolved.model, layer.id);
      x = layer.resolved.model.step(ops, x, {}, paramValues(b, layer), layer.resolved.context).output;
    }
  }
  b.output("scores", x, ["batch", chain.outputSize]);
}

function buildUnrolled(chain: NetworkPlan, b: GraphBuilder): void {
  const ops = onnxOps(b);
  const T = chain.timeSteps;
  const staticInput = chain.encoder.timeInvariant;
  let x = b.input("input", staticInput ? ["batch", chain.inputSize] : [T, "batch", chain.inputSize]);
  let temporal = !staticInput;
  let width = chain.inputSize;
  // Time-major rows: [T·batch, width], as the training executor lays them out.
  if (temporal) x = b.node("Reshape", [x, b.ints("shape", [-1, width])]);
  for (const layer of chain.layers) {
    if (layer.kind === "dense") {
      x = dense(b, x, layer);
      width = layer.outFeatures;
      continue;
    }
    const model = layer.resolved.model;
    checkModel(model, layer.id);
    const params = paramValues(b, layer);
    if (!layer.spiking) {
      x = model.step(ops, x, {}, params, layer.resolved.context).output;
      continue;
    }
    let frames: string[];
    if (temporal) {
      const split = b.multiNode("Split", [b.node("Reshape", [x, b.ints("shape", [T, -1, width])])], T, { axis: 0 });
      const axes = b.ints("axes", [0]);
      frames = split.map((f) => b.node("Squeeze", [f, axes]));
    } else frames = Array.from({ length: T }, () => x);
    let state: Record<string, string> = Object.fromEntries(
      model.state.map((s) => [s.name, initialState(b, frames[0] as string, s.initial)]),
    );
    const outs: string[] = [];
    for (const frame of frames) {
      const r = model.step(ops, frame, state, params, layer.resolved.context);
      outs.push(r.output);
      state = { ...r.state };
    }
    x = b.node("Concat", outs, { axis: 0 });
    temporal = true;
    width = layer.size;
  }
  const scores = temporal
    ? b.node("ReduceSum", [b.node("Reshape", [x, b.ints("shape", [T, -1, width])]), b.ints("axes", [0])], { keepdims: 0 })
    : x;
  b.output("scores", scores, ["batch", chain.outputSize]);
}

function buildStep(chain: NetworkPlan, b: GraphBuilder): { states: OnnxStateBinding[]; spikeOutputs: OnnxExportInfo["spikeOutputs"] } {
  const ops = onnxOps(b);
  let x = b.input("input", ["batch", chain.inputSize]);
  const states: OnnxStateBinding[] = [];
  const spikeOutputs: { layer: string; output: string; size: number }[] = [];
  const last = chain.layers.at(-1);
  for (const layer of chain.layers) {
    if (layer.kind === "dense") {
      x = dense(b, x, layer);
      continue;
    }
    const model = layer.resolved.model;
    checkModel(model, layer.id);
    const state: Record<string, string> = {};
    for (const s of model.state) {
      const binding = {
        layer: layer.id,
        variable: s.name,
        input: `${layer.id}.${s.name}`,
        output: `${layer.id}.${s.name}.next`,
        size: layer.size,
        initial: s.initial,
      };
      state[s.name] = b.input(binding.input, ["batch", layer.size]);
      states.push(binding);
    }
    const r = model.step(ops, x, state, paramValues(b, layer), layer.resolved.context);
    for (const binding of states.filter((s) => s.layer === layer.id)) {
      b.output(binding.output, r.state[binding.variable] as string, ["batch", layer.size]);
    }
    x = r.output;
    if (layer.spiking && layer !== last) {
      const name = `spikes.${layer.id}`;
      b.output(name, x, ["batch", layer.size]);
      spikeOutputs.push({ layer: layer.id, output: name, size: layer.size });
    }
  }
  b.output("output", x, ["batch", chain.outputSize]);
  return { states, spikeOutputs };
}

/**
 * Exports `chain` as ONNX. SNNs take `mode` (default `unrolled`); networks
 * without spiking layers are written as `feedforward` whatever the mode.
 */
export function exportOnnx(chain: NetworkPlan, options: { mode?: OnnxExportMode; normalization?: string } = {}): OnnxExport {
  const b = new GraphBuilder();
  const mode: OnnxGraphMode = chain.spiking ? (options.mode ?? "unrolled") : "feedforward";
  if (mode !== "feedforward" && mode !== "step" && mode !== "unrolled") {
    throw new UnsupportedError(`unknown export mode '${String(mode)}'; accepted: step, unrolled`);
  }
  let states: OnnxStateBinding[] = [];
  let spikeOutputs: OnnxExportInfo["spikeOutputs"] = [];
  if (mode === "feedforward") buildFeedforward(chain, b);
  else if (mode === "unrolled") buildUnrolled(chain, b);
  else ({ states, spikeOutputs } = buildStep(chain, b));
  const info: OnnxExportInfo = {
    mode,
    timeSteps: chain.timeSteps,
    inputSize: chain.inputSize,
    outputSize: chain.outputSize,
    encoder: { name: chain.encoder.name, params: chain.encoderParams, timeInvariant: chain.encoder.timeInvariant },
    scores: mode === "step" ? "output" : "scores",
    states,
    spikeOutputs,
    ...(options.normalization ? { normalization: options.normalization } : {}),
  };
  const metadata: Record<string, string> = {
    [`${METADATA_PREFIX}info`]: JSON.stringify(info),
    [`${METADATA_PREFIX}spec`]: serializeSpec(chain.spec),
  };
  const doc =
    mode === "feedforward"
      ? "NeuroBridge feed-forward network: input [batch, F] → scores (logits) [batch, C]."
      : mode === "unrolled"
        ? `NeuroBridge SNN unrolled over T = ${chain.timeSteps} steps: input → scores = output spike counts [batch, C].`
        : `NeuroBridge SNN, one time step (T = ${chain.timeSteps}); states are explicit inputs/outputs; sum 'output' over T for spike counts.`;
  return { bytes: b.build(chain.spec.name ?? "neurobridge", doc, metadata), info };
}
