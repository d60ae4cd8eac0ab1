/**
 * Benchmark: spike-sparse products against ONNX Runtime's single-thread GEMM
 * (the executor's dense products) on the paper's SNN layer shapes — fc2
 * (`[T·B × 256]·[256 × 256]`), fc3 (`→ 10`) and a rate-coded fc1 (`784 →
 * 256`), T 25 × B 64 (one worker's shard) — at spike densities from 2% to
 * 40%. Prints ms per call for the forward and the weight gradient, dense and
 * sparse, checks the two agree bit for bit, and marks which one the executor
 * picks (sparse below `SPARSE_MAX_DENSITY` for outputs of at least
 * `SPARSE_MIN_OUTPUTS`).
 */
import { cpus } from "node:os";
import { createOrtGemm, SPARSE_MAX_DENSITY, SPARSE_MIN_OUTPUTS } from "@neurobridge/backend-tfjs";
import { createRandom, mlasSliceK, spikeProduct, spikeWeightGradient } from "@neurobridge/core";
import { alignedTable, measure } from "../bench.js";

const rows = 25 * 64;
const gemm = await createOrtGemm(1);
const rng = createRandom(5);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-0.15, 0.15));
const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
const body: string[][] = [];
const json: Record<string, object> = {};
for (const [name, inF, outF] of [
  ["fc2 256 → 256", 256, 256],
  ["fc3 256 → 10", 256, 10],
  ["fc1 784 → 256 (rate-coded input)", 784, 256],
] as const) {
  const w = rand(outF * inF);
  const bias = rand(outF);
  const dy = rand(rows * outF);
  for (const density of [0.02, 0.05, 0.1, 0.15, 0.25, 0.4]) {
    const x = Float32Array.from({ length: rows * inF }, () => (rng.next() < density ? 1 : 0));
    const sliceF = mlasSliceK(outF, inF);
    const sliceG = mlasSliceK(inF, rows, true);
    const sparseF = spikeProduct(x, rows, inF, w, outF, bias, sliceF);
    const sparseG = spikeWeightGradient(dy, rows, outF, x, inF, sliceG);
    if (!("product" in sparseF) || !("product" in sparseG)) throw new Error("the sparse products declined");
    const denseF = await gemm.multiply(x, rows, inF, w, outF, inF, false, true, bias);
    const denseG = await gemm.multiply(dy, rows, outF, x, rows, inF, true, false);
    if (!sameBits(sparseF.product, denseF) || !sameBits(sparseG.product, denseG)) throw new Error(`${name}: sparse and dense bits differ`);
    const t = {
      forwardDense: (await measure("f dense", () => gemm.multiply(x, rows, inF, w, outF, inF, false, true, bias))).medianMs,
      forwardSparse: (await measure("f sparse", () => spikeProduct(x, rows, inF, w, outF, bias, sliceF))).medianMs,
      gradientDense: (await measure("g dense", () => gemm.multiply(dy, rows, outF, x, rows, inF, true, false))).medianMs,
      gradientSparse: (await measure("g sparse", () => spikeWeightGradient(dy, rows, outF, x, inF, sliceG))).medianMs,
    };
    const picks = density <= SPARSE_MAX_DENSITY && outF >= SPARSE_MIN_OUTPUTS ? "sparse" : "dense";
    body.push([
      name,
      `${(density * 100).toFixed(0)}%`,
      t.forwardDense.toFixed(2),
      t.forwardSparse.toFixed(2),
      `${(t.forwardDense / t.forwardSparse).toFixed(2)}×`,
      t.gradientDense.toFixed(2),
      t.gradientSparse.toFixed(2),
      `${(t.gradientDense / t.gradientSparse).toFixed(2)}×`,
      picks,
    ]);
    json[`${name} ${density}`] = t;
  }
}
await gemm.dispose();
process.stdout.write(
  `${alignedTable(
    ["layer", "spikes", "fwd dense ms", "fwd sparse ms", "sparse ×", "dW dense ms", "dW sparse ms", "sparse ×", "executor picks"],
    body,
  )}\n(${rows} rows = T 25 × B 64; dense: ONNX Runtime GEMM, 1 thread; sparse: core's wasm SIMD; bits equal; ${cpus()[0]?.model ?? "cpu"}, Node ${process.version})\n`,
);
process.stdout.write(`RESULT_JSON ${JSON.stringify(json)}\n`);
