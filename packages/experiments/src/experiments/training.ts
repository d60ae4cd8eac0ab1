/**
 * Sections 5–6: training the FFNN and the SNN on MNIST and measuring them —
 * loss and accuracy per epoch, test accuracy, activity and operation counts.
 * The one place that trains and evaluates: `neurobridge train` / `eval` and
 * the paper pipeline all call these functions, so defaults (loss, init,
 * seeds), resume rules and JSON keys are decided here once.
 *
 * Training checkpoints into a folder, so an interrupted run resumes where it
 * stopped, with the settings it started with.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type Dataset,
  defaultLoss,
  type EpochRecord,
  type Evaluation,
  type FitResult,
  type ImplementationReport,
  initWeights,
  type LayerActivity,
  type NetworkSpec,
  NeuroBridgeError,
  type OpCounts,
  type Runtime,
  subset,
  type Trainer,
  type TrainingPreparation,
  type TrainingProgress,
} from "@neurobridge/core";
import { loadCheckpoint, lockFolder } from "@neurobridge/core/node";
import { checkpointNormalization, loadMnist, type MnistNormalization } from "@neurobridge/mnist";
import { type PaperModel, type PaperNetworkOptions, paperNetwork } from "@neurobridge/neurons-lif";
import { valueAt } from "../sweep/grid.js";

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
  /** The network beyond its size and T (neuron model and its parameters, encoder, surrogate …); default the paper's. */
  readonly network?: Omit<PaperNetworkOptions, "timeSteps">;
  /** Plugin modules the network needs (file URLs or package names), for a sweep job run in another process. */
  readonly plugins?: readonly string[];
  /** Registered loss (default: `defaultLoss` of the network). */
  readonly loss?: string;
  readonly lossParams?: Readonly<Record<string, number>>;
  /** Pixel scaling (default `unit`). */
  readonly normalization?: MnistNormalization;
  /** Worker threads (default: the backend's choice). */
  readonly workers?: number;
  /** Backend that trains (default `tfjs`). */
  readonly backend?: string;
  /**
   * A target chip to train for (constraint-aware training: its backend's
   * `prepareTraining` adapts the network and constrains the weights so that
   * the trained network deploys on it), e.g. `truenorth`.
   */
  readonly target?: string;
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
  /** `aborted` when the signal stopped it (the checkpoint holds what was done); `stopped` when early stopping ended it. */
  readonly status: FitResult["status"];
  readonly history: EpochRecord[];
  readonly testAccuracy: number;
  readonly trainAccuracy: number;
  readonly secondsPerEpoch: number;
  readonly inferenceSamplesPerSecond: number;
  readonly workers: number;
  /** Which implementation trained each neuron layer (registered kernel or generic step). */
  readonly implementations: ImplementationReport;
  readonly warnings: readonly string[];
  readonly loss: string;
  readonly activity: ActivityRecord[];
  readonly ops: OpCounts;
  readonly parameters: number;
}

/** Activity as JSON (typed arrays to plain arrays). */
export const activityJson = (activity: readonly LayerActivity[]): ActivityRecord[] =>
  activity.map((a) => ({ ...a, eventsPerStep: Array.from(a.eventsPerStep) }));

/**
 * `loadMnist`'s `limit` for a caller that keeps the first `n` images: only
 * those are scaled. A count that is not a positive integer loads every image,
 * so the caller's own range check names what is wrong and what is accepted.
 */
export const firstImages = (n: number | undefined): { limit?: number } =>
  n !== undefined && Number.isInteger(n) && n > 0 ? { limit: n } : {};

/** MNIST as the experiments use it: the first `trainCount` / `testCount` images, scaled by `normalization`. */
export function loadPaperData(o: { trainCount?: number; testCount?: number; normalization?: MnistNormalization } = {}): {
  train: Dataset;
  test: Dataset;
} {
  // Scale only the images kept (a quick run keeps 4,000 of 60,000); `subset` then checks the count and says what is accepted.
  const train = loadMnist("train", { normalization: o.normalization ?? "unit", ...firstImages(o.trainCount) });
  const test = loadMnist("test", { normalization: o.normalization ?? "unit", ...firstImages(o.testCount) });
  return {
    train: o.trainCount !== undefined ? subset(train, o.trainCount, "--subset (training images)") : train,
    test: o.testCount !== undefined ? subset(test, o.testCount, "--subset (test images)") : test,
  };
}

