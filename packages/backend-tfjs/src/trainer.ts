/**
 * Training with surrogate-gradient BPTT on the chain executor.
 *
 * Reproducible and resumable by construction: the example order of epoch e
 * comes from the seed and e alone, a stochastic encoder's randomness from the
 * seed, epoch and batch index, and Adam's state is plain data — so a run
 * stopped at (epoch, batch) and resumed from its checkpoint computes exactly
 * what the uninterrupted run computes.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  batchAt,
  batchCount,
  type Checkpoint,
  createRandom,
  type Dataset,
  defaultLoss,
  type EpochRecord,
  type Evaluation,
  epochOrder,
  type FitOptions,
  type FitResult,
  type NetworkPlan,
  NeuroBridgeError,
  type ParamSpec,
  type Runtime,
  shouldStopEarly,
  strategyParams,
  TRAINING_DEFAULTS,
  type Trainer,
  type TrainingProgressState,
  validateWeights,
  type WeightConstraint,
  type Weights,
} from "@neurobridge/core";
import { saveCheckpoint } from "@neurobridge/core/node";
import { type AdamState, adamState, adamStep } from "./adam.js";
import type { Engine } from "./engine.js";
import { evaluate } from "./evaluate.js";
import type { ParamArrays } from "./executor.js";

/** Options of {@link ExecutorTrainer.fit} (core's {@link FitOptions}). */
export type TrainerFitOptions = FitOptions;

/** Learning rate at optimiser step `step` (0-based) of `totalSteps`. */
export function scheduledLearningRate(base: number, schedule: "constant" | "cosine", step: number, totalSteps: number): number {
  if (schedule === "constant") return base;
  return base * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps));
}

/** Result of a fit. */
export type TrainerFitResult = FitResult;

/** A loss this many times the run's first one counts as diverged (it no longer trains, even if finite). */
const EXPLOSION = 1000;
/**
 * A trained value beyond this is taken as divergence. A spiking network's loss
 * can stay finite while its weights run off (spike counts saturate), so the
 * weights are checked too; no working network has values near it.
 */
const WEIGHT_LIMIT = 1e10;

/** Where the last good checkpoint is, for a divergence message: nothing when none was written yet. */
const intactCheckpoint = (dir: string | undefined): string =>
  dir && existsSync(join(dir, "training.json")) ? `; the last checkpoint in ${dir} is intact` : "";

/** The first parameter with a non-finite or exploding value, with that value. */
function runawayParameter(params: Readonly<Record<string, Float32Array>>): { name: string; index: number; value: number } | undefined {
  for (const [name, values] of Object.entries(params)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      // One comparison catches NaN too (it fails every comparison).
      if (!(v <= WEIGHT_LIMIT && v >= -WEIGHT_LIMIT)) return { name, index: i, value: v };
    }
  }
  return undefined;
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * A learned neuron parameter bounded on both sides (β in (0, 1)) is trained
 * as a logit: value = min + (max − min)·σ(raw), so no step can leave the range.
 */
interface Bounded {
  readonly min: number;
  readonly span: number;
}

/** The bounded learned parameters of `plan`, by weight name. */
function boundedLearned(plan: NetworkPlan): Map<string, Bounded> {
  const out = new Map<string, Bounded>();
  for (const layer of plan.layers) {
    if (layer.kind !== "neuron") continue;
    for (const name of layer.learn) {
      const spec = layer.model.params.find((p) => p.name === name) as ParamSpec | undefined;
      if (spec?.min !== undefined && spec.max !== undefined) out.set(`${layer.id}.${name}`, { min: spec.min, span: spec.max - spec.min });
    }
  }
  return out;
}

const toRaw = (b: Bounded, value: number) => logit(Math.min(1 - 1e-6, Math.max(1e-6, (value - b.min) / b.span)));
const fromRaw = (b: Bounded, raw: number) => b.min + b.span * sigmoid(raw);

/** Trains a plan on an engine (`engine.ts`) (in this thread or on worker threads). */
export class ExecutorTrainer implements Trainer {
  /** Trainable values: weights as stored, except bounded learned parameters kept as logits. */
  private readonly raw: ParamArrays;
  private readonly bounded: Map<string, Bounded>;
  private adam: AdamState;
  private epoch = 0;
  private batch = 0;
  private history: EpochRecord[] = [];
  /** Constraints on dense weights, by weight name (from the last fit). */
  private constraints = new Map<string, WeightConstraint>();
  private running = { loss: 0, correct: 0, seen: 0, seconds: 0 };

