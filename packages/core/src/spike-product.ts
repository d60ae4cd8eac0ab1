/**
 * Spike-sparse dense products (Perez-Nieves & Goodman, NeurIPS 2021): when
 * a layer's input is spikes — every entry 0 or 1 — its product with a weight
 * matrix is a sum of the weight rows of the inputs that spiked, and the
 * weight gradient a sum of the output gradients of the steps at which each
 * input spiked. Only those rows are read.
 *
 * They reproduce a GEMM that sums its inner dimension K in slices of
 * `sliceK` (each slice's partial sum from zero, added into the output in
 * slice order: ONNX Runtime's MLAS, see `mlasSliceK`), so the result is the
 * dense product's bits — 1·w = w and 0·w adds nothing — and a runner may pick
 * either by speed alone. Both decline, saying why, for input that is not
 * 0/1, for input denser than asked, and where WebAssembly cannot load; the
 * caller then multiplies densely.
 *
 * Measured by `npm run bench:sparse` against ONNX Runtime's single-thread
 * GEMM (AMD EPYC, `[1600 × 256]` spikes times `[256 × 256]`): 1.77 vs 3.66
 * ms at 2% of inputs spiking, 2.22 vs 3.07 at 5%, 3.90 vs 3.01 at 15%. A
 * 128-bit SIMD add per four weights cannot keep up with an AVX2 FMA GEMM
 * beyond ~10%.
 */
import type { CoreKernelExports } from "./kernels.js";
import { CORE_WASM } from "./wasm/kernels.generated.js";
import { lazyWasmKernels } from "./wasm.js";

// One instance per thread, its own memory: every call lays out its arrays afresh.
const coreWasm = lazyWasmKernels<CoreKernelExports>(() => CORE_WASM);

/** How dense an input may be for the sparse products to run (fraction of entries that are 1). */
export interface SparseLimit {
  /** The largest fraction of 1s accepted (0…1); above it the call declines. Default 1 (never declines for density). */
  readonly maxDensity?: number;
}

/** A sparse product, or why it declined (the caller multiplies densely). */
export type SparseResult = { readonly product: Float32Array } | { readonly declined: "not spikes" | "too dense" | "no WebAssembly" };

const declined = (code: number): SparseResult => ({ declined: code === -1 ? "not spikes" : "too dense" });

const spikeCapacity = (rows: number, cols: number, maxDensity: number) => Math.min(rows * cols, Math.floor(rows * cols * maxDensity));

/**
 * `y = x·wᵀ + bias` (`[rows, out]`) for spikes `x` `[rows, in]` and weights
 * `w` `[out, in]`, summed like a GEMM with K slices of `sliceK`. Declines
 * when `x` is not 0/1, is denser than `limit.maxDensity`, or WebAssembly is
 * unavailable.
 *
 * A GEMM of a single row may take another path (MLAS's matrix–vector
 * product sums differently), so a runner reproducing one uses this for two
 * rows or more.
 *
 * @example
 * ```ts
 * const r = spikeProduct(spikes, T * B, 256, w, 256, bias, mlasSliceK(256, 256), { maxDensity: 0.08 });
 * const y = "product" in r ? r.product : await gemm.multiply(…);
 * ```
 */
export function spikeProduct(
  x: Float32Array,
  rows: number,
  inFeatures: number,
  w: Float32Array,
  outFeatures: number,
  bias: Float32Array | undefined,
  sliceK: number,
  limit: SparseLimit = {},
): SparseResult {
  const kernels = coreWasm();
  if ("unavailable" in kernels) return { declined: "no WebAssembly" };
  const capacity = spikeCapacity(rows, inFeatures, limit.maxDensity ?? 1);
  const [xAt, idx, offsets, wAt, wT, biasAt, out] = kernels.layout([
    x.length * 4,
    (capacity + 4) * 4,
    (rows + 1) * 4,
    w.length * 4,
    // 64 readable bytes after the rows the kernel sums (its narrow lane groups read past the last one).
    w.length * 4 + 64,
    bias ? bias.length * 4 : 0,
    rows * outFeatures * 4,
  ]) as number[] as [number, number, number, number, number, number, number];
  kernels.f32(xAt, x.length).set(x);
  const k = kernels.exports;
  const spikes = k.spikeLists(rows, inFeatures, xAt, idx, offsets, capacity);
  if (spikes < 0) return declined(spikes);
  kernels.f32(wAt, w.length).set(w);
  k.transpose(outFeatures, inFeatures, wAt, wT);
  if (bias) kernels.f32(biasAt, bias.length).set(bias);
  k.accumulateLists(rows, idx, offsets, outFeatures, wT, sliceK, bias ? biasAt : 0, out);
  return { product: kernels.f32(out, rows * outFeatures).slice() };
}

