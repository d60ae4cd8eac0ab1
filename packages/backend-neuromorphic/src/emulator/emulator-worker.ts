/**
 * A worker thread of the parallel emulator evaluation: it repeats the
 * caller's deployment (same plugins, seed, network and target, so the same
 * populations and integers) and emulates the batches it is sent, each with
 * the random stream's state the caller drew for it. See `parallel-evaluate.ts`.
 */
import "reflect-metadata";
import { parentPort } from "node:worker_threads";
import { createRandom, createRuntime, importPlugin } from "@neurobridge/core";
import { type Deployment, type DeploymentSource, deploy } from "../deploy.js";
import type { EmulatorCounters } from "./counters.js";
import { type EmulatorChoice, emulatorOf } from "./parallel-evaluate.js";

/** Messages the worker accepts. */
export type EmulatorWorkerRequest =
  | { type: "init"; source: DeploymentSource }
  | { type: "run"; id: number; which: EmulatorChoice; inputs: Float32Array; batch: number; rngState: number[] };

/** Messages the worker sends. */
export type EmulatorWorkerReply =
  | { type: "ready" }
  | { type: "result"; id: number; scores: Float32Array; counters: EmulatorCounters }
  | { type: "error"; id?: number; message: string };

const port = parentPort;
if (!port) throw new Error("emulator-worker.ts must run in a worker thread");

let deployment: Deployment | undefined;
const reply = (message: EmulatorWorkerReply) => port.postMessage(message);

port.on("message", async (message: EmulatorWorkerRequest) => {
  try {
    if (message.type === "init") {
      const plugins = [];
      for (const source of message.source.plugins) plugins.push(await importPlugin(source));
      const runtime = createRuntime({ plugins, seed: message.source.seed });
      const plan = runtime.plan(message.source.spec, message.source.weights);
      deployment = await deploy(runtime, plan, message.source.target, message.source.options);
      reply({ type: "ready" });
      return;
    }
    if (!deployment) throw new Error("run before init");
    const emulator = emulatorOf(deployment, message.which);
    const rng = createRandom(0);
    rng.setState(message.rngState);
    const run = await emulator.run(message.inputs, message.batch, rng);
    reply({ type: "result", id: message.id, scores: run.scores, counters: run.counters });
  } catch (error) {
    reply({ type: "error", ...("id" in message ? { id: message.id } : {}), message: (error as Error).message });
  }
});
