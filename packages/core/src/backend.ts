/**
 * The backend and trainer contracts. A backend — a training engine or an
 * emulated chip — checks a {@link NetworkPlan} against what it can host
 * (the answer is a value), compiles a bound plan into a runnable network, and,
 * when it trains, provides a trainer. Core defines the shapes only;
 * implementations live in backend packages and register through the runtime
 * (`runtime.backend(name)`).
 */
import { NeuroBridgeError, UnsupportedError } from "./errors.js";
import type { OpCounts } from "./ops.js";
import type { NetworkPlan } from "./plan.js";
import type { RandomSource } from "./random.js";
import type { NetworkSpec } from "./spec.js";
import type { EarlyStopping } from "./training.js";
import type { Weights } from "./weights.js";

/** What a backend can do. */
export interface BackendCapabilities {
  /** Can train (provides {@link Backend.createTrainer}). */
  readonly train: boolean;
  /** Work grows with spikes, not synapses. */
  readonly eventDriven: boolean;
  /** Numeric formats it runs, e.g. `float32`, `fixed-point`. */
  readonly precisions: readonly string[];
  /** What it hosts, said plainly (e.g. "chains of dense layers and any registered neuron model"). */
  readonly hosts?: string;
  /** What `run(…, { record })` can record (none when absent). */
  readonly records?: readonly RecordKind[];
}

/**
 * Checks a run's `record` option against what `backend` records; throws an
 * error naming the kinds it cannot record and the ones it can.
 */
export function checkRecord(backend: string, capabilities: BackendCapabilities, record: readonly RecordKind[] | undefined): void {
  if (!record?.length) return;
  const can = capabilities.records ?? [];
  const unknown = record.filter((k) => !RECORD_KINDS.includes(k));
  if (unknown.length) {
    throw new NeuroBridgeError(
      "RECORD_INVALID",
      `record: unknown kind ${unknown.map((k) => `'${k}'`).join(", ")}; accepted: ${RECORD_KINDS.join(", ")}`,
    );
  }
  const missing = record.filter((k) => !can.includes(k));
  if (missing.length) {
    throw new UnsupportedError(
      `the ${backend} backend cannot record ${missing.join(" or ")}; it records: ${can.length ? can.join(", ") : "nothing"}`,
    );
  }
}

/** One thing a backend cannot host. */
export interface BackendIssue {
  /** The limit that fails, by name (e.g. `axonsPerCore`, `neuronModel`, `topology`). */
  readonly constraint: string;
  /** Where in the network (`layers.fc1`, `nodes[3].learn` …). */
  readonly path: string;
  /** What fails and what would fit or is accepted. */
  readonly message: string;
  /** Numbers behind the message (limit, required, suggested groups …). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A backend's verdict on a plan. */
export interface BackendCheck {
  readonly fits: boolean;
  /** Empty when it fits. */
  readonly issues: readonly BackendIssue[];
}

/** Activity recorded for one neuron node during a run. */
export interface LayerActivity {
  readonly nodeId: string;
  readonly size: number;
  /** Total output events (spikes, or non-zero activations for rate models) per sample, averaged over the batch. */
  readonly eventsPerSample: number;
  /** Total events per time step, summed over the batch `[timeSteps]`. */
  readonly eventsPerStep: Float32Array;
  /** Fraction of neuron-steps with no event. */
  readonly silentFraction: number;
  /** Fraction of neurons that never produced an event over the whole batch. */
  readonly neverActiveFraction: number;
}

/** What a run can record per layer and step (snnTorch's `spk_rec` / `mem_rec`). */
export type RecordKind = "spikes" | "membrane";

/** The kinds {@link RunOptions.record} accepts. */
export const RECORD_KINDS: readonly RecordKind[] = ["spikes", "membrane"];

/** One spiking layer's recording over a run, laid out `[timeSteps, batch, size]` (step-major, as snnTorch's records). */
export interface LayerRecording {
  readonly id: string;
  /** The layer's neuron model. */
  readonly model: string;
  readonly size: number;
  readonly timeSteps: number;
  readonly batch: number;
  /** 0/1 spikes, when `spikes` was recorded. */
  readonly spikes?: Uint8Array;
  /**
   * The membrane (the model's first state variable) before reset, when
   * `membrane` was recorded: the value the threshold is compared with (a
   * model that resets itself, without the reset strategy, gives its value
   * after the step).
   */
  readonly membrane?: Float32Array;
  /** The layer's firing threshold per neuron, when the model has one (for plots). */
  readonly threshold?: Float32Array;
}

/** Options of {@link CompiledNetwork.run}. */
export interface RunOptions {
  /**
   * What to record in every spiking layer, per step (memory: T·batch·size
   * values per layer and kind). A backend that cannot record a kind refuses
   * it by name (see {@link BackendCapabilities.records}).
   */
  readonly record?: readonly RecordKind[];
  /** RNG for stochastic encoders; defaults to the runtime's `encoder` stream. */
  readonly rng?: RandomSource;
}

/** What a run returns. */
export interface RunResult {
  /** Output `[batch, outputSize]`: spike counts over all steps (SNN) or logits (ANN). */
  readonly outputs: Float32Array;
  readonly batch: number;
  readonly outputSize: number;
  /** Activity of every neuron node, in node order. */
  readonly activity: readonly LayerActivity[];
  /** Operations per sample under the core definitions (`ops.ts`). */
  readonly ops: OpCounts;
  /** One entry per spiking layer, in order, when {@link RunOptions.record} asked for any. */
  readonly recordings?: readonly LayerRecording[];
}

/** A network compiled for one backend. */
export interface CompiledNetwork {
  readonly spec: NetworkSpec;
  readonly plan: NetworkPlan;
  /** Runs a batch; `input` is `[batch, features]` (or `[T, batch, features]` for a sequence). */
  run(input: Float32Array, batch: number, options?: RunOptions): Promise<RunResult>;
  /** Releases backend memory. */
  dispose(): void;
}

/** Labelled examples in memory: `inputs` `[count, features]`, `labels` `[count]`. */
export interface Dataset {
  readonly inputs: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly features: number;
  readonly classes: number;
}

/** One progress event of a training run. */
export interface TrainingProgress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly samplesPerSecond: number;
}

