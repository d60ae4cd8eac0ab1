// The discrete LIF's kernels in WebAssembly with 128-bit SIMD (AssemblyScript).
//
// They compute exactly what the JavaScript kernels in src/network/lif-kernels.ts
// compute, operation for operation, so spikes, membranes and gradients are the
// same bits (the tests compare the two on random data):
//
// - forward, float32: u = fl(fl(β·v) + I); s = [u > θ]; v = reset(u, s, θ).
//   f32x4 lanes round each product and sum to float32 as Math.fround does.
// - backward, float64 like the JavaScript: per step t back from T−1,
//   ∂u = ∂s·σ'(u − θ) + carry (+ ∂m);  ∂I += ∂u;  ∂β += ∂u·v[t−1];  g = β·∂u.
//   WebAssembly never fuses a multiply and an add, as JavaScript never does.
//
// Arrays are row-major [T, B, N] (or [B, N] for a static input); β and θ are [N].
// Pointers are byte offsets into this module's memory, laid out by the host.

/** Reset semantics, as src/network/lif-wasm.ts numbers them. */
const RESET_ZERO: i32 = 0;
const RESET_SUBTRACT: i32 = 1;

/** Surrogate forms, as src/network/lif-wasm.ts numbers them. */
const FAST_SIGMOID: i32 = 0;
const ATAN: i32 = 1;
const TRIANGLE: i32 = 2;

/**
 * Forward over T steps. `uPre` (pre-reset membrane), `active` (i32 per
 * neuron, OR-ed: −1 once it fired; the caller zeroes it) and `perStep` (f64
 * spike count per step) are written when non-zero. `v` is the [B, N]
 * membrane scratch, zeroed here. The loop has no branch that depends on the
 * data: spike counts are lane sums of the comparison masks, so the time per
 * neuron-step does not grow with spike density (a branch per spiking lane
 * group cost 1.2 → 5.2 ns per neuron-step from 0 to 43% density).
 */
export function lifForward(
  T: i32,
  B: i32,
  N: i32,
  input: usize,
  inputStatic: bool,
  beta: usize,
  threshold: usize,
  reset: i32,
  v: usize,
  spikes: usize,
  uPre: usize,
  active: usize,
  perStep: usize,
): void {
  const BN = B * N;
  memory.fill(v, 0, <usize>BN << 2);
  const N4 = N & ~3;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let t = 0; t < T; t++) {
    const frame = <usize>(t * BN) << 2;
    const inFrame: usize = inputStatic ? 0 : frame;
    // Lane counts of one step (at most B·N/4 each) and the scalar tail's count.
    let lanes = i32x4.splat(0);
    let events: i32 = 0;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * N) << 2;
      let n = 0;
      for (; n < N4; n += 4) {
        const k = <usize>n << 2;
        const vp = v + row + k;
        const bv = v128.load(beta + k);
        const th = v128.load(threshold + k);
        const u = f32x4.add(f32x4.mul(bv, v128.load(vp)), v128.load(input + inFrame + row + k));
        if (uPre) v128.store(uPre + frame + row + k, u);
        const fired = f32x4.gt(u, th);
        v128.store(spikes + frame + row + k, v128.and(one, fired));
        let after = u;
        if (reset == RESET_SUBTRACT) after = v128.bitselect(f32x4.sub(u, th), u, fired);
        else if (reset == RESET_ZERO) after = v128.bitselect(zero, u, fired);
        v128.store(vp, after);
        lanes = i32x4.sub(lanes, fired);
        if (active) v128.store(active + k, v128.or(v128.load(active + k), fired));
      }
      for (; n < N; n++) {
        const k = <usize>n << 2;
        const vp = v + row + k;
        const th = load<f32>(threshold + k);
        const u: f32 = load<f32>(beta + k) * load<f32>(vp) + load<f32>(input + inFrame + row + k);
        if (uPre) store<f32>(uPre + frame + row + k, u);
        const fired = u > th;
        store<f32>(spikes + frame + row + k, fired ? 1 : 0);
        events += <i32>fired;
        if (active) store<i32>(active + k, load<i32>(active + k) | -(<i32>fired));
        store<f32>(vp, fired ? (reset == RESET_SUBTRACT ? u - th : reset == RESET_ZERO ? 0 : u) : u);
      }
    }
    events += i32x4.extract_lane(lanes, 0) + i32x4.extract_lane(lanes, 1) + i32x4.extract_lane(lanes, 2) + i32x4.extract_lane(lanes, 3);
    if (perStep) store<f64>(perStep + (<usize>t << 3), <f64>events);
  }
}

