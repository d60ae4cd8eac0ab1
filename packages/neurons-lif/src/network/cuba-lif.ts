/**
 * The current-based LIF with a synaptic current (`cuba-lif`): the semantics
 * of NIR's CubaLIF and of Loihi's neuron, in discrete time,
 *
 *   i ← α·i + I;  v ← β·v + i;  s = H(v − θ);  v ← reset(v, s, θ)
 *
 * (snnTorch's `Synaptic`). The membrane half is the LIF's recurrence
 * (`lifAdvance`), so its kernels reproduce the step bit for bit the same way;
 * it maps onto Loihi's CUBA compartment with du from α and dv from β.
 *
 * BPTT, back from step T−1 with g_v, g_i flowing into v and i:
 *   ∂u = ∂s·σ'(u − θ) + r·g_v;  ∂i = ∂u + g_i;  ∂I = ∂i;
 *   ∂β += ∂u·v[t−1];  ∂α += ∂i·i[t−1];  g_v = β·∂u;  g_i = α·∂i
 * with r = 1 (subtract, none) or 1 − s (zero), the reset's spike stopped.
 *
 * The `sequence` and `infer` kernels run in WebAssembly SIMD where the
 * module loads (`CubaLifWasm`, the same bits as the loops here, held to them
 * by `cuba-lif-wasm.test.ts`); the backward needs a surrogate that declares
 * its shape, else it runs the loops.
 */
import {
  type Activation,
  type InferKernel,
  type KernelRegistration,
  type LayerCounts,
  type NeuronModel,
  type NeuronPlanLayer,
  type PopulationSynapses,
  type ResetSemantics,
  type SequenceForward,
  type SequenceKernel,
  SynapticPopulation,
} from "@neurobridge/core";
import { collectSpikes, lifAdvance, loihiReset, wasmSurrogateOf } from "./lif-kernels.js";
import { CubaLifWasm, type CubaParams } from "./lif-wasm.js";
import { betaParam, thresholdParam } from "./params.js";

/** The model, registered as `cuba-lif`. */
export const cubaLifModel: NeuronModel = {
  name: "cuba-lif",
  description: "Current-based LIF with a synaptic current: i ← α·i + I; v ← β·v + i; spike when v > θ; then reset (NIR CubaLIF, Loihi).",
  dynamics: "spiking",
  params: [
    {
      name: "alpha",
      type: "number",
      default: 0.8,
      min: 0,
      max: 1,
      unit: "1",
      perNeuron: true,
      learnable: true,
      description: "synaptic current decay per step α = exp(−dt/τ_syn)",
    },
    betaParam("membrane decay per step β = exp(−dt/τ_mem)"),
    thresholdParam(),
  ],
  state: [
    { name: "i", description: "synaptic current", initial: 0 },
    { name: "v", description: "membrane potential", initial: 0 },
  ],
  // Per update: two decays, two adds, one compare.
  updateCost: { multiplies: 2, adds: 2, compares: 1 },
  step(ops, input, state, params, context) {
    const { alpha, beta, threshold } = params as Record<"alpha" | "beta" | "threshold", NonNullable<(typeof params)["beta"]>>;
    const i = ops.add(ops.mul(alpha, state.i as NonNullable<typeof state.i>), input);
    const v = ops.add(ops.mul(beta, state.v as NonNullable<typeof state.v>), i);
    const spikes = ops.spike(ops.sub(v, threshold), context.surrogate);
    return { output: spikes, state: { i, v: context.reset.apply(ops, v, ops.stopGradient(spikes), threshold) } };
  },
};

/** The synaptic current of one step, i = fl(fl(α·i) + I), over a `[batch, N]` frame in place. */
function advanceCurrent(i: Float32Array, input: Float32Array, inOff: number, batch: number, alpha: Float32Array): void {
  const N = alpha.length;
  const fr = Math.fround;
  for (let b = 0; b < batch; b++) {
    for (let n = 0; n < N; n++) {
      const k = b * N + n;
      i[k] = fr((alpha[n] as number) * (i[k] as number)) + (input[inOff + k] as number);
    }
  }
}

interface Saved {
  readonly uPre: Float32Array;
  readonly spikes: Float32Array;
  /** The synaptic current after each step `[T·B, N]`. */
  readonly current: Float32Array;
  readonly alpha: Float32Array;
  readonly beta: Float32Array;
  readonly threshold: Float32Array;
  readonly batch: number;
  readonly staticInput: boolean;
}

