/**
 * Loihi's CUBA-LIF compartments of one population in WebAssembly with
 * 128-bit SIMD (`assembly/loihi.ts`): the arithmetic of
 * {@link loihiPopulationStep}, several compartments per instruction, with the
 * same integers (a test holds the two equal). The population's state lives
 * in the module's memory for the population's life.
 *
 * Two kernels: float64 lanes (two compartments per instruction) serve any
 * population; int32 lanes (four) serve populations whose synaptic input is
 * bounded by 2^17 (every column's Σ|w|, checked at creation), where every
 * intermediate provably fits — the paper's SNN on Loihi is one.
 *
 * Measured here (Intel Xeon, one thread, 256 compartments): the JavaScript
 * loop takes ~9 ns per compartment-tick, the float64 lanes ~3 ns.
 */
import { WasmKernels } from "@neurobridge/core";
import { LOIHI_WASM } from "../wasm/loihi.generated.js";
import {
  CURRENT_DECAY_OFFSET,
  DECAY_UNITY,
  effectiveThreshold,
  type LoihiCompartmentConfig,
  type loihiPopulationStep,
} from "./cuba-lif.js";

/** One tick of `size` compartments (both kernels take the same addresses and constants). */
type LoihiTick = (
  size: number,
  u: number,
  v: number,
  activation: number,
  bias: number,
  uKeep: number,
  vKeep: number,
  threshold: number,
  out: number,
  activeAt: number,
) => number;

interface LoihiExports {
  /** Float64 lanes, any input. */
  loihiTick: LoihiTick;
  /** Int32 lanes, input bounded by {@link INT_LANES_MAX_INPUT}. */
  loihiTickInt: LoihiTick;
}

/**
 * Largest synaptic input (in weight units, before the ×2^6 of the current
 * update) the int32 kernel takes: 2^6 · 2^17 = 2^23, so one wrap brings the
 * current back into ±2^23 and no sum leaves int32.
 */
export const INT_LANES_MAX_INPUT = 2 ** 17;

/** A population's compartments: state, this tick's input and bias as views of the module's memory. */
export class LoihiCompartments {
  /** Current u `[size]`. */
  readonly u: Float64Array | Int32Array;
  /** Voltage v `[size]`. */
  readonly v: Float64Array | Int32Array;
  /** This tick's synaptic input `[size]`, written by the caller before {@link LoihiCompartments.tick}. */
  readonly activation: Float64Array;
  /** Bias register plus host current, per compartment `[size]`. */
  readonly bias: Float64Array | Int32Array;
  private readonly spikes: Int32Array;
  private readonly active: Int32Array;

  private constructor(
    private readonly kernels: WasmKernels<LoihiExports>,
    private readonly addresses: { u: number; v: number; activation: number; bias: number; out: number; active: number },
    readonly size: number,
    private readonly config: LoihiCompartmentConfig,
    /** Which kernel ticks: int32 lanes or float64 lanes. */
    readonly lanes: "int32" | "float64",
  ) {
    // One layout for the population's life, so these views stay valid.
    const view = (at: number) => (lanes === "int32" ? kernels.i32(at, size) : kernels.f64(at, size));
    this.u = view(addresses.u);
    this.v = view(addresses.v);
    this.activation = kernels.f64(addresses.activation, size);
    this.bias = view(addresses.bias);
    this.spikes = kernels.i32(addresses.out, size);
    this.active = kernels.i32(addresses.active, 1);
  }

  /**
   * Compartments for `size` neurons, or undefined where WebAssembly cannot
   * run. `maxInput` bounds |synaptic input| (every column's Σ|w|); at most
   * {@link INT_LANES_MAX_INPUT} selects the int32 kernel (default: unbounded,
   * float64). The host bias must stay within the bias register's range.
   */
  static create(size: number, config: LoihiCompartmentConfig, maxInput = Number.POSITIVE_INFINITY): LoihiCompartments | undefined {
    const kernels = WasmKernels.load<LoihiExports>(LOIHI_WASM);
    if ("unavailable" in kernels) return undefined;
    const lanes = maxInput <= INT_LANES_MAX_INPUT ? "int32" : "float64";
    const bytes = lanes === "int32" ? 4 : 8;
    // The input stays float64 either way (the accumulator's sums are copied in as they are).
    const [u, v, activation, bias, out, active] = kernels.layout([
      size * bytes,
      size * bytes,
      size * 8,
      size * bytes,
      size * 4,
      4,
    ]) as number[];
    return new LoihiCompartments(
      kernels,
      { u, v, activation, bias, out, active } as { u: number; v: number; activation: number; bias: number; out: number; active: number },
      size,
      config,
      lanes,
    );
  }

  /** Advances every compartment one tick on {@link LoihiCompartments.activation}; writes the spiking indices (ascending) to `out`. */
  tick(out: Int32Array): { spikes: number; active: number } {
    const { du, dv, vth } = this.config;
    const a = this.addresses;
    const step = this.lanes === "int32" ? this.kernels.exports.loihiTickInt : this.kernels.exports.loihiTick;
    const spikes = step(
      this.size,
      a.u,
      a.v,
      a.activation,
      a.bias,
      DECAY_UNITY - (du + CURRENT_DECAY_OFFSET),
      DECAY_UNITY - dv,
      effectiveThreshold(vth),
      a.out,
      a.active,
    );
    out.set(this.spikes.subarray(0, spikes));
    return { spikes, active: this.active[0] as number };
  }
}
