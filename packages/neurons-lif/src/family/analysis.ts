/**
 * Measurements on any member of the LIF family: F–I curves under an explicit
 * protocol (the `lif` command's), adaptation (first-ISI rate against the
 * steady-state rate), the adaptation index of Naud et al. (2008), burst
 * detection, and ReLU/sigmoid fits with R².
 */
import { NeuroBridgeError } from "@neurobridge/core";
import { constantCurrent } from "../biophysical/current.js";
import { checkProtocol, type FiSweep, measureRate, sweepCurrents } from "../biophysical/fi-curve.js";
import { fitRelu, fitSigmoid } from "../fits/activation-fits.js";
import type { PointNeuron, PointParams } from "./point-neuron.js";

/** How a rate is measured (see `FiProtocol`; the integrator is any the model accepts). */
export interface FamilyProtocol {
  readonly duration: number;
  readonly dt: number;
  readonly integrator: string;
  readonly discard: number;
  readonly method: "count" | "isi";
}

/** One row of a family F–I table. */
export interface FamilyFiRow {
  readonly currentPA: number;
  /** Rate under the protocol (Hz). */
  readonly simulatedHz: number;
  /** Closed-form steady-state rate where the model has one (else null). */
  readonly analyticHz: number | null;
  /** 1 / first inter-spike interval from the current's onset (Hz); null with fewer than two spikes. */
  readonly firstIsiHz: number | null;
  /** 1 / last inter-spike interval (Hz), the adapted rate; null with fewer than two spikes. */
  readonly steadyIsiHz: number | null;
}

/** Inter-spike intervals of a spike train (s). */
export const interSpikeIntervals = (spikes: readonly number[]): number[] => spikes.slice(1).map((t, i) => t - (spikes[i] as number));

/** The F–I curve of `model` with parameters `p` over `sweep` (A) under `protocol`. */
export function familyFi(
  model: PointNeuron,
  p: PointParams,
  sweep: FiSweep,
  protocol: FamilyProtocol,
): { rheobasePA: number; rows: FamilyFiRow[] } {
  // The `lif` protocol checks, with the integrator checked against this model's below.
  const asLif = { ...protocol, integrator: "euler" as const };
  checkProtocol(asLif);
  if (!model.integrators.includes(protocol.integrator)) {
    throw new NeuroBridgeError(
      "INTEGRATOR_INVALID",
      `${model.name}: unknown integrator '${protocol.integrator}'; accepted: ${model.integrators.join(", ")}`,
    );
  }
  const rows = sweepCurrents(sweep).map((current) => {
    const trace = model.simulate(p, constantCurrent(current), {
      duration: protocol.duration,
      dt: protocol.dt,
      integrator: protocol.integrator,
      record: false,
    });
    const isi = interSpikeIntervals(trace.spikeTimes);
    const analytic = model.analyticRate?.(p, current);
    return {
      currentPA: Number((current * 1e12).toPrecision(12)),
      simulatedHz: measureRate(trace.spikeTimes, asLif),
      analyticHz: analytic === undefined || Number.isNaN(analytic) ? null : analytic,
      firstIsiHz: isi.length ? 1 / (isi[0] as number) : null,
      steadyIsiHz: isi.length ? 1 / (isi[isi.length - 1] as number) : null,
    };
  });
  return { rheobasePA: Number((model.rheobase(p) * 1e12).toPrecision(12)), rows };
}

/**
 * Naud et al.'s adaptation index A = mean over consecutive ISIs of
 * (ISI_{k+1} − ISI_k)/(ISI_{k+1} + ISI_k), skipping the first `skip`
 * intervals (transient): > 0 adapting, ≈ 0 tonic, < 0 accelerating.
 */
export function adaptationIndex(spikes: readonly number[], skip = 0): number {
  const isi = interSpikeIntervals(spikes).slice(skip);
  if (isi.length < 2) return Number.NaN;
  let sum = 0;
  for (let k = 0; k + 1 < isi.length; k++)
    sum += ((isi[k + 1] as number) - (isi[k] as number)) / ((isi[k + 1] as number) + (isi[k] as number));
  return sum / (isi.length - 1);
}

/**
 * Bursts: runs of ≥ 2 spikes whose intervals are shorter than `ratio` × the
 * longest ISI (in a bursting train the inter-burst interval sets the scale).
 * Returns the spike count of each burst.
 */
export function detectBursts(spikes: readonly number[], ratio = 0.35): number[] {
  const isi = interSpikeIntervals(spikes);
  if (isi.length < 2) return [];
  const longest = Math.max(...isi);
  const bursts: number[] = [];
  let run = 1;
  for (const interval of isi) {
    if (interval < ratio * longest) run++;
    else {
      if (run >= 2) bursts.push(run);
      run = 1;
    }
  }
  if (run >= 2) bursts.push(run);
  return bursts;
}

/** Coefficient of variation of the ISIs (after `skip` transient intervals). */
export function isiCv(spikes: readonly number[], skip = 0): number {
  const isi = interSpikeIntervals(spikes).slice(skip);
  if (isi.length < 2) return Number.NaN;
  const mean = isi.reduce((a, b) => a + b, 0) / isi.length;
  const variance = isi.reduce((a, b) => a + (b - mean) ** 2, 0) / (isi.length - 1);
  return Math.sqrt(variance) / mean;
}

/** ReLU and sigmoid fits (pA → Hz) of an F–I table, with R². */
export function familyFits(rows: readonly FamilyFiRow[]) {
  const data = { x: rows.map((r) => r.currentPA), y: rows.map((r) => r.simulatedHz) };
  const relu = fitRelu(data);
  const sigmoid = fitSigmoid(data);
  return {
    relu: { params: relu.params, r2: relu.r2, rmse: relu.rmse },
    sigmoid: { params: sigmoid.params, r2: sigmoid.r2, rmse: sigmoid.rmse },
  };
}
