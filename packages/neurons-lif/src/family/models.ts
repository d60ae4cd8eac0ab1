/**
 * The members of the LIF family (seed 003: "conductance-based variants",
 * "exponential and adaptive extensions … EIF and AdEx"), in physical units:
 *
 * - `lif` — the paper's Table 1 LIF: C dV/dt = −g_L(V − E_L) + I (Euler, or
 *   the exact exponential integrator of `biophysical/`).
 * - `eif` — exponential IF (Fourcaud-Trocmé et al., J. Neurosci. 2003):
 *   C dV/dt = −g_L(V − E_L) + g_L Δ_T exp((V − V_T)/Δ_T) + I; spike at V_peak,
 *   reset to V_r. It is AdEx with a = b = 0.
 * - `adex` — adaptive exponential IF (Brette & Gerstner, J. Neurophysiol.
 *   2005): EIF − w, τ_w dw/dt = a(V − E_L) − w, w ← w + b at each spike.
 * - `alif` — LIF whose threshold V_T + θ jumps by Δθ at each spike and
 *   decays back with τ_θ.
 * - `coba` — conductance-based LIF: C dV/dt = −g_L(V − E_L) − g_e(V − E_e)
 *   − g_i(V − E_i) + I, with g_e, g_i relaxing to constant baselines and
 *   driven by Poisson spike trains (rate, weight per spike).
 *
 * The exponential is evaluated at min(V, V_peak), the usual guard that keeps
 * an integrator's intermediate stages finite once V has run away.
 */
import { createRandom, type ValidationIssue } from "@neurobridge/core";
import type { CurrentInput } from "../biophysical/current.js";
import { analyticRate as lifAnalyticRate } from "../biophysical/fi-curve.js";
import { INTEGRATORS as LIF_INTEGRATORS } from "../biophysical/integrator.js";
import { type LifParameters, TABLE1 } from "../biophysical/parameters.js";
import { simulateLif } from "../biophysical/simulate.js";
import {
  DISPLAY,
  ensure,
  integratePoint,
  ODE_INTEGRATORS,
  type OdeSystem,
  type PointNeuron,
  type PointParamSpec,
  type PointParams,
  type PointPreset,
  type PointSimulateOptions,
  type PointTrace,
} from "./point-neuron.js";

const num = (p: PointParams, name: string): number => p[name] as number;

/** The LIF parameters every member shares (Table 1 defaults). */
const membrane = (defaults: { c: number; gL: number; eL: number; vT: number; vReset: number; tRef: number }): PointParamSpec[] => [
  { name: "c", dimension: "capacitance", default: defaults.c, description: "membrane capacitance C", display: DISPLAY.pF },
  { name: "gL", dimension: "conductance", default: defaults.gL, description: "leak conductance g_L", display: DISPLAY.nS },
  { name: "eL", dimension: "voltage", default: defaults.eL, description: "leak reversal (resting) potential E_L", display: DISPLAY.mV },
  {
    name: "vT",
    dimension: "voltage",
    default: defaults.vT,
    description: "threshold V_T (LIF: spike; EIF/AdEx: exponential's midpoint)",
    display: DISPLAY.mV,
  },
  { name: "vReset", dimension: "voltage", default: defaults.vReset, description: "reset potential V_r", display: DISPLAY.mV },
  { name: "tRef", dimension: "time", default: defaults.tRef, description: "absolute refractory period", display: DISPLAY.ms },
];

const TABLE1_MEMBRANE = { c: TABLE1.cM, gL: TABLE1.gL, eL: TABLE1.eL, vT: TABLE1.vTh, vReset: TABLE1.vReset, tRef: TABLE1.tauRef };

/** Checks every member shares: positive C and g_L, non-negative τ_ref. */
function checkMembrane(p: PointParams): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  ensure(issues, num(p, "c") > 0, "c", `capacitance must be > 0 F, got ${num(p, "c")}`);
  ensure(issues, num(p, "gL") > 0, "gL", `leak conductance must be > 0 S, got ${num(p, "gL")}`);
  ensure(issues, num(p, "tRef") >= 0, "tRef", `refractory period must be >= 0 s, got ${num(p, "tRef")}`);
  return issues;
}

