/**
 * Implementations as registrations (Lava's Process / ProcessModel split,
 * tfjs's kernel registry — per runtime, never global). A neuron model's
 * `step` is the truth; a *kernel* is a faster implementation of one named
 * contract (a *kind*) for one model, registered by a plugin with
 * `registrar.kernel({ model, kind, create })`. A runner asks
 * `runtime.kernel(layer, kind)` and falls back to its generic interpreter of
 * `step` when none is registered or `create` declines the layer.
 *
 * Every kernel must reproduce its model's `step` bit for bit in float32
 * (spikes identical); the conformance suite checks it.
 *
 * The kinds known to core are the keys of {@link KernelKinds}; a package can
 * add a kind by augmenting that interface:
 *
 * @example
 * ```ts
 * declare module "@neurobridge/core" {
 *   interface KernelKinds { "fixed-point:spinnaker": MySpinnakerMapping }
 * }
 * ```
 */
import type { NeuronPlanLayer } from "./plan.js";
import { CORE_WASM } from "./wasm/kernels.generated.js";
import { WasmKernels } from "./wasm.js";

/** What `assembly/kernels.ts` exports. */
export interface CoreKernelExports {
  deliverTick(count: number, pres: number, size: number, weights: number, sliceK: number, c: number): void;
  deliverTickInt(count: number, pres: number, size: number, weights: number, a: number): void;
  deliverTickIntWide(count: number, pres: number, size: number, weights: number, a: number): void;
  reluForward(n: number, x: number, y: number): void;
  reluBackward(n: number, x: number, dy: number, g: number): void;
  reluInfer(steps: number, rows: number, n: number, x: number, y: number, ever: number, perStep: number): void;
  xoshiroFill(state: number, out: number, n: number): void;
  xoshiroBernoulli(state: number, p: number, out: number, n: number, draws: number): void;
  spikeLists(rows: number, cols: number, x: number, idx: number, offsets: number, limit: number): number;
  transposeLists(rows: number, cols: number, idx: number, offsets: number, colIdx: number, colOffsets: number, cursor: number): void;
  accumulateLists(lists: number, idx: number, offsets: number, size: number, rows: number, sliceK: number, bias: number, out: number): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
}

/** An activation `[rows, cols]` row-major; `rows` is B (static) or T·B (temporal, time-major). */
export interface Activation {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
  /** True when the rows are T frames of B samples; false when every step sees the same `[B, cols]`. */
  readonly temporal: boolean;
}

/** What a {@link SequenceKernel}'s forward pass returns. */
export interface SequenceForward {
  /** Outputs: `[T·B, N]` for spiking models, same rows as the input for rate models. */
  readonly output: Activation;
  /** The value the model's first state variable had before reset, `[T·B, N]`, when `keepMembrane` was asked (membrane losses, traces). */
  readonly membrane?: Float32Array;
  /** Whatever the backward pass needs; opaque to the runner. */
  readonly saved: unknown;
}

/** Gradients of one layer's backward pass. */
export interface SequenceGradients {
  /** d loss / d input, the same layout as the forward input. */
  readonly dInput: Float32Array;
  /** d loss / d parameter, per neuron (`[N]`), for each parameter asked to learn. */
  readonly dParams: Readonly<Record<string, Float32Array>>;
}

/** Options of {@link SequenceKernel.forward}. */
export interface SequenceForwardOptions {
  /** Return the pre-reset membrane `[T·B, N]` too. */
  readonly keepMembrane?: boolean;
  /**
   * The caller reads the outputs (and runs `backward`) before this kernel
   * instance's next forward, and copies whatever it keeps longer — as a
   * training step does. A kernel may then return views of its own scratch
   * memory instead of fresh arrays (no allocation, no copy).
   */
  readonly transient?: boolean;
}

/**
 * Kind `sequence`: a layer's forward over all T steps and its BPTT backward,
 * on float32 arrays (training). Parameters arrive per neuron (`[N]` each).
 */
export interface SequenceKernel {
  /** Parameters this kernel can learn (its backward returns their gradients). */
  readonly learnable: readonly string[];
  /** Where this instance computes (e.g. `wasm-simd`, `js`), shown in implementation reports. */
  readonly runsOn?: string;
  forward(
    input: Activation,
    batch: number,
    params: Readonly<Record<string, Float32Array>>,
    options?: SequenceForwardOptions,
  ): SequenceForward;
  /**
   * `dOutput` has the forward output's layout; `dMembrane`, when given, is a
   * gradient on the pre-reset membrane (membrane losses).
   */
  backward(forward: SequenceForward, dOutput: Float32Array, learn: readonly string[], dMembrane?: Float32Array): SequenceGradients;
}

