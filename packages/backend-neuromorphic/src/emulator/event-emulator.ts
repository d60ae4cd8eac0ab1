/**
 * The event-driven emulator: populations connected in a chain, advanced in
 * ticks. Work happens where spikes arrive — each spike visits its own
 * synapses, and neurons at rest without input are skipped — so the work
 * grows with the number of spikes, not with the number of synapses.
 *
 * Each synapse hop costs one tick (as on Loihi): population l handles time
 * step t of the sample at tick t + l, and a sample takes T + L − 1 ticks.
 * Scores are the output population's spike counts over its T steps.
 */

import type { NetworkPlan } from "@neurobridge/core";
import { NeuroBridgeError, type RandomSource, UnsupportedError } from "@neurobridge/core";
import { type EmulatorCounters, newLayerCounters } from "./counters.js";
import type { Population } from "./population.js";

/** A dense layer evaluated off-chip, feeding the first population with a current. */
export interface HostInput {
  /** Currents `[rows, out]` for encoded inputs `[rows, in]`. */
  currents(input: Float32Array, rows: number): Promise<Float32Array>;
  /** Multiply-accumulates per input row. */
  readonly macsPerRow: number;
  release(): Promise<void>;
}

/** What to emulate: the chain, an optional off-chip input layer and the on-chip populations in order. */
export interface EmulationPlan {
  readonly chain: NetworkPlan;
  /** Present when the input is graded (not spikes): the first dense layer runs off-chip. */
  readonly host?: HostInput;
  readonly populations: readonly Population[];
}

/** Result of {@link EventDrivenEmulator.run}. */
export interface EmulatorRun {
  /** Output spike counts `[batch, classes]`. */
  readonly scores: Float32Array;
  readonly batch: number;
  readonly classes: number;
  readonly counters: EmulatorCounters;
  /** Spike rasters per population `[batch, T, size]` (0/1), aligned to time steps, when recorded. */
  readonly rasters?: Uint8Array[];
}

/**
 * What evaluation and deployment need of an emulated chip: its chain, its
 * ticks per sample and a batched run (the event-driven emulator here, the
 * TrueNorth core emulator in `truenorth/`).
 */
export interface ChipEmulator {
  readonly plan: { readonly chain: NetworkPlan };
  readonly ticksPerSample: number;
  run(inputs: Float32Array, batch: number, rng: RandomSource, options?: { record?: boolean }): Promise<EmulatorRun>;
}

/** Delivers a tick's `count` spikes `pres` to `pop` (at once where it can); returns the synaptic events. */
function deliverTick(pop: Population, pres: Int32Array, count: number): number {
  if (pop.deliverAll) return pop.deliverAll(pres, count);
  let events = 0;
  for (let e = 0; e < count; e++) {
    const pre = pres[e] as number;
    pop.deliver(pre);
    events += pop.synapsesOf(pre);
  }
  return events;
}

/** Runs an {@link EmulationPlan} sample by sample. */
export class EventDrivenEmulator implements ChipEmulator {
  private readonly buffers: Int32Array[];
  private readonly inputBuffer: Int32Array;

  constructor(readonly plan: EmulationPlan) {
    this.buffers = plan.populations.map((p) => new Int32Array(p.size));
    this.inputBuffer = new Int32Array(plan.chain.inputSize);
  }

  /** Ticks per sample: T plus one per synapse hop after the first population. */
  get ticksPerSample(): number {
    return this.plan.chain.timeSteps + this.plan.populations.length - 1;
  }

  /** Emulates `batch` raw inputs `[batch, F]` (encoded with the chain's encoder). */
  async run(inputs: Float32Array, batch: number, rng: RandomSource, options: { record?: boolean } = {}): Promise<EmulatorRun> {
    const { chain, host, populations } = this.plan;
    const F = chain.inputSize;
    if (inputs.length !== batch * F) {
      throw new NeuroBridgeError("SHAPE_MISMATCH", `input has ${inputs.length} values; the network takes batch×${F} = ${batch * F}`);
    }
    const T = chain.timeSteps;
    const steps = chain.encoder.timeInvariant ? 1 : T;
    const frames = chain.encoder.encode(
      { data: inputs, steps: 1, batch, features: F },
      steps,
      chain.encoderParams as Record<string, number>,
      rng,
    ).data;
    const first = populations[0] as Population;
    const currents = host ? await host.currents(frames, steps * batch) : undefined;
    const counters: EmulatorCounters = {
      samples: batch,
      ticksPerSample: this.ticksPerSample,
      hostMacs: host ? steps * batch * host.macsPerRow : 0,
      inputSpikes: 0,
      layers: populations.map((p) => newLayerCounters(p.id, p.size, T)),
    };
    const C = chain.outputSize;
    const scores = new Float32Array(batch * C);
    const rasters = options.record ? populations.map((p) => new Uint8Array(batch * T * p.size)) : undefined;
    const L = populations.length;
    const counts = new Int32Array(L);
    const N1 = first.size;
    for (let b = 0; b < batch; b++) {
      for (const p of populations) p.reset();
      counts.fill(0);
      if (currents && steps === 1) first.setHost(currents.subarray(b * N1, (b + 1) * N1));
      for (let tick = 0; tick < T + L - 1; tick++) {
        // Downstream first: population l reads what l − 1 emitted on the previous tick.
        for (let l = L - 1; l >= 0; l--) {
          const t = tick - l;
          if (t < 0 || t >= T) continue;
          const pop = populations[l] as Population;
          const c = counters.layers[l] as (typeof counters.layers)[number];
          pop.begin();
          if (l === 0) {
            if (currents) {
              if (steps > 1) first.setHost(currents.subarray((t * batch + b) * N1, (t * batch + b + 1) * N1));
            } else {
              const n = this.inputEvents(frames, (t * batch + b) * F, F);
              counters.inputSpikes += n;
              c.synapticEvents += deliverTick(pop, this.inputBuffer, n);
            }
          } else {
            c.synapticEvents += deliverTick(pop, this.buffers[l - 1] as Int32Array, counts[l - 1] as number);
          }
          const out = this.buffers[l] as Int32Array;
          const r = pop.update(out);
          counts[l] = r.spikes;
          c.spikes += r.spikes;
          c.perStep[t] = (c.perStep[t] as number) + r.spikes;
          for (let e = 0; e < r.spikes; e++) c.everActive[out[e] as number] = 1;
          c.activeUpdates += r.active;
          c.inactiveUpdates += pop.size - r.active;
          if (rasters) {
            const raster = rasters[l] as Uint8Array;
            const off = (b * T + t) * pop.size;
            for (let e = 0; e < r.spikes; e++) raster[off + (out[e] as number)] = 1;
          }
          if (l === L - 1) {
            for (let e = 0; e < r.spikes; e++) {
              const k = b * C + (out[e] as number);
              scores[k] = (scores[k] as number) + 1;
            }
          }
        }
      }
    }
    return { scores, batch, classes: C, counters, ...(rasters ? { rasters } : {}) };
  }

  /** Indices of the input spikes in one frame; graded values cannot travel as spikes. */
  private inputEvents(frames: Float32Array, offset: number, F: number): number {
    let n = 0;
    for (let i = 0; i < F; i++) {
      const x = frames[offset + i] as number;
      if (x === 0) continue;
      if (x !== 1) {
        throw new UnsupportedError(
          `input value ${x} at feature ${i} is not a spike; on-chip input layers take 0/1 spikes (use a spiking encoder such as rate, or let the first layer run on the host)`,
        );
      }
      this.inputBuffer[n++] = i;
    }
    return n;
  }
}
