/**
 * Firing rate versus input current (F–I): analytic and simulated, the latter
 * under an explicit measurement protocol, because "the rate" of a simulation
 * depends on how it is measured (duration, transient, spike count versus
 * inter-spike interval). The slides' numbers come from one such protocol.
 */
import { NeuroBridgeError } from "@neurobridge/core";
import { wasmEulerSweep } from "../network/lif-wasm.js";
import { checkCurrent, constantCurrent } from "./current.js";
import { dimensionlessRate, scales, toDimensionless } from "./dimensionless.js";
import type { Integrator } from "./integrator.js";
import { gridSteps, snapToRheobase } from "./integrator.js";
import type { LifParameters } from "./parameters.js";
import { rheobase } from "./parameters.js";
import { DEFAULT_DT, physicalUnit, simulateLif } from "./simulate.js";

/** How a rate is measured from a simulation. */
export interface FiProtocol {
  /** Simulated time per current (s). */
  readonly duration: number;
  readonly dt: number;
  readonly integrator: Integrator;
  /** Initial time discarded as transient (s); spikes before it are ignored. */
  readonly discard: number;
  /**
   * `count`: spikes after `discard` / (duration − discard).
   * `isi`: 1 / mean inter-spike interval of spikes after `discard` (the
   * steady-state rate; falls back to `count` with fewer than two spikes).
   */
  readonly method: "count" | "isi";
}

/** Accepted measurement methods. */
export const FI_METHODS = ["count", "isi"] as const;

/**
 * Named protocols.
 * - `slides`: Euler at 0.1 ms for 300 ms from rest, spikes counted over the
 *   whole window. This reproduces the slides' 0, 0, 53.3 and 93.3 Hz at 150,
 *   200, 250 and 350 pA: 16 and 28 spikes in 300 ms. The count includes the
 *   first, refractory-free interval and truncates the last one, which is why
 *   it sits below the steady-state rates of 55.27 and 95.48 Hz.
 * - `steady`: 1 s, 1/mean ISI — the steady-state rate the analytic formula gives.
 */
export const FI_PROTOCOLS = {
  slides: { duration: 0.3, dt: DEFAULT_DT, integrator: "euler", discard: 0, method: "count" },
  steady: { duration: 1, dt: DEFAULT_DT, integrator: "euler", discard: 0, method: "isi" },
} as const satisfies Record<string, FiProtocol>;

/** Analytic steady-state rate (Hz) at constant current `current` (A). */
export function analyticRate(p: LifParameters, current: number): number {
  const s = scales(p);
  return s.toPhysicalRate(dimensionlessRate(s.toDimensionlessCurrent(current), toDimensionless(p)));
}

/** The rate (Hz) of a spike train under `protocol`. */
export function measureRate(spikeTimes: readonly number[], protocol: FiProtocol): number {
  const kept = spikeTimes.filter((t) => t >= protocol.discard);
  const window = protocol.duration - protocol.discard;
  if (protocol.method === "isi" && kept.length >= 2) {
    return (kept.length - 1) / ((kept[kept.length - 1] as number) - (kept[0] as number));
  }
  return kept.length / window;
}

/** Checks a protocol, naming the bad field. */
export function checkProtocol(protocol: FiProtocol): void {
  const bad = (message: string) => new NeuroBridgeError("PROTOCOL_INVALID", `F–I protocol: ${message}`);
  if (!(protocol.duration > 0)) throw bad(`duration must be > 0 s, got ${protocol.duration}`);
  if (!(protocol.discard >= 0 && protocol.discard < protocol.duration)) {
    throw bad(`discard must be in [0, duration) = [0, ${protocol.duration}) s, got ${protocol.discard}`);
  }
  if (!FI_METHODS.includes(protocol.method)) throw bad(`method must be one of ${FI_METHODS.join(", ")}, got '${protocol.method}'`);
}

/** Simulated rate (Hz) at constant current `current` (A) under `protocol`. */
export function simulatedRate(p: LifParameters, current: number, protocol: FiProtocol): number {
  const trace = simulateLif(p, constantCurrent(current), {
    duration: protocol.duration,
    dt: protocol.dt,
    integrator: protocol.integrator,
    record: false,
  });
  return measureRate(trace.spikeTimes, protocol);
}

/** One row of an F–I table. */
export interface FiRow {
  readonly currentPA: number;
  readonly analyticHz: number;
  readonly simulatedHz: number;
}

/** An F–I sweep: currents in A from `from` to `to` (inclusive) by `step`. */
export interface FiSweep {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

/** The currents (A) of a sweep, computed as from + k·step so they do not drift. */
export function sweepCurrents(sweep: FiSweep): number[] {
  if (!(sweep.step > 0)) throw new NeuroBridgeError("SWEEP_INVALID", `current step must be > 0, got ${sweep.step}`);
  if (!(sweep.to >= sweep.from))
    throw new NeuroBridgeError("SWEEP_INVALID", `current range must have to >= from, got ${sweep.from}..${sweep.to}`);
  const n = Math.floor((sweep.to - sweep.from) / sweep.step + 1e-9) + 1;
  return Array.from({ length: n }, (_, k) => sweep.from + k * sweep.step);
}

/**
 * Simulated rates (Hz) of many constant currents (A) under `protocol`: in
 * one WebAssembly SIMD sweep for Euler (the same float64 steps and spike
 * times as {@link simulatedRate}, so the same rates to the bit), one
 * simulation per current otherwise.
 */
export function simulatedRates(p: LifParameters, currents: readonly number[], protocol: FiProtocol): number[] {
  checkProtocol(protocol);
  if (protocol.integrator === "euler") {
    const unit = physicalUnit(p);
    const { dt } = protocol;
    const steps = gridSteps(protocol.duration, dt);
    const targets = Float64Array.from(currents, (current) => {
      checkCurrent(constantCurrent(current), protocol.duration);
      return unit.rest + snapToRheobase(unit, current / p.gL);
    });
    const spikes = wasmEulerSweep(targets, steps, {
      a: dt / unit.tau,
      x0: unit.rest,
      threshold: unit.threshold,
      reset: unit.reset,
      refractorySteps: Math.round(unit.refractory / dt),
      dt,
      discard: protocol.discard,
    });
    if (spikes) {
      const window = protocol.duration - protocol.discard;
      return currents.map((_, u) => {
        const count = spikes.count[u] as number;
        if (protocol.method === "isi" && count >= 2) {
          return (count - 1) / (((spikes.last[u] as number) + 1) * dt - ((spikes.first[u] as number) + 1) * dt);
        }
        return count / window;
      });
    }
  }
  return currents.map((current) => simulatedRate(p, current, protocol));
}

/** Analytic and simulated F–I curve. */
export function fiCurve(p: LifParameters, sweep: FiSweep, protocol: FiProtocol): { rheobasePA: number; rows: FiRow[] } {
  checkProtocol(protocol);
  const currents = sweepCurrents(sweep);
  const simulated = simulatedRates(p, currents, protocol);
  const rows = currents.map((current, k) => ({
    currentPA: Number((current * 1e12).toPrecision(12)),
    analyticHz: analyticRate(p, current),
    simulatedHz: simulated[k] as number,
  }));
  return { rheobasePA: Number((rheobase(p) * 1e12).toPrecision(12)), rows };
}
