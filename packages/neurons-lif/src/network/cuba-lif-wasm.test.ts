import { createRandom } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { createCubaLifInfer, createCubaLifSequence } from "./cuba-lif.js";
import { bits, expectTwinSequences, kernelLayer } from "./test-support/kernel-layer.js";

const rng = createRandom(13);
const uniform = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

// 13 neurons: three SIMD groups of four and a scalar tail.
const N = 13;
const B = 3;
const T = 9;

describe("the CUBA-LIF kernels in WebAssembly SIMD", () => {
  for (const reset of ["zero", "subtract", "none"] as const) {
    for (const surrogate of ["fast-sigmoid", "atan", "triangle", "sigmoid"]) {
      for (const inputStatic of [true, false]) {
        it(`give the JavaScript loops' bits: training forward and backward, inference counts (reset ${reset}, ${surrogate}, ${inputStatic ? "static" : "per-step"} input)`, () => {
          const layer = kernelLayer("cuba-lif", N, T, reset, surrogate);
          const wasm = createCubaLifSequence(layer, true);
          const js = createCubaLifSequence(layer, false);
          if (!wasm || !js) throw new Error("the CUBA-LIF kernel declined the layer");
          // sigmoid declares no shape for the wasm backward: its backward stays in JavaScript.
          expect(wasm.runsOn).toMatch(/^wasm-simd/);
          expect(js.runsOn).toBe("js");
          const params = { alpha: uniform(N, 0.5, 0.95), beta: uniform(N, 0.5, 1), threshold: uniform(N, 0.5, 1.5) };
          const input = {
            data: uniform((inputStatic ? 1 : T) * B * N, -0.4, 0.8),
            rows: (inputStatic ? 1 : T) * B,
            cols: N,
            temporal: !inputStatic,
          };
          const fj = expectTwinSequences(wasm, js, input, B, params, ["alpha", "beta"], uniform);
          const iw = createCubaLifInfer(layer, true)?.run(input, B, params);
          const ij = createCubaLifInfer(layer, false)?.run(input, B, params);
          expect(bits(iw?.output.data as Float32Array)).toEqual(bits(fj.output.data));
          expect(iw?.counts).toEqual(ij?.counts);
        });
      }
    }
  }
});
