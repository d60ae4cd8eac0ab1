/**
 * The kernels of the discrete LIF (`lif`), each a registration of one core
 * kind, all built on one float32 recurrence ({@link lifAdvance}) so training,
 * inference and the event-driven emulator produce the same spikes as
 * `lifModel.step` bit for bit:
 *
 *   u = fl(fl(β·v) + I);  s = [u > θ];  v = reset(u, s, θ)
 *
 * - `sequence`: all T steps forward, and BPTT backward, for training. Per
 *   step t back from T−1 with g the gradient flowing into v:
 *   ∂u = ∂s[t]·σ'(u − θ) + g·r;  ∂I[t] = ∂u;  ∂β += ∂u·v[t−1];  g = β·∂u,
 *   where r = 1 for subtract/none resets and 1 − s for reset to zero (the
 *   reset uses the spike with its gradient stopped, as the step does).
 * - `infer`: forward only, counting activity, keeping nothing for backward.
 * - `population`: a population of the float32 event-driven emulator,
 *   accumulating synaptic input in the training GEMM's K slices.
 * - `fixed-point:loihi`: the mapping onto Loihi's CUBA-LIF compartment.
 * - `fixed-point:truenorth`: the mapping onto TrueNorth's integer neuron (β = 1).
 *
 * Kernels specialise on the reset's declared `semantics`; a reset without
 * one (a plugin's) declines, and runners fall back to the generic `step`.
 * `sequence` and `infer` run the recurrence in WebAssembly SIMD
 * (`lif-wasm.ts`, one workspace per kernel instance) where it loads — backward only for a surrogate that
 * declares its `shape` — and these JavaScript loops elsewhere; both give the
 * same bits.
 */
import {
  type Activation,
  type KernelRegistration,
  type LayerCounts,
  type NeuronPlanLayer,
  type PopulationSynapses,
  type ResetSemantics,
  type SequenceForward,
  SynapticPopulation,
} from "@neurobridge/core";
import { LifTickWasm, LifWasm, type LifWasmSaved, type WasmSurrogate, wasmSurrogate } from "./lif-wasm.js";

/**
 * One LIF step over a frame of `batch` rows of N neurons, in place on `v`.
 * Writes spikes (0/1) at `spikes[outOff…]`, the pre-reset membrane into
 * `uPre` (when given) and marks `everActive` (when given); returns the spike
 * count. Storing into a Float32Array rounds to float32, so `u` is
 * fl(fl(β·v) + I) exactly as the step computes it.
 */
export function lifAdvance(
  v: Float32Array,
  input: Float32Array,
  inOff: number,
  batch: number,
  beta: Float32Array,
  threshold: Float32Array,
  reset: ResetSemantics,
  spikes: Float32Array,
  outOff: number,
  uPre?: Float32Array,
  everActive?: Uint8Array,
): number {
  const N = beta.length;
  const fr = Math.fround;
  const subtract = reset === "subtract";
  const zero = reset === "zero";
  let events = 0;
  for (let b = 0; b < batch; b++) {
    const row = b * N;
    for (let n = 0; n < N; n++) {
      const i = row + n;
      const u = fr(fr((beta[n] as number) * (v[i] as number)) + (input[inOff + i] as number));
      if (uPre) uPre[outOff + i] = u;
      const th = threshold[n] as number;
      // For float32 u and θ, fl(u − θ) > 0 exactly when u > θ.
      if (u > th) {
        spikes[outOff + i] = 1;
        events++;
        if (everActive) everActive[n] = 1;
        v[i] = subtract ? u - th : zero ? 0 : u;
      } else {
        v[i] = u;
      }
    }
  }
  return events;
}

/** Per-neuron β and θ of a call (learned β arrives in `params`). */
function betaThreshold(params: Readonly<Record<string, Float32Array>>): { beta: Float32Array; threshold: Float32Array } {
  return { beta: params.beta as Float32Array, threshold: params.threshold as Float32Array };
}

/** What the forward pass keeps for BPTT. */
export interface LifSaved {
  readonly uPre: Float32Array;
  readonly spikes: Float32Array;
  readonly beta: Float32Array;
  readonly threshold: Float32Array;
  readonly inputIsStatic: boolean;
  readonly batch: number;
}

