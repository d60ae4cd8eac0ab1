import { describe, expect, it } from "vitest";
import { arrayOps, simulatePopulation } from "./reference.js";
import { createRuntime } from "./runtime.js";
import type { NeuronNode } from "./spec.js";
import { leakyTestModel, leakyTestPlugin } from "./test-support/fixtures.js";

describe("reference array ops", () => {
  it("broadcasts scalars and per-neuron vectors over [batch, size]", () => {
    const x = Float32Array.from([1, 2, 3, 4]); // batch 2 × size 2
    expect([...arrayOps.mul(x, arrayOps.scalar(2))]).toEqual([2, 4, 6, 8]);
    expect([...arrayOps.add(x, Float32Array.of(10, 20))]).toEqual([11, 22, 13, 24]);
    expect([...arrayOps.where(Float32Array.of(1, 0, 0, 1), x, arrayOps.zerosLike(x))]).toEqual([1, 0, 0, 4]);
    expect(() => arrayOps.add(x, Float32Array.of(1, 2, 3))).toThrow(/cannot broadcast tensors of 4 and 3 elements/);
  });

  it("runs a spiking population step by step with reset by subtraction", () => {
    const runtime = createRuntime({ plugins: [leakyTestPlugin] });
    const node: NeuronNode = { type: "neuron", id: "n", model: "leaky-test", size: 1, params: { beta: 0.5, threshold: 1 } };
    const input = Float32Array.from([0.8, 0.8, 0.8, 0.8]);
    const trace = simulatePopulation(node, leakyTestModel, runtime, input, 4, 1);
    // v: 0.8 → 1.2 (spike, −1 → 0.2) → 0.9 → 1.25 (spike → 0.25)
    expect([...trace.outputs]).toEqual([0, 1, 0, 1]);
    expect([...(trace.states.v as Float32Array)].map((v) => Number(v.toFixed(5)))).toEqual([0.8, 0.2, 0.9, 0.25]);
  });
});
