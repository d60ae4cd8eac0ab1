import { createRuntime, type NeuronNode, sequentialSpec, simulatePopulation } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { lifPlugin } from "../plugin.js";
import { discreteBeta, lifModel } from "./lif-model.js";

const runtime = createRuntime({ plugins: [lifPlugin] });
const node = (extra: Partial<NeuronNode> = {}): NeuronNode => ({
  type: "neuron",
  id: "lif",
  model: "lif",
  size: 1,
  params: { beta: 0.5, threshold: 1 },
  ...extra,
});

describe("discrete LIF network neuron", () => {
  it("is registered and validates the paper's SNN spec", () => {
    expect(runtime.neuronModel("lif")).toBe(lifModel);
    const spec = sequentialSpec({ layers: [784, 256, 256, 10], neuron: "lif", params: { beta: 0.95 }, timeSteps: 25 });
    expect(runtime.validateSpec(spec).timeSteps).toBe(25);
  });

  it("integrates, leaks, fires and resets by subtraction (hand-computed)", () => {
    // v: 0.6 → 0.9 → 1.05 (spike → 0.05) → 0.625
    const trace = simulatePopulation(node(), lifModel, runtime, Float32Array.from([0.6, 0.6, 0.6, 0.6]), 4, 1);
    expect([...trace.outputs]).toEqual([0, 0, 1, 0]);
    expect([...(trace.states.v as Float32Array)].map((v) => +v.toFixed(5))).toEqual([0.6, 0.9, 0.05, 0.625]);
  });

  it("resets to zero when asked, and fires at the same rate as 1/steps-to-threshold", () => {
    const zero = simulatePopulation(node({ reset: "zero" }), lifModel, runtime, Float32Array.from([0.6, 0.6, 0.6, 0.6]), 4, 1);
    expect([...(zero.states.v as Float32Array)].map((v) => +v.toFixed(5))).toEqual([0.6, 0.9, 0, 0.6]);
  });

  it("accepts per-neuron β and thresholds", () => {
    const n = node({ size: 2, params: { beta: [1, 0], threshold: [1.5, 0.5] } });
    const trace = simulatePopulation(n, lifModel, runtime, Float32Array.from([0.6, 0.6, 0.6, 0.6]), 2, 1);
    // neuron 0 integrates without leak: 0.6, 1.2; neuron 1 forgets: 0.6 (spike), 0.6 (spike)
    expect([...trace.outputs]).toEqual([0, 1, 0, 1]);
  });

  it("maps a membrane time constant to β", () => {
    expect(discreteBeta(1e-3, 10e-3)).toBeCloseTo(Math.exp(-0.1), 12);
    expect(() => discreteBeta(-1, 1)).toThrow(/must be positive seconds/);
  });
});
