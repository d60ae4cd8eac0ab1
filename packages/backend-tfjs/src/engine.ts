/**
 * Engines run the executor's unit of work — a training step (forward, loss,
 * backward) or an evaluation forward pass — either in this thread
 * ({@link LocalEngine}) or split across worker threads (`parallel.ts`).
 * Both return the same shapes, so the trainer and `evaluate` do not care.
 */
import { countCorrect, createRandom, outputScores, type RandomSource, UnsupportedError } from "@neurobridge/core";
import type { ChainExecutor, ExecutorForward, ParamArrays } from "./executor.js";

/** Which loss, with its parameters and what it reads. */
export interface LossConfig {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly reads: "logits" | "spike-counts" | "membrane";
}

/** Result of a training step on a batch (or a shard of one). */
export interface TrainStepResult {
  /** Loss contribution: the batch-mean loss once shards are summed. */
  readonly loss: number;
  readonly correct: number;
  /**
   * Gradients of the batch-mean loss (shards sum to the batch's). An engine
   * may reuse these arrays for its next step: read or update them before then.
   */
  readonly grads: ParamArrays;
}

/** Activity of one layer over a set of samples. */
export interface LayerSummary {
  readonly id: string;
  readonly size: number;
  readonly temporal: boolean;
  /** Events per step, summed over samples and neurons. */
  readonly perStep: Float64Array;
  /** 1 for neurons that had an event on any sample. */
  readonly everActive: Uint8Array;
}

/** What an evaluation forward pass reports for a set of samples. */
export interface ForwardSummary {
  /** Scores `[count, C]`: spike counts (temporal output) or logits. */
  readonly scores: Float32Array;
  readonly classes: number;
  readonly layers: LayerSummary[];
  /** Non-zero entries of a spiking (temporal) encoded input. */
  readonly inputSpikes: number;
}

/**
 * Runs work units for one spec. `summarize` calls may overlap (evaluation
 * keeps the next batch queued while one runs); an engine runs them one
 * after another, in call order. `trainStep` calls do not overlap.
 */
export interface Engine {
  readonly name: string;
  readonly workers: number;
  /** Which implementation runs each neuron layer (as the executors report it). */
  readonly implementations: Readonly<Record<string, string>>;
  trainStep(params: ParamArrays, inputs: Float32Array, labels: Uint8Array, loss: LossConfig, rngLabel: string): Promise<TrainStepResult>;
  summarize(params: ParamArrays, inputs: Float32Array, batch: number, rngLabel: string): Promise<ForwardSummary>;
  dispose(): Promise<void>;
}

/** Summarises one forward pass (scores and per-layer activity). */
export function summarizeForward(forward: ExecutorForward, timeSteps: number): ForwardSummary {
  const batch = forward.batch;
  const out = forward.output;
  const scores = Float32Array.from(outputScores(out, timeSteps, batch));
  let inputSpikes = 0;
  if (forward.input.temporal) for (const v of forward.input.data) if (v !== 0) inputSpikes++;
  const layers = forward.layers.map((layer) => {
    if (layer.counts) return { id: layer.id, size: layer.size, temporal: layer.output.temporal, ...layer.counts };
    const steps = layer.output.temporal ? timeSteps : 1;
    const N = layer.size;
    const data = layer.output.data;
    const perStep = new Float64Array(steps);
    const everActive = new Uint8Array(N);
    for (let t = 0; t < steps; t++) {
      let events = 0;
      for (let b = 0; b < batch; b++) {
        const off = (t * batch + b) * N;
        for (let n = 0; n < N; n++) {
          if ((data[off + n] as number) !== 0) {
            events++;
            everActive[n] = 1;
          }
        }
      }
      perStep[t] = events;
    }
    return { id: layer.id, size: N, temporal: layer.output.temporal, perStep, everActive };
  });
  return { scores, classes: out.cols, layers, inputSpikes };
}

