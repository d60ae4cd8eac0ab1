/**
 * One definition of "operations", used by every backend, the emulators and the
 * report (DESIGN.md, "Counting operations honestly"). All counts are per
 * sample (one inference) with `timeSteps` stated.
 *
 * - A dense layer fed real values (an ANN layer, or an SNN's first layer under
 *   direct encoding) does multiply-accumulates: MACs = fan_in·fan_out per step
 *   — once per sample when the input is time-invariant and the backend reuses
 *   the product.
 * - A dense layer fed binary spikes does accumulates (synaptic ops):
 *   Σ_t (input spikes at t)·fan_out.
 * - Every neuron is updated at every step: neurons·T (a leak costs work even
 *   without input).
 * - FLOPs = 2·MACs (multiply + add), bias additions counted separately, as the
 *   paper's 537,600 FLOPs for 784-256-256-10 does.
 */
import type { NetworkSpec } from "./spec.js";
import { specEdges } from "./spec.js";

/** Operations of one dense layer, per sample. */
export interface DenseLayerOps {
  readonly nodeId: string;
  readonly fanIn: number;
  readonly fanOut: number;
  /** `real`: multiply-accumulates; `spikes`: accumulates triggered by events. */
  readonly input: "real" | "spikes";
  readonly macs: number;
  readonly accumulates: number;
  readonly biasAdds: number;
  /** Input events per sample counted (spike layers); fan_in·T when counting the dense upper bound. */
  readonly inputEvents: number;
}

/** Operation counts of a network, per sample. */
export interface OpCounts {
  readonly timeSteps: number;
  readonly macs: number;
  /** Synaptic accumulates (SOPs) triggered by spikes. */
  readonly accumulates: number;
  /** 2·MACs. */
  readonly flops: number;
  readonly biasAdds: number;
  readonly neuronUpdates: number;
  readonly layers: readonly DenseLayerOps[];
}

/** What {@link countOps} needs beyond the spec. */
export interface OpCountContext {
  /** Dynamics of a registered neuron model. */
  dynamicsOf(model: string): "spiking" | "rate";
  /** Properties of the spec's encoder. */
  readonly encoder: { readonly timeInvariant: boolean; readonly emitsSpikes: boolean };
  /**
   * Measured input events per sample (summed over steps) for each dense layer
   * fed by spikes, keyed by the dense node id. Missing layers are counted at
   * the dense upper bound (every input spikes at every step).
   */
  readonly inputEvents?: Readonly<Record<string, number>>;
  /** The backend computes a time-invariant first layer once per sample (default true). */
  readonly reuseTimeInvariantInput?: boolean;
}

/** MACs of a dense layer: fan_in·fan_out. */
export const denseMacs = (fanIn: number, fanOut: number): number => fanIn * fanOut;

/** Counts operations per sample for `spec` (assumed valid). */
export function countOps(spec: NetworkSpec, context: OpCountContext): OpCounts {
  const T = spec.timeSteps;
  const byId = new Map(spec.nodes.map((n) => [n.id, n]));
  const source = new Map(specEdges(spec).map(([from, to]) => [to, from]));
  const layers: DenseLayerOps[] = [];
  let neuronUpdates = 0;
  for (const node of spec.nodes) {
    if (node.type === "neuron") {
      neuronUpdates += node.size * T;
      continue;
    }
    if (node.type !== "dense") continue;
    const from = byId.get(source.get(node.id) ?? "");
    let input: "real" | "spikes" = "real";
    let repeats = T;
    if (from?.type === "input") {
      if (context.encoder.emitsSpikes) input = "spikes";
      else if (context.encoder.timeInvariant && context.reuseTimeInvariantInput !== false) repeats = 1;
    } else if (from?.type === "neuron" && context.dynamicsOf(from.model) === "spiking") {
      input = "spikes";
    }
    const fanIn = node.inFeatures;
    const fanOut = node.outFeatures;
    const bias = node.bias !== false ? fanOut : 0;
    if (input === "real") {
      layers.push({
        nodeId: node.id,
        fanIn,
        fanOut,
        input,
        macs: denseMacs(fanIn, fanOut) * repeats,
        accumulates: 0,
        biasAdds: bias * repeats,
        inputEvents: fanIn * repeats,
      });
    } else {
      const events = context.inputEvents?.[node.id] ?? fanIn * T;
      layers.push({
        nodeId: node.id,
        fanIn,
        fanOut,
        input,
        macs: 0,
        accumulates: events * fanOut,
        biasAdds: bias * T,
        inputEvents: events,
      });
    }
  }
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  return {
    timeSteps: T,
    macs,
    accumulates: layers.reduce((s, l) => s + l.accumulates, 0),
    flops: 2 * macs,
    biasAdds: layers.reduce((s, l) => s + l.biasAdds, 0),
    neuronUpdates,
    layers,
  };
}
