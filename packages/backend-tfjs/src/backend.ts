/**
 * The `tfjs` backend as registered through the runtime: compiles specs into
 * the chain executor (GEMMs on ONNX Runtime where available, fused LIF
 * kernels, tfjs autograd for every other neuron model) and trains them.
 */

import { availableParallelism } from "node:os";
import {
  type Backend,
  type CompiledNetwork,
  type NetworkSpec,
  type NeuroBridgePlugin,
  type RandomSource,
  type RunOptions,
  type RunResult,
  type Runtime,
  specEdges,
  UnsupportedError,
  type ValidationIssue,
  validateWeights,
  type Weights,
} from "@neurobridge/core";
import { type Engine, LocalEngine } from "./engine.js";
import { evaluate } from "./evaluate.js";
import { ChainExecutor } from "./executor.js";
import { createGemm, type Gemm } from "./gemm.js";
import { ParallelEngine } from "./parallel.js";
import { useKernelBackend } from "./tf.js";
import { ExecutorTrainer } from "./trainer.js";

/** Options of the tfjs backend. */
export interface TfjsBackendOptions {
  /** tfjs kernel backend for elementwise work of generic models (default wasm). */
  readonly kernel?: "wasm" | "cpu";
  /** Where dense products run (default: onnxruntime when it loads, else tfjs). */
  readonly gemm?: "onnxruntime" | "tfjs";
  /**
   * ONNX Runtime intra-op threads of this thread's GEMM (default 1: measured
   * here, 2 threads made an FFNN epoch 1.7× slower — the pool wakes per
   * call). Worker engines give each worker 1.
   */
  readonly gemmThreads?: number;
  /**
   * Worker threads for training and evaluation (default: min(2, cores) for
   * multi-step networks, 1 for T = 1). 1 runs in this thread. Workers host the bundled neuron models and
   * `workerPlugins`; a spec they cannot host runs in this thread.
   */
  readonly workers?: number;
  /** Plugin modules (paths or package names) the workers import. */
  readonly workerPlugins?: readonly string[];
}

const CAPABILITIES = { train: true, eventDriven: false, precisions: ["float32"] } as const;

/** The tfjs backend. */
export class TfjsBackend implements Backend {
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

  /** Initialises tfjs and the GEMM provider. */
  static async create(runtime: Runtime, options: TfjsBackendOptions = {}): Promise<TfjsBackend> {
    const kernel = await useKernelBackend(options.kernel ?? "wasm");
    const gemm = await createGemm({ ...(options.gemm ? { prefer: options.gemm } : {}), threads: options.gemmThreads ?? 1 });
    return new TfjsBackend(runtime, gemm, kernel as "wasm" | "cpu", options);
  }