/**
 * The adaptive-threshold LIF (`alif`) forward over T steps, the arithmetic
 * of src/network/alif.ts's kernel in f32x4 lanes: u = fl(fl(β·v) + I),
 * θ_eff = fl(θ + a), s = [u > θ_eff], v = reset(u, s, θ_eff),
 * a = fl(fl(ρ·a) + jump·s). Writes the spikes, the pre-reset membrane `uPre`
 * and θ_eff (`effective`), each f32 [T, B, N]. `v` and `a` are [B, N]
 * scratch, zeroed here.
 */
export function alifForward(
  T: i32,
  B: i32,
  N: i32,
  input: usize,
  inputStatic: bool,
  beta: usize,
  threshold: usize,
  rho: usize,
  jump: usize,
  reset: i32,
  v: usize,
  a: usize,
  spikes: usize,
  uPre: usize,
  effective: usize,
): void {
  const BN = B * N;
  memory.fill(v, 0, <usize>BN << 2);
  memory.fill(a, 0, <usize>BN << 2);
  const N4 = N & ~3;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let t = 0; t < T; t++) {
    const frame = <usize>(t * BN) << 2;
    const inFrame: usize = inputStatic ? 0 : frame;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * N) << 2;
      let n = 0;
      for (; n < N4; n += 4) {
        const k = <usize>n << 2;
        const vp = v + row + k;
        const ap = a + row + k;
        const av = v128.load(ap);
        const u = f32x4.add(f32x4.mul(v128.load(beta + k), v128.load(vp)), v128.load(input + inFrame + row + k));
        const th = f32x4.add(v128.load(threshold + k), av);
        v128.store(uPre + frame + row + k, u);
        v128.store(effective + frame + row + k, th);
        const fired = f32x4.gt(u, th);
        v128.store(spikes + frame + row + k, v128.and(one, fired));
        let after = u;
        if (reset == RESET_SUBTRACT) after = v128.bitselect(f32x4.sub(u, th), u, fired);
        else if (reset == RESET_ZERO) after = v128.bitselect(zero, u, fired);
        v128.store(vp, after);
        v128.store(ap, f32x4.add(f32x4.mul(v128.load(rho + k), av), v128.and(v128.load(jump + k), fired)));
      }
      for (; n < N; n++) {
        const k = <usize>n << 2;
        const vp = v + row + k;
        const ap = a + row + k;
        const av = load<f32>(ap);
        const u: f32 = load<f32>(beta + k) * load<f32>(vp) + load<f32>(input + inFrame + row + k);
        const th: f32 = load<f32>(threshold + k) + av;
        store<f32>(uPre + frame + row + k, u);
        store<f32>(effective + frame + row + k, th);
        const fired = u > th;
        store<f32>(spikes + frame + row + k, fired ? 1 : 0);
        store<f32>(vp, fired ? (reset == RESET_SUBTRACT ? u - th : reset == RESET_ZERO ? 0 : u) : u);
        store<f32>(ap, load<f32>(rho + k) * av + (fired ? load<f32>(jump + k) : 0));
      }
    }
  }
}

/**
 * The current-based LIF (`cuba-lif`) forward over T steps, the arithmetic of
 * src/network/cuba-lif.ts's kernel in f32x4 lanes: i = fl(fl(α·i) + I), then
 * the LIF's u = fl(fl(β·v) + i), s = [u > θ], v = reset(u, s, θ). Writes
 * the spikes; `uPre` and `current` (i after each step), each f32 [T, B, N],
 * when non-zero; `active` and `perStep` as {@link lifForward} does. `i` and
 * `v` are [B, N] scratch, zeroed here.
 */