/** Activity counted while a layer runs, for evaluation. */
export interface LayerCounts {
  /** Events (spikes, or non-zero outputs) per step, summed over batch and neurons. */
  readonly perStep: Float64Array;
  /** 1 for neurons with an event for any sample. */
  readonly everActive: Uint8Array;
}

/** Kind `infer`: the forward pass only, counting activity as it goes (no state kept for backward). */
export interface InferKernel {
  /** Where this instance computes (see {@link SequenceKernel.runsOn}). */
  readonly runsOn?: string;
  /** `transient` as in {@link SequenceForwardOptions.transient}: outputs are read before this instance's next run. */
  run(
    input: Activation,
    batch: number,
    params: Readonly<Record<string, Float32Array>>,
    options?: { readonly transient?: boolean },
  ): { output: Activation; counts: LayerCounts };
}

/**
 * An on-chip population of the event-driven emulator: neurons with their
 * incoming synapses stored per presynaptic neuron, so a spike touches exactly
 * its own fan-out. Each tick: `begin`, one `deliver` per arriving spike
 * (ascending presynaptic index), then `update`.
 */
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
   * All of a tick's spikes `pres[0…count)` (ascending) at once, in place of
   * `count` {@link Population.deliver} calls with the same result; returns the
   * synaptic events (the sum of `synapsesOf`). Optional: runners fall back to `deliver`.
   */
  deliverAll?(pres: Int32Array, count: number): number;
  /** Feeds the population from an off-chip layer: `current` replaces the synaptic input until the next call (undefined: back to synapses). */
  setHost(current: Float32Array | undefined): void;
  /** Advances every neuron one step; writes the indices of neurons that spiked into `out`; returns how many, and how many neurons did work. */
  update(out: Int32Array): { spikes: number; active: number };
}

/** What a population kernel is built from. */
export interface PopulationSynapses {
  readonly fanIn: number;
  /** Synapses `[fanIn, size]`, one row of targets per presynaptic neuron; empty for host-fed populations. */
  readonly weights: Float32Array;
  readonly bias?: Float32Array;
  /**
   * The K slice the float accumulation folds at (the training GEMM's summation
   * order), so emulated currents equal training's bit for bit.
   */
  readonly sliceK: number;
}

/** Kind `population`: the float32 event-driven emulator's population of this model. */
export interface PopulationKernel {
  create(synapses: PopulationSynapses): Population;
}

/**
 * Kind `fixed-point:loihi`: how a model maps onto Loihi's CUBA-LIF
 * compartment (the Loihi backend quantises and runs it bit-accurately).
 * `reason` explains why a configuration cannot map (then the other fields are absent).
 */
export interface LoihiCompartmentMapping {
  map(layer: NeuronPlanLayer):
    | {
        /** Membrane decay per step β (per neuron; Loihi needs one value per population). */
        readonly decay: Float32Array;
        /** Synaptic-current decay per step α (absent: the current is cleared every step, α = 0). */
        readonly currentDecay?: Float32Array;
        readonly threshold: Float32Array;
        /** Where the trained model and the chip's reset-to-zero differ, said plainly. */
        readonly warnings: readonly string[];
      }
    | { readonly reason: string };
}

/**
 * Kind `fixed-point:truenorth`: how a model maps onto TrueNorth's neuron —
 * integrate, additive leak, threshold, reset; no multiplicative decay — so
 * the TrueNorth backend can quantise it to integers. `reason` explains why
 * a configuration cannot map.
 */
export interface TrueNorthNeuronMapping {
  /** Parameter values the model must have to map (e.g. LIF: β = 1); constraint-aware training sets them. */
  readonly requiredParams?: Readonly<Record<string, number>>;
  map(layer: NeuronPlanLayer):
    | {
        /** Firing threshold θ per neuron (the model fires when its membrane exceeds it). */
        readonly threshold: Float32Array;
        /** TrueNorth's reset mode: `absolute` (to 0), `linear` (subtract θ) or `none`. */
        readonly reset: "absolute" | "linear" | "none";
        readonly warnings: readonly string[];
      }
    | { readonly reason: string };
}

/**
 * The kernel contracts by kind. Augment it (declaration merging) to add a
 * kind; see the module doc.
 */
export interface KernelKinds {
  sequence: SequenceKernel;
  infer: InferKernel;
  population: PopulationKernel;
  "fixed-point:loihi": LoihiCompartmentMapping;
  "fixed-point:truenorth": TrueNorthNeuronMapping;
}

/** A kernel kind: a key of {@link KernelKinds}. */
export type KernelKind = keyof KernelKinds & string;

