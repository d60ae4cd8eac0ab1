/**
 * The backend and trainer contracts. A backend compiles a validated spec and
 * its weights into a runnable network; a backend that can train also provides
 * a trainer. Core defines the shapes only; implementations live in backend
 * packages and register through the runtime.
 */
import type { ValidationIssue } from "./errors.js";
import type { OpCounts } from "./ops.js";
import type { RandomSource } from "./random.js";
import type { NetworkSpec } from "./spec.js";
import type { Weights } from "./weights.js";

/** What a backend can do. */
export interface BackendCapabilities {
  /** Can train (provides {@link Backend.createTrainer}). */
  readonly train: boolean;
  /** Work grows with spikes, not synapses. */
  readonly eventDriven: boolean;
  /** Numeric formats it runs, e.g. `float32`, `fixed-point`. */
  readonly precisions: readonly string[];
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
  /** Membrane traces `[timeSteps, batch, size]`, when requested. */
  readonly membrane?: Float32Array;
}

/** Options of {@link CompiledNetwork.run}. */
export interface RunOptions {
  /** Record membrane traces of spiking layers (memory: T·batch·size floats per layer). */
  readonly recordMembrane?: boolean;
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
}

/** A network compiled for one backend. */
export interface CompiledNetwork {
  readonly spec: NetworkSpec;
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

/** Options of {@link Trainer.fit}. */
export interface FitOptions {
  readonly train: Dataset;
  readonly test?: Dataset;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Registered loss name (e.g. `softmax_ce`, `ce_rate`). */
  readonly loss: string;
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** Stops cleanly after the current batch; the result holds what was done. */
  readonly signal?: AbortSignal;
}

/** Per-epoch record of a training run. */
export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy?: number;
  readonly seconds: number;
}

/** A trainer for one spec on one backend. */
export interface Trainer {
  fit(options: FitOptions): Promise<{ readonly history: readonly EpochRecord[]; readonly weights: Weights }>;
  dispose(): void;
}

/** A backend as registered by a plugin. */
export interface Backend {
  readonly name: string;
  readonly description: string;
  readonly capabilities: BackendCapabilities;
  /**
   * Lists what in `spec` this backend cannot host, each issue naming the
   * supported alternatives; empty when it can host it all.
   */
  check(spec: NetworkSpec): ValidationIssue[];
  compile(spec: NetworkSpec, weights: Weights): Promise<CompiledNetwork>;
  /** Present when `capabilities.train` is true. */
  createTrainer?(spec: NetworkSpec, weights: Weights, rng: RandomSource): Promise<Trainer>;
}
