/**
 * A worker thread of the parallel engine: it rebuilds the caller's runtime
 * from the plugins' sources (the same registrations, models and kernels, in
 * the same order), plans the spec and runs training steps and evaluation
 * passes on shards of batches. See `parallel.ts`.
 */
import "reflect-metadata";
import { parentPort } from "node:worker_threads";
import { createRandom, createRuntime, importPlugin, type NetworkSpec, type PluginSource } from "@neurobridge/core";
import { executorTrainStep, type LossConfig, summarizeForward } from "./engine.js";
import { ChainExecutor, type ParamArrays } from "./executor.js";
import { createGemm } from "./gemm.js";
import { useKernelBackend } from "./tf.js";

/** Messages the worker accepts. */
export type WorkerRequest =
  | {
      type: "init";
      spec: NetworkSpec;
      seed: number;
      plugins: PluginSource[];
      gemm?: "onnxruntime" | "tfjs";
      gemmThreads: number;
      kernel: "wasm" | "cpu";
    }
  | {
      type: "step";
      id: number;
      shard: number;
      /** Omitted: the shared-memory parameters of the last request that had them. */
      params?: ParamArrays;
      /** A new shared-memory input box to keep (sent when the engine allocates or grows it). */
      inputBox?: Float32Array;
      /** The shard's inputs are the first `samples` rows of the input box. */
      samples: number;
      labels: Uint8Array;
      loss: LossConfig;
      rngLabel: string;
      meanOver: number;
    }
  | { type: "summarize"; id: number; shard: number; params?: ParamArrays; inputs: Float32Array; batch: number; rngLabel: string };

if (!parentPort) throw new Error("worker.ts must run in a worker thread");
const port = parentPort;

let executor: ChainExecutor | undefined;
let seed = 0;
let params: ParamArrays | undefined;
/**
 * Shared memory the engine and this worker exchange training steps through:
 * the engine writes the shard's inputs into `inputBox`, this worker writes
 * its gradients into `gradBox` (allocated here on the first step and sent
 * once). Nothing is allocated or copied per step beyond one write each way.
 */
let inputBox: Float32Array | undefined;
let gradBox: ParamArrays | undefined;

/** Copies `grads` into the shared gradient box; returns the box when it is new (the engine keeps it). */
function publish(grads: ParamArrays): ParamArrays | undefined {
  const fits =
    gradBox !== undefined &&
    Object.keys(grads).length === Object.keys(gradBox).length &&
    Object.entries(grads).every(([name, g]) => gradBox?.[name]?.length === g.length);
  const fresh = !fits;
  if (fresh) {
    gradBox = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, new Float32Array(new SharedArrayBuffer(g.length * 4))]));
  }
  const box = gradBox as ParamArrays;
  for (const [name, g] of Object.entries(grads)) (box[name] as Float32Array).set(g);
  return fresh ? box : undefined;
}

/** Requests run one after another in arrival order (the engine may queue the next while one runs; passes must not interleave). */
let queue: Promise<void> = Promise.resolve();
port.on("message", (message: WorkerRequest) => {
  queue = queue.then(() => handle(message));
});

async function handle(message: WorkerRequest): Promise<void> {
  try {
    if (message.type === "init") {
      await useKernelBackend(message.kernel);
      const plugins = [];
      for (const source of message.plugins) plugins.push(await importPlugin(source));
      const runtime = createRuntime({ plugins, seed: message.seed });
      const gemm = await createGemm({ ...(message.gemm ? { prefer: message.gemm } : {}), threads: message.gemmThreads });
      executor = new ChainExecutor(runtime, runtime.plan(message.spec), gemm);
      seed = message.seed;
      port.postMessage({ type: "ready", implementations: executor.implementations });
      return;
    }
    if (!executor) throw new Error("worker used before init");
    if (message.params) params = message.params;
    if (!params) throw new Error("worker sent a step before any parameters");
    const rng = createRandom(seed).fork(message.rngLabel).fork(`shard-${message.shard}`);
    if (message.type === "step") {
      if (message.inputBox) inputBox = message.inputBox;
      if (!inputBox) throw new Error("worker sent a step before any input box");
      const features = executor.plan.inputSize;
      const inputs = inputBox.subarray(0, message.samples * features);
      const result = await executorTrainStep(executor, params, inputs, message.labels, message.loss, rng, message.meanOver);
      const box = publish(result.grads);
      port.postMessage({
        type: "result",
        id: message.id,
        result: { loss: result.loss, correct: result.correct, ...(box ? { grads: box } : {}) },
      });
    } else {
      const forward = await executor.forward(params, message.inputs, message.batch, rng, { inference: true, transient: true });
      port.postMessage({ type: "result", id: message.id, result: summarizeForward(forward, executor.plan.timeSteps) });
    }
  } catch (error) {
    port.postMessage({ type: "error", id: (message as { id?: number }).id, message: (error as Error).message });
  }
}
