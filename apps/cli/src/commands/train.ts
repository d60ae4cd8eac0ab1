/**
 * `neurobridge train` and `neurobridge eval`: the paper's FFNN and SNN on
 * MNIST. Progress goes to stderr (a bar on a terminal); the result is one
 * JSON line on stdout with `--json`. Ctrl-C stops after the current batch,
 * writes a checkpoint and tells how to resume.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadCheckpoint, TfjsBackend } from "@neurobridge/backend-tfjs";
import { type Dataset, initWeights, type LayerActivity, type NetworkSpec, NeuroBridgeError, type Runtime } from "@neurobridge/core";
import { paperNetwork } from "@neurobridge/experiments";
import { loadMnist, type MnistNormalization, subset } from "@neurobridge/mnist";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { type GlobalOptions, printJson } from "../output.js";
import { createCliRuntime } from "../runtime.js";
import { positiveInt, positiveNumber } from "./options.js";

/** Models the CLI builds. */
export const MODELS = ["ffnn", "snn"] as const;
/** Default epochs per model: enough to reach the targets in docs/ (≥ 98% FFNN, ≥ 97.5% SNN). */
export const DEFAULT_EPOCHS: Record<(typeof MODELS)[number], number> = { ffnn: 10, snn: 10 };

interface TrainOptions {
  model: string;
  epochs?: string;
  subset?: string;
  batch: string;
  lr: string;
  steps: string;
  beta: string;
  encoding: string;
  surrogate: string;
  loss?: string;
  activation: string;
  learnBeta?: boolean;
  normalization: string;
  seed: string;
  out: string;
  resume?: boolean;
  kernel: string;
  gemm?: string;
  workers?: string;
  checkpointEvery: string;
  lrSchedule: string;
  json?: boolean;
}

function lrScheduleOption(value: string): "constant" | "cosine" {
  if (value !== "constant" && value !== "cosine") {
    throw new NeuroBridgeError("OPTION_INVALID", `--lr-schedule: unknown schedule '${value}'; accepted: constant, cosine`);
  }
  return value;
}

/** The paper's network for `model`, from the command-line options. */
export function paperSpec(
  model: string,
  o: Pick<TrainOptions, "steps" | "beta" | "encoding" | "surrogate" | "activation" | "learnBeta">,
): NetworkSpec {
  return paperNetwork(model, {
    timeSteps: positiveInt(o.steps, "--steps"),
    beta: positiveNumber(o.beta, "--beta"),
    encoding: o.encoding,
    surrogate: o.surrogate,
    activation: o.activation,
    ...(o.learnBeta ? { learnBeta: true } : {}),
  });
}

function loadData(normalization: string, subsetSize?: number): { train: Dataset; test: Dataset } {
  const norm = normalization as MnistNormalization;
  const train = loadMnist("train", { normalization: norm });
  const test = loadMnist("test", { normalization: norm });
  return subsetSize
    ? { train: subset(train, subsetSize), test: subset(test, Math.max(1000, Math.round(subsetSize / 6))) }
    : { train, test };
}

