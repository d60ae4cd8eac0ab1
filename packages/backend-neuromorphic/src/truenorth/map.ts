/**
 * Mapping a trained chain onto TrueNorth cores.
 *
 * Per layer: weights, biases and thresholds are scaled by a power of two K
 * and rounded to integers (weights ≤ 9-bit signed, one value per axon type:
 * at most 4 distinct non-zero weights per neuron); the bias becomes the
 * neuron's per-tick leak λ. Each input that a core's neurons use with weight
 * value g arrives on its own axon of type g. Layers are packed back to front:
 * a core takes neurons while its axons (input × weight value) stay within 256
 * and its neurons — with their splitter copies, one per axon the neuron must
 * reach, since a neuron has one target — within 256.
 *
 * The integer network is exact against a float model with the same rounded
 * values ({@link TrueNorthMapping.floatPlan}): membranes are K·v − 1 (the −1
 * makes TrueNorth's `V ≥ α` equal the float model's `v > θ`, and is kept by
 * integration, leak and both resets), so spikes agree step for step while
 * membranes stay within TrueNorth's 20-bit range. Layer l's neurons start
 * l leaks early (they tick before their first input arrives).
 */
import {
  createKernel,
  type NetworkPlan,
  type NeuronPlanLayer,
  type Runtime,
  type TrueNorthNeuronMapping,
  type Weights,
} from "@neurobridge/core";
import { DeploymentError } from "../deploy-error.js";
import { stagesOf } from "../emulator/float-plan.js";
import { constantOf, trueNorthProfile } from "../profiles.js";
import type { TrueNorthChip, TrueNorthCoreConfig, TrueNorthLimits, TrueNorthTarget } from "./chip.js";
import { MEMBRANE_BITS, type TrueNorthNeuronConfig } from "./neuron.js";

/** TrueNorth's limits from the profile (Merolla et al. 2014; Akopyan et al. 2015). */
export function trueNorthLimits(): TrueNorthLimits {
  const p = trueNorthProfile;
  const bits = constantOf(p, "weightBits");
  return {
    axonsPerCore: constantOf(p, "axonsPerCore"),
    neuronsPerCore: constantOf(p, "neuronsPerCore"),
    axonTypes: constantOf(p, "axonTypes"),
    cores: constantOf(p, "cores"),
    maxDelay: 15,
    weightMin: -(2 ** (bits - 1)),
    weightMax: 2 ** (bits - 1) - 1,
  };
}

/** What the mapping of one layer used. */
export interface TrueNorthLayerReport {
  readonly layer: string;
  readonly neurons: number;
  /** Splitter copies: neurons added so that every axon a neuron must reach has a source of its own. */
  readonly splitters: number;
  readonly cores: number;
  readonly axonsPerCore: readonly number[];
  readonly neuronsPerCore: readonly number[];
  /** Most distinct non-zero weights any neuron has (≤ 4 axon types). */
  readonly weightLevels: number;
  /** Scale K: integer = round(K · float). */
  readonly scale: number;
  /** Largest |w − q/K| over weights, biases and thresholds. */
  readonly quantizationError: number;
}

/** A chain mapped onto TrueNorth. */
export interface TrueNorthMapping {
  readonly chip: TrueNorthChip;
  /** The stage (layer index) each core belongs to. */
  readonly coreLayer: readonly number[];
  readonly limits: TrueNorthLimits;
  readonly layers: readonly TrueNorthLayerReport[];
  readonly cores: number;
  readonly splitters: number;
  /** Ticks from an input spike to the output layer's response (one per synapse hop). */
  readonly latencyTicks: number;
  /** The float network with exactly the chip's rounded values: its spikes are the chip's. */
  readonly floatPlan: NetworkPlan;
  readonly warnings: readonly string[];
}

interface Stage {
  readonly id: string;
  readonly neuron: NeuronPlanLayer;
  readonly inFeatures: number;
  readonly out: number;
  readonly q: Int32Array;
  readonly leak: Int32Array;
  readonly alpha: Int32Array;
  readonly reset: "absolute" | "linear" | "none";
  readonly scale: number;
  readonly error: number;
  /** Per neuron: its distinct non-zero integer weights (≤ 4) and each synapse's type index (−1: none). */
  readonly values: number[][];
  readonly types: Int8Array;
  readonly hasBias: boolean;
}

const fail = (constraint: string, message: string, details: Record<string, unknown> = {}): never => {
  throw new DeploymentError("truenorth", constraint, message, details);
};

