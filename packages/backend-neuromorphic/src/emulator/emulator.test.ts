import { ChainExecutor, createOrtGemm } from "@neurobridge/backend-tfjs";
import {
  accuracyOf,
  createRuntime,
  type NetworkSpec,
  type NeuroBridgePlugin,
  type NeuronModel,
  predictClasses,
  sequentialSpec,
  type Weights,
} from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { beforeAll, describe, expect, it } from "vitest";
import { createFloatEmulator, DeploymentError, deploy } from "../deploy.js";
import { mnistTest, paperFfnn, paperSnn, patternWeights, runtime, tfjsBackend, trainBriefly } from "../test-support/trained.js";
import { totals } from "./counters.js";
import { mlasSliceK } from "./gemm-order.js";
import { HostLayer } from "./host-layer.js";

const test = mnistTest();
const first = (n: number) => test.inputs.subarray(0, n * 784);

describe("the training GEMM's summation order", () => {
  it.each([
    [256, 256],
    [784, 256],
    [256, 10],
    [100, 300],
    [64, 1000],
  ])("reproduces ONNX Runtime's Gemm bit for bit for binary input (K = %i, N = %i)", async (K, N) => {
    let seed = 5;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const M = 32;
    const a = new Float32Array(M * K).map(() => (rnd() < 0.3 ? 1 : 0));
    const w = new Float32Array(N * K).map(() => (rnd() - 0.5) * 0.2);
    const bias = new Float32Array(N).map(() => (rnd() - 0.5) * 0.2);
    // The off-chip layer multiplies exactly as the training backend's GEMM does (no pre-packing).
    const host = await HostLayer.create(runtime, {
      kind: "dense",
      id: "fc",
      inFeatures: K,
      outFeatures: N,
      hasBias: true,
      weight: w,
      bias,
    });
    const ort = await host.currents(a, M);
    await host.release();
    const slice = mlasSliceK(N, K);
    const js = new Float32Array(M * N);
    for (let r = 0; r < M; r++) {
      for (let j = 0; j < N; j++) {
        const c = new Float32Array([bias[j] as number]);
        for (let k0 = 0; k0 < K; k0 += slice) {
          const p = new Float32Array(1);
          for (let k = k0; k < Math.min(K, k0 + slice); k++) if (a[r * K + k]) p[0] = (p[0] as number) + (w[j * K + k] as number);
          c[0] = (c[0] as number) + (p[0] as number);
        }
        js[r * N + j] = c[0] as number;
      }
    }
    expect(js).toEqual(ort);
  });
});

