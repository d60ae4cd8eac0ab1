/**
 * The `tfjs` backend as registered through the runtime: runs a
 * {@link NetworkPlan} on the chain executor (GEMMs on ONNX Runtime where
 * available, registered kernels, tfjs autograd through every other model's
 * `step`), trains it, evaluates it — in this thread or on worker threads that
 * rebuild the runtime from the plugins' sources.
 */

import { availableParallelism } from "node:os";
import {
  type BackendCheck,
  type CompiledNetwork,
  checkRecord,
  createRandom,
  type Dataset,
  describeCheck,
  type EvaluateOptions,
  type Evaluation,
  type LayerRecording,
  type NetworkPlan,
  NeuroBridgeError,
  type NeuronPlanLayer,
  type RunOptions,
  type RunResult,
  type Runtime,
  requireBound,
  type TrainerOptions,
  type TrainingBackend,
  type TrainingOptions,
  type TrainingResult,
  trainOn,
  UnsupportedError,
  type Weights,
} from "@neurobridge/core";
import { type Engine, LocalEngine, summarizeForward } from "./engine.js";
import { activityAndOps, evaluate } from "./evaluate.js";
import { ChainExecutor } from "./executor.js";
import { createGemm, type Gemm } from "./gemm.js";
import { ParallelEngine } from "./parallel.js";
import { TFJS_CAPABILITIES } from "./plugin.js";
import { useKernelBackend } from "./tf.js";
import { ExecutorTrainer } from "./trainer.js";

/** Options of the tfjs backend. */
export interface TfjsBackendOptions {
  /** tfjs kernel backend for elementwise work of generic models (default wasm). */
  readonly kernel?: "wasm" | "cpu";
  /** Where dense products run (default: onnxruntime when it loads, else tfjs). */
  readonly gemm?: "onnxruntime" | "tfjs";
  /**
   * ONNX Runtime intra-op threads of this thread's GEMM (default: min(2,
   * cores)). Only products whose sums MLAS's split leaves unchanged are
   * threaded (`mlasSplitKeepsOrder`), so results are the same on any count;
   * the paper's shapes all are. Worker engines give each worker 1 (the
   * workers already fill the cores).
   */
  readonly gemmThreads?: number;
  /**
   * Worker threads for training and evaluation (default: min(2, cores) for
   * multi-step networks, 1 for T = 1 and for evaluations smaller than
   * {@link MIN_SAMPLE_STEPS_FOR_WORKERS}); 1 runs in this thread. Workers rebuild
   * the runtime from each plugin's `source`.
   */
  readonly workers?: number;
}

const CAPABILITIES = TFJS_CAPABILITIES;

/** Sample-steps (samples × T) below which {@link TfjsBackend.evaluate} runs in this thread unless told otherwise. */
export const MIN_SAMPLE_STEPS_FOR_WORKERS = 250_000;

declare module "@neurobridge/core" {
  interface BackendTypes {
    /** `runtime.backend("tfjs")` */
    tfjs: TfjsBackend;
  }
}

/**
 * The tfjs backend: `await runtime.backend("tfjs")` (typed by name).
 *
 * @example
 * ```ts
 * const tfjs = await runtime.backend("tfjs");
 * const run = await tfjs.train(runtime.plan(spec), { train, test, epochs: 2, batchSize: 64, learningRate: 1e-3 });
 * ```
 */
export class TfjsBackend implements TrainingBackend {
  readonly name = "tfjs";
  readonly description =
    "TensorFlow.js backend: surrogate-gradient BPTT training and float32 inference (dense products on ONNX Runtime where available).";
  readonly capabilities = CAPABILITIES;

  private constructor(
    private readonly runtime: Runtime,
    readonly gemm: Gemm,
    readonly kernel: "wasm" | "cpu",
    private readonly options: TfjsBackendOptions,
  ) {}

  /** Where dense products and elementwise work run. */
  info(): Readonly<Record<string, unknown>> {
    return { gemm: this.gemm.name, kernel: this.kernel };
  }

