/** Test fixtures shared by core's tests (not exported from the package). */
import type { NeuronModel } from "../neuron-model.js";
import type { NeuroBridgePlugin } from "../runtime.js";
import { type NetworkSpec, sequentialSpec } from "../spec.js";

/** A minimal spiking model with a learnable decay, for validator and runtime tests. */
export const leakyTestModel: NeuronModel = {
  name: "leaky-test",
  description: "v ← β·v + I; spike when v > θ",
  dynamics: "spiking",
  params: [
    {
      name: "beta",
      type: "number",
      default: 0.9,
      min: 0,
      max: 1,
      exclusiveMin: true,
      exclusiveMax: true,
      perNeuron: true,
      learnable: true,
      description: "decay",
    },
    { name: "threshold", type: "number", default: 1, min: 0, exclusiveMin: true, description: "threshold" },
  ],
  state: [{ name: "v", description: "membrane", initial: 0 }],
  updateCost: { multiplies: 1, adds: 1, compares: 1 },
  step(ops, input, state, params, ctx) {
    const v = ops.add(ops.mul(params.beta as never, state.v as never), input);
    const s = ops.spike(ops.sub(v, params.threshold as never), ctx.surrogate);
    return { output: s, state: { v: ctx.reset.apply(ops, v, s, params.threshold as never) } };
  },
};

export const leakyTestPlugin: NeuroBridgePlugin = {
  name: "leaky-test-plugin",
  register: (r) => r.neuronModel(leakyTestModel),
};

/** The paper's FFNN 784-256-256-10 (ReLU, logits out). */
export const paperFfnn = (): NetworkSpec => sequentialSpec({ layers: [784, 256, 256, 10], neuron: "relu", outputNeuron: false });

/** The paper's SNN shape with the test model. */
export const paperSnn = (): NetworkSpec =>
  sequentialSpec({ layers: [784, 256, 256, 10], neuron: "leaky-test", params: { beta: 0.95 }, timeSteps: 25 });
