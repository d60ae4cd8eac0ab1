/**
 * Loihi's CUBA leaky integrate-and-fire compartment, bit-accurate with the
 * fixed-point arithmetic Intel's Lava models in `PyLifModelBitAcc`
 * (lava-nc/lava, src/lava/proc/lif/models.py), one time step:
 *
 *   u ← trunc0(u · (4096 − (du + 1)) / 2^12) + (a_in << 6)      (wraps to 24 bits)
 *   v ← trunc0(v · (4096 − dv) / 2^12) + u + bias                (saturates at ±(2^23 − 1))
 *   spike when v > (vth << 6), then v ← 0
 *
 * `trunc0` rounds toward zero (sign · (|x| >> 12)); the current decay adds
 * the 1-bit offset `ds_offset = 1`, so du = 4095 clears u every step; the
 * voltage offset is 0. State lives in plain JS numbers (exact integers far
 * below 2^53), so the products need no 64-bit type.
 */

/** 2^12: decay constants are 12-bit fractions of this. */
export const DECAY_UNITY = 4096;
/** Bound of the 24-bit state: 2^23. */
export const UV_LIMIT = 8_388_608;
/** 2^24: the wrap-around of the 24-bit current. */
const UV_RANGE = 16_777_216;
/** Left shift applied to synaptic input and to the threshold (MSB alignment). */
export const ACTIVATION_SHIFT = 6;
/** 2^ACTIVATION_SHIFT, precomputed for the hot loop. */
const ACTIVATION_SCALE = 64;
/** `ds_offset`: added to du (lets du = 4095 mean "no current memory"). */
export const CURRENT_DECAY_OFFSET = 1;

/** Per-compartment constants of a population (all integers). */
export interface LoihiCompartmentConfig {
  /** Current decay, 12-bit (0…4095). */
  readonly du: number;
  /** Voltage decay, 12-bit (0…4095). */
  readonly dv: number;
  /** Threshold mantissa, 17-bit unsigned (spikes when v > vth·2^6). */
  readonly vth: number;
}

/** Truncates x / 2^12 toward zero (Lava: sign(x)·(|x| >> 12)). */
export function decayShift(x: number): number {
  return Math.trunc(x / DECAY_UNITY);
}

/** u after decay and input, wrapped into the 24-bit range as Lava does. */
export function updateCurrent(u: number, activation: number, du: number): number {
  const next = decayShift(u * (DECAY_UNITY - (du + CURRENT_DECAY_OFFSET))) + activation * ACTIVATION_SCALE;
  if (next > UV_LIMIT) return next - UV_RANGE;
  if (next <= -UV_LIMIT) return next + UV_RANGE;
  return next;
}

/** v after decay, current and bias, saturated at ±(2^23 − 1). */
export function updateVoltage(v: number, u: number, bias: number, dv: number): number {
  const next = decayShift(v * (DECAY_UNITY - dv)) + u + bias;
  return Math.min(UV_LIMIT - 1, Math.max(-UV_LIMIT + 1, next));
}

/** The threshold compared against v: vth << 6. */
export const effectiveThreshold = (vth: number): number => vth * ACTIVATION_SCALE;

/**
 * One step of a compartment: returns the spike (0/1); `state` holds u and v
 * and is updated in place.
 */
export function loihiStep(state: { u: number; v: number }, activation: number, bias: number, config: LoihiCompartmentConfig): 0 | 1 {
  state.u = updateCurrent(state.u, activation, config.du);
  state.v = updateVoltage(state.v, state.u, bias, config.dv);
  if (state.v > effectiveThreshold(config.vth)) {
    state.v = 0;
    return 1;
  }
  return 0;
}

/**
 * One step of a whole population, the arithmetic of {@link loihiStep} on
 * flat arrays (the emulator's hot loop; a test holds the two equal).
 * Compartments at rest with no input and no bias are skipped — they stay at
 * rest. Writes the indices of the neurons that spiked into `out`; returns
 * how many, and how many compartments did work.
 */
export function loihiPopulationStep(
  u: Float64Array,
  v: Float64Array,
  activation: Float64Array,
  bias: Int32Array,
  hostBias: Float64Array,
  config: LoihiCompartmentConfig,
  out: Int32Array,
): { spikes: number; active: number } {
  const uKeep = DECAY_UNITY - (config.du + CURRENT_DECAY_OFFSET);
  const vKeep = DECAY_UNITY - config.dv;
  const threshold = effectiveThreshold(config.vth);
  let spikes = 0;
  let active = 0;
  for (let j = 0; j < u.length; j++) {
    const b = (bias[j] as number) + (hostBias[j] as number);
    const u0 = u[j] as number;
    const v0 = v[j] as number;
    const a = activation[j] as number;
    if (u0 === 0 && v0 === 0 && a === 0 && b === 0) continue;
    active++;
    let un = Math.trunc((u0 * uKeep) / DECAY_UNITY) + a * ACTIVATION_SCALE;
    if (un > UV_LIMIT) un -= UV_RANGE;
    else if (un <= -UV_LIMIT) un += UV_RANGE;
    let vn = Math.min(UV_LIMIT - 1, Math.max(-UV_LIMIT + 1, Math.trunc((v0 * vKeep) / DECAY_UNITY) + un + b));
    if (vn > threshold) {
      vn = 0;
      out[spikes++] = j;
    }
    u[j] = un;
    v[j] = vn;
  }
  return { spikes, active };
}
