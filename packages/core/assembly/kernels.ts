// Core's kernels in WebAssembly with 128-bit SIMD (AssemblyScript). Each
// computes what its JavaScript twin computes, with the same float operations
// in the same order, so results are the same bits (the tests compare them):
//
// - the event-driven emulator's synaptic accumulation (SynapticAccumulator
//   in src/kernels.ts): each arriving spike adds its presynaptic row of
//   weights into a float32 partial sum, folded into the current at every
//   `sliceK` boundary of presynaptic indices (the training GEMM's K slices);
//   and integer synapses (IntegerAccumulator);
// - ReLU forward and backward (src/builtins/models.ts).

/**
 * Delivers the `count` spikes at `pres` (i32, ascending presynaptic index)
 * of one tick into a `size`-wide population whose weights are `[fanIn, size]`
 * at `weights`. `c` (the current, float32) must hold the bias (or zeros) and
 * `partial` zeros; `blockEnd` is the first slice boundary. Folds the last
 * slice, so `c` holds the tick's input on return.
 */
export function deliverTick(
  count: i32,
  pres: usize,
  size: i32,
  weights: usize,
  sliceK: i32,
  c: usize,
  partial: usize,
): void {
  let blockEnd = sliceK;
  let touched = false;
  const n4 = size & ~3;
  const bytes = (<usize>size) << 2;
  for (let s = 0; s < count; s++) {
    const pre = load<i32>(pres + ((<usize>s) << 2));
    if (pre >= blockEnd) {
      if (touched) {
        fold(size, c, partial);
        touched = false;
      }
      while (pre >= blockEnd) blockEnd += sliceK;
    }
    const row = weights + (<usize>pre) * bytes;
    let j = 0;
    for (; j < n4; j += 4) {
      const k = (<usize>j) << 2;
      v128.store(partial + k, f32x4.add(v128.load(partial + k), v128.load(row + k)));
    }
    for (; j < size; j++) {
      const k = (<usize>j) << 2;
      store<f32>(partial + k, load<f32>(partial + k) + load<f32>(row + k));
    }
    touched = true;
  }
  if (touched) fold(size, c, partial);
}

/** c += partial; partial = 0. */
function fold(size: i32, c: usize, partial: usize): void {
  const n4 = size & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    const k = (<usize>j) << 2;
    v128.store(c + k, f32x4.add(v128.load(c + k), v128.load(partial + k)));
  }
  for (; j < size; j++) {
    const k = (<usize>j) << 2;
    store<f32>(c + k, load<f32>(c + k) + load<f32>(partial + k));
  }
  memory.fill(partial, 0, (<usize>size) << 2);
}

/**
 * Integer synapses (a fixed-point chip's): adds the int32 rows `[fanIn, size]`
 * at `weights` of the `count` spikes at `pres` into the float64 activation
 * `a` (exact: integer sums well inside 2^53), as IntegerAccumulator does.
 */
export function deliverTickInt(count: i32, pres: usize, size: i32, weights: usize, a: usize): void {
  const n2 = size & ~1;
  const rowBytes = (<usize>size) << 2;
  for (let s = 0; s < count; s++) {
    const row = weights + (<usize>load<i32>(pres + ((<usize>s) << 2))) * rowBytes;
    let j = 0;
    for (; j < n2; j += 2) {
      const o = a + ((<usize>j) << 3);
      v128.store(o, f64x2.add(v128.load(o), f64x2.convert_low_i32x4_s(v128.load64_zero(row + ((<usize>j) << 2)))));
    }
    for (; j < size; j++) {
      const o = a + ((<usize>j) << 3);
      store<f64>(o, load<f64>(o) + <f64>load<i32>(row + ((<usize>j) << 2)));
    }
  }
}

/** ReLU forward over `n` float32 values: y = x > 0 ? x : 0 (NaN and −0 give +0, as the JavaScript). */
export function reluForward(n: i32, x: usize, y: usize): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const k = (<usize>i) << 2;
    const v = v128.load(x + k);
    v128.store(y + k, v128.bitselect(v, zero, f32x4.gt(v, zero)));
  }
  for (; i < n; i++) {
    const k = (<usize>i) << 2;
    const v = load<f32>(x + k);
    store<f32>(y + k, v > 0 ? v : 0);
  }
}

/** ReLU backward: g = x > 0 ? dy : 0. */
export function reluBackward(n: i32, x: usize, dy: usize, g: usize): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const k = (<usize>i) << 2;
    v128.store(g + k, v128.bitselect(v128.load(dy + k), zero, f32x4.gt(v128.load(x + k), zero)));
  }
  for (; i < n; i++) {
    const k = (<usize>i) << 2;
    store<f32>(g + k, load<f32>(x + k) > 0 ? load<f32>(dy + k) : 0);
  }
}
