/**
 * Float → Loihi fixed point, per population. A float network with weights
 * W, bias b, threshold θ and decay β becomes integers on a common scale:
 *
 * - weights: 8-bit mixed-sign mantissas, even integers in [−256, 254], with
 *   a weight exponent e; one spike adds w_mant · 2^(6+e) to u;
 * - `S_w = 254 / max|W|` mantissa units per float unit, so the voltage scale
 *   is `S_v = 2^(6+e) · S_w` v-units per float unit;
 * - e is the largest exponent (≤ 7) for which no tick's input can wrap the
 *   24-bit current (fanIn · 256 · 2^e < 2^17) and vth fits 17 bits;
 * - threshold `vth = round(θ · S_v / 2^6)`; bias `b · S_v` in the 13-bit
 *   mantissa / 3-bit exponent bias register;
 * - `dv = round(4096 · (1 − β))` (β_eff = 1 − dv/4096); `du = 4095 − round(4096·α)`
 *   from a synaptic-current decay α (models whose mapping gives one, e.g. `cuba-lif`); `du = 4095` clears
 *   the current every step, matching a LIF whose input is this step's I.
 *
 * A population fed by an off-chip layer has no synapses; its scale is chosen
 * so the largest possible host current still fits the bias register.
 */
import type { DensePlanLayer } from "@neurobridge/core";
import { DeploymentError } from "../deploy-error.js";
import type { LoihiPopulationConfig } from "../emulator/population.js";
import { DECAY_UNITY } from "./cuba-lif.js";

/** Largest bias mantissa magnitude (13-bit signed). */
export const BIAS_MANTISSA_MAX = 4095;
/** Largest bias exponent (3-bit). */
export const BIAS_EXPONENT_MAX = 7;
/** Largest threshold mantissa (17-bit unsigned). */
export const VTH_MAX = 2 ** 17 - 1;
/** Weight mantissa range: even integers in [−256, 254]. */
export const WEIGHT_MIN = -256;
export const WEIGHT_MAX = 254;
/** Largest weight exponent. */
export const WEIGHT_EXPONENT_MAX = 7;

/** Rounds `value` (v units) to what the bias register holds: mantissa · 2^exponent. */
export function quantizeBias(value: number): number {
  // Start the search where it must reach anyway: with |value| ≥ 2^(12+e), |value / 2^(e−1)| ≥ 2^13 rounds above
  // the mantissa, so every exponent below e fails (the search is monotone: a larger exponent never rounds larger).
  const magnitude = Math.abs(value);
  let exponent = magnitude >= 8192 && magnitude < 2 ** 31 ? Math.min(BIAS_EXPONENT_MAX, 31 - Math.clz32(magnitude) - 12) : 0;
  while (exponent < BIAS_EXPONENT_MAX && Math.abs(Math.round(value / (POW2[exponent] as number))) > BIAS_MANTISSA_MAX) exponent++;
  const scale = POW2[exponent] as number;
  const mantissa = Math.max(-BIAS_MANTISSA_MAX - 1, Math.min(BIAS_MANTISSA_MAX, Math.round(value / scale)));
  return mantissa * scale;
}

/** 2^e for the bias exponents (a table: `2 ** e` with a variable e is a slow call in the per-sample loop). */
const POW2 = Array.from({ length: BIAS_EXPONENT_MAX + 1 }, (_, e) => 2 ** e);

/** Largest value the bias register holds. */
export const BIAS_MAX = BIAS_MANTISSA_MAX * 2 ** BIAS_EXPONENT_MAX;

/** How one population was quantised, for the deployment report. */
export interface LoihiQuantization {
  readonly population: string;
  readonly fedBy: "synapses" | "host";
  readonly weightBits: 8;
  readonly weightExponent: number;
  /** v units per float unit. */
  readonly voltageScale: number;
  readonly vth: number;
  readonly du: number;
  readonly dv: number;
  readonly betaFloat: number;
  readonly betaEffective: number;
  readonly thresholdFloat: number;
  /** θ as the chip sees it, in float units. */
  readonly thresholdEffective: number;
  /** ‖W_q − W‖ / ‖W‖ over the population's synapses (0 for host-fed ones). */
  readonly weightRelativeRmsError: number;
  /** Largest |w_q − w| in float units. */
  readonly weightMaxAbsError: number;
  /** Synapses whose weight rounded to zero (not stored). */
  readonly zeroedSynapses: number;
  /** Stored synapses. */
  readonly synapses: number;
  /** ‖b_q − b‖ / ‖b‖ of the bias (0 without bias). */
  readonly biasRelativeRmsError: number;
}

const shared = (values: Float32Array, what: string, population: string): number => {
  const first = values[0] as number;
  for (const v of values) {
    if (v !== first) {
      throw new DeploymentError(
        "loihi",
        "sharedCompartmentProfile",
        `population '${population}' has per-neuron ${what} (${first} … ${v}); a Loihi population shares one ${what === "β" ? "dv" : "vth"} (one compartment profile). Deploy a network with a shared ${what}.`,
      );
    }
  }
  return first;
};

/** The report fields every population has, from its scale and integer constants. */
function commonReport(
  population: string,
  fedBy: "synapses" | "host",
  weightExponent: number,
  voltageScale: number,
  vth: number,
  du: number,
  dv: number,
  beta: number,
  theta: number,
) {
  return {
    population,
    fedBy,
    weightBits: 8 as const,
    weightExponent,
    voltageScale,
    vth,
    du,
    dv,
    betaFloat: beta,
    betaEffective: 1 - dv / DECAY_UNITY,
    thresholdFloat: theta,
    thresholdEffective: (vth * 64) / voltageScale,
  };
}

