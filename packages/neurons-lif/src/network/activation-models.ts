/**
 * "Activation-fit" rate neurons: FFNN activations shaped like the LIF's F–I
 * curve, the bridge between the spiking and the rate world (and the road to
 * ANN→SNN conversion). Inputs and outputs are dimensionless: input current in
 * units of the rheobase (ĩ = I/I_rheo), output rate in spikes per membrane
 * time constant (f·τ_m). {@link activationParamsFromFits} converts fits made
 * in pA and Hz into these units.
 */
import { NeuroBridgeError, type NeuronModel, type TensorOps } from "@neurobridge/core";
import type { Fit } from "../fits/activation-fits.js";

type Tensor<T> = NonNullable<T>;

function rateModel(
  name: string,
  description: string,
  params: NeuronModel["params"],
  cost: NeuronModel["updateCost"],
  fn: <T>(ops: TensorOps<T>, x: T, p: Readonly<Record<string, T>>) => T,
  extra: Pick<NeuronModel, "operatingInput" | "spikingCounterpart"> = {},
): NeuronModel {
  return {
    name,
    description,
    dynamics: "rate",
    params,
    state: [],
    updateCost: cost,
    ...extra,
    step: (ops, input, _state, p) => ({ output: fn(ops, input, p), state: {} }),
  };
}

/** a·max(0, x − b): ReLU with a fitted gain and threshold. */
export const reluFitModel = rateModel(
  "relu-fit",
  "Fitted ReLU a·max(0, x − b) of the LIF F–I curve (dimensionless units).",
  [
    { name: "a", type: "number", default: 1, min: 0, unit: "1", perNeuron: true, description: "gain (slope above threshold)" },
    { name: "b", type: "number", default: 0, unit: "1", perNeuron: true, description: "threshold" },
  ],
  { multiplies: 1, adds: 1, compares: 1 },
  (ops, x, p) => ops.mul(p.a as Tensor<typeof x>, ops.relu(ops.sub(x, p.b as Tensor<typeof x>))),
);

/** L/(1 + e^(−k(x − x0))): sigmoid with fitted saturation, slope and midpoint. */
export const sigmoidFitModel = rateModel(
  "sigmoid-fit",
  "Fitted sigmoid L/(1 + e^(−k(x − x0))) of the LIF F–I curve (dimensionless units).",
  [
    { name: "L", type: "number", default: 1, min: 0, unit: "1", perNeuron: true, description: "saturation level" },
    { name: "k", type: "number", default: 1, unit: "1", perNeuron: true, description: "slope" },
    { name: "x0", type: "number", default: 0, unit: "1", perNeuron: true, description: "midpoint" },
  ],
  { multiplies: 3, adds: 2, compares: 0 },
  (ops, x, p) => ops.mul(p.L as Tensor<typeof x>, ops.sigmoid(ops.mul(p.k as Tensor<typeof x>, ops.sub(x, p.x0 as Tensor<typeof x>)))),
);

/** Where `lif-rate` units start (in units of the rheobase): above it, where the curve rises. */
export const LIF_RATE_OPERATING_INPUT = 1.5;

/** Inputs this close above rheobase are treated as silent, keeping the logarithm finite. */
const LIF_RATE_EPSILON = 1e-6;

/**
 * The LIF's own steady-state rate as an activation:
 * gain / (t̃_ref + ln((x − ṽ_r)/(x − 1))) for x > 1, else 0. Its slope is
 * unbounded just above rheobase (like the neuron's), so inputs within 1e-6 of
 * it are treated as silent.
 */
export const lifRateModel = rateModel(
  "lif-rate",
  "LIF steady-state rate 1/(t_ref + ln((x − v_r)/(x − 1))) as an activation (x in units of the rheobase).",
  [
    {
      name: "tRef",
      type: "number",
      default: 0.2,
      min: 0,
      unit: "τ_m",
      perNeuron: true,
      description: "refractory period over τ_m (Table 1: 0.2)",
    },
    {
      name: "vReset",
      type: "number",
      default: 0,
      max: 1,
      exclusiveMax: true,
      unit: "1",
      perNeuron: true,
      description: "dimensionless reset (Table 1: 0)",
    },
    { name: "gain", type: "number", default: 1, min: 0, unit: "1", perNeuron: true, description: "output scale" },
  ],
  { multiplies: 2, adds: 3, compares: 1 },
  (ops, x, p) => {
    const floor = ops.scalar(1 + LIF_RATE_EPSILON);
    const xs = ops.maximum(x, floor);
    const ln = ops.log(ops.div(ops.sub(xs, p.vReset as Tensor<typeof x>), ops.sub(xs, ops.scalar(1))));
    const rate = ops.div(p.gain as Tensor<typeof x>, ops.add(p.tRef as Tensor<typeof x>, ln));
    return ops.mul(ops.greater(x, floor), rate);
  },
  {
    // Silent up to the rheobase (x = 1): units start at 1.5 times it, on the curve's rising part.
    operatingInput: () => LIF_RATE_OPERATING_INPUT,
    spikingCounterpart: (params, { maxOutput, resolution }) => lifRateCounterpart(params, maxOutput, resolution),
  },
);

/**
 * The spiking neuron whose rate is the `lif-rate` curve: a `lif-refractory`
 * LIF stepped at h (in units of τ_m) — β = e^(−h), input (1 − β)·x, θ = 1,
 * the same v_reset, t_ref/h refractory steps — firing h·f(x)/gain spikes per
 * step. h is t_ref/`resolution` (`resolution` refractory steps); without a
 * refractory period, the step at which `maxOutput` fires once per
 * `resolution` steps.
 */
export function lifRateCounterpart(params: Readonly<Record<string, number | number[]>>, maxOutput: number, resolution: number) {
  const scalar = (name: string, fallback: number) => {
    const v = params[name] ?? fallback;
    if (Array.isArray(v))
      throw new NeuroBridgeError("CONVERSION_UNSUPPORTED", `lif-rate's spiking counterpart takes a scalar ${name}, not one per neuron`);
    return v;
  };
  const [tRef, vReset, gain] = [scalar("tRef", 0.2), scalar("vReset", 0), scalar("gain", 1)];
  const steps = Math.max(1, Math.round(resolution));
  const h = tRef > 0 ? tRef / steps : gain / (steps * Math.max(maxOutput, 1e-6));
  const beta = Math.exp(-h);
  return {
    model: "lif-refractory",
    params: { beta, threshold: 1, vReset, refractory: tRef > 0 ? steps : 0 },
    inputGain: 1 - beta,
    spikesPerOutput: h / gain,
  };
}

/** The activation-fit rate models. */
export const activationFitModels: readonly NeuronModel[] = [reluFitModel, sigmoidFitModel, lifRateModel];

/**
 * Converts ReLU and sigmoid fits made in pA → Hz into the dimensionless
 * parameters of `relu-fit` and `sigmoid-fit` (x in units of I_rheo, output
 * in spikes per τ_m).
 *
 * @param rheobasePA - I_rheo in pA
 * @param tauM - τ_m in seconds
 */
export function activationParamsFromFits(
  fits: { relu: Fit<{ a: number; b: number }>; sigmoid: Fit<{ L: number; k: number; x0: number }> },
  rheobasePA: number,
  tauM: number,
) {
  const { a, b } = fits.relu.params;
  const { L, k, x0 } = fits.sigmoid.params;
  return {
    "relu-fit": { a: a * rheobasePA * tauM, b: b / rheobasePA },
    "sigmoid-fit": { L: L * tauM, k: k * rheobasePA, x0: x0 / rheobasePA },
  };
}
