/**
 * The training kernels of `assembly/training.ts` (WebAssembly SIMD): one
 * compiled module per thread; Adam keeps its own instance (its moments live
 * in that memory, see `adam.ts`), the helpers here share one.
 */
import { lazyWasmKernels, WasmKernels } from "@neurobridge/core";
import { TRAINING_WASM } from "./wasm/training.generated.js";

/** What the module exports. */
export interface TrainingExports {
  adamUpdate(
    n: number,
    p: number,
    g: number,
    m: number,
    v: number,
    b1: number,
    b2: number,
    eps: number,
    stepSize: number,
    invSqrtC2: number,
  ): void;
  columnSums(rows: number, n: number, x: number, out: number): void;
}

/** A new instance of the module (own memory), or why it cannot run here. */
export const trainingKernels = (): WasmKernels<TrainingExports> | { unavailable: string } =>
  WasmKernels.load<TrainingExports>(TRAINING_WASM);

const shared = lazyWasmKernels<TrainingExports>(() => TRAINING_WASM);

/**
 * Column sums of a row-major `[rows, n]` float32 matrix, each column summed
 * row after row in float64 and rounded once: a dense layer's bias gradient
 * (the sum of its output gradient over samples and steps).
 */
export function columnSums(x: Float32Array, rows: number, n: number): Float32Array {
  const m = shared();
  if (!("unavailable" in m)) {
    const [pX, pOut] = m.layout([x.length * 4, n * 8]) as [number, number];
    m.f32(pX, x.length).set(x.subarray(0, rows * n));
    m.exports.columnSums(rows, n, pX, pOut);
    return Float32Array.from(m.f64(pOut, n));
  }
  return columnSumsReference(x, rows, n);
}

/** {@link columnSums} in JavaScript: where WebAssembly cannot run, and the reference its tests compare with. */
export function columnSumsReference(x: Float32Array, rows: number, n: number): Float32Array {
  const sums = new Float64Array(n);
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) sums[j] = (sums[j] as number) + (x[r * n + j] as number);
  return Float32Array.from(sums);
}
