/**
 * Training from code through the typed entry point: `runtime.backend("tfjs")`
 * is a TfjsBackend (no cast, no optional `createTrainer`), data from plain
 * arrays or an async iterator, per-epoch callbacks and early stopping.
 */
import { collectDataset, createRandom, createRuntime, type Example, sequentialSpec, shouldStopEarly, toDataset } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { describe, expect, it } from "vitest";
import { tfjsPlugin } from "./plugin.js";

/** Two Gaussian blobs in 8 dimensions, labels 0/1: plain arrays, as a user has them. */
function blobs(count: number, seed: number): { inputs: number[]; labels: number[] } {
  const rng = createRandom(seed);
  const inputs: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    for (let f = 0; f < 8; f++) inputs.push((label ? 0.8 : 0.2) + 0.15 * rng.normal());
    labels.push(label);
  }
  return { inputs, labels };
}

const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin({ workers: 1 })], seed: 3 });
const spec = sequentialSpec({ layers: [8, 16, 2], neuron: "lif", params: { beta: 0.9 }, timeSteps: 8 });

describe("backend.train from code", () => {
  it("trains a spiking network on plain arrays and evaluates the test arrays", async () => {
    const tfjs = await runtime.backend("tfjs");
    const run = await tfjs.train(runtime.plan(spec), {
      train: blobs(256, 1),
      test: blobs(128, 2),
      epochs: 4,
      batchSize: 16,
      learningRate: 2e-2,
    });
    expect(run.status).toBe("completed");
    expect(run.history).toHaveLength(4);
    expect(run.evaluation?.accuracy).toBeGreaterThan(0.9);
    expect(run.evaluation?.count).toBe(128);
    expect(Object.keys(run.weights).sort()).toEqual(["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]);
    expect(run.implementations.lif1).toMatch(/kernel sequence/);
    // Same seed, same result, bit for bit.
    const again = await tfjs.train(runtime.plan(spec), {
      train: blobs(256, 1),
      test: blobs(128, 2),
      epochs: 4,
      batchSize: 16,
      learningRate: 2e-2,
    });
    const bits = (w: typeof run.weights) => Buffer.from(Float32Array.from(w["fc1.weight"]?.data ?? []).buffer);
    expect(bits(again.weights)).toEqual(bits(run.weights));
  }, 60_000);

  it("stops when onEpoch says so, and by early stopping on the history", async () => {
    const tfjs = await runtime.backend("tfjs");
    const seen: number[] = [];
    const stopped = await tfjs.train(runtime.plan(spec), {
      train: blobs(64, 1),
      epochs: 5,
      batchSize: 32,
      learningRate: 5e-3,
      onEpoch: (e) => {
        seen.push(e.epoch);
        return e.epoch === 2 ? "stop" : undefined;
      },
    });
    expect(seen).toEqual([1, 2]);
    expect(stopped.status).toBe("stopped");
    expect(stopped.history).toHaveLength(2);
    // A learning rate this small cannot move test accuracy by 5 points per epoch: patience 1 stops after epoch 2.
    const early = await tfjs.train(runtime.plan(spec), {
      train: blobs(64, 1),
      test: blobs(64, 2),
      epochs: 6,
      batchSize: 32,
      learningRate: 1e-7,
      earlyStopping: { patience: 1, minDelta: 0.05 },
    });
    expect(early.status).toBe("stopped");
    expect(early.history).toHaveLength(2);
  }, 60_000);

  it("reads an async iterator of examples", async () => {
    async function* examples(): AsyncGenerator<Example> {
      const { inputs, labels } = blobs(96, 5);
      for (let i = 0; i < labels.length; i++) yield { input: inputs.slice(i * 8, (i + 1) * 8), label: labels[i] as number };
    }
    const data = await collectDataset(examples(), { classes: 2 });
    expect([data.count, data.features, data.classes]).toEqual([96, 8, 2]);
    const tfjs = await runtime.backend("tfjs");
    const run = await tfjs.train(runtime.plan(spec), { train: data, epochs: 1, batchSize: 32, learningRate: 5e-3 });
    expect(run.history[0]?.trainLoss).toBeGreaterThan(0);
  }, 30_000);

  it("refuses data that does not fit the network or is malformed, naming what is wrong", async () => {
    const tfjs = await runtime.backend("tfjs");
    const plan = runtime.plan(spec);
    const base = { epochs: 1, batchSize: 8, learningRate: 1e-3 };
    await expect(tfjs.train(plan, { ...base, train: { inputs: [1, 2, 3, 4], labels: [0, 1] } })).rejects.toThrow(
      "train: examples have 2 features; the network's input takes 8",
    );
    await expect(tfjs.train(plan, { ...base, train: { inputs: new Array(16).fill(0), labels: [0, 5] } })).rejects.toThrow(
      "train: has 6 classes; the network's output has 2",
    );
    expect(() => toDataset({ inputs: [0, Number.NaN], labels: [0] }, "train")).toThrow(/train: input 0, feature 1 is NaN/);
    expect(() => toDataset({ inputs: [0, 1, 2], labels: [0, 1] })).toThrow(/3 input values do not split into 2 examples/);
    expect(() => toDataset({ inputs: [0, 1], labels: [0.5, 1] })).toThrow(/label 0 is 0\.5; labels must be class indices/);
    await expect(
      collectDataset([
        { input: [1, 2], label: 0 },
        { input: [1], label: 1 },
      ]),
    ).rejects.toThrow("example 1: has 1 features, the first had 2");
    await expect(tfjs.train(plan, { ...base, train: blobs(16, 1), earlyStopping: { patience: 0 } })).rejects.toThrow(
      "earlyStopping.patience: must be an integer ≥ 1, got 0",
    );
  });
});

describe("weight constraints (constraint-aware training)", () => {
  it("trains through the constraint: forward and reported weights are constrained, masked weights never matter", async () => {
    const tfjs = await runtime.backend("tfjs");
    const plan = runtime.plan(spec);
    // fc1: each hidden neuron sees only the first or the second half of the inputs, with weights ±0.5.
    const mask = Uint8Array.from({ length: 16 * 8 }, (_, k) => (Math.floor(k / 8) < 8 ? (k % 8 < 4 ? 1 : 0) : k % 8 >= 4 ? 1 : 0));
    const signs = {
      layer: "fc1",
      description: "test: ±0.5 on a mask",
      mask,
      apply: (raw: Float32Array) => Float32Array.from(raw, (w, k) => (mask[k] ? (w >= 0 ? 0.5 : -0.5) : 0)),
    };
    const run = await tfjs.train(plan, {
      train: blobs(256, 1),
      test: blobs(128, 2),
      epochs: 3,
      batchSize: 16,
      learningRate: 2e-2,
      weightConstraints: [signs],
    });
    const w = run.weights["fc1.weight"]?.data as Float32Array;
    expect(new Set(Array.from(w))).toEqual(new Set([0.5, -0.5, 0]));
    expect(Array.from(w).every((x, k) => (mask[k] ? x !== 0 : x === 0))).toBe(true);
    expect(run.evaluation?.accuracy).toBeGreaterThan(0.85);
    await expect(
      tfjs.train(plan, {
        train: blobs(16, 1),
        epochs: 1,
        batchSize: 8,
        learningRate: 1e-3,
        weightConstraints: [{ ...signs, layer: "lif1" }],
      }),
    ).rejects.toThrow("weightConstraints: 'lif1' is not a dense layer of this network; dense layers: fc1, fc2");
  }, 60_000);
});

describe("shouldStopEarly", () => {
  const epoch = (n: number, testAccuracy: number, trainLoss = 1) => ({ epoch: n, trainLoss, trainAccuracy: 0, testAccuracy, seconds: 1 });
  it("counts epochs since the best value, higher accuracy or lower loss being better", () => {
    const h = [epoch(1, 0.5), epoch(2, 0.6), epoch(3, 0.6), epoch(4, 0.59)];
    expect(shouldStopEarly(h.slice(0, 3), { patience: 2 })).toBe(false);
    expect(shouldStopEarly(h, { patience: 2 })).toBe(true);
    expect(shouldStopEarly(h, { patience: 3 })).toBe(false);
    const losses = [epoch(1, 0, 1.0), epoch(2, 0, 0.8), epoch(3, 0, 0.79)];
    expect(shouldStopEarly(losses, { patience: 1, monitor: "trainLoss" })).toBe(false);
    expect(shouldStopEarly(losses, { patience: 1, monitor: "trainLoss", minDelta: 0.05 })).toBe(true);
  });
});
