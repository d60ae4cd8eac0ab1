import { describe, expect, it } from "vitest";
import { createRandom } from "./random.js";
import { arrayOps, denseReference, simulatePopulation } from "./reference.js";
import { createRuntime } from "./runtime.js";
import type { NeuronNode } from "./spec.js";
import { leakyTestModel, leakyTestPlugin } from "./test-support/fixtures.js";

describe("the reference dense layer", () => {
  it("sums each output in float64 over every input, rounded once (zero inputs skipped with the same bits, signed zeros included)", () => {
    const rng = createRandom(3);
    const K = 37;
    const N = 11;
    const rows = 40;
    // Mostly zero inputs (as pixels and ReLU outputs are), some all-zero rows, negative weights and a −0 bias.
    const x = Float32Array.from({ length: rows * K }, (_, i) => (Math.floor(i / K) % 7 === 3 || rng.next() < 0.7 ? 0 : rng.next()));
    // Output 0's weights are all negative: with its −0 bias, an all-zero row sums to −0 (each 0·w is −0).
    const weight = Float32Array.from({ length: N * K }, (_, i) => (i < K ? -0.01 - rng.next() : rng.next() - 0.5));
    const bias = Float32Array.from({ length: N }, (_, j) => (j === 0 ? -0 : j === 1 ? 0 : rng.next() - 0.5));
    for (const b of [bias, undefined]) {
      const dense = new Float32Array(rows * N);
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < N; j++) {
          let s = b ? (b[j] as number) : 0;
          for (let k = 0; k < K; k++) s += (x[r * K + k] as number) * (weight[j * K + k] as number);
          dense[r * N + j] = s;
        }
      const y = denseReference({ inFeatures: K, outFeatures: N, weight, bias: b }, x, rows);
      expect([...y].map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual([...dense].map((v) => (Object.is(v, -0) ? "-0" : v)));
      if (b) expect(Object.is(y[3 * N], -0)).toBe(true);
    }
  });
});

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