async function runTrain(o: TrainOptions, globals: GlobalOptions): Promise<void> {
  const seed = positiveInt(o.seed, "--seed", 0);
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [], seed });
  const backend = await TfjsBackend.create(runtime, {
    kernel: o.kernel as "wasm" | "cpu",
    ...(o.gemm ? { gemm: o.gemm as "onnxruntime" | "tfjs" } : {}),
  });
  const resuming = o.resume && existsSync(join(o.out, "training.json"));
  const checkpoint = resuming ? loadCheckpoint(o.out, runtime) : undefined;
  const spec = checkpoint ? checkpoint.spec : runtime.validateSpec(paperSpec(o.model, o));
  const model = checkpoint ? String(checkpoint.progress?.config.model ?? o.model) : o.model;
  const config = {
    model,
    batch: positiveInt(o.batch, "--batch"),
    lr: positiveNumber(o.lr, "--lr"),
    loss: o.loss ?? (model === "ffnn" ? "softmax_ce" : "ce_rate"),
    lrSchedule: lrScheduleOption(o.lrSchedule),
    normalization: o.normalization,
    subset: o.subset ? positiveInt(o.subset, "--subset") : undefined,
    ...(checkpoint?.progress?.config ?? {}),
  } as {
    model: string;
    batch: number;
    lr: number;
    loss: string;
    lrSchedule: "constant" | "cosine";
    normalization: string;
    subset?: number;
    seed?: number;
  };
  const epochs = o.epochs ? positiveInt(o.epochs, "--epochs") : (DEFAULT_EPOCHS[model as "ffnn" | "snn"] ?? 5);
  const weights = checkpoint ? checkpoint.weights : initWeights(spec, runtime.random("init"), runtime);
  // A resumed run keeps its worker count: the shard split is part of the arithmetic.
  const workers = checkpoint?.progress?.config.workers ?? (o.workers ? positiveInt(o.workers, "--workers") : undefined);
  const trainer = await backend.trainerWithSeed(
    spec,
    weights,
    checkpoint ? Number(config.seed ?? seed) : seed,
    config,
    workers as number | undefined,
  );
  if (checkpoint) trainer.restore(checkpoint);
  const { train, test } = loadData(config.normalization, config.subset);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once("SIGINT", onSigint);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "epoch {epoch}/{epochs} |{bar}| {value}/{total} batches | loss {loss} | acc {acc} | {sps} samples/s",
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let barEpoch = -1;
  try {
    const result = await trainer.fit({
      train,
      test,
      epochs,
      batchSize: config.batch,
      learningRate: config.lr,
      lrSchedule: config.lrSchedule,
      loss: config.loss,
      signal: controller.signal,
      checkpointDir: o.out,
      checkpointEvery: positiveInt(o.checkpointEvery, "--checkpoint-every"),
      onProgress: (p) => {
        if (p.epoch !== barEpoch) {
          if (barEpoch >= 0) bar.stop();
          bar.start(p.batches, 0, { epoch: p.epoch, epochs, loss: "-", acc: "-", sps: "-" });
          barEpoch = p.epoch;
        }
        bar.update(p.batch, { loss: p.loss.toFixed(4), acc: p.accuracy.toFixed(4), sps: p.samplesPerSecond.toFixed(0) });
      },
    });
    bar.stop();
    const history = result.history;
    const last = history.at(-1);
    if (result.status === "aborted") {
      process.stderr.write(
        `neurobridge: interrupted; checkpoint saved in ${o.out}. Resume with: neurobridge train --out ${o.out} --resume\n`,
      );
      process.exitCode = 130;
    }
    const summary = {
      status: result.status,
      model,
      checkpoint: o.out,
      epochs: history.length,
      testAccuracy: last?.testAccuracy ?? null,
      trainAccuracy: last?.trainAccuracy ?? null,
      secondsPerEpoch: history.length ? history.reduce((s, h) => s + h.seconds, 0) / history.length : null,
      samplesPerSecond: history.length ? train.count / (history.reduce((s, h) => s + h.seconds, 0) / history.length) : null,
      gemm: backend.gemm.name,
      workers: trainer.workers,
      history,
    };
    if (o.json) printJson(summary);
    else {
      for (const h of history) {
        process.stdout.write(
          `epoch ${h.epoch}: train loss ${h.trainLoss.toFixed(4)}, train acc ${(h.trainAccuracy * 100).toFixed(2)}%, test acc ${h.testAccuracy !== undefined ? `${(h.testAccuracy * 100).toFixed(2)}%` : "-"}, ${h.seconds.toFixed(1)} s\n`,
        );
      }
      process.stdout.write(`checkpoint: ${o.out}\n`);
    }
  } finally {
    bar.stop();
    process.off("SIGINT", onSigint);
    trainer.dispose();
  }
}

/** Activity as JSON (typed arrays to plain arrays). */
export const activityJson = (activity: readonly LayerActivity[]) =>
  activity.map((a) => ({ ...a, eventsPerStep: Array.from(a.eventsPerStep) }));

