/**
 * The inner-dimension slicing of ONNX Runtime's MLAS SGEMM, which the
 * training backend multiplies with. MLAS sums K in slices and adds each
 * slice's partial sum into the output (initialised with the bias), so the
 * float32 result depends on the slice length. An event-driven emulator that
 * must reproduce the training backend's spikes bit for bit accumulates in
 * the same slices. Checked against onnxruntime-node in `gemm-order.test.ts`.
 *
 * The rule (MLAS `MlasSgemmOperation`): start from 128 × 128 (N × K) and, for
 * narrow outputs, trade N for K while N/2 still covers the output width; for
 * short K, trade K for N.
 */
export function mlasSliceK(outFeatures: number, inFeatures: number): number {
  let strideN = 128;
  let strideK = 128;
  if (outFeatures >= inFeatures) {
    while (strideK / 2 >= inFeatures) {
      strideN *= 2;
      strideK /= 2;
    }
  } else {
    while (strideN > 16 && strideN / 2 >= outFeatures) {
      strideK *= 2;
      strideN /= 2;
    }
  }
  return strideK;
}
