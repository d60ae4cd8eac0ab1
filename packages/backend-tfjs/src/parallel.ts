/**
 * Data parallelism across worker threads. Each batch is split into contiguous
 * shards, one per worker; each worker runs forward, loss and backward on its
 * shard with the loss averaged over the whole batch, so the gradients simply
 * add. They are summed in shard order, which keeps the result deterministic
 * for a given number of workers (recorded in checkpoints). Stochastic
 * encoders draw per shard from the seed, epoch, batch and shard index.
 *
 * Node's wasm tfjs and the JS kernels use one core each; two workers use both
 * cores of the CI machine.
 */
import { Worker } from "node:worker_threads";
import { type NetworkSpec, NeuroBridgeError, type PluginSource } from "@neurobridge/core";
import { workerExecArgv, workerScript } from "@neurobridge/core/node";
import { type Engine, type ForwardSummary, type LossConfig, mergeSummaries, type TrainStepResult } from "./engine.js";
import type { ParamArrays } from "./executor.js";
import type { WorkerRequest } from "./worker.js";

export { workerExecArgv };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Options of {@link ParallelEngine.create}. */
export interface ParallelOptions {
  readonly workers: number;
  readonly spec: NetworkSpec;
  readonly seed: number;
  /** Where each plugin of the caller's runtime is imported from (see `Runtime.pluginSources`). */
  readonly plugins: readonly PluginSource[];
  readonly gemm?: "onnxruntime" | "tfjs";
  readonly gemmThreads?: number;
  readonly kernel?: "wasm" | "cpu";
}

/** Splits `count` samples into `parts` contiguous shards (the first ones one larger). */
export function shardSizes(count: number, parts: number): number[] {
  const base = Math.floor(count / parts);
  return Array.from({ length: parts }, (_, k) => base + (k < count % parts ? 1 : 0)).filter((n) => n > 0);
}

/** Runs work units on worker threads. */
export class ParallelEngine implements Engine {
  readonly name: string;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** The parameters the workers hold; shared-memory arrays need not be sent again (the workers see updates). */
  private held: ParamArrays | undefined;
  /** Per worker: the shared input box the engine writes shards into, and the shared gradient box the worker writes into. */
  private readonly inputBoxes: (Float32Array | undefined)[] = [];
  private readonly gradBoxes: (ParamArrays | undefined)[] = [];
  /** The summed gradients a training step returns (reused: valid until the next step). */
  private gradSum: ParamArrays | undefined;

  private constructor(
    private readonly threads: Worker[],
    readonly workers: number,
    private readonly features: number,
    readonly implementations: Readonly<Record<string, string>>,
  ) {
    this.name = `${workers} worker threads`;
    for (const w of threads) {
      w.on("message", (m: { type: string; id: number; result?: unknown; message?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.type === "error") p.reject(new NeuroBridgeError("WORKER_FAILED", `worker: ${m.message}`));
        else p.resolve(m.result);
      });
      w.on("error", (error) => {
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      });
    }
  }