describe("the float event-driven emulator", () => {
  let weights: Weights;
  beforeAll(async () => {
    weights = await trainBriefly(paperSnn(), 4096);
  }, 120_000);

  it("reproduces the tfjs SNN's spikes exactly, layer by layer, one tick late per hop", async () => {
    const spec = paperSnn();
    const n = 400;
    const plan = runtime.plan(spec, weights);
    const emulator = await createFloatEmulator(runtime, plan);
    expect(emulator.ticksPerSample).toBe(27);
    const run = await emulator.run(first(n), n, runtime.random("e"), { record: true });
    const executor = new ChainExecutor(runtime, plan, await createOrtGemm(1));
    const params = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.data]));
    const forward = await executor.forward(params, first(n), n, runtime.random("x"));
    const T = 25;
    forward.layers.forEach((layer, l) => {
      const N = layer.size;
      const raster = run.rasters?.[l] as Uint8Array;
      let mismatches = 0;
      let spikes = 0;
      for (let b = 0; b < n; b++)
        for (let t = 0; t < T; t++)
          for (let j = 0; j < N; j++) {
            const ref = layer.output.data[(t * n + b) * N + j] as number;
            spikes += ref;
            if (ref !== raster[(b * T + t) * N + j]) mismatches++;
          }
      expect(spikes, layer.id).toBeGreaterThan(1000);
      expect(mismatches, layer.id).toBe(0);
    });
    const tfjs = await (await tfjsBackend()).evaluate(plan, {
      ...test,
      count: n,
      inputs: first(n),
      labels: test.labels.subarray(0, n),
    });
    expect(run.scores).toEqual(tfjs.outputs);
    await emulator.plan.host?.release();
  }, 120_000);

  it("does work in proportion to spikes: silencing half the input spikes halves the synaptic events", async () => {
    const rt = createRuntime({ plugins: [lifPlugin], seed: 1 });
    const spec = sequentialSpec({ layers: [784, 64, 10], neuron: "lif", timeSteps: 10, encoder: { name: "rate" } });
    const w = patternWeights(spec, rt, (i) => (((i * 2654435761) % 1000) / 1000 - 0.5) * 0.3);
    const emulator = await createFloatEmulator(rt, rt.plan(spec, w));
    // Binary images: the rate encoder turns 1 into a spike at every step.
    const image = new Float32Array(784);
    for (let i = 0; i < 784; i += 3) image[i] = 1;
    const half = image.map((x, i) => (i % 6 === 0 ? x : 0));
    const full = await emulator.run(image, 1, rt.random("a"));
    const halved = await emulator.run(half, 1, rt.random("b"));
    const events = (r: typeof full) => (r.counters.layers[0] as { synapticEvents: number }).synapticEvents;
    expect(events(full)).toBe(262 * 10 * 64);
    expect(events(halved)).toBe(events(full) / 2);
    // Nothing in: the input layer does no synaptic work; downstream work is exactly its spikes × fan-out.
    const silent = await emulator.run(new Float32Array(784), 1, rt.random("c"));
    expect(events(silent)).toBe(0);
    const [l1, l2] = silent.counters.layers as unknown as [{ spikes: number }, { synapticEvents: number }];
    expect(l2.synapticEvents).toBe(l1.spikes * 10);
  });

  it("runs a plugin's spiking model through its own step", async () => {
    const ifModel: NeuronModel = {
      name: "if-test",
      description: "integrate and fire: v ← v + I; spike when v > θ",
      dynamics: "spiking",
      params: [{ name: "threshold", type: "number", default: 1, min: 0, exclusiveMin: true, description: "threshold" }],
      state: [{ name: "v", description: "membrane", initial: 0 }],
      updateCost: { multiplies: 0, adds: 1, compares: 1 },
      step(ops, input, state, params, ctx) {
        const v = ops.add(state.v as never, input);
        const s = ops.spike(ops.sub(v, params.threshold as never), ctx.surrogate);
        return { output: s, state: { v: ctx.reset.apply(ops, v, s, params.threshold as never) } };
      },
    };
    const plugin: NeuroBridgePlugin = { name: "if-test", register: (r) => r.neuronModel(ifModel) };
    const rt = createRuntime({ plugins: [lifPlugin, plugin], seed: 2 });
    const spec: NetworkSpec = sequentialSpec({ layers: [784, 32, 10], neuron: "if-test", timeSteps: 5 });
    const w = patternWeights(spec, rt, (i) => (((i * 40503) % 997) / 997 - 0.4) * 0.2);
    const emulator = await createFloatEmulator(rt, rt.plan(spec, w));
    const run = await emulator.run(first(8), 8, rt.random("p"), { record: true });
    expect(totals(run.counters).spikes).toBeGreaterThan(0);
    await expect(deploy(rt, rt.plan(spec, w), "loihi")).rejects.toThrow(
      /uses neuron model 'if-test', which has no Loihi mapping \(a 'fixed-point:loihi' kernel\); models with one: 'lif'/,
    );
    await emulator.plan.host?.release();
  });
});

