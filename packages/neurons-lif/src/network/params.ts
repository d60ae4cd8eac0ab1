/** Parameter declarations shared by the discrete LIF-family network neurons. */
import type { ParamSpec } from "@neurobridge/core";

/** Membrane decay per step β ∈ [0, 1], per neuron and learnable. */
export const betaParam = (description = "membrane decay per step β = exp(−dt/τ_m)"): ParamSpec => ({
  name: "beta",
  type: "number",
  default: 0.95,
  min: 0,
  max: 1,
  unit: "1",
  perNeuron: true,
  learnable: true,
  description,
});

/** Firing threshold θ > 0, per neuron. */
export const thresholdParam = (description = "firing threshold θ"): ParamSpec => ({
  name: "threshold",
  type: "number",
  default: 1,
  min: 0,
  exclusiveMin: true,
  unit: "1",
  perNeuron: true,
  description,
});