  /** Starts the workers and waits until each has compiled the spec. */
  static async create(options: ParallelOptions): Promise<ParallelEngine> {
    if (!(Number.isInteger(options.workers) && options.workers >= 1)) {
      throw new NeuroBridgeError("WORKERS_INVALID", `workers must be a positive integer, got ${options.workers}`);
    }
    const url = workerScript(import.meta.url, "./worker.js");
    const threads = Array.from({ length: options.workers }, () => new Worker(url, { execArgv: workerExecArgv() }));
    const init: WorkerRequest = {
      type: "init",
      spec: options.spec,
      seed: options.seed,
      plugins: [...options.plugins],
      ...(options.gemm ? { gemm: options.gemm } : {}),
      gemmThreads: options.gemmThreads ?? 1,
      kernel: options.kernel ?? "wasm",
    };
    let implementations: Record<string, string> = {};
    try {
      await Promise.all(
        threads.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = (m: { type: string; message?: string; implementations?: Record<string, string> }) => {
                w.off("message", onMessage);
                if (m.implementations) implementations = m.implementations;
                if (m.type === "ready") resolve();
                else reject(new NeuroBridgeError("WORKER_FAILED", `worker could not start: ${m.message}`));
              };
              w.on("message", onMessage);
              w.once("error", reject);
              w.postMessage(init);
            }),
        ),
      );
    } catch (error) {
      await Promise.all(threads.map((w) => w.terminate()));
      throw error;
    }
    const inputNode = options.spec.nodes.find((n) => n.type === "input");
    const features = inputNode?.type === "input" ? inputNode.shape.reduce((a, b) => a * b, 1) : 0;
    return new ParallelEngine(threads, options.workers, features, implementations);
  }

  private call<T>(worker: Worker, request: WorkerRequest & { id: number }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(request.id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage(request);
    });
  }

  /** Sends shard k of a `batch`-sample batch to worker k, built by `request`, and awaits all replies in shard order. */
  private forShards<T>(
    batch: number,
    request: (shard: number, from: number, size: number) => WorkerRequest & { id: number },
  ): Promise<T[]> {
    let from = 0;
    return Promise.all(
      shardSizes(batch, this.workers).map((size, shard) => {
        const start = from;
        from += size;
        return this.call<T>(this.threads[shard] as Worker, request(shard, start, size));
      }),
    );
  }

  /**
   * Parameters for a request: omitted when they are the shared-memory arrays
   * the workers already hold (the trainer updates them in place between steps).
   */
  private paramsToSend(params: ParamArrays): ParamArrays | undefined {
    const held = this.held;
    const same =
      held !== undefined &&
      Object.keys(params).length === Object.keys(held).length &&
      Object.entries(params).every(([name, p]) => held[name] === p && p.buffer instanceof SharedArrayBuffer);
    if (same) return undefined;
    this.held = params;
    return params;
  }

  private slice(inputs: Float32Array, from: number, size: number): Float32Array {
    return inputs.slice(from * this.features, (from + size) * this.features);
  }

  async trainStep(
    params: ParamArrays,
    inputs: Float32Array,
    labels: Uint8Array,
    loss: LossConfig,
    rngLabel: string,
  ): Promise<TrainStepResult> {
    const batch = labels.length;
    const sent = this.paramsToSend(params);
    const F = this.features;
    const results = await this.forShards<{ loss: number; correct: number; grads?: ParamArrays }>(batch, (shard, from, size) => {
      // The shard goes through the worker's shared input box (grown when a larger shard comes): no per-step allocation.
      let box = this.inputBoxes[shard];
      const fresh = !box || box.length < size * F;
      if (fresh) {
        box = new Float32Array(new SharedArrayBuffer(size * F * 4));
        this.inputBoxes[shard] = box;
      }
      (box as Float32Array).set(inputs.subarray(from * F, (from + size) * F));
      return {
        type: "step",
        id: this.nextId++,
        shard,
        ...(sent ? { params: sent } : {}),
        ...(fresh ? { inputBox: box as Float32Array } : {}),
        samples: size,
        labels: labels.slice(from, from + size),
        loss,
        rngLabel,
        meanOver: batch,
      };
    });
    results.forEach((r, shard) => {
      if (r.grads) this.gradBoxes[shard] = r.grads;
    });
    const boxes = results.map((_, shard) => this.gradBoxes[shard] as ParamArrays);
    const first = boxes[0] as ParamArrays;
    const sameLayout =
      this.gradSum !== undefined &&
      Object.keys(first).length === Object.keys(this.gradSum).length &&
      Object.entries(first).every(([name, g]) => this.gradSum?.[name]?.length === g.length);
    if (!sameLayout) this.gradSum = Object.fromEntries(Object.entries(first).map(([name, g]) => [name, new Float32Array(g.length)]));
    const grads = this.gradSum as ParamArrays;
    for (const name of Object.keys(first)) {
      // Summed in shard order, as always: the same bits for the same number of workers.
      const sum = grads[name] as Float32Array;
      sum.set(first[name] as Float32Array);
      for (let k = 1; k < boxes.length; k++) {
        const g = (boxes[k] as ParamArrays)[name] as Float32Array;
        for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (g[i] as number);
      }
    }
    return { loss: results.reduce((s, r) => s + r.loss, 0), correct: results.reduce((s, r) => s + r.correct, 0), grads };
  }

  async summarize(params: ParamArrays, inputs: Float32Array, batch: number, rngLabel: string): Promise<ForwardSummary> {
    const sent = this.paramsToSend(params);
    const parts = await this.forShards<ForwardSummary>(batch, (shard, from, size) => ({
      type: "summarize",
      id: this.nextId++,
      shard,
      ...(sent ? { params: sent } : {}),
      inputs: this.slice(inputs, from, size),
      batch: size,
      rngLabel,
    }));
    return mergeSummaries(parts);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((w) => w.terminate()));
  }
}
