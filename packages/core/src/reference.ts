/**
 * A reference implementation of {@link TensorOps} on plain `Float32Array`s
 * (forward pass only, no autograd), and a helper that runs one neuron
 * population over time with it. Plugin authors can test a model with it
 * without any backend; emulators reuse it.
 */
import { NeuroBridgeError } from "./errors.js";
import type { NeuronModel } from "./neuron-model.js";
import type { DensePlanLayer } from "./plan.js";
import { resolveNeuronNode } from "./resolve.js";
import type { NeuronNode } from "./spec.js";
import type { TensorOps } from "./tensor-ops.js";
import type { SpecCatalog } from "./validate.js";

/**
 * Broadcasts `a` and `b` (equal length, a scalar, or a per-neuron vector whose
 * length divides the other's) through `f`.
 */
function zip(a: Float32Array, b: Float32Array, f: (x: number, y: number) => number): Float32Array {
  const n = Math.max(a.length, b.length);
  if (n % a.length !== 0 || n % b.length !== 0) {
    throw new NeuroBridgeError("SHAPE_MISMATCH", `cannot broadcast tensors of ${a.length} and ${b.length} elements`);
  }
  const out = new Float32Array(n);
  const la = a.length;
  const lb = b.length;
  for (let i = 0; i < n; i++) out[i] = f(a[i % la] as number, b[i % lb] as number);
  return out;
}

const map = (a: Float32Array, f: (x: number) => number): Float32Array => a.map(f);

/** {@link TensorOps} over `Float32Array`s: forward values only (spike = Heaviside). */
export const arrayOps: TensorOps<Float32Array> = {
  name: "array",
  scalar: (v) => Float32Array.of(v),
  add: (a, b) => zip(a, b, (x, y) => x + y),
  sub: (a, b) => zip(a, b, (x, y) => x - y),
  mul: (a, b) => zip(a, b, (x, y) => x * y),
  div: (a, b) => zip(a, b, (x, y) => x / y),
  neg: (a) => map(a, (x) => -x),
  abs: (a) => map(a, Math.abs),
  exp: (a) => map(a, Math.exp),
  log: (a) => map(a, Math.log),
  maximum: (a, b) => zip(a, b, Math.max),
  minimum: (a, b) => zip(a, b, Math.min),
  sigmoid: (a) => map(a, (x) => 1 / (1 + Math.exp(-x))),
  relu: (a) => map(a, (x) => Math.max(x, 0)),
  greater: (a, b) => zip(a, b, (x, y) => (x > y ? 1 : 0)),
  where: (mask, a, b) => {
    const picked = zip(mask, a, (m, x) => (m !== 0 ? x : Number.NaN));
    return zip(picked, b, (x, y) => (Number.isNaN(x) ? y : x));
  },
  stopGradient: (a) => a,
  spike: (x) => map(x, (v) => (v > 0 ? 1 : 0)),
  zerosLike: (a) => new Float32Array(a.length),
};

/** Output of {@link simulatePopulation}. */
export interface PopulationTrace {
  /** Outputs per step `[timeSteps, batch, size]`. */
  readonly outputs: Float32Array;
  /** Each state variable per step after the update `[timeSteps, batch, size]`. */
  readonly states: Readonly<Record<string, Float32Array>>;
}

/**
 * Runs the neuron `node` of a spec over `input` (`[timeSteps, batch, size]`)
 * with the reference {@link arrayOps}, recording outputs and state.
 */
export function simulatePopulation(
  node: NeuronNode,
  model: NeuronModel,
  catalog: SpecCatalog,
  input: Float32Array,
  timeSteps: number,
  batch: number,
): PopulationTrace {
  const size = node.size;
  const frame = batch * size;
  if (input.length !== timeSteps * frame) {
    throw new NeuroBridgeError(
      "SHAPE_MISMATCH",
      `input has ${input.length} values; expected timeSteps×batch×size = ${timeSteps}×${batch}×${size}`,
    );
  }
  const resolved = resolveNeuronNode(catalog, node);
  if (resolved.model !== model) {
    throw new NeuroBridgeError("MODEL_MISMATCH", `node '${node.id}' names model '${node.model}', not '${model.name}'`);
  }
  const params = Object.fromEntries(
    Object.entries(resolved.params).map(([k, v]) => [k, typeof v === "number" ? Float32Array.of(v) : Float32Array.from(v)]),
  );
  const context = resolved.context;
  let state: Record<string, Float32Array> = Object.fromEntries(model.state.map((s) => [s.name, new Float32Array(frame).fill(s.initial)]));
  const outputs = new Float32Array(timeSteps * frame);
  const states = Object.fromEntries(model.state.map((s) => [s.name, new Float32Array(timeSteps * frame)]));
  for (let t = 0; t < timeSteps; t++) {
    const result = model.step(arrayOps, input.subarray(t * frame, (t + 1) * frame), state, params, context);
    outputs.set(result.output, t * frame);
    state = { ...result.state };
    for (const s of model.state) (states[s.name] as Float32Array).set(state[s.name] as Float32Array, t * frame);
  }
  return { outputs, states };
}

/**
 * A dense layer on plain arrays: y = x·Wᵀ + b for `rows` rows of `x`
 * (`[rows, in]` → `[rows, out]`), each output summed in float64 and rounded
 * once. A reference (conversion statistics, the browser's off-chip layer):
 * its last bit can differ from a GEMM's blocked float32 sums.
 */
export function denseReference(
  layer: Pick<DensePlanLayer, "inFeatures" | "outFeatures" | "weight" | "bias">,
  x: Float32Array,
  rows: number,
): Float32Array {
  const { inFeatures: K, outFeatures: N, weight, bias } = layer;
  const y = new Float32Array(rows * N);
  // Each row's non-zero inputs (pixels and ReLU outputs are mostly zero). A zero input adds ±0, which leaves
  // every sum unchanged except the sign of an exactly zero one: those few are summed again over every input.
  const nonzero = new Int32Array(K);
  for (let r = 0; r < rows; r++) {
    const xr = r * K;
    let nnz = 0;
    for (let k = 0; k < K; k++) if ((x[xr + k] as number) !== 0) nonzero[nnz++] = k;
    for (let j = 0; j < N; j++) {
      const w = j * K;
      let s = bias ? (bias[j] as number) : 0;
      for (let e = 0; e < nnz; e++) {
        const k = nonzero[e] as number;
        s += (x[xr + k] as number) * (weight[w + k] as number);
      }
      if (s === 0) {
        s = bias ? (bias[j] as number) : 0;
        for (let k = 0; k < K; k++) s += (x[xr + k] as number) * (weight[w + k] as number);
      }
      y[r * N + j] = s;
    }
  }
  return y;
}
