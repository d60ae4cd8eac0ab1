/**
 * `neurobridge train` and `neurobridge eval`: a thin shell over the training
 * experiment (`@neurobridge/experiments`), which the paper pipeline runs too.
 * This file parses options, shows progress on stderr and prints; the
 * experiment picks defaults, the loss, the backend and resume rules. Ctrl-C
 * stops after the current batch, writes a checkpoint and tells how to resume.
 */
import type { TfjsBackendOptions } from "@neurobridge/backend-tfjs";
import { NeuroBridgeError, type Runtime, TRAINING_DEFAULTS } from "@neurobridge/core";
import { readCheckpointProgress } from "@neurobridge/core/node";
import type { TrainConfig } from "@neurobridge/experiments";
import { PAPER_MODELS, type PaperModel } from "@neurobridge/neurons-lif";

/** The experiments (and with them tfjs and ONNX Runtime) load when a command runs, not at start-up. */
const experiments = () => import("@neurobridge/experiments");

import type { Command } from "commander";
import { type GlobalOptions, printJson } from "../output.js";
import { createProgress } from "../progress.js";
import { createCliRuntime } from "../runtime.js";
import { normalizationOption, OPTION_LIMITS, positiveInt, positiveNumber, seedOption } from "./options.js";

/** Models the CLI builds. */
export const MODELS = PAPER_MODELS;
/** Default epochs per model: enough to reach the targets in docs/ (≥ 98% FFNN, ≥ 97.5% SNN). */
export const DEFAULT_EPOCHS: Record<PaperModel, number> = { ffnn: 10, snn: 10 };

interface TrainOptions {
  model?: string;
  epochs?: string;
  subset?: string;
  batch: string;
  lr: string;
  steps: string;
  beta?: string;
  neuron?: string;
  neuronParams?: string;
  encoding: string;
  surrogate: string;
  loss?: string;
  activation?: string;
  learnBeta?: boolean;
  normalization: string;
  seed: string;
  out: string;
  resume?: boolean;
  force?: boolean;
  init?: string;
  backend: string;
  target?: string;
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

/** `--neuron-params '{"beta":0.9}'`: a JSON object of numbers (or per-neuron arrays of numbers). */
function neuronParamsOption(value: string | undefined): Record<string, number | number[]> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new NeuroBridgeError("OPTION_INVALID", `--neuron-params: not valid JSON (${(error as Error).message}); e.g. '{"beta": 0.9}'`);
  }
  const ok =
    typeof parsed === "object" &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every(
      (v) =>
        (typeof v === "number" && Number.isFinite(v)) || (Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x))),
    );
  if (!ok) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `--neuron-params: must be a JSON object of numbers or arrays of numbers, e.g. '{"beta": 0.9}', got ${value}`,
    );
  }
  return parsed as Record<string, number | number[]>;
}

function modelOption(value: string): PaperModel {
  if (!(PAPER_MODELS as readonly string[]).includes(value)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--model: unknown model '${value}'; accepted: ${PAPER_MODELS.join(", ")}`);
  }
  return value as PaperModel;
}

/**
 * The network kind: `--model`, else the resumed run's, else the one `--neuron`
 * implies (a spiking model trains the SNN, a rate model the FFNN).
 */
function modelFor(o: TrainOptions, saved: TrainConfig | undefined, runtime: Runtime): PaperModel {
  if (o.model !== undefined) return modelOption(o.model);
  if (saved) return saved.model;
  if (o.neuron !== undefined) return runtime.neuronModel(o.neuron).dynamics === "spiking" ? "snn" : "ffnn";
  if (o.activation !== undefined) return "ffnn";
  throw new NeuroBridgeError(
    "OPTION_INVALID",
    `--model: required (${PAPER_MODELS.join(" | ")}), unless --neuron names the model or --resume continues a run`,
  );
}

/** The training config the options describe; on resume, unset settings are the saved run's. */
function trainConfig(o: TrainOptions, runtime: Runtime, saved?: TrainConfig): TrainConfig {
  const model = modelFor(o, saved, runtime);
  if (o.activation !== undefined && model !== "ffnn") {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `--activation sets the FFNN's activation; for --model ${model} choose the neuron with --neuron`,
    );
  }
  const neuronParams = neuronParamsOption(o.neuronParams);
  const subset = o.subset ? positiveInt(o.subset, "--subset") : undefined;
  return {
    model,
    epochs: o.epochs ? positiveInt(o.epochs, "--epochs", 1, OPTION_LIMITS.epochs) : (saved?.epochs ?? DEFAULT_EPOCHS[model]),
    timeSteps: model === "snn" ? positiveInt(o.steps, "--steps") : 1,
    batchSize: positiveInt(o.batch, "--batch", 1, OPTION_LIMITS.batch),
    learningRate: positiveNumber(o.lr, "--lr"),
    seed: seedOption(o.seed),
    trainCount: subset ?? 60_000,
    testCount: subset ? Math.max(1000, Math.round(subset / 6)) : 10_000,
    lrSchedule: lrScheduleOption(o.lrSchedule),
    normalization: normalizationOption(o.normalization),
    backend: o.backend,
    ...(o.target ? { target: o.target } : {}),
    network: {
      ...(o.neuron ? { neuron: o.neuron } : {}),
      ...(neuronParams ? { neuronParams } : {}),
      ...(o.beta !== undefined ? { beta: positiveNumber(o.beta, "--beta") } : {}),
      ...(o.activation ? { activation: o.activation } : {}),
      encoding: o.encoding,
      surrogate: o.surrogate,
      ...(o.learnBeta ? { learnBeta: true } : {}),
    },
    ...(o.loss ? { loss: o.loss } : {}),
    ...(o.workers ? { workers: positiveInt(o.workers, "--workers", 1, OPTION_LIMITS.parallel) } : {}),
  };
}