/**
 * A constraint a target puts on one dense layer's weights during training
 * (e.g. TrueNorth: grouped fan-in and ternary weights per neuron). The
 * trainer runs the forward pass on `apply(raw)` and hands the gradient
 * straight through to the raw weights (a straight-through estimator), masked
 * by `mask`; the weights it reports and checkpoints are the constrained ones.
 */
export interface WeightConstraint {
  /** The dense layer's id (its weight is `<layer>.weight`). */
  readonly layer: string;
  readonly description: string;
  /** The constrained weights `[out, in]` for raw weights `[out, in]`. */
  apply(raw: Float32Array, outFeatures: number, inFeatures: number): Float32Array;
  /** 1 where a weight may be non-zero `[out, in]`; gradients elsewhere are dropped. */
  readonly mask?: Uint8Array;
}

/** What a target needs of a network it will host, for constraint-aware training (see {@link Backend.prepareTraining}). */
export interface TrainingPreparation {
  /** The spec to train: the caller's, changed where the target requires it (neuron parameters, encoder …). */
  readonly spec: NetworkSpec;
  /** Weight constraints for the plan of that spec. */
  constraints(plan: NetworkPlan): readonly WeightConstraint[];
  /** What was changed and why, said plainly. */
  readonly notes: readonly string[];
}

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  readonly train: Dataset;
  readonly test?: Dataset;
  /** Total epochs, counting ones restored from a checkpoint. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Registered loss name (default: `defaultLoss(plan)`: `ce_rate` for spiking networks, `softmax_ce` otherwise). */
  readonly loss?: string;
  /** Parameters of the loss (e.g. mse_count's rates). */
  readonly lossParams?: Readonly<Record<string, number>>;
  /**
   * `constant` (the paper's Adam lr), or `cosine`: lr·½(1 + cos(π·step/steps))
   * over the whole run. Keyed to the optimiser's step count, so a resumed run
   * continues the same schedule. Default `TRAINING_DEFAULTS.lrSchedule`
   * (`constant`), as on the command line.
   */
  readonly lrSchedule?: "constant" | "cosine";
  /** Folder to checkpoint into: every `checkpointEvery` batches, after each epoch, and when stopped. */
  readonly checkpointDir?: string;
  readonly checkpointEvery?: number;
  readonly evalBatchSize?: number;
  /** Called after every batch. */
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** Called after every epoch with its record; returning `"stop"` ends training there (status `stopped`). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a callback that returns nothing is the common case
  readonly onEpoch?: (record: EpochRecord) => void | "stop";
  /** Ends training when the monitored value stops improving (status `stopped`); see `shouldStopEarly`. */
  readonly earlyStopping?: EarlyStopping;
  /** Stops cleanly after the current batch; the result holds what was done (and is checkpointed). */
  readonly signal?: AbortSignal;
  /** Constraints on dense weights (from a target's {@link Backend.prepareTraining}); kept for evaluation and checkpoints after fit. */
  readonly weightConstraints?: readonly WeightConstraint[];
}

