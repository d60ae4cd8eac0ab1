/**
 * Discrete network neurons for the rest of the LIF family, each one Euler
 * step of its continuous model per time step, in dimensionless form. They
 * run everywhere through their `step` (tfjs autograd, ONNX, the emulator's
 * generic population); none needs a kernel to train.
 *
 * - `adex` (and `eif`, with a = b = 0): time in units of τ_m, voltage
 *   v = (V − V_T)/Δ_T, adaptation w and input in units of g_L·Δ_T (the
 *   scaling of Naud et al. 2008, Touboul & Brette 2008):
 *     v ← v + h(−(v − e_L) + exp(min(v, v_peak)) − w + g·I)
 *     w ← w + (h/τ_w)(a(v − e_L) − w)
 *     s = H(v − v_peak);  v ← v_r where s;  w ← w + b·s
 *   Defaults: Brette & Gerstner (2005) scaled (e_L = v_r = −10.1, v_peak = 5,
 *   a = 0.133, τ_w = 15.4, b = 1.34); `g` (default 50) scales the network's
 *   O(0.1–1) inputs to currents of the order of the rheobase (≈ 9 here).
 * - `lif-vreset`: the LIF with NIR's reset — the membrane is set to v_reset
 *   after a spike instead of having θ subtracted or being zeroed.
 *
 * Each presents its spike's argument in units of its reset-to-threshold span
 * to the surrogate, so rest sits near −1 as for a unit-threshold LIF.
 */
import type { NeuronModel, ParamSpec, TensorOps } from "@neurobridge/core";
import { betaParam, thresholdParam } from "./params.js";

type T<X> = NonNullable<X>;

const param = (name: string, value: number, description: string, extra: Partial<ParamSpec> = {}): ParamSpec => ({
  name,
  type: "number",
  default: value,
  unit: "1",
  perNeuron: true,
  description,
  ...extra,
});

/** Brette & Gerstner (2005) in Naud et al.'s dimensionless units. */
const BG = { eL: (-70.6 + 50.4) / 2, vPeak: 5, a: 4 / 30, tauW: 144 / (281 / 30), b: 80.5 / (30 * 2) };

function exponentialStep(adaptive: boolean): NeuronModel["step"] {
  return <X>(
    ops: TensorOps<X>,
    input: X,
    state: Readonly<Record<string, X>>,
    params: Readonly<Record<string, X>>,
    context: Parameters<NeuronModel["step"]>[4],
  ) => {
    const p = params as Record<string, T<X>>;
    const v = state.v as T<X>;
    const h = p.h as T<X>;
    const leak = ops.neg(ops.sub(v, p.eL as T<X>));
    const exponential = ops.exp(ops.minimum(v, p.vPeak as T<X>));
    const w = adaptive ? (state.w as T<X>) : undefined;
    let drive = ops.add(ops.add(leak, exponential), ops.mul(p.gain as T<X>, input));
    if (w) drive = ops.sub(drive, w);
    const vNext = ops.add(v, ops.mul(h, drive));
    const span = ops.sub(p.vPeak as T<X>, p.vReset as T<X>);
    const spikes = ops.spike(ops.div(ops.sub(vNext, p.vPeak as T<X>), span), context.surrogate);
    const s = ops.stopGradient(spikes);
    const vOut = ops.add(vNext, ops.mul(s, ops.sub(p.vReset as T<X>, vNext)));
    const next: Record<string, X> = { v: vOut };
    if (!w) return { output: spikes, state: next };
    const wNext = ops.add(w, ops.mul(ops.div(h, p.tauW as T<X>), ops.sub(ops.mul(p.a as T<X>, ops.sub(v, p.eL as T<X>)), w)));
    next.w = ops.add(wNext, ops.mul(p.b as T<X>, s));
    return { output: spikes, state: next };
  };
}

const exponentialParams: ParamSpec[] = [
  param("h", 0.1, "Euler step per time step, in units of τ_m", { min: 0, exclusiveMin: true, max: 1, perNeuron: false }),
  param("eL", BG.eL, "resting potential e_L = (E_L − V_T)/Δ_T"),
  param("vPeak", BG.vPeak, "spike cut-off v_peak = (V_peak − V_T)/Δ_T", { min: 0, exclusiveMin: true }),
  param("vReset", BG.eL, "reset v_r = (V_r − V_T)/Δ_T", { max: 0 }),
  param("gain", 50, "input gain g: network inputs are O(0.1–1), the rheobase ≈ 9 (at g = 10 nothing fires and nothing learns)", {
    min: 0,
    perNeuron: false,
  }),
];

/** The discrete EIF, registered as `eif`. */
export const eifModel: NeuronModel = {
  name: "eif",
  description: "Discrete exponential IF (dimensionless): v ← v + h(−(v − e_L) + e^v + g·I); spike at v_peak, reset to v_r.",
  dynamics: "spiking",
  params: exponentialParams,
  state: [{ name: "v", description: "membrane (V − V_T)/Δ_T", initial: BG.eL }],
  updateCost: { multiplies: 3, adds: 4, compares: 1 },
  validate(params, path) {
    return Number(params.vReset) < Number(params.vPeak) ? [] : [{ path: `${path}.vReset`, message: "must be below vPeak" }];
  },
  step: exponentialStep(false),
};