async function runEval(
  o: { checkpoint: string; subset?: string; json?: boolean; normalization?: string; batch: string; workers?: string },
  globals: GlobalOptions,
  runtime?: Runtime,
) {
  const rt = runtime ?? (await createCliRuntime({ plugins: globals.plugin ?? [] }));
  const checkpoint = loadCheckpoint(o.checkpoint, rt);
  const backend = await TfjsBackend.create(rt);
  const normalization = (o.normalization ?? checkpoint.progress?.config.normalization ?? "unit") as MnistNormalization;
  let test = loadMnist("test", { normalization });
  if (o.subset) test = subset(test, positiveInt(o.subset, "--subset"));
  const ev = await backend.evaluate(checkpoint.spec, checkpoint.weights, test, {
    batchSize: positiveInt(o.batch, "--batch"),
    ...(o.workers ? { workers: positiveInt(o.workers, "--workers") } : {}),
  });
  const result = {
    accuracy: ev.accuracy,
    samplesPerSecond: ev.samplesPerSecond,
    count: ev.count,
    model: checkpoint.spec.name ?? null,
    timeSteps: checkpoint.spec.timeSteps,
    gemm: backend.gemm.name,
    activity: activityJson(ev.activity),
    ops: ev.ops,
  };
  if (o.json) return printJson(result);
  process.stdout.write(
    `accuracy ${(ev.accuracy * 100).toFixed(2)}% on ${ev.count} test images, ${ev.samplesPerSecond.toFixed(0)} samples/s\n`,
  );
  for (const a of ev.activity) {
    process.stdout.write(
      `  ${a.nodeId}: ${a.eventsPerSample.toFixed(1)} events/sample, ${(a.silentFraction * 100).toFixed(1)}% silent neuron-steps, ${(a.neverActiveFraction * 100).toFixed(1)}% never active\n`,
    );
  }
  process.stdout.write(
    `  ops/sample: ${ev.ops.macs} MACs, ${ev.ops.accumulates.toFixed(0)} synaptic accumulates, ${ev.ops.neuronUpdates} neuron updates (T = ${ev.ops.timeSteps})\n`,
  );
}

export function registerTrainCommands(program: Command): void {
  program
    .command("train")
    .description("train the paper's FFNN or SNN (784-256-256-10) on MNIST; writes a checkpoint folder")
    .requiredOption("--model <model>", `${MODELS.join(" | ")}`)
    .requiredOption("--out <dir>", "checkpoint folder (spec.json, weights.safetensors, training.json)")
    .option("--epochs <n>", `epochs (default ffnn ${DEFAULT_EPOCHS.ffnn}, snn ${DEFAULT_EPOCHS.snn})`)
    .option("--subset <n>", "train on the first n training images (and n/6 test images)")
    .option("--batch <n>", "batch size", "128")
    .option("--lr <rate>", "Adam learning rate", "1e-3")
    .option("--lr-schedule <name>", "constant (the paper's) | cosine decay over the run", "cosine")
    .option("--steps <T>", "SNN time steps", "25")
    .option("--beta <beta>", "SNN membrane decay β", "0.95")
    .option("--learn-beta", "learn a β per neuron, kept in (0, 1)")
    .option("--encoding <name>", "SNN input encoder: direct | rate | latency | delta", "direct")
    .option("--surrogate <name>", "surrogate gradient: fast-sigmoid | atan | triangle | sigmoid", "fast-sigmoid")
    .option("--loss <name>", "loss (default: softmax_ce for ffnn, ce_rate for snn; also ce_count, mse_count, ce_membrane)")
    .option("--activation <name>", "FFNN activation: relu | sigmoid | relu-fit | sigmoid-fit | lif-rate", "relu")
    .option("--normalization <name>", "pixel scaling: unit | standard | none", "unit")
    .option("--seed <n>", "seed of initialisation, shuffling and encoding", "42")
    .option("--resume", "continue the run checkpointed in --out")
    .option("--checkpoint-every <n>", "also checkpoint every n batches", "100")
    .option("--kernel <name>", "tfjs kernel backend: wasm | cpu", "wasm")
    .option("--gemm <name>", "dense products on: onnxruntime | tfjs (default: onnxruntime when it loads)")
    .option("--workers <n>", "worker threads (default: min(2, cores); 1 runs in this thread)")
    .option("--json", "print one JSON object as the last line")
    .action((o: TrainOptions, command: Command) => runTrain(o, command.optsWithGlobals<GlobalOptions>()));
  program
    .command("eval")
    .description("evaluate a checkpoint on the MNIST test set: accuracy, speed, activity and op counts")
    .requiredOption("--checkpoint <dir>", "checkpoint folder")
    .option("--subset <n>", "first n test images")
    .option("--batch <n>", "evaluation batch size", "256")
    .option("--workers <n>", "worker threads (default: min(2, cores))")
    .option("--normalization <name>", "pixel scaling (default: the one the checkpoint was trained with)")
    .option("--json", "print one JSON object")
    .action((o, command: Command) => runEval(o, command.optsWithGlobals<GlobalOptions>()));
}
