/**
 * The discrete leaky integrate-and-fire neuron used in SNNs (snnTorch's
 * `Leaky`, the paper's LIF(256) layers):
 *
 *   v[t] = β·v[t−1] + I[t]
 *   s[t] = H(v[t] − θ)            (surrogate gradient in the backward pass)
 *   v[t] ← reset(v[t], s[t], θ)   (subtract θ, to zero, or none)
 *
 * The reset uses the spike with its gradient stopped, as snnTorch does by
 * default: gradients flow through the membrane, not through the reset.
 * β = exp(−dt/τ_m) links it to the biophysical model (see `discreteBeta`).
 */
import type { NeuronModel } from "@neurobridge/core";
import { betaParam, thresholdParam } from "./params.js";

/** The discrete LIF neuron model, registered as `lif`. */
export const lifModel: NeuronModel = {
  name: "lif",
  description: "Discrete leaky integrate-and-fire: v ← β·v + I; spike when v > θ; then reset.",
  dynamics: "spiking",
  params: [
    betaParam("membrane decay per step, β = exp(−dt/τ_m); 1 is a non-leaky integrator. Learned β is kept in (0, 1)."),
    thresholdParam(),
  ],
  state: [{ name: "v", description: "membrane potential", initial: 0, unit: "1" }],
  // Per update: one multiply (decay), one add (input), one compare (threshold).
  updateCost: { multiplies: 1, adds: 1, compares: 1 },
  step(ops, input, state, params, context) {
    const beta = params.beta as NonNullable<typeof params.beta>;
    const threshold = params.threshold as NonNullable<typeof params.threshold>;
    const v = ops.add(ops.mul(beta, state.v as NonNullable<typeof state.v>), input);
    const spikes = ops.spike(ops.sub(v, threshold), context.surrogate);
    return { output: spikes, state: { v: context.reset.apply(ops, v, ops.stopGradient(spikes), threshold) } };
  },
};

/** β of a discrete LIF that matches a membrane time constant `tauM` at step `dt` (both in seconds). */
export function discreteBeta(dt: number, tauM: number): number {
  if (!(dt > 0) || !(tauM > 0)) throw new RangeError(`dt and tauM must be positive seconds, got dt=${dt}, tauM=${tauM}`);
  return Math.exp(-dt / tauM);
}
