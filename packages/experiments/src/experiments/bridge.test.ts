import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime } from "@neurobridge/core";
import { loadCheckpoint } from "@neurobridge/core/node";
import { beforeAll, describe, expect, it } from "vitest";
import { bundledPlugins } from "../plugins.js";
import { convertCheckpoint } from "./bridge.js";
import { type TrainConfig, trainExperiment } from "./training.js";

const runtime = createRuntime({ plugins: bundledPlugins(), seed: 4 });
const ffnnConfig: TrainConfig = {
  model: "ffnn",
  epochs: 2,
  timeSteps: 1,
  batchSize: 64,
  learningRate: 2e-3,
  seed: 4,
  trainCount: 4096,
  testCount: 500,
  lrSchedule: "constant",
  workers: 1,
};

describe("the bridge from the LIF-rate FFNN: rate-matched conversion follows the trained curve, IF conversion does not", () => {
  it("converts each lif-rate layer to its refractory-LIF counterpart, whose F–I curve and accuracy follow the FFNN's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-bridge-lifrate-"));
    const config: TrainConfig = { ...ffnnConfig, epochs: 1, network: { activation: "lif-rate" } };
    const ffnn = (await trainExperiment(runtime, config, { checkpointDir: join(dir, "ffnn") })).testAccuracy;
    expect(ffnn).toBeGreaterThan(0.5);
    const options = { steps: 64, calibration: 500, evalSamples: 300, sweep: [64] };
    const matched = await convertCheckpoint(runtime, join(dir, "ffnn"), join(dir, "matched"), { ...options, neuron: "matched" });
    const viaIf = await convertCheckpoint(runtime, join(dir, "ffnn"), join(dir, "if"), { ...options, neuron: "if" });
    expect(matched.layers.map((l) => l.counterpart?.model)).toEqual(["lif-refractory", "lif-refractory", undefined]);
    const [m, i] = [matched.diagnostics, viaIf.diagnostics];
    for (const c of m?.curves ?? []) expect(c.r2).toBeGreaterThan(0.97);
    for (const c of i?.curves ?? []) expect(c.r2).toBeLessThan(0.8);
    expect(m?.snnAccuracy).toBeGreaterThan((m?.ffnnAccuracy as number) - 0.02);
    expect(m?.snnAccuracy).toBeGreaterThan(i?.snnAccuracy as number);
  }, 180_000);
});

describe("the bridge: FFNN → converted SNN → fine-tuned SNN", () => {
  const dir = mkdtempSync(join(tmpdir(), "nb-bridge-"));
  const ffnn = join(dir, "ffnn");
  let ffnnAccuracy = 0;
  beforeAll(async () => {
    ffnnAccuracy = (await trainExperiment(runtime, ffnnConfig, { checkpointDir: ffnn })).testAccuracy;
  }, 120_000);

  it("converts with data-based normalisation; the SNN's rates follow the activations and its accuracy reaches the FFNN's as T grows", async () => {
    const out = join(dir, "snn");
    const report = await convertCheckpoint(runtime, ffnn, out, { steps: 32, calibration: 500, evalSamples: 300, sweep: [2, 8, 32] });
    expect(report.layers.map((l) => l.dense)).toEqual(["fc1", "fc2", "fc3"]);
    // λ_in of each layer is λ of the one before.
    expect(report.layers.map((l) => l.lambdaIn)).toEqual([1, report.layers[0]?.lambda, report.layers[1]?.lambda]);
    const d = report.diagnostics;
    expect(d).toBeDefined();
    expect(d?.sweep.map((p) => p.timeSteps)).toEqual([2, 8, 32]);
    // More steps, more accurate and more synaptic work.
    expect(d?.sweep[2]?.accuracy).toBeGreaterThan(d?.sweep[0]?.accuracy as number);
    expect(d?.sweep[2]?.accumulates).toBeGreaterThan(d?.sweep[1]?.accumulates as number);
    expect(d?.snnAccuracy).toBeGreaterThan((d?.ffnnAccuracy as number) - 0.03);
    for (const a of d?.agreement ?? []) expect(a.correlation).toBeGreaterThan(0.9);
    expect(d?.agreement.map((a) => a.layer)).toEqual(["lif1", "lif2", "lif3"]);
    // The FFNN measured here is the checkpoint's (same 300 test images are the first of its 500).
    expect(Math.abs((d?.ffnnAccuracy as number) - ffnnAccuracy)).toBeLessThan(0.05);
    // The F–I link of a ReLU network converted to IF neurons: the same curve up to λ.
    expect(d?.curves.map((c) => [c.layer, c.trained, c.converted])).toEqual([
      ["lif1", "relu", "lif"],
      ["lif2", "relu", "lif"],
    ]);
    for (const c of d?.curves ?? []) expect(c.r2).toBeGreaterThan(0.99);
    // An ordinary checkpoint: IF neurons with the FFNN's pixel scaling recorded.
    const converted = loadCheckpoint(out, runtime);
    expect(converted.spec.timeSteps).toBe(32);
    expect(converted.spec.metadata?.normalization).toBe("unit");
    expect(() => runtime.plan(converted.spec, converted.weights)).not.toThrow();
  }, 120_000);

  it("fine-tunes the converted SNN with the surrogate-gradient trainer (conversion as initialisation)", async () => {
    const out = join(dir, "snn16");
    await convertCheckpoint(runtime, ffnn, out, { steps: 16, calibration: 500, evalSamples: 0 });
    const tuned = await trainExperiment(
      runtime,
      { ...ffnnConfig, model: "snn", timeSteps: 16, epochs: 1, learningRate: 1e-4, trainCount: 1024 },
      { checkpointDir: join(dir, "tuned"), initFrom: out },
    );
    expect(tuned.status).toBe("completed");
    // It trained the converted network (IF, θ 1, T 16), not a fresh paper SNN.
    const saved = loadCheckpoint(join(dir, "tuned"), runtime);
    expect(saved.spec.timeSteps).toBe(16);
    expect(saved.spec.nodes.find((n) => n.type === "neuron")).toMatchObject({ params: { beta: 1, threshold: 1 }, reset: "subtract" });
    expect(tuned.testAccuracy).toBeGreaterThan(0.6);
    await expect(
      trainExperiment(runtime, { ...ffnnConfig, model: "snn", target: "truenorth" }, { checkpointDir: join(dir, "bad"), initFrom: out }),
    ).rejects.toThrow(/--init starts from .* --target truenorth would change that network/);
  }, 120_000);
});