/** The LIF recurrence over T steps in JavaScript; `input` `[B, N]` (same current every step) or `[T·B, N]`. */
export function forwardSteps(
  input: Activation,
  batch: number,
  timeSteps: number,
  beta: Float32Array,
  threshold: Float32Array,
  reset: ResetSemantics,
  uPre?: Float32Array,
  counts?: LayerCounts,
): Float32Array {
  const BN = batch * beta.length;
  const spikes = new Float32Array(timeSteps * BN);
  const v = new Float32Array(BN);
  for (let t = 0; t < timeSteps; t++) {
    const inOff = input.temporal ? t * BN : 0;
    const events = lifAdvance(v, input.data, inOff, batch, beta, threshold, reset, spikes, t * BN, uPre, counts?.everActive);
    if (counts) counts.perStep[t] = events;
  }
  return spikes;
}

/** {@link forwardSteps} keeping the pre-reset membrane, for BPTT. */
function jsForward(
  input: Activation,
  batch: number,
  timeSteps: number,
  beta: Float32Array,
  threshold: Float32Array,
  reset: ResetSemantics,
  size: number,
): { uPre: Float32Array; spikes: Float32Array } {
  const uPre = new Float32Array(timeSteps * batch * size);
  return { uPre, spikes: forwardSteps(input, batch, timeSteps, beta, threshold, reset, uPre) };
}

/** The backward recurrence in JavaScript (see the module doc). */
export function backwardSteps(
  saved: LifSaved,
  dSpikes: Float32Array,
  timeSteps: number,
  reset: ResetSemantics,
  surrogate: (x: number) => number,
  wantBeta: boolean,
  dMembrane?: Float32Array,
): { dInput: Float32Array; dBeta: Float32Array } {
  const { uPre, spikes, beta, threshold, inputIsStatic, batch } = saved;
  const N = beta.length;
  const BN = batch * N;
  const dInput = new Float32Array(inputIsStatic ? BN : timeSteps * BN);
  const dBeta = new Float64Array(N);
  const g = new Float64Array(BN);
  const zero = reset === "zero";
  const subtract = reset === "subtract";
  for (let t = timeSteps - 1; t >= 0; t--) {
    const off = t * BN;
    const prev = off - BN;
    const inOff = inputIsStatic ? 0 : off;
    for (let b = 0; b < batch; b++) {
      const row = b * N;
      for (let n = 0; n < N; n++) {
        const i = row + n;
        const th = threshold[n] as number;
        const carry = zero && spikes[off + i] === 1 ? 0 : (g[i] as number);
        let du = (dSpikes[off + i] as number) * surrogate((uPre[off + i] as number) - th) + carry;
        if (dMembrane) du += dMembrane[off + i] as number;
        dInput[inOff + i] = (dInput[inOff + i] as number) + du;
        if (wantBeta && t > 0) {
          // v[t−1] after its reset, rebuilt from the saved pre-reset membrane and spike.
          const up = uPre[prev + i] as number;
          const vPrev = spikes[prev + i] === 0 ? up : subtract ? up - th : zero ? 0 : up;
          dBeta[n] = (dBeta[n] as number) + du * vPrev;
        }
        g[i] = (beta[n] as number) * du;
      }
    }
  }
  return { dInput, dBeta: Float32Array.from(dBeta) };
}

/** The layer's reset semantics, or undefined when its reset declares none (the kernels decline). */
const semanticsOf = (layer: NeuronPlanLayer): ResetSemantics | undefined => layer.resolved.context.reset.semantics;

/** The layer's surrogate as the WebAssembly backward takes it (undefined: it declares no shape). */
export function wasmSurrogateOf(layer: NeuronPlanLayer): WasmSurrogate | undefined {
  return wasmSurrogate(layer.resolved.surrogate.shape, layer.resolved.context.surrogate.params);
}

/** The scalar surrogate derivative with its parameters bound (the step's `ops.spike` backward). */
function surrogateOf(layer: NeuronPlanLayer): (x: number) => number {
  const { surrogate, context } = layer.resolved;
  const params = context.surrogate.params;
  return surrogate.compile?.(params) ?? ((x: number) => surrogate.derivative(x, params));
}

