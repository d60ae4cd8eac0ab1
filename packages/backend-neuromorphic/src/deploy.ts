/**
 * Deployment of a trained chain onto an emulated neuromorphic target:
 * check what the target can host (clear errors naming the limit), quantise,
 * partition populations onto cores, and return the report with emulators.
 *
 * - `loihi`: fixed-point CUBA-LIF (bit-accurate, `loihi/`), 8-bit weights,
 *   cores of 1024 compartments and 128 KB synaptic memory, 128 per chip.
 *   Graded input (direct encoding) enters through an off-chip first layer
 *   programmed into the first population's bias registers.
 * - `truenorth`: checked against its crossbar constraints; dense layers with
 *   real-valued weights and more than 256 inputs do not map, and the error
 *   says which constraint fails and what would make the network fit.
 *
 * Every deployment also carries the float32 event-driven emulator of the
 * same network, whose spikes equal the training backend's.
 */
import { type Runtime, UnsupportedError } from "@neurobridge/core";
import type { Chain, DenseLayer } from "./chain.js";
import { DeploymentError } from "./deploy-error.js";
import { type EmulatorCounters, totals } from "./emulator/counters.js";
import { EventDrivenEmulator } from "./emulator/event-emulator.js";
import { floatEmulator, type Stage, stagesOf } from "./emulator/float-plan.js";
import { HostLayer } from "./emulator/host-layer.js";
import { LoihiPopulation } from "./emulator/population.js";
import { type LoihiQuantization, quantizeLoihiPopulation } from "./loihi/quantize.js";
import { constantOf, loihiProfile, type TargetProfile, trueNorthProfile } from "./profiles.js";

export { DeploymentError } from "./deploy-error.js";

/** Targets `deploy` knows. */
export const TARGETS = ["loihi", "truenorth"] as const;
export type TargetName = (typeof TARGETS)[number];

/** The profile of a target by name. */
export function targetProfile(name: string): TargetProfile {
  if (name === "loihi") return loihiProfile;
  if (name === "truenorth") return trueNorthProfile;
  throw new UnsupportedError(`unknown target '${name}'; accepted: ${TARGETS.join(", ")}`);
}

/**
 * The float32 event-driven emulator of `chain`: the first dense layer runs on
 * the host (ONNX Runtime's GEMM) when the encoder does not emit spikes. Its
 * spikes equal the training backend's, step for step (one tick of latency
 * per hop).
 */
export async function createFloatEmulator(runtime: Runtime, chain: Chain): Promise<EventDrivenEmulator> {
  const stages = stagesOf(chain, "the event-driven emulator");
  const host = chain.encoder.emitsSpikes ? undefined : await HostLayer.create(runtime, (stages[0] as Stage).dense);
  return floatEmulator(chain, host ? () => host : undefined);
}

/** One core's share of a population. */
export interface CoreAssignment {
  readonly core: number;
  readonly population: string;
  /** Neuron range [first, last]. */
  readonly neurons: readonly [number, number];
  readonly synapses: number;
  readonly synapticMemoryBits: number;
  readonly inputAxons: number;
  readonly outputAxons: number;
}

/** A population's placement. */
export interface PopulationPlacement {
  readonly id: string;
  readonly neurons: number;
  readonly fanIn: number;
  readonly fedBy: "synapses" | "host";
  readonly synapses: number;
  readonly cores: number;
}

/** What `deploy` reports. */
export interface DeploymentReport {
  readonly target: TargetName;
  /** `host`: the first dense layer runs off-chip on graded input; `spikes`: input spikes enter on-chip. */
  readonly inputMode: "host" | "spikes";
  readonly cores: number;
  readonly coresAvailable: number;
  readonly populations: readonly PopulationPlacement[];
  readonly coreMap: readonly CoreAssignment[];
  readonly weightPrecision: string;
  readonly quantization: readonly LoihiQuantization[];
  /** Ticks per sample (T + one per synapse hop) and ticks before the first output can appear. */
  readonly ticksPerSample: number;
  readonly latencyTicks: number;
  /** Where the chip differs from the float model, said plainly. */
  readonly warnings: readonly string[];
}

