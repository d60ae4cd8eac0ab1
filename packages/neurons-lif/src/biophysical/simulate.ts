/**
 * Simulation of the biophysical LIF neuron in physical units:
 * τ_m·dV/dt = −(V − E_L) + I/g_L, threshold V_th, reset V_reset, refractory τ_ref.
 */
import { type CurrentInput, checkCurrent, currentAtStep } from "./current.js";
import { type Integrator, integrateLeaky, type LeakyUnit } from "./integrator.js";
import type { LifParameters } from "./parameters.js";

/** Options of {@link simulateLif}. */
export interface SimulateOptions {
  /** Simulated time (s). */
  readonly duration: number;
  /** Time step (s); default 0.1 ms. */
  readonly dt?: number;
  /** Default `euler`, the paper's method. */
  readonly integrator?: Integrator;
  /** Initial membrane potential (V); default E_L. */
  readonly v0?: number;
  /** Record the voltage trace (default true). */
  readonly record?: boolean;
}

/** Voltage trace and spikes of one simulation. */
export interface LifTrace {
  readonly dt: number;
  readonly duration: number;
  readonly integrator: Integrator;
  /** Spike times (s). */
  readonly spikeTimes: readonly number[];
  /** V (V) at t = k·dt, k = 0..steps (after reset at spike steps), when recorded. */
  readonly voltage?: Float64Array;
}

/** Default simulation step: 0.1 ms. */
export const DEFAULT_DT = 1e-4;

/** The LIF as a generic leaky unit in SI units. */
export function physicalUnit(p: LifParameters): LeakyUnit {
  return { tau: p.tauM, rest: p.eL, threshold: p.vTh, reset: p.vReset, refractory: p.tauRef };
}

/** Simulates the neuron with parameters `p` (see {@link lifParameters}) under `input`. */
export function simulateLif(p: LifParameters, input: CurrentInput, options: SimulateOptions): LifTrace {
  const dt = options.dt ?? DEFAULT_DT;
  const integrator = options.integrator ?? "euler";
  checkCurrent(input, options.duration);
  const current = currentAtStep(input, dt);
  const result = integrateLeaky(physicalUnit(p), (k) => current(k) / p.gL, {
    duration: options.duration,
    dt,
    method: integrator,
    ...(options.v0 !== undefined ? { initial: options.v0 } : {}),
    record: options.record ?? true,
  });
  return {
    dt,
    duration: options.duration,
    integrator,
    spikeTimes: result.spikeTimes,
    ...(result.trace ? { voltage: result.trace } : {}),
  };
}
