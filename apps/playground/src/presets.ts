/** Parameter presets in display units (ms, nS, mV, pA). */

export interface LifSettings {
  tauM: number;
  gL: number;
  eL: number;
  vTh: number;
  vReset: number;
  tauRef: number;
  current: number;
  duration: number;
  dt: number;
  integrator: "euler" | "exact";
}

/** The paper's Table 1, driven at 250 pA for the slides' 300 ms at 0.1 ms (Euler). */
export const TABLE1_PRESET: LifSettings = {
  tauM: 10,
  gL: 10,
  eL: -75,
  vTh: -55,
  vReset: -75,
  tauRef: 2,
  current: 250,
  duration: 300,
  dt: 0.1,
  integrator: "euler",
};

/**
 * The seed page's example: τ_m = 20 ms driven by 1.5 nA "produces regular
 * spikes at 38.5 Hz". The page states neither R_m nor the voltages; with
 * common cortical values (E_L = V_reset = −70 mV, V_th = −50 mV, no
 * refractory period) its 38.5 Hz needs R_m = 18.3 MΩ, i.e. g_L = 54.5 nS.
 */
export const SEED_PRESET: LifSettings = {
  tauM: 20,
  gL: 54.5,
  eL: -70,
  vTh: -50,
  vReset: -70,
  tauRef: 0,
  current: 1500,
  duration: 1000,
  dt: 0.1,
  integrator: "exact",
};

export const PRESET_NOTES: Record<string, string> = {
  table1: "Table 1 of the paper: τ_m 10 ms, g_L 10 nS (C_m 100 pF), E_L −75 mV, V_th −55 mV, V_reset −75 mV, τ_ref 2 ms.",
  seed: "Seed page: τ_m 20 ms at 1.5 nA → 38.5 Hz. The page gives no R_m or voltages; E_L = V_reset = −70 mV, V_th = −50 mV and g_L = 54.5 nS (R_m 18.3 MΩ) reproduce its rate.",
};