function forward(
  input: Activation,
  batch: number,
  T: number,
  params: Readonly<Record<string, Float32Array>>,
  reset: ResetSemantics,
  keep: boolean,
  counts?: LayerCounts,
): { spikes: Float32Array; saved?: Saved } {
  const alpha = params.alpha as Float32Array;
  const beta = params.beta as Float32Array;
  const threshold = params.threshold as Float32Array;
  const BN = batch * alpha.length;
  const spikes = new Float32Array(T * BN);
  const uPre = keep ? new Float32Array(T * BN) : undefined;
  const current = keep ? new Float32Array(T * BN) : undefined;
  const i = new Float32Array(BN);
  const v = new Float32Array(BN);
  for (let t = 0; t < T; t++) {
    advanceCurrent(i, input.data, input.temporal ? t * BN : 0, batch, alpha);
    current?.set(i, t * BN);
    const events = lifAdvance(v, i, 0, batch, beta, threshold, reset, spikes, t * BN, uPre, counts?.everActive);
    if (counts) counts.perStep[t] = events;
  }
  return uPre && current
    ? { spikes, saved: { uPre, spikes, current, alpha, beta, threshold, batch, staticInput: !input.temporal } }
    : { spikes };
}

const semanticsOf = (layer: NeuronPlanLayer): ResetSemantics | undefined => layer.resolved.context.reset.semantics;

/**
 * `cuba-lif`'s `sequence` kernel for one layer: in WebAssembly where it
 * loads (and `useWasm`), else the JavaScript loops — the same bits either way.
 */
export function createCubaLifSequence(layer: NeuronPlanLayer, useWasm = true): SequenceKernel | undefined {
  const reset = semanticsOf(layer);
  if (!reset) return undefined;
  const { surrogate, context } = layer.resolved;
  const dSurrogate = surrogate.compile?.(context.surrogate.params) ?? ((x: number) => surrogate.derivative(x, context.surrogate.params));
  const N = layer.size;
  const wasm = useWasm ? CubaLifWasm.create() : undefined;
  const shaped = wasmSurrogateOf(layer);
  return {
    learnable: ["alpha", "beta"],
    runsOn: wasm ? (shaped ? "wasm-simd" : "wasm-simd forward, js backward") : "js",
    forward(input, batch, params, options = {}) {
      const T = input.temporal ? input.rows / batch : layer.timeSteps;
      if (wasm) {
        const r = wasm.forward(input.data, !input.temporal, batch, T, params as unknown as CubaParams, reset, true);
        const saved: Saved = {
          uPre: r.uPre as Float32Array,
          spikes: r.spikes,
          current: r.current as Float32Array,
          alpha: params.alpha as Float32Array,
          beta: params.beta as Float32Array,
          threshold: params.threshold as Float32Array,
          batch,
          staticInput: !input.temporal,
        };
        return {
          output: { data: r.spikes, rows: T * batch, cols: N, temporal: true },
          ...(options.keepMembrane ? { membrane: saved.uPre } : {}),
          saved,
        } satisfies SequenceForward;
      }
      const { spikes, saved } = forward(input, batch, T, params, reset, true);
      return {
        output: { data: spikes, rows: T * batch, cols: N, temporal: true },
        ...(options.keepMembrane && saved ? { membrane: saved.uPre } : {}),
        saved,
      } satisfies SequenceForward;
    },
    backward(fwd, dOutput, learn, dMembrane) {
      const saved = fwd.saved as Saved;
      const { uPre, spikes, current, alpha, beta, threshold, batch, staticInput } = saved;
      const BN = batch * N;
      const T = fwd.output.rows / batch;
      const wantBeta = learn.includes("beta");
      const wantAlpha = learn.includes("alpha");
      if (wasm && shaped) {
        const back = wasm.backward(saved, dOutput, dMembrane, saved, batch, T, staticInput, reset, shaped, {
          beta: wantBeta,
          alpha: wantAlpha,
        });
        const dParams: Record<string, Float32Array> = {};
        if (wantBeta) dParams.beta = back.dBeta;
        if (wantAlpha) dParams.alpha = back.dAlpha;
        return { dInput: back.dInput, dParams };
      }
      const dInput = new Float32Array(staticInput ? BN : T * BN);
      const dBeta = new Float64Array(N);
      const dAlpha = new Float64Array(N);
      const gv = new Float64Array(BN);
      const gi = new Float64Array(BN);
      for (let t = T - 1; t >= 0; t--) {
        for (let b = 0; b < batch; b++) {
          for (let n = 0; n < N; n++) {
            const k0 = b * N + n;
            const k = t * BN + k0;
            const th = threshold[n] as number;
            const carry = reset === "zero" && spikes[k] === 1 ? 0 : (gv[k0] as number);
            let du = (dOutput[k] as number) * dSurrogate((uPre[k] as number) - th) + carry;
            if (dMembrane) du += dMembrane[k] as number;
            const di = du + (gi[k0] as number);
            const at = staticInput ? k0 : k;
            dInput[at] = (dInput[at] as number) + di;
            if (t > 0) {
              const p = k - BN;
              if (wantBeta) {
                const up = uPre[p] as number;
                const vPrev = spikes[p] === 0 ? up : reset === "subtract" ? up - th : reset === "zero" ? 0 : up;
                dBeta[n] = (dBeta[n] as number) + du * vPrev;
              }
              if (wantAlpha) dAlpha[n] = (dAlpha[n] as number) + di * (current[p] as number);
            }
            gv[k0] = (beta[n] as number) * du;
            gi[k0] = (alpha[n] as number) * di;
          }
        }
      }
      const dParams: Record<string, Float32Array> = {};
      if (wantBeta) dParams.beta = Float32Array.from(dBeta);
      if (wantAlpha) dParams.alpha = Float32Array.from(dAlpha);
      return { dInput, dParams };
    },
  };
}

