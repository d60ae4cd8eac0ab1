/**
 * One integrator for every LIF form in this package. The physical model
 * τ_m·dV/dt = −(V − E_L) + I/g_L and the non-dimensional model
 * dṽ/dt̃ = −ṽ + ĩ are the same equation, τ·dx/dt = −(x − rest) + drive, with
 * a threshold, a reset and an absolute refractory period; only the units
 * differ. Both front-ends call {@link integrateLeaky}.
 *
 * Two methods:
 * - `euler`: explicit Euler on a fixed grid (the paper's method). A spike is
 *   registered at the end of the step in which x reaches the threshold; the
 *   refractory period is held for round(τ_ref/dt) steps.
 * - `exact`: the exact exponential solution between events. With the drive
 *   constant over each step (zero-order hold), the threshold-crossing time is
 *   solved in closed form, so spike times are exact and refractoriness starts
 *   at the true spike time, not on the grid.
 */
import { NeuroBridgeError } from "@neurobridge/core";

/** Integration method. */
export type Integrator = "euler" | "exact";
/** Accepted integrators, for messages. */
export const INTEGRATORS: readonly Integrator[] = ["euler", "exact"];

/** A leaky integrate-and-fire unit in any consistent units. */
export interface LeakyUnit {
  readonly tau: number;
  readonly rest: number;
  readonly threshold: number;
  readonly reset: number;
  readonly refractory: number;
}

/** Drive (in the unit's voltage units) during step k, i.e. on [k·dt, (k+1)·dt). */
export type DriveAt = (step: number) => number;

/** Options of {@link integrateLeaky}. */
export interface IntegrateOptions {
  readonly duration: number;
  readonly dt: number;
  readonly method: Integrator;
  /** Initial value (default: `rest`). */
  readonly initial?: number;
  /** Record x at every grid point (steps + 1 values, from t = 0). Default false. */
  readonly record?: boolean;
}

/** Result of {@link integrateLeaky}. */
export interface IntegrateResult {
  readonly steps: number;
  readonly spikeTimes: number[];
  /** x at t = k·dt for k = 0..steps, when recorded. */
  readonly trace?: Float64Array;
}

/**
 * A drive within this relative distance of the rheobase drive (threshold −
 * rest) is treated as exactly rheobase. Unit conversions (200 pA / 10 nS vs
 * −55 mV − (−75 mV)) carry ~1e-16 relative rounding, which would otherwise put
 * "exactly rheobase" an ulp above it and make it fire after ~360 ms.
 */
export const RHEOBASE_SNAP = 1e-12;

/** The rheobase drive (threshold − rest) of `unit` and how near a drive must be to count as it. */
export function rheobaseSnap(unit: Pick<LeakyUnit, "threshold" | "rest">): { readonly drive: number; readonly tolerance: number } {
  const drive = unit.threshold - unit.rest;
  return { drive, tolerance: RHEOBASE_SNAP * Math.abs(drive) };
}

/** `drive`, or exactly the rheobase drive when within {@link RHEOBASE_SNAP} of it (hot loops inline this with {@link rheobaseSnap}). */
export function snapToRheobase(unit: Pick<LeakyUnit, "threshold" | "rest">, drive: number): number {
  const rheo = rheobaseSnap(unit);
  return Math.abs(drive - rheo.drive) <= rheo.tolerance ? rheo.drive : drive;
}

/** Number of grid steps of `duration` at `dt`; they must divide to a whole number. */
export function gridSteps(duration: number, dt: number): number {
  if (!(dt > 0) || !Number.isFinite(dt)) throw new NeuroBridgeError("DT_INVALID", `dt must be a positive time, got ${dt}`);
  if (!(duration > 0) || !Number.isFinite(duration))
    throw new NeuroBridgeError("DURATION_INVALID", `duration must be a positive time, got ${duration}`);
  const steps = Math.round(duration / dt);
  if (steps < 1 || Math.abs(steps * dt - duration) > 1e-9 * duration) {
    throw new NeuroBridgeError("DURATION_INVALID", `duration ${duration} s is not a whole number of dt = ${dt} s steps`);
  }
  return steps;
}

/** Integrates `unit` under `driveAt` (see the module comment for the methods). */
export function integrateLeaky(unit: LeakyUnit, driveAt: DriveAt, options: IntegrateOptions): IntegrateResult {
  if (!INTEGRATORS.includes(options.method)) {
    throw new NeuroBridgeError("INTEGRATOR_INVALID", `unknown integrator '${options.method}'; accepted: ${INTEGRATORS.join(", ")}`);
  }
  const { dt } = options;
  const steps = gridSteps(options.duration, dt);
  const { tau, rest, threshold, reset, refractory } = unit;
  const rheo = rheobaseSnap(unit);
  const trace = options.record ? new Float64Array(steps + 1) : undefined;
  const spikeTimes: number[] = [];
  let x = options.initial ?? rest;
  if (trace) trace[0] = x;

  if (options.method === "euler") {
    const a = dt / tau;
    const refractorySteps = Math.round(refractory / dt);
    let hold = 0;
    for (let k = 0; k < steps; k++) {
      if (hold > 0) {
        hold--;
        x = reset;
      } else {
        let drive = driveAt(k);
        if (Math.abs(drive - rheo.drive) <= rheo.tolerance) drive = rheo.drive;
        x += a * (rest + drive - x);
        if (x >= threshold) {
          spikeTimes.push((k + 1) * dt);
          x = reset;
          hold = refractorySteps;
        }
      }
      if (trace) trace[k + 1] = x;
    }
    return trace ? { steps, spikeTimes, trace } : { steps, spikeTimes };
  }

  const stepDecay = Math.exp(-dt / tau);
  let refractoryUntil = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < steps; k++) {
    const t1 = (k + 1) * dt;
    let t = k * dt;
    let drive = driveAt(k);
    if (Math.abs(drive - rheo.drive) <= rheo.tolerance) drive = rheo.drive;
    const target = rest + drive;
    // (k+1)·dt − k·dt is not exactly dt in floating point: track whether the
    // step ran uninterrupted to reuse the precomputed decay.
    let whole = true;
    for (;;) {
      if (refractoryUntil > t) {
        x = reset;
        if (refractoryUntil >= t1) break;
        t = refractoryUntil;
        whole = false;
      }
      if (x >= threshold) {
        // Only reachable from an initial value at or above threshold.
        spikeTimes.push(t);
        x = reset;
        refractoryUntil = t + refractory;
        whole = false;
        continue;
      }
      const h = t1 - t;
      const decay = whole ? stepDecay : Math.exp(-h / tau);
      const end = target + (x - target) * decay;
      // x moves monotonically towards the target, so it crosses the threshold
      // within this step exactly when the end-of-step value is above it; only
      // then is the crossing time solved (a logarithm per spike, not per step).
      if (target > threshold && end >= threshold) {
        t += Math.min(h, tau * Math.log((target - x) / (target - threshold)));
        whole = false;
        spikeTimes.push(t);
        x = reset;
        refractoryUntil = t + refractory;
        continue;
      }
      x = end;
      break;
    }
    if (trace) trace[k + 1] = x;
  }
  return trace ? { steps, spikeTimes, trace } : { steps, spikeTimes };
}
