/**
 * A deployment's emulators over a labelled dataset on every core: the main
 * thread and worker threads (each repeating the deployment once from its
 * {@link DeploymentSource}) take batches from one queue. A batch's random
 * stream is drawn here, as the serial evaluation draws it, and its state
 * travels with the batch, so scores and counters are the serial run's for
 * any number of threads. Node only (worker threads).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Dataset, RandomSource } from "@neurobridge/core";
import { workerExecArgv, workerScript } from "@neurobridge/core/node";
import type { Deployment } from "../deploy.js";
import { addCounters, type EmulatorCounters } from "./counters.js";
import type { EmulatorWorkerReply, EmulatorWorkerRequest } from "./emulator-worker.js";
import { type EmulatorEvaluation, evaluateEmulator, evaluationOf } from "./evaluate.js";
import type { ChipEmulator } from "./event-emulator.js";

/** Which of a deployment's emulators: the target's own arithmetic, or the float model of the same network. */
export type EmulatorChoice = "chip" | "float";

/** The emulator of `deployment` that `which` names. */
export const emulatorOf = (deployment: Deployment, which: EmulatorChoice): ChipEmulator =>
  which === "chip" ? deployment.emulator : deployment.floatEmulator;

/** Threads a parallel evaluation uses by default: the machine's cores, at most 8. */
export const defaultEmulatorThreads = (): number => Math.min(8, availableParallelism());

/** One worker thread. */
interface Helper {
  readonly worker: Worker;
  /** Resolves when the deployment is placed in the worker; false when it could not start. */
  readonly ready: Promise<boolean>;
  /** Whether `ready` has resolved true (known synchronously, so work is handed out before the main thread starts). */
  started: boolean;
}

/**
 * Worker threads holding a copy of one deployment, reused by every
 * {@link evaluateDeployment} on it (placing the deployment is their start-up
 * cost, paid once). {@link EmulatorPool.close} ends them.
 */
export class EmulatorPool {
  private constructor(
    readonly deployment: Deployment,
    private readonly helpers: readonly Helper[],
  ) {}

  /** Threads in all, the main thread included. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Waits until every worker has placed the deployment (or failed to); resolves to how many can emulate. */
  async ready(): Promise<number> {
    const started = await Promise.all(this.helpers.map((h) => h.ready));
    return started.filter(Boolean).length;
  }

  /**
   * Starts `threads − 1` workers for `deployment` (they start in the
   * background). Returns undefined when there is nothing to parallelise:
   * one thread, a deployment without a source, or `work` (the samples and
   * batch size it will emulate per run) too small to repay the start-up.
   */
  static start(
    deployment: Deployment,
    threads = defaultEmulatorThreads(),
    work?: { readonly count: number; readonly batchSize: number },
  ): EmulatorPool | undefined {
    const source = deployment.source;
    if (!source || threads < 2) return undefined;
    if (work && Math.ceil(work.count / work.batchSize) < MIN_BATCHES_FOR_WORKERS) return undefined;
    const url = workerScript(import.meta.url, "./emulator-worker.js");
    const helpers = Array.from({ length: threads - 1 }, (): Helper => {
      const worker = new Worker(url, { execArgv: workerExecArgv() });
      const helper: { worker: Worker; ready?: Promise<boolean>; started: boolean } = { worker, started: false };
      helper.ready = new Promise<boolean>((resolve) => {
        worker.once("message", (m: EmulatorWorkerReply) => {
          helper.started = m.type === "ready";
          resolve(helper.started);
        });
        worker.once("error", () => resolve(false));
      });
      worker.postMessage({ type: "init", source } satisfies EmulatorWorkerRequest);
      return helper as Helper;
    });
    return new EmulatorPool(deployment, helpers);
  }

