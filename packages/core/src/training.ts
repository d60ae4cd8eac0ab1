/**
 * Training from code: one call on any training backend, data from arrays or
 * an iterator, per-epoch callbacks and early stopping.
 *
 * ```ts
 * const tfjs = await runtime.backend("tfjs");            // typed: TfjsBackend
 * const plan = runtime.plan(paperNetwork("snn"));
 * const run = await tfjs.train(plan, { train, test, epochs: 3, batchSize: 128, learningRate: 1e-3,
 *   earlyStopping: { patience: 1 }, onEpoch: (e) => console.log(e.epoch, e.testAccuracy) });
 * const onLoihi = await runtime.backend("loihi");
 * console.log((await onLoihi.evaluate(bindWeights(runtime, plan, run.weights), test)).accuracy);
 * ```
 */
import type {
  Backend,
  Dataset,
  EpochRecord,
  Evaluation,
  FitOptions,
  FitResult,
  ImplementationReport,
  Trainer,
  TrainerOptions,
} from "./backend.js";
import { checkDataFits } from "./data-fit.js";
import { NeuroBridgeError } from "./errors.js";
import type { NetworkPlan } from "./plan.js";
import type { Runtime } from "./runtime.js";
import { initWeights, type Weights } from "./weights.js";

/** Labelled examples as plain arrays: `inputs` `[count, features]` row-major, `labels` `[count]` class indices. */
export interface ArrayDataset {
  readonly inputs: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  /** Features per example (default: `inputs.length / labels.length`). */
  readonly features?: number;
  /** Number of classes (default: the largest label + 1). */
  readonly classes?: number;
}

/** One labelled example, as an iterator yields it. */
export interface Example {
  readonly input: ArrayLike<number>;
  readonly label: number;
}

/** Data a trainer accepts: a {@link Dataset} or plain arrays. */
export type DataSource = Dataset | ArrayDataset;

const isDataset = (d: DataSource): d is Dataset =>
  d.inputs instanceof Float32Array && d.labels instanceof Uint8Array && typeof (d as Dataset).count === "number";

/**
 * Checks `source` and returns it as a {@link Dataset}: every input finite, the
 * lengths consistent, labels integers in `[0, classes)`. `what` names the
 * data in errors (e.g. `train`).
 */
export function toDataset(source: DataSource, what = "data"): Dataset {
  if (!source || typeof source !== "object" || !source.inputs || !source.labels) {
    throw new NeuroBridgeError("DATA_INVALID", `${what}: must be { inputs, labels } (arrays) or a Dataset`);
  }
  const count = source.labels.length;
  if (count === 0) throw new NeuroBridgeError("DATA_INVALID", `${what}: has no examples`);
  const features = isDataset(source) ? source.features : (source.features ?? source.inputs.length / count);
  if (!(Number.isInteger(features) && features > 0) || source.inputs.length !== count * features) {
    throw new NeuroBridgeError(
      "DATA_INVALID",
      `${what}: ${source.inputs.length} input values do not split into ${count} examples${source.features ? ` of ${source.features} features` : ""}`,
    );
  }
  const inputs = source.inputs instanceof Float32Array ? source.inputs : Float32Array.from(source.inputs);
  for (let i = 0; i < inputs.length; i++) {
    if (!Number.isFinite(inputs[i])) {
      throw new NeuroBridgeError(
        "DATA_INVALID",
        `${what}: input ${Math.floor(i / features)}, feature ${i % features} is ${inputs[i]}; inputs must be finite`,
      );
    }
  }
  let largest = 0;
  for (let i = 0; i < count; i++) {
    const label = source.labels[i] as number;
    if (!(Number.isInteger(label) && label >= 0 && label < 256)) {
      throw new NeuroBridgeError("DATA_INVALID", `${what}: label ${i} is ${label}; labels must be class indices 0…255`);
    }
    largest = Math.max(largest, label);
  }
  const classes = source.classes ?? largest + 1;
  if (largest >= classes) {
    throw new NeuroBridgeError("DATA_INVALID", `${what}: label ${largest} is not below classes = ${classes}`);
  }
  const labels = source.labels instanceof Uint8Array ? source.labels : Uint8Array.from(source.labels);
  return { inputs, labels, count, features, classes };
}

/**
 * Reads every example of `examples` (an array, a generator or an async
 * iterator, e.g. lines of a file being parsed) into a {@link Dataset}.
 * Examples must all have the same length.
 */