/** Energy of a run under the target's sourced per-event costs. */
export interface EnergyEstimate {
  readonly joules: number;
  readonly joulesPerSample: number;
  readonly breakdown: Readonly<Record<string, number>>;
}

/** A network placed on a target, with its emulators. */
export interface Deployment {
  readonly report: DeploymentReport;
  /** The chip's own arithmetic (fixed point for Loihi). */
  readonly emulator: EventDrivenEmulator;
  /** The float model, event-driven; spikes equal the training backend's. */
  readonly floatEmulator: EventDrivenEmulator;
  /** Energy of an emulated run (counters from {@link Deployment.emulator}). */
  energy(counters: EmulatorCounters): EnergyEstimate;
  release(): Promise<void>;
}

/** Largest |current| an off-chip layer can produce for inputs in [−maxInput, maxInput]. */
function hostBound(dense: DenseLayer, maxInput: number): number {
  let bound = 0;
  for (let o = 0; o < dense.outFeatures; o++) {
    let s = Math.abs((dense.bias?.[o] ?? 0) as number);
    for (let i = 0; i < dense.inFeatures; i++) s += Math.abs(dense.weight[o * dense.inFeatures + i] as number) * maxInput;
    bound = Math.max(bound, s);
  }
  return bound;
}

async function deployLoihi(runtime: Runtime, chain: Chain, options: DeployOptions): Promise<Deployment> {
  const p = loihiProfile;
  const stages = stagesOf(chain, "loihi");
  const warnings: string[] = [];
  for (const { neuron } of stages) {
    if (neuron.resolved.model.name !== "lif") {
      throw new DeploymentError(
        "loihi",
        "neuronModel",
        `population '${neuron.id}' uses neuron model '${neuron.resolved.model.name}'; Loihi compartments are CUBA-LIF: accepted model 'lif'`,
      );
    }
    const reset = neuron.resolved.resetName;
    if (reset === "subtract") {
      warnings.push(
        `'${neuron.id}' was trained with reset by subtraction; Loihi resets v to 0 after a spike, so the chip drops the charge above threshold.`,
      );
    } else if (reset !== "zero") {
      throw new DeploymentError(
        "loihi",
        "reset",
        `population '${neuron.id}' uses reset '${reset}'; Loihi resets v to 0: accepted 'zero' (or 'subtract', approximated)`,
      );
    }
  }
  const hostFed = !chain.encoder.emitsSpikes;
  if (hostFed) {
    warnings.push(
      `the '${chain.encoder.name}' encoder gives graded input, which Loihi 1 cannot receive as spikes: '${(stages[0] as Stage).dense.id}' runs on the host and drives '${(stages[0] as Stage).neuron.id}' through its bias registers (13-bit mantissa, 3-bit exponent).`,
    );
  }
  const gain = Number(chain.encoderParams.gain ?? 1);
  const maxInput = (options.maxInput ?? 1) * Math.abs(gain);
  const quantized = stages.map((s, i) => {
    const fedBy = hostFed && i === 0 ? "host" : "synapses";
    return { stage: s, fedBy, ...quantizeLoihiPopulation(s.neuron, s.dense, fedBy, fedBy === "host" ? hostBound(s.dense, maxInput) : 0) };
  });
  // Partition: neurons per core, synaptic memory, input and output axons.
  const neuronsPerCore = constantOf(p, "neuronsPerCore");
  const memoryBits = constantOf(p, "synapticMemoryBitsPerCore");
  const weightBits = constantOf(p, "weightBits");
  const inputAxons = constantOf(p, "inputAxonsPerCore");
  const outputAxons = constantOf(p, "outputAxonsPerCore");
  const placements: PopulationPlacement[] = [];
  for (const q of quantized) {
    const { neuron, dense } = q.stage;
    const synapses = q.report.synapses;
    if (q.fedBy === "synapses" && dense.inFeatures > inputAxons) {
      throw new DeploymentError(
        "loihi",
        "inputAxonsPerCore",
        `population '${neuron.id}' has fan-in ${dense.inFeatures}; a core has ${inputAxons} input axons. Split the layer's inputs (e.g. a pooling or grouped layer) so each core sees at most ${inputAxons} presynaptic neurons.`,
        { limit: inputAxons, required: dense.inFeatures, population: neuron.id },
      );
    }
    const cores = Math.max(Math.ceil(neuron.size / neuronsPerCore), Math.ceil((synapses * weightBits) / memoryBits), 1);
    placements.push({
      id: neuron.id,
      neurons: neuron.size,
      fanIn: dense.inFeatures,
      fedBy: q.fedBy as "synapses" | "host",
      synapses,
      cores,
    });
  }
  const coreMap: CoreAssignment[] = [];
  let core = 0;
  placements.forEach((placement, l) => {
    const per = Math.ceil(placement.neurons / placement.cores);
    const targetCores = placements[l + 1]?.cores ?? 1;
    const rows = quantized[l]?.config.weights as Int32Array;
    for (let c = 0; c < placement.cores; c++) {
      const first = c * per;
      const last = Math.min(placement.neurons, first + per) - 1;
      let synapses = 0;
      if (placement.fedBy === "synapses") {
        for (let i = 0; i < placement.fanIn; i++) for (let j = first; j <= last; j++) if (rows[i * placement.neurons + j] !== 0) synapses++;
      }
      const out = (last - first + 1) * targetCores;
      if (out > outputAxons) {
        throw new DeploymentError(
          "loihi",
          "outputAxonsPerCore",
          `core ${core} ('${placement.id}') needs ${out} output axons (${last - first + 1} neurons × ${targetCores} destination cores); a core has ${outputAxons}`,
          { limit: outputAxons, required: out },
        );
      }
      coreMap.push({
        core: core++,
        population: placement.id,
        neurons: [first, last],
        synapses,
        synapticMemoryBits: synapses * weightBits,
        inputAxons: placement.fedBy === "synapses" ? placement.fanIn : 0,
        outputAxons: out,
      });
    }
  });
  const available = constantOf(p, "coresPerChip");
  if (core > available) {
    throw new DeploymentError("loihi", "coresPerChip", `the network needs ${core} cores; one Loihi chip has ${available}`, {
      limit: available,
      required: core,
    });
  }
  const host = hostFed ? await HostLayer.create(runtime, (stages[0] as Stage).dense) : undefined;
  const emulator = new EventDrivenEmulator({
    chain,
    ...(host ? { host } : {}),
    populations: quantized.map((q) => new LoihiPopulation(q.stage.neuron.id, q.stage.neuron.size, q.stage.dense.inFeatures, q.config)),
  });
  const floatModel = await createFloatEmulator(runtime, chain);
  const destinations = placements.map((_, l) => placements[l + 1]?.cores ?? 1);
  const report: DeploymentReport = {
    target: "loihi",
    inputMode: hostFed ? "host" : "spikes",
    cores: core,
    coresAvailable: available,
    populations: placements,
    coreMap,
    weightPrecision: `${weightBits}-bit mixed-sign mantissa (even integers −256…254) × 2^(6 + weight exponent)`,
    quantization: quantized.map((q) => q.report),
    ticksPerSample: emulator.ticksPerSample,
    latencyTicks: stages.length - 1,
    warnings,
  };
  return {
    report,
    emulator,
    floatEmulator: floatModel,
    energy(counters) {
      const t = totals(counters);
      let spikeTraffic = 0;
      counters.layers.forEach((l, i) => {
        spikeTraffic += l.spikes * (destinations[i] ?? 1);
      });
      const breakdown = {
        synapticOps: t.synapticEvents * constantOf(p, "energyPerSynapticOp"),
        activeNeuronUpdates: t.activeUpdates * constantOf(p, "energyPerNeuronUpdateActive"),
        inactiveNeuronUpdates: t.inactiveUpdates * constantOf(p, "energyPerNeuronUpdateInactive"),
        spikeTraffic: spikeTraffic * constantOf(p, "energyPerSpikeWithinTile"),
      };
      const joules = Object.values(breakdown).reduce((s, v) => s + v, 0);
      return { joules, joulesPerSample: joules / Math.max(1, counters.samples), breakdown };
    },
    async release() {
      await host?.release();
      await floatModel.plan.host?.release();
    },
  };
}