/** `lif`'s `sequence` kernel. */
export const lifSequenceKernel: KernelRegistration<"sequence"> = {
  model: "lif",
  kind: "sequence",
  description: "fused LIF over all T steps with its BPTT backward (learns β)",
  create(layer) {
    const reset = semanticsOf(layer);
    if (!reset) return undefined;
    const surrogate = surrogateOf(layer);
    const shaped = wasmSurrogateOf(layer);
    // This layer's own WebAssembly workspace (undefined where the module cannot run).
    const wasm = LifWasm.create();
    return {
      learnable: ["beta"],
      runsOn: wasm ? (shaped ? "wasm-simd" : "wasm-simd forward, js backward") : "js",
      forward(input, batch, params, options = {}) {
        const { beta, threshold } = betaThreshold(params);
        const timeSteps = input.temporal ? input.rows / batch : layer.timeSteps;
        // Views of the workspace only for a transient pass that the wasm backward will read in place.
        const views = options.transient === true && shaped !== undefined;
        const arrays: LifWasmSaved = wasm
          ? wasm.forward(input.data, !input.temporal, batch, timeSteps, beta, threshold, reset, views)
          : jsForward(input, batch, timeSteps, beta, threshold, reset, layer.size);
        const { uPre, spikes } = arrays;
        const saved: LifSaved & LifWasmSaved = { ...arrays, beta, threshold, inputIsStatic: !input.temporal, batch };
        return {
          output: { data: spikes, rows: timeSteps * batch, cols: layer.size, temporal: true },
          ...(options.keepMembrane ? { membrane: uPre } : {}),
          saved,
        } satisfies SequenceForward;
      },
      backward(forward, dOutput, learn, dMembrane) {
        const saved = forward.saved as LifSaved & LifWasmSaved;
        const timeSteps = forward.output.rows / saved.batch;
        const wantBeta = learn.includes("beta");
        const { beta, threshold, inputIsStatic, batch } = saved;
        const back =
          wasm && shaped
            ? wasm.backward(
                saved,
                dOutput,
                dMembrane,
                beta,
                threshold,
                batch,
                timeSteps,
                inputIsStatic,
                reset,
                shaped,
                wantBeta,
                saved.owner !== undefined,
              )
            : backwardSteps(saved, dOutput, timeSteps, reset, surrogate, wantBeta, dMembrane);
        const dParams: Record<string, Float32Array> = {};
        if (wantBeta) dParams.beta = back.dBeta;
        return { dInput: back.dInput, dParams };
      },
    };
  },
};

/** `lif`'s `infer` kernel. */
export const lifInferKernel: KernelRegistration<"infer"> = {
  model: "lif",
  kind: "infer",
  description: "fused LIF forward counting spikes per step, no state kept",
  create(layer) {
    const reset = semanticsOf(layer);
    if (!reset) return undefined;
    const wasm = LifWasm.create();
    return {
      runsOn: wasm ? "wasm-simd" : "js",
      run(input, batch, params, options = {}) {
        const { beta, threshold } = betaThreshold(params);
        const timeSteps = input.temporal ? input.rows / batch : layer.timeSteps;
        const counts: LayerCounts = { perStep: new Float64Array(timeSteps), everActive: new Uint8Array(layer.size) };
        const spikes = wasm
          ? wasm.infer(input.data, !input.temporal, batch, timeSteps, beta, threshold, reset, options.transient === true, counts)
          : forwardSteps(input, batch, timeSteps, beta, threshold, reset, undefined, counts);
        return { output: { data: spikes, rows: timeSteps * batch, cols: layer.size, temporal: true }, counts };
      },
    };
  },
};

/**
 * Float32 LIF population of the event-driven emulator. Synaptic input is
 * summed per K slice of the training GEMM (partial sums folded into the
 * current at each slice boundary), so currents — and spikes — equal training's.
 */
export class FloatLifPopulation extends SynapticPopulation {
  private readonly v: Float32Array;
  private readonly spikes: Float32Array;
  /** The tick in WebAssembly SIMD (same bits), where it loads. */
  private readonly wasm: LifTickWasm | undefined;

  constructor(
    id: string,
    size: number,
    synapses: PopulationSynapses,
    private readonly beta: Float32Array,
    private readonly threshold: Float32Array,
    private readonly resetMode: ResetSemantics,
  ) {
    super(id, size, synapses);
    this.wasm = LifTickWasm.create(beta, threshold, resetMode);
    this.v = this.wasm?.v ?? new Float32Array(size);
    // The JavaScript tick's 0/1 scratch (the WebAssembly one writes the spike list directly).
    this.spikes = new Float32Array(this.wasm ? 0 : size);
  }

  reset(): void {
    this.v.fill(0);
  }

  update(out: Int32Array): { spikes: number; active: number } {
    const input = this.tickInput();
    if (this.wasm) {
      this.wasm.input.set(input);
      return this.wasm.tick(out);
    }
    const { v, spikes } = this;
    // Neurons at rest with no input do no work on a chip (θ > 0: nothing changes, nothing fires).
    let active = 0;
    for (let j = 0; j < this.size; j++) if ((v[j] as number) !== 0 || (input[j] as number) !== 0) active++;
    spikes.fill(0);
    const count = lifAdvance(v, input, 0, 1, this.beta, this.threshold, this.resetMode, spikes, 0);
    return { spikes: collectSpikes(spikes, count, out), active };
  }
}