  /** Initialises tfjs and the GEMM provider. */
  static async create(runtime: Runtime, options: TfjsBackendOptions = {}): Promise<TfjsBackend> {
    const kernel = await useKernelBackend(options.kernel ?? "wasm");
    const gemm = await createGemm({
      ...(options.gemm ? { prefer: options.gemm } : {}),
      threads: options.gemmThreads ?? Math.min(2, availableParallelism()),
    });
    return new TfjsBackend(runtime, gemm, kernel as "wasm" | "cpu", options);
  }

  /**
   * Every plan fits: plans are chains by construction, models without a
   * kernel run their own `step`, and the executor learns any learnable
   * parameter through tfjs autograd.
   */
  check(_plan: NetworkPlan): BackendCheck {
    return { fits: true, issues: [] };
  }

  private executor(plan: NetworkPlan): ChainExecutor {
    const check = this.check(plan);
    if (!check.fits) throw new UnsupportedError(describeCheck("tfjs", check));
    return new ChainExecutor(this.runtime, plan, this.gemm);
  }

  /**
   * An engine for `plan`: worker threads when more than one is asked for (or
   * by default for multi-step networks), else this thread. Workers need every
   * plugin the plan uses to have a `source`; when one has none, an explicit
   * request fails naming the fix, and the default runs in this thread and
   * says why in `warnings`.
   */
  async engine(plan: NetworkPlan, seed: number, workers?: number, warnings: string[] = []): Promise<Engine> {
    const executor = this.executor(plan);
    // Workers pay 1–2 ms of messaging per batch: worth it for multi-step
    // (spiking) networks, not for a T = 1 ANN (measured: FFNN 2.6 s/epoch in
    // this thread, 4.0 s on 2 workers; SNN 43 s in this thread, 22–24 s on 2).
    const explicit = workers ?? this.options.workers;
    if (explicit !== undefined && !(Number.isInteger(explicit) && explicit >= 1)) {
      throw new NeuroBridgeError("WORKERS_INVALID", `workers must be a positive integer, got ${explicit}`);
    }
    const wanted = explicit ?? (plan.timeSteps > 1 ? Math.min(2, availableParallelism()) : 1);
    if (wanted > 1) {
      const { sources, missing } = this.runtime.pluginSources(plan.plugins);
      if (missing.length) {
        const message =
          `plugin${missing.length > 1 ? "s" : ""} ${missing.map((m) => `'${m}'`).join(", ")} exist${missing.length > 1 ? "" : "s"} only in this thread, so worker threads cannot register ${missing.length > 1 ? "them" : "it"}. ` +
          'Give the plugin a source — `source: { module: import.meta.url, export: "myPlugin" }` — or load it with `neurobridge --plugin <module>`, or ask for 1 worker';
        if (explicit !== undefined) throw new NeuroBridgeError("PLUGIN_NOT_PORTABLE", `${message}.`);
        warnings.push(`training runs in this thread: ${message}.`);
      } else {
        try {
          return await ParallelEngine.create({
            workers: wanted,
            spec: plan.spec,
            seed,
            plugins: sources,
            ...(this.options.gemm ? { gemm: this.options.gemm } : {}),
            gemmThreads: 1,
            kernel: this.kernel,
          });
        } catch (error) {
          if (explicit !== undefined) throw error;
          warnings.push(`training runs in this thread: worker threads did not start (${(error as Error).message}).`);
        }
      }
    }
    return new LocalEngine(executor, seed, this.gemm.name);
  }

  async compile(plan: NetworkPlan): Promise<CompiledNetwork> {
    requireBound(plan, "compiling for tfjs");
    const executor = this.executor(plan);
    const params = planParams(plan);
    const runtime = this.runtime;
    const engine = new LocalEngine(executor, runtime.seed, this.gemm.name);
    return {
      spec: plan.spec,
      plan,
      async run(input: Float32Array, batch: number, options: RunOptions = {}): Promise<RunResult> {
        const features = input.length / batch;
        if (!Number.isInteger(features)) throw new UnsupportedError(`input of ${input.length} values does not split into ${batch} samples`);
        checkRecord("tfjs", CAPABILITIES, options.record);
        if (options.record?.length) return recordedRun(runtime, plan, executor, params, input, batch, options);
        const ev = await evaluate(
          runtime,
          plan,
          engine,
          params,
          { inputs: input, labels: new Uint8Array(batch), count: batch, features, classes: 0 },
          { batchSize: batch },
        );
        return { outputs: ev.outputs, batch, outputSize: ev.outputs.length / batch, activity: ev.activity, ops: ev.ops };
      },
      dispose() {},
    };
  }

