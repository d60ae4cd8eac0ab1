import { bindSurrogate, builtinSurrogates, strategyParams } from "@neurobridge/core";
import { beforeAll, describe, expect, it } from "vitest";
import { tf, useKernelBackend } from "./tf.js";
import { createTfjsOps } from "./tfjs-ops.js";

const ops = createTfjsOps();
const xs = [-1, -0.2, -0.01, 0.01, 0.2, 1];

describe("tfjs TensorOps", () => {
  beforeAll(async () => {
    await useKernelBackend("wasm");
  });

  it.each(builtinSurrogates.map((s) => [s.name, s] as const))(
    "spike with %s: Heaviside forward, the surrogate's formula backward",
    (_n, s) => {
      const params = strategyParams({ name: s.name }, s) as Record<string, number>;
      const bound = bindSurrogate(s, params);
      const x = tf.tensor1d(xs);
      const forward = ops.spike(x, bound).dataSync();
      expect([...forward]).toEqual([0, 0, 0, 1, 1, 1]);
      const grad = tf
        .grad((v: tf.Tensor) => tf.sum(ops.spike(v, bound)))(x)
        .dataSync();
      xs.forEach((v, i) => {
        expect(grad[i]).toBeCloseTo(s.derivative(v, params), 5);
      });
    },
  );

  it("stops gradients and keeps the forward value", () => {
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf
      .grad((v: tf.Tensor) => tf.sum(tf.add(ops.stopGradient(tf.mul(v, v)), v)))(x)
      .dataSync();
    expect([...g]).toEqual([1, 1, 1]);
    expect([...ops.stopGradient(x).dataSync()]).toEqual([1, 2, 3]);
  });

  it("selects with where and broadcasts per-neuron vectors", () => {
    const m = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    expect([...ops.where(m, a, ops.zerosLike(a)).dataSync()]).toEqual([1, 0, 0, 4]);
    expect([...ops.mul(a, tf.tensor1d([10, 100])).dataSync()]).toEqual([10, 200, 30, 400]);
  });

  it("rejects unknown kernel backends by name", async () => {
    await expect(useKernelBackend("webgpu")).rejects.toThrow("tfjs kernel backend 'webgpu' is not supported; accepted: wasm, cpu");
  });
});
