/**
 * On-chip populations of the event-driven emulator (core's `Population`
 * contract): the generic one that runs any model's own `step`, and Loihi's
 * bit-accurate CUBA-LIF compartments. A model's fast float population is its
 * `population` kernel (e.g. `neurons-lif`'s LIF).
 */
import {
  arrayOps,
  IntegerAccumulator,
  type Population,
  type PopulationSynapses,
  type ResolvedNeuronNode,
  SynapticPopulation,
} from "@neurobridge/core";
import { LoihiCompartments } from "../loihi/compartments-wasm.js";
import { loihiPopulationStep } from "../loihi/cuba-lif.js";

export type { Population } from "@neurobridge/core";

/** `w` `[out, in]` transposed to one row of `out` targets per presynaptic neuron. */
export function byPresynaptic(w: Float32Array, outFeatures: number, inFeatures: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) t[i * outFeatures + o] = w[o * inFeatures + i] as number;
  return t;
}

/**
 * Any spiking model through its own `step` on the reference array ops (a
 * plugin's neuron included): event-driven synapses, every neuron updated.
 */
export class GenericPopulation extends SynapticPopulation {
  private state: Record<string, Float32Array> = {};
  private readonly params: Record<string, Float32Array>;

  constructor(
    id: string,
    size: number,
    synapses: PopulationSynapses,
    private readonly resolved: ResolvedNeuronNode,
    params: Readonly<Record<string, Float32Array>>,
  ) {
    // The base sums synaptic input in the training GEMM's order, so currents (and spikes) equal training's.
    super(id, size, synapses);
    this.params = { ...params };
    this.reset();
  }

  reset(): void {
    this.state = Object.fromEntries(this.resolved.model.state.map((s) => [s.name, new Float32Array(this.size).fill(s.initial)]));
  }

  update(out: Int32Array): { spikes: number; active: number } {
    const r = this.resolved.model.step(arrayOps, this.tickInput(), this.state, this.params, this.resolved.context);
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

/**
 * Loihi CUBA-LIF compartments, bit-accurate (see `loihi/cuba-lif.ts`): in
 * WebAssembly SIMD where it loads (`loihi/compartments-wasm.ts`), else the
 * JavaScript loop; both give the same integers.
 */
export class LoihiPopulation implements Population {
  private readonly u: Float64Array | Int32Array;
  private readonly v: Float64Array | Int32Array;
  private readonly synapticInput: IntegerAccumulator;
  private readonly hostBias: Float64Array;
  private readonly compartments: LoihiCompartments | undefined;

  constructor(
    readonly id: string,
    readonly size: number,
    readonly fanIn: number,
    readonly config: LoihiPopulationConfig,
  ) {
    this.synapticInput = new IntegerAccumulator(size, fanIn, config.weights);
    // The largest synaptic input a tick can bring picks the compartments' lanes.
    this.compartments = LoihiCompartments.create(size, config, this.synapticInput.maxInput);
    this.u = this.compartments?.u ?? new Float64Array(size);
    this.v = this.compartments?.v ?? new Float64Array(size);
    this.hostBias = new Float64Array(size);
    this.setHost(undefined);
  }

  synapsesOf(pre: number): number {
    return this.config.synapses[pre] as number;
  }

  reset(): void {
    this.u.fill(0);
    this.v.fill(0);
  }

  begin(): void {
    this.synapticInput.begin();
  }

  deliver(pre: number): void {
    this.synapticInput.deliver(pre);
  }

  deliverAll(pres: Int32Array, count: number): number {
    this.synapticInput.deliverAll(pres, count);
    let events = 0;
    const stored = this.config.synapses;
    for (let e = 0; e < count; e++) events += stored[pres[e] as number] as number;
    return events;
  }

  /** Programs a host current (float) into the per-neuron bias registers, quantised as the chip stores them. */
  setHost(current: Float32Array | undefined): void {
    const { hostScale, quantizeBias, bias } = this.config;
    // The compartments read one bias per tick: the register plus the host current, summed once per sample.
    const sum = this.compartments?.bias;
    for (let j = 0; j < this.size; j++) {
      const host = current ? quantizeBias((current[j] as number) * hostScale) : 0;
      this.hostBias[j] = host;
      if (sum) sum[j] = (bias[j] as number) + host;
    }
  }

  update(out: Int32Array): { spikes: number; active: number } {
    const { compartments } = this;
    if (!compartments) {
      return loihiPopulationStep(
        this.u as Float64Array,
        this.v as Float64Array,
        this.synapticInput.activation,
        this.config.bias,
        this.hostBias,
        this.config,
        out,
      );
    }
    compartments.activation.set(this.synapticInput.activation);
    return compartments.tick(out);
  }
}
