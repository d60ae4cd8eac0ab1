/**
 * Deployment of a trained chain onto an emulated neuromorphic target:
 * check what the target can host (clear errors naming the limit), quantise,
 * partition populations onto cores, and return the report with emulators.
 *
 * - `loihi`: fixed-point CUBA-LIF (bit-accurate, `loihi/`), 8-bit weights,
 *   cores of 1024 compartments and 128 KB synaptic memory, 128 per chip.
 *   Graded input (direct encoding) enters through an off-chip first layer
 *   programmed into the first population's bias registers.
 * - `truenorth`: mapped onto integer cores (`truenorth/`) after its constraints are checked ({@link checkTrueNorth}
 *   returns every failing constraint with what would fit, as a value).
 *
 * Which models map onto Loihi is registered, not listed here: a model maps
 * when its package registers a `fixed-point:loihi` kernel (e.g. `lif`).
 *
 * Every deployment also carries the float32 event-driven emulator of the
 * same network, whose spikes equal the training backend's.
 */
import {
  type BackendCheck,
  type BackendIssue,
  createKernel,
  type DensePlanLayer,
  type NetworkPlan,
  type NetworkSpec,
  type PluginSource,
  planWeights,
  type Runtime,
  requireBound,
  UnsupportedError,
  type Weights,
} from "@neurobridge/core";
import { DeploymentError } from "./deploy-error.js";
import { type EmulatorCounters, totals } from "./emulator/counters.js";
import { type ChipEmulator, EventDrivenEmulator } from "./emulator/event-emulator.js";
import { floatEmulator, type Stage, stageIssues, stagesOf } from "./emulator/float-plan.js";
import { HostLayer } from "./emulator/host-layer.js";
import { LoihiPopulation } from "./emulator/population.js";
import { type LoihiQuantization, quantizeLoihiPopulation } from "./loihi/quantize.js";
import { constantOf, loihiProfile, type TargetProfile, trueNorthProfile } from "./profiles.js";
import { inputSpikesIssue, mapTrueNorth, type TrueNorthLayerReport, trueNorthMappingOf } from "./truenorth/map.js";
import { TrueNorthNetwork } from "./truenorth/network.js";

export { DeploymentError } from "./deploy-error.js";

/** Targets `deploy` knows. */
export const TARGETS = ["loihi", "truenorth"] as const;
export type TargetName = (typeof TARGETS)[number];

const PROFILES: Readonly<Record<TargetName, TargetProfile>> = { loihi: loihiProfile, truenorth: trueNorthProfile };

const isTarget = (name: string): name is TargetName => (TARGETS as readonly string[]).includes(name);

/** The profile of a target by name. */
export function targetProfile(name: string): TargetProfile {
  if (!isTarget(name)) throw new UnsupportedError(`unknown target '${name}'; accepted: ${TARGETS.join(", ")}`);
  return PROFILES[name];
}

/**
 * The float32 event-driven emulator of `chain`: the first dense layer runs on
 * the host (ONNX Runtime's GEMM) when the encoder does not emit spikes. Its
 * spikes equal the training backend's, step for step (one tick of latency
 * per hop).
 */
export async function createFloatEmulator(runtime: Runtime, chain: NetworkPlan): Promise<EventDrivenEmulator> {
  const stages = stagesOf(chain, "the event-driven emulator");
  const host = chain.encoder.emitsSpikes ? undefined : await HostLayer.create(runtime, (stages[0] as Stage).dense);
  return floatEmulator(runtime, chain, host ? () => host : undefined);
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
  /** TrueNorth: per layer, cores, axons and neurons used per core, splitters, weight levels, scale and rounding error. */
  readonly trueNorth?: readonly TrueNorthLayerReport[];
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
  /** How another thread places the same network (absent when a plugin of the runtime cannot be imported there). */
  readonly source?: DeploymentSource;
  /** The chip's own arithmetic (fixed point for Loihi, integer cores for TrueNorth). */
  readonly emulator: ChipEmulator;
  /** The float model, event-driven; spikes equal the training backend's. */
  readonly floatEmulator: EventDrivenEmulator;
  /** Energy of an emulated run (counters from {@link Deployment.emulator}). */
  energy(counters: EmulatorCounters): EnergyEstimate;
  release(): Promise<void>;
}

/** Largest |current| an off-chip layer can produce for inputs in [−maxInput, maxInput]. */
function hostBound(dense: DensePlanLayer, maxInput: number): number {
  let bound = 0;
  for (let o = 0; o < dense.outFeatures; o++) {
    let s = Math.abs((dense.bias?.[o] ?? 0) as number);
    for (let i = 0; i < dense.inFeatures; i++) s += Math.abs(dense.weight[o * dense.inFeatures + i] as number) * maxInput;
    bound = Math.max(bound, s);
  }
  return bound;
}

