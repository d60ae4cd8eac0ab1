/**
 * The non-dimensional LIF, dṽ/dt̃ = −ṽ + ĩ, with time in units of τ_m,
 * voltage as ṽ = (V − E_L)/(V_th − E_L) and current as ĩ = I/I_rheo. The
 * threshold is ṽ = 1 and the only remaining parameters are the reset ṽ_r and
 * the refractory period t̃_ref: neurons that share them have one F–I curve
 * f·τ_m = r̃(ĩ), whatever their physical parameters.
 */
import { type CurrentInput, checkCurrent, currentAtStep } from "./current.js";
import { type Integrator, integrateLeaky, type LeakyUnit, RHEOBASE_SNAP } from "./integrator.js";
import { type LifParameters, rheobase } from "./parameters.js";

/** Parameters of the non-dimensional LIF (threshold 1, rest 0, τ 1). */
export interface DimensionlessLif {
  /** ṽ_r = (V_reset − E_L)/(V_th − E_L). */
  readonly vReset: number;
  /** t̃_ref = τ_ref/τ_m. */
  readonly tRef: number;
}

/** The dimensionless parameters of `p` (Table 1: ṽ_r = 0, t̃_ref = 0.2). */
export function toDimensionless(p: LifParameters): DimensionlessLif {
  return { vReset: (p.vReset - p.eL) / (p.vTh - p.eL), tRef: p.tauRef / p.tauM };
}

/** Conversions between physical and dimensionless quantities for parameters `p`. */
export function scales(p: LifParameters) {
  const dv = p.vTh - p.eL;
  const iRheo = rheobase(p);
  return {
    /** Voltage scale V_th − E_L (V). */
    voltage: dv,
    /** Time scale τ_m (s). */
    time: p.tauM,
    /** Current scale I_rheo (A). */
    current: iRheo,
    toDimensionlessVoltage: (v: number) => (v - p.eL) / dv,
    toPhysicalVoltage: (v: number) => p.eL + v * dv,
    toDimensionlessTime: (t: number) => t / p.tauM,
    toPhysicalTime: (t: number) => t * p.tauM,
    toDimensionlessCurrent: (i: number) => i / iRheo,
    toPhysicalCurrent: (i: number) => i * iRheo,
    /** f·τ_m: spikes per membrane time constant. */
    toDimensionlessRate: (f: number) => f * p.tauM,
    toPhysicalRate: (r: number) => r / p.tauM,
  };
}

/** The non-dimensional LIF as a generic leaky unit. */
export function dimensionlessUnit(d: DimensionlessLif): LeakyUnit {
  return { tau: 1, rest: 0, threshold: 1, reset: d.vReset, refractory: d.tRef };
}

/**
 * Analytic steady-state rate in spikes per τ_m:
 * r̃(ĩ) = 1 / (t̃_ref + ln((ĩ − ṽ_r)/(ĩ − 1))) for ĩ > 1, else 0. At ĩ = 1
 * exactly (rheobase) the neuron approaches threshold but never reaches it in
 * finite time: 0. Within {@link RHEOBASE_SNAP} of 1 counts as rheobase
 * (unit conversions put 200 pA at ĩ = 1 + 2e-16, which would read 2.76 Hz).
 */
export function dimensionlessRate(i: number, d: DimensionlessLif): number {
  if (!(i > 1 + RHEOBASE_SNAP)) return 0;
  return 1 / (d.tRef + Math.log((i - d.vReset) / (i - 1)));
}

/**
 * Simulates the non-dimensional model under a dimensionless current (ĩ,
 * with the trace's `dt` in units of τ_m). Times in the result are in τ_m.
 */
export function simulateDimensionless(
  d: DimensionlessLif,
  input: CurrentInput,
  options: { duration: number; dt: number; integrator: Integrator; record?: boolean },
) {
  checkCurrent(input, options.duration);
  const current = currentAtStep(input, options.dt);
  return integrateLeaky(dimensionlessUnit(d), current, {
    duration: options.duration,
    dt: options.dt,
    method: options.integrator,
    record: options.record ?? false,
  });
}
