/**
 * Parameters of the biophysical LIF neuron of the paper,
 * C_m·dV/dt = −g_L·(V − E_L) + I, in SI units, with the paper's Table 1 as
 * defaults and validation that names what is wrong.
 */
import { type Dimension, parseQuantity, ValidationError, type ValidationIssue } from "@neurobridge/core";

/** LIF parameters in SI units (s, S, F, V). */
export interface LifParameters {
  /** Membrane time constant τ_m = C_m / g_L (s). */
  readonly tauM: number;
  /** Leak conductance g_L (S). */
  readonly gL: number;
  /** Membrane capacitance C_m (F). */
  readonly cM: number;
  /** Resting (leak reversal) potential E_L (V). */
  readonly eL: number;
  /** Spike threshold V_th (V). */
  readonly vTh: number;
  /** Reset potential V_reset (V). */
  readonly vReset: number;
  /** Absolute refractory period τ_ref (s). */
  readonly tauRef: number;
}

/** The paper's Table 1. */
export const TABLE1: LifParameters = Object.freeze({
  tauM: 10e-3,
  gL: 10e-9,
  cM: 100e-12,
  eL: -75e-3,
  vTh: -55e-3,
  vReset: -75e-3,
  tauRef: 2e-3,
});

/** Dimension of each parameter, for parsing `"10ms"`-style values. */
export const LIF_PARAMETER_DIMENSIONS: Readonly<Record<keyof LifParameters, Dimension>> = {
  tauM: "time",
  gL: "conductance",
  cM: "capacitance",
  eL: "voltage",
  vTh: "voltage",
  vReset: "voltage",
  tauRef: "time",
};

/** Relative tolerance of the C_m = τ_m·g_L consistency check. */
const CONSISTENCY_TOLERANCE = 1e-6;

/**
 * Lists what is wrong with `p` (empty when valid): τ_m, g_L, C_m > 0,
 * C_m = τ_m·g_L, V_th above E_L and V_reset, τ_ref ≥ 0, all finite.
 */
export function checkLifParameters(p: LifParameters): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(p)) {
    if (typeof value !== "number" || !Number.isFinite(value)) issues.push({ path: name, message: `must be a finite number, got ${value}` });
  }
  if (issues.length) return issues;
  if (p.tauM <= 0) issues.push({ path: "tauM", message: `membrane time constant must be > 0 s, got ${p.tauM}` });
  if (p.gL <= 0) issues.push({ path: "gL", message: `leak conductance must be > 0 S, got ${p.gL}` });
  if (p.cM <= 0) issues.push({ path: "cM", message: `capacitance must be > 0 F, got ${p.cM}` });
  if (p.tauRef < 0) issues.push({ path: "tauRef", message: `refractory period must be >= 0 s, got ${p.tauRef}` });
  if (p.vTh <= p.vReset) issues.push({ path: "vTh", message: `threshold (${p.vTh} V) must be above the reset potential (${p.vReset} V)` });
  if (p.vTh <= p.eL) {
    issues.push({
      path: "vTh",
      message: `threshold (${p.vTh} V) must be above the resting potential E_L (${p.eL} V); otherwise the neuron fires with no input`,
    });
  }
  if (p.tauM > 0 && p.gL > 0 && p.cM > 0 && Math.abs(p.cM - p.tauM * p.gL) > CONSISTENCY_TOLERANCE * p.cM) {
    issues.push({
      path: "cM",
      message: `C_m must equal τ_m·g_L = ${p.tauM * p.gL} F (τ_m = ${p.tauM} s, g_L = ${p.gL} S), got ${p.cM} F; give two of the three and the third is derived`,
    });
  }
  return issues;
}

/** Values as a user writes them: SI numbers or strings with units (`"10ms"`). */
export type LifParameterInput = Partial<Record<keyof LifParameters, number | string>>;

/**
 * Builds validated parameters from Table 1 overridden by `input`. Strings are
 * parsed with their units; of τ_m, g_L and C_m any two determine the third
 * (given all three, they must agree).
 *
 * @throws `ValidationError` (core) naming each bad parameter and what is accepted
 */
export function lifParameters(input: LifParameterInput = {}): LifParameters {
  const issues: ValidationIssue[] = [];
  const given: Partial<Record<keyof LifParameters, number>> = {};
  for (const [name, raw] of Object.entries(input)) {
    const key = name as keyof LifParameters;
    const dimension = LIF_PARAMETER_DIMENSIONS[key];
    if (!dimension) {
      issues.push({ path: name, message: `unknown LIF parameter; accepted: ${Object.keys(LIF_PARAMETER_DIMENSIONS).join(", ")}` });
      continue;
    }
    try {
      given[key] = typeof raw === "string" ? parseQuantity(raw, dimension, name) : raw;
    } catch (error) {
      issues.push({ path: name, message: (error as Error).message.replace(`${name}: `, "") });
    }
  }
  if (issues.length) throw new ValidationError("LIF parameters", issues, "LIF_PARAMS_INVALID");
  const has = (k: keyof LifParameters) => given[k] !== undefined;
  const merged = { ...TABLE1, ...given };
  // Keep C_m = τ_m·g_L: values the user gave win and the missing one is
  // derived. With one given, τ_m (or g_L when only C_m is given) is kept.
  if (has("tauM") && has("gL") && !has("cM")) merged.cM = merged.tauM * merged.gL;
  else if (has("tauM") && has("cM") && !has("gL")) merged.gL = merged.cM / merged.tauM;
  else if (has("gL") && has("cM") && !has("tauM")) merged.tauM = merged.cM / merged.gL;
  else if (has("tauM") && !has("gL") && !has("cM")) merged.cM = merged.tauM * merged.gL;
  else if (has("gL") && !has("tauM") && !has("cM")) merged.cM = merged.tauM * merged.gL;
  else if (has("cM") && !has("tauM") && !has("gL")) merged.tauM = merged.cM / merged.gL;
  const found = checkLifParameters(merged);
  if (found.length) throw new ValidationError("LIF parameters", found, "LIF_PARAMS_INVALID");
  return Object.freeze(merged);
}

/** Rheobase I_rheo = g_L·(V_th − E_L): the smallest constant current that makes the neuron fire (200 pA for Table 1). */
export function rheobase(p: LifParameters): number {
  return p.gL * (p.vTh - p.eL);
}
