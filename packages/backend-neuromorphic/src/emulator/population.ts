/**
 * On-chip populations of the event-driven emulator: a group of neurons with
 * its incoming synapses stored per presynaptic neuron (as neuromorphic cores
 * store them), so a spike touches exactly its own fan-out. Each tick:
 * `begin`, one `deliver` per arriving spike (ascending presynaptic index),
 * then `update`, which advances the neurons and lists the ones that spiked.
 */
import { arrayOps, type ResolvedNeuronNode } from "@neurobridge/core";
import { loihiStep } from "../loihi/cuba-lif.js";

/** A population with its incoming synapses. */
export interface Population {
  readonly id: string;
  readonly size: number;
  /** Presynaptic neurons (or input channels). */
  readonly fanIn: number;
  /** Stored synapses of presynaptic neuron `pre` (what one of its spikes costs). */
  synapsesOf(pre: number): number;
  /** Clears all state for a new sample. */
  reset(): void;
  /** Starts a tick: clears the synaptic input. */
  begin(): void;
  /** One spike of presynaptic neuron `pre` arrives. */
  deliver(pre: number): void;
  /**
   * Feeds the population from an off-chip layer: `current` replaces the
   * synaptic input until the next call (undefined: back to synapses).
   */
  setHost(current: Float32Array | undefined): void;
  /**
   * Advances every neuron by one step; writes the indices of the neurons that
   * spiked into `out` and returns how many, and how many neurons did work.
   */
  update(out: Int32Array): { spikes: number; active: number };
}

/** `w` `[out, in]` transposed to one row of `out` targets per presynaptic neuron. */
export function byPresynaptic(w: Float32Array, outFeatures: number, inFeatures: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) t[i * outFeatures + o] = w[o * inFeatures + i] as number;
  return t;
}

/** Float32 discrete LIF (model `lif`): u = β·v + I; spike when u > θ; subtract, zero or no reset. */
export class FloatLifPopulation implements Population {
  private readonly v: Float32Array;
  private readonly c: Float32Array;
  private readonly partial: Float32Array;
  private blockEnd = 0;
  private touched = false;

  constructor(
    readonly id: string,
    readonly size: number,
    readonly fanIn: number,
    /** Synapses `[fanIn, size]`, one row per presynaptic neuron; empty for host-fed populations. */
    private readonly weights: Float32Array,
    private readonly bias: Float32Array | undefined,
    private readonly beta: Float32Array,
    private readonly threshold: Float32Array,
    private readonly resetMode: "subtract" | "zero" | "none",
    /** Inner-dimension slice of the training GEMM (see `mlasSliceK`). */
    private readonly sliceK: number,
  ) {
    this.v = new Float32Array(size);
    this.c = new Float32Array(size);
    this.partial = new Float32Array(size);
  }

  synapsesOf(): number {
    return this.size;
  }

  reset(): void {
    this.v.fill(0);
  }

  begin(): void {
    if (this.bias) this.c.set(this.bias);
    else this.c.fill(0);
    this.partial.fill(0);
    this.blockEnd = this.sliceK;
    this.touched = false;
  }

  /** Adds the partial sum of the current K slice into the input (float32, as MLAS does). */
  private fold(): void {
    if (!this.touched) return;
    const { c, partial } = this;
    for (let j = 0; j < this.size; j++) c[j] = (c[j] as number) + (partial[j] as number);
    partial.fill(0);
    this.touched = false;
  }

  deliver(pre: number): void {
    while (pre >= this.blockEnd) {
      this.fold();
      this.blockEnd += this.sliceK;
    }
    const N = this.size;
    const row = pre * N;
    const { partial, weights } = this;
    // Float32Array stores round to float32: partial = fl(partial + w).
    for (let j = 0; j < N; j++) partial[j] = (partial[j] as number) + (weights[row + j] as number);
    this.touched = true;
  }

  private host: Float32Array | undefined;

  setHost(current: Float32Array | undefined): void {
    this.host = current;
  }

  update(out: Int32Array): { spikes: number; active: number } {
    this.fold();
    const { v, c, beta, threshold } = this;
    const input = this.host ?? c;
    const fr = Math.fround;
    let spikes = 0;
    let active = 0;
    for (let j = 0; j < this.size; j++) {
      const x = input[j] as number;
      const vj = v[j] as number;
      // At rest with no input nothing changes and (θ > 0) nothing fires: skip.
      if (vj === 0 && x === 0) continue;
      active++;
      const u = fr(fr((beta[j] as number) * vj) + x);
      const th = threshold[j] as number;
      if (u > th) {
        out[spikes++] = j;
        v[j] = this.resetMode === "subtract" ? u - th : this.resetMode === "zero" ? 0 : u;
      } else v[j] = u;
    }
    return { spikes, active };
  }
}

