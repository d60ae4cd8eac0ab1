// Loihi's CUBA-LIF compartments in WebAssembly with 128-bit SIMD
// (AssemblyScript): one tick of a population, the arithmetic of
// `loihiPopulationStep` (src/loihi/cuba-lif.ts) two compartments at a time
// in float64 lanes. Every value is an integer far inside 2^53, so each
// operation is exact and the results are the JavaScript's (a test holds them
// equal); x / 2^12 is computed as x · 2^−12, the same number.

const DECAY_SCALE: f64 = 1.0 / 4096.0;
const ACTIVATION_SCALE: f64 = 64;
const UV_LIMIT: f64 = 8388608;
const UV_RANGE: f64 = 16777216;

/**
 * Advances `size` compartments by one tick. `u`, `v` (f64, in place),
 * `activation` (f64, this tick's synaptic input) and `bias` (f64: the bias
 * register plus any host current) are `[size]`; `uKeep` = 4096 − (du + 1),
 * `vKeep` = 4096 − dv and `threshold` = vth · 2^6. Writes the indices of the
 * compartments that spiked (ascending) at `out` and returns their number;
 * stores at `activeAt` how many compartments were not at rest (u, v, input
 * and bias all zero), which do no work on the chip and stay at rest.
 */
export function loihiTick(
  size: i32,
  u: usize,
  v: usize,
  activation: usize,
  bias: usize,
  uKeep: f64,
  vKeep: f64,
  threshold: f64,
  out: usize,
  activeAt: usize,
): i32 {
  const zero = f64x2.splat(0);
  const scale = f64x2.splat(DECAY_SCALE);
  const input = f64x2.splat(ACTIVATION_SCALE);
  const limit = f64x2.splat(UV_LIMIT);
  const lowLimit = f64x2.splat(-UV_LIMIT);
  const range = f64x2.splat(UV_RANGE);
  const vMax = f64x2.splat(UV_LIMIT - 1);
  const vMin = f64x2.splat(-UV_LIMIT + 1);
  const uk = f64x2.splat(uKeep);
  const vk = f64x2.splat(vKeep);
  const th = f64x2.splat(threshold);
  let spikes = 0;
  let resting = 0;
  const n2 = size & ~1;
  let j = 0;
  for (; j < n2; j += 2) {
    const o = (<usize>j) << 3;
    const u0 = v128.load(u + o);
    const v0 = v128.load(v + o);
    const a = v128.load(activation + o);
    const b = v128.load(bias + o);
    const rest = v128.and(v128.and(f64x2.eq(u0, zero), f64x2.eq(v0, zero)), v128.and(f64x2.eq(a, zero), f64x2.eq(b, zero)));
    resting += popcnt(i64x2.bitmask(rest));
    let un = f64x2.add(f64x2.trunc(f64x2.mul(f64x2.mul(u0, uk), scale)), f64x2.mul(a, input));
    // The 24-bit current wraps (one of the two at most applies).
    un = v128.bitselect(f64x2.sub(un, range), un, f64x2.gt(un, limit));
    un = v128.bitselect(f64x2.add(un, range), un, f64x2.le(un, lowLimit));
    let vn = f64x2.add(f64x2.add(f64x2.trunc(f64x2.mul(f64x2.mul(v0, vk), scale)), un), b);
    vn = f64x2.pmin(f64x2.pmax(vn, vMin), vMax);
    const fired = f64x2.gt(vn, th);
    v128.store(u + o, un);
    v128.store(v + o, v128.bitselect(zero, vn, fired));
    // The spike list without branches (spikes are too common to predict): each
    // lane's index is written at the list's end, which advances only if it fired.
    const mask = i64x2.bitmask(fired);
    store<i32>(out + ((<usize>spikes) << 2), j);
    spikes += mask & 1;
    store<i32>(out + ((<usize>spikes) << 2), j + 1);
    spikes += mask >> 1;
  }
  for (; j < size; j++) {
    const o = (<usize>j) << 3;
    const u0 = load<f64>(u + o);
    const v0 = load<f64>(v + o);
    const a = load<f64>(activation + o);
    const b = load<f64>(bias + o);
    if (u0 == 0 && v0 == 0 && a == 0 && b == 0) {
      resting++;
      continue;
    }
    let un = trunc<f64>(u0 * uKeep * DECAY_SCALE) + a * ACTIVATION_SCALE;
    if (un > UV_LIMIT) un -= UV_RANGE;
    else if (un <= -UV_LIMIT) un += UV_RANGE;
    let vn = trunc<f64>(v0 * vKeep * DECAY_SCALE) + un + b;
    vn = min<f64>(UV_LIMIT - 1, max<f64>(-UV_LIMIT + 1, vn));
    if (vn > threshold) {
      vn = 0;
      store<i32>(out + ((<usize>spikes) << 2), j);
      spikes++;
    }
    store<f64>(u + o, un);
    store<f64>(v + o, vn);
  }
  store<i32>(activeAt, size - resting);
  return spikes;
}

