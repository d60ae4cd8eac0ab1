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
import { adaptiveLif, alifKernelCalls } from "./alif-neuron.js";
import { plugin } from "./plugin.js";

const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin(), plugin], seed: 4 });

describe("a two-state plugin neuron with its own training kernel", () => {
  for (const reset of ["subtract", "zero"]) {
    it(`conforms (reset ${reset}): its kernel reproduces its step; ONNX and the emulator reproduce training`, async () => {
      const report = await checkNeuronModel(runtime, "alif", { reset, params: { jump: 0.3 } });
      expect(report.failures, formatReport(report)).toEqual([]);
      expect(report.checks.find((c) => c.name === "kernel:sequence")?.applies).toBe(true);
    }, 60_000);
  }

  it("the IF example conforms too (generic step everywhere)", async () => {
    const report = await checkNeuronModel(runtime, "if");
    expect(report.failures, formatReport(report)).toEqual([]);
    expect(report.checks.find((c) => c.name === "kernel:sequence")?.applies).toBe(false);
  }, 60_000);

  it("its threshold adapts: under a constant drive it fires less than without adaptation, with growing intervals", () => {
    const spikeTimes = (jump: number) => {
      const node = runtime.plan(sequentialSpec({ layers: [1, 1], neuron: "alif", timeSteps: 60, params: { jump } })).layers[1];
      if (node?.kind !== "neuron") throw new Error("no neuron layer");
      let state: Record<string, Float32Array> = { v: new Float32Array(1), a: new Float32Array(1) };
      const times: number[] = [];
      for (let t = 0; t < 60; t++) {
        const r = adaptiveLif.step(arrayOps, Float32Array.of(0.4), state, node.params, node.resolved.context);
        if (r.output[0] === 1) times.push(t);
        state = { ...r.state };
      }
      return times;
    };
    const plain = spikeTimes(0);
    const adapting = spikeTimes(0.5);
    expect(adapting.length).toBeGreaterThan(1);
    expect(adapting.length).toBeLessThan(plain.length);
    // The first interval is the plain LIF's; later ones are longer.
    const isi = adapting.slice(1).map((t, i) => t - (adapting[i] as number));
    expect(isi.at(-1) as number).toBeGreaterThan((plain[1] as number) - (plain[0] as number));
  });

  it("the trainer uses the registered kernel, not the generic path, and learns β", async () => {
    const plan = runtime.plan(sequentialSpec({ layers: [784, 64, 10], neuron: "alif", timeSteps: 8, learn: ["beta"] }));
    const backend = await runtime.backend("tfjs");
    const trainer = await (backend.createTrainer as NonNullable<typeof backend.createTrainer>)(
      plan,
      initWeights(plan.spec, runtime.random("init"), runtime),
      { seed: 1, workers: 1 },
    );
    expect(trainer.implementations).toEqual({
      alif1: "kernel sequence (@neurobridge-examples/custom-neuron)",
      alif2: "kernel sequence (@neurobridge-examples/custom-neuron)",
    });
    const before = { ...alifKernelCalls };
    const data = subset(loadMnist("train"), 2048);
    const result = await trainer.fit({ train: data, test: subset(loadMnist("test"), 300), epochs: 1, batchSize: 32, learningRate: 2e-3 });
    await trainer.dispose();
    // 64 batches × 2 layers, forward and backward, plus the evaluation's forward passes.
    expect(alifKernelCalls.backward - before.backward).toBe(128);
    expect(alifKernelCalls.forward - before.forward).toBeGreaterThanOrEqual(128);
    expect(result.history[0]?.testAccuracy).toBeGreaterThan(0.4);
    const beta = result.weights["alif1.beta"]?.data as Float32Array;
    expect(beta.some((b) => Math.abs(b - 0.95) > 1e-4)).toBe(true);
  }, 120_000);

  it("an in-memory plugin cannot reach worker threads: a clear error names the fix", async () => {
    const { source: _where, ...withoutSource } = plugin;
    const rt = createRuntime({ plugins: [lifPlugin, tfjsPlugin(), { ...withoutSource, name: "in-memory-alif" }] });
    const plan = rt.plan(sequentialSpec({ layers: [784, 16, 10], neuron: "alif", timeSteps: 4 }));
    const backend = await rt.backend("tfjs");
    const create = (backend.createTrainer as NonNullable<typeof backend.createTrainer>).bind(backend);
    await expect(create(plan, initWeights(plan.spec, rt.random("i"), rt), { workers: 2 })).rejects.toThrow(
      /plugin 'in-memory-alif' exists only in this thread, so worker threads cannot register it\. Give the plugin a source/,
    );
    // Without an explicit worker count it trains in this thread and says why — never silently.
    const trainer = await create(plan, initWeights(plan.spec, rt.random("i"), rt));
    expect(trainer.workers).toBe(1);
    expect(trainer.warnings.join(" ")).toMatch(/training runs in this thread: plugin 'in-memory-alif' exists only in this thread/);
    await trainer.dispose();
  });

  it("`neurobridge --plugin … train --neuron alif --workers 2` trains on two workers with the plugin's kernel", () => {
    const cli = fileURLToPath(new URL("../../../apps/cli/bin/neurobridge.js", import.meta.url));
    const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    expect(existsSync(built), "build first: npm run build").toBe(true);
    const out = mkdtempSync(join(tmpdir(), "nb-alif-"));
    const args = ["--plugin", built, "train", "--model", "snn", "--neuron", "alif", "--neuron-params", '{"jump": 0.3}', "--steps", "6"];
    const stdout = execFileSync(
      process.execPath,
      [cli, ...args, "--subset", "2048", "--epochs", "1", "--batch", "32", "--lr", "3e-3", "--workers", "2", "--out", out, "--json"],
      {
        encoding: "utf8",
        timeout: 240_000,
      },
    );
    const summary = JSON.parse(stdout.trim().split("\n").at(-1) as string);
    expect(summary).toMatchObject({ status: "completed", neuron: "alif", workers: 2, loss: "ce_rate" });
    expect(summary.implementations).toEqual({
      alif1: "kernel sequence (@neurobridge-examples/custom-neuron)",
      alif2: "kernel sequence (@neurobridge-examples/custom-neuron)",
      alif3: "kernel sequence (@neurobridge-examples/custom-neuron)",
    });
    expect(summary.testAccuracy).toBeGreaterThan(0.2); // chance is 0.1
    // The checkpoint evaluates on two workers too.
    const ev = JSON.parse(
      execFileSync(process.execPath, [cli, "--plugin", built, "eval", "--checkpoint", out, "--subset", "200", "--workers", "2", "--json"], {
        encoding: "utf8",
        timeout: 120_000,
      }),
    );
    expect(ev.count).toBe(200);
    expect(ev.accuracy).toBeGreaterThan(0.2);
  }, 300_000);
});
