import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bindWeights, createRuntime, initWeights, type NetworkSpec, sequentialSpec } from "@neurobridge/core";
import { loadCheckpoint } from "@neurobridge/core/node";
import { loadMnist, subset } from "@neurobridge/mnist";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { beforeAll, describe, expect, it } from "vitest";
import type { TfjsBackend } from "./backend.js";
import { workerExecArgv } from "./parallel.js";
import { tfjsPlugin } from "./plugin.js";
import { scheduledLearningRate } from "./trainer.js";

const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin()], seed: 7 });
let backend: TfjsBackend;
const train = subset(loadMnist("train"), 1536);
const test = subset(loadMnist("test"), 500);
const snn = sequentialSpec({ layers: [784, 128, 128, 10], neuron: "lif", params: { beta: 0.95 }, timeSteps: 25, learn: ["beta"] });
const ffnn = sequentialSpec({ layers: [784, 64, 64, 10], neuron: "relu", outputNeuron: false });

beforeAll(async () => {
  backend = (await runtime.backend("tfjs")) as TfjsBackend;
});

const fresh = (spec: NetworkSpec, seed = 11) =>
  backend.createTrainer(runtime.plan(spec), initWeights(spec, runtime.random(`init-${seed}`), runtime), { seed });

describe("training on MNIST (small subsets)", () => {
  it("trains the FFNN and the SNN well above chance (10%)", async () => {
    const f = await (await fresh(ffnn)).fit({ train, test, epochs: 2, batchSize: 64, learningRate: 1e-3, loss: "softmax_ce" });
    expect(f.history.at(-1)?.testAccuracy).toBeGreaterThan(0.6);
    const trainer = await fresh(snn);
    // A multi-step network trains on both cores by default — really, not by a silent fall-back.
    expect(trainer.workers).toBe(2);
    expect(trainer.warnings).toEqual([]);
    expect(trainer.implementations).toEqual({
      lif1: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
      lif2: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
      lif3: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
    });
    const s = await trainer.fit({ train, test, epochs: 2, batchSize: 32, learningRate: 1e-3, loss: "ce_rate" });
    await trainer.dispose();
    expect(s.history.at(-1)?.testAccuracy).toBeGreaterThan(0.6);
    expect(s.history[1]?.trainLoss).toBeLessThan(s.history[0]?.trainLoss as number);
    // Learned β stays inside (0, 1).
    for (const b of s.weights["lif1.beta"]?.data ?? []) expect(b > 0 && b < 1).toBe(true);
  });

  it("evaluates with two batches in flight per worker and gives one batch's results, progress in order", async () => {
    const trainer = await fresh(snn, 17);
    const data = subset(test, 70);
    const progress: number[] = [];
    const batched = await trainer.evaluate(data, { batchSize: 16 });
    const whole = await trainer.evaluate(data, { batchSize: 70 });
    const plan = runtime.plan(snn, trainer.weights());
    const local = await backend.evaluate(plan, data, { workers: 1, batchSize: 16, onProgress: (done) => progress.push(done) });
    await trainer.dispose();
    // Direct input: a sample's result does not depend on its batch, so every split must agree exactly.
    expect(batched.outputs).toEqual(whole.outputs);
    expect(local.outputs).toEqual(whole.outputs);
    expect(progress).toEqual([16, 32, 48, 64, 70]);
  });

  it("trains with the membrane loss and with rate-coded (spiking) input", async () => {
    const membrane = await (await fresh(snn, 13)).fit({ train, test, epochs: 1, batchSize: 32, learningRate: 1e-3, loss: "ce_membrane" });
    expect(membrane.history.at(-1)?.testAccuracy).toBeGreaterThan(0.5);
    const rate = sequentialSpec({
      layers: [784, 128, 10],
      neuron: "lif",
      params: { beta: 0.95 },
      timeSteps: 10,
      encoder: { name: "rate" },
    });
    const r = await (await fresh(rate, 14)).fit({ train, test, epochs: 1, batchSize: 32, learningRate: 2e-3, loss: "ce_rate" });
    expect(r.history.at(-1)?.testAccuracy).toBeGreaterThan(0.5);
  });

  it("is reproducible: same seed, same weights", async () => {
    const a = await (await fresh(snn, 5)).fit({
      train: subset(train, 256),
      epochs: 1,
      batchSize: 64,
      learningRate: 1e-3,
      loss: "ce_count",
    });
    const b = await (await fresh(snn, 5)).fit({
      train: subset(train, 256),
      epochs: 1,
      batchSize: 64,
      learningRate: 1e-3,
      loss: "ce_count",
    });
    expect(b.weights["fc2.weight"]?.data).toEqual(a.weights["fc2.weight"]?.data);
  });

  it("resumes from a mid-epoch checkpoint exactly where it stopped", async () => {
    const options = { train: subset(train, 640), epochs: 2, batchSize: 64, learningRate: 1e-3, loss: "ce_rate" } as const;
    const uninterrupted = await (await fresh(snn, 9)).fit(options);
    const dir = mkdtempSync(join(tmpdir(), "nb-ckpt-"));
    const controller = new AbortController();
    const first = await (await fresh(snn, 9)).fit({
      ...options,
      checkpointDir: dir,
      signal: controller.signal,
      onProgress: (p: { epoch: number; batch: number }) => {
        if (p.epoch === 2 && p.batch === 3) controller.abort();
      },
    });
    expect(first.status).toBe("aborted");
    const checkpoint = loadCheckpoint(dir, runtime);
    expect(checkpoint.progress).toMatchObject({ epoch: 1, batch: 3 });
    const resumed = await backend.createTrainer(runtime.plan(checkpoint.spec), checkpoint.weights, { seed: 9 });
    resumed.restore(checkpoint);
    const second = await resumed.fit({ ...options, checkpointDir: dir });
    expect(second.status).toBe("completed");
    for (const name of Object.keys(uninterrupted.weights)) {
      expect(second.weights[name]?.data, name).toEqual(uninterrupted.weights[name]?.data);
    }
    expect(second.history.map((h) => h.trainLoss)).toEqual(uninterrupted.history.map((h) => h.trainLoss));
  });

  it("detects a modified or truncated checkpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-ckpt-"));
    await (await fresh(ffnn)).fit({
      train: subset(train, 128),
      epochs: 1,
      batchSize: 64,
      learningRate: 1e-3,
      loss: "softmax_ce",
      checkpointDir: dir,
    });
    expect(loadCheckpoint(dir, runtime).weights["fc1.weight"]?.shape).toEqual([64, 784]);
    // The weights the manifest names (the plain weights.safetensors copy is for people, never read back).
    const named = JSON.parse(readFileSync(join(dir, "training.json"), "utf8")).files.weights.name as string;
    writeFileSync(join(dir, named), "garbage");
    expect(() => loadCheckpoint(dir, runtime)).toThrow(
      /weights\.[0-9a-f]{16}\.safetensors: does not match the hash recorded in training\.json/,
    );
    expect(() => loadCheckpoint(join(dir, "nope"), runtime)).toThrow(/checkpoint folder not found/);
  });

  it("stops with a clear message when the loss diverges — to NaN, or finite but exploding", async () => {
    // lr 1e9 once finished at loss 2e31 with exit 0; a thousandfold rise over the first loss is divergence.
    await expect(
      (await fresh(ffnn)).fit({ train: subset(train, 512), epochs: 2, batchSize: 64, learningRate: 1e9, loss: "softmax_ce" }),
    ).rejects.toThrow(
      /(loss|\w+\.\w+\[\d+\]) became \S+ at epoch \d+, batch \d+.*: training diverged\. Lower the learning rate \(now 1000000000\)/,
    );
    const t = await fresh(ffnn);
    await expect(t.fit({ train: subset(train, 256), epochs: 3, batchSize: 64, learningRate: 1e30, loss: "softmax_ce" })).rejects.toThrow(
      /(loss|\w+\.\w+\[\d+\]) became \S+ at epoch \d+, batch \d+.*: training diverged\. Lower the learning rate \(now 1e\+30\)/,
    );
    // A spiking network's loss stays finite while its weights run off (its spike counts saturate): the weights are checked too.
    const s = await fresh(snn);
    await expect(s.fit({ train: subset(train, 128), epochs: 1, batchSize: 64, learningRate: 1e300 })).rejects.toThrow(
      /fc1\.weight\[\d+\] became -?(Infinity|NaN) at epoch 1, batch 1 \(loss [\d.]+\): training diverged/,
    );
  });

  it("runs compiled networks through the Backend interface with activity and op counts", async () => {
    const plan = runtime.plan(snn);
    const net = await backend.compile(bindWeights(runtime, plan, initWeights(snn, runtime.random("w"), runtime)));
    const result = await net.run(test.inputs.subarray(0, 20 * 784), 20);
    expect(result.outputs).toHaveLength(20 * 10);
    expect(result.activity.map((a) => a.nodeId)).toEqual(["lif1", "lif2", "lif3"]);
    expect(result.ops.macs).toBe(784 * 128);
    expect(result.ops.neuronUpdates).toBe((128 + 128 + 10) * 25);
    const a1 = result.activity[0];
    expect(result.ops.layers[1]?.inputEvents).toBeCloseTo(a1?.eventsPerSample as number, 6);
    expect(backend.check(plan)).toEqual({ fits: true, issues: [] });
    await expect(backend.compile(plan)).rejects.toThrow(/compiling for tfjs needs the network's weights/);
  });

  it("decays the learning rate along a cosine when asked", () => {
    expect(scheduledLearningRate(1e-3, "constant", 50, 100)).toBe(1e-3);
    expect(scheduledLearningRate(1e-3, "cosine", 0, 100)).toBe(1e-3);
    expect(scheduledLearningRate(1e-3, "cosine", 50, 100)).toBeCloseTo(5e-4, 12);
    expect(scheduledLearningRate(1e-3, "cosine", 100, 100)).toBeCloseTo(0, 12);
  });

  it("stops its worker threads when the weights are invalid (the process can exit)", async () => {
    const plan = runtime.plan(snn);
    const weights = initWeights(snn, runtime.random("bad"), runtime);
    const bad = { ...weights, "fc1.weight": { shape: [1, 1], data: new Float32Array(1) } };
    const { Worker } = await import("node:worker_threads");
    const started: InstanceType<typeof Worker>[] = [];
    const exited: number[] = [];
    const original = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: InstanceType<typeof Worker>, ...args: Parameters<typeof original>) {
      if (!started.includes(this)) {
        started.push(this);
        this.once("exit", (code) => exited.push(code));
      }
      return original.apply(this, args);
    };
    try {
      await expect(backend.createTrainer(plan, bad, { workers: 2 })).rejects.toThrow(/fc1\.weight/);
    } finally {
      Worker.prototype.postMessage = original;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started).toHaveLength(2);
    expect(exited).toHaveLength(2);
  });

  it("starts workers without inherited export conditions (they run compiled code)", () => {
    expect(workerExecArgv(["--conditions=@neurobridge/source", "--enable-source-maps", "-C", "x", "--stack-size=900"])).toEqual([
      "--enable-source-maps",
      "--stack-size=900",
    ]);
  });
});
