/**
 * TrueNorth cores and their tick-by-tick, event-driven emulation.
 *
 * A core is 256 axons × 256 neurons with a binary crossbar; each axon has a
 * type (0–3) and each neuron one signed weight per type, so synapse (i, j)
 * weighs `c_ij · s_j[G_i]`. Each neuron sends its spike to exactly one axon
 * of one core, `delay` ticks later (1–15), or off chip. Spikes arriving at
 * the same axon in the same tick are one event. Work is done where spikes
 * arrive — each active axon visits its crossbar row — and every neuron then
 * leaks, compares with its thresholds and resets (`neuron.ts`).
 */
import { NeuroBridgeError, WasmKernels } from "@neurobridge/core";
import { TRUENORTH_WASM } from "../wasm/truenorth.generated.js";
import { MEMBRANE_MAX, MEMBRANE_MIN, TRUENORTH_RESET_MODES, type TrueNorthNeuronConfig } from "./neuron.js";

interface TrueNorthExports {
  trueNorthCoreTick(
    count: number,
    axons: number,
    N: number,
    weights: number,
    v: number,
    leak: number,
    alpha: number,
    beta: number,
    mode: number,
    resetV: number,
    kappa: number,
    reversal: number,
    out: number,
  ): number;
}

/** One core's arrays in the WebAssembly module's memory (byte addresses) and the views the host reads and writes. */
interface WasmCore {
  readonly at: {
    weights: number;
    v: number;
    leak: number;
    alpha: number;
    beta: number;
    mode: number;
    resetV: number;
    kappa: number;
    reversal: number;
    axons: number;
    fired: number;
  };
  /** Membranes `[N]` (a view: the module's memory never grows after the layout). */
  readonly v: Int32Array;
  /** This tick's active axons, written by the host. */
  readonly axons: Int32Array;
  /** The slots that fired this tick. */
  readonly fired: Int32Array;
}

/**
 * Lays out every core of `chip` in one module instance for the emulator's
 * life: the dense crossbar (each set bit's weight for its axon's type), the
 * neuron constants, the membranes and the per-tick lists. Undefined where
 * WebAssembly cannot run.
 */
function loadWasmCores(
  chip: TrueNorthChip,
  axonsPerCore: number,
): { kernels: WasmKernels<TrueNorthExports>; cores: WasmCore[] } | undefined {
  const kernels = WasmKernels.load<TrueNorthExports>(TRUENORTH_WASM);
  if ("unavailable" in kernels) return undefined;
  const sizes: number[] = [];
  for (const core of chip.cores) {
    const N = core.neurons.length;
    sizes.push(axonsPerCore * N * 4, ...Array.from({ length: 8 }, () => N * 4), axonsPerCore * 4, N * 4);
  }
  const addresses = kernels.layout(sizes);
  const cores = chip.cores.map((core, c): WasmCore => {
    const N = core.neurons.length;
    const A = core.axonTypes.length;
    const [weights, v, leak, alpha, beta, mode, resetV, kappa, reversal, axons, fired] = addresses.slice(c * 11, c * 11 + 11) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const w = kernels.i32(weights, axonsPerCore * N);
    w.fill(0);
    for (let i = 0; i < A; i++) {
      const type = core.axonTypes[i] as number;
      for (let j = 0; j < N; j++)
        if (core.crossbar[i * N + j]) w[i * N + j] = (core.neurons[j] as TrueNorthNeuronConfig).weights[type] as number;
    }
    const fill = (at: number, f: (n: TrueNorthNeuronConfig) => number) => kernels.i32(at, N).set(core.neurons.map(f));
    fill(leak, (n) => n.leak);
    fill(alpha, (n) => n.alpha);
    fill(beta, (n) => n.beta);
    fill(mode, (n) => TRUENORTH_RESET_MODES.indexOf(n.resetMode));
    fill(resetV, (n) => n.resetVoltage);
    fill(kappa, (n) => (n.kappa ? 1 : 0));
    fill(reversal, (n) => (n.leakReversal ? 1 : 0));
    return {
      at: { weights, v, leak, alpha, beta, mode, resetV, kappa, reversal, axons, fired },
      v: kernels.i32(v, N),
      axons: kernels.i32(axons, axonsPerCore),
      fired: kernels.i32(fired, N),
    };
  });
  return { kernels, cores };
}

/** Where a neuron's spike goes. */
export type TrueNorthTarget =
  | { readonly kind: "axon"; readonly core: number; readonly axon: number; readonly delay: number }
  | { readonly kind: "output"; readonly index: number }
  | { readonly kind: "none" };

