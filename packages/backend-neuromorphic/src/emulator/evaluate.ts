/**
 * An emulator over a labelled dataset, in batches (the off-chip layer runs
 * once per batch): accuracy, throughput and the run's merged counters.
 */
import { accuracyOf, type Dataset, predictClasses, type RandomSource } from "@neurobridge/core";
import { addCounters, type EmulatorCounters } from "./counters.js";
import type { ChipEmulator } from "./event-emulator.js";

/** Result of {@link evaluateEmulator}. */
export interface EmulatorEvaluation {
  readonly accuracy: number;
  readonly count: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  /** Output spike counts `[count, classes]`. */
  readonly scores: Float32Array;
  /** Counters summed over every batch. */
  readonly counters: EmulatorCounters;
  /** Threads that emulated at least one batch (the main thread included); 1 when serial. */
  readonly threads: number;
}

/** Runs `emulator` over `data`; `rngFor(offset)` feeds stochastic encoders per batch. */
export async function evaluateEmulator(
  emulator: ChipEmulator,
  data: Dataset,
  rngFor: (offset: number) => RandomSource,
  batchSize = 256,
  onProgress?: (done: number, total: number) => void,
): Promise<EmulatorEvaluation> {
  const F = data.features;
  const C = emulator.plan.chain.outputSize;
  const scores = new Float32Array(data.count * C);
  let counters: EmulatorCounters | undefined;
  const start = performance.now();
  for (let s = 0; s < data.count; s += batchSize) {
    const batch = Math.min(batchSize, data.count - s);
    const run = await emulator.run(data.inputs.subarray(s * F, (s + batch) * F), batch, rngFor(s));
    scores.set(run.scores, s * C);
    if (counters) addCounters(counters, run.counters);
    else counters = run.counters;
    onProgress?.(s + batch, data.count);
  }
  return evaluationOf(data, scores, C, performance.now() - start, counters as EmulatorCounters, 1);
}

/** An {@link EmulatorEvaluation} from a finished run's scores and counters (`ms` of wall time). */
export function evaluationOf(
  data: Dataset,
  scores: Float32Array,
  classes: number,
  ms: number,
  counters: EmulatorCounters,
  threads: number,
): EmulatorEvaluation {
  const seconds = ms / 1000;
  return {
    accuracy: accuracyOf(predictClasses(scores, classes), data.labels),
    count: data.count,
    seconds,
    samplesPerSecond: data.count / seconds,
    scores,
    counters,
    threads,
  };
}
