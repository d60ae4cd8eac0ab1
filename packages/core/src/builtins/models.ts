/**
 * Built-in reset mechanisms and rate neuron models (ReLU, sigmoid, identity),
 * with ReLU's `sequence` kernel. Spiking models live in plugins (e.g. `lif` in
 * `@neurobridge/neurons-lif`).
 */
import type { CoreKernelExports, KernelRegistration, LayerCounts } from "../kernels.js";
import type { NeuronModel } from "../neuron-model.js";
import type { ResetMechanism } from "../strategies.js";
import type { TensorOps } from "../tensor-ops.js";
import { CORE_WASM } from "../wasm/kernels.generated.js";
import { WasmKernels } from "../wasm.js";

/** Reset by subtraction: v ← v − s·θ (keeps the overshoot; snnTorch default). */
export const subtractReset: ResetMechanism = {
  name: "subtract",
  semantics: "subtract",
  description: "v ← v − s·θ: subtract the threshold after a spike, keeping the overshoot.",
  apply: <T>(ops: TensorOps<T>, v: T, s: T, threshold: T): T => ops.sub(v, ops.mul(s, threshold)),
};

/** Reset to zero: v ← v·(1 − s) (Loihi, the biophysical LIF's reset to rest). */
export const zeroReset: ResetMechanism = {
  name: "zero",
  semantics: "zero",
  description: "v ← v·(1 − s): reset the membrane to zero after a spike.",
  apply: <T>(ops: TensorOps<T>, v: T, s: T): T => ops.mul(v, ops.sub(ops.scalar(1), s)),
};

/** No reset: the membrane keeps integrating after a spike. */
export const noReset: ResetMechanism = {
  name: "none",
  semantics: "none",
  description: "v unchanged after a spike.",
  apply: <T>(_ops: TensorOps<T>, v: T): T => v,
};

/** All built-in reset mechanisms. */
export const builtinResets: readonly ResetMechanism[] = [subtractReset, zeroReset, noReset];

function rateModel(name: string, description: string, cost: NeuronModel["updateCost"], fn: <T>(ops: TensorOps<T>, x: T) => T): NeuronModel {
  return {
    name,
    description,
    dynamics: "rate",
    params: [],
    state: [],
    updateCost: cost,
    step: (ops, input) => ({ output: fn(ops, input), state: {} }),
  };
}

/** ReLU max(0, x). */
export const reluModel = rateModel("relu", "Rectified linear unit max(0, x).", { multiplies: 0, adds: 0, compares: 1 }, (ops, x) =>
  ops.relu(x),
);
/** Logistic sigmoid 1/(1 + e^−x). */
export const sigmoidModel = rateModel("sigmoid", "Logistic sigmoid 1/(1 + e^−x).", { multiplies: 1, adds: 1, compares: 0 }, (ops, x) =>
  ops.sigmoid(x),
);
/** Identity (linear) units. */
export const identityModel = rateModel(
  "identity",
  "Linear units: output = input.",
  { multiplies: 0, adds: 0, compares: 0 },
  (_ops, x) => x,
);

/** All built-in rate models. */
export const builtinRateModels: readonly NeuronModel[] = [reluModel, sigmoidModel, identityModel];

/** ReLU forward in JavaScript (the reference the WebAssembly kernel is held to). */
export function reluForwardReference(x: Float32Array): Float32Array {
  const y = new Float32Array(x.length);
  for (let k = 0; k < y.length; k++) {
    const v = x[k] as number;
    if (v > 0) y[k] = v;
  }
  return y;
}

/** ReLU backward in JavaScript: dy where x > 0. */
export function reluBackwardReference(x: Float32Array, dOutput: Float32Array): Float32Array {
  const g = new Float32Array(dOutput.length);
  for (let k = 0; k < g.length; k++) g[k] = (x[k] as number) > 0 ? (dOutput[k] as number) : 0;
  return g;
}

/**
 * ReLU's `sequence` kernel: max(0, x) forward and dy·[x > 0] backward, the
 * same values as its `step`. In WebAssembly SIMD where it loads, with its own
 * memory: a transient pass keeps x there for the backward and hands out
 * views; otherwise (and without WebAssembly) the JavaScript loops above.
 */
