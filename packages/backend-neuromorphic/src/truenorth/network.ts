/**
 * A mapped network run on the TrueNorth emulator sample by sample, with the
 * same run/counter shapes as the other emulators (so evaluation, deployment
 * reports and recordings treat it alike). Inputs are encoded with the
 * chain's (spiking) encoder; input spike k at step t is sent by the host to
 * every axon line k drives, arriving at tick t; the output layer's spikes are
 * counted per class.
 */
import { type NetworkPlan, NeuroBridgeError, type RandomSource } from "@neurobridge/core";
import { type EmulatorCounters, newLayerCounters } from "../emulator/counters.js";
import type { EmulatorRun } from "../emulator/event-emulator.js";
import { newTrueNorthCounters, type TrueNorthCounters, TrueNorthEmulator } from "./chip.js";
import type { TrueNorthMapping } from "./map.js";

/** A network mapped onto TrueNorth, runnable like the event-driven emulator. */
export class TrueNorthNetwork {
  readonly plan: { readonly chain: NetworkPlan };
  private readonly emulator: TrueNorthEmulator;
  /** Chip counters of the last runs (cumulative). */
  readonly chipCounters: TrueNorthCounters;

  constructor(
    readonly mapping: TrueNorthMapping,
    chain: NetworkPlan,
  ) {
    this.plan = { chain };
    this.emulator = new TrueNorthEmulator(mapping.chip, mapping.limits);
    this.chipCounters = newTrueNorthCounters();
  }

  /** Ticks per sample: T plus one per synapse hop after the first layer. */
  get ticksPerSample(): number {
    return this.plan.chain.timeSteps + this.mapping.latencyTicks;
  }

  async run(inputs: Float32Array, batch: number, rng: RandomSource, options: { record?: boolean } = {}): Promise<EmulatorRun> {
    const chain = this.plan.chain;
    const F = chain.inputSize;
    if (inputs.length !== batch * F) {
      throw new NeuroBridgeError("SHAPE_MISMATCH", `input has ${inputs.length} values; the network takes batch×${F} = ${batch * F}`);
    }
    const T = chain.timeSteps;
    const frames = chain.encoder.encode(
      { data: inputs, steps: 1, batch, features: F },
      T,
      chain.encoderParams as Record<string, number>,
      rng,
    ).data;
    const { layers: reports } = this.mapping;
    const C = chain.outputSize;
    const sizes = reports.map((l) => l.neurons);
    const counters: EmulatorCounters = {
      samples: batch,
      ticksPerSample: this.ticksPerSample,
      hostMacs: 0,
      inputSpikes: 0,
      layers: reports.map((l) => newLayerCounters(l.layer, l.neurons, T)),
    };
    const rasters = options.record ? sizes.map((n) => new Uint8Array(batch * T * n)) : undefined;
    const scores = new Float32Array(batch * C);
    const outputs = new Float64Array(C);
    const synapticByCore = new Float64Array(this.mapping.chip.cores.length);
    const cores = this.mapping.chip.cores;
    const coreLayer = this.mapping.coreLayer;
    const lines: number[] = [];
    let tick = 0;
    let b = 0;
    const onSpike = (core: number, slot: number) => {
      const c = cores[core];
      if (!c?.primary?.[slot]) return; // a splitter copy: the same spike again
      const l = coreLayer[core] as number;
      const j = c.sources?.[slot] as number;
      const t = tick - l;
      const lc = counters.layers[l];
      if (!lc || t < 0 || t >= T) return;
      lc.spikes++;
      lc.perStep[t] = (lc.perStep[t] as number) + 1;
      lc.everActive[j] = 1;
      if (rasters) (rasters[l] as Uint8Array)[(b * T + t) * (sizes[l] as number) + j] = 1;
    };
    for (b = 0; b < batch; b++) {
      this.emulator.reset();
      outputs.fill(0);
      for (tick = 0; tick < this.ticksPerSample; tick++) {
        lines.length = 0;
        if (tick < T) {
          const off = (tick * batch + b) * F;
          for (let k = 0; k < F; k++) {
            const x = frames[off + k] as number;
            if (x === 0) continue;
            if (x !== 1) {
              throw new NeuroBridgeError(
                "INPUT_NOT_SPIKES",
                `TrueNorth takes spikes; encoder '${chain.encoder.name}' produced ${x} for input ${k}`,
              );
            }
            lines.push(k);
          }
          counters.inputSpikes += lines.length;
        }
        this.emulator.step(lines, outputs, this.chipCounters, onSpike, synapticByCore);
        this.chipCounters.ticks++;
      }
      for (let c = 0; c < C; c++) scores[b * C + c] = outputs[c] as number;
    }
    synapticByCore.forEach((n, core) => {
      const lc = counters.layers[coreLayer[core] as number];
      if (lc) lc.synapticEvents += n;
    });
    // Every neuron of the chip (splitter copies included) updates every tick.
    counters.layers.forEach((lc, l) => {
      lc.activeUpdates = batch * this.ticksPerSample * ((reports[l]?.neurons ?? 0) + (reports[l]?.splitters ?? 0));
    });
    return { scores, batch, classes: C, counters, ...(rasters ? { rasters } : {}) };
  }
}