/** The largest power of two K with max|x|·K within `limit`. */
function powerOfTwoScale(maxAbs: number, limit: number): number {
  if (maxAbs === 0) return 1;
  return 2 ** Math.floor(Math.log2(limit / maxAbs));
}

/**
 * The TrueNorth mapping of `layer`'s model (its `fixed-point:truenorth`
 * kernel), or why it has none, naming the models that register one.
 */
export function trueNorthMappingOf(runtime: Runtime, layer: NeuronPlanLayer): { mapping: TrueNorthNeuronMapping } | { reason: string } {
  const mapping = createKernel(runtime, layer, "fixed-point:truenorth");
  if (mapping) return { mapping };
  const mappable = runtime
    .registry("kernel")
    .list()
    .filter((k) => k.value.kind === "fixed-point:truenorth")
    .map((k) => k.value.model);
  return {
    reason: `'${layer.id}' uses model '${layer.model.name}', which has no TrueNorth mapping (a 'fixed-point:truenorth' kernel); models with one: ${mappable.join(", ") || "none"}`,
  };
}

/** Why `plan`'s input cannot enter TrueNorth (which takes spikes only), or undefined when it can. */
export function inputSpikesIssue(plan: NetworkPlan): string | undefined {
  return plan.encoder.emitsSpikes
    ? undefined
    : `TrueNorth takes spikes only; this network's encoder '${plan.encoder.name}' feeds graded currents. Train with a spiking encoder (rate or latency).`;
}

/** Quantises one stage and checks the per-neuron limits. */
function quantize(runtime: Runtime, dense: NetworkPlan["layers"][number], neuron: NeuronPlanLayer, limits: TrueNorthLimits): Stage {
  if (dense.kind !== "dense") return fail("topology", "expected dense → neuron stages");
  const found = trueNorthMappingOf(runtime, neuron);
  if ("reason" in found) return fail("neuronModel", found.reason);
  const m = found.mapping.map(neuron);
  if ("reason" in m) return fail("neuronModel", m.reason);
  const { weight, bias, outFeatures: out, inFeatures } = dense;
  let maxW = 0;
  for (const w of weight) maxW = Math.max(maxW, Math.abs(w));
  let maxB = 0;
  for (let j = 0; j < out; j++) maxB = Math.max(maxB, Math.abs((bias?.[j] ?? 0) as number));
  // Weights and leak are 9-bit signed; the threshold (18 bits) is not the binding limit.
  const scale = Math.min(powerOfTwoScale(maxW, limits.weightMax), powerOfTwoScale(maxB, limits.weightMax));
  const q = new Int32Array(weight.length);
  let error = 0;
  for (let k = 0; k < weight.length; k++) {
    q[k] = Math.round((weight[k] as number) * scale);
    error = Math.max(error, Math.abs((weight[k] as number) - (q[k] as number) / scale));
  }
  const leak = new Int32Array(out);
  const alpha = new Int32Array(out);
  const values: number[][] = [];
  const types = new Int8Array(weight.length).fill(-1);
  for (let j = 0; j < out; j++) {
    const b = (bias?.[j] ?? 0) as number;
    leak[j] = Math.round(b * scale);
    error = Math.max(error, Math.abs(b - (leak[j] as number) / scale));
    const theta = m.threshold[j] as number;
    alpha[j] = Math.max(1, Math.round(theta * scale));
    error = Math.max(error, Math.abs(theta - (alpha[j] as number) / scale));
    const distinct = [...new Set(Array.from(q.subarray(j * inFeatures, (j + 1) * inFeatures)).filter((x) => x !== 0))].sort(
      (a, b2) => b2 - a,
    );
    if (distinct.length > limits.axonTypes) {
      fail(
        "axonTypes",
        `'${dense.id}' neuron ${j} has ${distinct.length} distinct weights after rounding; a TrueNorth neuron has one signed weight per axon type (${limits.axonTypes}). Train with weights constrained to ${limits.axonTypes} levels per neuron (e.g. ternary: −a, 0, +a).`,
        { layer: dense.id, neuron: j, levels: distinct.length, limit: limits.axonTypes },
      );
    }
    values.push(distinct);
    for (let i = 0; i < inFeatures; i++) {
      const v = q[j * inFeatures + i] as number;
      if (v !== 0) types[j * inFeatures + i] = distinct.indexOf(v);
    }
  }
  return {
    id: dense.id,
    neuron,
    inFeatures,
    out,
    q,
    leak,
    alpha,
    reset: m.reset,
    scale,
    error,
    values,
    types,
    hasBias: bias !== undefined,
  };
}