export const reluSequenceKernel: KernelRegistration<"sequence"> = {
  model: "relu",
  kind: "sequence",
  description: "ReLU as one loop forward and one backward",
  create: () => {
    const loaded = WasmKernels.load<CoreKernelExports>(CORE_WASM);
    const wasm = "unavailable" in loaded ? undefined : loaded;
    let generation = 0;
    // [x, y, dy, g] of n values each, laid out by the latest forward.
    let at: { n: number; x: number; y: number; dy: number; g: number } | undefined;
    return {
      learnable: [],
      runsOn: wasm ? "wasm-simd" : "js",
      forward(input, _batch, _params, options = {}) {
        const x = input.data;
        if (!wasm) return { output: { ...input, data: reluForwardReference(x) }, saved: x };
        const n = x.length;
        const [px, py, pdy, pg] = wasm.layout([n * 4, n * 4, n * 4, n * 4]) as [number, number, number, number];
        at = { n, x: px, y: py, dy: pdy, g: pg };
        wasm.f32(px, n).set(x);
        wasm.exports.reluForward(n, px, py);
        generation++;
        const transient = options.transient === true;
        const y = wasm.f32(py, n);
        return { output: { ...input, data: transient ? y : y.slice() }, saved: { x, generation, transient } };
      },
      backward(forward, dOutput) {
        const saved = forward.saved as Float32Array | { x: Float32Array; generation: number; transient: boolean };
        if (!wasm || saved instanceof Float32Array) {
          return { dInput: reluBackwardReference(saved instanceof Float32Array ? saved : saved.x, dOutput), dParams: {} };
        }
        const n = dOutput.length;
        // x is still in place after this kernel's latest forward; otherwise it is copied back in.
        if (!at || at.n !== n || saved.generation !== generation) {
          const [px, py, pdy, pg] = wasm.layout([n * 4, n * 4, n * 4, n * 4]) as [number, number, number, number];
          at = { n, x: px, y: py, dy: pdy, g: pg };
          wasm.f32(px, n).set(saved.x);
          generation++;
        }
        wasm.f32(at.dy, n).set(dOutput);
        wasm.exports.reluBackward(n, at.x, at.dy, at.g);
        const g = wasm.f32(at.g, n);
        return { dInput: saved.transient ? g : g.slice(), dParams: {} };
      },
    };
  },
};

/** ReLU's activity counts in JavaScript: the reference the WebAssembly `infer` kernel is held to. */
export function reluCountsReference(y: Float32Array, steps: number, n: number): LayerCounts {
  const perStep = new Float64Array(steps);
  const everActive = new Uint8Array(n);
  const perBlock = y.length / steps;
  for (let t = 0; t < steps; t++) {
    let events = 0;
    for (let i = t * perBlock; i < (t + 1) * perBlock; i++) {
      if ((y[i] as number) !== 0) {
        events++;
        everActive[i % n] = 1;
      }
    }
    perStep[t] = events;
  }
  return { perStep, everActive };
}

/**
 * ReLU's `infer` kernel: max(0, x) and the activity an evaluation reports
 * (non-zero outputs per step, neurons ever non-zero) in one pass — in
 * WebAssembly SIMD where it loads, with its own memory (a transient run hands
 * out a view of it); otherwise the JavaScript loops above.
 */
export const reluInferKernel: KernelRegistration<"infer"> = {
  model: "relu",
  kind: "infer",
  description: "ReLU forward counting non-zero outputs, no state kept",
  create: (layer) => {
    const loaded = WasmKernels.load<CoreKernelExports>(CORE_WASM);
    const wasm = "unavailable" in loaded ? undefined : loaded;
    return {
      runsOn: wasm ? "wasm-simd" : "js",
      run(input, batch, _params, options = {}) {
        const x = input.data;
        const n = layer.size;
        // A static input is one block of B rows; a temporal one, T blocks.
        const steps = input.temporal ? input.rows / batch : 1;
        if (!wasm) {
          const y = reluForwardReference(x);
          return { output: { ...input, data: y }, counts: reluCountsReference(y, steps, n) };
        }
        // In place: the kernel reads each value before it writes it.
        const [py, pEver, pSteps] = wasm.layout([x.length * 4, n * 4, steps * 8]) as [number, number, number];
        wasm.f32(py, x.length).set(x);
        wasm.i32(pEver, n).fill(0);
        wasm.exports.reluInfer(steps, input.rows / steps, n, py, py, pEver, pSteps);
        const ever = wasm.i32(pEver, n);
        const everActive = new Uint8Array(n);
        for (let j = 0; j < n; j++) everActive[j] = ever[j] === 0 ? 0 : 1;
        const perStep = Float64Array.from(wasm.f64(pSteps, steps));
        const y = wasm.f32(py, x.length);
        return { output: { ...input, data: options.transient === true ? y : y.slice() }, counts: { perStep, everActive } };
      },
    };
  },
};

/** Kernels core ships for its own models. */
export const builtinKernels: readonly KernelRegistration[] = [
  reluSequenceKernel as KernelRegistration,
  reluInferKernel as KernelRegistration,
];