/** `lif` parameters as the Table 1 model's. */
const asLif = (p: PointParams): LifParameters => ({
  tauM: num(p, "c") / num(p, "gL"),
  gL: num(p, "gL"),
  cM: num(p, "c"),
  eL: num(p, "eL"),
  vTh: num(p, "vT"),
  vReset: num(p, "vReset"),
  tauRef: num(p, "tRef"),
});

/** The paper's LIF as a family member (Euler or exact, the `lif` CLI's integrators). */
export const lifNeuron: PointNeuron = {
  name: "lif",
  description: "Leaky integrate-and-fire, C dV/dt = −g_L(V − E_L) + I (the paper's Table 1).",
  source: "the paper's Table 1",
  params: membrane(TABLE1_MEMBRANE),
  presets: { table1: { description: "the paper's Table 1", source: "the paper, Table 1", params: {} } },
  stateNames: ["v"],
  integrators: LIF_INTEGRATORS,
  check(p) {
    const issues = checkMembrane(p);
    ensure(issues, num(p, "vT") > num(p, "eL"), "vT", `threshold must be above E_L (${num(p, "eL")} V), got ${num(p, "vT")}`);
    ensure(issues, num(p, "vT") > num(p, "vReset"), "vT", `threshold must be above the reset potential (${num(p, "vReset")} V)`);
    return issues;
  },
  simulate(p, input, options) {
    const trace = simulateLif(asLif(p), input, {
      duration: options.duration,
      dt: options.dt,
      integrator: options.integrator as (typeof LIF_INTEGRATORS)[number],
      record: options.record ?? true,
    });
    return {
      dt: trace.dt,
      duration: trace.duration,
      integrator: trace.integrator,
      spikeTimes: trace.spikeTimes,
      ...(trace.voltage ? { states: { v: trace.voltage } } : {}),
    };
  },
  rheobase: (p) => num(p, "gL") * (num(p, "vT") - num(p, "eL")),
  analyticRate: (p, current) => lifAnalyticRate(asLif(p), current),
};

/** AdEx (EIF when a = b = 0) as an ODE system: state [V, w]. */
const adexSystem: OdeSystem = {
  names: ["v", "w"],
  initial: (p) => Float64Array.of(num(p, "eL"), 0),
  derivative(p, s, current, out) {
    const v = s[0] as number;
    const w = s[1] as number;
    const gL = num(p, "gL");
    const dT = num(p, "deltaT");
    const exponential = dT > 0 ? gL * dT * Math.exp((Math.min(v, num(p, "vPeak")) - num(p, "vT")) / dT) : 0;
    out[0] = (-gL * (v - num(p, "eL")) + exponential - w + current) / num(p, "c");
    out[1] = (num(p, "a") * (v - num(p, "eL")) - w) / num(p, "tauW");
  },
  margin: (p, s) => (s[0] as number) - num(p, "vPeak"),
  reset(p, s) {
    s[0] = num(p, "vReset");
    s[1] = (s[1] as number) + num(p, "b");
  },
  resetVoltage: (p) => num(p, "vReset"),
  refractory: (p) => num(p, "tRef"),
};

/**
 * Rheobase of AdEx/EIF from the V-nullcline at steady adaptation (w = a(V − E_L)):
 * I(V) = (g_L + a)(V − E_L) − g_L Δ_T e^{(V − V_T)/Δ_T} is smallest-maximal at
 * V* = V_T + Δ_T ln((g_L + a)/g_L), so I_rh = (g_L + a)(V* − E_L − Δ_T) — the
 * saddle-node case (a/g_L < τ_w/τ_m, true for every preset). For EIF
 * (a = 0): g_L(V_T − E_L − Δ_T), not g_L(V_T − E_L).
 */