export function cubaForward(
  T: i32,
  B: i32,
  N: i32,
  input: usize,
  inputStatic: bool,
  alpha: usize,
  beta: usize,
  threshold: usize,
  reset: i32,
  cur: usize,
  v: usize,
  spikes: usize,
  uPre: usize,
  current: usize,
  active: usize,
  perStep: usize,
): void {
  const BN = B * N;
  memory.fill(cur, 0, <usize>BN << 2);
  memory.fill(v, 0, <usize>BN << 2);
  const N4 = N & ~3;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let t = 0; t < T; t++) {
    const frame = <usize>(t * BN) << 2;
    const inFrame: usize = inputStatic ? 0 : frame;
    let lanes = i32x4.splat(0);
    let events: i32 = 0;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * N) << 2;
      let n = 0;
      for (; n < N4; n += 4) {
        const k = <usize>n << 2;
        const ip = cur + row + k;
        const vp = v + row + k;
        const c = f32x4.add(f32x4.mul(v128.load(alpha + k), v128.load(ip)), v128.load(input + inFrame + row + k));
        v128.store(ip, c);
        if (current) v128.store(current + frame + row + k, c);
        const th = v128.load(threshold + k);
        const u = f32x4.add(f32x4.mul(v128.load(beta + k), v128.load(vp)), c);
        if (uPre) v128.store(uPre + frame + row + k, u);
        const fired = f32x4.gt(u, th);
        v128.store(spikes + frame + row + k, v128.and(one, fired));
        let after = u;
        if (reset == RESET_SUBTRACT) after = v128.bitselect(f32x4.sub(u, th), u, fired);
        else if (reset == RESET_ZERO) after = v128.bitselect(zero, u, fired);
        v128.store(vp, after);
        lanes = i32x4.sub(lanes, fired);
        if (active) v128.store(active + k, v128.or(v128.load(active + k), fired));
      }
      for (; n < N; n++) {
        const k = <usize>n << 2;
        const ip = cur + row + k;
        const vp = v + row + k;
        const c: f32 = load<f32>(alpha + k) * load<f32>(ip) + load<f32>(input + inFrame + row + k);
        store<f32>(ip, c);
        if (current) store<f32>(current + frame + row + k, c);
        const th = load<f32>(threshold + k);
        const u: f32 = load<f32>(beta + k) * load<f32>(vp) + c;
        if (uPre) store<f32>(uPre + frame + row + k, u);
        const fired = u > th;
        store<f32>(spikes + frame + row + k, fired ? 1 : 0);
        events += <i32>fired;
        if (active) store<i32>(active + k, load<i32>(active + k) | -(<i32>fired));
        store<f32>(vp, fired ? (reset == RESET_SUBTRACT ? u - th : reset == RESET_ZERO ? 0 : u) : u);
      }
    }
    events += i32x4.extract_lane(lanes, 0) + i32x4.extract_lane(lanes, 1) + i32x4.extract_lane(lanes, 2) + i32x4.extract_lane(lanes, 3);
    if (perStep) store<f64>(perStep + (<usize>t << 3), <f64>events);
  }
}

/**
 * The CUBA-LIF's BPTT backward over T steps, float64 like the JavaScript
 * (src/network/cuba-lif.ts): per step t back from T−1, with carries g_v, g_i,
 *   ∂u = ∂s·σ'(u − θ) + r·g_v (+ ∂m);  ∂i = ∂u + g_i;  ∂I += ∂i;
 *   ∂β += ∂u·v[t−1];  ∂α += ∂i·i[t−1];  g_v = β·∂u;  g_i = α·∂i
 * (r = 0 where a zero reset fired). `gv`, `gi` are f64 [B, N] scratch;
 * `dInput`, `dBeta`, `dAlpha` (f64 [N]) are zeroed here.
 */
