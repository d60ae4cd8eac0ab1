/** What an emulated run did, counted where the work happens. */

/** Counters of one on-chip population. */
export interface LayerCounters {
  readonly id: string;
  readonly size: number;
  /** Spikes emitted. */
  spikes: number;
  /** Synapses visited by arriving spikes (each spike × its stored fan-out). */
  synapticEvents: number;
  /** Neuron updates with input or non-zero state. */
  activeUpdates: number;
  /** Neuron-steps skipped because the neuron was at rest with no input. */
  inactiveUpdates: number;
  /** Spikes per time step (aligned to the sample's steps, not ticks), summed over samples. */
  readonly perStep: Float64Array;
  /** 1 for neurons that spiked for any sample. */
  readonly everActive: Uint8Array;
}

/** Counters of a run (all samples). */
export interface EmulatorCounters {
  samples: number;
  /** Ticks per sample: T plus the pipeline latency. */
  ticksPerSample: number;
  /** Multiply-accumulates done off-chip (an input layer fed graded values). */
  hostMacs: number;
  /** Input spikes delivered on-chip (spiking encoders). */
  inputSpikes: number;
  readonly layers: LayerCounters[];
}

export const newLayerCounters = (id: string, size: number, timeSteps: number): LayerCounters => ({
  id,
  size,
  spikes: 0,
  synapticEvents: 0,
  activeUpdates: 0,
  inactiveUpdates: 0,
  perStep: new Float64Array(timeSteps),
  everActive: new Uint8Array(size),
});

/** Sums of the layer counters. */
export function totals(c: EmulatorCounters): { spikes: number; synapticEvents: number; activeUpdates: number; inactiveUpdates: number } {
  const t = { spikes: 0, synapticEvents: 0, activeUpdates: 0, inactiveUpdates: 0 };
  for (const l of c.layers) {
    t.spikes += l.spikes;
    t.synapticEvents += l.synapticEvents;
    t.activeUpdates += l.activeUpdates;
    t.inactiveUpdates += l.inactiveUpdates;
  }
  return t;
}

/** Adds `part`'s counts into `into` (same populations, in order). */
export function addCounters(into: EmulatorCounters, part: EmulatorCounters): void {
  into.samples += part.samples;
  into.hostMacs += part.hostMacs;
  into.inputSpikes += part.inputSpikes;
  part.layers.forEach((l, i) => {
    const c = into.layers[i];
    if (!c) return;
    l.perStep.forEach((v, t) => {
      c.perStep[t] = (c.perStep[t] as number) + v;
    });
    l.everActive.forEach((v, n) => {
      if (v) c.everActive[n] = 1;
    });
    c.spikes += l.spikes;
    c.synapticEvents += l.synapticEvents;
    c.activeUpdates += l.activeUpdates;
    c.inactiveUpdates += l.inactiveUpdates;
  });
}
