import { createRandom, spikeProduct, spikeWeightGradient } from "@neurobridge/core";
import { beforeAll, describe, expect, it } from "vitest";
import { createOrtGemm, createTfjsGemm, type Gemm, mlasSplitKeepsOrder } from "./gemm.js";
import { useKernelBackend } from "./tf.js";

/** Naive reference: Y[i][j] = Σ_p op(A)[i][p]·op(B)[p][j] + bias[j]. */
function reference(
  a: Float32Array,
  ar: number,
  ac: number,
  b: Float32Array,
  br: number,
  bc: number,
  ta: boolean,
  tb: boolean,
  bias?: Float32Array,
) {
  const m = ta ? ac : ar;
  const k = ta ? ar : ac;
  const n = tb ? br : bc;
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias ? (bias[j] as number) : 0;
      for (let p = 0; p < k; p++) s += (a[ta ? p * ac + i : i * ac + p] as number) * (b[tb ? j * bc + p : p * bc + j] as number);
      y[i * n + j] = s;
    }
  return y;
}

describe("GEMM providers", () => {
  const providers: Gemm[] = [];
  beforeAll(async () => {
    await useKernelBackend("wasm");
    providers.push(await createOrtGemm(1), createTfjsGemm());
  });

  it("multiply with every transpose combination, with and without bias, like the reference", async () => {
    const rng = createRandom(1);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      const [m, k, n] = [5, 7, 3];
      const a = rand(m * k);
      const b = rand(k * n);
      const [ar, ac] = ta ? [k, m] : [m, k];
      const [br, bc] = tb ? [n, k] : [k, n];
      for (const bias of [undefined, rand(n)]) {
        const want = reference(a, ar, ac, b, br, bc, ta, tb, bias);
        for (const g of providers) {
          const got = await g.multiply(a, ar, ac, b, br, bc, ta, tb, bias);
          expect(got.length, g.name).toBe(m * n);
          got.forEach((v, i) => {
            expect(v).toBeCloseTo(want[i] as number, 5);
          });
        }
      }
    }
  });

  it("on 2 threads give one thread's bits wherever MLAS's split keeps the K slices, and thread only those products", async () => {
    const rng = createRandom(2);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    const bits = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length);
    const one = providers[0] as Gemm;
    const everyShape = await createOrtGemm(2, { keepOrder: false });
    const kept = await createOrtGemm(2);
    expect(kept.kSlice).toBeDefined();
    expect(everyShape.kSlice).toBeUndefined();
    let moved = 0;
    let threaded = 0;
    // The paper's training and evaluation shapes, and narrow ones whose halves take other K slices
    // (a 784-64-10 network at batch 32 moved on 2 threads before the split was checked).
    for (const m of [32, 128, 300]) {
      for (const n of [10, 40, 64, 256, 784]) {
        for (const k of [10, 128, 784]) {
          for (const ta of [false, true]) {
            const a = rand(m * k);
            const b = rand(k * n);
            const bias = rand(n);
            const [ar, ac] = ta ? [k, m] : [m, k];
            const x = bits(await one.multiply(a, ar, ac, b, n, k, ta, true, bias));
            const split = bits(await everyShape.multiply(a, ar, ac, b, n, k, ta, true, bias));
            const keeps = mlasSplitKeepsOrder(m, n, k, ta, 2);
            const differs = split.some((v, i) => v !== x[i]);
            if (differs) moved++;
            if (keeps) threaded++;
            expect(keeps && differs, `${m}×${k}→${n}${ta ? " (Aᵀ)" : ""}: said to keep the order, but 2 threads moved bits`).toBe(false);
            expect(bits(await kept.multiply(a, ar, ac, b, n, k, ta, true, bias)), `${m}×${k}→${n}`).toEqual(x);
          }
        }
      }
    }
    // The check can fail: some shapes do move on 2 threads, and most keep their order.
    expect(moved).toBeGreaterThan(0);
    expect(threaded).toBeGreaterThan(50);
    expect(mlasSplitKeepsOrder(32, 64, 784, false, 2)).toBe(false);
    expect(mlasSplitKeepsOrder(3200, 256, 256, false, 2)).toBe(true);
    await everyShape.dispose();
    await kept.dispose();
  });

  it("single-thread ONNX Runtime states its K slices, and the spike-sparse products reproduce it bit for bit", async () => {
    const ort = providers[0] as Gemm;
    expect(createTfjsGemm().kSlice).toBeUndefined();
    const kSlice = ort.kSlice?.bind(ort);
    if (!kSlice) throw new Error("ONNX Runtime's GEMM states no K slice");
    const rng = createRandom(3);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-0.3, 0.3));
    const spikes = (n: number) => Float32Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0));
    const bits = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length);
    // The paper's SNN shapes (T·B rows; fc2 and fc3; fc1 under rate coding) and shapes whose slices differ (64, 256, 1024).
    for (const [rows, inF, outF] of [
      [1600, 256, 256],
      [1600, 256, 10],
      [400, 784, 256],
      [25, 1000, 37],
      [7, 64, 512],
      [2, 17, 3],
      // Narrow outputs over more than 128 rows: the weight gradient (A transposed) keeps 128-long slices.
      [192, 64, 64],
      [300, 20, 3],
    ] as const) {
      const x = spikes(rows * inF);
      const w = rand(outF * inF);
      const bias = rand(outF);
      const dy = rand(rows * outF);
      const dense = await ort.multiply(x, rows, inF, w, outF, inF, false, true, bias);
      const sparse = spikeProduct(x, rows, inF, w, outF, bias, kSlice(outF, inF, false));
      expect("product" in sparse && bits(sparse.product), `forward ${rows}×${inF}→${outF}`).toEqual(bits(dense));
      const denseGrad = await ort.multiply(dy, rows, outF, x, rows, inF, true, false);
      const sparseGrad = spikeWeightGradient(dy, rows, outF, x, inF, kSlice(inF, rows, true));
      expect("product" in sparseGrad && bits(sparseGrad.product), `weight gradient ${rows}×${inF}→${outF}`).toEqual(bits(denseGrad));
    }
  });

  it("accept operands in shared memory (the trainer shares parameters with workers)", async () => {
    const shared = new Float32Array(new SharedArrayBuffer(4 * 4));
    shared.set([1, 2, 3, 4]);
    for (const g of providers) expect([...(await g.multiply(shared, 2, 2, shared, 2, 2, false, true))]).toEqual([5, 11, 11, 25]);
  });

  it("reject shapes that do not multiply, naming both", async () => {
    for (const g of providers) {
      await expect(g.multiply(new Float32Array(6), 2, 3, new Float32Array(8), 4, 2, false, false)).rejects.toThrow(
        /do not multiply \(inner sizes 3 and 4\)/,
      );
      // Inner sizes that agree, but an array shorter than its stated shape: named as such.
      await expect(g.multiply(new Float32Array(6), 2, 3, new Float32Array(5), 3, 2, false, false)).rejects.toThrow(
        /B is stated as \[3, 2\] = 6 values but holds 5/,
      );
    }
  });
});
