import { createRandom } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { columnSums, columnSumsReference, trainingKernels } from "./training-wasm.js";

const rng = createRandom(11);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("training kernels in WebAssembly", () => {
  it("load here", () => {
    expect("unavailable" in trainingKernels()).toBe(false);
  });

  it("column sums (bias gradients) give the JavaScript reference's bits, odd widths included", () => {
    for (const [rows, n] of [
      [1600, 256],
      [37, 11],
      [1, 1],
      [3, 10],
    ] as const) {
      // Wide dynamic range, so rounding order shows.
      const x = Float32Array.from({ length: rows * n }, () => rng.normal() * 10 ** rng.int(6));
      expect(bits(columnSums(x, rows, n))).toEqual(bits(columnSumsReference(x, rows, n)));
    }
    expect(Array.from(columnSums(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([5, 7, 9]);
  });
});