  /** A trainer for `plan` starting from `weights`. */
  async createTrainer(plan: NetworkPlan, weights: Weights, options: TrainerOptions = {}): Promise<ExecutorTrainer> {
    const seed = options.seed ?? this.runtime.seed;
    const warnings: string[] = [];
    const engine = await this.engine(plan, seed, options.workers, warnings);
    try {
      return new ExecutorTrainer(
        this.runtime,
        plan,
        engine,
        weights,
        seed,
        { ...(options.config ?? {}), workers: engine.workers },
        warnings,
      );
    } catch (error) {
      // Invalid weights (e.g. a bad checkpoint): stop the workers, or the process never exits.
      await engine.dispose();
      throw error;
    }
  }

  /**
   * Trains `plan` from `options.weights` (default: fresh initial weights) on
   * `options.train` — a Dataset or plain arrays — and evaluates `options.test`.
   */
  train(plan: NetworkPlan, options: TrainingOptions): Promise<TrainingResult> {
    return trainOn(this.runtime, this, plan, options);
  }

  /** Evaluates a bound plan on `data` (accuracy, speed, activity, ops). */
  async evaluate(plan: NetworkPlan, data: Dataset, options: EvaluateOptions = {}): Promise<Evaluation> {
    requireBound(plan, "evaluating on tfjs");
    // Unless asked, a small evaluation runs in this thread: starting a worker costs ~1.2 s of CPU
    // (loading TensorFlow.js and the plugins), more than it saves below ~250k sample-steps
    // (the paper's 10,000 test images at T = 25 still go to workers).
    const small = data.count * plan.timeSteps < MIN_SAMPLE_STEPS_FOR_WORKERS;
    const workers = options.workers ?? this.options.workers ?? (small ? 1 : undefined);
    const engine = await this.engine(plan, this.runtime.seed, workers);
    try {
      return await evaluate(this.runtime, plan, engine, planParams(plan), data, {
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } finally {
      await engine.dispose();
    }
  }
}

/**
 * One forward pass that keeps what `options.record` asks for in every spiking
 * layer. The encoder draws from the same stream as an unrecorded run, so the
 * outputs are the same.
 */
async function recordedRun(
  runtime: Runtime,
  plan: NetworkPlan,
  executor: ChainExecutor,
  params: Record<string, Float32Array>,
  input: Float32Array,
  batch: number,
  options: RunOptions,
): Promise<RunResult> {
  const record = options.record ?? [];
  const membrane = record.includes("membrane");
  const rng = options.rng ?? createRandom(runtime.seed).fork("eval-0");
  const forward = await executor.forward(params, input, batch, rng, { keepMembrane: membrane, inference: !membrane });
  const T = plan.timeSteps;
  const summary = summarizeForward(forward, T);
  const { activity, ops } = activityAndOps(runtime, plan, summary, batch);
  const recordings: LayerRecording[] = [];
  for (const out of forward.layers) {
    const layer = plan.layers.find((l) => l.id === out.id) as NeuronPlanLayer;
    if (!layer.spiking) continue;
    recordings.push({
      id: layer.id,
      model: layer.model.name,
      size: layer.size,
      timeSteps: T,
      batch,
      ...(record.includes("spikes") ? { spikes: Uint8Array.from(out.output.data) } : {}),
      ...(membrane && out.membrane ? { membrane: out.membrane } : {}),
      ...(layer.params.threshold ? { threshold: Float32Array.from(layer.params.threshold) } : {}),
    });
  }
  return { outputs: summary.scores, batch, outputSize: summary.classes, activity, ops, recordings };
}

/** A bound plan's weights by weight name, as the executor reads them. */
function planParams(plan: NetworkPlan): Record<string, Float32Array> {
  const params: Record<string, Float32Array> = {};
  for (const layer of plan.layers) {
    if (layer.kind === "dense") {
      params[`${layer.id}.weight`] = layer.weight;
      if (layer.bias) params[`${layer.id}.bias`] = layer.bias;
    } else {
      for (const name of layer.learn) params[`${layer.id}.${name}`] = layer.params[name] as Float32Array;
    }
  }
  return params;
}