/**
 * TrueNorth: 256 axons × 256 neurons per core; a neuron sees one signed
 * weight per axon type (4 types, the type belongs to the axon) through a
 * binary crossbar, and targets exactly one axon. Checks the chain against
 * these and names the first constraint that fails, with what would fit.
 */
function checkTrueNorth(chain: Chain): never {
  const p = trueNorthProfile;
  const axons = constantOf(p, "axonsPerCore");
  const neurons = constantOf(p, "neuronsPerCore");
  const types = constantOf(p, "axonTypes");
  const stages = stagesOf(chain, "truenorth");
  for (const { dense, neuron } of stages) {
    let positive = false;
    let negative = false;
    const distinct = new Set<number>();
    for (const w of dense.weight) {
      if (w > 0) positive = true;
      if (w < 0) negative = true;
      if (distinct.size <= types) distinct.add(w);
    }
    // With one axon type per sign, each input needs an axon per sign it uses.
    const copies = positive && negative ? 2 : 1;
    const required = dense.inFeatures * copies;
    if (required > axons) {
      const groups = Math.ceil(required / axons);
      const cores = groups * Math.ceil(neuron.size / neurons);
      throw new DeploymentError(
        "truenorth",
        "axonsPerCore",
        `'${dense.id}' has fan-in ${dense.inFeatures} with mixed-sign weights, i.e. ${required} axons (one per input and sign); a TrueNorth core has ${axons} axons. ` +
          `To fit: restrict each neuron's fan-in to ${Math.floor(axons / copies)} inputs (e.g. ${groups} groups of ≤ ${Math.ceil(dense.inFeatures / groups)} pixels with a merge layer, as Esser et al., PNAS 2016, do) — at least ${cores} cores for this layer plus the merge — ` +
          `and quantise weights to ${types} values per neuron (one per axon type), then retrain under those constraints.`,
        { layer: dense.id, limit: axons, required, groups, coresAtLeast: cores },
      );
    }
    if (distinct.size > types) {
      throw new DeploymentError(
        "truenorth",
        "axonTypes",
        `'${dense.id}' has more than ${types} distinct weight values; a TrueNorth neuron has one signed weight per axon type (${types} types). Train with weights constrained to ${types} levels per neuron (e.g. ternary).`,
        { layer: dense.id, limit: types },
      );
    }
    if (neuron.size > neurons) {
      throw new DeploymentError(
        "truenorth",
        "targetsPerNeuron",
        `'${neuron.id}' (${neuron.size} neurons) spans several cores, and each presynaptic neuron targets one axon: every source neuron needs ${Math.ceil(neuron.size / neurons)} copies (splitter neurons).`,
        { layer: neuron.id },
      );
    }
  }
  throw new DeploymentError(
    "truenorth",
    "emulation",
    "the network satisfies the crossbar constraints, but this release emulates Loihi only; TrueNorth emulation is not implemented yet",
  );
}

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** Largest |input| before encoding (sizes the off-chip layer's bias range); default 1 (pixels in [0, 1]). */
  readonly maxInput?: number;
}

/** Places `chain` on `target`; throws {@link DeploymentError} naming the failing constraint. */
export async function deploy(runtime: Runtime, chain: Chain, target: string, options: DeployOptions = {}): Promise<Deployment> {
  targetProfile(target);
  if (target === "truenorth") checkTrueNorth(chain);
  return deployLoihi(runtime, chain, options);
}