/** The kinds core defines, with what each is for (for listings). */
export const KERNEL_KINDS: Readonly<Record<string, string>> = {
  sequence: "forward over all T steps plus BPTT backward, for training",
  infer: "forward with activity counters, for evaluation",
  population: "a population of the float32 event-driven emulator",
  "fixed-point:loihi": "mapping onto Loihi's CUBA-LIF compartment",
  "fixed-point:truenorth": "mapping onto TrueNorth's integer neuron (additive leak, thresholds, reset modes)",
};

/** A kernel as registered: the model and kind it implements, and its factory. */
export interface KernelRegistration<K extends KernelKind = KernelKind> {
  /** Registered neuron-model name. */
  readonly model: string;
  readonly kind: K;
  readonly description: string;
  /**
   * Builds the kernel for one resolved layer, or returns `undefined` when it
   * cannot run this configuration (e.g. a reset it does not implement): the
   * runner then uses its generic interpreter of the model's `step`.
   */
  create(layer: NeuronPlanLayer): KernelKinds[K] | undefined;
}

/** Registry key of a kernel: `<model>/<kind>`. */
export const kernelKey = (model: string, kind: string): string => `${model}/${kind}`;

/**
 * Synaptic input of an event-driven population, summed in the order of the
 * training GEMM: arriving spikes (ascending presynaptic index) add their
 * weight rows into a partial sum, which is folded into the current at every
 * `sliceK` boundary — as ONNX Runtime's MLAS SGEMM sums K in slices — so an
 * emulated current equals training's bit for bit. Float32 throughout
 * (`Float32Array` stores round).
 */
export class SynapticAccumulator {
  /** The current of this tick `[size]` (valid after {@link SynapticAccumulator.current}). */
  private readonly c: Float32Array;
  private readonly partial: Float32Array;
  private blockEnd = 0;
  private touched = false;
  /** The WebAssembly twin of {@link SynapticAccumulator.deliverAll}, holding the weights in its memory. */
  private readonly wasm: { kernels: WasmKernels<CoreKernelExports>; weights: number; c: number; pres: number } | undefined;
  private readonly presView: Int32Array | undefined;

  constructor(
    readonly size: number,
    private readonly synapses: PopulationSynapses,
  ) {
    this.partial = new Float32Array(size);
    const kernels = synapses.weights.length > 0 ? WasmKernels.load<CoreKernelExports>(CORE_WASM) : undefined;
    if (kernels && !("unavailable" in kernels)) {
      // One layout for the population's life: the views below stay valid.
      // 64 bytes after the weights: the narrow columns' lane groups read past the last row (see assembly/kernels.ts).
      const [weights, c, pres] = kernels.layout([synapses.weights.length * 4 + 64, size * 4, synapses.fanIn * 4]) as [
        number,
        number,
        number,
      ];
      kernels.f32(weights, synapses.weights.length).set(synapses.weights);
      this.wasm = { kernels, weights, c, pres };
      this.c = kernels.f32(c, size);
      this.presView = kernels.i32(pres, synapses.fanIn);
    } else {
      this.wasm = undefined;
      this.c = new Float32Array(size);
    }
  }

  /** Starts a tick: the current is the bias (or zero). */
  begin(): void {
    if (this.synapses.bias) this.c.set(this.synapses.bias);
    else this.c.fill(0);
    // The partial sum is zero unless a tick ended without its current being read.
    if (this.touched) this.partial.fill(0);
    this.blockEnd = this.synapses.sliceK;
    this.touched = false;
  }

  private fold(): void {
    if (!this.touched) return;
    const { c, partial } = this;
    for (let j = 0; j < this.size; j++) c[j] = (c[j] as number) + (partial[j] as number);
    partial.fill(0);
    this.touched = false;
  }

  /** One spike of presynaptic neuron `pre` arrives. */
  deliver(pre: number): void {
    while (pre >= this.blockEnd) {
      this.fold();
      this.blockEnd += this.synapses.sliceK;
    }
    const N = this.size;
    const row = pre * N;
    const { partial } = this;
    const weights = this.synapses.weights;
    for (let j = 0; j < N; j++) partial[j] = (partial[j] as number) + (weights[row + j] as number);
    this.touched = true;
  }

  /**
   * All of a tick's `count` spikes `pres[0…count)` (ascending), in place of
   * that many {@link SynapticAccumulator.deliver} calls and with the same
   * bits: in one WebAssembly SIMD call where it loads.
   */
  deliverAll(pres: Int32Array, count: number): void {
    const { wasm } = this;
    if (!wasm || this.touched || this.blockEnd !== this.synapses.sliceK || !this.presView) {
      for (let e = 0; e < count; e++) this.deliver(pres[e] as number);
      return;
    }
    const view = this.presView;
    for (let e = 0; e < count; e++) view[e] = pres[e] as number;
    wasm.kernels.exports.deliverTick(count, wasm.pres, this.size, wasm.weights, this.synapses.sliceK, wasm.c);
  }

