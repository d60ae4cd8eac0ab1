/**
 * The LIF family in physical units — one contract and one integrator for
 * every member (LIF, EIF, AdEx, adaptive-threshold LIF, conductance-based
 * LIF), so they share parameters with units and validation, integrators,
 * traces, spike times, sampled currents, F–I protocols and fits.
 *
 * A member is a spiking ODE system: state s (V first), ds/dt = f(s, I), a
 * spike when a margin m(s) ≥ 0 (e.g. V − V_peak), then a reset and an
 * absolute refractory period during which V is held at the reset value while
 * the other states evolve.
 *
 * Integrators on a fixed grid:
 * - `euler`: explicit Euler (the paper's method, and Brian2's default here);
 * - `rk4`: classical fourth-order Runge–Kutta;
 * spike times are the linear interpolation of the margin's zero crossing in
 * the step where it becomes ≥ 0.
 */
import { type Dimension, NeuroBridgeError, parseQuantity, ValidationError, type ValidationIssue } from "@neurobridge/core";
import { type CurrentInput, checkCurrent, currentAtStep } from "../biophysical/current.js";
import { gridSteps } from "../biophysical/integrator.js";

/** One physical parameter of a family member. */
export interface PointParamSpec {
  readonly name: string;
  readonly dimension: Dimension | "dimensionless";
  /** Default in SI units. */
  readonly default: number;
  readonly description: string;
  /** Display unit for JSON (`pF`, `nS`, `mV`, `ms`, `pA`) and its factor from SI. */
  readonly display: { readonly unit: string; readonly factor: number };
}

/** Parameters of a member in SI units, by name. */
export type PointParams = Readonly<Record<string, number>>;

/** A named parameter set, with where it comes from. */
export interface PointPreset {
  readonly description: string;
  readonly source: string;
  /** Overrides of the defaults (SI). */
  readonly params: PointParams;
  /** The constant current (A) the source drives it with, when it names one. */
  readonly current?: number;
}

/** Options of a simulation. */
export interface PointSimulateOptions {
  readonly duration: number;
  readonly dt: number;
  readonly integrator: string;
  /** Record every state at every grid point (default true). */
  readonly record?: boolean;
  /** Seed of stochastic inputs (the conductance-based model's spike trains). */
  readonly seed?: number;
}

/** A simulation's spikes and, when recorded, its traces. */
export interface PointTrace {
  readonly dt: number;
  readonly duration: number;
  readonly integrator: string;
  readonly spikeTimes: readonly number[];
  /** Each state at t = k·dt, k = 0..steps (V after reset at spike steps), when recorded. */
  readonly states?: Readonly<Record<string, Float64Array>>;
}

/** A member of the LIF family. */
export interface PointNeuron {
  readonly name: string;
  readonly description: string;
  /** Where the equations come from. */
  readonly source: string;
  readonly params: readonly PointParamSpec[];
  readonly presets: Readonly<Record<string, PointPreset>>;
  readonly stateNames: readonly string[];
  /** Integrators it accepts; the first is the default. */
  readonly integrators: readonly string[];
  /** Cross-parameter checks (each parameter is already finite). */
  check(p: PointParams): ValidationIssue[];
  simulate(p: PointParams, input: CurrentInput, options: PointSimulateOptions): PointTrace;
  /** The smallest constant current that makes it fire repetitively (A), from the model's equations. */
  rheobase(p: PointParams): number;
  /** Steady-state rate (Hz) at constant current (A), where a closed form exists. */
  analyticRate?(p: PointParams, current: number): number;
}

/** A spiking ODE system, the part of a member {@link integratePoint} runs. */
export interface OdeSystem {
  /** The state variables, V first. */
  readonly names: readonly string[];
  initial(p: PointParams): Float64Array;
  /** ds/dt at state `s` under current `current` (A), into `out`. */
  derivative(p: PointParams, s: Float64Array, current: number, out: Float64Array): void;
  /** ≥ 0 once the neuron has spiked (e.g. V − V_peak). */
  margin(p: PointParams, s: Float64Array): number;
  /** Applies the spike reset in place (V ← V_r, w ← w + b …). */
  reset(p: PointParams, s: Float64Array): void;
  /** The voltage held during the refractory period (V). */
  readonly resetVoltage: (p: PointParams) => number;
  readonly refractory: (p: PointParams) => number;
  /** Per-step stochastic input (added to states after the step), if any. */
  readonly kick?: (p: PointParams, s: Float64Array, step: number) => void;
}

