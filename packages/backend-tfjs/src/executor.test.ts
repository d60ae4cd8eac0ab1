import {
  type Activation,
  createRuntime,
  initWeights,
  type NetworkSpec,
  sequentialSpec,
  type Weights,
  type WeightTensor,
} from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { beforeAll, describe, expect, it } from "vitest";
import { executorTrainStep } from "./engine.js";
import { ChainExecutor, type ExecutorOptions } from "./executor.js";
import { createGemm, createTfjsGemm, type Gemm } from "./gemm.js";
import { autogradForward } from "./test-support/autograd-graph.js";
import { tf, useKernelBackend } from "./tf.js";

const runtime = createRuntime({ plugins: [lifPlugin], seed: 3 });
const executor = (spec: NetworkSpec, g: Gemm, options?: ExecutorOptions) => new ChainExecutor(runtime, runtime.plan(spec), g, options);

/** A registered loss on an output, as the engine computes it. */
function computeLoss(name: string, output: Activation, labels: Uint8Array, timeSteps: number, batch: number, membrane?: Float32Array) {
  const loss = runtime.loss(name);
  return loss.compute({ output, labels, batch, timeSteps, meanOver: batch, params: {}, ...(membrane ? { membrane } : {}) });
}
let gemm: Gemm;

beforeAll(async () => {
  await useKernelBackend("wasm");
  gemm = await createGemm();
});

/** Random inputs in [0, 1) and labels for `batch` samples. */
function batchOf(batch: number, features: number, seed: number) {
  const rng = runtime.random(`data-${seed}`);
  return { x: Float32Array.from({ length: batch * features }, () => rng.next()), y: Uint8Array.from({ length: batch }, () => rng.int(3)) };
}

const toArrays = (w: Weights) => Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Float32Array.from(t.data)]));

/** Loss and gradients through tfjs autograd (the reference), for softmax_ce or ce_rate. */
function referenceGrads(spec: NetworkSpec, weights: Weights, x: Float32Array, y: Uint8Array, loss: "softmax_ce" | "ce_rate") {
  const plan = runtime.plan(spec);
  const names = Object.keys(weights);
  const batch = y.length;
  return tf.tidy(() => {
    const tensors = names.map((n) => tf.tensor((weights[n] as WeightTensor).data, [...(weights[n] as WeightTensor).shape]));
    const onehot = tf.oneHot(tf.tensor1d(Array.from(y), "int32"), 3);
    const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => {
      const params = Object.fromEntries(names.map((n, i) => [n, ps[i] as tf.Tensor]));
      const out = autogradForward(plan, params, x, batch, runtime.random("enc"));
      if (loss === "softmax_ce") return tf.losses.softmaxCrossEntropy(onehot, out) as tf.Scalar;
      const T = spec.timeSteps;
      return tf.losses.softmaxCrossEntropy(tf.tile(onehot, [T, 1]), out) as tf.Scalar;
    })(tensors);
    return {
      loss: value.dataSync()[0] as number,
      grads: Object.fromEntries(names.map((n, i) => [n, (grads[i] as tf.Tensor).dataSync() as Float32Array])),
    };
  });
}

function expectClose(a: Float32Array, b: Float32Array, tol: number) {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(tol * Math.max(1e-3, scale));
}

