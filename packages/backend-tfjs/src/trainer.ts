/**
 * Training with surrogate-gradient BPTT on the chain executor.
 *
 * Reproducible and resumable by construction: the example order of epoch e
 * comes from the seed and e alone, a stochastic encoder's randomness from the
 * seed, epoch and batch index, and Adam's state is plain data — so a run
 * stopped at (epoch, batch) and resumed from its checkpoint computes exactly
 * what the uninterrupted run computes.
 */
import {
  createRandom,
  type Dataset,
  type EpochRecord,
  type FitOptions,
  type NetworkSpec,
  NeuroBridgeError,
  type Runtime,
  strategyParams,
  type Trainer,
  validateWeights,
  type Weights,
} from "@neurobridge/core";
import { batchAt, batchCount, epochOrder } from "@neurobridge/mnist";
import { type AdamState, adamState, adamStep } from "./adam.js";
import { type Checkpoint, saveCheckpoint, type TrainingProgressState } from "./checkpoint.js";
import type { Engine } from "./engine.js";
import { evaluate } from "./evaluate.js";
import type { ParamArrays } from "./executor.js";

/** Options of {@link ExecutorTrainer.fit} beyond core's {@link FitOptions}. */
export interface TrainerFitOptions extends FitOptions {
  /** Parameters of the loss (e.g. mse_count's rates). */
  readonly lossParams?: Readonly<Record<string, number>>;
  /** Folder to checkpoint into: every `checkpointEvery` batches, after each epoch, and when stopped. */
  readonly checkpointDir?: string;
  readonly checkpointEvery?: number;
  readonly evalBatchSize?: number;
  /**
   * `constant` (the paper's Adam lr), or `cosine`: lr·½(1 + cos(π·step/steps))
   * over the whole run, which makes the final accuracy far less dependent on
   * where the last epoch happens to land. Keyed to Adam's step count, so a
   * resumed run continues the same schedule.
   */
  readonly lrSchedule?: "constant" | "cosine";
}

/** Learning rate at optimiser step `step` (0-based) of `totalSteps`. */
export function scheduledLearningRate(base: number, schedule: "constant" | "cosine", step: number, totalSteps: number): number {
  if (schedule === "constant") return base;
  return base * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps));
}

/** Result of a fit. */
export interface TrainerFitResult {
  readonly history: readonly EpochRecord[];
  readonly weights: Weights;
  /** `completed`, or `aborted` when the signal fired (a checkpoint was written if a folder was given). */
  readonly status: "completed" | "aborted";
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Trains a spec on an {@link Engine} (in this thread or on worker threads). */
export class ExecutorTrainer implements Trainer {
  /** Trainable values: weights as stored, except learned β kept as logits (so β stays in (0, 1)). */
  private readonly raw: ParamArrays;
  private readonly betaNames: Set<string>;
  private adam: AdamState;
  private epoch = 0;
  private batch = 0;
  private history: EpochRecord[] = [];
  private running = { loss: 0, correct: 0, seen: 0, seconds: 0 };

  constructor(
    private readonly runtime: Runtime,
    readonly spec: NetworkSpec,
    private readonly engine: Engine,
    weights: Weights,
    private readonly seed: number,
    private readonly config: Readonly<Record<string, unknown>> = {},
  ) {
    validateWeights(spec, weights, runtime);
    this.betaNames = new Set(spec.nodes.filter((n) => n.type === "neuron" && n.learn?.includes("beta")).map((n) => `${n.id}.beta`));
    // Shared memory when workers run the steps: they read the parameters without a copy per batch.
    const shared = (data: ArrayLike<number>) => {
      const out = new Float32Array(engine.workers > 1 ? new SharedArrayBuffer(data.length * 4) : new ArrayBuffer(data.length * 4));
      out.set(data);
      return out;
    };
    this.raw = Object.fromEntries(
      Object.entries(weights).map(([name, t]) => [
        name,
        shared(this.betaNames.has(name) ? t.data.map((b) => logit(Math.min(1 - 1e-6, Math.max(1e-6, b)))) : t.data),
      ]),
    );
    this.adam = adamState(this.raw);
  }