function adexRheobase(p: PointParams): number {
  const gL = num(p, "gL");
  const a = num(p, "a");
  const dT = num(p, "deltaT");
  const g = gL + a;
  if (dT === 0) return g * (num(p, "vT") - num(p, "eL"));
  const vStar = num(p, "vT") + dT * Math.log(g / gL);
  return g * (vStar - num(p, "eL") - dT);
}

const exponentialParams = (defaults: { deltaT: number; vPeak: number }): PointParamSpec[] => [
  {
    name: "deltaT",
    dimension: "voltage",
    default: defaults.deltaT,
    description: "slope factor Δ_T (0: a sharp threshold at V_T)",
    display: DISPLAY.mV,
  },
  { name: "vPeak", dimension: "voltage", default: defaults.vPeak, description: "spike cut-off V_peak", display: DISPLAY.mV },
];

/** Brette & Gerstner (2005), the regular-spiking cell of their Fig. 2; V_r = E_L, V_peak = V_T + 5Δ_T. */
const BRETTE_GERSTNER = {
  c: 281e-12,
  gL: 30e-9,
  eL: -70.6e-3,
  vT: -50.4e-3,
  vReset: -70.6e-3,
  tRef: 0,
  deltaT: 2e-3,
  vPeak: -50.4e-3 + 5 * 2e-3,
  tauW: 144e-3,
  a: 4e-9,
  b: 80.5e-12,
};

function checkExponential(p: PointParams): ValidationIssue[] {
  const issues = checkMembrane(p);
  ensure(issues, num(p, "deltaT") >= 0, "deltaT", `slope factor must be >= 0 V, got ${num(p, "deltaT")}`);
  ensure(issues, num(p, "vPeak") > num(p, "vT"), "vPeak", `V_peak must be above V_T (${num(p, "vT")} V), got ${num(p, "vPeak")}`);
  ensure(issues, num(p, "vPeak") > num(p, "vReset"), "vPeak", `V_peak must be above the reset potential (${num(p, "vReset")} V)`);
  return issues;
}

/** Naud et al. 2008, Table 1: the firing patterns of their Fig. 4 (V_peak = 0 mV). */
function naud(description: string, figure: string, v: Record<string, number>, currentPA: number): PointPreset {
  return {
    description,
    source: `Naud, Marcille, Clopath & Gerstner, Biol. Cybern. 99:335 (2008), Table 1 / Fig. ${figure}`,
    params: {
      c: (v.C as number) * 1e-12,
      gL: (v.gL as number) * 1e-9,
      eL: (v.EL as number) * 1e-3,
      vT: -50e-3,
      deltaT: 2e-3,
      a: (v.a as number) * 1e-9,
      tauW: (v.tauW as number) * 1e-3,
      b: (v.b as number) * 1e-12,
      vReset: (v.Vr as number) * 1e-3,
      vPeak: 0,
      tRef: 0,
    },
    current: currentPA * 1e-12,
  };
}

/** The AdEx presets: Brette & Gerstner's cell and Naud et al.'s firing patterns. */
export const ADEX_PRESETS: Readonly<Record<string, PointPreset>> = {
  "brette-gerstner-2005": {
    description: "regular-spiking cortical pyramidal cell",
    source: "Brette & Gerstner, J. Neurophysiol. 94:3637 (2005); V_r = E_L, V_peak = V_T + 5Δ_T",
    params: BRETTE_GERSTNER,
  },
  tonic: naud("tonic spiking", "4a", { C: 200, gL: 10, EL: -70, a: 2, tauW: 30, b: 0, Vr: -58 }, 500),
  adapting: naud("spike-frequency adaptation", "4b", { C: 200, gL: 12, EL: -70, a: 2, tauW: 300, b: 60, Vr: -58 }, 500),
  "initial-burst": naud("initial burst, then regular spiking", "4c", { C: 130, gL: 18, EL: -58, a: 4, tauW: 150, b: 120, Vr: -50 }, 400),
  bursting: naud("regular bursting", "4d", { C: 200, gL: 10, EL: -58, a: 2, tauW: 120, b: 100, Vr: -46 }, 210),
  "delayed-accelerating": naud("delayed onset, accelerating", "4e", { C: 200, gL: 12, EL: -70, a: -10, tauW: 300, b: 0, Vr: -58 }, 300),
  irregular: naud("irregular spiking", "4h", { C: 100, gL: 12, EL: -60, a: -11, tauW: 130, b: 30, Vr: -48 }, 160),
};