export function cubaBackward(
  T: i32,
  B: i32,
  N: i32,
  uPre: usize,
  spikes: usize,
  current: usize,
  dSpikes: usize,
  dMembrane: usize,
  alpha: usize,
  beta: usize,
  threshold: usize,
  reset: i32,
  form: i32,
  p: f64,
  c: f64,
  inputStatic: bool,
  wantBeta: bool,
  wantAlpha: bool,
  dInput: usize,
  dBeta: usize,
  dAlpha: usize,
  gv: usize,
  gi: usize,
): void {
  const BN = B * N;
  memory.fill(gv, 0, <usize>BN << 3);
  memory.fill(gi, 0, <usize>BN << 3);
  memory.fill(dInput, 0, <usize>(inputStatic ? BN : T * BN) << 2);
  memory.fill(dBeta, 0, <usize>N << 3);
  memory.fill(dAlpha, 0, <usize>N << 3);
  const zeroReset = reset == RESET_ZERO;
  const subtract = reset == RESET_SUBTRACT;
  const N2 = N & ~1;
  const zero2 = f64x2.splat(0);
  for (let t = T - 1; t >= 0; t--) {
    const frame = <usize>(t * BN);
    const prev = frame - <usize>BN;
    const inFrame: usize = inputStatic ? 0 : frame;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * N);
      let n = 0;
      for (; n < N2; n += 2) {
        const i = row + n;
        const th = f64x2.promote_low_f32x4(v128.load64_zero(threshold + (<usize>n << 2)));
        const u = f64x2.promote_low_f32x4(v128.load64_zero(uPre + ((frame + i) << 2)));
        const s = f64x2.promote_low_f32x4(v128.load64_zero(spikes + ((frame + i) << 2)));
        const ds = f64x2.promote_low_f32x4(v128.load64_zero(dSpikes + ((frame + i) << 2)));
        let carry = v128.load(gv + (i << 3));
        if (zeroReset) carry = v128.bitselect(zero2, carry, f64x2.eq(s, f64x2.splat(1)));
        let du = f64x2.add(f64x2.mul(ds, surrogate2(form, f64x2.sub(u, th), p, c)), carry);
        if (dMembrane) du = f64x2.add(du, f64x2.promote_low_f32x4(v128.load64_zero(dMembrane + ((frame + i) << 2))));
        const di = f64x2.add(du, v128.load(gi + (i << 3)));
        const dip = dInput + ((inFrame + i) << 2);
        v128.store64_lane(dip, f32x4.demote_f64x2_zero(f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(dip)), di)), 0);
        if (t > 0) {
          if (wantBeta) {
            const up = f64x2.promote_low_f32x4(v128.load64_zero(uPre + ((prev + i) << 2)));
            const sp = f64x2.promote_low_f32x4(v128.load64_zero(spikes + ((prev + i) << 2)));
            const reset2 = subtract ? f64x2.sub(up, th) : zeroReset ? zero2 : up;
            const vPrev = v128.bitselect(up, reset2, f64x2.eq(sp, zero2));
            const dbp = dBeta + (<usize>n << 3);
            v128.store(dbp, f64x2.add(v128.load(dbp), f64x2.mul(du, vPrev)));
          }
          if (wantAlpha) {
            const ip = f64x2.promote_low_f32x4(v128.load64_zero(current + ((prev + i) << 2)));
            const dap = dAlpha + (<usize>n << 3);
            v128.store(dap, f64x2.add(v128.load(dap), f64x2.mul(di, ip)));
          }
        }
        v128.store(gv + (i << 3), f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(beta + (<usize>n << 2))), du));
        v128.store(gi + (i << 3), f64x2.mul(f64x2.promote_low_f32x4(v128.load64_zero(alpha + (<usize>n << 2))), di));
      }
      for (; n < N; n++) {
        const i = row + n;
        const th = <f64>load<f32>(threshold + (<usize>n << 2));
        const fired = load<f32>(spikes + ((frame + i) << 2)) == 1;
        const carry = zeroReset && fired ? 0 : load<f64>(gv + (i << 3));
        let du = <f64>load<f32>(dSpikes + ((frame + i) << 2)) * surrogate1(form, <f64>load<f32>(uPre + ((frame + i) << 2)) - th, p, c) + carry;
        if (dMembrane) du += <f64>load<f32>(dMembrane + ((frame + i) << 2));
        const di = du + load<f64>(gi + (i << 3));
        const dip = dInput + ((inFrame + i) << 2);
        store<f32>(dip, <f32>(<f64>load<f32>(dip) + di));
        if (t > 0) {
          if (wantBeta) {
            const up = <f64>load<f32>(uPre + ((prev + i) << 2));
            const vPrev = load<f32>(spikes + ((prev + i) << 2)) == 0 ? up : subtract ? up - th : zeroReset ? 0 : up;
            const dbp = dBeta + (<usize>n << 3);
            store<f64>(dbp, load<f64>(dbp) + du * vPrev);
          }
          if (wantAlpha) {
            const dap = dAlpha + (<usize>n << 3);
            store<f64>(dap, load<f64>(dap) + di * <f64>load<f32>(current + ((prev + i) << 2)));
          }
        }
        store<f64>(gv + (i << 3), <f64>load<f32>(beta + (<usize>n << 2)) * du);
        store<f64>(gi + (i << 3), <f64>load<f32>(alpha + (<usize>n << 2)) * di);
      }
    }
  }
}