/** `cuba-lif`'s `sequence` kernel (learns α and β). */
export const cubaLifSequenceKernel: KernelRegistration<"sequence"> = {
  model: "cuba-lif",
  kind: "sequence",
  description: "fused CUBA-LIF over all T steps with its BPTT backward (learns α and β)",
  create: (layer) => createCubaLifSequence(layer),
};

/** `cuba-lif`'s `infer` kernel for one layer (WebAssembly where it loads and `useWasm`; the same bits). */
export function createCubaLifInfer(layer: NeuronPlanLayer, useWasm = true): InferKernel | undefined {
  const reset = semanticsOf(layer);
  if (!reset) return undefined;
  const wasm = useWasm ? CubaLifWasm.create() : undefined;
  return {
    runsOn: wasm ? "wasm-simd" : "js",
    run(input, batch, params) {
      const T = input.temporal ? input.rows / batch : layer.timeSteps;
      const counts: LayerCounts = { perStep: new Float64Array(T), everActive: new Uint8Array(layer.size) };
      const spikes = wasm
        ? wasm.forward(input.data, !input.temporal, batch, T, params as unknown as CubaParams, reset, false, counts).spikes
        : forward(input, batch, T, params, reset, false, counts).spikes;
      return { output: { data: spikes, rows: T * batch, cols: layer.size, temporal: true }, counts };
    },
  };
}

/** `cuba-lif`'s `infer` kernel. */
export const cubaLifInferKernel: KernelRegistration<"infer"> = {
  model: "cuba-lif",
  kind: "infer",
  description: "fused CUBA-LIF forward counting spikes per step",
  create: (layer) => createCubaLifInfer(layer),
};

/** Float32 CUBA-LIF population of the event-driven emulator. */
export class FloatCubaLifPopulation extends SynapticPopulation {
  private readonly i: Float32Array;
  private readonly v: Float32Array;
  private readonly spikes: Float32Array;

  constructor(
    id: string,
    size: number,
    synapses: PopulationSynapses,
    private readonly params: Readonly<Record<string, Float32Array>>,
    private readonly resetMode: ResetSemantics,
  ) {
    super(id, size, synapses);
    this.i = new Float32Array(size);
    this.v = new Float32Array(size);
    this.spikes = new Float32Array(size);
  }

  reset(): void {
    this.i.fill(0);
    this.v.fill(0);
  }

  update(out: Int32Array): { spikes: number; active: number } {
    const input = this.tickInput();
    const { i, v, spikes, params } = this;
    let active = 0;
    for (let j = 0; j < this.size; j++) if ((v[j] as number) !== 0 || (i[j] as number) !== 0 || (input[j] as number) !== 0) active++;
    advanceCurrent(i, input, 0, 1, params.alpha as Float32Array);
    spikes.fill(0);
    const count = lifAdvance(v, i, 0, 1, params.beta as Float32Array, params.threshold as Float32Array, this.resetMode, spikes, 0);
    return { spikes: collectSpikes(spikes, count, out), active };
  }
}

/** `cuba-lif`'s `population` kernel. */
export const cubaLifPopulationKernel: KernelRegistration<"population"> = {
  model: "cuba-lif",
  kind: "population",
  description: "float32 CUBA-LIF population, event-driven",
  create(layer) {
    const reset = semanticsOf(layer);
    if (!reset) return undefined;
    return { create: (synapses) => new FloatCubaLifPopulation(layer.id, layer.size, synapses, layer.params, reset) };
  },
};

/** `cuba-lif` on Loihi: its own compartment (α → du, β → dv, θ → vth). */
export const cubaLifLoihiMapping: KernelRegistration<"fixed-point:loihi"> = {
  model: "cuba-lif",
  kind: "fixed-point:loihi",
  description: "CUBA-LIF compartment: α → current decay du, β → voltage decay dv, θ → vth",
  create: () => ({
    map(layer) {
      const reset = loihiReset(layer);
      if ("reason" in reset) return reset;
      return {
        decay: layer.params.beta as Float32Array,
        currentDecay: layer.params.alpha as Float32Array,
        threshold: layer.params.threshold as Float32Array,
        warnings: reset.warnings,
      };
    },
  }),
};

/** Every kernel of `cuba-lif`. */
export const cubaLifKernels: readonly KernelRegistration[] = [
  cubaLifSequenceKernel as KernelRegistration,
  cubaLifInferKernel as KernelRegistration,
  cubaLifPopulationKernel as KernelRegistration,
  cubaLifLoihiMapping as KernelRegistration,
];