  /** The tick's summed input (folds the last slice). */
  current(): Float32Array {
    this.fold();
    return this.c;
  }
}

/**
 * Integer synaptic input of a fixed-point population (Loihi's): each spike
 * adds its presynaptic row of integer weights into the float64 activation
 * (exact for integers), in WebAssembly SIMD where it loads.
 */
export class IntegerAccumulator {
  /** This tick's summed input `[size]`. */
  readonly activation: Float64Array;
  private readonly wasm: { kernels: WasmKernels<CoreKernelExports>; weights: number; a: number; pres: number } | undefined;
  private readonly presView: Int32Array | undefined;
  /** Whether every column's Σ|w| stays below 2^31, so the WebAssembly may sum a tick in int32 lanes. */
  private readonly fitsInt32: boolean;
  /** The largest |input| a tick can bring: the largest column's Σ|w| (every presynaptic neuron spiking). */
  readonly maxInput: number;

  /** @param weights - `[fanIn, size]`, one row of targets per presynaptic neuron */
  constructor(
    readonly size: number,
    readonly fanIn: number,
    private readonly weights: Int32Array,
  ) {
    const kernels = weights.length > 0 ? WasmKernels.load<CoreKernelExports>(CORE_WASM) : undefined;
    if (kernels && !("unavailable" in kernels)) {
      const [w, a, pres] = kernels.layout([weights.length * 4, size * 8, fanIn * 4]) as [number, number, number];
      kernels.i32(w, weights.length).set(weights);
      this.wasm = { kernels, weights: w, a, pres };
      this.activation = kernels.f64(a, size);
      this.presView = kernels.i32(pres, fanIn);
    } else {
      this.wasm = undefined;
      this.activation = new Float64Array(size);
    }
    const bound = new Float64Array(size);
    for (let i = 0; i < weights.length; i++) bound[i % size] = (bound[i % size] as number) + Math.abs(weights[i] as number);
    this.maxInput = bound.reduce((m, b) => Math.max(m, b), 0);
    this.fitsInt32 = this.maxInput < 2 ** 31;
  }

  begin(): void {
    this.activation.fill(0);
  }

  deliver(pre: number): void {
    const N = this.size;
    const row = pre * N;
    const a = this.activation;
    const w = this.weights;
    for (let j = 0; j < N; j++) a[j] = (a[j] as number) + (w[row + j] as number);
  }

  /** A tick's `count` spikes `pres` at once (same sums as `deliver` each). */
  deliverAll(pres: Int32Array, count: number): void {
    const { wasm, presView } = this;
    if (!wasm || !presView) {
      for (let e = 0; e < count; e++) this.deliver(pres[e] as number);
      return;
    }
    for (let e = 0; e < count; e++) presView[e] = pres[e] as number;
    const deliver = this.fitsInt32 ? wasm.kernels.exports.deliverTickInt : wasm.kernels.exports.deliverTickIntWide;
    deliver(count, wasm.pres, this.size, wasm.weights, wasm.a);
  }
}

/**
 * The synapse side of a float population, shared by every model's: stored
 * synapses, the {@link SynapticAccumulator}, and the off-chip host current.
 * A subclass implements `reset` and `update`, reading this tick's input with
 * {@link SynapticPopulation.tickInput}.
 */
export abstract class SynapticPopulation implements Population {
  private readonly accumulator: SynapticAccumulator;
  private host: Float32Array | undefined;

  constructor(
    readonly id: string,
    readonly size: number,
    protected readonly synapses: PopulationSynapses,
  ) {
    this.accumulator = new SynapticAccumulator(size, synapses);
  }

  get fanIn(): number {
    return this.synapses.fanIn;
  }

  /** Float populations store every synapse of a presynaptic neuron (dense rows). */
  synapsesOf(): number {
    return this.size;
  }

  begin(): void {
    this.accumulator.begin();
  }

  deliver(pre: number): void {
    this.accumulator.deliver(pre);
  }

  /** A tick's spikes at once; a float population stores `size` synapses per presynaptic neuron. */
  deliverAll(pres: Int32Array, count: number): number {
    this.accumulator.deliverAll(pres, count);
    return count * this.size;
  }

  setHost(current: Float32Array | undefined): void {
    this.host = current;
  }

  /** This tick's input: the host current when one is set, else the summed synaptic input. */
  protected tickInput(): Float32Array {
    return this.host ?? this.accumulator.current();
  }

  abstract reset(): void;
  abstract update(out: Int32Array): { spikes: number; active: number };
}
