/**
 * Sections 5–6: training the FFNN and the SNN on MNIST and measuring them —
 * loss and accuracy per epoch, test accuracy, activity and operation counts.
 * Training checkpoints into a folder, so an interrupted pipeline resumes the
 * run where it stopped.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadCheckpoint, type TfjsBackend } from "@neurobridge/backend-tfjs";
import { type Dataset, type EpochRecord, initWeights, type OpCounts, type Runtime, type TrainingProgress } from "@neurobridge/core";
import { type PaperModel, paperNetwork } from "../networks.js";

/** Config of {@link trainExperiment}. */
export interface TrainConfig {
  readonly model: PaperModel;
  readonly epochs: number;
  readonly timeSteps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Training images used (60,000 = all). */
  readonly trainCount: number;
  /** Test images used (10,000 = all). */
  readonly testCount: number;
  /** Learning-rate schedule (see the trainer); `constant` is the paper's. */
  readonly lrSchedule: "constant" | "cosine";
}

/** Activity of one layer, JSON-friendly. */
export interface ActivityRecord {
  readonly nodeId: string;
  readonly size: number;
  readonly eventsPerSample: number;
  readonly eventsPerStep: number[];
  readonly silentFraction: number;
  readonly neverActiveFraction: number;
}

/** Result of a training experiment. */
export interface TrainResult {
  readonly config: TrainConfig;
  readonly history: EpochRecord[];
  readonly testAccuracy: number;
  readonly secondsPerEpoch: number;
  readonly inferenceSamplesPerSecond: number;
  readonly workers: number;
  readonly activity: ActivityRecord[];
  readonly ops: OpCounts;
  readonly parameters: number;
}

/** Trains (or resumes) `config.model` and evaluates it on the test images. */
export async function trainExperiment(
  runtime: Runtime,
  backend: TfjsBackend,
  data: { train: Dataset; test: Dataset },
  config: TrainConfig,
  options: { checkpointDir: string; onProgress?: (p: TrainingProgress) => void; signal?: AbortSignal },
): Promise<TrainResult> {
  const spec = runtime.validateSpec(paperNetwork(config.model, { timeSteps: config.timeSteps }));
  const resume = existsSync(join(options.checkpointDir, "training.json")) ? loadCheckpoint(options.checkpointDir, runtime) : undefined;
  const weights = resume ? resume.weights : initWeights(spec, runtime.random(`init-${config.model}-${config.seed}`), runtime);
  const workers = resume?.progress?.config.workers as number | undefined;
  const trainer = await backend.trainerWithSeed(spec, weights, config.seed, { model: config.model }, workers);
  try {
    if (resume?.progress) trainer.restore(resume);
    const fit = await trainer.fit({
      train: data.train,
      test: data.test,
      epochs: config.epochs,
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      lrSchedule: config.lrSchedule,
      loss: config.model === "ffnn" ? "softmax_ce" : "ce_rate",
      checkpointDir: options.checkpointDir,
      checkpointEvery: 100,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (fit.status === "aborted") throw new Error("interrupted");
    const ev = await trainer.evaluate(data.test);
    const history = [...fit.history];
    return {
      config,
      history,
      testAccuracy: ev.accuracy,
      secondsPerEpoch: history.reduce((s, h) => s + h.seconds, 0) / Math.max(1, history.length),
      inferenceSamplesPerSecond: ev.samplesPerSecond,
      workers: trainer.workers,
      activity: ev.activity.map((a) => ({ ...a, eventsPerStep: Array.from(a.eventsPerStep) })),
      ops: ev.ops,
      parameters: Object.values(weights).reduce((s, t) => s + t.data.length, 0),
    };
  } finally {
    trainer.dispose();
  }
}
