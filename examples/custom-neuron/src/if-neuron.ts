/**
 * An example third-party neuron model: the non-leaky integrate-and-fire (IF)
 * neuron, v ← v + I; spike when v > θ; reset. It is written only against
 * `@neurobridge/core`'s public interfaces, so it runs on every backend that
 * executes `TensorOps` (reference arrays, TensorFlow.js, ONNX graphs).
 */
import { defineNeuronModel } from "@neurobridge/core";

/** The IF neuron: a LIF with β = 1, cheaper per update (no decay multiply). */
export const integrateAndFire = defineNeuronModel({
  name: "if",
  description: "Non-leaky integrate-and-fire: v ← v + I; spike when v > θ; then reset.",
  dynamics: "spiking",
  params: [
    {
      name: "threshold",
      type: "number",
      default: 1,
      min: 0,
      exclusiveMin: true,
      unit: "1",
      perNeuron: true,
      description: "firing threshold θ",
    },
  ],
  state: [{ name: "v", description: "membrane potential", initial: 0 }],
  updateCost: { multiplies: 0, adds: 1, compares: 1 },
  step(ops, input, state, params, context) {
    // `params.threshold` and `state.v` are typed from the declaration above: a misspelt name does not compile.
    const v = ops.add(state.v, input);
    const spikes = ops.spike(ops.sub(v, params.threshold), context.surrogate);
    return { output: spikes, state: { v: context.reset.apply(ops, v, ops.stopGradient(spikes), params.threshold) } };
  },
});