/**
 * One tick of a float32 LIF population of the event-driven emulator, the
 * arithmetic of the forward above for one row: u = fl(fl(β·v) + I),
 * s = [u > θ], v = reset(u, s, θ), in place on `v` `[N]`. Writes the indices
 * of the neurons that fired (ascending) at `out` and returns how many;
 * stores at `activeAt` how many neurons had work (v ≠ 0 or I ≠ 0: a neuron
 * at rest without input stays at rest, θ > 0).
 */
export function lifTick(N: i32, v: usize, input: usize, beta: usize, threshold: usize, reset: i32, out: usize, activeAt: usize): i32 {
  const zero = f32x4.splat(0);
  const N4 = N & ~3;
  let spikes: i32 = 0;
  let resting: i32 = 0;
  let n = 0;
  for (; n < N4; n += 4) {
    const k = <usize>n << 2;
    const v0 = v128.load(v + k);
    const i0 = v128.load(input + k);
    resting += popcnt(i32x4.bitmask(v128.and(f32x4.eq(v0, zero), f32x4.eq(i0, zero))));
    const th = v128.load(threshold + k);
    const u = f32x4.add(f32x4.mul(v128.load(beta + k), v0), i0);
    const fired = f32x4.gt(u, th);
    let after = u;
    if (reset == RESET_SUBTRACT) after = v128.bitselect(f32x4.sub(u, th), u, fired);
    else if (reset == RESET_ZERO) after = v128.bitselect(zero, u, fired);
    v128.store(v + k, after);
    // The spike list without branches (a spike is too common to predict): each
    // lane's index is written at the list's end, which advances only if it fired.
    const mask = i32x4.bitmask(fired);
    store<i32>(out + (<usize>spikes << 2), n);
    spikes += mask & 1;
    store<i32>(out + (<usize>spikes << 2), n + 1);
    spikes += (mask >> 1) & 1;
    store<i32>(out + (<usize>spikes << 2), n + 2);
    spikes += (mask >> 2) & 1;
    store<i32>(out + (<usize>spikes << 2), n + 3);
    spikes += mask >> 3;
  }
  for (; n < N; n++) {
    const k = <usize>n << 2;
    const v0 = load<f32>(v + k);
    const i0 = load<f32>(input + k);
    if (v0 == 0 && i0 == 0) resting++;
    const th = load<f32>(threshold + k);
    const u: f32 = load<f32>(beta + k) * v0 + i0;
    if (u > th) {
      store<i32>(out + (<usize>spikes << 2), n);
      spikes++;
      store<f32>(v + k, reset == RESET_SUBTRACT ? u - th : reset == RESET_ZERO ? 0 : u);
    } else {
      store<f32>(v + k, u);
    }
  }
  store<i32>(activeAt, N - resting);
  return spikes;
}