describe("chain executor", () => {
  const snn = sequentialSpec({ layers: [6, 5, 4, 3], neuron: "lif", params: { beta: 0.9, threshold: 0.3 }, timeSteps: 6, learn: ["beta"] });
  const ffnn = sequentialSpec({ layers: [6, 5, 4, 3], neuron: "relu", outputNeuron: false });

  it("SNN BPTT through the fused kernel equals tfjs autograd through the generic step (incl. learned β)", async () => {
    const weights = initWeights(snn, runtime.random("init"), runtime);
    const { x, y } = batchOf(4, 6, 1);
    const ex = executor(snn, gemm);
    expect(ex.implementations).toEqual({
      lif1: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
      lif2: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
      lif3: "kernel sequence+infer (@neurobridge/neurons-lif, wasm-simd)",
    });
    const forward = await ex.forward(toArrays(weights), x, 4, runtime.random("enc"));
    const loss = computeLoss("ce_rate", forward.output, y, 6, 4);
    const grads = await ex.backward(forward, loss.grad);
    const ref = referenceGrads(snn, weights, x, y, "ce_rate");
    expect(loss.loss).toBeCloseTo(ref.loss, 5);
    for (const name of Object.keys(weights)) expectClose(grads[name] as Float32Array, ref.grads[name] as Float32Array, 1e-4);
    // The spikes are the ones the generic path emits, bit for bit.
    const generic = tf.tidy(() => {
      const params = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, tf.tensor(t.data, [...t.shape])]));
      return autogradForward(runtime.plan(snn), params, x, 4, runtime.random("enc")).dataSync();
    });
    expect(Array.from(forward.output.data)).toEqual(Array.from(generic));
  });

  it("the generic path (kernels off) learns a parameter through tfjs autograd, as the kernel does", async () => {
    const weights = initWeights(snn, runtime.random("init"), runtime);
    const { x, y } = batchOf(4, 6, 7);
    const results = [];
    for (const kernels of [true, false]) {
      const ex = executor(snn, gemm, { kernels });
      expect(ex.implementations.lif1).toMatch(kernels ? /^kernel sequence/ : /^generic step/);
      const forward = await ex.forward(toArrays(weights), x, 4, runtime.random("enc"));
      results.push({
        spikes: forward.output.data,
        grads: await ex.backward(forward, computeLoss("ce_rate", forward.output, y, 6, 4).grad),
      });
    }
    const [kernel, generic] = results as [(typeof results)[0], (typeof results)[0]];
    expect(Array.from(generic.spikes)).toEqual(Array.from(kernel.spikes));
    for (const name of ["lif1.beta", "lif2.beta", "fc1.weight"]) {
      expectClose(generic.grads[name] as Float32Array, kernel.grads[name] as Float32Array, 1e-4);
    }
    expect((generic.grads["lif1.beta"] as Float32Array).some((g) => g !== 0)).toBe(true);
  });

  it("FFNN gradients match finite differences of the loss", async () => {
    const weights = initWeights(ffnn, runtime.random("init"), runtime);
    const { x, y } = batchOf(5, 6, 2);
    const ex = executor(ffnn, await createTfjsGemm());
    const params = toArrays(weights);
    const lossAt = async (p: Record<string, Float32Array>) =>
      computeLoss("softmax_ce", (await ex.forward(p, x, 5, runtime.random("e"))).output, y, 1, 5).loss;
    const forward = await ex.forward(params, x, 5, runtime.random("e"));
    const grads = await ex.backward(forward, computeLoss("softmax_ce", forward.output, y, 1, 5).grad);
    // Central differences in float32: h trades truncation error against rounding noise.
    const h = 2e-3;
    for (const name of ["fc1.weight", "fc2.bias", "fc3.weight"]) {
      for (const i of [0, 1, 3]) {
        const plus = toArrays(weights);
        const minus = toArrays(weights);
        (plus[name] as Float32Array)[i]! += h;
        (minus[name] as Float32Array)[i]! -= h;
        const fd = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * h);
        expect(Math.abs(((grads[name] as Float32Array)[i] as number) - fd)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd) * 10));
      }
    }
  });

  it("ce_membrane: gradients of the output layer's weights match finite differences where no spike flips", async () => {
    const spec = sequentialSpec({ layers: [6, 5, 4, 3], neuron: "lif", params: { beta: 0.9, threshold: 0.3 }, timeSteps: 6 });
    const weights = initWeights(spec, runtime.random("init-m"), runtime);
    const { x, y } = batchOf(4, 6, 3);
    const ex = executor(spec, gemm);
    const run = async (p: Record<string, Float32Array>) => {
      const forward = await ex.forward(p, x, 4, runtime.random("enc"), { keepMembrane: true });
      const membrane = forward.layers.at(-1)?.membrane as Float32Array;
      return { forward, result: computeLoss("ce_membrane", forward.output, y, 6, 4, membrane) };
    };
    const params = toArrays(weights);
    const { forward, result } = await run(params);
    expect(result.dMembrane).toBeDefined();
    const grads = await ex.backward(forward, result.grad, result.dMembrane);
    // The loss reads the membrane only, so d loss / d fc3 needs no surrogate: finite differences are exact
    // wherever a small step flips no output spike (checked).
    const h = 1e-3;
    let checked = 0;
    for (const name of ["fc3.weight", "fc3.bias"]) {
      for (const i of [0, 1, 2, 5]) {
        if (i >= (params[name] as Float32Array).length) continue;
        const plus = toArrays(weights);
        const minus = toArrays(weights);
        (plus[name] as Float32Array)[i]! += h;
        (minus[name] as Float32Array)[i]! -= h;
        const a = await run(plus);
        const b = await run(minus);
        const base = Array.from(forward.output.data).join("");
        const spikes = (r: typeof a) => Array.from(r.forward.output.data).join("");
        if (spikes(a) !== base || spikes(b) !== base) continue;
        const fd = (a.result.loss - b.result.loss) / (2 * h);
        expect(Math.abs(((grads[name] as Float32Array)[i] as number) - fd), `${name}[${i}]`).toBeLessThan(
          1e-3 * Math.max(1, Math.abs(fd) * 10),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    // Hidden layers get gradients through the surrogate.
    expect((grads["fc1.weight"] as Float32Array).some((g) => g !== 0)).toBe(true);
  });

  it("runs plugin-style models through tfjs autograd (sigmoid FFNN) and keeps the tensor count flat", async () => {
    const spec = sequentialSpec({ layers: [6, 5, 3], neuron: "sigmoid", outputNeuron: false });
    const weights = initWeights(spec, runtime.random("init"), runtime);
    const ex = executor(spec, gemm);
    const ref = referenceGrads(spec, weights, batchOf(4, 6, 3).x, batchOf(4, 6, 3).y, "softmax_ce");
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      const { x, y } = batchOf(4, 6, 3);
      const forward = await ex.forward(toArrays(weights), x, 4, runtime.random("e"));
      const grads = await ex.backward(forward, computeLoss("softmax_ce", forward.output, y, 1, 4).grad);
      expectClose(grads["fc1.weight"] as Float32Array, ref.grads["fc1.weight"] as Float32Array, 1e-4);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it("computes a direct-input first layer once per sample, not once per step", async () => {
    const weights = initWeights(snn, runtime.random("init"), runtime);
    let calls = 0;
    const counting: Gemm = {
      name: "counting",
      multiply: (a, ar, ac, b, br, bc, ta, tb) => {
        calls++;
        if (calls === 1) expect(ar).toBe(4); // [B, 6]·W1ᵀ: B rows, not T·B
        return gemm.multiply(a, ar, ac, b, br, bc, ta, tb);
      },
      dispose: async () => {},
    };
    await executor(snn, counting).forward(toArrays(weights), batchOf(4, 6, 4).x, 4, runtime.random("e"));
    expect(calls).toBe(3);
  });

  it("rejects branching specs and unsupported losses with what is supported", async () => {
    const branching = {
      ...ffnn,
      edges: [
        ["input", "fc1"],
        ["fc1", "relu1"],
        ["fc1", "fc2"],
        ["relu1", "fc2"],
      ] as [string, string][],
    };
    expect(() => runtime.plan(branching as NetworkSpec)).toThrow(/node 'fc2' has 2 incoming edges/);
    const ex = executor(ffnn, gemm);
    const { x, y } = batchOf(2, 6, 5);
    const params = toArrays(initWeights(ffnn, runtime.random("i"), runtime));
    const step = (loss: string) =>
      executorTrainStep(ex, params, x, y, { name: loss, params: {}, reads: runtime.loss(loss).reads }, runtime.random("e"), 2);
    await expect(step("ce_rate")).rejects.toThrow(
      "loss 'ce_rate' reads spike-counts, which this network's static output does not have; losses for it: softmax_ce",
    );
    // A generic (kernel-less) last layer exposes no membrane: said, not silently wrong.
    const sig = sequentialSpec({ layers: [6, 4, 3], neuron: "lif", timeSteps: 3 });
    const generic = executor(sig, gemm, { kernels: false });
    const sp = toArrays(initWeights(sig, runtime.random("i"), runtime));
    await expect(
      executorTrainStep(generic, sp, x, y, { name: "ce_membrane", params: {}, reads: "membrane" }, runtime.random("e"), 2),
    ).rejects.toThrow(/reads the output layer's membrane; 'lif2' \(model 'lif'\) runs on its generic step/);
  });

  it("dense layers fed by sparse spikes sum only the rows that spiked, with the dense product's bits (forward, gradients, inference)", async () => {
    const spec = sequentialSpec({ layers: [20, 64, 64, 3], neuron: "lif", params: { beta: 0.9 }, timeSteps: 12 });
    const plan = runtime.plan(spec);
    const params = toArrays(initWeights(plan.spec, runtime.random("sparse"), runtime));
    // Weak input weights: a few percent of lif1's neuron-steps spike, so fc2's input is sparse enough.
    params["fc1.weight"] = (params["fc1.weight"] as Float32Array).map((w) => w * 0.5);
    // One thread: the GEMM whose summation order is known (the engines' default).
    const one = await createGemm({ threads: 1 });
    const sparse = executor(spec, one);
    const dense = executor(spec, one, { sparse: false });
    expect(dense.sparsity).toBeUndefined();
    const { x, y } = batchOf(16, 20, 7);
    const loss = { name: "ce_rate", params: {}, reads: runtime.loss("ce_rate").reads };
    const a = await executorTrainStep(sparse, params, x, y, loss, runtime.random("e"), 16);
    const b = await executorTrainStep(dense, params, x, y, loss, runtime.random("e"), 16);
    expect(sparse.sparsity?.choices()).toMatchObject({ "fc2 forward": "sparse", "fc2 weight gradient": "sparse" });
    expect(a.loss).toBe(b.loss);
    for (const [name, g] of Object.entries(b.grads)) expect(a.grads[name], name).toEqual(g);
    const fa = await sparse.forward(params, x, 16, runtime.random("i"), { inference: true });
    const fb = await dense.forward(params, x, 16, runtime.random("i"), { inference: true });
    expect(fa.output.data).toEqual(fb.output.data);
    // Dense spikes: the layer goes back to the GEMM (and says so), still with the same results.
    const loud = { ...params, "fc1.weight": (params["fc1.weight"] as Float32Array).map((w) => w * 40) };
    const c = await executorTrainStep(sparse, loud, x, y, loss, runtime.random("e"), 16);
    const d = await executorTrainStep(dense, loud, x, y, loss, runtime.random("e"), 16);
    expect(sparse.sparsity?.choices()["fc2 forward"]).toBe("dense");
    for (const [name, g] of Object.entries(d.grads)) expect(c.grads[name], name).toEqual(g);
    await one.dispose();
  });
});