/** Options of {@link trainExperiment}. */
export interface TrainOptions {
  readonly checkpointDir: string;
  /** Continue the run checkpointed in `checkpointDir` (its settings win); default true. */
  readonly resume?: boolean;
  /** With `resume` false: start over even though `checkpointDir` holds a checkpoint (it is replaced). */
  readonly force?: boolean;
  readonly checkpointEvery?: number;
  readonly onProgress?: (p: TrainingProgress) => void;
  /** Called once the trainer exists (e.g. to report its workers before the first epoch). */
  readonly onStart?: (trainer: Trainer) => void;
  readonly signal?: AbortSignal;
  /** Data to use instead of loading MNIST (tests, other datasets). */
  readonly data?: { train: Dataset; test: Dataset };
  /**
   * Fine-tuning: a new run starts from this checkpoint folder's network and
   * weights (with a fresh optimiser) instead of fresh weights — e.g. an SNN
   * converted from an FFNN (`neurobridge convert`). Its T is kept unless
   * `timeSteps` is explicit. Ignored when resuming.
   */
  readonly initFrom?: string;
  /**
   * The settings the caller set on purpose, as config paths (`learningRate`,
   * `network.neuron`, …) with the label to name them by (`--lr`). On resume
   * each must equal the checkpoint's, else the run is refused: resuming
   * continues the saved run, it never silently drops a setting.
   */
  readonly explicit?: Readonly<Record<string, string>>;
}

/** The settings a checkpoint was started with, as a config (they win on resume); explicit settings that differ are refused. */
function resumedConfig(
  config: TrainConfig,
  saved: Readonly<Record<string, unknown>> | undefined,
  explicit: Readonly<Record<string, string>> = {},
  dir = "the checkpoint",
): TrainConfig {
  if (!saved) return config;
  const keep = saved.train as TrainConfig | undefined;
  if (!keep) return config;
  const conflicts = Object.entries(explicit).flatMap(([path, label]) => {
    if (path === "epochs") return [];
    const [given, was] = [valueAt(config, path), valueAt(keep, path)];
    return JSON.stringify(given) === JSON.stringify(was)
      ? []
      : [`${label} ${JSON.stringify(given)} (the run in ${dir} uses ${was === undefined ? "its default" : JSON.stringify(was)})`];
  });
  if (conflicts.length) {
    throw new NeuroBridgeError(
      "RESUME_CONFLICT",
      `--resume continues the saved run with its own settings, but these differ: ${conflicts.join("; ")}. Drop them to resume, or start over with --force.`,
    );
  }
  return { ...keep, epochs: config.epochs };
}

/** What training for the target chip `target` requires of `spec` (its backend's constraint-aware preparation). */
async function trainingFor(runtime: Runtime, target: string, spec: NetworkSpec): Promise<TrainingPreparation> {
  const backend = await runtime.backend(target);
  if (!backend.prepareTraining) {
    const able = [];
    for (const b of runtime.list().backends) if ((await runtime.backend(b.name)).prepareTraining) able.push(b.name);
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `--target: '${target}' has no constraint-aware training; targets with it: ${able.join(", ") || "none"}`,
    );
  }
  return backend.prepareTraining(spec);
}

/**
 * Trains (or resumes) the network of `config` on its backend and evaluates it
 * on the test images. The network's plan is built once and used for
 * training and evaluation.
 */
export async function trainExperiment(runtime: Runtime, config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  // One writer per folder: a second run on it is refused while this one holds it.
  const lock = lockFolder(options.checkpointDir, "a training run");
  try {
    return await trainLocked(runtime, config, options);
  } finally {
    lock.release();
  }
}