  /** Restores optimizer state and progress from a checkpoint written by this trainer. */
  restore(checkpoint: Checkpoint): void {
    const opt = checkpoint.optimizer;
    const progress = checkpoint.progress;
    if (!opt || !progress)
      throw new NeuroBridgeError(
        "CHECKPOINT_INCOMPLETE",
        "this checkpoint has no optimizer state or progress; it can be evaluated but not resumed",
      );
    for (const name of Object.keys(this.raw)) {
      const p = opt[`param.${name}`];
      const m = opt[`m.${name}`];
      const v = opt[`v.${name}`];
      if (!p || !m || !v) throw new NeuroBridgeError("CHECKPOINT_INCOMPLETE", `optimizer state lacks '${name}'`);
      (this.raw[name] as Float32Array).set(p.data);
      (this.adam.m[name] as Float32Array).set(m.data);
      (this.adam.v[name] as Float32Array).set(v.data);
    }
    this.adam.step = progress.adamStep;
    this.epoch = progress.epoch;
    this.batch = progress.batch;
    this.history = [...progress.history];
    this.running = { ...progress.running };
  }

  /** Worker threads the engine runs on (1: this thread). */
  get workers(): number {
    return this.engine.workers;
  }

  /** Epochs completed so far. */
  get completedEpochs(): number {
    return this.epoch;
  }

  /** Current weights (β as β, not logits). */
  weights(): Weights {
    const out: Weights = {};
    for (const slot of Object.keys(this.raw)) {
      const data = this.raw[slot] as Float32Array;
      const shape = this.spec.nodes.flatMap((n) => {
        if (n.type === "dense" && slot === `${n.id}.weight`) return [[n.outFeatures, n.inFeatures]];
        if (n.type === "dense" && slot === `${n.id}.bias`) return [[n.outFeatures]];
        if (n.type === "neuron" && slot.startsWith(`${n.id}.`)) return [[n.size]];
        return [];
      })[0] as number[];
      out[slot] = { shape, data: this.betaNames.has(slot) ? data.map(sigmoid) : Float32Array.from(data) };
    }
    return out;
  }

  /** Parameters as the executor reads them (β through the sigmoid). */
  private forwardParams(): ParamArrays {
    const p: ParamArrays = {};
    for (const [name, data] of Object.entries(this.raw)) p[name] = this.betaNames.has(name) ? data.map(sigmoid) : data;
    return p;
  }

  /** Writes a checkpoint that resumes at batch `nextBatch` of the current epoch. */
  private checkpoint(dir: string, nextBatch = this.batch): void {
    const optimizer: Weights = {};
    for (const [name, data] of Object.entries(this.raw)) {
      optimizer[`param.${name}`] = { shape: [data.length], data };
      optimizer[`m.${name}`] = { shape: [data.length], data: this.adam.m[name] as Float32Array };
      optimizer[`v.${name}`] = { shape: [data.length], data: this.adam.v[name] as Float32Array };
    }
    const progress: TrainingProgressState = {
      epoch: this.epoch,
      batch: nextBatch,
      adamStep: this.adam.step,
      history: this.history,
      running: this.running,
      config: { ...this.config, seed: this.seed },
    };
    saveCheckpoint(dir, { spec: this.spec, weights: this.weights(), optimizer, progress });
  }