  constructor(
    private readonly runtime: Runtime,
    readonly plan: NetworkPlan,
    private readonly engine: Engine,
    weights: Weights,
    private readonly seed: number,
    private readonly config: Readonly<Record<string, unknown>> = {},
    /** Things the caller should know (e.g. why the trainer runs on one thread). */
    readonly warnings: readonly string[] = [],
  ) {
    validateWeights(plan.spec, weights, runtime);
    this.bounded = boundedLearned(plan);
    // Shared memory when workers run the steps: they read the parameters without a copy per batch.
    const shared = (data: ArrayLike<number>) => {
      const out = new Float32Array(engine.workers > 1 ? new SharedArrayBuffer(data.length * 4) : new ArrayBuffer(data.length * 4));
      out.set(data);
      return out;
    };
    this.raw = Object.fromEntries(
      Object.entries(weights).map(([name, t]) => [
        name,
        shared(this.bounded.has(name) ? t.data.map((v) => toRaw(this.bounded.get(name) as Bounded, v)) : t.data),
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

  /** The trained network's spec. */
  get spec() {
    return this.plan.spec;
  }

  /** Worker threads the engine runs on (1: this thread). */
  get workers(): number {
    return this.engine.workers;
  }

  /** Which implementation trains each neuron layer. */
  get implementations(): Readonly<Record<string, string>> {
    return this.engine.implementations;
  }

  /** Epochs completed so far. */
  get completedEpochs(): number {
    return this.epoch;
  }

  /** Current weights (bounded parameters as values, not logits). */
  weights(): Weights {
    const out: Weights = {};
    for (const slot of Object.keys(this.raw)) {
      const data = this.raw[slot] as Float32Array;
      const bounded = this.bounded.get(slot);
      const shape = this.plan.spec.nodes.flatMap((n) => {
        if (n.type === "dense" && slot === `${n.id}.weight`) return [[n.outFeatures, n.inFeatures]];
        if (n.type === "dense" && slot === `${n.id}.bias`) return [[n.outFeatures]];
        if (n.type === "neuron" && slot.startsWith(`${n.id}.`)) return [[n.size]];
        return [];
      })[0] as number[];
      const constraint = this.constraints.get(slot);
      out[slot] = {
        shape,
        data: bounded
          ? data.map((r) => fromRaw(bounded, r))
          : constraint
            ? constraint.apply(data, shape[0] as number, shape[1] as number)
            : Float32Array.from(data),
      };
    }
    return out;
  }

  /** Parameters as the executor reads them (bounded ones through their logistic). */
  private forwardParams(): ParamArrays {
    const p: ParamArrays = {};
    for (const [name, data] of Object.entries(this.raw)) {
      const bounded = this.bounded.get(name);
      const constraint = this.constraints.get(name);
      p[name] = bounded ? data.map((r) => fromRaw(bounded, r)) : constraint ? this.constrained(name, constraint, data) : data;
    }
    return p;
  }

  /** A dense weight through its constraint (shared memory when workers read it). */
  private constrained(name: string, constraint: WeightConstraint, raw: Float32Array): Float32Array {
    const layer = this.plan.layers.find((l) => `${l.id}.weight` === name);
    if (layer?.kind !== "dense") return raw;
    const w = constraint.apply(raw, layer.outFeatures, layer.inFeatures);
    if (this.engine.workers <= 1) return w;
    const shared = new Float32Array(new SharedArrayBuffer(w.length * 4));
    shared.set(w);
    return shared;
  }

  /** Takes the fit's weight constraints (checked against the plan's dense layers). */
  private useConstraints(constraints: readonly WeightConstraint[]): void {
    const next = new Map<string, WeightConstraint>();
    for (const c of constraints) {
      const layer = this.plan.layers.find((l) => l.id === c.layer);
      if (layer?.kind !== "dense") {
        throw new NeuroBridgeError(
          "OPTION_INVALID",
          `weightConstraints: '${c.layer}' is not a dense layer of this network; dense layers: ${this.plan.layers
            .filter((l) => l.kind === "dense")
            .map((l) => l.id)
            .join(", ")}`,
        );
      }
      if (c.mask && c.mask.length !== layer.outFeatures * layer.inFeatures) {
        throw new NeuroBridgeError(
          "OPTION_INVALID",
          `weightConstraints: the mask of '${c.layer}' has ${c.mask.length} entries, expected ${layer.outFeatures}×${layer.inFeatures}`,
        );
      }
      next.set(`${c.layer}.weight`, c);
    }
    this.constraints = next;
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
    saveCheckpoint(dir, { spec: this.plan.spec, weights: this.weights(), optimizer, progress, plugins: this.runtime.pluginRecords() });
  }

  /** Trains until `options.epochs` epochs are complete (counting restored ones), or the signal fires. */
  async fit(options: TrainerFitOptions): Promise<TrainerFitResult> {
    const { train, batchSize, epochs } = options;
    if (!(Number.isInteger(batchSize) && batchSize > 0))
      throw new NeuroBridgeError("BATCH_INVALID", `batch size must be a positive integer, got ${batchSize}`);
    if (!(Number.isInteger(epochs) && epochs > 0))
      throw new NeuroBridgeError("EPOCHS_INVALID", `epochs must be a positive integer, got ${epochs}`);
    // Checks the rule's settings now rather than after the first epoch.
    if (options.earlyStopping) shouldStopEarly([], options.earlyStopping);
    if (options.weightConstraints) this.useConstraints(options.weightConstraints);
    if (!(options.learningRate > 0)) throw new NeuroBridgeError("LR_INVALID", `learning rate must be > 0, got ${options.learningRate}`);
    const inputSize = this.plan.inputSize;
    if (train.features !== inputSize) {
      throw new NeuroBridgeError(
        "SHAPE_MISMATCH",
        `the data has ${train.features} features per example but the network's input takes ${inputSize}`,
      );
    }
    const lossSpec = this.runtime.loss(options.loss ?? defaultLoss(this.plan));
    const lossParams = {
      ...strategyParams({ name: lossSpec.name, ...(options.lossParams ? { params: options.lossParams } : {}) }, lossSpec),
    };
    const lossConfig = { name: lossSpec.name, params: lossParams, reads: lossSpec.reads };
    const shuffle = createRandom(this.seed).fork("shuffle");
    let firstLoss: number | undefined;
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
        firstLoss ??= loss.loss;
        // Non-finite, or finite but a thousand times the run's first loss: diverged either way.
        if (!Number.isFinite(loss.loss) || loss.loss > EXPLOSION * Math.max(firstLoss, 1e-3)) {
          throw new NeuroBridgeError(
            "TRAINING_DIVERGED",
            `loss became ${loss.loss} at epoch ${this.epoch + 1}, batch ${this.batch + 1}: training diverged. Lower the learning rate (now ${options.learningRate})` +
              `${intactCheckpoint(options.checkpointDir)}.`,
          );
        }
        const grads = loss.grads;
        // Straight through the constraint: the raw weights take the gradient of the constrained ones, masked.
        for (const [name, constraint] of this.constraints) {
          const g = grads[name];
          if (!g || !constraint.mask) continue;
          for (let i = 0; i < g.length; i++) if (!constraint.mask[i]) g[i] = 0;
        }
        for (const [name, bounded] of this.bounded) {
          const g = grads[name];
          if (!g) continue;
          const raw = this.raw[name] as Float32Array;
          for (let i = 0; i < g.length; i++) {
            const s = sigmoid(raw[i] as number);
            g[i] = (g[i] as number) * bounded.span * s * (1 - s);
          }
        }
        const learningRate = scheduledLearningRate(
          options.learningRate,
          options.lrSchedule ?? TRAINING_DEFAULTS.lrSchedule,
          this.adam.step,
          epochs * batches,
        );
        adamStep(this.raw, grads, this.adam, { learningRate });
        const runaway = runawayParameter(this.raw);
        if (runaway) {
          throw new NeuroBridgeError(
            "TRAINING_DIVERGED",
            `${runaway.name}[${runaway.index}] became ${runaway.value} at epoch ${this.epoch + 1}, batch ${this.batch + 1} (loss ${loss.loss}): training diverged. Lower the learning rate (now ${options.learningRate}) or check the neuron's parameters` +
              `${intactCheckpoint(options.checkpointDir)}.`,
          );
        }
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
      const test = options.test
        ? await this.evaluate(options.test, options.evalBatchSize ? { batchSize: options.evalBatchSize } : {})
        : undefined;
      const record: EpochRecord = {
        epoch: this.epoch + 1,
        trainLoss: this.running.loss / this.running.seen,
        trainAccuracy: this.running.correct / this.running.seen,
        ...(test ? { testAccuracy: test.accuracy } : {}),
        seconds: this.running.seconds,
      };
      this.history.push(record);
      this.epoch++;
      this.batch = 0;
      this.running = { loss: 0, correct: 0, seen: 0, seconds: 0 };
      if (options.checkpointDir) this.checkpoint(options.checkpointDir);
      const stop = options.onEpoch?.(record) === "stop";
      if (stop || (options.earlyStopping && shouldStopEarly(this.history, options.earlyStopping))) {
        return { history: this.history, weights: this.weights(), status: "stopped" };
      }
    }
    return { history: this.history, weights: this.weights(), status: "completed" };
  }

  /** Evaluates the current weights on `data` (accuracy, activity, ops). */
  evaluate(data: Dataset, options: { readonly batchSize?: number } = {}): Promise<Evaluation> {
    return evaluate(this.runtime, this.plan, this.engine, this.forwardParams(), data, {
      rngLabel: "eval",
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
  }

  /** Stops the engine's workers, if any. */
  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}