/**
 * Any spiking model through its own `step` on the reference array ops (a
 * plugin's neuron included): event-driven synapses, every neuron updated.
 */
export class GenericPopulation implements Population {
  private state: Record<string, Float32Array> = {};
  private readonly input: Float32Array;
  private readonly params: Record<string, Float32Array>;

  constructor(
    readonly id: string,
    readonly size: number,
    readonly fanIn: number,
    private readonly weights: Float32Array,
    private readonly bias: Float32Array | undefined,
    private readonly resolved: ResolvedNeuronNode,
    params: Readonly<Record<string, Float32Array>>,
  ) {
    this.input = new Float32Array(size);
    this.params = { ...params };
    this.reset();
  }

  synapsesOf(): number {
    return this.size;
  }

  reset(): void {
    this.state = Object.fromEntries(this.resolved.model.state.map((s) => [s.name, new Float32Array(this.size).fill(s.initial)]));
  }

  begin(): void {
    if (this.bias) this.input.set(this.bias);
    else this.input.fill(0);
  }

  deliver(pre: number): void {
    const row = pre * this.size;
    for (let j = 0; j < this.size; j++) this.input[j] = (this.input[j] as number) + (this.weights[row + j] as number);
  }

  private host: Float32Array | undefined;

  setHost(current: Float32Array | undefined): void {
    this.host = current;
  }

  update(out: Int32Array): { spikes: number; active: number } {
    const r = this.resolved.model.step(arrayOps, this.host ?? this.input, this.state, this.params, this.resolved.context);
    this.state = { ...r.state };
    let spikes = 0;
    for (let j = 0; j < this.size; j++) if ((r.output[j] as number) !== 0) out[spikes++] = j;
    return { spikes, active: this.size };
  }
}

/** Integer constants of a Loihi population, from quantisation. */
export interface LoihiPopulationConfig {
  /** Synaptic weights `[fanIn, size]` as w_mant · 2^weightExponent (integers). */
  readonly weights: Int32Array;
  /** Stored (non-zero) synapses per presynaptic neuron. */
  readonly synapses: Int32Array;
  /** Per-neuron bias in v units (bias_mant · 2^bias_exp). */
  readonly bias: Int32Array;
  readonly du: number;
  readonly dv: number;
  readonly vth: number;
  /** v units per float unit of host current (host-fed populations). */
  readonly hostScale: number;
  /** Quantises a host current (v units) to the 13-bit mantissa / 3-bit exponent bias register. */
  readonly quantizeBias: (value: number) => number;
}

/** Loihi CUBA-LIF compartments, bit-accurate (see `loihi/cuba-lif.ts`). */
export class LoihiPopulation implements Population {
  private readonly u: Float64Array;
  private readonly v: Float64Array;
  private readonly a: Float64Array;
  private readonly hostBias: Float64Array;
  private readonly state = { u: 0, v: 0 };

  constructor(
    readonly id: string,
    readonly size: number,
    readonly fanIn: number,
    readonly config: LoihiPopulationConfig,
  ) {
    this.u = new Float64Array(size);
    this.v = new Float64Array(size);
    this.a = new Float64Array(size);
    this.hostBias = new Float64Array(size);
  }

  synapsesOf(pre: number): number {
    return this.config.synapses[pre] as number;
  }

  reset(): void {
    this.u.fill(0);
    this.v.fill(0);
  }

  begin(): void {
    this.a.fill(0);
  }

  deliver(pre: number): void {
    const N = this.size;
    const row = pre * N;
    const { a } = this;
    const w = this.config.weights;
    for (let j = 0; j < N; j++) a[j] = (a[j] as number) + (w[row + j] as number);
  }

  /** Programs a host current (float) into the per-neuron bias registers, quantised as the chip stores them. */
  setHost(current: Float32Array | undefined): void {
    const { hostScale, quantizeBias } = this.config;
    for (let j = 0; j < this.size; j++) this.hostBias[j] = current ? quantizeBias((current[j] as number) * hostScale) : 0;
  }

  update(out: Int32Array): { spikes: number; active: number } {
    const { u, v, a, config, state } = this;
    const bias = config.bias;
    let spikes = 0;
    let active = 0;
    for (let j = 0; j < this.size; j++) {
      const b = (bias[j] as number) + (this.hostBias[j] as number);
      if (u[j] === 0 && v[j] === 0 && a[j] === 0 && b === 0) continue;
      active++;
      state.u = u[j] as number;
      state.v = v[j] as number;
      if (loihiStep(state, a[j] as number, b, config)) out[spikes++] = j;
      u[j] = state.u;
      v[j] = state.v;
    }
    return { spikes, active };
  }
}