describe("deploying to Loihi and TrueNorth", () => {
  let weights: Weights;
  beforeAll(async () => {
    weights = await trainBriefly(paperSnn(), 4096);
  }, 120_000);

  it("maps the paper SNN onto Loihi cores and keeps fixed-point accuracy within 1 point of the float model", async () => {
    const d = await deploy(runtime, runtime.plan(paperSnn(), weights), "loihi");
    expect(d.report).toMatchObject({ target: "loihi", inputMode: "host", cores: 3, ticksPerSample: 27, latencyTicks: 2 });
    expect(d.report.populations.map((p) => p.cores)).toEqual([1, 1, 1]);
    for (const q of d.report.quantization.filter((x) => x.fedBy === "synapses")) {
      expect(q.dv).toBe(205);
      expect(q.vth).toBeGreaterThan(100);
      expect(q.weightRelativeRmsError).toBeLessThan(0.03);
    }
    const n = 1000;
    const labels = test.labels.subarray(0, n);
    const fixed = await d.emulator.run(first(n), n, runtime.random("f"));
    const float = await d.floatEmulator.run(first(n), n, runtime.random("g"));
    const fixedAcc = accuracyOf(predictClasses(fixed.scores, 10), labels);
    const floatAcc = accuracyOf(predictClasses(float.scores, 10), labels);
    expect(floatAcc).toBeGreaterThan(0.85);
    expect(Math.abs(fixedAcc - floatAcc)).toBeLessThanOrEqual(0.01);
    const energy = d.energy(fixed.counters);
    expect(energy.joulesPerSample).toBeGreaterThan(1e-7);
    expect(energy.joulesPerSample).toBeLessThan(1e-4);
    expect(energy.breakdown.synapticOps).toBeCloseTo(totals(fixed.counters).synapticEvents * 23.6e-12, 15);
    await d.release();
  }, 120_000);

  it("names the constraint a network breaks", async () => {
    const chain = runtime.plan(paperSnn(), weights);
    const tn = await deploy(runtime, chain, "truenorth").catch((e) => e);
    expect(tn).toBeInstanceOf(DeploymentError);
    expect(tn).toMatchObject({ constraint: "axonsPerCore", details: { layer: "fc1", limit: 256, required: 1568 } });
    expect(tn.message).toMatch(/fan-in 784 .* 1568 axons .* a TrueNorth core has 256 axons\. To fit:/);
    const ffnn = await trainBriefly(paperFfnn(), 512, 3);
    await expect(deploy(runtime, runtime.plan(paperFfnn(), ffnn), "loihi")).rejects.toThrow(/no spiking populations/);
    const learned = paperSnn({ learn: ["beta"] });
    const w: Weights = { ...weights, "lif1.beta": { shape: [256], data: new Float32Array(256).map((_, i) => 0.9 + i * 1e-4) } };
    w["lif2.beta"] = { shape: [256], data: new Float32Array(256).fill(0.95) };
    w["lif3.beta"] = { shape: [10], data: new Float32Array(10).fill(0.95) };
    await expect(deploy(runtime, runtime.plan(learned, w), "loihi")).rejects.toMatchObject({
      constraint: "sharedCompartmentProfile",
    });
    await expect(deploy(runtime, runtime.plan(paperSnn({ reset: "none" }), weights), "loihi")).rejects.toThrow(
      /reset 'none'; Loihi resets v to 0/,
    );
    await expect(deploy(runtime, chain, "spinnaker")).rejects.toThrow(/unknown target 'spinnaker'; accepted: loihi, truenorth/);
  }, 120_000);

  it("deploys a cuba-lif SNN on Loihi with its own compartment: du from α, fixed point close to float", async () => {
    const spec = paperSnn({
      neuron: "cuba-lif",
      params: { alpha: 0.5, beta: 0.9 },
      reset: "zero",
      encoder: { name: "rate" },
      timeSteps: 20,
    });
    const w = await trainBriefly(spec, 4096);
    const d = await deploy(runtime, runtime.plan(spec, w), "loihi");
    // α = 0.5 → du = 4095 − 2048; β = 0.9 → dv = 410; every population on-chip (spiking input).
    expect(d.report.inputMode).toBe("spikes");
    expect(d.report.quantization.map((q) => [q.du, q.dv])).toEqual([
      [2047, 410],
      [2047, 410],
      [2047, 410],
    ]);
    const n = 500;
    const labels = test.labels.subarray(0, n);
    const fixed = await d.emulator.run(first(n), n, runtime.random("cuba"));
    const float = await d.floatEmulator.run(first(n), n, runtime.random("cuba"));
    const fixedAcc = accuracyOf(predictClasses(fixed.scores, 10), labels);
    const floatAcc = accuracyOf(predictClasses(float.scores, 10), labels);
    expect(floatAcc).toBeGreaterThan(0.7);
    expect(Math.abs(fixedAcc - floatAcc)).toBeLessThanOrEqual(0.03);
    // (Bit-exactness of the float emulator against training is the conformance suite's check.)
    const tfjs = await (await tfjsBackend()).evaluate(
      runtime.plan(spec, w),
      { ...test, count: n, inputs: first(n), labels },
      { batchSize: n },
    );
    expect(tfjs.accuracy).toBeGreaterThan(0.7);
    await d.release();
  }, 180_000);
});