/** Integrators of the ODE members. */
export const ODE_INTEGRATORS = ["euler", "rk4"] as const;

/**
 * Integrates `system` on a fixed grid (see the module doc). V is state 0;
 * during refractoriness V is held at the reset voltage and dV/dt is zero.
 */
export function integratePoint(
  name: string,
  system: OdeSystem,
  p: PointParams,
  input: CurrentInput,
  options: PointSimulateOptions,
  specs: readonly PointParamSpec[] = [],
): PointTrace {
  const { dt, integrator } = options;
  if (!(ODE_INTEGRATORS as readonly string[]).includes(integrator)) {
    throw new NeuroBridgeError(
      "INTEGRATOR_INVALID",
      `${name}: unknown integrator '${integrator}'; accepted: ${ODE_INTEGRATORS.join(", ")}`,
    );
  }
  const steps = gridSteps(options.duration, dt);
  checkCurrent(input, options.duration);
  const current = currentAtStep(input, dt);
  const n = system.names.length;
  const s = system.initial(p);
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  const record = options.record ?? true;
  const traces = record ? Array.from({ length: n }, () => new Float64Array(steps + 1)) : undefined;
  const store = (k: number) => {
    if (traces) for (let i = 0; i < n; i++) (traces[i] as Float64Array)[k] = s[i] as number;
  };
  store(0);
  const spikeTimes: number[] = [];
  const refractorySteps = Math.round(system.refractory(p) / dt);
  const vHold = system.resetVoltage(p);
  let hold = 0;
  // Holding V while refractory: its derivative is zeroed for every stage.
  const f = (state: Float64Array, I: number, out: Float64Array) => {
    system.derivative(p, state, I, out);
    if (hold > 0) out[0] = 0;
  };
  for (let k = 0; k < steps; k++) {
    const I = current(k);
    if (hold > 0) s[0] = vHold;
    const before = system.margin(p, s);
    if (integrator === "euler") {
      f(s, I, k1);
      for (let i = 0; i < n; i++) s[i] = (s[i] as number) + dt * (k1[i] as number);
    } else {
      f(s, I, k1);
      for (let i = 0; i < n; i++) tmp[i] = (s[i] as number) + 0.5 * dt * (k1[i] as number);
      f(tmp, I, k2);
      for (let i = 0; i < n; i++) tmp[i] = (s[i] as number) + 0.5 * dt * (k2[i] as number);
      f(tmp, I, k3);
      for (let i = 0; i < n; i++) tmp[i] = (s[i] as number) + dt * (k3[i] as number);
      f(tmp, I, k4);
      for (let i = 0; i < n; i++) {
        s[i] = (s[i] as number) + (dt / 6) * ((k1[i] as number) + 2 * (k2[i] as number) + 2 * (k3[i] as number) + (k4[i] as number));
      }
    }
    system.kick?.(p, s, k);
    if (hold > 0) {
      hold--;
      s[0] = vHold;
    } else {
      const after = system.margin(p, s);
      if (after >= 0 || Number.isNaN(after)) {
        // Linear interpolation of the margin's zero crossing within the step.
        const fraction = before < 0 && Number.isFinite(after) && after > before ? -before / (after - before) : 1;
        spikeTimes.push((k + fraction) * dt);
        system.reset(p, s);
        hold = refractorySteps;
      }
    }
    // V may run off to infinity within a step (the exponential members' spike): the reset brings it back.
    // A state still not finite after that is the integration failing, not a spike every step.
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(s[i])) unstable(name, system.names[i] as string, s[i] as number, (k + 1) * dt, options, p, specs);
    store(k + 1);
  }
  return {
    dt,
    duration: options.duration,
    integrator,
    spikeTimes,
    ...(traces ? { states: Object.fromEntries(traces.map((t, i) => [system.names[i] as string, t])) } : {}),
  };
}

/**
 * Throws `SIMULATION_UNSTABLE` for a state that stopped being finite, naming
 * it, the time, the integrator's step and the time constants shorter than a
 * few steps (explicit integrators need dt well below every one of them).
 */