/**
 * {@link loihiTick} in int32 lanes, four compartments per instruction, for
 * populations whose synaptic input can never reach 2^17 in magnitude (the
 * caller checks every column's Σ|w|): then 64·input ≤ 2^23, a single wrap
 * brings every current back into ±2^23, and every intermediate stays far
 * inside int32 — so the integers are those of the float64 lanes. `u`, `v`
 * and `bias` are int32 `[size]`; `activation` is float64 `[size]` (integers
 * below 2^17 in magnitude, converted exactly). The truncating decay
 * trunc(x·k / 2^12) is exact without a 64-bit product: with |x| = h·2^12 + l,
 * it is ±(h·k + ⌊l·k / 2^12⌋).
 */
export function loihiTickInt(
  size: i32,
  u: usize,
  v: usize,
  activation: usize,
  bias: usize,
  uKeep: i32,
  vKeep: i32,
  threshold: i32,
  out: usize,
  activeAt: usize,
): i32 {
  const zero = i32x4.splat(0);
  const low12 = i32x4.splat(4095);
  const limit = i32x4.splat(<i32>UV_LIMIT);
  const lowLimit = i32x4.splat(-(<i32>UV_LIMIT));
  const range = i32x4.splat(<i32>UV_RANGE);
  const vMax = i32x4.splat(<i32>UV_LIMIT - 1);
  const vMin = i32x4.splat(-(<i32>UV_LIMIT) + 1);
  const uk = i32x4.splat(uKeep);
  const vk = i32x4.splat(vKeep);
  const th = i32x4.splat(threshold);
  let spikes = 0;
  let resting = 0;
  const n4 = size & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    const o = (<usize>j) << 2;
    const u0 = v128.load(u + o);
    const v0 = v128.load(v + o);
    // The input arrives in float64 (the integer accumulator's sums, exact): four lanes from two loads.
    const ao = (<usize>j) << 3;
    const a = v128.shuffle<i32>(
      i32x4.trunc_sat_f64x2_s_zero(v128.load(activation + ao)),
      i32x4.trunc_sat_f64x2_s_zero(v128.load(activation + ao, 16)),
      0,
      1,
      4,
      5,
    );
    const b = v128.load(bias + o);
    const rest = v128.and(v128.and(i32x4.eq(u0, zero), i32x4.eq(v0, zero)), v128.and(i32x4.eq(a, zero), i32x4.eq(b, zero)));
    resting += popcnt(i32x4.bitmask(rest));
    let un = i32x4.add(decay(u0, uk, low12, zero), i32x4.shl(a, 6));
    un = v128.bitselect(i32x4.sub(un, range), un, i32x4.gt_s(un, limit));
    un = v128.bitselect(i32x4.add(un, range), un, i32x4.le_s(un, lowLimit));
    let vn = i32x4.add(i32x4.add(decay(v0, vk, low12, zero), un), b);
    vn = i32x4.min_s(i32x4.max_s(vn, vMin), vMax);
    const fired = i32x4.gt_s(vn, th);
    v128.store(u + o, un);
    v128.store(v + o, v128.andnot(vn, fired));
    // The spike list without branches, as in loihiTick.
    const mask = i32x4.bitmask(fired);
    store<i32>(out + ((<usize>spikes) << 2), j);
    spikes += mask & 1;
    store<i32>(out + ((<usize>spikes) << 2), j + 1);
    spikes += (mask >> 1) & 1;
    store<i32>(out + ((<usize>spikes) << 2), j + 2);
    spikes += (mask >> 2) & 1;
    store<i32>(out + ((<usize>spikes) << 2), j + 3);
    spikes += mask >> 3;
  }
  for (; j < size; j++) {
    const o = (<usize>j) << 2;
    const u0 = load<i32>(u + o);
    const v0 = load<i32>(v + o);
    const a = <i32>load<f64>(activation + ((<usize>j) << 3));
    const b = load<i32>(bias + o);
    if (u0 == 0 && v0 == 0 && a == 0 && b == 0) {
      resting++;
      continue;
    }
    let un = decayScalar(u0, uKeep) + (a << 6);
    if (un > <i32>UV_LIMIT) un -= <i32>UV_RANGE;
    else if (un <= -(<i32>UV_LIMIT)) un += <i32>UV_RANGE;
    let vn = decayScalar(v0, vKeep) + un + b;
    vn = min<i32>(<i32>UV_LIMIT - 1, max<i32>(-(<i32>UV_LIMIT) + 1, vn));
    if (vn > threshold) {
      vn = 0;
      store<i32>(out + ((<usize>spikes) << 2), j);
      spikes++;
    }
    store<i32>(u + o, un);
    store<i32>(v + o, vn);
  }
  store<i32>(activeAt, size - resting);
  return spikes;
}

/** trunc(x·k / 2^12) in int32 lanes (see {@link loihiTickInt}). */
// @ts-ignore: decorator
@inline
function decay(x: v128, k: v128, low12: v128, zero: v128): v128 {
  const m = i32x4.abs(x);
  const q = i32x4.add(i32x4.mul(i32x4.shr_u(m, 12), k), i32x4.shr_u(i32x4.mul(v128.and(m, low12), k), 12));
  return v128.bitselect(i32x4.sub(zero, q), q, i32x4.lt_s(x, zero));
}

/** trunc(x·k / 2^12) for one int32. */
// @ts-ignore: decorator
@inline
function decayScalar(x: i32, k: i32): i32 {
  const m = x < 0 ? -x : x;
  const q = (m >>> 12) * k + (((m & 4095) * k) >>> 12);
  return x < 0 ? -q : q;
}