export async function collectDataset(
  examples: Iterable<Example> | AsyncIterable<Example>,
  options: { readonly classes?: number; readonly limit?: number } = {},
): Promise<Dataset> {
  const rows: ArrayLike<number>[] = [];
  const labels: number[] = [];
  for await (const example of examples as AsyncIterable<Example>) {
    if (typeof example?.input?.length !== "number") {
      throw new NeuroBridgeError("DATA_INVALID", `example ${rows.length}: must be { input: number[], label: number }`);
    }
    if (rows.length > 0 && example.input.length !== (rows[0] as ArrayLike<number>).length) {
      throw new NeuroBridgeError(
        "DATA_INVALID",
        `example ${rows.length}: has ${example.input.length} features, the first had ${(rows[0] as ArrayLike<number>).length}`,
      );
    }
    rows.push(example.input);
    labels.push(example.label);
    if (options.limit !== undefined && rows.length >= options.limit) break;
  }
  if (rows.length === 0) throw new NeuroBridgeError("DATA_INVALID", "the iterator yielded no examples");
  const features = (rows[0] as ArrayLike<number>).length;
  const inputs = new Float32Array(rows.length * features);
  rows.forEach((row, i) => {
    inputs.set(row, i * features);
  });
  return toDataset({ inputs, labels, features, ...(options.classes !== undefined ? { classes: options.classes } : {}) }, "examples");
}

/** Stop when the monitored value has not improved by `minDelta` for `patience` epochs. */
export interface EarlyStopping {
  readonly patience: number;
  /** Smallest change that counts as an improvement (default 0). */
  readonly minDelta?: number;
  /** `testAccuracy` (default when test data is given; higher is better) or `trainLoss` (lower is better). */
  readonly monitor?: "testAccuracy" | "trainLoss";
}

/**
 * Whether `rule` stops training after the last epoch of `history`. A pure
 * function of the history, so a resumed run decides exactly as an
 * uninterrupted one.
 */
export function shouldStopEarly(history: readonly EpochRecord[], rule: EarlyStopping): boolean {
  if (!(Number.isInteger(rule.patience) && rule.patience >= 1)) {
    throw new NeuroBridgeError("OPTION_INVALID", `earlyStopping.patience: must be an integer ≥ 1, got ${rule.patience}`);
  }
  const monitor = rule.monitor ?? (history.some((h) => h.testAccuracy !== undefined) ? "testAccuracy" : "trainLoss");
  const sign = monitor === "trainLoss" ? -1 : 1;
  const minDelta = rule.minDelta ?? 0;
  let best = Number.NEGATIVE_INFINITY;
  let since = 0;
  for (const h of history) {
    const raw = monitor === "trainLoss" ? h.trainLoss : h.testAccuracy;
    if (raw === undefined) {
      throw new NeuroBridgeError("OPTION_INVALID", "earlyStopping.monitor: 'testAccuracy' needs test data (the `test` option)");
    }
    const value = sign * raw;
    if (value > best + minDelta) {
      best = value;
      since = 0;
    } else {
      since++;
    }
  }
  return since >= rule.patience;
}

/** Options of {@link TrainingBackend.train}. */
export interface TrainingOptions extends Omit<FitOptions, "train" | "test"> {
  readonly train: DataSource;
  /** Evaluated after every epoch (`testAccuracy` in the history) and at the end. */
  readonly test?: DataSource;
  /** Starting weights (default: `initWeights` from the runtime's `init` stream). */
  readonly weights?: Weights;
  readonly seed?: number;
  readonly workers?: number;
  /** Settings recorded in checkpoints. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** What {@link TrainingBackend.train} returns. */
export interface TrainingResult extends FitResult {
  /** The test data's evaluation with the final weights (when `test` was given and training completed). */
  readonly evaluation?: Evaluation;
  readonly implementations: ImplementationReport;
  readonly warnings: readonly string[];
  readonly workers: number;
}

/** A backend that trains: {@link Backend.createTrainer} is always there, plus one-call {@link TrainingBackend.train}. */
export interface TrainingBackend extends Backend {
  createTrainer(plan: NetworkPlan, weights: Weights, options?: TrainerOptions): Promise<Trainer>;
  /** Trains `plan` (start to finish, or until stopped) and disposes of the trainer. */
  train(plan: NetworkPlan, options: TrainingOptions): Promise<TrainingResult>;
}

/**
 * {@link TrainingBackend.train} for any backend with a trainer: checks the
 * data against the plan, creates the trainer, fits, evaluates the test data.
 */
export async function trainOn(
  runtime: Runtime,
  backend: Pick<TrainingBackend, "createTrainer">,
  plan: NetworkPlan,
  options: TrainingOptions,
): Promise<TrainingResult> {
  const train = toDataset(options.train, "train");
  const test = options.test ? toDataset(options.test, "test") : undefined;
  checkDataFits(plan, train, "train");
  if (test) checkDataFits(plan, test, "test");
  const weights = options.weights ?? initWeights(plan.spec, runtime.random("init"), runtime);
  const { weights: _w, seed, workers, config, train: _t, test: _e, ...fit } = options;
  const trainer = await backend.createTrainer(plan, weights, {
    ...(seed !== undefined ? { seed } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(config ? { config } : {}),
  });
  try {
    const result = await trainer.fit({ ...fit, train, ...(test ? { test } : {}) });
    const evaluation = test && result.status !== "aborted" ? await trainer.evaluate(test) : undefined;
    return {
      ...result,
      ...(evaluation ? { evaluation } : {}),
      implementations: trainer.implementations,
      warnings: trainer.warnings,
      workers: trainer.workers,
    };
  } finally {
    await trainer.dispose();
  }
}