async function trainLocked(runtime: Runtime, config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const existing = existsSync(join(options.checkpointDir, "training.json"));
  if (existing && options.resume === false && !options.force) {
    throw new NeuroBridgeError(
      "CHECKPOINT_EXISTS",
      `${options.checkpointDir} already holds a checkpoint; continue it with --resume, start over with --force, or choose another folder`,
    );
  }
  const resume = options.resume !== false && existing ? loadCheckpoint(options.checkpointDir, runtime) : undefined;
  const effective = resumedConfig(config, resume?.progress?.config, options.explicit, options.checkpointDir);
  const backend = await runtime.backend(effective.backend ?? "tfjs");
  if (!backend.createTrainer) {
    const trainers = runtime
      .list()
      .backends.filter((b) => (b.capabilities as { train?: boolean }).train)
      .map((b) => b.name);
    throw new NeuroBridgeError("OPTION_INVALID", `backend '${backend.name}' does not train; backends that train: ${trainers.join(", ")}`);
  }
  if (options.initFrom && effective.target && !resume) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `--init starts from ${options.initFrom}'s network as it is; --target ${effective.target} would change that network. Use one of them.`,
    );
  }
  const init = !resume && options.initFrom ? loadCheckpoint(options.initFrom, runtime) : undefined;
  const initSpec = init
    ? { ...init.spec, ...(options.explicit?.timeSteps !== undefined ? { timeSteps: effective.timeSteps } : {}) }
    : undefined;
  const base = initSpec ?? paperNetwork(effective.model, { ...(effective.network ?? {}), timeSteps: effective.timeSteps });
  const preparation = effective.target ? await trainingFor(runtime, effective.target, base) : undefined;
  const spec = resume ? resume.spec : (preparation?.spec ?? base);
  const plan = runtime.plan(spec);
  const weightConstraints = preparation?.constraints(plan);
  const loss = effective.loss ?? defaultLoss(plan);
  const data =
    options.data ??
    loadPaperData({
      trainCount: effective.trainCount,
      testCount: effective.testCount,
      ...(effective.normalization ? { normalization: effective.normalization } : {}),
    });
  const weights = resume
    ? resume.weights
    : init
      ? init.weights
      : initWeights(plan.spec, runtime.random(`init-${effective.model}-${effective.seed}`), runtime);
  // A resumed run keeps its worker count: the shard split is part of the arithmetic.
  const workers = (resume?.progress?.config.workers as number | undefined) ?? effective.workers;
  const trainer = await backend.createTrainer(plan, weights, {
    seed: effective.seed,
    ...(workers !== undefined ? { workers } : {}),
    config: {
      model: effective.model,
      normalization: effective.normalization ?? "unit",
      train: effective,
      ...(options.initFrom && !resume ? { initFrom: options.initFrom } : {}),
    },
  });
  try {
    if (resume?.progress) trainer.restore(resume);
    options.onStart?.(trainer);
    const fit = await trainer.fit({
      train: data.train,
      test: data.test,
      epochs: effective.epochs,
      batchSize: effective.batchSize,
      learningRate: effective.learningRate,
      lrSchedule: effective.lrSchedule,
      loss,
      ...(effective.lossParams ? { lossParams: effective.lossParams } : {}),
      checkpointDir: options.checkpointDir,
      checkpointEvery: options.checkpointEvery ?? 100,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(weightConstraints ? { weightConstraints } : {}),
    });
    const history = [...fit.history];
    const last = history.at(-1);
    const ev = fit.status !== "aborted" ? await trainer.evaluate(data.test) : undefined;
    return {
      config: effective,
      status: fit.status,
      history,
      testAccuracy: ev?.accuracy ?? last?.testAccuracy ?? Number.NaN,
      trainAccuracy: last?.trainAccuracy ?? Number.NaN,
      secondsPerEpoch: history.reduce((s, h) => s + h.seconds, 0) / Math.max(1, history.length),
      inferenceSamplesPerSecond: ev?.samplesPerSecond ?? Number.NaN,
      workers: trainer.workers,
      implementations: trainer.implementations,
      warnings: [
        ...(resume?.warnings ?? []),
        ...(preparation?.notes.map((n) => `for ${effective.target}: ${n}`) ?? []),
        ...trainer.warnings,
      ],
      loss,
      activity: ev ? activityJson(ev.activity) : [],
      ops: ev?.ops ?? runtime.countOps(plan),
      parameters: Object.values(weights).reduce((s, t) => s + t.data.length, 0),
    };
  } finally {
    await trainer.dispose();
  }
}

/** Options of {@link evaluateExperiment}. */
export interface EvaluateOptions {
  /** First n test images. */
  readonly subset?: number;
  /** Pixel scaling (default: the one the checkpoint was trained with). */
  readonly normalization?: MnistNormalization;
  readonly batchSize?: number;
  readonly workers?: number;
  /** Backend to run on (default `tfjs`; also `emulator`, `loihi` …). */
  readonly backend?: string;
  /** Called after every batch with the test images done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What {@link evaluateExperiment} reports (the `eval` command's JSON). */
export interface EvaluateResult {
  readonly accuracy: number;
  readonly samplesPerSecond: number;
  readonly count: number;
  readonly model: string | null;
  readonly timeSteps: number;
  readonly backend: string;
  /** tfjs: where dense products ran. */
  readonly gemm: string | null;
  readonly activity: ActivityRecord[];
  readonly ops: OpCounts;
  /** E.g. that the checkpoint's newest generation was damaged and the previous one was evaluated. */
  readonly warnings: readonly string[];
  /** Not JSON: the raw evaluation. */
  readonly evaluation: Evaluation;
}

/** Evaluates the checkpoint in `dir` on the MNIST test images. */
export async function evaluateExperiment(runtime: Runtime, dir: string, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const checkpoint = loadCheckpoint(dir, runtime);
  const plan = runtime.plan(checkpoint.spec, checkpoint.weights);
  const normalization = options.normalization ?? checkpointNormalization(checkpoint);
  let test = loadMnist("test", { normalization });
  if (options.subset) test = subset(test, options.subset, "--subset (test images)");
  const backend = await runtime.backend(options.backend ?? "tfjs");
  const ev = await backend.evaluate(plan, test, {
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    accuracy: ev.accuracy,
    samplesPerSecond: ev.samplesPerSecond,
    count: ev.count,
    model: checkpoint.spec.name ?? null,
    timeSteps: checkpoint.spec.timeSteps,
    backend: backend.name,
    gemm: (backend.info?.().gemm as string | undefined) ?? null,
    activity: activityJson(ev.activity),
    ops: ev.ops,
    warnings: checkpoint.warnings ?? [],
    evaluation: ev,
  };
}