/** One core of one layer while packing: its neurons (originals) and axons (input × type). */
interface Packed {
  readonly neurons: number[];
  readonly axons: Map<number, number>; // key input·4 + type → axon index
  copies: number;
}

/** Maps a bound, spiking-input chain onto TrueNorth; throws {@link DeploymentError} naming the first limit it breaks. */
export function mapTrueNorth(runtime: Runtime, plan: NetworkPlan): TrueNorthMapping {
  const limits = trueNorthLimits();
  const input = inputSpikesIssue(plan);
  if (input) fail("inputSpikes", input);
  const stages = stagesOf(plan, "truenorth").map(({ dense, neuron }) => quantize(runtime, dense, neuron, limits));
  const L = stages.length;
  // Back to front: how many axons each source neuron must reach decides its copies.
  const packed: Packed[][] = new Array(L);
  let reach: number[] = new Array((stages[L - 1] as Stage).out).fill(1); // the output layer: one off-chip target each
  for (let l = L - 1; l >= 0; l--) {
    const st = stages[l] as Stage;
    const cores: Packed[] = [];
    let core: Packed = { neurons: [], axons: new Map(), copies: 0 };
    const axonsOf = (j: number) => {
      const keys: number[] = [];
      for (let i = 0; i < st.inFeatures; i++) {
        const g = st.types[j * st.inFeatures + i] as number;
        if (g >= 0) keys.push(i * 4 + g);
      }
      return keys;
    };
    for (let j = 0; j < st.out; j++) {
      const copies = Math.max(1, reach[j] as number);
      const keys = axonsOf(j);
      if (keys.length > limits.axonsPerCore) {
        fail(
          "axonsPerCore",
          `'${st.id}' neuron ${j} needs ${keys.length} axons (one per input and weight value); a TrueNorth core has ${limits.axonsPerCore}. Train with grouped fan-in (≤ ${limits.axonsPerCore} input × weight-value pairs per neuron).`,
          { layer: st.id, neuron: j, required: keys.length, limit: limits.axonsPerCore },
        );
      }
      if (copies > limits.neuronsPerCore) {
        fail(
          "neuronsPerCore",
          `'${st.id}' neuron ${j} must reach ${copies} axons, more copies than a core holds (${limits.neuronsPerCore})`,
          {
            layer: st.id,
            neuron: j,
          },
        );
      }
      const added = keys.filter((k) => !core.axons.has(k)).length;
      if (core.neurons.length > 0 && (core.axons.size + added > limits.axonsPerCore || core.copies + copies > limits.neuronsPerCore)) {
        cores.push(core);
        core = { neurons: [], axons: new Map(), copies: 0 };
      }
      for (const k of keys) if (!core.axons.has(k)) core.axons.set(k, core.axons.size);
      core.neurons.push(j);
      core.copies += copies;
    }
    cores.push(core);
    packed[l] = cores;
    // What the layer before must reach: one axon per (core, input, type) used here.
    const next = new Array(st.inFeatures).fill(0) as number[];
    for (const c of cores) for (const k of c.axons.keys()) next[Math.floor(k / 4)] = (next[Math.floor(k / 4)] as number) + 1;
    reach = next;
  }
  // Global core ids, front to back, and the axon each source copy feeds.
  const firstCore: number[] = [];
  let total = 0;
  for (let l = 0; l < L; l++) {
    firstCore.push(total);
    total += (packed[l] as Packed[]).length;
  }
  if (total > limits.cores)
    fail("cores", `the network needs ${total} cores; a chip has ${limits.cores}`, { required: total, limit: limits.cores });
  /** feeds[l][i]: the (core, axon) pairs source i of stage l's input must reach. */
  const feeds: { core: number; axon: number }[][][] = stages.map((st) => Array.from({ length: st.inFeatures }, () => []));
  stages.forEach((_st, l) => {
    (packed[l] as Packed[]).forEach((c, k) => {
      for (const [key, axon] of c.axons)
        (feeds[l] as { core: number; axon: number }[][])[Math.floor(key / 4)]?.push({ core: firstCore[l]! + k, axon });
    });
  });
  const cores: TrueNorthCoreConfig[] = [];
  const layers: TrueNorthLayerReport[] = [];
  let splitters = 0;
  stages.forEach((st, l) => {
    const last = l === L - 1;
    const axonCounts: number[] = [];
    const neuronCounts: number[] = [];
    let copiesTotal = 0;
    for (const c of packed[l] as Packed[]) {
      const A = c.axons.size;
      const axonTypes = new Uint8Array(A);
      for (const [key, axon] of c.axons) axonTypes[axon] = key % 4;
      const neurons: TrueNorthNeuronConfig[] = [];
      const targets: TrueNorthTarget[] = [];
      const columns: number[] = [];
      for (const j of c.neurons) {
        const config: TrueNorthNeuronConfig = {
          weights: [0, 1, 2, 3].map((g) => st.values[j]?.[g] ?? 0) as [number, number, number, number],
          leak: st.leak[j] as number,
          alpha: st.alpha[j] as number,
          beta: 2 ** (MEMBRANE_BITS - 1),
          kappa: true,
          resetMode: st.reset,
          resetVoltage: -1,
          // Layer l's first step is tick l (one tick per hop), but every neuron leaks every tick:
          // start l leaks early, so the membrane is K·v − 1 when the layer's first input arrives.
          initialV: -1 - l * (st.leak[j] as number),
        };
        const outs: TrueNorthTarget[] = last
          ? [{ kind: "output", index: j }]
          : ((feeds[l + 1] as { core: number; axon: number }[][])[j] ?? []).map(
              (f) => ({ kind: "axon", core: f.core, axon: f.axon, delay: 1 }) as const,
            );
        const copies = outs.length ? outs : [{ kind: "none" } as const];
        for (const t of copies) {
          neurons.push(config);
          targets.push(t);
          columns.push(j);
        }
      }
      const N = neurons.length;
      const sources = Int32Array.from(columns);
      const primary = Uint8Array.from(columns, (j, n) => (n === 0 || columns[n - 1] !== j ? 1 : 0));
      const crossbar = new Uint8Array(A * N);
      columns.forEach((j, n) => {
        for (let i = 0; i < st.inFeatures; i++) {
          const g = st.types[j * st.inFeatures + i] as number;
          if (g < 0) continue;
          const axon = c.axons.get(i * 4 + g) as number;
          crossbar[axon * N + n] = 1;
        }
      });
      cores.push({ axonTypes, crossbar, neurons, targets, sources, primary });
      axonCounts.push(A);
      neuronCounts.push(N);
      copiesTotal += N;
    }
    splitters += copiesTotal - st.out;
    layers.push({
      layer: st.neuron.id,
      neurons: st.out,
      splitters: copiesTotal - st.out,
      cores: (packed[l] as Packed[]).length,
      axonsPerCore: axonCounts,
      neuronsPerCore: neuronCounts,
      weightLevels: Math.max(0, ...st.values.map((v) => v.length)),
      scale: st.scale,
      quantizationError: st.error,
    });
  });
  const chip: TrueNorthChip = {
    cores,
    inputs: (feeds[0] as { core: number; axon: number }[][]).map((f) => [...f]),
    outputs: (stages[L - 1] as Stage).out,
  };
  const coreLayer = stages.flatMap((_st, l) => (packed[l] as Packed[]).map(() => l));
  return {
    chip,
    coreLayer,
    limits,
    layers,
    cores: cores.length,
    splitters,
    latencyTicks: L - 1,
    floatPlan: roundedPlan(runtime, plan, stages),
    warnings: [],
  };
}