/** One core's configuration. */
export interface TrueNorthCoreConfig {
  /** Axon type per axon `[axons]`, 0–3. */
  readonly axonTypes: Uint8Array;
  /** Crossbar bits `[axons × neurons]`, row-major by axon. */
  readonly crossbar: Uint8Array;
  readonly neurons: readonly TrueNorthNeuronConfig[];
  /** One target per neuron. */
  readonly targets: readonly TrueNorthTarget[];
  /** Which network neuron each slot implements (splitter copies share their original's index), for reports. */
  readonly sources?: Int32Array;
  /** 1 for the slot that counts as the network neuron (the first of its copies), for reports. */
  readonly primary?: Uint8Array;
}

/** A chip: its cores, and the (core, axon) pairs each off-chip input line drives. */
export interface TrueNorthChip {
  readonly cores: readonly TrueNorthCoreConfig[];
  /** `inputs[k]`: the axons input line k drives when it spikes (the host sends one event per axon). */
  readonly inputs: readonly (readonly { readonly core: number; readonly axon: number }[])[];
  /** Number of off-chip output lines. */
  readonly outputs: number;
}

/** Hardware limits a chip must respect (Merolla et al., Science 2014). */
export interface TrueNorthLimits {
  readonly axonsPerCore: number;
  readonly neuronsPerCore: number;
  readonly axonTypes: number;
  readonly cores: number;
  readonly maxDelay: number;
  readonly weightMin: number;
  readonly weightMax: number;
}

/** What an emulation counted. */
export interface TrueNorthCounters {
  ticks: number;
  /** Axon events delivered (one per active axon per tick). */
  axonEvents: number;
  /** Synaptic events: active axon × set crossbar bit. */
  synapticEvents: number;
  /** Spikes fired on chip (including splitter copies). */
  spikes: number;
  /** Spikes sent off chip. */
  outputSpikes: number;
  /** Input events the host sent. */
  inputEvents: number;
  /** Neuron updates (every neuron, every tick). */
  neuronUpdates: number;
}

/** Counters at zero. */
export const newTrueNorthCounters = (): TrueNorthCounters => ({
  ticks: 0,
  axonEvents: 0,
  synapticEvents: 0,
  spikes: 0,
  outputSpikes: 0,
  inputEvents: 0,
  neuronUpdates: 0,
});

/** Lists every way `chip` breaks `limits`; empty when it fits. */
export function chipIssues(chip: TrueNorthChip, limits: TrueNorthLimits): string[] {
  const issues: string[] = [];
  if (chip.cores.length > limits.cores) issues.push(`uses ${chip.cores.length} cores; a chip has ${limits.cores}`);
  chip.cores.forEach((core, c) => {
    const axons = core.axonTypes.length;
    const neurons = core.neurons.length;
    if (axons > limits.axonsPerCore) issues.push(`core ${c}: ${axons} axons; a core has ${limits.axonsPerCore}`);
    if (neurons > limits.neuronsPerCore) issues.push(`core ${c}: ${neurons} neurons; a core has ${limits.neuronsPerCore}`);
    if (core.crossbar.length !== axons * neurons)
      issues.push(`core ${c}: crossbar has ${core.crossbar.length} bits, expected ${axons}×${neurons}`);
    if (core.targets.length !== neurons) issues.push(`core ${c}: ${core.targets.length} targets for ${neurons} neurons (one each)`);
    if (core.axonTypes.some((g) => g >= limits.axonTypes)) issues.push(`core ${c}: an axon type is not below ${limits.axonTypes}`);
    core.neurons.forEach((n, j) => {
      if (n.weights.some((w) => !Number.isInteger(w) || w < limits.weightMin || w > limits.weightMax))
        issues.push(
          `core ${c} neuron ${j}: weights [${n.weights.join(", ")}] outside the signed range ${limits.weightMin}…${limits.weightMax}`,
        );
    });
    core.targets.forEach((t, j) => {
      if (t.kind !== "axon") return;
      const target = chip.cores[t.core];
      if (!target || t.axon < 0 || t.axon >= target.axonTypes.length)
        issues.push(`core ${c} neuron ${j}: targets core ${t.core} axon ${t.axon}, which does not exist`);
      if (!(Number.isInteger(t.delay) && t.delay >= 1 && t.delay <= limits.maxDelay))
        issues.push(`core ${c} neuron ${j}: delay ${t.delay} outside 1…${limits.maxDelay} ticks`);
    });
  });
  return issues;
}

/**
 * Emulates a chip tick by tick. One instance keeps the membranes; `reset`
 * clears them (and in-flight spikes) between samples.
 */