/** `--kernel` / `--gemm`: how the tfjs backend is set up. */
function tfjsOptions(o: { kernel?: string; gemm?: string }): TfjsBackendOptions {
  if (o.kernel !== undefined && o.kernel !== "wasm" && o.kernel !== "cpu") {
    throw new NeuroBridgeError("OPTION_INVALID", `--kernel: unknown tfjs kernel backend '${o.kernel}'; accepted: wasm, cpu`);
  }
  if (o.gemm !== undefined && o.gemm !== "onnxruntime" && o.gemm !== "tfjs") {
    throw new NeuroBridgeError("OPTION_INVALID", `--gemm: unknown GEMM provider '${o.gemm}'; accepted: onnxruntime, tfjs`);
  }
  return { ...(o.kernel ? { kernel: o.kernel } : {}), ...(o.gemm ? { gemm: o.gemm } : {}) } as TfjsBackendOptions;
}

/** Config paths of the options that set a training setting, with their flags (for resume conflicts). */
const SETTING_FLAGS: Readonly<Record<string, [path: string, flag: string]>> = {
  model: ["model", "--model"],
  steps: ["timeSteps", "--steps"],
  batch: ["batchSize", "--batch"],
  lr: ["learningRate", "--lr"],
  seed: ["seed", "--seed"],
  subset: ["trainCount", "--subset"],
  epochs: ["epochs", "--epochs"],
  lrSchedule: ["lrSchedule", "--lr-schedule"],
  normalization: ["normalization", "--normalization"],
  backend: ["backend", "--backend"],
  target: ["target", "--target"],
  neuron: ["network.neuron", "--neuron"],
  neuronParams: ["network.neuronParams", "--neuron-params"],
  beta: ["network.beta", "--beta"],
  activation: ["network.activation", "--activation"],
  encoding: ["network.encoding", "--encoding"],
  surrogate: ["network.surrogate", "--surrogate"],
  learnBeta: ["network.learnBeta", "--learn-beta"],
  loss: ["loss", "--loss"],
};

/** The settings given on the command line (not defaults), as config path → flag. */
function explicitSettings(command: Command): Record<string, string> {
  return Object.fromEntries(
    Object.entries(SETTING_FLAGS).flatMap(([option, entry]) => (command.getOptionValueSource(option) === "cli" ? [entry] : [])),
  );
}

