import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime, initWeights, sequentialSpec } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { bundledPlugins } from "../plugins.js";
import { evaluateExperiment, loadPaperData, type TrainConfig, trainExperiment } from "./training.js";

const config: TrainConfig = {
  model: "snn",
  epochs: 1,
  timeSteps: 5,
  batchSize: 32,
  learningRate: 2e-3,
  seed: 3,
  trainCount: 2048,
  testCount: 500,
  lrSchedule: "cosine",
  workers: 1,
};

describe("the training experiment (what `train`, `eval` and the pipeline run)", () => {
  it("builds the network's plan once per run, trains on the registered kernels and evaluates the checkpoint", async () => {
    const runtime = createRuntime({ plugins: bundledPlugins(), seed: 3 });
    const dir = mkdtempSync(join(tmpdir(), "nb-train-exp-"));
    const data = loadPaperData({ trainCount: config.trainCount, testCount: config.testCount });
    const before = runtime.plansBuilt;
    const result = await trainExperiment(runtime, config, { checkpointDir: dir, data });
    expect(runtime.plansBuilt - before).toBe(1);
    expect(result).toMatchObject({ status: "completed", loss: "ce_rate", workers: 1 });
    expect(result.implementations).toEqual({
      lif1: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
      lif2: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
      lif3: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
    });
    expect(result.testAccuracy).toBeGreaterThan(0.3);
    const ev = await evaluateExperiment(runtime, dir, { subset: 500 });
    expect(runtime.plansBuilt - before).toBe(2);
    // The checkpoint evaluates to what training measured on the same images.
    expect(ev.accuracy).toBe(result.testAccuracy);
    expect(ev.backend).toBe("tfjs");
    // The float event-driven emulator gives the same predictions (its spikes equal training's).
    const emulated = await evaluateExperiment(runtime, dir, { subset: 500, backend: "emulator" });
    expect(emulated.accuracy).toBe(ev.accuracy);
    expect(Array.from(emulated.evaluation.outputs)).toEqual(Array.from(ev.evaluation.outputs));
  }, 120_000);

  it("trains any registered model: a kernel-less rate model runs its compiled step", async () => {
    const runtime = createRuntime({ plugins: bundledPlugins(), seed: 3 });
    const dir = mkdtempSync(join(tmpdir(), "nb-train-exp-"));
    const data = loadPaperData({ trainCount: 2048, testCount: 300 });
    const result = await trainExperiment(
      runtime,
      { ...config, model: "ffnn", timeSteps: 1, network: { neuron: "sigmoid-fit", neuronParams: { k: 2 } } },
      { checkpointDir: dir, data },
    );
    expect(result.loss).toBe("softmax_ce");
    expect(result.implementations).toEqual({
      "sigmoid-fit1": "compiled step (core, wasm)",
      "sigmoid-fit2": "compiled step (core, wasm)",
    });
    expect(result.testAccuracy).toBeGreaterThan(0.5);
  }, 120_000);

  it("trains the kernel-less spiking members (eif, adex, lif-vreset, lif-refractory) through their compiled step", async () => {
    const runtime = createRuntime({ plugins: bundledPlugins(), seed: 3 });
    const data = loadPaperData({ trainCount: 2048, testCount: 300 });
    const backend = await runtime.backend("tfjs");
    for (const neuron of ["eif", "adex", "lif-vreset", "lif-refractory"]) {
      const plan = runtime.plan(sequentialSpec({ layers: [784, 64, 10], neuron, timeSteps: 20 }));
      const trainer = await (backend.createTrainer as NonNullable<typeof backend.createTrainer>).call(
        backend,
        plan,
        initWeights(plan.spec, runtime.random(`init-${neuron}`), runtime),
        { seed: 1, workers: 1 },
      );
      expect(Object.values(trainer.implementations)).toEqual(["compiled step (core, wasm)", "compiled step (core, wasm)"]);
      const fit = await trainer.fit({ train: data.train, test: data.test, epochs: 1, batchSize: 32, learningRate: 2e-3 });
      await trainer.dispose();
      expect(fit.history[0]?.testAccuracy, neuron).toBeGreaterThan(0.35);
    }
  }, 120_000);
});
