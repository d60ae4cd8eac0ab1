// One TrueNorth core's tick in WebAssembly with 128-bit SIMD
// (AssemblyScript): the integer arithmetic of src/truenorth/chip.ts's
// `TrueNorthEmulator.step` for one core — integrate every active axon's
// crossbar row with the membrane saturating after each addition, then every
// neuron's leak, thresholds and reset — on the same int32 values, so the
// same membranes and spikes (the tests compare the two).
//
// The crossbar is held dense here: row i is the signed weight each neuron
// gives axon i's type where the crossbar bit is set, 0 where it is not. Adding
// 0 to a membrane inside its range and saturating leaves it unchanged, so
// the dense row integrates exactly what the sparse one does, four neurons per
// instruction.

/** The membrane's 20-bit signed range (src/truenorth/neuron.ts). */
const MEMBRANE_MAX: i32 = (1 << 19) - 1;
const MEMBRANE_MIN: i32 = -(1 << 19);

/** Reset modes, as chip.ts numbers them (TRUENORTH_RESET_MODES). */
const ABSOLUTE: i32 = 0;
const LINEAR: i32 = 1;

// @inline
function saturate(u: i32): i32 {
  return u > MEMBRANE_MAX ? MEMBRANE_MAX : u < MEMBRANE_MIN ? MEMBRANE_MIN : u;
}

/**
 * Advances one core one tick. `axons` (i32 [count]) lists the active axons in
 * ascending order; `weights` is the dense crossbar `[axonsPerCore, N]`
 * (i32); `v` the membranes `[N]`, updated in place. Per neuron (i32 [N]):
 * `leak`, `alpha` (positive threshold), `beta` (negative threshold
 * magnitude), `mode` (0 absolute, 1 linear, 2 none), `resetV`, `kappa` and
 * `reversal` (0/1). Writes the slots that fired (ascending) to `out` and
 * returns how many.
 */
export function trueNorthCoreTick(
  count: i32,
  axons: usize,
  N: i32,
  weights: usize,
  v: usize,
  leak: usize,
  alpha: usize,
  beta: usize,
  mode: usize,
  resetV: usize,
  kappa: usize,
  reversal: usize,
  out: usize,
): i32 {
  const rowBytes = (<usize>N) << 2;
  const N4 = N & ~3;
  const hi = i32x4.splat(MEMBRANE_MAX);
  const lo = i32x4.splat(MEMBRANE_MIN);
  for (let e = 0; e < count; e++) {
    const row = weights + (<usize>load<i32>(axons + ((<usize>e) << 2))) * rowBytes;
    let j = 0;
    for (; j < N4; j += 4) {
      const at = v + ((<usize>j) << 2);
      v128.store(at, i32x4.max_s(i32x4.min_s(i32x4.add(v128.load(at), v128.load(row + ((<usize>j) << 2))), hi), lo));
    }
    for (; j < N; j++) {
      const at = v + ((<usize>j) << 2);
      store<i32>(at, saturate(load<i32>(at) + load<i32>(row + ((<usize>j) << 2))));
    }
  }
  let spikes = 0;
  for (let j = 0; j < N; j++) {
    const k = (<usize>j) << 2;
    const x = load<i32>(v + k);
    const l = load<i32>(leak + k);
    const sign: i32 = x > 0 ? 1 : x < 0 ? -1 : 0;
    let u = saturate(x + (load<i32>(reversal + k) != 0 ? sign * l : l));
    const m = load<i32>(mode + k);
    const a = load<i32>(alpha + k);
    if (u >= a) {
      if (m == ABSOLUTE) u = load<i32>(resetV + k);
      else if (m == LINEAR) u -= a;
      store<i32>(v + k, saturate(u));
      store<i32>(out + ((<usize>spikes) << 2), j);
      spikes++;
      continue;
    }
    const b = load<i32>(beta + k);
    if (u < -b) {
      if (load<i32>(kappa + k) != 0) u = -b;
      else if (m == ABSOLUTE) u = -load<i32>(resetV + k);
      else if (m == LINEAR) u += b;
    }
    store<i32>(v + k, saturate(u));
  }
  return spikes;
}