/**
 * The float network with the chip's rounded values: weights q/K, biases λ/K
 * and thresholds α/K (per neuron), every other parameter as trained.
 */
function roundedPlan(runtime: Runtime, plan: NetworkPlan, stages: readonly Stage[]): NetworkPlan {
  const weights: Weights = {};
  const thresholds = new Map<string, number[]>();
  for (const st of stages) {
    weights[`${st.id}.weight`] = { shape: [st.out, st.inFeatures], data: Float32Array.from(st.q, (x) => x / st.scale) };
    if (st.hasBias) weights[`${st.id}.bias`] = { shape: [st.out], data: Float32Array.from(st.leak, (x) => x / st.scale) };
    thresholds.set(
      st.neuron.id,
      Array.from(st.alpha, (a) => a / st.scale),
    );
  }
  for (const layer of plan.layers) {
    if (layer.kind !== "neuron") continue;
    for (const name of layer.learn) {
      weights[`${layer.id}.${name}`] = {
        shape: [layer.size],
        data:
          name === "threshold" ? Float32Array.from(thresholds.get(layer.id) ?? []) : Float32Array.from(layer.params[name] as Float32Array),
      };
    }
  }
  const spec = {
    ...plan.spec,
    nodes: plan.spec.nodes.map((node) =>
      node.type === "neuron" && thresholds.has(node.id) && !(node.learn ?? []).includes("threshold")
        ? { ...node, params: { ...(node.params ?? {}), threshold: thresholds.get(node.id) as number[] } }
        : node,
    ),
  };
  return runtime.plan(spec, weights);
}