/** Concatenates shard summaries (in sample order) into one. */
export function mergeSummaries(parts: readonly ForwardSummary[]): ForwardSummary {
  const first = parts[0] as ForwardSummary;
  const scores = new Float32Array(parts.reduce((s, p) => s + p.scores.length, 0));
  let at = 0;
  for (const p of parts) {
    scores.set(p.scores, at);
    at += p.scores.length;
  }
  const layers = first.layers.map((l, i) => {
    const perStep = new Float64Array(l.perStep.length);
    const everActive = new Uint8Array(l.size);
    for (const p of parts) {
      const pl = p.layers[i] as LayerSummary;
      pl.perStep.forEach((v, t) => {
        perStep[t] = (perStep[t] as number) + v;
      });
      pl.everActive.forEach((v, n) => {
        if (v) everActive[n] = 1;
      });
    }
    return { ...l, perStep, everActive };
  });
  return { scores, classes: first.classes, layers, inputSpikes: parts.reduce((s, p) => s + p.inputSpikes, 0) };
}

/**
 * One training step on an executor: forward, loss (averaged over `meanOver`
 * samples, so shards of one batch sum to its mean), backward.
 */
export async function executorTrainStep(
  executor: ChainExecutor,
  params: ParamArrays,
  inputs: Float32Array,
  labels: Uint8Array,
  loss: LossConfig,
  rng: RandomSource,
  meanOver: number,
): Promise<TrainStepResult> {
  const batch = labels.length;
  const spec = executor.runtime.loss(loss.name);
  const plan = executor.plan;
  const readsMembrane = spec.reads === "membrane";
  // Transient: the step reads everything before the next forward, and returns only the loss and the gradients.
  const forward = await executor.forward(params, inputs, batch, rng, { keepMembrane: readsMembrane, transient: true });
  const output = forward.output;
  if ((spec.reads === "logits") === output.temporal) {
    throw new UnsupportedError(
      `loss '${spec.name}' reads ${spec.reads}, which this network's ${output.temporal ? "per-step (spiking)" : "static"} output does not have; ` +
        `losses for it: ${executor.runtime
          .registry("loss")
          .list()
          .filter((l) => (l.value.reads === "logits") !== output.temporal)
          .map((l) => l.name)
          .join(", ")}`,
    );
  }
  const last = plan.layers.at(-1);
  const membrane = readsMembrane ? forward.layers.at(-1)?.membrane : undefined;
  // Only a kernel back-propagates a gradient on the membrane (the generic path records it, for traces, but cannot train on it).
  if (readsMembrane && !(membrane && last?.kind === "neuron" && executor.trainsOutputMembrane)) {
    throw new UnsupportedError(
      `loss '${spec.name}' reads the output layer's membrane; ${last?.kind === "neuron" ? `'${last.id}' (model '${last.model.name}') runs on its generic step, which exposes none — use a model with a sequence kernel` : "the network ends in a dense layer"}, or a loss that reads spikes (ce_rate, ce_count, mse_count)`,
    );
  }
  const lossStart = performance.now();
  const result = spec.compute({
    output,
    labels,
    batch,
    timeSteps: plan.timeSteps,
    meanOver,
    params: loss.params as Record<string, number>,
    ...(membrane ? { membrane } : {}),
  });
  executor.profile?.add("loss", performance.now() - lossStart);
  const grads = await executor.backward(forward, result.grad, result.dMembrane);
  return { loss: result.loss, correct: countCorrect(output, labels, plan.timeSteps, batch), grads };
}

/** Runs everything in this thread. */
export class LocalEngine implements Engine {
  readonly workers = 1;
  readonly name: string;
  /** The last queued summary: the executor's kernels hand out scratch views, so passes must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly executor: ChainExecutor,
    private readonly seed: number,
    gemmName: string,
  ) {
    this.name = `local (${gemmName})`;
  }

  get implementations() {
    return this.executor.implementations;
  }

  trainStep(params: ParamArrays, inputs: Float32Array, labels: Uint8Array, loss: LossConfig, rngLabel: string): Promise<TrainStepResult> {
    return executorTrainStep(this.executor, params, inputs, labels, loss, createRandom(this.seed).fork(rngLabel), labels.length);
  }

  summarize(params: ParamArrays, inputs: Float32Array, batch: number, rngLabel: string): Promise<ForwardSummary> {
    const run = async () => {
      const forward = await this.executor.forward(params, inputs, batch, createRandom(this.seed).fork(rngLabel), {
        inference: true,
        transient: true,
      });
      return summarizeForward(forward, this.executor.plan.timeSteps);
    };
    const next = this.queue.then(run, run);
    this.queue = next;
    return next;
  }

  async dispose(): Promise<void> {}
}
