/**
 * The `tfjs` backend as registered through the runtime: compiles specs into
 * the chain executor (GEMMs on ONNX Runtime where available, fused LIF
 * kernels, tfjs autograd for every other neuron model) and trains them.
 */
import {
  type Backend,
  type CompiledNetwork,
  createRandom,
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
import { evaluate } from "./evaluate.js";
import { ChainExecutor } from "./executor.js";
import { createGemm, type Gemm } from "./gemm.js";
import { useKernelBackend } from "./tf.js";
import { ExecutorTrainer } from "./trainer.js";

/** Options of the tfjs backend. */
export interface TfjsBackendOptions {
  /** tfjs kernel backend for elementwise work of generic models (default wasm). */
  readonly kernel?: "wasm" | "cpu";
  /** Where dense products run (default: onnxruntime when it loads, else tfjs). */
  readonly gemm?: "onnxruntime" | "tfjs";
  /** ONNX Runtime intra-op threads (default 1: measured faster than 2 beside the JS kernels). */
  readonly gemmThreads?: number;
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
    readonly kernel: string,
  ) {}

  /** Initialises tfjs and the GEMM provider. */
  static async create(runtime: Runtime, options: TfjsBackendOptions = {}): Promise<TfjsBackend> {
    const kernel = await useKernelBackend(options.kernel ?? "wasm");
    const gemm = await createGemm({ ...(options.gemm ? { prefer: options.gemm } : {}), threads: options.gemmThreads ?? 1 });
    return new TfjsBackend(runtime, gemm, kernel);
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

  async compile(spec: NetworkSpec, weights: Weights): Promise<CompiledNetwork> {
    const executor = this.executor(spec);
    validateWeights(spec, weights, this.runtime);
    const params = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.data]));
    const runtime = this.runtime;
    return {
      spec: executor.spec,
      async run(input: Float32Array, batch: number, options: RunOptions = {}): Promise<RunResult> {
        const features = input.length / batch;
        if (!Number.isInteger(features)) throw new UnsupportedError(`input of ${input.length} values does not split into ${batch} samples`);
        const ev = await evaluate(
          runtime,
          executor,
          params,
          { inputs: input, labels: new Uint8Array(batch), count: batch, features, classes: 0 },
          {
            batchSize: batch,
            rng: options.rng ?? runtime.random("encoder"),
          },
        );
        return { outputs: ev.outputs, batch, outputSize: ev.outputs.length / batch, activity: ev.activity, ops: ev.ops };
      },
      dispose() {},
    };
  }

  /** A trainer; `rng` seeds everything stochastic in training. */
  async createTrainer(
    spec: NetworkSpec,
    weights: Weights,
    rng: RandomSource,
    config: Readonly<Record<string, unknown>> = {},
  ): Promise<ExecutorTrainer> {
    return new ExecutorTrainer(this.runtime, spec, this.executor(spec), weights, rng.seed, config);
  }

  /** A trainer seeded with `seed` directly (what checkpoints record). */
  trainerWithSeed(spec: NetworkSpec, weights: Weights, seed: number, config: Readonly<Record<string, unknown>> = {}): ExecutorTrainer {
    return new ExecutorTrainer(this.runtime, spec, this.executor(spec), weights, seed, config);
  }

  /** An executor for evaluation of `spec`. */
  evaluator(spec: NetworkSpec): ChainExecutor {
    return this.executor(spec);
  }

  /** Seeded RNG helper for callers without a runtime stream. */
  static rng(seed: number): RandomSource {
    return createRandom(seed);
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