/**
 * The weight gradient `dW = dyᵀ·x` (`[out, in]`) for output gradients `dy`
 * `[rows, out]` and spikes `x` `[rows, in]`, summed like a GEMM whose K (the
 * `rows`) runs in slices of `sliceK` (a GEMM with A = dy transposed: see
 * `mlasSliceK`'s `transA`). Declines as {@link spikeProduct}.
 */
export function spikeWeightGradient(
  dy: Float32Array,
  rows: number,
  outFeatures: number,
  x: Float32Array,
  inFeatures: number,
  sliceK: number,
  limit: SparseLimit = {},
): SparseResult {
  const kernels = coreWasm();
  if ("unavailable" in kernels) return { declined: "no WebAssembly" };
  const capacity = spikeCapacity(rows, inFeatures, limit.maxDensity ?? 1);
  const [xAt, idx, offsets, colIdx, colOffsets, cursor, dyAt, gT, g] = kernels.layout([
    x.length * 4,
    (capacity + 4) * 4,
    (rows + 1) * 4,
    (capacity + 4) * 4,
    (inFeatures + 1) * 4,
    inFeatures * 4,
    dy.length * 4 + 64,
    inFeatures * outFeatures * 4,
    inFeatures * outFeatures * 4,
  ]) as number[] as [number, number, number, number, number, number, number, number, number];
  kernels.f32(xAt, x.length).set(x);
  const k = kernels.exports;
  const spikes = k.spikeLists(rows, inFeatures, xAt, idx, offsets, capacity);
  if (spikes < 0) return declined(spikes);
  k.transposeLists(rows, inFeatures, idx, offsets, colIdx, colOffsets, cursor);
  kernels.f32(dyAt, dy.length).set(dy);
  // Row i of dWᵀ sums the dy rows of the steps at which input i spiked.
  k.accumulateLists(inFeatures, colIdx, colOffsets, outFeatures, dyAt, sliceK, 0, gT);
  k.transpose(inFeatures, outFeatures, gT, g);
  return { product: kernels.f32(g, inFeatures * outFeatures).slice() };
}

/**
 * The K slice of ONNX Runtime's MLAS SGEMM for a product with `outFeatures`
 * output columns (N) and inner size `inFeatures` (K): MLAS sums K in slices
 * and adds each slice's partial sum into the output (initialised with the
 * bias), so the float32 result depends on the slice length. The rule
 * (`MlasSgemmOperation`): start from 128 × 128 (N × K) and, for narrow
 * outputs, trade N for K while N/2 still covers the output width; for short
 * K, trade K for N. With A transposed (`transA`, as a weight gradient
 * `dyᵀ·x` multiplies) narrow outputs keep 128-long slices: measured against
 * onnxruntime-node, which the backends' tests keep checking.
 */
export function mlasSliceK(outFeatures: number, inFeatures: number, transA = false): number {
  let strideN = 128;
  let strideK = 128;
  if (outFeatures >= inFeatures) {
    while (strideK / 2 >= inFeatures) {
      strideN *= 2;
      strideK /= 2;
    }
  } else if (!transA) {
    while (strideN > 16 && strideN / 2 >= outFeatures) {
      strideK *= 2;
      strideN /= 2;
    }
  }
  return strideK;
}
