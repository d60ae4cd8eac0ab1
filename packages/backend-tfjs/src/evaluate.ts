/**
 * Evaluation over a dataset: accuracy, throughput, per-layer activity
 * (events per sample and per step, silent neuron-steps, neurons that never
 * fire) and operation counts under core's definitions, with the measured
 * spike counts giving the effective synaptic operations.
 */
import type { Dataset, LayerActivity, OpCounts, RandomSource, Runtime } from "@neurobridge/core";
import type { ChainExecutor, ParamArrays } from "./executor.js";
import { countCorrect, spikeCounts } from "./losses.js";

/** Result of {@link evaluate}. */
export interface Evaluation {
  readonly accuracy: number;
  readonly count: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly activity: LayerActivity[];
  /** Operations per sample, effective (measured spikes). */
  readonly ops: OpCounts;
  /** Predicted class per sample. */
  readonly predictions: Uint8Array;
  /** Output per sample `[count, C]`: spike counts (SNN) or logits (ANN). */
  readonly outputs: Float32Array;
}

interface Accumulator {
  id: string;
  size: number;
  temporal: boolean;
  events: number;
  perStep: Float64Array;
  everActive: Uint8Array;
}

/** Runs `executor` over `dataset` in batches and aggregates everything. */
export async function evaluate(
  runtime: Runtime,
  executor: ChainExecutor,
  params: ParamArrays,
  dataset: Dataset,
  options: { batchSize?: number; rng: RandomSource },
): Promise<Evaluation> {
  const T = executor.spec.timeSteps;
  const batchSize = options.batchSize ?? 500;
  const f = dataset.features;
  const acc = new Map<string, Accumulator>();
  const predictions = new Uint8Array(dataset.count);
  let outputs: Float32Array | undefined;
  let correct = 0;
  let inputSpikes = 0;
  const start = performance.now();
  for (let s = 0; s < dataset.count; s += batchSize) {
    const batch = Math.min(batchSize, dataset.count - s);
    const forward = await executor.forward(params, dataset.inputs.subarray(s * f, (s + batch) * f), batch, options.rng);
    const out = forward.output;
    if (forward.input.temporal) for (const v of forward.input.data) if (v !== 0) inputSpikes++;
    correct += countCorrect(out, dataset.labels.subarray(s, s + batch), T, batch);
    const scores = out.temporal ? spikeCounts(out, T, batch) : out.data;
    outputs ??= new Float32Array(dataset.count * out.cols);
    outputs.set(scores, s * out.cols);
    for (let b = 0; b < batch; b++) {
      let best = 0;
      for (let j = 1; j < out.cols; j++) if ((scores[b * out.cols + j] as number) > (scores[b * out.cols + best] as number)) best = j;
      predictions[s + b] = best;
    }
    for (const layer of forward.layers) {
      let a = acc.get(layer.id);
      const steps = layer.output.temporal ? T : 1;
      if (!a) {
        a = {
          id: layer.id,
          size: layer.size,
          temporal: layer.output.temporal,
          events: 0,
          perStep: new Float64Array(steps),
          everActive: new Uint8Array(layer.size),
        };
        acc.set(layer.id, a);
      }
      const data = layer.output.data;
      const N = layer.size;
      for (let t = 0; t < steps; t++) {
        let stepEvents = 0;
        for (let b = 0; b < batch; b++) {
          const off = (t * batch + b) * N;
          for (let n = 0; n < N; n++) {
            if ((data[off + n] as number) !== 0) {
              stepEvents++;
              a.everActive[n] = 1;
            }
          }
        }
        a.perStep[t] = (a.perStep[t] as number) + stepEvents;
        a.events += stepEvents;
      }
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const activity: LayerActivity[] = [...acc.values()].map((a) => {
    const steps = a.perStep.length;
    return {
      nodeId: a.id,
      size: a.size,
      eventsPerSample: a.events / dataset.count,
      eventsPerStep: Float32Array.from(a.perStep),
      silentFraction: 1 - a.events / (dataset.count * steps * a.size),
      neverActiveFraction: 1 - a.everActive.reduce((s, v) => s + v, 0) / a.size,
    };
  });
  // Input events of each dense layer = events of the neuron layer feeding it.
  const inputEvents: Record<string, number> = {};
  const layers = executor.layers;
  if (layers[0]?.kind === "dense" && inputSpikes > 0) inputEvents[layers[0].id] = inputSpikes / dataset.count;
  for (let i = 1; i < layers.length; i++) {
    const layer = layers[i];
    const prev = layers[i - 1];
    if (layer?.kind === "dense" && prev && prev.kind !== "dense") {
      const a = acc.get(prev.id);
      if (a?.temporal) inputEvents[layer.id] = a.events / dataset.count;
    }
  }
  return {
    accuracy: correct / dataset.count,
    count: dataset.count,
    seconds,
    samplesPerSecond: dataset.count / seconds,
    activity,
    ops: runtime.countOps(executor.spec, inputEvents),
    predictions,
    outputs: outputs ?? new Float32Array(0),
  };
}