/** A member whose behaviour is an ODE system: its states, integrators and simulation come from the system. */
function odeMember(base: Omit<PointNeuron, "simulate" | "integrators" | "stateNames">, system: OdeSystem): PointNeuron {
  return {
    ...base,
    stateNames: system.names,
    integrators: ODE_INTEGRATORS,
    simulate: (p: PointParams, input: CurrentInput, options: PointSimulateOptions): PointTrace =>
      integratePoint(base.name, system, p, input, options, base.params),
  };
}

/** AdEx. */
export const adexNeuron: PointNeuron = odeMember(
  {
    name: "adex",
    description: "Adaptive exponential IF: EIF − w; τ_w dw/dt = a(V − E_L) − w; w ← w + b at each spike.",
    source: "Brette & Gerstner, J. Neurophysiol. 94:3637 (2005)",
    params: [
      ...membrane(BRETTE_GERSTNER),
      ...exponentialParams(BRETTE_GERSTNER),
      { name: "tauW", dimension: "time", default: BRETTE_GERSTNER.tauW, description: "adaptation time constant τ_w", display: DISPLAY.ms },
      { name: "a", dimension: "conductance", default: BRETTE_GERSTNER.a, description: "subthreshold adaptation a", display: DISPLAY.nS },
      { name: "b", dimension: "current", default: BRETTE_GERSTNER.b, description: "spike-triggered adaptation b", display: DISPLAY.pA },
    ],
    presets: ADEX_PRESETS,
    check(p) {
      const issues = checkExponential(p);
      ensure(issues, num(p, "tauW") > 0, "tauW", `τ_w must be > 0 s, got ${num(p, "tauW")}`);
      ensure(issues, num(p, "gL") + num(p, "a") > 0, "a", `g_L + a must be > 0 (a steady state exists), got a = ${num(p, "a")} S`);
      return issues;
    },
    rheobase: adexRheobase,
  },
  adexSystem,
);

/** EIF: AdEx with a = b = 0 (the adaptation current stays 0). */
export const eifNeuron: PointNeuron = odeMember(
  {
    name: "eif",
    description: "Exponential IF: C dV/dt = −g_L(V − E_L) + g_L Δ_T exp((V − V_T)/Δ_T) + I; spike at V_peak, reset to V_r.",
    source: "Fourcaud-Trocmé, Hansel, van Vreeswijk & Brunel, J. Neurosci. 23:11628 (2003)",
    params: [...membrane(BRETTE_GERSTNER), ...exponentialParams(BRETTE_GERSTNER)],
    presets: {
      "brette-gerstner-2005": {
        ...(ADEX_PRESETS["brette-gerstner-2005"] as PointPreset),
        description: "Brette & Gerstner's cell without adaptation",
      },
    },
    check: checkExponential,
    rheobase: (p) => adexRheobase({ ...p, a: 0 }),
  },
  {
    ...adexSystem,
    names: ["v"],
    initial: (p) => Float64Array.of(num(p, "eL")),
    derivative(p, s, current, out) {
      const v = s[0] as number;
      const gL = num(p, "gL");
      const dT = num(p, "deltaT");
      const exponential = dT > 0 ? gL * dT * Math.exp((Math.min(v, num(p, "vPeak")) - num(p, "vT")) / dT) : 0;
      out[0] = (-gL * (v - num(p, "eL")) + exponential + current) / num(p, "c");
    },
    reset(p, s) {
      s[0] = num(p, "vReset");
    },
  },
);