/** `lif`'s `population` kernel. */
export const lifPopulationKernel: KernelRegistration<"population"> = {
  model: "lif",
  kind: "population",
  description: "float32 LIF population, event-driven, accumulating in the training GEMM's K slices",
  create(layer) {
    const reset = semanticsOf(layer);
    if (!reset) return undefined;
    return {
      create: (synapses) =>
        new FloatLifPopulation(
          layer.id,
          layer.size,
          synapses,
          layer.params.beta as Float32Array,
          layer.params.threshold as Float32Array,
          reset,
        ),
    };
  },
};

/** Writes the indices of the `count` spikes of a 0/1 frame into `out`; returns how many. */
export function collectSpikes(spikes: Float32Array, count: number, out: Int32Array): number {
  let n = 0;
  if (count > 0) for (let j = 0; j < spikes.length; j++) if (spikes[j] === 1) out[n++] = j;
  return n;
}

/**
 * How a layer's reset meets Loihi's reset to zero: a reason when it cannot
 * (no reset), else what differs (reset by subtraction is approximated).
 */
export function loihiReset(layer: NeuronPlanLayer): { reason: string } | { warnings: string[] } {
  const semantics = layer.resolved.context.reset.semantics;
  if (semantics !== "zero" && semantics !== "subtract") {
    return {
      reason: `population '${layer.id}' uses reset '${layer.resolved.resetName}'; Loihi resets v to 0: accepted 'zero' (or 'subtract', approximated)`,
    };
  }
  return {
    warnings:
      semantics === "subtract"
        ? [
            `'${layer.id}' was trained with reset by subtraction; Loihi resets v to 0 after a spike, so the chip drops the charge above threshold.`,
          ]
        : [],
  };
}

/** `lif`'s mapping onto Loihi's CUBA-LIF compartment (reset to zero; β becomes the voltage decay). */
export const lifLoihiMapping: KernelRegistration<"fixed-point:loihi"> = {
  model: "lif",
  kind: "fixed-point:loihi",
  description: "CUBA-LIF compartment: β → voltage decay dv, θ → vth, current cleared every step",
  create: () => ({
    map(layer) {
      const reset = loihiReset(layer);
      if ("reason" in reset) return reset;
      return { decay: layer.params.beta as Float32Array, threshold: layer.params.threshold as Float32Array, warnings: reset.warnings };
    },
  }),
};

/**
 * TrueNorth neurons integrate without a multiplicative leak, so a LIF maps
 * when β = 1 (an integrate-and-fire neuron; the dense bias becomes TrueNorth's
 * per-tick leak λ). Resets: zero → absolute, subtract → linear, none → none.
 */
export const lifTrueNorthMapping: KernelRegistration<"fixed-point:truenorth"> = {
  model: "lif",
  kind: "fixed-point:truenorth",
  description: "TrueNorth neuron: β = 1 (integrate-and-fire), θ → α, zero/subtract/none reset → absolute/linear/none",
  create: () => ({
    requiredParams: { beta: 1 },
    map(layer) {
      const beta = layer.params.beta as Float32Array;
      if (beta.some((b) => b !== 1)) {
        return {
          reason: `'${layer.id}' has β = ${beta[0]}${beta.some((b) => b !== beta[0]) ? " (per neuron)" : ""}; a TrueNorth neuron has no multiplicative leak (its leak adds a constant), so β must be 1 — train with --neuron-params '{"beta": 1}'`,
        };
      }
      const semantics = layer.resolved.context.reset.semantics;
      const reset = semantics === "zero" ? "absolute" : semantics === "subtract" ? "linear" : semantics === "none" ? "none" : undefined;
      if (!reset)
        return {
          reason: `'${layer.id}' uses reset '${layer.resolved.resetName}', which has no TrueNorth reset mode (zero, subtract and none map)`,
        };
      return { threshold: layer.params.threshold as Float32Array, reset, warnings: [] };
    },
  }),
};

/** Every kernel `neurons-lif` registers. */
export const lifKernels: readonly KernelRegistration[] = [
  lifSequenceKernel as KernelRegistration,
  lifInferKernel as KernelRegistration,
  lifPopulationKernel as KernelRegistration,
  lifLoihiMapping as KernelRegistration,
  lifTrueNorthMapping as KernelRegistration,
];
