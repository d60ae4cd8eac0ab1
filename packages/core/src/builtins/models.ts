/**
 * Built-in reset mechanisms, rate neuron models (ReLU, sigmoid, identity) and
 * loss declarations. Spiking models live in plugins (e.g. `lif` in
 * `@neurobridge/neurons-lif`).
 */
import type { NeuronModel } from "../neuron-model.js";
import type { LossSpec, ResetMechanism } from "../strategies.js";
import type { TensorOps } from "../tensor-ops.js";

/** Reset by subtraction: v ← v − s·θ (keeps the overshoot; snnTorch default). */
export const subtractReset: ResetMechanism = {
  name: "subtract",
  description: "v ← v − s·θ: subtract the threshold after a spike, keeping the overshoot.",
  apply: <T>(ops: TensorOps<T>, v: T, s: T, threshold: T): T => ops.sub(v, ops.mul(s, threshold)),
};

/** Reset to zero: v ← v·(1 − s) (Loihi, the biophysical LIF's reset to rest). */
export const zeroReset: ResetMechanism = {
  name: "zero",
  description: "v ← v·(1 − s): reset the membrane to zero after a spike.",
  apply: <T>(ops: TensorOps<T>, v: T, s: T): T => ops.mul(v, ops.sub(ops.scalar(1), s)),
};

/** No reset: the membrane keeps integrating after a spike. */
export const noReset: ResetMechanism = {
  name: "none",
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

/** Built-in loss declarations (backends that train implement them). */
export const builtinLosses: readonly LossSpec[] = [
  { name: "softmax_ce", description: "Softmax cross-entropy on an ANN's logits.", reads: "logits", params: [] },
  {
    name: "ce_rate",
    description: "Cross-entropy of the output spikes at every step, averaged over steps (snnTorch ce_rate_loss).",
    reads: "spike-counts",
    params: [],
  },
  {
    name: "ce_count",
    description: "Cross-entropy with the output spike counts over all steps as logits.",
    reads: "spike-counts",
    params: [],
  },
  {
    name: "mse_count",
    description: "MSE between output spike counts and targets of correctRate·T (true class) and incorrectRate·T (others).",
    reads: "spike-counts",
    params: [
      { name: "correctRate", type: "number", default: 0.8, min: 0, max: 1, unit: "1", description: "target firing rate of the true class" },
      {
        name: "incorrectRate",
        type: "number",
        default: 0.2,
        min: 0,
        max: 1,
        unit: "1",
        description: "target firing rate of other classes",
      },
    ],
  },
  {
    name: "ce_membrane",
    description: "Cross-entropy on the output layer's membrane potential averaged over steps.",
    reads: "membrane",
    params: [],
  },
];