async function runTrain(o: TrainOptions, globals: GlobalOptions, explicit: Record<string, string> = {}): Promise<void> {
  const saved = o.resume ? (readCheckpointProgress(o.out)?.config.train as TrainConfig | undefined) : undefined;
  if (o.resume && !saved) process.stderr.write(`neurobridge: note: no checkpoint in ${o.out} yet; starting a new run\n`);
  const seed = saved && explicit.seed === undefined ? saved.seed : seedOption(o.seed);
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [], seed, tfjs: tfjsOptions(o) });
  const config = trainConfig(o, runtime, saved);
  const controller = new AbortController();
  // Ctrl-C (130) and SIGTERM (143, e.g. a scheduler stopping the job) both checkpoint and exit.
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const progress = createProgress();
  let barEpoch = -1;
  const said = new Set<string>();
  try {
    const { trainExperiment } = await experiments();
    const result = await trainExperiment(runtime, config, {
      checkpointDir: o.out,
      resume: o.resume === true,
      explicit,
      ...(o.init ? { initFrom: o.init } : {}),
      force: o.force === true,
      checkpointEvery: positiveInt(o.checkpointEvery, "--checkpoint-every"),
      signal: controller.signal,
      onStart: (trainer) => {
        for (const w of trainer.warnings) {
          said.add(w);
          process.stderr.write(`neurobridge: note: ${w}\n`);
        }
      },
      onProgress: (p) => {
        if (p.epoch !== barEpoch) {
          progress.start(`epoch ${p.epoch}/${config.epochs}`, p.batches, "batches");
          barEpoch = p.epoch;
        }
        progress.update(p.batch, `loss ${p.loss.toFixed(4)}, acc ${p.accuracy.toFixed(4)}, ${p.samplesPerSecond.toFixed(0)} samples/s`);
      },
    });
    progress.stop();
    // What was not said at the trainer's start (e.g. a damaged newest checkpoint generation).
    for (const w of result.warnings) if (!said.has(w)) process.stderr.write(`neurobridge: note: ${w}\n`);
    const history = result.history;
    if (result.status === "aborted") {
      process.stderr.write(
        `neurobridge: interrupted (${signalled ?? "signal"}); checkpoint saved in ${o.out}. Resume with: neurobridge train --out ${o.out} --resume\n`,
      );
      process.exitCode = signalled === "SIGTERM" ? 143 : 130;
    }
    const backend = await runtime.backend(result.config.backend ?? "tfjs");
    // The experiment's own figures: the CLI prints them, it does not compute them again.
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const summary = {
      status: result.status,
      model: result.config.model,
      neuron: (result.config.network?.neuron ?? null) as string | null,
      checkpoint: o.out,
      epochs: history.length,
      testAccuracy: history.length ? finite(result.testAccuracy) : null,
      trainAccuracy: history.length ? finite(result.trainAccuracy) : null,
      secondsPerEpoch: history.length ? result.secondsPerEpoch : null,
      samplesPerSecond: history.length ? result.config.trainCount / result.secondsPerEpoch : null,
      backend: backend.name,
      gemm: (backend.info?.().gemm as string | undefined) ?? null,
      workers: result.workers,
      loss: result.loss,
      implementations: result.implementations,
      warnings: result.warnings,
      history,
    };
    if (o.json) printJson(summary);
    else {
      for (const h of history) {
        process.stdout.write(
          `epoch ${h.epoch}: train loss ${h.trainLoss.toFixed(4)}, train acc ${(h.trainAccuracy * 100).toFixed(2)}%, test acc ${h.testAccuracy !== undefined ? `${(h.testAccuracy * 100).toFixed(2)}%` : "-"}, ${h.seconds.toFixed(1)} s\n`,
        );
      }
      for (const [layer, how] of Object.entries(result.implementations)) process.stdout.write(`  ${layer}: ${how}\n`);
      process.stdout.write(`checkpoint: ${o.out}\n`);
    }
  } finally {
    progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function runEval(
  o: { checkpoint: string; subset?: string; json?: boolean; normalization?: string; batch?: string; workers?: string; backend: string },
  globals: GlobalOptions,
  runtime?: Runtime,
) {
  const rt = runtime ?? (await createCliRuntime({ plugins: globals.plugin ?? [] }));
  const progress = createProgress();
  let started = false;
  const { activityJson, evaluateExperiment } = await experiments();
  const { evaluation, ...result } = await evaluateExperiment(rt, o.checkpoint, {
    onProgress: (done, total) => {
      if (!started) progress.start(`evaluating on ${o.backend}`, total, "test images");
      started = true;
      progress.update(done);
    },
    backend: o.backend,
    ...(o.batch ? { batchSize: positiveInt(o.batch, "--batch") } : {}),
    ...(o.subset ? { subset: positiveInt(o.subset, "--subset") } : {}),
    ...(o.normalization ? { normalization: normalizationOption(o.normalization) } : {}),
    ...(o.workers ? { workers: positiveInt(o.workers, "--workers", 1, OPTION_LIMITS.parallel) } : {}),
  });
  progress.stop();
  for (const w of result.warnings) process.stderr.write(`neurobridge: note: ${w}\n`);
  if (o.json) return printJson(result);
  const ev = evaluation;
  process.stdout.write(
    `accuracy ${(ev.accuracy * 100).toFixed(2)}% on ${ev.count} test images, ${ev.samplesPerSecond.toFixed(0)} samples/s (${result.backend})\n`,
  );
  for (const a of activityJson(ev.activity)) {
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
    .description("train the paper's FFNN or SNN (784-256-256-10) on MNIST, with any registered neuron model; writes a checkpoint folder")
    .option("--model <model>", `${MODELS.join(" | ")} (default: the one --neuron implies, or the resumed run's)`)
    .requiredOption(
      "--out <dir>",
      "checkpoint folder (training.json names each generation's files; spec.json and weights.safetensors are plain copies)",
    )
    .option(
      "--neuron <name>",
      "neuron model of every layer, any registered one (default: lif for snn, relu for ffnn; see `neurobridge plugins`)",
    )
    .option("--neuron-params <json>", `parameters of that model as JSON, e.g. '{"beta": 0.9, "threshold": 1}'`)
    .option("--epochs <n>", `epochs (default ffnn ${DEFAULT_EPOCHS.ffnn}, snn ${DEFAULT_EPOCHS.snn})`)
    .option("--subset <n>", "train on the first n training images (and max(1000, n/6) test images)")
    .option("--batch <n>", "batch size", String(TRAINING_DEFAULTS.batchSize))
    .option("--lr <rate>", "Adam learning rate", String(TRAINING_DEFAULTS.learningRate))
    .option("--lr-schedule <name>", "constant (the paper's) | cosine decay over the run", TRAINING_DEFAULTS.lrSchedule)
    .option("--steps <T>", "SNN time steps", String(TRAINING_DEFAULTS.timeSteps))
    .option("--beta <beta>", "membrane decay β (default 0.95 for the paper's lif)")
    .option("--learn-beta", "learn a β per neuron, kept in (0, 1)")
    .option("--encoding <name>", "SNN input encoder: direct | rate | latency | delta", TRAINING_DEFAULTS.encoding)
    .option("--surrogate <name>", "surrogate gradient: fast-sigmoid | atan | triangle | sigmoid", TRAINING_DEFAULTS.surrogate)
    .option(
      "--loss <name>",
      "loss (default: softmax_ce for rate networks, ce_rate for spiking ones; also ce_count, mse_count, ce_membrane)",
    )
    .option("--activation <name>", "FFNN activation (same as --neuron): relu | sigmoid | relu-fit | sigmoid-fit | lif-rate")
    .option("--normalization <name>", "pixel scaling: unit | standard | none", TRAINING_DEFAULTS.normalization)
    .option("--seed <n>", "seed of initialisation, shuffling and encoding", String(TRAINING_DEFAULTS.seed))
    .option("--resume", "continue the run checkpointed in --out with every setting it was started with (--epochs N extends it to N epochs)")
    .option("--init <dir>", "fine-tune: start from this checkpoint's network and weights (e.g. from neurobridge convert), fresh optimiser")
    .option("--force", "start over even if --out holds a checkpoint (it is replaced)")
    .option("--checkpoint-every <n>", "also checkpoint every n batches", String(TRAINING_DEFAULTS.checkpointEvery))
    .option("--backend <name>", "backend that trains", "tfjs")
    .option(
      "--target <chip>",
      "train for a chip so the network deploys on it (constraint-aware: truenorth → β = 1, spiking input, ternary weights, ≤ 128 inputs per neuron)",
    )
    .option("--kernel <name>", "tfjs kernel backend: wasm | cpu", "wasm")
    .option("--gemm <name>", "dense products on: onnxruntime | tfjs (default: onnxruntime when it loads)")
    .option("--workers <n>", "worker threads (default: min(2, cores) for spiking networks; 1 runs in this thread)")
    .option("--json", "print one JSON object as the last line")
    .action((o: TrainOptions, command: Command) => runTrain(o, command.optsWithGlobals<GlobalOptions>(), explicitSettings(command)));
  program
    .command("eval")
    .description("evaluate a checkpoint on the MNIST test set: accuracy, speed, activity and op counts")
    .requiredOption("--checkpoint <dir>", "checkpoint folder")
    .option("--subset <n>", "first n test images")
    .option("--batch <n>", "evaluation batch size (default: the backend's; on tfjs 256 for spiking networks, 2000 for T = 1)")
    .option("--backend <name>", "backend to run on: tfjs | emulator | loihi (any registered one)", "tfjs")
    .option("--workers <n>", "worker threads (default: min(2, cores))")
    .option("--normalization <name>", "pixel scaling (default: the one the checkpoint was trained with)")
    .option("--json", "print one JSON object")
    .action((o, command: Command) => runEval(o, command.optsWithGlobals<GlobalOptions>()));
}