/** Maps, quantises and places `chain` on Loihi (synchronous: the verdict needs no emulator); throws {@link DeploymentError} at the first limit. */
function placeLoihi(runtime: Runtime, chain: NetworkPlan, options: DeployOptions) {
  const p = loihiProfile;
  const stages = stagesOf(chain, "loihi");
  const warnings: string[] = [];
  const compartments = stages.map(({ neuron }) => {
    const mapping = createKernel(runtime, neuron, "fixed-point:loihi");
    if (!mapping) {
      const mappable = runtime
        .registry("kernel")
        .list()
        .filter((k) => k.value.kind === "fixed-point:loihi")
        .map((k) => `'${k.value.model}'`);
      throw new DeploymentError(
        "loihi",
        "neuronModel",
        `population '${neuron.id}' uses neuron model '${neuron.model.name}', which has no Loihi mapping (a 'fixed-point:loihi' kernel); models with one: ${mappable.join(", ") || "none"}`,
      );
    }
    const mapped = mapping.map(neuron);
    if ("reason" in mapped) throw new DeploymentError("loihi", "reset", mapped.reason);
    warnings.push(...mapped.warnings);
    return {
      id: neuron.id,
      size: neuron.size,
      decay: mapped.decay,
      threshold: mapped.threshold,
      ...(mapped.currentDecay ? { currentDecay: mapped.currentDecay } : {}),
    };
  });
  const hostFed = !chain.encoder.emitsSpikes;
  if (hostFed) {
    warnings.push(
      `the '${chain.encoder.name}' encoder gives graded input, which Loihi 1 cannot receive as spikes: '${(stages[0] as Stage).dense.id}' runs on the host and drives '${(stages[0] as Stage).neuron.id}' through its bias registers (13-bit mantissa, 3-bit exponent).`,
    );
    if (compartments[0]?.currentDecay?.some((a) => a !== 0)) {
      warnings.push(
        `'${(stages[0] as Stage).neuron.id}' has a synaptic current (α > 0), but bias registers add to v, not to the current: the off-chip input reaches it unfiltered.`,
      );
    }
  }
  const gain = Number(chain.encoderParams.gain ?? 1);
  const maxInput = (options.maxInput ?? 1) * Math.abs(gain);
  const quantized = stages.map((s, i) => {
    const fedBy = hostFed && i === 0 ? "host" : "synapses";
    const compartment = compartments[i] as (typeof compartments)[number];
    return {
      stage: s,
      fedBy,
      ...quantizeLoihiPopulation(compartment, s.dense, fedBy, fedBy === "host" ? hostBound(s.dense, maxInput) : 0),
    };
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
  return { p, stages, warnings, hostFed, quantized, placements, coreMap, core, available, weightBits };
}

/** Builds the Loihi deployment of a placed plan: its emulators and energy model. */
async function deployLoihi(runtime: Runtime, chain: NetworkPlan, options: DeployOptions): Promise<Deployment> {
  const { p, stages, warnings, hostFed, quantized, placements, coreMap, core, available, weightBits } = placeLoihi(runtime, chain, options);
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
 * binary crossbar, and targets exactly one axon. Lists every constraint the
 * plan breaks, each with what would fit.
 */
export function checkTrueNorth(runtime: Runtime, chain: NetworkPlan): BackendCheck {
  const structural = stageIssues(chain);
  if (structural.length) return { fits: false, issues: structural };
  // Every constraint a trained network commonly breaks, each with what would fit; then the mapping itself.
  const issues = trueNorthPreflight(runtime, chain);
  if (issues.length === 0) {
    try {
      mapTrueNorth(runtime, chain);
    } catch (error) {
      if (!(error instanceof DeploymentError)) throw error;
      issues.push({
        constraint: error.constraint,
        path: "network",
        message: error.message.replace(/^cannot deploy to truenorth: /, ""),
        details: error.details,
      });
    }
  }
  return { fits: issues.length === 0, issues };
}

/** The checks that need no mapping: crossbar fit per neuron, spiking input, a mapping for every layer's model. */
function trueNorthPreflight(runtime: Runtime, chain: NetworkPlan): BackendIssue[] {
  return [...crossbarIssues(chain), ...trueNorthModelIssues(runtime, chain)];
}

/** Spiking input and a TrueNorth mapping for every layer's model. */
function trueNorthModelIssues(runtime: Runtime, chain: NetworkPlan): BackendIssue[] {
  const issues: BackendIssue[] = [];
  const input = inputSpikesIssue(chain);
  if (input) issues.push({ constraint: "inputSpikes", path: "encoder", message: input });
  for (const { neuron } of stagesOf(chain, "truenorth")) {
    const found = trueNorthMappingOf(runtime, neuron);
    const verdict = "reason" in found ? found : found.mapping.map(neuron);
    if ("reason" in verdict) issues.push({ constraint: "neuronModel", path: `layers.${neuron.id}`, message: verdict.reason });
  }
  return issues;
}

/**
 * Why a chain's weights do not fit TrueNorth's crossbars, per neuron: its
 * non-zero inputs times the weight signs it uses must fit a core's 256 axons,
 * and it may use at most 4 distinct weights (one per axon type).
 */
function crossbarIssues(chain: NetworkPlan): BackendIssue[] {
  const p = trueNorthProfile;
  const axons = constantOf(p, "axonsPerCore");
  const neurons = constantOf(p, "neuronsPerCore");
  const types = constantOf(p, "axonTypes");
  const issues: BackendIssue[] = [];
  for (const { dense, neuron } of stagesOf(chain, "truenorth")) {
    const { inFeatures: F, outFeatures: N, weight } = dense;
    let required = 0;
    let fanIn = 0;
    let copies = 1;
    let levels = 0;
    for (let j = 0; j < N; j++) {
      let inputs = 0;
      let positive = false;
      let negative = false;
      const distinct = new Set<number>();
      for (let i = 0; i < F; i++) {
        const w = weight[j * F + i] as number;
        if (w === 0) continue;
        inputs++;
        if (w > 0) positive = true;
        else negative = true;
        if (distinct.size <= types) distinct.add(w);
      }
      // With one axon type per sign, each input needs an axon per sign the neuron uses.
      const c = positive && negative ? 2 : 1;
      if (inputs * c > required) [required, fanIn, copies] = [inputs * c, inputs, c];
      levels = Math.max(levels, distinct.size);
    }
    if (required > axons) {
      const groups = Math.ceil(required / axons);
      const cores = groups * Math.ceil(neuron.size / neurons);
      issues.push({
        constraint: "axonsPerCore",
        path: `layers.${dense.id}`,
        message:
          `'${dense.id}' has fan-in ${fanIn}${copies > 1 ? " with mixed-sign weights" : ""}, i.e. ${required} axons (one per input and sign); a TrueNorth core has ${axons} axons. ` +
          `To fit: restrict each neuron's fan-in to ${Math.floor(axons / copies)} inputs (e.g. ${groups} groups of ≤ ${Math.ceil(F / groups)} inputs with a merge layer, as Esser et al., PNAS 2016, do) — at least ${cores} cores for this layer plus the merge — ` +
          `and quantise weights to ${types} values per neuron (one per axon type), then retrain under those constraints.`,
        details: { layer: dense.id, limit: axons, required, groups, coresAtLeast: cores },
      });
    }
    if (levels > types) {
      issues.push({
        constraint: "axonTypes",
        path: `layers.${dense.id}`,
        message: `'${dense.id}' has neurons with more than ${types} distinct weight values; a TrueNorth neuron has one signed weight per axon type (${types} types). Train with weights constrained to ${types} levels per neuron (e.g. ternary).`,
        details: { layer: dense.id, limit: types },
      });
    }
  }
  return issues;
}

/**
 * Maps a constrained chain onto TrueNorth cores: the integer core emulator,
 * the float model with the chip's rounded values (spike for spike the same),
 * and energy at 26 pJ per synaptic event (Merolla et al. 2014; the figure
 * includes the chip's other dynamic costs, so nothing is added per spike).
 */
async function deployTrueNorth(runtime: Runtime, chain: NetworkPlan): Promise<Deployment> {
  // The mapping is the last check: it runs once here, and throws naming what it cannot place.
  const structural = stageIssues(chain);
  throwFirst("truenorth", { fits: structural.length === 0, issues: structural });
  const issues = trueNorthPreflight(runtime, chain);
  throwFirst("truenorth", { fits: issues.length === 0, issues });
  const mapping = mapTrueNorth(runtime, chain);
  const emulator = new TrueNorthNetwork(mapping, chain);
  const floatModel = await createFloatEmulator(runtime, mapping.floatPlan);
  const p = trueNorthProfile;
  let core = 0;
  const coreMap: CoreAssignment[] = mapping.chip.cores.map((c, k) => {
    const layer = mapping.layers[mapping.coreLayer[k] as number] as TrueNorthLayerReport;
    let synapses = 0;
    for (const bit of c.crossbar) synapses += bit;
    const sources = c.sources ?? new Int32Array(0);
    const entry: CoreAssignment = {
      core: core++,
      population: layer.layer,
      neurons: [sources[0] ?? 0, sources[sources.length - 1] ?? 0],
      synapses,
      synapticMemoryBits: c.crossbar.length,
      inputAxons: c.axonTypes.length,
      outputAxons: c.neurons.length,
    };
    return entry;
  });
  const report: DeploymentReport = {
    target: "truenorth",
    inputMode: "spikes",
    cores: mapping.cores,
    coresAvailable: constantOf(p, "cores"),
    populations: mapping.layers.map((l, i) => ({
      id: l.layer,
      neurons: l.neurons,
      fanIn: chain.layers[2 * i]?.kind === "dense" ? (chain.layers[2 * i] as { inFeatures: number }).inFeatures : 0,
      fedBy: "synapses",
      synapses: coreMap.filter((c) => c.population === l.layer).reduce((s, c) => s + c.synapses, 0),
      cores: l.cores,
    })),
    coreMap,
    weightPrecision: `${constantOf(p, "weightBits")}-bit signed integer per neuron and axon type (${constantOf(p, "axonTypes")} types), binary crossbar`,
    quantization: [],
    trueNorth: mapping.layers,
    ticksPerSample: emulator.ticksPerSample,
    latencyTicks: mapping.latencyTicks,
    warnings: mapping.warnings,
  };
  return {
    report,
    emulator,
    floatEmulator: floatModel,
    energy(counters) {
      const t = totals(counters);
      const breakdown = { synapticEvents: t.synapticEvents * constantOf(p, "energyPerSynapticEvent") };
      const joules = breakdown.synapticEvents;
      return { joules, joulesPerSample: joules / Math.max(1, counters.samples), breakdown };
    },
    async release() {},
  };
}

/** Runs `check` and throws its first issue as a {@link DeploymentError}. */
function throwFirst(target: string, check: BackendCheck): void {
  const issue = check.issues[0];
  if (!check.fits && issue) throw new DeploymentError(target, issue.constraint, issue.message, issue.details ?? {});
}

/** Loihi's verdict on a plan as a value: the first constraint that fails (placement runs to find it). */
export function checkLoihi(runtime: Runtime, chain: NetworkPlan, options: DeployOptions = {}): BackendCheck {
  const structural = stageIssues(chain);
  if (structural.length) return { fits: false, issues: structural };
  try {
    placeLoihi(runtime, chain, options);
    return { fits: true, issues: [] };
  } catch (error) {
    if (!(error instanceof DeploymentError)) throw error;
    return { fits: false, issues: [{ constraint: error.constraint, path: "network", message: error.message, details: error.details }] };
  }
}

/**
 * Everything another thread needs to repeat a {@link deploy}: the runtime's
 * plugins (where each is imported from) and seed, the network and the
 * target. Plain data: it travels to worker threads.
 */
export interface DeploymentSource {
  readonly plugins: readonly PluginSource[];
  readonly seed: number;
  readonly spec: NetworkSpec;
  readonly weights: Weights;
  readonly target: string;
  readonly options: DeployOptions;
}

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** Largest |input| before encoding (sizes the off-chip layer's bias range); default 1 (pixels in [0, 1]). */
  readonly maxInput?: number;
}

/** Places a bound `chain` on `target`; throws {@link DeploymentError} naming the failing constraint. */
export async function deploy(runtime: Runtime, chain: NetworkPlan, target: string, options: DeployOptions = {}): Promise<Deployment> {
  targetProfile(target);
  requireBound(chain, `deploying to ${target}`);
  const deployment = await DEPLOYERS[target as TargetName](runtime, chain, options);
  const { sources, missing } = runtime.pluginSources();
  // Another thread can place the same network only if every plugin can be imported there.
  if (missing.length > 0) return deployment;
  const source: DeploymentSource = {
    plugins: sources,
    seed: runtime.seed,
    spec: chain.spec,
    weights: planWeights(chain),
    target,
    options,
  };
  return { ...deployment, source };
}

/** How each target places a plan. */
const DEPLOYERS: Readonly<Record<TargetName, (runtime: Runtime, chain: NetworkPlan, options: DeployOptions) => Promise<Deployment>>> = {
  loihi: deployLoihi,
  truenorth: (runtime, chain) => deployTrueNorth(runtime, chain),
};