/** Adaptive-threshold LIF as an ODE system: state [V, θ]. */
const alifSystem: OdeSystem = {
  names: ["v", "theta"],
  initial: (p) => Float64Array.of(num(p, "eL"), 0),
  derivative(p, s, current, out) {
    out[0] = (-num(p, "gL") * ((s[0] as number) - num(p, "eL")) + current) / num(p, "c");
    out[1] = -(s[1] as number) / num(p, "tauTheta");
  },
  margin: (p, s) => (s[0] as number) - num(p, "vT") - (s[1] as number),
  reset(p, s) {
    s[0] = num(p, "vReset");
    s[1] = (s[1] as number) + num(p, "thetaJump");
  },
  resetVoltage: (p) => num(p, "vReset"),
  refractory: (p) => num(p, "tRef"),
};

/** The adaptive-threshold LIF. */
export const alifNeuron: PointNeuron = odeMember(
  {
    name: "alif",
    description: "LIF with an adaptive threshold V_T + θ: θ ← θ + Δθ at each spike, τ_θ dθ/dt = −θ.",
    source: "adaptive-threshold LIF (e.g. Bellec et al., NeurIPS 2018, in continuous time); Table 1 membrane",
    params: [
      ...membrane(TABLE1_MEMBRANE),
      { name: "thetaJump", dimension: "voltage", default: 2e-3, description: "threshold increase per spike Δθ", display: DISPLAY.mV },
      { name: "tauTheta", dimension: "time", default: 100e-3, description: "threshold decay time constant τ_θ", display: DISPLAY.ms },
    ],
    presets: {},
    check(p) {
      const issues = lifNeuron.check(p);
      ensure(issues, num(p, "thetaJump") >= 0, "thetaJump", `Δθ must be >= 0 V, got ${num(p, "thetaJump")}`);
      ensure(issues, num(p, "tauTheta") > 0, "tauTheta", `τ_θ must be > 0 s, got ${num(p, "tauTheta")}`);
      return issues;
    },
    // Until the first spike it is the LIF: the same rheobase.
    rheobase: lifNeuron.rheobase,
  },
  alifSystem,
);

/** Effective LIF of a conductance-based neuron with its baseline conductances. */
export function effectiveLif(p: PointParams): { gTotal: number; eEffective: number; tau: number } {
  const gE = num(p, "gE0");
  const gI = num(p, "gI0");
  const gTotal = num(p, "gL") + gE + gI;
  return {
    gTotal,
    eEffective: (num(p, "gL") * num(p, "eL") + gE * num(p, "eE") + gI * num(p, "eI")) / gTotal,
    tau: num(p, "c") / gTotal,
  };
}

/** The conductance-based LIF with its spike-train inputs (seeded, one Bernoulli draw per step and input). */
function cobaSystem(seed: number, dt: number): OdeSystem {
  const rng = createRandom(seed).fork("coba-inputs");
  return {
    names: ["v", "gE", "gI"],
    initial: (p) => Float64Array.of(num(p, "eL"), num(p, "gE0"), num(p, "gI0")),
    derivative(p, s, current, out) {
      const v = s[0] as number;
      const gE = s[1] as number;
      const gI = s[2] as number;
      out[0] = (-num(p, "gL") * (v - num(p, "eL")) - gE * (v - num(p, "eE")) - gI * (v - num(p, "eI")) + current) / num(p, "c");
      out[1] = (num(p, "gE0") - gE) / num(p, "tauE");
      out[2] = (num(p, "gI0") - gI) / num(p, "tauI");
    },
    margin: (p, s) => (s[0] as number) - num(p, "vT"),
    reset(p, s) {
      s[0] = num(p, "vReset");
    },
    resetVoltage: (p) => num(p, "vReset"),
    refractory: (p) => num(p, "tRef"),
    kick(p, s) {
      if (num(p, "rateE") > 0 && rng.next() < num(p, "rateE") * dt) s[1] = (s[1] as number) + num(p, "wE");
      if (num(p, "rateI") > 0 && rng.next() < num(p, "rateI") * dt) s[2] = (s[2] as number) + num(p, "wI");
    },
  };
}