  check(spec: NetworkSpec): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const outDegree = new Map<string, number>();
    for (const [from] of specEdges(spec)) outDegree.set(from, (outDegree.get(from) ?? 0) + 1);
    for (const [id, n] of outDegree) {
      if (n > 1)
        issues.push({
          path: `nodes.${id}`,
          message: `feeds ${n} nodes; the tfjs backend runs chains (input → (dense → neuron)* → output)`,
        });
    }
    spec.nodes.forEach((node, i) => {
      if (node.type !== "neuron" || !node.learn?.length) return;
      const bad = node.learn.filter((p) => !(node.model === "lif" && p === "beta"));
      if (bad.length)
        issues.push({
          path: `nodes[${i}].learn`,
          message: `the tfjs backend learns lif's beta only; cannot learn ${bad.join(", ")} of '${node.model}'`,
        });
    });
    return issues;
  }

  private executor(spec: NetworkSpec): ChainExecutor {
    const issues = this.check(spec);
    if (issues.length)
      throw new UnsupportedError(
        `the tfjs backend cannot host this network:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`,
      );
    return new ChainExecutor(this.runtime, spec, this.gemm);
  }

  /**
   * An engine for `spec`: worker threads when more than one is asked for (or
   * by default) and they can host the spec, else this thread.
   */
  async engine(spec: NetworkSpec, seed: number, workers?: number): Promise<Engine> {
    const executor = this.executor(spec);
    // Workers pay 1–2 ms of messaging per batch: worth it for multi-step
    // (spiking) networks, not for a T = 1 ANN (measured: FFNN 2.6 s/epoch in
    // this thread, 4.0 s on 2 workers; SNN 43 s in this thread, 22–24 s on 2).
    const wanted = workers ?? this.options.workers ?? (spec.timeSteps > 1 ? Math.min(2, availableParallelism()) : 1);
    if (wanted > 1) {
      try {
        return await ParallelEngine.create({
          workers: wanted,
          spec: executor.spec,
          seed,
          plugins: this.options.workerPlugins ?? [],
          ...(this.options.gemm ? { gemm: this.options.gemm } : {}),
          gemmThreads: 1,
          kernel: this.kernel,
        });
      } catch (error) {
        if (workers !== undefined || this.options.workers !== undefined) throw error;
      }
    }
    return new LocalEngine(executor, seed, this.gemm.name);
  }

  async compile(spec: NetworkSpec, weights: Weights): Promise<CompiledNetwork> {
    const executor = this.executor(spec);
    validateWeights(spec, weights, this.runtime);
    const params = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.data]));
    const runtime = this.runtime;
    const engine = new LocalEngine(executor, runtime.seed, this.gemm.name);
    return {
      spec: executor.spec,
      async run(input: Float32Array, batch: number, _options: RunOptions = {}): Promise<RunResult> {
        const features = input.length / batch;
        if (!Number.isInteger(features)) throw new UnsupportedError(`input of ${input.length} values does not split into ${batch} samples`);
        const ev = await evaluate(
          runtime,
          executor.spec,
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

  /** A trainer; `rng`'s seed seeds everything stochastic in training. */
  createTrainer(
    spec: NetworkSpec,
    weights: Weights,
    rng: RandomSource,
    config: Readonly<Record<string, unknown>> = {},
  ): Promise<ExecutorTrainer> {
    return this.trainerWithSeed(spec, weights, rng.seed, config);
  }

  /** A trainer seeded with `seed` directly (what checkpoints record); `workers` as in {@link engine}. */
  async trainerWithSeed(
    spec: NetworkSpec,
    weights: Weights,
    seed: number,
    config: Readonly<Record<string, unknown>> = {},
    workers?: number,
  ): Promise<ExecutorTrainer> {
    const engine = await this.engine(spec, seed, workers);
    return new ExecutorTrainer(this.runtime, spec, engine, weights, seed, { ...config, workers: engine.workers });
  }

  /** Evaluates `weights` of `spec` on `data` (accuracy, speed, activity, ops). */
  async evaluate(
    spec: NetworkSpec,
    weights: Weights,
    data: import("@neurobridge/core").Dataset,
    options: { batchSize?: number; workers?: number } = {},
  ) {
    const engine = await this.engine(spec, this.runtime.seed, options.workers);
    try {
      const params = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.data]));
      return await evaluate(this.runtime, spec, engine, params, data, options.batchSize ? { batchSize: options.batchSize } : {});
    } finally {
      await engine.dispose();
    }
  }
}

/** Registers the `tfjs` backend. */
export function tfjsPlugin(options: TfjsBackendOptions = {}): NeuroBridgePlugin {
  return {
    name: "@neurobridge/backend-tfjs",
    version: "0.1.0",
    description: "TensorFlow.js backend: training and inference.",
    requires: ["@neurobridge/neurons-lif"],
    register(r) {
      r.backend({
        name: "tfjs",
        description:
          "TensorFlow.js: surrogate-gradient BPTT training and float32 inference (dense products on ONNX Runtime where available).",
        capabilities: CAPABILITIES,
        create: (runtime) => TfjsBackend.create(runtime, options),
      });
    },
  };
}