  /** Trains until `options.epochs` epochs are complete (counting restored ones), or the signal fires. */
  async fit(options: TrainerFitOptions): Promise<TrainerFitResult> {
    const { train, batchSize, epochs } = options;
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new NeuroBridgeError("BATCH_INVALID", `batch size must be a positive integer, got ${batchSize}`);
    if (!(Number.isInteger(epochs) && epochs > 0))
      throw new NeuroBridgeError("EPOCHS_INVALID", `epochs must be a positive integer, got ${epochs}`);
    if (!(options.learningRate > 0)) throw new NeuroBridgeError("LR_INVALID", `learning rate must be > 0, got ${options.learningRate}`);
    const inputSize = this.spec.nodes.find((n) => n.type === "input")?.shape.reduce((a, b) => a * b, 1);
    if (train.features !== inputSize) {
      throw new NeuroBridgeError(
        "SHAPE_MISMATCH",
        `the data has ${train.features} features per example but the network's input takes ${inputSize}`,
      );
    }
    const lossSpec = this.runtime.loss(options.loss);
    const lossParams = {
      ...strategyParams({ name: lossSpec.name, ...(options.lossParams ? { params: options.lossParams } : {}) }, lossSpec),
    };
    const lossConfig = { name: lossSpec.name, params: lossParams, reads: lossSpec.reads };
    const shuffle = createRandom(this.seed).fork("shuffle");
    const batches = batchCount(train.count, batchSize);
    while (this.epoch < epochs) {
      const order = epochOrder(train.count, shuffle, this.epoch);
      for (; this.batch < batches; this.batch++) {
        if (options.signal?.aborted) {
          if (options.checkpointDir) this.checkpoint(options.checkpointDir);
          return { history: this.history, weights: this.weights(), status: "aborted" };
        }
        const start = performance.now();
        const data = batchAt(train, order, batchSize, this.batch);
        const loss = await this.engine.trainStep(
          this.forwardParams(),
          data.inputs,
          data.labels,
          lossConfig,
          `encode-${this.epoch}-${this.batch}`,
        );
        if (!Number.isFinite(loss.loss)) {
          throw new NeuroBridgeError(
            "TRAINING_DIVERGED",
            `loss became ${loss.loss} at epoch ${this.epoch + 1}, batch ${this.batch + 1}: training diverged. Lower the learning rate (now ${options.learningRate})` +
              `${options.checkpointDir ? `; the last checkpoint in ${options.checkpointDir} is intact` : ""}.`,
          );
        }
        const grads = loss.grads;
        for (const name of this.betaNames) {
          const g = grads[name];
          if (!g) continue;
          const raw = this.raw[name] as Float32Array;
          for (let i = 0; i < g.length; i++) {
            const b = sigmoid(raw[i] as number);
            g[i] = (g[i] as number) * b * (1 - b);
          }
        }
        const learningRate = scheduledLearningRate(
          options.learningRate,
          options.lrSchedule ?? "constant",
          this.adam.step,
          epochs * batches,
        );
        adamStep(this.raw, grads, this.adam, { learningRate });
        const seconds = (performance.now() - start) / 1000;
        this.running = {
          loss: this.running.loss + loss.loss * data.count,
          correct: this.running.correct + loss.correct,
          seen: this.running.seen + data.count,
          seconds: this.running.seconds + seconds,
        };
        options.onProgress?.({
          epoch: this.epoch + 1,
          batch: this.batch + 1,
          batches,
          loss: loss.loss,
          accuracy: this.running.correct / this.running.seen,
          samplesPerSecond: this.running.seen / this.running.seconds,
        });
        if (
          options.checkpointDir &&
          options.checkpointEvery &&
          (this.batch + 1) % options.checkpointEvery === 0 &&
          this.batch + 1 < batches
        ) {
          this.checkpoint(options.checkpointDir, this.batch + 1);
        }
      }
      const test = options.test ? await this.evaluate(options.test, options.evalBatchSize) : undefined;
      this.history.push({
        epoch: this.epoch + 1,
        trainLoss: this.running.loss / this.running.seen,
        trainAccuracy: this.running.correct / this.running.seen,
        ...(test ? { testAccuracy: test.accuracy } : {}),
        seconds: this.running.seconds,
      });
      this.epoch++;
      this.batch = 0;
      this.running = { loss: 0, correct: 0, seen: 0, seconds: 0 };
      if (options.checkpointDir) this.checkpoint(options.checkpointDir);
    }
    return { history: this.history, weights: this.weights(), status: "completed" };
  }

  /** Evaluates the current weights on `data` (accuracy, activity, ops). */
  evaluate(data: Dataset, batchSize?: number) {
    return evaluate(this.runtime, this.spec, this.engine, this.forwardParams(), data, {
      rngLabel: "eval",
      ...(batchSize ? { batchSize } : {}),
    });
  }

  /** Stops the engine's workers, if any. */
  dispose(): void {
    void this.engine.dispose();
  }
}