export class TrueNorthEmulator {
  private readonly v: Int32Array[];
  /** In-flight axon events by arrival tick (ring of maxDelay + 1 slots), as core·axonsPerCore + axon. */
  private readonly pending: number[][];
  private readonly active: Uint8Array[];
  /** Per core, flattened for the inner loops: leak, α, β, reset mode, R, κ, ε, and each axon's targets with their weights. */
  private readonly cores: {
    readonly leak: Int32Array;
    readonly alpha: Int32Array;
    readonly beta: Int32Array;
    readonly mode: Uint8Array;
    readonly resetV: Int32Array;
    readonly kappa: Uint8Array;
    readonly reversal: Uint8Array;
    /** For each axon, the neurons its crossbar row reaches. */
    readonly rows: Int32Array[];
    /** For each axon, the weight each of those neurons gives its type (aligned with `rows`). */
    readonly rowWeights: Int32Array[];
  }[];
  private tick = 0;
  /**
   * The cores' integrate-and-fire in WebAssembly SIMD (`assembly/truenorth.ts`,
   * the same integers), where it loads; else the loops in {@link TrueNorthEmulator.step}.
   */
  private readonly wasm: { kernels: WasmKernels<TrueNorthExports>; cores: WasmCore[] } | undefined;

  /**
   * @param options.wasm - run the cores in WebAssembly where it loads (default true; false keeps the JavaScript loops, for tests)
   */
  constructor(
    readonly chip: TrueNorthChip,
    readonly limits: TrueNorthLimits,
    options: { wasm?: boolean } = {},
  ) {
    const issues = chipIssues(chip, limits);
    if (issues.length)
      throw new NeuroBridgeError("TRUENORTH_INVALID", `the chip configuration breaks TrueNorth's limits:\n  - ${issues.join("\n  - ")}`);
    // Initial membranes outside the 20-bit range would be saturated by the dense crossbar's first add: the loops keep them.
    const inRange = chip.cores.every((c) => c.neurons.every((n) => (n.initialV ?? 0) >= MEMBRANE_MIN && (n.initialV ?? 0) <= MEMBRANE_MAX));
    this.wasm = options.wasm === false || !inRange ? undefined : loadWasmCores(chip, limits.axonsPerCore);
    this.v = this.wasm ? this.wasm.cores.map((w) => w.v) : chip.cores.map((c) => new Int32Array(c.neurons.length));
    this.active = chip.cores.map((c) => new Uint8Array(c.axonTypes.length));
    this.pending = Array.from({ length: limits.maxDelay + 1 }, () => []);
    this.cores = chip.cores.map((c) => {
      const N = c.neurons.length;
      const rows = Array.from({ length: c.axonTypes.length }, (_, i) => {
        const list: number[] = [];
        for (let j = 0; j < N; j++) if (c.crossbar[i * N + j]) list.push(j);
        return Int32Array.from(list);
      });
      const weights = Int32Array.from(c.neurons.flatMap((n) => n.weights));
      const rowWeights = rows.map((row, i) => Int32Array.from(row, (j) => weights[j * 4 + (c.axonTypes[i] as number)] as number));
      return {
        rowWeights,
        leak: Int32Array.from(c.neurons, (n) => n.leak),
        alpha: Int32Array.from(c.neurons, (n) => n.alpha),
        beta: Int32Array.from(c.neurons, (n) => n.beta),
        mode: Uint8Array.from(c.neurons, (n) => TRUENORTH_RESET_MODES.indexOf(n.resetMode)),
        resetV: Int32Array.from(c.neurons, (n) => n.resetVoltage),
        kappa: Uint8Array.from(c.neurons, (n) => (n.kappa ? 1 : 0)),
        reversal: Uint8Array.from(c.neurons, (n) => (n.leakReversal ? 1 : 0)),
        rows,
      };
    });
    this.reset();
  }

  /** Sets every membrane to its initial value and drops in-flight spikes. */
  reset(): void {
    this.chip.cores.forEach((core, c) => {
      const v = this.v[c] as Int32Array;
      core.neurons.forEach((n, j) => {
        v[j] = n.initialV ?? 0;
      });
    });
    for (const slot of this.pending) slot.length = 0;
    this.tick = 0;
  }

  private schedule(core: number, axon: number, delay: number): void {
    (this.pending[(this.tick + delay) % this.pending.length] as number[]).push(core * this.limits.axonsPerCore + axon);
  }

