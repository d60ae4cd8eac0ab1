// Training kernels in WebAssembly with 128-bit SIMD (AssemblyScript). Each
// computes exactly what its JavaScript twin computes — float64 arithmetic in
// the same order, float32 rounding where the JavaScript stores — so a run
// gives the same bits either way (the tests compare them):
//
// - adamUpdate, as src/adam.ts:
//     m ← β1·m + (1 − β1)·g;  v ← β2·v + ((1 − β2)·g)·g
//     p ← p − (stepSize·m) / (√v·invSqrtC2 + ε)      (m, v unrounded here)
// - columnSums, a dense layer's bias gradient, as src/training-wasm.ts sums it.

/** One Adam step over `n` float32 parameters at byte addresses `p`, `g`, `m`, `v`. */
export function adamUpdate(
  n: i32,
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  b1: f64,
  b2: f64,
  eps: f64,
  stepSize: f64,
  invSqrtC2: f64,
): void {
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const vb1 = f64x2.splat(b1);
  const vb2 = f64x2.splat(b2);
  const vc1 = f64x2.splat(c1);
  const vc2 = f64x2.splat(c2);
  const veps = f64x2.splat(eps);
  const vstep = f64x2.splat(stepSize);
  const vinv = f64x2.splat(invSqrtC2);
  const n2 = n & ~1;
  let i = 0;
  for (; i < n2; i += 2) {
    const k = (<usize>i) << 2;
    const gi = f64x2.promote_low_f32x4(v128.load64_zero(g + k));
    const mi = f64x2.add(f64x2.mul(vb1, f64x2.promote_low_f32x4(v128.load64_zero(m + k))), f64x2.mul(vc1, gi));
    const vi = f64x2.add(f64x2.mul(vb2, f64x2.promote_low_f32x4(v128.load64_zero(v + k))), f64x2.mul(f64x2.mul(vc2, gi), gi));
    v128.store64_lane(m + k, f32x4.demote_f64x2_zero(mi), 0);
    v128.store64_lane(v + k, f32x4.demote_f64x2_zero(vi), 0);
    const pi = f64x2.promote_low_f32x4(v128.load64_zero(p + k));
    const step = f64x2.div(f64x2.mul(vstep, mi), f64x2.add(f64x2.mul(f64x2.sqrt(vi), vinv), veps));
    v128.store64_lane(p + k, f32x4.demote_f64x2_zero(f64x2.sub(pi, step)), 0);
  }
  for (; i < n; i++) {
    const k = (<usize>i) << 2;
    const gi = <f64>load<f32>(g + k);
    const mi = b1 * <f64>load<f32>(m + k) + c1 * gi;
    const vi = b2 * <f64>load<f32>(v + k) + c2 * gi * gi;
    store<f32>(m + k, <f32>mi);
    store<f32>(v + k, <f32>vi);
    store<f32>(p + k, <f32>(<f64>load<f32>(p + k) - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps)));
  }
}

/**
 * Column sums of a row-major float32 `[rows, n]` matrix into float64 `out[n]`
 * (zeroed here), each column summed row after row as the JavaScript does —
 * a dense layer's bias gradient.
 */
export function columnSums(rows: i32, n: i32, x: usize, out: usize): void {
  memory.fill(out, 0, (<usize>n) << 3);
  const n2 = n & ~1;
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>(r * n)) << 2);
    let j = 0;
    for (; j < n2; j += 2) {
      const o = out + ((<usize>j) << 3);
      v128.store(o, f64x2.add(v128.load(o), f64x2.promote_low_f32x4(v128.load64_zero(row + ((<usize>j) << 2)))));
    }
    for (; j < n; j++) {
      const o = out + ((<usize>j) << 3);
      store<f64>(o, load<f64>(o) + <f64>load<f32>(row + ((<usize>j) << 2)));
    }
  }
}