/** Training progress saved with a checkpoint. */
export interface TrainingProgressState {
  /** Epochs completed. */
  readonly epoch: number;
  /** Next batch of the current epoch (0 when the epoch is complete). */
  readonly batch: number;
  readonly adamStep: number;
  readonly history: readonly EpochRecord[];
  /** Sums over the batches done so far in the current epoch. */
  readonly running: { readonly loss: number; readonly correct: number; readonly seen: number; readonly seconds: number };
  /** The settings the run was started with (to resume with the same). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A checkpoint in memory (the codec is `@neurobridge/core/node`). */
/** A plugin a checkpoint was written with: its name and, when known, the module it loads from. */
export interface CheckpointPlugin {
  readonly name: string;
  readonly module?: string;
}

export interface Checkpoint {
  readonly spec: NetworkSpec;
  /** The plugins the writing runtime had (`Runtime.pluginRecords()`), so a reader missing one is told which. */
  readonly plugins?: readonly CheckpointPlugin[];
  readonly weights: Weights;
  /** Optimiser state and raw trainable values, when saved by a trainer. */
  readonly optimizer?: Weights;
  readonly progress?: TrainingProgressState;
  /** What the reader should know, e.g. that the newest generation was damaged and the previous one was loaded. */
  readonly warnings?: readonly string[];
}

/** Accuracy, speed, activity and op counts of a network over a dataset. */
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

/** Result of {@link Trainer.fit}. */
export interface FitResult {
  readonly history: readonly EpochRecord[];
  readonly weights: Weights;
  /**
   * `completed`; `stopped` when `onEpoch` or early stopping ended it after an
   * epoch; `aborted` when the signal fired (a checkpoint was written if a
   * folder was given).
   */
  readonly status: "completed" | "stopped" | "aborted";
}

/** Per-epoch record of a training run. */
export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy?: number;
  readonly seconds: number;
}

/** Which implementation runs each neuron layer (`kernel <kind> (<plugin>)` or `generic step`), by layer id. */
export type ImplementationReport = Readonly<Record<string, string>>;

/** A trainer for one plan on one backend. */
export interface Trainer {
  readonly plan: NetworkPlan;
  /** Threads the work runs on (1: this thread). */
  readonly workers: number;
  /** Which implementation trains each neuron layer. */
  readonly implementations: ImplementationReport;
  /** Things the caller should know (e.g. why it runs on one thread). */
  readonly warnings: readonly string[];
  fit(options: FitOptions): Promise<FitResult>;
  /** Evaluates the current weights. */
  evaluate(data: Dataset, options?: { readonly batchSize?: number }): Promise<Evaluation>;
  /** Continues a run from a checkpoint this kind of trainer wrote. */
  restore(checkpoint: Checkpoint): void;
  /** The current weights. */
  weights(): Weights;
  dispose(): Promise<void>;
}

/** Options of {@link Backend.evaluate}. */
export interface EvaluateOptions {
  readonly batchSize?: number;
  /** Threads, where the backend has workers. */
  readonly workers?: number;
  /** Called after every batch with the samples done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Options of {@link Backend.createTrainer}. */
export interface TrainerOptions {
  /** Seeds shuffling and stochastic encoders (default: the runtime's seed). */
  readonly seed?: number;
  /** Threads (default: the backend's choice). Asking for more than one fails with a clear error when the network cannot run on workers. */
  readonly workers?: number;
  /** Settings recorded in checkpoints (to resume with the same). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A backend as registered by a plugin. */
export interface Backend {
  readonly name: string;
  readonly description: string;
  readonly capabilities: BackendCapabilities;
  /** What in `plan` this backend cannot host, each issue naming the constraint and what would fit. */
  check(plan: NetworkPlan): BackendCheck;
  /** Compiles a bound plan; throws an error naming the failing constraint when `check` says it does not fit. */
  compile(plan: NetworkPlan): Promise<CompiledNetwork>;
  /** Runs a bound plan over a labelled dataset. */
  evaluate(plan: NetworkPlan, data: Dataset, options?: EvaluateOptions): Promise<Evaluation>;
  /** Present when `capabilities.train` is true. */
  createTrainer?(plan: NetworkPlan, weights: Weights, options?: TrainerOptions): Promise<Trainer>;
  /** How this instance is set up, for reports (e.g. tfjs: `{ gemm, kernel }`). */
  info?(): Readonly<Record<string, unknown>>;
  /**
   * For a target chip: what training must respect so that the trained
   * network fits (constraint-aware training). Throws naming what cannot be
   * adapted (e.g. a model with no mapping onto the chip).
   */
  prepareTraining?(spec: NetworkSpec): TrainingPreparation;
}

/**
 * Backends by registered name, for typed lookups: a backend package augments
 * it, and `runtime.backend("tfjs")` is then typed as that package's backend.
 *
 * ```ts
 * declare module "@neurobridge/core" {
 *   interface BackendTypes { "my-chip": MyChipBackend }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging
export interface BackendTypes {}

/** The type of the backend registered as `N` ({@link Backend} when no package declared it). */
export type BackendOf<N extends string> = N extends keyof BackendTypes ? BackendTypes[N] : Backend;

/** Formats a failed check as one message: what the backend cannot host and why. */
export function describeCheck(backend: string, check: BackendCheck): string {
  return `the ${backend} backend cannot host this network:\n${check.issues.map((i) => `  - ${i.path} [${i.constraint}]: ${i.message}`).join("\n")}`;
}