function unstable(
  name: string,
  state: string,
  value: number,
  t: number,
  options: PointSimulateOptions,
  p: PointParams,
  specs: readonly PointParamSpec[],
): never {
  const ms = (s: number) => `${Number((s * 1e3).toPrecision(6))} ms`;
  const short = specs.filter((s) => s.dimension === "time" && (p[s.name] as number) > 0 && (p[s.name] as number) < 5 * options.dt);
  const why = short.length
    ? `; ${short.map((s) => `${s.name} = ${ms(p[s.name] as number)}`).join(", ")} ${short.length === 1 ? "is" : "are"} shorter than 5 steps of dt`
    : "";
  throw new NeuroBridgeError(
    "SIMULATION_UNSTABLE",
    `${name}: state ${state} became ${value} at t = ${ms(t)} (${options.integrator}, dt = ${ms(options.dt)})${why}: the integration is unstable; use a smaller --dt, --integrator rk4, or other parameters`,
  );
}

/** Values as a user writes them: SI numbers or strings with units (`"281pF"`). */
export type PointParamInput = Readonly<Record<string, number | string>>;

/**
 * Builds validated parameters of `model`: defaults, then `preset`, then
 * `input` (strings parsed with their units).
 *
 * @throws `ValidationError` (core) naming every bad parameter and what is accepted
 */
export function pointParams(model: PointNeuron, input: PointParamInput = {}, preset?: string): PointParams {
  const issues: ValidationIssue[] = [];
  let base: Record<string, number> = Object.fromEntries(model.params.map((s) => [s.name, s.default]));
  if (preset !== undefined) {
    const found = model.presets[preset];
    if (!found) {
      const names = Object.keys(model.presets);
      throw new NeuroBridgeError(
        "PRESET_INVALID",
        `${model.name}: unknown preset '${preset}'; accepted: ${names.length ? names.join(", ") : "(this model has none)"}`,
      );
    }
    base = { ...base, ...found.params };
  }
  const specs = new Map(model.params.map((s) => [s.name, s]));
  for (const [name, raw] of Object.entries(input)) {
    const spec = specs.get(name);
    if (!spec) {
      issues.push({ path: name, message: `unknown ${model.name} parameter; accepted: ${model.params.map((s) => s.name).join(", ")}` });
      continue;
    }
    try {
      if (typeof raw === "string") base[name] = spec.dimension === "dimensionless" ? Number(raw) : parseQuantity(raw, spec.dimension, name);
      else if (typeof raw === "number") base[name] = raw;
      else issues.push({ path: name, message: `must be a number (SI units) or a string with a unit, got ${JSON.stringify(raw)}` });
    } catch (error) {
      issues.push({ path: name, message: (error as Error).message.replace(`${name}: `, "") });
    }
  }
  for (const [name, value] of Object.entries(base)) {
    if (!Number.isFinite(value)) issues.push({ path: name, message: `must be a finite number, got ${value}` });
  }
  if (!issues.length) issues.push(...model.check(base));
  if (issues.length) throw new ValidationError(`${model.name} parameters`, issues, "NEURON_PARAMS_INVALID");
  return Object.freeze(base);
}

/** Parameters in display units (`cPF`, `gLNS` …), for JSON output. */
export function displayParams(model: PointNeuron, p: PointParams): Record<string, number> {
  const out: Record<string, number> = {};
  for (const spec of model.params) {
    // `cPF`, `gLNS`, `tRefMs` …: the name followed by the display unit with its first letter capitalised.
    const unit = spec.display.unit;
    const key = `${spec.name}${unit.charAt(0).toUpperCase()}${unit.slice(1)}`;
    out[key] = Number(((p[spec.name] as number) * spec.display.factor).toPrecision(10));
  }
  return out;
}

/** Display conventions of the common dimensions. */
export const DISPLAY = {
  pF: { unit: "pF", factor: 1e12 },
  nS: { unit: "nS", factor: 1e9 },
  mV: { unit: "mV", factor: 1e3 },
  ms: { unit: "ms", factor: 1e3 },
  pA: { unit: "pA", factor: 1e12 },
  Hz: { unit: "Hz", factor: 1 },
  none: { unit: "", factor: 1 },
} as const;

/** Adds an issue at `path` when `ok` is false. */
export function ensure(issues: ValidationIssue[], ok: boolean, path: string, message: string): void {
  if (!ok) issues.push({ path, message });
}
