import { createRandom } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { type AdamState, adamState, adamStep } from "./adam.js";

const rng = createRandom(3);
const uniform = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("Adam", () => {
  it("the WebAssembly update gives the JavaScript loop's bits, step after step (odd sizes take the scalar tail)", () => {
    const shapes = { "fc1.weight": 37, "fc1.bias": 5, "lif1.beta": 1 };
    const start = Object.fromEntries(Object.entries(shapes).map(([k, n]) => [k, uniform(n, -1, 1)]));
    const wasmParams = Object.fromEntries(Object.entries(start).map(([k, p]) => [k, p.slice()]));
    const jsParams = Object.fromEntries(Object.entries(start).map(([k, p]) => [k, p.slice()]));
    const wasm = adamState(wasmParams);
    // A state built by hand is not in a WebAssembly workspace: adamStep runs the JavaScript loop on it.
    const zeros = () => Object.fromEntries(Object.entries(shapes).map(([k, n]) => [k, new Float32Array(n)]));
    const js: AdamState = { step: 0, m: zeros(), v: zeros() };
    for (let step = 0; step < 7; step++) {
      const grads = Object.fromEntries(Object.entries(shapes).map(([k, n]) => [k, uniform(n, -0.5, 0.5)]));
      adamStep(wasmParams, grads, wasm, { learningRate: 1e-3 });
      adamStep(jsParams, grads, js, { learningRate: 1e-3 });
    }
    for (const name of Object.keys(shapes)) {
      expect(bits(wasmParams[name]!)).toEqual(bits(jsParams[name]!));
      expect(bits(wasm.m[name]!)).toEqual(bits(js.m[name]!));
      expect(bits(wasm.v[name]!)).toEqual(bits(js.v[name]!));
    }
    expect(bits(wasmParams["fc1.weight"]!)).not.toEqual(bits(start["fc1.weight"]!));
  });

  it("matches PyTorch's first step: each parameter moves by lr·sign(g)", () => {
    const p = { w: Float32Array.from([1, 2, 3]) };
    const state = adamState(p);
    adamStep(p, { w: Float32Array.from([0.5, -2, 1e-3]) }, state, { learningRate: 0.1 });
    expect(Array.from(p.w).map((x) => Number(x.toFixed(5)))).toEqual([0.9, 2.1, 2.9]);
  });

  it("restores moments written into its views (a resumed run)", () => {
    const p = { w: Float32Array.from([1, 2]) };
    const state = adamState(p);
    state.m.w?.set([0.25, -0.5]);
    state.v.w?.set([0.01, 0.04]);
    state.step = 3;
    const copy: AdamState = { step: 3, m: { w: Float32Array.from([0.25, -0.5]) }, v: { w: Float32Array.from([0.01, 0.04]) } };
    const q = { w: Float32Array.from([1, 2]) };
    const g = { w: Float32Array.from([0.1, 0.2]) };
    adamStep(p, g, state, { learningRate: 1e-2 });
    adamStep(q, g, copy, { learningRate: 1e-2 });
    expect(bits(p.w)).toEqual(bits(q.w));
  });
});