/** The surrogate σ'(x) of `form` with parameter `p` (as core's compiled surrogates compute it, in float64). */
function surrogate2(form: i32, x: v128, p: f64, c: f64): v128 {
  if (form == FAST_SIGMOID) {
    // d = 1 + k·|x|; 1 / (d·d)
    const d = f64x2.add(f64x2.splat(1), f64x2.mul(f64x2.splat(p), f64x2.abs(x)));
    return f64x2.div(f64x2.splat(1), f64x2.mul(d, d));
  }
  if (form == ATAN) {
    // (α/2) / (1 + c·x·c·x), c = π/2·α, evaluated left to right
    const cv = f64x2.splat(c);
    const z = f64x2.mul(f64x2.mul(f64x2.mul(cv, x), cv), x);
    return f64x2.div(f64x2.splat(p / 2), f64x2.add(f64x2.splat(1), z));
  }
  // TRIANGLE: max(0, 1 − |x|/w) / w
  const w = f64x2.splat(p);
  const bump = f64x2.sub(f64x2.splat(1), f64x2.div(f64x2.abs(x), w));
  return f64x2.div(f64x2.pmax(f64x2.splat(0), bump), w);
}

function surrogate1(form: i32, x: f64, p: f64, c: f64): f64 {
  if (form == FAST_SIGMOID) {
    const d = 1 + p * abs<f64>(x);
    return 1 / (d * d);
  }
  if (form == ATAN) return p / 2 / (1 + c * x * c * x);
  const bump = 1 - abs<f64>(x) / p;
  return (bump > 0 ? bump : 0) / p;
}

/**
 * BPTT backward over T steps (see the module comment). `dMembrane` is added
 * when non-zero; `dBeta` (f64 [N]) accumulates when `wantBeta`. `g` is the
 * f64 [B, N] carry scratch and `dInput` ([B, N] static or [T, B, N]) is
 * zeroed here. With `effective` non-zero (f32 [T, B, N], the threshold each
 * neuron-step compared against: ALIF's θ + a) it replaces `threshold`; the
 * adaptation itself carries no gradient (its spike is stopped), so the rest
 * is the LIF's backward.
 */
