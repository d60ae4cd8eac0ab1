import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataFileError, type NetworkSpec, type Weights } from "@neurobridge/core";
import { beforeAll, describe, expect, it } from "vitest";
import { mnistTest, paperFfnn, paperSnn, patternWeights, runtime, tfjsBackend, trainBriefly } from "../test-support/trained.js";
import { exportOnnx, type OnnxExportMode } from "./export.js";
import { decodeOnnx, readOnnxFile } from "./model-file.js";
import { evaluateOnnx, OnnxNetwork } from "./session.js";

const test = mnistTest();

async function parity(spec: NetworkSpec, weights: Weights, mode: OnnxExportMode | undefined, count = test.count) {
  const data =
    count === test.count ? test : { ...test, count, inputs: test.inputs.subarray(0, count * 784), labels: test.labels.subarray(0, count) };
  const plan = runtime.plan(spec, weights);
  const exported = exportOnnx(plan, mode ? { mode } : {});
  const { description } = decodeOnnx(exported.bytes, "memory.onnx");
  const network = await OnnxNetwork.load(runtime, exported.bytes, description, "memory.onnx");
  try {
    const onnx = await evaluateOnnx(network, data, runtime.random("onnx"));
    const tfjs = await (await tfjsBackend()).evaluate(plan, data);
    let maxDiff = 0;
    for (let i = 0; i < onnx.outputs.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((onnx.outputs[i] as number) - (tfjs.outputs[i] as number)));
    let samePredictions = 0;
    for (let i = 0; i < data.count; i++) if (onnx.predictions[i] === tfjs.predictions[i]) samePredictions++;
    return { exported, description, onnx, tfjs, maxDiff, samePredictions };
  } finally {
    await network.release();
  }
}

describe("ONNX export, run in onnxruntime-node against the tfjs backend", () => {
  let ffnnWeights: Weights;
  let snnWeights: Weights;
  beforeAll(async () => {
    ffnnWeights = await trainBriefly(paperFfnn(), 4096);
    snnWeights = await trainBriefly(paperSnn(), 4096);
  }, 120_000);

  it("writes the FFNN as Gemm/Relu (opset 17, IR 8) with identical predictions on the whole test set", async () => {
    const r = await parity(paperFfnn(), ffnnWeights, undefined);
    expect(r.exported.info.mode).toBe("feedforward");
    expect(r.description).toMatchObject({ irVersion: 8, opset: 17, operators: { Gemm: 3, Relu: 2 }, parameters: 269_322 });
    expect(r.onnx.count).toBe(10_000);
    expect(r.onnx.accuracy).toBeGreaterThan(0.85);
    expect(r.samePredictions).toBe(10_000);
    expect(r.maxDiff).toBeLessThanOrEqual(1e-5);
  }, 120_000);

  it("writes the SNN unrolled over T = 25: spike counts and predictions identical on the whole test set", async () => {
    const r = await parity(paperSnn(), snnWeights, "unrolled");
    expect(r.exported.info).toMatchObject({ mode: "unrolled", timeSteps: 25, scores: "scores" });
    // Three Gemms (layer-major over all steps), 3 × 25 LIF steps.
    expect(r.description.operators.Gemm).toBe(3);
    expect(r.description.operators.Greater).toBe(75);
    expect(r.onnx.accuracy).toBeGreaterThan(0.8);
    expect(r.samePredictions).toBe(10_000);
    expect(r.maxDiff).toBe(0);
    // Spike counts are integers in [0, T].
    expect(r.onnx.outputs.every((c) => Number.isInteger(c) && c >= 0 && c <= 25)).toBe(true);
  }, 120_000);

  it("writes the SNN as a step graph with explicit state: identical spike counts on the whole test set", async () => {
    const r = await parity(paperSnn(), snnWeights, "step");
    expect(r.exported.info.states.map((s) => [s.input, s.output])).toEqual([
      ["lif1.v", "lif1.v.next"],
      ["lif2.v", "lif2.v.next"],
      ["lif3.v", "lif3.v.next"],
    ]);
    expect(r.description.inputs.map((i) => i.name)).toEqual(["input", "lif1.v", "lif2.v", "lif3.v"]);
    expect(r.exported.info.spikeOutputs.map((s) => s.output)).toEqual(["spikes.lif1", "spikes.lif2"]);
    expect(r.samePredictions).toBe(10_000);
    expect(r.maxDiff).toBe(0);
  }, 120_000);

  it("exports learned per-neuron β and reset-to-zero through the model's own step", async () => {
    const spec = paperSnn({ learn: ["beta"], reset: "zero", timeSteps: 10 });
    const weights = await trainBriefly(spec, 1024, 5);
    const betas = weights["lif1.beta"]?.data as Float32Array;
    expect(new Set(betas).size).toBeGreaterThan(10);
    for (const mode of ["unrolled", "step"] as const) {
      const r = await parity(spec, weights, mode, 2000);
      expect(r.samePredictions).toBe(2000);
      expect(r.maxDiff).toBe(0);
    }
  }, 120_000);

  it("exports rate neurons other than ReLU (sigmoid) within 1e-5 of tfjs", async () => {
    const spec = paperFfnn("sigmoid");
    const weights = await trainBriefly(spec, 2048, 8);
    const r = await parity(spec, weights, undefined, 2000);
    expect(r.description.operators.Sigmoid).toBe(2);
    expect(r.maxDiff).toBeLessThanOrEqual(1e-5);
    expect(r.samePredictions).toBe(2000);
  }, 120_000);
});

describe("reading .onnx files", () => {
  const dir = mkdtempSync(join(tmpdir(), "nb-onnx-"));
  const spec = paperSnn({ layers: [784, 16, 10], timeSteps: 3 });
  const weights = patternWeights(spec, runtime, (i) => ((i * 7919) % 13) / 26 - 0.25);
  const bytes = exportOnnx(runtime.plan(spec, weights), { mode: "unrolled" }).bytes;

  it("describes a good file", () => {
    const file = join(dir, "good.onnx");
    writeFileSync(file, bytes);
    const { description } = readOnnxFile(file);
    expect(description.neurobridge?.mode).toBe("unrolled");
    expect(description.outputs).toEqual([{ name: "scores", dims: ["batch", 10], elemType: 1 }]);
  });

  it.each([
    ["missing", null, /no such file/],
    ["empty", new Uint8Array(0), /the file is empty/],
    ["garbage", new TextEncoder().encode("this is not a model, just text".repeat(20)), /corrupt, truncated or not ONNX|not an ONNX model/],
    ["truncated in the middle", bytes.subarray(0, Math.floor(bytes.length / 2)), /corrupt, truncated|incomplete|probably truncated/],
    ["truncated near the end", bytes.subarray(0, bytes.length - 40), /corrupt, truncated|incomplete|probably truncated|never computed/],
  ])("rejects a %s file with a clear DataFileError", (name, content, message) => {
    const file = join(dir, `${name.replaceAll(" ", "-")}.onnx`);
    if (content) writeFileSync(file, content);
    let error: unknown;
    try {
      readOnnxFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataFileError);
    expect(String((error as Error).message)).toMatch(message);
    expect(String((error as Error).message)).toContain(file);
  });
});