/** The discrete AdEx, registered as `adex`. */
export const adexModel: NeuronModel = {
  name: "adex",
  description:
    "Discrete adaptive exponential IF (dimensionless, Euler step h): EIF − w; w ← w + (h/τ_w)(a(v − e_L) − w); w ← w + b at a spike.",
  dynamics: "spiking",
  params: [
    ...exponentialParams,
    param("a", BG.a, "subthreshold adaptation a/g_L"),
    param("tauW", BG.tauW, "adaptation time constant τ_w/τ_m", { min: 0, exclusiveMin: true }),
    param("b", BG.b, "spike-triggered adaptation b/(g_L·Δ_T)", { min: 0 }),
  ],
  state: [
    { name: "v", description: "membrane (V − V_T)/Δ_T", initial: BG.eL },
    { name: "w", description: "adaptation w/(g_L·Δ_T)", initial: 0 },
  ],
  updateCost: { multiplies: 6, adds: 7, compares: 1 },
  validate: eifModel.validate,
  step: exponentialStep(true),
};

/** The LIF with reset to v_reset (NIR's LIF reset), registered as `lif-vreset`. */
export const lifVResetModel: NeuronModel = {
  name: "lif-vreset",
  description: "Discrete LIF with reset to v_reset: v ← β·v + I; spike when v > θ; then v ← v_reset (NIR's LIF reset).",
  dynamics: "spiking",
  params: [betaParam(), thresholdParam(), param("vReset", 0, "membrane after a spike v_reset (must be below θ)")],
  state: [{ name: "v", description: "membrane potential", initial: 0 }],
  updateCost: { multiplies: 1, adds: 1, compares: 1 },
  validate(params, path) {
    const ok = (Array.isArray(params.vReset) ? params.vReset : [params.vReset]).every((r, i) => {
      const th = Array.isArray(params.threshold) ? params.threshold[i] : params.threshold;
      return Number(r) < Number(th);
    });
    return ok ? [] : [{ path: `${path}.vReset`, message: "must be below the threshold" }];
  },
  step(ops, input, state, params, context) {
    const p = params as Record<"beta" | "threshold" | "vReset", T<(typeof params)["beta"]>>;
    const v = ops.add(ops.mul(p.beta, state.v as T<typeof state.v>), input);
    const spikes = ops.spike(ops.div(ops.sub(v, p.threshold), ops.sub(p.threshold, p.vReset)), context.surrogate);
    return { output: spikes, state: { v: ops.add(v, ops.mul(ops.stopGradient(spikes), ops.sub(p.vReset, v))) } };
  },
};

/**
 * The LIF with reset to v_reset and an absolute refractory period (the
 * paper's Table 1 neuron, t_ref = 2 ms), registered as `lif-refractory`:
 * for `refractory` steps after a spike the membrane is held at v_reset and
 * ignores its input. With β = e^(−h), input (1 − β)·x and θ = 1 its rate is
 * the LIF F–I curve sampled at step h (in units of τ_m): a spike every
 * `refractory` + ⌈ln((x − v_r)/(x − 1))/h⌉ steps — the spiking counterpart of
 * the `lif-rate` activation in ANN → SNN conversion.
 */
export const lifRefractoryModel: NeuronModel = {
  name: "lif-refractory",
  description:
    "Discrete LIF with reset to v_reset and an absolute refractory period: v ← β·v + I while not refractory; spike when v > θ; then v ← v_reset for `refractory` steps.",
  dynamics: "spiking",
  params: [
    betaParam(),
    thresholdParam(),
    param("vReset", 0, "membrane after a spike v_reset (must be below θ)"),
    {
      name: "refractory",
      type: "integer",
      default: 0,
      min: 0,
      unit: "steps",
      perNeuron: true,
      description: "steps after a spike during which the membrane is held at v_reset",
    },
  ],
  state: [
    { name: "v", description: "membrane potential", initial: 0 },
    { name: "held", description: "refractory steps left", initial: 0 },
  ],
  updateCost: { multiplies: 2, adds: 3, compares: 2 },
  validate: lifVResetModel.validate,
  step(ops, input, state, params, context) {
    const p = params as Record<"beta" | "threshold" | "vReset" | "refractory", T<(typeof params)["beta"]>>;
    const held = state.held as T<typeof state.held>;
    // 1 while the neuron integrates, 0 while it is refractory.
    const free = ops.greater(ops.scalar(0.5), held);
    const integrated = ops.add(ops.mul(p.beta, state.v as T<typeof state.v>), input);
    const vFree = ops.add(ops.mul(free, integrated), ops.mul(ops.sub(ops.scalar(1), free), p.vReset));
    // A refractory membrane sits at v_reset < θ: it cannot spike.
    const spikes = ops.spike(ops.div(ops.sub(vFree, p.threshold), ops.sub(p.threshold, p.vReset)), context.surrogate);
    const fired = ops.stopGradient(spikes);
    return {
      output: spikes,
      state: {
        v: ops.add(vFree, ops.mul(fired, ops.sub(p.vReset, vFree))),
        held: ops.add(ops.maximum(ops.sub(held, ops.scalar(1)), ops.scalar(0)), ops.mul(fired, p.refractory)),
      },
    };
  },
};

/** The family's discrete models without kernels. */
export const exponentialModels: readonly NeuronModel[] = [eifModel, adexModel, lifVResetModel, lifRefractoryModel];
