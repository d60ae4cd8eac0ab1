/**
 * Constraint-aware training for TrueNorth (after Esser et al., PNAS 2016:
 * trinary weights, grouped inputs): what a network must be so that the
 * mapper can place it, enforced while it trains.
 *
 * - Each dense layer's neurons are split into contiguous groups; group g sees
 *   only its own subset of the inputs (a seeded random partition, ≤ `fanIn`
 *   inputs), so a neuron's inputs × weight signs fit a core's 256 axons and
 *   neighbouring neurons share axons (one core per group).
 * - Weights are ternary per neuron: −a_j, 0, +a_j with Δ_j = 0.7·mean|w| and
 *   a_j the mean magnitude above Δ_j (Li & Liu's ternary weight networks);
 *   training sees them through a straight-through estimator.
 * - Neuron parameters take the values the model's TrueNorth mapping requires
 *   (LIF: β = 1), and input becomes spikes (rate coding) when it was graded.
 */
import {
  createRandom,
  type NetworkPlan,
  type NetworkSpec,
  NeuroBridgeError,
  type Runtime,
  type TrainingPreparation,
  type WeightConstraint,
} from "@neurobridge/core";
import { trueNorthLimits, trueNorthMappingOf } from "./map.js";

/** Options of {@link prepareTrueNorthTraining}. */
export interface TrueNorthTrainingOptions {
  /** Inputs per neuron (default 128: with both signs, 256 axons). */
  readonly fanIn?: number;
  /** Seeds the input partition. */
  readonly seed?: number;
}

/** Ternary weights per row through a fixed mask. */
export function ternaryMasked(raw: Float32Array, mask: Uint8Array, out: number, inF: number): Float32Array {
  const w = new Float32Array(raw.length);
  for (let j = 0; j < out; j++) {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < inF; i++) {
      if (!mask[j * inF + i]) continue;
      sum += Math.abs(raw[j * inF + i] as number);
      n++;
    }
    const delta = n ? (0.7 * sum) / n : 0;
    let big = 0;
    let count = 0;
    for (let i = 0; i < inF; i++) {
      const x = Math.abs(raw[j * inF + i] as number);
      if (mask[j * inF + i] && x > delta) {
        big += x;
        count++;
      }
    }
    const a = count ? big / count : 0;
    for (let i = 0; i < inF; i++) {
      const k = j * inF + i;
      const x = raw[k] as number;
      if (mask[k] && Math.abs(x) > delta) w[k] = x > 0 ? a : -a;
    }
  }
  return w;
}

/** The grouped fan-in mask of a dense layer `[out, in]`: contiguous neuron groups, each on its own input subset. */
export function groupedMask(out: number, inF: number, fanIn: number, seed: number, layer: string): Uint8Array {
  const groups = Math.max(1, Math.ceil(inF / fanIn));
  const order = createRandom(seed).fork(`truenorth-groups-${layer}`).permutation(inF);
  const size = Math.ceil(inF / groups);
  const mask = new Uint8Array(out * inF);
  for (let j = 0; j < out; j++) {
    const g = Math.min(groups - 1, Math.floor((j * groups) / out));
    for (let k = g * size; k < Math.min(inF, (g + 1) * size); k++) mask[j * inF + (order[k] as number)] = 1;
  }
  return mask;
}

/** The weight constraints of `plan`'s dense layers. */
export function trueNorthConstraints(plan: NetworkPlan, options: TrueNorthTrainingOptions = {}): WeightConstraint[] {
  const fanIn = options.fanIn ?? trueNorthLimits().axonsPerCore / 2;
  const seed = options.seed ?? 0;
  return plan.layers.flatMap((layer) => {
    if (layer.kind !== "dense") return [];
    const mask = groupedMask(layer.outFeatures, layer.inFeatures, fanIn, seed, layer.id);
    return [
      {
        layer: layer.id,
        description: `TrueNorth: ternary weights per neuron, ≤ ${fanIn} inputs per neuron (${Math.ceil(layer.inFeatures / fanIn)} input groups)`,
        mask,
        apply: (raw: Float32Array, out: number, inF: number) => ternaryMasked(raw, mask, out, inF),
      },
    ];
  });
}

/** What training for TrueNorth changes in `spec`, and its weight constraints. */
export function prepareTrueNorthTraining(runtime: Runtime, spec: NetworkSpec, options: TrueNorthTrainingOptions = {}): TrainingPreparation {
  const fanIn = options.fanIn ?? trueNorthLimits().axonsPerCore / 2;
  if (!(Number.isInteger(fanIn) && fanIn >= 1 && 2 * fanIn <= trueNorthLimits().axonsPerCore)) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `fanIn: must be an integer 1…${trueNorthLimits().axonsPerCore / 2} (two axons per input, one per sign), got ${fanIn}`,
    );
  }
  const plan = runtime.plan(spec);
  const notes: string[] = [];
  const nodes = spec.nodes.map((node) => {
    if (node.type !== "neuron") return node;
    const layer = plan.layers.find((l) => l.id === node.id);
    if (layer?.kind !== "neuron") return node;
    const found = trueNorthMappingOf(runtime, layer);
    if ("reason" in found) throw new NeuroBridgeError("TARGET_UNSUPPORTED", found.reason);
    const required = found.mapping.requiredParams ?? {};
    const changed = Object.entries(required).filter(([name, value]) => node.params?.[name] !== value);
    if (changed.length) notes.push(`${node.id}: ${changed.map(([n, v]) => `${n} = ${v}`).join(", ")} (TrueNorth's neuron requires it)`);
    return changed.length ? { ...node, params: { ...(node.params ?? {}), ...required } } : node;
  });
  const encoder = runtime.encoder(spec.encoder.name);
  const spikes = encoder.emitsSpikes;
  if (!spikes) notes.push(`encoder: rate instead of '${spec.encoder.name}' (TrueNorth takes spikes only)`);
  const prepared: NetworkSpec = { ...spec, nodes, ...(spikes ? {} : { encoder: { name: "rate" } }) };
  notes.push(`weights: ternary per neuron, ≤ ${fanIn} inputs per neuron (grouped fan-in), trained through a straight-through estimator`);
  return {
    spec: prepared,
    notes,
    constraints: (p) => trueNorthConstraints(p, { fanIn, ...(options.seed !== undefined ? { seed: options.seed } : {}) }),
  };
}
