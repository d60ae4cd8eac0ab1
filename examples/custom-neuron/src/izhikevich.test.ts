import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { checkNeuronModel, formatReport } from "@neurobridge/conformance";
import { arrayOps, createRuntime, initWeights, sequentialSpec, subset } from "@neurobridge/core";
import { loadMnist } from "@neurobridge/mnist";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { describe, expect, it } from "vitest";
import { izhikevich, izhikevichKernelCalls } from "./izhikevich.js";
import { plugin } from "./plugin.js";

const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin(), plugin], seed: 4 });

describe("a two-state plugin neuron (Izhikevich) with its own training kernel", () => {
  it("conforms: its kernel reproduces its step (spikes bit for bit, gradients); ONNX and the emulator reproduce training", async () => {
    const report = await checkNeuronModel(runtime, "izhikevich", { timeSteps: 30, weightGain: 2 });
    expect(report.failures, formatReport(report)).toEqual([]);
    expect(report.checks.find((c) => c.name === "kernel:sequence")?.applies).toBe(true);
    expect(report.checks.find((c) => c.name === "tfjs-step")?.detail).toMatch(/^[1-9]\d* spikes/);
  }, 60_000);

  it("the IF example conforms too (no kernels: its compiled step)", async () => {
    const report = await checkNeuronModel(runtime, "if");
    expect(report.failures, formatReport(report)).toEqual([]);
    expect(report.checks.find((c) => c.name === "kernel:sequence")?.applies).toBe(false);
    expect(report.checks.find((c) => c.name === "compiled-step")?.passed).toBe(true);
  }, 60_000);

  it("shows Izhikevich's regular spiking: silent below its rheobase, firing faster with more current, adapting", () => {
    const node = runtime.plan(sequentialSpec({ layers: [1, 1], neuron: "izhikevich", timeSteps: 400 })).layers[1];
    if (node?.kind !== "neuron") throw new Error("no neuron layer");
    const spikeTimes = (current: number) => {
      let state: Record<string, Float32Array> = { v: Float32Array.of(-65), u: Float32Array.of(-13) };
      const times: number[] = [];
      for (let t = 0; t < 400; t++) {
        const r = izhikevich.step(arrayOps, Float32Array.of(current / 20), state, node.params, node.resolved.context);
        if (r.output[0] === 1) times.push(t);
        state = { ...r.state };
      }
      return times;
    };
    expect(spikeTimes(3)).toEqual([]);
    const low = spikeTimes(10);
    const high = spikeTimes(20);
    expect(low.length).toBeGreaterThan(2);
    expect(high.length).toBeGreaterThan(low.length);
    // Regular spiking adapts: the last interval is longer than the first.
    const isi = high.slice(1).map((t, i) => t - (high[i] as number));
    expect(isi.at(-1) as number).toBeGreaterThan(isi[0] as number);
  });

  it("the trainer uses the registered kernel, not the generic path", async () => {
    const plan = runtime.plan(sequentialSpec({ layers: [784, 64, 10], neuron: "izhikevich", timeSteps: 20, params: { h: 1 } }));
    const backend = await runtime.backend("tfjs");
    const trainer = await (backend.createTrainer as NonNullable<typeof backend.createTrainer>)(
      plan,
      initWeights(plan.spec, runtime.random("init"), runtime),
      { seed: 1, workers: 1 },
    );
    expect(trainer.implementations).toEqual({
      izhikevich1: "kernel sequence (@neurobridge-examples/custom-neuron)",
      izhikevich2: "kernel sequence (@neurobridge-examples/custom-neuron)",
    });
    const before = { ...izhikevichKernelCalls };
    const data = subset(loadMnist("train"), 2048);
    const result = await trainer.fit({ train: data, test: subset(loadMnist("test"), 300), epochs: 1, batchSize: 32, learningRate: 2e-3 });
    await trainer.dispose();
    // 64 batches × 2 layers, forward and backward, plus the evaluation's forward passes.
    expect(izhikevichKernelCalls.backward - before.backward).toBe(128);
    expect(izhikevichKernelCalls.forward - before.forward).toBeGreaterThanOrEqual(128);
    expect(result.history[0]?.testAccuracy).toBeGreaterThan(0.4);
  }, 120_000);

  it("an in-memory plugin cannot reach worker threads: a clear error names the fix", async () => {
    const { source: _where, ...withoutSource } = plugin;
    const rt = createRuntime({ plugins: [lifPlugin, tfjsPlugin(), { ...withoutSource, name: "in-memory-izhikevich" }] });
    const plan = rt.plan(sequentialSpec({ layers: [784, 16, 10], neuron: "izhikevich", timeSteps: 4 }));
    const backend = await rt.backend("tfjs");
    const create = (backend.createTrainer as NonNullable<typeof backend.createTrainer>).bind(backend);
    await expect(create(plan, initWeights(plan.spec, rt.random("i"), rt), { workers: 2 })).rejects.toThrow(
      /plugin 'in-memory-izhikevich' exists only in this thread, so worker threads cannot register it\. Give the plugin a source/,
    );
    // Without an explicit worker count it trains in this thread and says why — never silently.
    const trainer = await create(plan, initWeights(plan.spec, rt.random("i"), rt));
    expect(trainer.workers).toBe(1);
    expect(trainer.warnings.join(" ")).toMatch(/training runs in this thread: plugin 'in-memory-izhikevich' exists only in this thread/);
    await trainer.dispose();
  });

  it("`neurobridge --plugin … train --neuron izhikevich --workers 2` trains on two workers with the plugin's kernel", () => {
    const cli = fileURLToPath(new URL("../../../apps/cli/bin/neurobridge.js", import.meta.url));
    const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    expect(existsSync(built), "build first: npm run build").toBe(true);
    const out = mkdtempSync(join(tmpdir(), "nb-izhikevich-"));
    const args = ["--plugin", built, "train", "--model", "snn", "--neuron", "izhikevich", "--neuron-params", '{"h": 1}', "--steps", "20"];
    const stdout = execFileSync(
      process.execPath,
      [cli, ...args, "--subset", "1024", "--epochs", "1", "--batch", "64", "--workers", "2", "--out", out, "--json"],
      {
        encoding: "utf8",
        timeout: 240_000,
      },
    );
    const summary = JSON.parse(stdout.trim().split("\n").at(-1) as string);
    expect(summary).toMatchObject({ status: "completed", neuron: "izhikevich", workers: 2, loss: "ce_rate" });
    expect(summary.implementations).toEqual({
      izhikevich1: "kernel sequence (@neurobridge-examples/custom-neuron)",
      izhikevich2: "kernel sequence (@neurobridge-examples/custom-neuron)",
      izhikevich3: "kernel sequence (@neurobridge-examples/custom-neuron)",
    });
    // Learning is asserted in this thread above (one hidden layer); with the paper's two hidden Izhikevich
    // layers at this gain little signal reaches the output in one short epoch, so here: it ran, finitely.
    expect(Number.isFinite(summary.history[0].trainLoss)).toBe(true);
    // The checkpoint evaluates on two workers too.
    const ev = JSON.parse(
      execFileSync(process.execPath, [cli, "--plugin", built, "eval", "--checkpoint", out, "--subset", "200", "--workers", "2", "--json"], {
        encoding: "utf8",
        timeout: 120_000,
      }),
    );
    expect(ev.count).toBe(200);
    expect(ev.activity.map((a: { nodeId: string }) => a.nodeId)).toEqual(["izhikevich1", "izhikevich2", "izhikevich3"]);
  }, 300_000);
});