  /**
   * Advances one tick: the host's `inputLines` spike now (their axons are
   * active this tick), axon events due now are delivered, every neuron
   * updates (the same arithmetic as {@link trueNorthFire}, on flat arrays).
   * Off-chip spikes are added to `outputs`.
   */
  step(
    inputLines: ArrayLike<number>,
    outputs: Float64Array,
    counters: TrueNorthCounters,
    /** Called for every spike fired on chip, with its core and neuron slot. */
    onSpike?: (core: number, slot: number) => void,
    /** Synaptic events per core, added to. */
    synapticByCore?: Float64Array,
  ): void {
    const A = this.limits.axonsPerCore;
    const slot = this.pending[this.tick % this.pending.length] as number[];
    for (let k = 0; k < inputLines.length; k++) {
      for (const { core, axon } of this.chip.inputs[inputLines[k] as number] ?? []) {
        slot.push(core * A + axon);
        counters.inputEvents++;
      }
    }
    for (const event of slot) {
      const core = Math.floor(event / A);
      (this.active[core] as Uint8Array)[event - core * A] = 1;
    }
    slot.length = 0;
    this.tick++;
    for (let c = 0; c < this.cores.length; c++) {
      const k = this.cores[c] as (typeof this.cores)[number];
      const v = this.v[c] as Int32Array;
      const active = this.active[c] as Uint8Array;
      const N = v.length;
      const wasmCore = this.wasm?.cores[c];
      let events = 0;
      let axonEvents = 0;
      for (let i = 0; i < active.length; i++) {
        if (!active[i]) continue;
        active[i] = 0;
        const row = k.rows[i] as Int32Array;
        events += row.length;
        if (wasmCore) {
          // The module integrates the listed rows (below).
          wasmCore.axons[axonEvents++] = i;
          continue;
        }
        axonEvents++;
        const w = k.rowWeights[i] as Int32Array;
        for (let r = 0; r < row.length; r++) {
          const j = row[r] as number;
          const u = (v[j] as number) + (w[r] as number);
          v[j] = u > MEMBRANE_MAX ? MEMBRANE_MAX : u < MEMBRANE_MIN ? MEMBRANE_MIN : u;
        }
      }
      counters.axonEvents += axonEvents;
      counters.synapticEvents += events;
      if (synapticByCore) synapticByCore[c] = (synapticByCore[c] as number) + events;
      counters.neuronUpdates += N;
      if (wasmCore) {
        const { at } = wasmCore;
        const fired = (this.wasm as { kernels: WasmKernels<TrueNorthExports> }).kernels.exports.trueNorthCoreTick(
          axonEvents,
          at.axons,
          N,
          at.weights,
          at.v,
          at.leak,
          at.alpha,
          at.beta,
          at.mode,
          at.resetV,
          at.kappa,
          at.reversal,
          at.fired,
        );
        for (let e = 0; e < fired; e++) this.emit(c, wasmCore.fired[e] as number, outputs, counters, onSpike);
        continue;
      }
      for (let j = 0; j < N; j++) {
        const x = v[j] as number;
        const leak = k.reversal[j] ? Math.sign(x) * (k.leak[j] as number) : (k.leak[j] as number);
        let u = x + leak;
        u = u > MEMBRANE_MAX ? MEMBRANE_MAX : u < MEMBRANE_MIN ? MEMBRANE_MIN : u;
        const mode = k.mode[j] as number;
        if (u >= (k.alpha[j] as number)) {
          // absolute (0): V ← R; linear (1): V ← V − α; none (2).
          if (mode === 0) u = k.resetV[j] as number;
          else if (mode === 1) u -= k.alpha[j] as number;
          v[j] = u > MEMBRANE_MAX ? MEMBRANE_MAX : u < MEMBRANE_MIN ? MEMBRANE_MIN : u;
          this.emit(c, j, outputs, counters, onSpike);
          continue;
        }
        const beta = k.beta[j] as number;
        if (u < -beta) {
          if (k.kappa[j]) u = -beta;
          else if (mode === 0) u = -(k.resetV[j] as number);
          else if (mode === 1) u += beta;
        }
        v[j] = u > MEMBRANE_MAX ? MEMBRANE_MAX : u < MEMBRANE_MIN ? MEMBRANE_MIN : u;
      }
    }
  }

  /** Routes the spike of core `c`'s slot `j`: to its target axon (after its delay) or off chip. */
  private emit(
    c: number,
    j: number,
    outputs: Float64Array,
    counters: TrueNorthCounters,
    onSpike?: (core: number, slot: number) => void,
  ): void {
    counters.spikes++;
    onSpike?.(c, j);
    const t = (this.chip.cores[c] as TrueNorthCoreConfig).targets[j] as TrueNorthTarget;
    if (t.kind === "axon") this.schedule(t.core, t.axon, t.delay - 1);
    else if (t.kind === "output") {
      outputs[t.index] = (outputs[t.index] as number) + 1;
      counters.outputSpikes++;
    }
  }
}
