import { describe, expect, it } from "vitest";
import { createRandom } from "./random.js";
import { mlasSliceK, type SparseResult, spikeProduct, spikeWeightGradient } from "./spike-product.js";

const rng = createRandom(11);
const spikes = (n: number, density: number) => Float32Array.from({ length: n }, () => (rng.next() < density ? 1 : 0));
const weights = (n: number) => Float32Array.from({ length: n }, () => (rng.next() - 0.5) * 0.3);

/** The GEMM the products reproduce, written out: K in slices, each slice's sum from +0 added into the output. */
function slicedForward(
  x: Float32Array,
  rows: number,
  inF: number,
  w: Float32Array,
  outF: number,
  bias: Float32Array | undefined,
  S: number,
) {
  const y = new Float32Array(rows * outF);
  const partial = new Float32Array(outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) y[r * outF + o] = bias ? (bias[o] as number) : 0;
    for (let k0 = 0; k0 < inF; k0 += S) {
      partial.fill(0);
      for (let k = k0; k < Math.min(inF, k0 + S); k++) {
        const a = x[r * inF + k] as number;
        for (let o = 0; o < outF; o++) partial[o] = (partial[o] as number) + a * (w[o * inF + k] as number);
      }
      for (let o = 0; o < outF; o++) y[r * outF + o] = (y[r * outF + o] as number) + (partial[o] as number);
    }
  }
  return y;
}

function slicedWeightGradient(dy: Float32Array, rows: number, outF: number, x: Float32Array, inF: number, S: number) {
  const g = new Float32Array(outF * inF);
  const partial = new Float32Array(outF * inF);
  for (let r0 = 0; r0 < rows; r0 += S) {
    partial.fill(0);
    for (let r = r0; r < Math.min(rows, r0 + S); r++) {
      for (let i = 0; i < inF; i++) {
        const a = x[r * inF + i] as number;
        for (let o = 0; o < outF; o++) partial[o * inF + i] = (partial[o * inF + i] as number) + (dy[r * outF + o] as number) * a;
      }
    }
    for (let k = 0; k < g.length; k++) g[k] = (g[k] as number) + (partial[k] as number);
  }
  return g;
}

const product = (r: SparseResult): Float32Array => {
  if (!("product" in r)) throw new Error(`declined: ${r.declined}`);
  return r.product;
};
const sameBits = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  expect(new Uint32Array(a.buffer, a.byteOffset, a.length)).toEqual(new Uint32Array(b.buffer, b.byteOffset, b.length));
};

describe("spike-sparse products", () => {
  // Shapes cover every band of the kernel (32 columns, 4, and a last narrow group of 1–16), one and several K slices, and empty rows.
  const shapes = [
    [24, 256, 256],
    [40, 784, 37],
    [33, 100, 10],
    [9, 300, 130],
    [2, 17, 3],
    [5, 50, 52],
    [3, 40, 16],
  ] as const;

  it.each(shapes)("forward %i × %i → %i equals the sliced dense sum bit for bit", (rows, inF, outF) => {
    for (const density of [0, 0.05, 0.4, 1]) {
      const x = spikes(rows * inF, density);
      const w = weights(outF * inF);
      const bias = weights(outF);
      const S = mlasSliceK(outF, inF);
      sameBits(product(spikeProduct(x, rows, inF, w, outF, bias, S)), slicedForward(x, rows, inF, w, outF, bias, S));
      sameBits(product(spikeProduct(x, rows, inF, w, outF, undefined, S)), slicedForward(x, rows, inF, w, outF, undefined, S));
    }
  });

  it.each(shapes)("weight gradient over %i rows × %i inputs → %i equals the sliced dense sum bit for bit", (rows, inF, outF) => {
    for (const density of [0, 0.05, 0.4, 1]) {
      const x = spikes(rows * inF, density);
      const dy = weights(rows * outF);
      const S = mlasSliceK(inF, rows, true);
      sameBits(product(spikeWeightGradient(dy, rows, outF, x, inF, S)), slicedWeightGradient(dy, rows, outF, x, inF, S));
    }
  });

  it("turns a −0 bias into +0 where no input spiked, as the dense sum does", () => {
    const y = product(spikeProduct(new Float32Array(8), 2, 4, weights(8), 2, Float32Array.of(-0, 0.5), 128));
    expect(Object.is(y[0], 0)).toBe(true);
    expect(y[1]).toBe(0.5);
  });

  it("declines input that is not spikes, and input denser than asked", () => {
    const w = weights(4 * 3);
    expect(spikeProduct(Float32Array.of(0, 1, 0.5, 0, 1, 1), 2, 3, w, 4, undefined, 128)).toEqual({ declined: "not spikes" });
    expect(spikeProduct(Float32Array.of(0, 1, Number.NaN, 0, 1, 1), 2, 3, w, 4, undefined, 128)).toEqual({ declined: "not spikes" });
    expect(spikeWeightGradient(weights(8), 2, 4, Float32Array.of(2, 0, 0, 0, 0, 0), 3, 128)).toEqual({ declined: "not spikes" });
    const x = spikes(10 * 40, 0.5);
    expect(spikeProduct(x, 10, 40, weights(4 * 40), 4, undefined, 128, { maxDensity: 0.2 })).toEqual({ declined: "too dense" });
    expect("product" in spikeProduct(x, 10, 40, weights(4 * 40), 4, undefined, 128, { maxDensity: 0.7 })).toBe(true);
  });
});
