import { createRandom } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { createAlifSequence } from "./alif.js";
import { expectTwinSequences, kernelLayer } from "./test-support/kernel-layer.js";

const rng = createRandom(9);
const uniform = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

// 13 neurons: three SIMD groups of four and a scalar tail.
const N = 13;
const B = 3;
const T = 9;

describe("the ALIF kernel in WebAssembly SIMD", () => {
  for (const reset of ["zero", "subtract", "none"] as const) {
    for (const surrogate of ["fast-sigmoid", "atan", "triangle", "sigmoid"]) {
      for (const inputStatic of [true, false]) {
        it(`gives the JavaScript loops' bits forward and backward (reset ${reset}, ${surrogate}, ${inputStatic ? "static" : "per-step"} input)`, () => {
          const layer = kernelLayer("alif", N, T, reset, surrogate);
          const wasm = createAlifSequence(layer, true);
          const js = createAlifSequence(layer, false);
          if (!wasm || !js) throw new Error("the ALIF kernel declined the layer");
          // sigmoid declares no shape for the wasm backward: its backward stays in JavaScript.
          expect(wasm.runsOn).toMatch(/^wasm-simd/);
          expect(js.runsOn).toBe("js");
          const params = {
            beta: uniform(N, 0.5, 1),
            threshold: uniform(N, 0.5, 1.5),
            rho: uniform(N, 0.6, 0.99),
            jump: uniform(N, 0, 0.5),
          };
          const input = {
            data: uniform((inputStatic ? 1 : T) * B * N, -0.5, 1.6),
            rows: (inputStatic ? 1 : T) * B,
            cols: N,
            temporal: !inputStatic,
          };
          expectTwinSequences(wasm, js, input, B, params, ["beta"], uniform);
        });
      }
    }
  }
});