export function lifBackward(
  T: i32,
  B: i32,
  N: i32,
  uPre: usize,
  spikes: usize,
  dSpikes: usize,
  dMembrane: usize,
  beta: usize,
  threshold: usize,
  reset: i32,
  form: i32,
  p: f64,
  c: f64,
  inputStatic: bool,
  wantBeta: bool,
  dInput: usize,
  dBeta: usize,
  g: usize,
  effective: usize,
): void {
  const BN = B * N;
  memory.fill(g, 0, <usize>BN << 3);
  memory.fill(dInput, 0, <usize>(inputStatic ? BN : T * BN) << 2);
  memory.fill(dBeta, 0, <usize>N << 3);
  const zeroReset = reset == RESET_ZERO;
  const subtract = reset == RESET_SUBTRACT;
  const N2 = N & ~1;
  const zero2 = f64x2.splat(0);
  for (let t = T - 1; t >= 0; t--) {
    const frame = <usize>(t * BN);
    const prev = frame - <usize>BN;
    const inFrame: usize = inputStatic ? 0 : frame;
    for (let b = 0; b < B; b++) {
      const row = <usize>(b * N);
      let n = 0;
      for (; n < N2; n += 2) {
        const i = row + n;
        const th = f64x2.promote_low_f32x4(
          v128.load64_zero(effective ? effective + ((frame + i) << 2) : threshold + (<usize>n << 2)),
        );
        const u = f64x2.promote_low_f32x4(v128.load64_zero(uPre + ((frame + i) << 2)));
        const s = f64x2.promote_low_f32x4(v128.load64_zero(spikes + ((frame + i) << 2)));
        const ds = f64x2.promote_low_f32x4(v128.load64_zero(dSpikes + ((frame + i) << 2)));
        let carry = v128.load(g + (i << 3));
        if (zeroReset) carry = v128.bitselect(zero2, carry, f64x2.eq(s, f64x2.splat(1)));
        let du = f64x2.add(f64x2.mul(ds, surrogate2(form, f64x2.sub(u, th), p, c)), carry);
        if (dMembrane) du = f64x2.add(du, f64x2.promote_low_f32x4(v128.load64_zero(dMembrane + ((frame + i) << 2))));
        const dip = dInput + ((inFrame + i) << 2);
        const di = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(dip)), du);
        v128.store64_lane(dip, f32x4.demote_f64x2_zero(di), 0);
        if (wantBeta && t > 0) {
          const up = f64x2.promote_low_f32x4(v128.load64_zero(uPre + ((prev + i) << 2)));
          const sp = f64x2.promote_low_f32x4(v128.load64_zero(spikes + ((prev + i) << 2)));
          const thPrev = effective ? f64x2.promote_low_f32x4(v128.load64_zero(effective + ((prev + i) << 2))) : th;
          const reset2 = subtract ? f64x2.sub(up, thPrev) : zeroReset ? zero2 : up;
          const vPrev = v128.bitselect(up, reset2, f64x2.eq(sp, zero2));
          const dbp = dBeta + (<usize>n << 3);
          v128.store(dbp, f64x2.add(v128.load(dbp), f64x2.mul(du, vPrev)));
        }
        const bv = f64x2.promote_low_f32x4(v128.load64_zero(beta + (<usize>n << 2)));
        v128.store(g + (i << 3), f64x2.mul(bv, du));
      }
      for (; n < N; n++) {
        const i = row + n;
        const th = <f64>load<f32>(effective ? effective + ((frame + i) << 2) : threshold + (<usize>n << 2));
        const fired = load<f32>(spikes + ((frame + i) << 2)) == 1;
        const carry = zeroReset && fired ? 0 : load<f64>(g + (i << 3));
        let du = <f64>load<f32>(dSpikes + ((frame + i) << 2)) * surrogate1(form, <f64>load<f32>(uPre + ((frame + i) << 2)) - th, p, c) + carry;
        if (dMembrane) du += <f64>load<f32>(dMembrane + ((frame + i) << 2));
        const dip = dInput + ((inFrame + i) << 2);
        store<f32>(dip, <f32>(<f64>load<f32>(dip) + du));
        if (wantBeta && t > 0) {
          const up = <f64>load<f32>(uPre + ((prev + i) << 2));
          const thPrev = effective ? <f64>load<f32>(effective + ((prev + i) << 2)) : th;
          const vPrev = load<f32>(spikes + ((prev + i) << 2)) == 0 ? up : subtract ? up - thPrev : zeroReset ? 0 : up;
          const dbp = dBeta + (<usize>n << 3);
          store<f64>(dbp, load<f64>(dbp) + du * vPrev);
        }
        store<f64>(g + (i << 3), <f64>load<f32>(beta + (<usize>n << 2)) * du);
      }
    }
  }
}

/**
 * Explicit-Euler leaky integrate-and-fire units under constant drives, as
 * src/biophysical/integrator.ts integrates one (float64, same operations):
 * per step, a unit in its refractory hold is clamped to `reset`; otherwise
 * x ← x + a·(target − x) and, at x ≥ threshold, it spikes at t = (k+1)·dt,
 * is reset and held for `refractorySteps` steps.
 *
 * `targets` (f64 [n]) are rest + drive. For each unit it writes, over the
 * spikes at t ≥ `discard`: their number (i32 `count`), and the steps k of the
 * first and last (i32 `first`, `last`). Units run two to a vector, four
 * vectors at a time, so eight independent recurrences overlap.
 */
