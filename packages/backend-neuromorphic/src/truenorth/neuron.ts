/**
 * The TrueNorth neuron, deterministic subset (Cassidy et al., IJCNN 2013;
 * Merolla et al., Science 2014; field names as in the NeMo/RANC simulators'
 * neuron structs). Integer arithmetic throughout: per tick,
 *
 * 1. integrate: V ← V + Σ_i A_i · c_ij · s_j[G_i] — each active axon i whose
 *    crossbar bit to neuron j is set adds the neuron's signed weight for the
 *    axon's type G_i ∈ {0, 1, 2, 3};
 * 2. leak: V ← V + λ (with leak reversal ε: V ← V + sign(V)·λ);
 * 3. positive threshold: V ≥ α fires a spike and resets by mode γ —
 *    absolute (V ← R), linear (V ← V − α) or none;
 * 4. negative threshold: V < −β either saturates (κ = 1: V ← −β) or resets
 *    mirrored by the same mode (κ = 0: V ← −R, V ← V + β, or nothing);
 * 5. the membrane saturates at its 20-bit signed range.
 *
 * Stochastic synapses, leaks and thresholds (the PRN-driven modes) are not
 * modelled: networks trained here use none of them.
 */

/** TrueNorth's reset modes γ. */
export const TRUENORTH_RESET_MODES = ["absolute", "linear", "none"] as const;
export type TrueNorthResetMode = (typeof TRUENORTH_RESET_MODES)[number];

/** Membrane bits (signed), Akopyan et al. 2015. */
export const MEMBRANE_BITS = 20;
export const MEMBRANE_MAX = 2 ** (MEMBRANE_BITS - 1) - 1;
export const MEMBRANE_MIN = -(2 ** (MEMBRANE_BITS - 1));

/** One neuron's configuration (integers). */
export interface TrueNorthNeuronConfig {
  /** Signed weight per axon type `[4]` (9-bit: −256…255). */
  readonly weights: readonly [number, number, number, number];
  /** Leak λ added every tick (9-bit signed). */
  readonly leak: number;
  /** Leak reversal ε: the leak pushes towards 0 (sign of V) instead of always adding. */
  readonly leakReversal?: boolean;
  /** Positive threshold α (≥ 1). */
  readonly alpha: number;
  /** Negative threshold magnitude β (≥ 0): V below −β saturates or resets. */
  readonly beta: number;
  /** κ: true saturates at −β, false resets. */
  readonly kappa: boolean;
  readonly resetMode: TrueNorthResetMode;
  /** Reset potential R (absolute mode; −R below the negative threshold). */
  readonly resetVoltage: number;
  /** Membrane at the start of a sample (default 0). */
  readonly initialV?: number;
}

const saturate = (v: number) => (v > MEMBRANE_MAX ? MEMBRANE_MAX : v < MEMBRANE_MIN ? MEMBRANE_MIN : v);

/**
 * Leak, thresholds and reset of one neuron after integration: returns the
 * new membrane and whether it fired. `v` already holds this tick's synaptic
 * input (integrated, saturated).
 */
export function trueNorthFire(v: number, n: TrueNorthNeuronConfig): { v: number; spike: boolean } {
  const leak = n.leakReversal ? Math.sign(v) * n.leak : n.leak;
  let u = saturate(v + leak);
  if (u >= n.alpha) {
    if (n.resetMode === "absolute") u = n.resetVoltage;
    else if (n.resetMode === "linear") u = u - n.alpha;
    return { v: saturate(u), spike: true };
  }
  if (u < -n.beta) {
    if (n.kappa) u = -n.beta;
    else if (n.resetMode === "absolute") u = -n.resetVoltage;
    else if (n.resetMode === "linear") u = u + n.beta;
  }
  return { v: saturate(u), spike: false };
}

/**
 * One tick of one neuron from its active inputs: `types` are the axon types
 * of the axons that carry a spike and connect to this neuron (crossbar bit set).
 */
export function trueNorthTick(v: number, activeTypes: readonly number[], n: TrueNorthNeuronConfig): { v: number; spike: boolean } {
  let u = v;
  for (const g of activeTypes) u = saturate(u + (n.weights[g] as number));
  return trueNorthFire(u, n);
}
