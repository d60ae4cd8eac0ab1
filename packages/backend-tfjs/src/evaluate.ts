/**
 * Evaluation over a dataset: accuracy, throughput, per-layer activity
 * (events per sample and per step, silent neuron-steps, neurons that never
 * fire) and operation counts under core's definitions, with the measured
 * spike counts giving the effective synaptic operations.
 */
import { argmax, type Dataset, type LayerActivity, type NetworkSpec, type OpCounts, type Runtime, specEdges } from "@neurobridge/core";
import { type Engine, type ForwardSummary, mergeSummaries } from "./engine.js";
import type { ParamArrays } from "./executor.js";

/** Result of {@link evaluate}. */
export interface Evaluation {
  readonly accuracy: number;
  readonly count: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly activity: LayerActivity[];
  /** Operations per sample, effective (measured spikes). */
  readonly ops: OpCounts;
  /** Predicted class per sample (argmax of spike counts or logits; first on ties). */
  readonly predictions: Uint8Array;
  /** Output per sample `[count, C]`: spike counts (SNN) or logits (ANN). */
  readonly outputs: Float32Array;
}

/** Turns a summary of `count` samples into activity records and effective op counts. */
export function activityAndOps(
  runtime: Runtime,
  spec: NetworkSpec,
  summary: ForwardSummary,
  count: number,
): { activity: LayerActivity[]; ops: OpCounts } {
  const activity: LayerActivity[] = summary.layers.map((l) => {
    const events = l.perStep.reduce((s, v) => s + v, 0);
    return {
      nodeId: l.id,
      size: l.size,
      eventsPerSample: events / count,
      eventsPerStep: Float32Array.from(l.perStep),
      silentFraction: 1 - events / (count * l.perStep.length * l.size),
      neverActiveFraction: 1 - l.everActive.reduce((s, v) => s + v, 0) / l.size,
    };
  });
  const byId = new Map(summary.layers.map((l) => [l.id, l]));
  const inputEvents: Record<string, number> = {};
  for (const [from, to] of specEdges(spec)) {
    const target = spec.nodes.find((n) => n.id === to);
    if (target?.type !== "dense") continue;
    const source = spec.nodes.find((n) => n.id === from);
    if (source?.type === "input" && summary.inputSpikes > 0) inputEvents[to] = summary.inputSpikes / count;
    const layer = byId.get(from);
    if (layer?.temporal) inputEvents[to] = layer.perStep.reduce((s, v) => s + v, 0) / count;
  }
  return { activity, ops: runtime.countOps(spec, inputEvents) };
}

/** Runs `engine` over `dataset` in batches and aggregates everything. */
export async function evaluate(
  runtime: Runtime,
  spec: NetworkSpec,
  engine: Engine,
  params: ParamArrays,
  dataset: Dataset,
  options: { batchSize?: number; rngLabel?: string } = {},
): Promise<Evaluation> {
  // 256 measured fastest: larger batches spill each layer's spike array out of cache.
  const batchSize = options.batchSize ?? 256;
  const f = dataset.features;
  const parts: ForwardSummary[] = [];
  const start = performance.now();
  for (let s = 0, k = 0; s < dataset.count; s += batchSize, k++) {
    const batch = Math.min(batchSize, dataset.count - s);
    parts.push(
      await engine.summarize(params, dataset.inputs.subarray(s * f, (s + batch) * f), batch, `${options.rngLabel ?? "eval"}-${k}`),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  const summary = mergeSummaries(parts);
  const C = summary.classes;
  const predictions = new Uint8Array(dataset.count);
  let correct = 0;
  for (let i = 0; i < dataset.count; i++) {
    predictions[i] = argmax(summary.scores, i * C, C);
    if (predictions[i] === dataset.labels[i]) correct++;
  }
  return {
    accuracy: correct / dataset.count,
    count: dataset.count,
    seconds,
    samplesPerSecond: dataset.count / seconds,
    ...activityAndOps(runtime, spec, summary, dataset.count),
    predictions,
    outputs: summary.scores,
  };
}