export function eulerSweep(
  n: i32,
  targets: usize,
  steps: i32,
  a: f64,
  x0: f64,
  threshold: f64,
  reset: f64,
  refractorySteps: f64,
  dt: f64,
  discard: f64,
  count: usize,
  first: usize,
  last: usize,
): void {
  memory.fill(count, 0, (<usize>n) << 2);
  const va = f64x2.splat(a);
  const vth = f64x2.splat(threshold);
  const vreset = f64x2.splat(reset);
  const vref = f64x2.splat(refractorySteps);
  const one = f64x2.splat(1);
  const zero = f64x2.splat(0);
  let u = 0;
  for (; u + 8 <= n; u += 8) {
    const t0 = v128.load(targets + ((<usize>(u + 0)) << 3));
    const t1 = v128.load(targets + ((<usize>(u + 2)) << 3));
    const t2 = v128.load(targets + ((<usize>(u + 4)) << 3));
    const t3 = v128.load(targets + ((<usize>(u + 6)) << 3));
    let x0v = f64x2.splat(x0);
    let h0 = zero;
    let x1v = f64x2.splat(x0);
    let h1 = zero;
    let x2v = f64x2.splat(x0);
    let h2 = zero;
    let x3v = f64x2.splat(x0);
    let h3 = zero;
    for (let k = 0; k < steps; k++) {
      const held0 = f64x2.gt(h0, zero);
      const held1 = f64x2.gt(h1, zero);
      const held2 = f64x2.gt(h2, zero);
      const held3 = f64x2.gt(h3, zero);
      const n0 = f64x2.add(x0v, f64x2.mul(va, f64x2.sub(t0, x0v)));
      const n1 = f64x2.add(x1v, f64x2.mul(va, f64x2.sub(t1, x1v)));
      const n2 = f64x2.add(x2v, f64x2.mul(va, f64x2.sub(t2, x2v)));
      const n3 = f64x2.add(x3v, f64x2.mul(va, f64x2.sub(t3, x3v)));
      const fired0 = v128.andnot(f64x2.ge(n0, vth), held0);
      const fired1 = v128.andnot(f64x2.ge(n1, vth), held1);
      const fired2 = v128.andnot(f64x2.ge(n2, vth), held2);
      const fired3 = v128.andnot(f64x2.ge(n3, vth), held3);
      // A held unit counts down (h ≥ 1, so h − 1 ≥ 0); a free one has h = 0 and stays there (max(−1, 0)); a spike sets it.
      x0v = v128.bitselect(vreset, n0, v128.or(held0, fired0));
      x1v = v128.bitselect(vreset, n1, v128.or(held1, fired1));
      x2v = v128.bitselect(vreset, n2, v128.or(held2, fired2));
      x3v = v128.bitselect(vreset, n3, v128.or(held3, fired3));
      h0 = v128.bitselect(vref, f64x2.pmax(f64x2.sub(h0, one), zero), fired0);
      h1 = v128.bitselect(vref, f64x2.pmax(f64x2.sub(h1, one), zero), fired1);
      h2 = v128.bitselect(vref, f64x2.pmax(f64x2.sub(h2, one), zero), fired2);
      h3 = v128.bitselect(vref, f64x2.pmax(f64x2.sub(h3, one), zero), fired3);
      if (v128.any_true(v128.or(v128.or(fired0, fired1), v128.or(fired2, fired3)))) {
        const mask = i64x2.bitmask(fired0) | (i64x2.bitmask(fired1) << 2) | (i64x2.bitmask(fired2) << 4) | (i64x2.bitmask(fired3) << 6);
        for (let lane = 0; lane < 8; lane++) if (mask & (1 << lane)) recordSpike(u + lane, k, dt, discard, count, first, last);
      }
    }
  }
  for (; u < n; u++) {
    const target = load<f64>(targets + ((<usize>u) << 3));
    let x = x0;
    let hold: i32 = 0;
    const refSteps = <i32>refractorySteps;
    for (let k = 0; k < steps; k++) {
      if (hold > 0) {
        hold--;
        x = reset;
      } else {
        x = x + a * (target - x);
        if (x >= threshold) {
          recordSpike(u, k, dt, discard, count, first, last);
          x = reset;
          hold = refSteps;
        }
      }
    }
  }
}

function recordSpike(unit: i32, k: i32, dt: f64, discard: f64, count: usize, first: usize, last: usize): void {
  if (<f64>(k + 1) * dt < discard) return;
  const c = count + ((<usize>unit) << 2);
  const seen = load<i32>(c);
  if (seen == 0) store<i32>(first + ((<usize>unit) << 2), k);
  store<i32>(last + ((<usize>unit) << 2), k);
  store<i32>(c, seen + 1);
}