/** A population as a CUBA-LIF compartment, from its model's `fixed-point:loihi` mapping. */
export interface LoihiCompartment {
  readonly id: string;
  readonly size: number;
  /** β per neuron (Loihi needs one shared value). */
  readonly decay: Float32Array;
  /** α per neuron, the synaptic current's decay (absent: 0, the current cleared every step). */
  readonly currentDecay?: Float32Array;
  readonly threshold: Float32Array;
}

/**
 * Quantises `neuron` fed by `dense` (on-chip synapses) or, when `dense` is
 * host-computed, by a host current bounded by `hostBound` (float units).
 */
export function quantizeLoihiPopulation(
  neuron: LoihiCompartment,
  dense: DensePlanLayer,
  fedBy: "synapses" | "host",
  hostBound: number,
): { config: LoihiPopulationConfig; report: LoihiQuantization } {
  const id = neuron.id;
  const beta = shared(neuron.decay, "β", id);
  const theta = shared(neuron.threshold, "threshold", id);
  const dv = Math.max(0, Math.min(DECAY_UNITY - 1, Math.round(DECAY_UNITY * (1 - beta))));
  // u ← u·(4096 − (du + 1))/4096: α = (4095 − du)/4096, so α = 0 is du = 4095 (no current memory).
  const alpha = neuron.currentDecay ? shared(neuron.currentDecay, "α", id) : 0;
  const du = Math.max(0, Math.min(DECAY_UNITY - 1, DECAY_UNITY - 1 - Math.round(DECAY_UNITY * alpha)));
  const N = neuron.size;
  const fanIn = dense.inFeatures;
  if (fedBy === "host") {
    // Largest host current → largest bias; vth as fine as that allows.
    const voltageScale = Math.min(BIAS_MAX / Math.max(hostBound, 1e-12), (VTH_MAX * 64) / theta);
    const vth = Math.max(1, Math.round((theta * voltageScale) / 64));
    const scale = (vth * 64) / theta;
    return {
      config: {
        weights: new Int32Array(0),
        synapses: new Int32Array(fanIn),
        bias: new Int32Array(N),
        du,
        dv,
        vth,
        hostScale: scale,
        quantizeBias,
      },
      report: {
        ...commonReport(id, fedBy, 0, scale, vth, du, dv, beta, theta),
        weightRelativeRmsError: 0,
        weightMaxAbsError: 0,
        zeroedSynapses: 0,
        synapses: 0,
        biasRelativeRmsError: 0,
      },
    };
  }
  let maxAbs = 0;
  for (const w of dense.weight) maxAbs = Math.max(maxAbs, Math.abs(w));
  if (maxAbs === 0) maxAbs = 1;
  const mantissaScale = WEIGHT_MAX / maxAbs;
  let exponent = 0;
  while (
    exponent < WEIGHT_EXPONENT_MAX &&
    fanIn * 256 * 2 ** (exponent + 1) < 2 ** 17 &&
    theta * mantissaScale * 2 ** (exponent + 1) <= VTH_MAX
  )
    exponent++;
  const voltageScale = 64 * 2 ** exponent * mantissaScale;
  const vth = Math.round(theta * mantissaScale * 2 ** exponent);
  if (vth < 1 || vth > VTH_MAX) {
    throw new DeploymentError(
      "loihi",
      "thresholdMantissaBits",
      `population '${id}': threshold ${theta} maps to vth = ${vth}, outside the 17-bit range 1…${VTH_MAX}; rescale the weights or the threshold`,
    );
  }
  // Synapses stored per presynaptic neuron: [fanIn, N].
  const weights = new Int32Array(fanIn * N);
  const synapses = new Int32Array(fanIn);
  let errSq = 0;
  let normSq = 0;
  let maxErr = 0;
  let zeroed = 0;
  let stored = 0;
  for (let o = 0; o < N; o++) {
    for (let i = 0; i < fanIn; i++) {
      const w = dense.weight[o * fanIn + i] as number;
      const mantissa = Math.max(WEIGHT_MIN, Math.min(WEIGHT_MAX, 2 * Math.round((w * mantissaScale) / 2)));
      weights[i * N + o] = mantissa * 2 ** exponent;
      const back = mantissa / mantissaScale;
      errSq += (back - w) ** 2;
      normSq += w * w;
      maxErr = Math.max(maxErr, Math.abs(back - w));
      if (mantissa === 0) {
        if (w !== 0) zeroed++;
      } else {
        stored++;
        synapses[i] = (synapses[i] as number) + 1;
      }
    }
  }
  const bias = new Int32Array(N);
  let bErr = 0;
  let bNorm = 0;
  if (dense.bias) {
    for (let o = 0; o < N; o++) {
      const b = dense.bias[o] as number;
      bias[o] = quantizeBias(b * voltageScale);
      bErr += ((bias[o] as number) / voltageScale - b) ** 2;
      bNorm += b * b;
    }
  }
  return {
    config: { weights, synapses, bias, du, dv, vth, hostScale: voltageScale, quantizeBias },
    report: {
      ...commonReport(id, fedBy, exponent, voltageScale, vth, du, dv, beta, theta),
      weightRelativeRmsError: normSq > 0 ? Math.sqrt(errSq / normSq) : 0,
      weightMaxAbsError: maxErr,
      zeroedSynapses: zeroed,
      synapses: stored,
      biasRelativeRmsError: bNorm > 0 ? Math.sqrt(bErr / bNorm) : 0,
    },
  };
}
