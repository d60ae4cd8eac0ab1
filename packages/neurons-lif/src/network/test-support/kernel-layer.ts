/**
 * Test helpers for the kernels: one neuron layer of a registered model, with
 * the reset and surrogate given, resolved as the executor would see it.
 */
import {
  type Activation,
  createRuntime,
  type NeuronPlanLayer,
  type ResetSemantics,
  type SequenceForward,
  type SequenceKernel,
  sequentialSpec,
} from "@neurobridge/core";
import { expect } from "vitest";
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

/**
 * Runs a model's WebAssembly and JavaScript sequence kernels on the same
 * input and expects the same bits: spikes and membrane forward (with some but
 * not all neuron-steps spiking), then the input's and each of `learn`'s
 * gradients backward, without and with a membrane gradient. The output
 * gradients are drawn from `draw` after the forward. Returns the JavaScript
 * forward, for further checks.
 */
export function expectTwinSequences(
  wasm: SequenceKernel,
  js: SequenceKernel,
  input: Activation,
  batch: number,
  params: Readonly<Record<string, Float32Array>>,
  learn: readonly string[],
  draw: (n: number, lo: number, hi: number) => Float32Array,
): SequenceForward {
  const fw = wasm.forward(input, batch, params, { keepMembrane: true });
  const fj = js.forward(input, batch, params, { keepMembrane: true });
  expect(bits(fw.output.data)).toEqual(bits(fj.output.data));
  expect(bits(fw.membrane as Float32Array)).toEqual(bits(fj.membrane as Float32Array));
  const n = fj.output.data.length;
  const spikes = fj.output.data.reduce((s, v) => s + v, 0);
  expect(spikes).toBeGreaterThan(0);
  expect(spikes).toBeLessThan(n);
  const dOut = draw(n, -1, 1);
  const dMembrane = draw(n, -0.2, 0.2);
  for (const dm of [undefined, dMembrane]) {
    const bw = wasm.backward(fw, dOut, learn, dm);
    const bj = js.backward(fj, dOut, learn, dm);
    expect(bits(bw.dInput)).toEqual(bits(bj.dInput));
    for (const name of learn) expect(bits(bw.dParams[name] as Float32Array), name).toEqual(bits(bj.dParams[name] as Float32Array));
  }
  return fj;
}
