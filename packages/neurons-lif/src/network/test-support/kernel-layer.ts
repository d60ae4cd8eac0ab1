/**
 * Test helpers for the kernels: one neuron layer of a registered model, with
 * the reset and surrogate given, resolved as the executor would see it.
 */
import { createRuntime, type NeuronPlanLayer, type ResetSemantics, sequentialSpec } from "@neurobridge/core";
import { lifPlugin } from "../../plugin.js";

const runtime = createRuntime({ plugins: [lifPlugin], seed: 1 });

/** Layer 1 of `input(4) → dense → model(size)` over `timeSteps` steps, with `reset` and `surrogate`. */
export function kernelLayer(model: string, size: number, timeSteps: number, reset: ResetSemantics, surrogate: string): NeuronPlanLayer {
  const spec = sequentialSpec({ layers: [4, size], neuron: model, timeSteps, outputNeuron: false });
  const plan = runtime.plan({
    ...spec,
    nodes: [
      ...spec.nodes.slice(0, 2),
      { type: "neuron", id: "n", model, size, reset, surrogate: { name: surrogate } },
      spec.nodes.at(-1) as never,
    ],
  });
  return plan.layers[1] as NeuronPlanLayer;
}

/** The bits of float32 values, for exact comparisons (−0 and NaN payloads included). */
export const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);