  /** Emulates `data` with the main thread and every worker that started; see {@link evaluateDeployment}. */
  async evaluate(
    which: EmulatorChoice,
    data: Dataset,
    rngFor: (offset: number) => RandomSource,
    batchSize: number,
    onProgress?: (done: number, total: number) => void,
  ): Promise<EmulatorEvaluation> {
    const emulator = emulatorOf(this.deployment, which);
    const F = data.features;
    const C = emulator.plan.chain.outputSize;
    const batches = Math.ceil(data.count / batchSize);
    const scores = new Float32Array(data.count * C);
    const counters: (EmulatorCounters | undefined)[] = new Array(batches);
    const start = performance.now();
    const queue = Array.from({ length: batches }, (_, k) => k);
    let done = 0;
    const rows = (k: number) => ({ offset: k * batchSize, batch: Math.min(batchSize, data.count - k * batchSize) });
    const record = (k: number, batchScores: Float32Array, batchCounters: EmulatorCounters) => {
      const { offset, batch } = rows(k);
      scores.set(batchScores, offset * C);
      counters[k] = batchCounters;
      done += batch;
      onProgress?.(done, data.count);
    };
    // A worker keeps two batches in hand (one near the end), so it never waits while the main thread computes.
    let helped = 0;
    const remote = async ({ worker, ready, started }: Helper): Promise<void> => {
      // A started worker gets its batches now; one still starting, when it is ready.
      if (!started && !(await ready)) return;
      let results = 0;
      await new Promise<void>((resolve) => {
        const inHand = new Set<number>();
        const send = () => {
          const k = queue.shift();
          if (k === undefined) return;
          const { offset, batch } = rows(k);
          inHand.add(k);
          const request: EmulatorWorkerRequest = {
            type: "run",
            id: k,
            which,
            inputs: data.inputs.slice(offset * F, (offset + batch) * F),
            batch,
            rngState: rngFor(offset).getState(),
          };
          worker.postMessage(request);
        };
        const stop = () => {
          worker.off("message", onMessage);
          worker.off("error", stop);
          // What it had not finished goes back to the queue (the main thread takes it).
          queue.push(...inHand);
          inHand.clear();
          resolve();
        };
        const onMessage = (m: EmulatorWorkerReply) => {
          if (m.type !== "result") return stop();
          inHand.delete(m.id);
          if (results++ === 0) helped++;
          record(m.id, m.scores, m.counters);
          // Near the end, one batch at a time, so the main thread is not left waiting on a worker's spare.
          const want = queue.length > 2 ? 2 : 1;
          while (inHand.size < want && queue.length > 0) send();
          if (inHand.size === 0) stop();
        };
        worker.on("message", onMessage);
        worker.on("error", stop);
        send();
        send();
        if (inHand.size === 0) stop();
      });
    };
    const local = async () => {
      for (let k = queue.shift(); k !== undefined; k = queue.shift()) {
        const { offset, batch } = rows(k);
        const run = await emulator.run(data.inputs.subarray(offset * F, (offset + batch) * F), batch, rngFor(offset));
        record(k, run.scores, run.counters);
        // Let the workers' messages in (an emulator without an off-chip layer never awaits).
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const helping = Promise.all(this.helpers.map(remote));
    await local();
    await helping;
    // A worker that stopped early handed its batches back after the main thread had finished.
    await local();
    const merged = counters[0] as EmulatorCounters;
    for (let k = 1; k < batches; k++) addCounters(merged, counters[k] as EmulatorCounters);
    return evaluationOf(data, scores, C, performance.now() - start, merged, 1 + helped);
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
  }
}

/** Options of {@link evaluateDeployment}. */
export interface DeploymentEvaluationOptions {
  /** Samples per batch (the off-chip layer runs once per batch); default 256. */
  readonly batchSize?: number;
  /** Threads in all, the main thread included; default {@link defaultEmulatorThreads}. 1 runs serially. */
  readonly threads?: number;
  /** Workers already started for this deployment (reused, not closed); otherwise a pool is started and closed here. */
  readonly pool?: EmulatorPool;
  /** After every batch, in completion order. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Below this many batches the workers' start-up (a deployment each) costs more than they save. */
const MIN_BATCHES_FOR_WORKERS = 4;

/**
 * Runs the `which` emulator of `deployment` over `data` on every core;
 * `rngFor(offset)` feeds stochastic encoders per batch, as in
 * {@link evaluateEmulator}, and the result is the serial one's. Without a
 * source (a plugin that cannot be imported in a worker), with one thread or
 * few batches, it is {@link evaluateEmulator}.
 *
 * @example
 * ```ts
 * const d = await deploy(runtime, plan, "loihi");
 * const pool = EmulatorPool.start(d);
 * const chip = await evaluateDeployment(d, "chip", test, (offset) => runtime.random(`deploy-${offset}`), { pool });
 * const float = await evaluateDeployment(d, "float", test, (offset) => runtime.random(`deploy-${offset}`), { pool });
 * await pool?.close();
 * ```
 */
export async function evaluateDeployment(
  deployment: Deployment,
  which: EmulatorChoice,
  data: Dataset,
  rngFor: (offset: number) => RandomSource,
  options: DeploymentEvaluationOptions = {},
): Promise<EmulatorEvaluation> {
  const batchSize = options.batchSize ?? 256;
  const pool = options.pool ?? EmulatorPool.start(deployment, options.threads, { count: data.count, batchSize });
  if (!pool) return evaluateEmulator(emulatorOf(deployment, which), data, rngFor, batchSize, options.onProgress);
  try {
    return await pool.evaluate(which, data, rngFor, batchSize, options.onProgress);
  } finally {
    if (!options.pool) await pool.close();
  }
}
