import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { createRuntime, type KernelRegistration, type NeuroBridgePlugin, type NeuronModel } from "@neurobridge/core";
import { lifModel, lifPlugin, lifSequenceKernel } from "@neurobridge/neurons-lif";
import { describe, expect, it } from "vitest";
import { checkNeuronModel, formatReport } from "./conformance.js";

const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin()], seed: 1 });

describe("conformance of every shipped neuron model", () => {
  for (const reset of ["subtract", "zero", "none"]) {
    it(`lif, reset ${reset}: kernels equal the step, ONNX and the emulator equal training`, async () => {
      const report = await checkNeuronModel(runtime, "lif", { reset });
      expect(report.failures, formatReport(report)).toEqual([]);
      const applied = report.checks.filter((c) => c.applies).map((c) => c.name);
      expect(applied).toEqual(["declaration", "step", "tfjs-step", "kernel:sequence", "kernel:infer", "compiled-step", "onnx", "emulator"]);
    }, 60_000);
  }

  for (const reset of ["subtract", "zero", "none"]) {
    it(`cuba-lif, reset ${reset}: its kernels (learning α and β) equal the step; ONNX and the emulator equal training`, async () => {
      const report = await checkNeuronModel(runtime, "cuba-lif", { reset, weightGain: 1.5 });
      expect(report.failures, formatReport(report)).toEqual([]);
      expect(report.checks.filter((c) => c.applies).map((c) => c.name)).toContain("kernel:infer");
    }, 60_000);
  }

  for (const reset of ["subtract", "zero"]) {
    it(`alif, reset ${reset}: its kernel equals the step`, async () => {
      const report = await checkNeuronModel(runtime, "alif", { reset, params: { jump: 0.3 } });
      expect(report.failures, formatReport(report)).toEqual([]);
      expect(report.checks.find((c) => c.name === "kernel:sequence")?.applies).toBe(true);
    }, 60_000);
  }

  for (const [model, options] of [
    ["eif", { timeSteps: 40 }],
    ["adex", { timeSteps: 40 }],
    ["lif-vreset", { params: { vReset: -0.3 } }],
    ["lif-refractory", { params: { vReset: -0.2, refractory: 2 }, timeSteps: 30 }],
  ] as const) {
    it(`${model}: its compiled step, its step on tfjs, in ONNX and in the emulator (no kernel) agree`, async () => {
      const report = await checkNeuronModel(runtime, model, options);
      expect(report.failures, formatReport(report)).toEqual([]);
      expect(report.checks.find((c) => c.name === "compiled-step")?.detail).toMatch(/reference arrays' bits; spikes identical/);
    }, 60_000);
  }

  it("lif with per-neuron thresholds", async () => {
    const threshold = Array.from({ length: 12 }, (_, i) => 0.6 + i * 0.05);
    const report = await checkNeuronModel(runtime, "lif", { params: { beta: 0.9, threshold } });
    expect(report.failures, formatReport(report)).toEqual([]);
  }, 60_000);

  for (const model of ["relu", "sigmoid", "identity", "relu-fit", "sigmoid-fit", "lif-rate"]) {
    it(`${model}: step, gradients and ONNX`, async () => {
      const report = await checkNeuronModel(runtime, model);
      expect(report.failures, formatReport(report)).toEqual([]);
      expect(report.checks.find((c) => c.name === "gradient")?.applies).toBe(true);
    }, 60_000);
  }
});

describe("the suite catches what is wrong", () => {
  it("a kernel that does not reproduce the step", async () => {
    // Off by one step: spikes one step late — the kind of bug the suite exists for.
    const late: KernelRegistration<"sequence"> = {
      ...lifSequenceKernel,
      description: "deliberately wrong",
      create(layer) {
        const real = lifSequenceKernel.create(layer);
        if (!real) return undefined;
        return {
          ...real,
          forward(input, batch, params, options) {
            const f = real.forward(input, batch, params, options);
            const shifted = new Float32Array(f.output.data.length);
            shifted.set(f.output.data.subarray(0, shifted.length - batch * layer.size), batch * layer.size);
            return { ...f, output: { ...f.output, data: shifted } };
          },
        };
      },
    };
    const broken: NeuroBridgePlugin = { name: "broken", register: (r) => r.kernel(late, { override: true }) };
    const rt = createRuntime({ plugins: [lifPlugin, tfjsPlugin(), broken] });
    const report = await checkNeuronModel(rt, "lif");
    expect(report.failures.join("\n")).toMatch(/kernel:sequence: .*outputs differ from the step's/);
  }, 60_000);

  it("a step that drops a declared state variable, or a default outside its range: refused when registered", () => {
    // The runtime's registration check catches these before the suite can run (packages/core/src/neuron-check.ts).
    const leaky: NeuronModel = {
      ...lifModel,
      name: "forgetful",
      state: [...lifModel.state, { name: "trace", description: "declared but never returned", initial: 0 }],
    };
    expect(() => createRuntime({ plugins: [lifPlugin, { name: "forgetful", register: (r) => r.neuronModel(leaky) }] })).toThrow(
      /neuron model 'forgetful' registered by plugin 'forgetful'[\s\S]*step\.state\.trace: is declared but the step does not return it/,
    );
    const bad: NeuronModel = {
      ...lifModel,
      name: "bad-default",
      params: lifModel.params.map((p) => (p.name === "beta" ? { ...p, default: 1.5 } : p)),
    };
    expect(() => createRuntime({ plugins: [lifPlugin, { name: "bad", register: (r) => r.neuronModel(bad) }] })).toThrow(
      /params\.beta\.default: must be a finite number >= 0 and <= 1, got 1\.5/,
    );
  });
});