/** The conductance-based LIF. */
export const cobaNeuron: PointNeuron = {
  name: "coba",
  description: "Conductance-based LIF: C dV/dt = −g_L(V − E_L) − g_e(V − E_e) − g_i(V − E_i) + I; g_e, g_i driven by Poisson spike trains.",
  source: "conductance-based LIF (e.g. Destexhe et al., J. Comput. Neurosci. 1:195, 1994, reduced); Table 1 membrane",
  params: [
    ...membrane(TABLE1_MEMBRANE),
    { name: "eE", dimension: "voltage", default: 0, description: "excitatory reversal potential E_e", display: DISPLAY.mV },
    { name: "eI", dimension: "voltage", default: -80e-3, description: "inhibitory reversal potential E_i", display: DISPLAY.mV },
    { name: "tauE", dimension: "time", default: 5e-3, description: "excitatory conductance decay τ_e", display: DISPLAY.ms },
    { name: "tauI", dimension: "time", default: 10e-3, description: "inhibitory conductance decay τ_i", display: DISPLAY.ms },
    // A background conductance by default (without one the model is the LIF).
    {
      name: "gE0",
      dimension: "conductance",
      default: 5e-9,
      description: "baseline (constant) excitatory conductance",
      display: DISPLAY.nS,
    },
    {
      name: "gI0",
      dimension: "conductance",
      default: 5e-9,
      description: "baseline (constant) inhibitory conductance",
      display: DISPLAY.nS,
    },
    { name: "rateE", dimension: "frequency", default: 0, description: "rate of the excitatory input spike train", display: DISPLAY.Hz },
    { name: "rateI", dimension: "frequency", default: 0, description: "rate of the inhibitory input spike train", display: DISPLAY.Hz },
    {
      name: "wE",
      dimension: "conductance",
      default: 1e-9,
      description: "excitatory conductance step per input spike",
      display: DISPLAY.nS,
    },
    {
      name: "wI",
      dimension: "conductance",
      default: 1e-9,
      description: "inhibitory conductance step per input spike",
      display: DISPLAY.nS,
    },
  ],
  presets: {},
  stateNames: ["v", "gE", "gI"],
  integrators: ODE_INTEGRATORS,
  check(p) {
    const issues = checkMembrane(p);
    for (const name of ["tauE", "tauI"]) ensure(issues, num(p, name) > 0, name, `must be > 0 s, got ${num(p, name)}`);
    for (const name of ["gE0", "gI0", "rateE", "rateI", "wE", "wI"])
      ensure(issues, num(p, name) >= 0, name, `must be >= 0, got ${num(p, name)}`);
    ensure(issues, num(p, "vT") > num(p, "vReset"), "vT", `threshold must be above the reset potential (${num(p, "vReset")} V)`);
    if (!issues.length) {
      const { eEffective } = effectiveLif(p);
      ensure(
        issues,
        num(p, "vT") > eEffective,
        "vT",
        `threshold must be above the effective rest ${eEffective} V (with the baseline conductances), or it fires with no input`,
      );
    }
    return issues;
  },
  simulate: (p, input, options) => integratePoint("coba", cobaSystem(options.seed ?? 0, options.dt), p, input, options),
  rheobase(p) {
    const { gTotal, eEffective } = effectiveLif(p);
    return gTotal * (num(p, "vT") - eEffective);
  },
  analyticRate(p, current) {
    // Without input spike trains it is a LIF with τ = C/g_tot, rest E_eff, conductance g_tot.
    if (num(p, "rateE") > 0 || num(p, "rateI") > 0) return Number.NaN;
    const { gTotal, eEffective, tau } = effectiveLif(p);
    return lifAnalyticRate(
      { tauM: tau, gL: gTotal, cM: num(p, "c"), eL: eEffective, vTh: num(p, "vT"), vReset: num(p, "vReset"), tauRef: num(p, "tRef") },
      current,
    );
  },
};

/** Every member, by name: `neurobridge neuron --model NAME` looks models up here. */
export const POINT_NEURONS: Readonly<Record<string, PointNeuron>> = {
  lif: lifNeuron,
  eif: eifNeuron,
  adex: adexNeuron,
  alif: alifNeuron,
  coba: cobaNeuron,
};
