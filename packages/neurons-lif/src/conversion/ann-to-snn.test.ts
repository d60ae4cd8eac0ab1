import "reflect-metadata";
import { createRuntime, sequentialSpec, simulatePopulation, type Weights } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { lifPlugin } from "../plugin.js";
import { convertToSnn, normalisationScale, rateActivations } from "./ann-to-snn.js";

const runtime = createRuntime({ plugins: [lifPlugin], seed: 1 });

// A 2-2-1 ReLU network small enough to check by hand.
const spec = sequentialSpec({ layers: [2, 2, 1], neuron: "relu", outputNeuron: false });
const weights: Weights = {
  "fc1.weight": { shape: [2, 2], data: Float32Array.from([1, 2, 3, -1]) },
  "fc1.bias": { shape: [2], data: Float32Array.from([0, 0.5]) },
  "fc2.weight": { shape: [1, 2], data: Float32Array.from([2, 1]) },
  "fc2.bias": { shape: [1], data: Float32Array.from([0.25]) },
};
const inputs = Float32Array.from([1, 1, 0.5, 0]);

describe("ANN → SNN conversion", () => {
  const plan = runtime.plan(spec, weights);

  it("computes the rate network's activations with each model's step", () => {
    // fc1: [1·1 + 2·1 + 0, 3·1 − 1·1 + 0.5] = [3, 2.5]; [0.5, 2]. fc2: 2·3 + 2.5 + 0.25 = 8.75; 2·0.5 + 2 + 0.25 = 3.25.
    const [a1, a2] = rateActivations(plan, inputs, 2);
    expect(Array.from(a1 as Float32Array)).toEqual([3, 2.5, 0.5, 2]);
    expect(Array.from(a2 as Float32Array)).toEqual([8.75, 3.25]);
  });

  it("max normalisation: W′ = W·λ_in/λ, b′ = b/λ, λ_0 = 1 (pinned by hand)", () => {
    const c = convertToSnn(plan, inputs, 2, { normalise: "max", timeSteps: 10 });
    expect(c.layers.map((l) => [l.lambdaIn, l.lambda])).toEqual([
      [1, 3],
      [3, 8.75],
    ]);
    const close = (a: Float32Array, b: number[]) => {
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] as number, 6);
    };
    close(c.weights["fc1.weight"]?.data as Float32Array, [1 / 3, 2 / 3, 1, -1 / 3]);
    close(c.weights["fc1.bias"]?.data as Float32Array, [0, 0.5 / 3]);
    close(c.weights["fc2.weight"]?.data as Float32Array, [(2 * 3) / 8.75, 3 / 8.75]);
    close(c.weights["fc2.bias"]?.data as Float32Array, [0.25 / 8.75]);
    expect(c.layers.every((l) => l.clippedFraction === 0)).toBe(true);
    // An ordinary SNN spec: IF neurons (β = 1), threshold 1, reset by subtraction, the dense layers' names kept.
    const neurons = c.spec.nodes.filter((n) => n.type === "neuron");
    expect(neurons.map((n) => [n.model, n.params, n.reset])).toEqual([
      ["lif", { beta: 1, threshold: 1 }, "subtract"],
      ["lif", { beta: 1, threshold: 1 }, "subtract"],
    ]);
    expect(c.spec.timeSteps).toBe(10);
    expect(() => runtime.plan(c.spec, c.weights)).not.toThrow();
  });

  it("the 99.9th percentile is the nearest-rank value of the positive activations", () => {
    const values = Float32Array.from({ length: 2000 }, (_, i) => (i < 1000 ? 0 : i - 999)); // zeros, then 1…1000
    expect(normalisationScale(values, "max")).toEqual({ lambda: 1000, max: 1000 });
    // 1000 positive values: rank ceil(0.999·1000) = 999 → the 999th smallest, 999.
    expect(normalisationScale(values, "p99.9")).toEqual({ lambda: 999, max: 1000 });
    expect(normalisationScale(new Float32Array(5), "p99.9")).toEqual({ lambda: 1, max: 0 });
  });

  it("the converted IF network's rates follow the normalised activations (one step per spike at most)", () => {
    const c = convertToSnn(plan, inputs, 2, { normalise: "max", timeSteps: 1000 });
    // Simulate the first layer by hand: IF, θ = 1, subtract; constant current W′x + b′.
    const w = c.weights["fc1.weight"]?.data as Float32Array;
    const b = c.weights["fc1.bias"]?.data as Float32Array;
    const current = [(w[0] as number) + (w[1] as number) + (b[0] as number), (w[2] as number) + (w[3] as number) + (b[1] as number)];
    const rates = current.map((i) => {
      let v = 0;
      let spikes = 0;
      for (let t = 0; t < 1000; t++) {
        v = Math.fround(v + i);
        if (v > 1) {
          v -= 1;
          spikes++;
        }
      }
      return spikes / 1000;
    });
    expect(rates[0]).toBeCloseTo(3 / 3, 2);
    expect(rates[1]).toBeCloseTo(2.5 / 3, 2);
  });

  it("rate-matched: a lif-rate layer becomes a refractory LIF stepped at h = t_ref/resolution, W′ = g·W/k_in, b′ = g·b (pinned by hand)", () => {
    const lifRate = sequentialSpec({ layers: [2, 2, 1], neuron: "lif-rate", outputNeuron: false });
    const c = convertToSnn(runtime.plan(lifRate, weights), inputs, 2, { normalise: "max", timeSteps: 10, match: true, resolution: 4 });
    // t_ref 0.2 τ_m, 4 steps per refractory period: h = 0.05, β = e^(−h), g = 1 − β, k = h/gain = 0.05.
    const h = 0.05;
    const g = 1 - Math.exp(-h);
    expect(c.layers[0]?.counterpart).toEqual({
      model: "lif-refractory",
      params: { beta: Math.exp(-h), threshold: 1, vReset: 0, refractory: 4 },
      inputGain: g,
      spikesPerOutput: h,
    });
    const close = (a: Float32Array, b: number[]) => {
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] as number, 6);
    };
    close(c.weights["fc1.weight"]?.data as Float32Array, [g, 2 * g, 3 * g, -g]);
    close(c.weights["fc1.bias"]?.data as Float32Array, [0, 0.5 * g]);
    // The logits stay IF neurons normalised by their λ, reading layer 1's spikes as activation·k.
    const lambda = c.layers[1]?.lambda as number;
    close(c.weights["fc2.weight"]?.data as Float32Array, [2 / h / lambda, 1 / h / lambda]);
    close(c.weights["fc2.bias"]?.data as Float32Array, [0.25 / lambda]);
    const neurons = c.spec.nodes.filter((n) => n.type === "neuron");
    expect(neurons.map((n) => n.model)).toEqual(["lif-refractory", "lif"]);
    expect(neurons[0]?.reset).toBeUndefined();
    expect(() => runtime.plan(c.spec, c.weights)).not.toThrow();
    // A ReLU network has no declared counterpart: matched conversion says so and names the alternative.
    expect(() => convertToSnn(plan, inputs, 2, { match: true })).toThrow(/spiking counterpart of 'relu'.*--neuron if/);
  });

  it("lif-refractory's rate is the LIF F–I curve sampled at its step: a spike every refractory + ⌈ln((x − v_r)/(x − 1))/h⌉ steps", () => {
    const h = 0.05;
    const xs = [0.9, 1.2, 2, 4];
    const node = {
      type: "neuron" as const,
      id: "n",
      model: "lif-refractory",
      size: xs.length,
      params: { beta: Math.exp(-h), threshold: 1, vReset: 0, refractory: 4 },
    };
    const T = 4000;
    const input = new Float32Array(T * xs.length);
    for (let t = 0; t < T; t++) for (let i = 0; i < xs.length; i++) input[t * xs.length + i] = (1 - Math.exp(-h)) * (xs[i] as number);
    const out = simulatePopulation(node, runtime.neuronModel("lif-refractory"), runtime, input, T, 1).outputs;
    xs.forEach((x, i) => {
      let spikes = 0;
      for (let t = 0; t < T; t++) spikes += out[t * xs.length + i] as number;
      if (x <= 1) {
        expect(spikes).toBe(0);
        return;
      }
      const isi = 4 + Math.ceil(Math.log(x / (x - 1)) / h);
      // float32 may land a crossing one step either side of the exact ceiling.
      expect(T / spikes).toBeGreaterThan(isi - 1);
      expect(T / spikes).toBeLessThan(isi + 1);
    });
  });

  it("refuses what it cannot convert, saying what it takes", () => {
    const snn = runtime.plan(sequentialSpec({ layers: [2, 2], neuron: "lif", timeSteps: 2 }), {
      "fc1.weight": { shape: [2, 2], data: new Float32Array(4) },
      "fc1.bias": { shape: [2], data: new Float32Array(2) },
    });
    expect(() => convertToSnn(snn, inputs, 2)).toThrow(/already spikes; conversion takes a rate network/);
    expect(() => convertToSnn(plan, inputs, 3)).toThrow(/calibration data must be 3 × 2 values/);
    expect(() => convertToSnn(plan, inputs, 2, { beta: 1.5 })).toThrow(/beta must be in \(0, 1\]/);
    expect(() => convertToSnn(plan, inputs, 2, { normalise: "p50" as never })).toThrow(/not one of max, p99.9/);
  });
});
