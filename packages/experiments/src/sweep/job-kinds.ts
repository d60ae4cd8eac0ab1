/**
 * Job kinds: what a sweep job computes. A kind completes a grid entry's
 * settings with its defaults (the job's config — everything its result
 * depends on), runs a config, and turns a result into a row of the results
 * table. Kinds are registrations in a {@link JobKinds} registry; the sweep
 * runner and the workers know none by name.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRuntime, defaultLoss, NeuroBridgeError, TRAINING_DEFAULTS, ValidationError, type ValidationIssue } from "@neurobridge/core";
import { MNIST_NORMALIZATIONS } from "@neurobridge/mnist";
import { PAPER_MODELS, paperNetwork } from "@neurobridge/neurons-lif";
import { codeFingerprint } from "../code-version.js";
import { ffnnCost, snnCost } from "../experiments/cost.js";
import { loadPaperData, type TrainConfig, type TrainResult, trainExperiment } from "../experiments/training.js";
import { bundledPlugins } from "../plugins.js";
import { jobPlugins, loadJobPlugins } from "./job-plugins.js";

/**
 * The last MNIST subset this process loaded, reused by its next job of the
 * same counts (a process can run several jobs, see `LocalExecutorOptions.
 * jobsPerProcess`; trainings only read their data).
 */
let lastData: { readonly key: string; readonly data: ReturnType<typeof loadPaperData> } | undefined;
function processData(options: Parameters<typeof loadPaperData>[0]): ReturnType<typeof loadPaperData> {
  const key = JSON.stringify(options);
  if (lastData?.key !== key) lastData = { key, data: loadPaperData(options) };
  return lastData.data;
}

/** A job's numbers for the results table: metrics (deterministic) and timings (wall clock, not compared). */
export interface JobRow {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly timings?: Readonly<Record<string, number>>;
}

/** What a running job is given. */
export interface JobContext {
  /** A folder of its own for resumable state (a retried job finds what the last attempt left). */
  readonly workDir: string;
  readonly signal?: AbortSignal;
  /** Progress in [0, 1] with a short description. */
  readonly onProgress?: (fraction: number, detail: string) => void;
}

/** A kind of sweep job. */
export interface JobKind<C = unknown, R = unknown> {
  readonly name: string;
  readonly description: string;
  /** The settings key that numbers replicates (grouped over in the table's mean ± spread), e.g. `seed`. */
  readonly replicateKey?: string;
  /** The job's full config from a grid entry's settings, or a {@link ValidationError} listing every problem. */
  configure(settings: Readonly<Record<string, unknown>>, where: string): C;
  /** Asynchronous work `configure` needs done first (e.g. importing the plugins the settings name); run before planning. */
  prepare?(settings: Readonly<Record<string, unknown>>): Promise<void>;
  /** Fingerprint of the code that computes this kind's results (part of every job's name). */
  code(): string;
  run(config: C, context: JobContext): Promise<R>;
  /** The result's row of the results table. */
  row(config: C, result: R): JobRow;
}

/** Job kinds by name (one registry per sweep runner or worker). */
export class JobKinds {
  private readonly kinds = new Map<string, JobKind>();

  /** Registers `kind`; a second kind of the same name is refused. */
  register<C, R>(kind: JobKind<C, R>): this {
    if (this.kinds.has(kind.name)) throw new NeuroBridgeError("JOB_KIND_EXISTS", `job kind '${kind.name}' is already registered`);
    this.kinds.set(kind.name, kind as JobKind);
    return this;
  }

  get(name: string): JobKind {
    const kind = this.kinds.get(name);
    if (!kind)
      throw new NeuroBridgeError("JOB_KIND_UNKNOWN", `unknown job kind '${name}'; registered: ${this.names().join(", ") || "none"}`);
    return kind;
  }

  names(): string[] {
    return [...this.kinds.keys()].sort();
  }
}

/** The result of a `train` job: the training experiment's result and its per-inference cost. */
export interface TrainJobResult {
  readonly train: TrainResult;
  readonly cost: ReturnType<typeof snnCost> | ReturnType<typeof ffnnCost>;
}

const TRAIN_DEFAULTS = {
  model: "snn",
  epochs: 1,
  timeSteps: TRAINING_DEFAULTS.timeSteps,
  batchSize: TRAINING_DEFAULTS.batchSize,
  learningRate: TRAINING_DEFAULTS.learningRate,
  lrSchedule: TRAINING_DEFAULTS.lrSchedule,
  seed: TRAINING_DEFAULTS.seed,
  trainCount: 60_000,
  testCount: 10_000,
  // Fixed, not the machine's core count: gradients are summed per worker shard, so the
  // worker count is part of what a result depends on (same config, same bits, any machine).
  workers: 2,
} as const;

const POSITIVE_INTS = ["epochs", "timeSteps", "batchSize", "trainCount", "testCount", "workers"] as const;
const TRAIN_KEYS = [
  ...Object.keys(TRAIN_DEFAULTS),
  "network",
  "loss",
  "lossParams",
  "normalization",
  "backend",
  "target",
  "plugins",
] as readonly string[];

/** The settings of `network` (paperNetwork's options; its T is the job's `timeSteps`). */
const NETWORK_KEYS: readonly string[] = ["neuron", "neuronParams", "beta", "activation", "encoding", "surrogate", "learnBeta", "learn"];

/**
 * Settings that name registrations or data choices, checked now against the
 * runtime a job will build: otherwise they fail only when the job runs, after
 * every attempt.
 */
function registeredIssues(
  runtime: ReturnType<typeof createRuntime>,
  s: Record<string, unknown>,
  where: string,
  networkLoss: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const named = (key: string, kind: "loss" | "backend", value: unknown) => {
    if (value === undefined) return;
    const names = runtime.names(kind);
    if (typeof value !== "string" || !names.includes(value))
      issues.push({ path: `${where}.${key}`, message: `unknown ${kind} ${JSON.stringify(value)}; registered: ${names.join(", ")}` });
  };
  named("loss", "loss", s.loss);
  named("backend", "backend", s.backend);
  named("target", "backend", s.target);
  if (s.normalization !== undefined && !(MNIST_NORMALIZATIONS as readonly unknown[]).includes(s.normalization))
    issues.push({
      path: `${where}.normalization`,
      message: `must be one of ${MNIST_NORMALIZATIONS.join(", ")}, got ${JSON.stringify(s.normalization)}`,
    });
  if (s.lossParams !== undefined) {
    const name = s.loss ?? networkLoss;
    const loss = typeof name === "string" && runtime.names("loss").includes(name) ? runtime.loss(name) : undefined;
    const accepted = loss?.params?.map((p) => p.name) ?? [];
    const given = s.lossParams && typeof s.lossParams === "object" ? Object.keys(s.lossParams) : [];
    for (const key of given)
      if (!accepted.includes(key))
        issues.push({
          path: `${where}.lossParams.${key}`,
          message: `is not a parameter of loss ${JSON.stringify(name)}; accepted: ${accepted.join(", ") || "none"}`,
        });
  }
  return issues;
}

/** The CLI's flag names of train settings, for a grid that uses them: `subset` is `trainCount` here. */
const CLI_NAMES: Readonly<Record<string, string>> = {
  subset: "trainCount",
  lr: "learningRate",
  steps: "timeSteps",
  batch: "batchSize",
  "lr-schedule": "lrSchedule",
};

/** Issues of the training settings that are not the network's (the network is checked by building it). */
function trainIssues(s: Record<string, unknown>, where: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(s)) {
    if (TRAIN_KEYS.includes(key)) continue;
    const flag = CLI_NAMES[key];
    issues.push({
      path: `${where}.${key}`,
      message: flag
        ? `is not a train setting; did you mean '${flag}' (the CLI's --${key})?`
        : `is not a train setting; accepted: ${TRAIN_KEYS.join(", ")}`,
    });
  }
  if (!(PAPER_MODELS as readonly unknown[]).includes(s.model))
    issues.push({ path: `${where}.model`, message: `must be one of ${PAPER_MODELS.join(", ")}, got ${JSON.stringify(s.model)}` });
  for (const key of POSITIVE_INTS) {
    const v = s[key];
    if (!Number.isInteger(v) || (v as number) < 1)
      issues.push({ path: `${where}.${key}`, message: `must be a positive integer, got ${JSON.stringify(v)}` });
  }
  if (typeof s.learningRate !== "number" || !(s.learningRate > 0) || !Number.isFinite(s.learningRate))
    issues.push({ path: `${where}.learningRate`, message: `must be a positive number, got ${JSON.stringify(s.learningRate)}` });
  if (!Number.isInteger(s.seed) || (s.seed as number) < 0)
    issues.push({ path: `${where}.seed`, message: `must be a non-negative integer, got ${JSON.stringify(s.seed)}` });
  if (s.lrSchedule !== "constant" && s.lrSchedule !== "cosine")
    issues.push({ path: `${where}.lrSchedule`, message: `must be constant or cosine, got ${JSON.stringify(s.lrSchedule)}` });
  if (s.network !== undefined && (typeof s.network !== "object" || s.network === null || Array.isArray(s.network)))
    issues.push({ path: `${where}.network`, message: `must be an object (${NETWORK_KEYS.join(", ")})` });
  else if (s.network !== undefined) {
    for (const key of Object.keys(s.network as object))
      if (!NETWORK_KEYS.includes(key))
        issues.push({ path: `${where}.network.${key}`, message: `is not a network setting; accepted: ${NETWORK_KEYS.join(", ")}` });
  }
  return issues;
}

/** Whether any layer of a trained network was driven by spikes (then it is costed as an SNN). */
const spiking = (result: TrainResult): boolean => result.ops.layers.some((l) => l.input === "spikes");

/**
 * `train`: trains a paper network (`neurobridge train`'s experiment) and
 * evaluates it on the test images. Settings are {@link TrainConfig}'s keys.
 * The runtime's seed is the job's seed, as in the paper pipeline.
 */
export const trainJobKind: JobKind<TrainConfig, TrainJobResult> = {
  name: "train",
  description: "train a paper network on MNIST and evaluate it (settings: TrainConfig)",
  replicateKey: "seed",
  prepare: (settings) => loadJobPlugins(settings.plugins),
  configure(settings, where) {
    const s: Record<string, unknown> = { ...TRAIN_DEFAULTS, ...settings };
    const { plugins, issues: pluginIssues } = jobPlugins(s.plugins, where);
    const issues = [...trainIssues(s, where), ...pluginIssues];
    if (issues.length === 0) {
      const network = (s.network ?? {}) as Record<string, unknown>;
      try {
        const runtime = createRuntime({ plugins: [...bundledPlugins(), ...plugins], seed: 0 });
        const spec = runtime.validateSpec(paperNetwork(s.model as string, { ...network, timeSteps: s.timeSteps as number }));
        // The network decides its T (a rate network has one step): equal jobs get equal names.
        s.timeSteps = spec.timeSteps;
        issues.push(...registeredIssues(runtime, s, where, defaultLoss(runtime.plan(spec))));
      } catch (error) {
        if (!(error instanceof NeuroBridgeError)) throw error;
        issues.push({ path: `${where}.network`, message: error.message.replace(/\n/g, " ") });
      }
    }
    if (issues.length) throw new ValidationError("sweep job", issues, "GRID_INVALID");
    return s as unknown as TrainConfig;
  },
  code: () =>
    codeFingerprint(
      [
        "@neurobridge/core",
        "@neurobridge/neurons-lif",
        "@neurobridge/mnist",
        "@neurobridge/backend-tfjs",
        "@neurobridge/backend-neuromorphic",
      ],
      ["experiments/training", "experiments/cost", "plugins", "sweep/job-kinds"],
    ),
  async run(config, context) {
    // The job's own plugins, in whichever process runs it.
    await loadJobPlugins(config.plugins);
    const runtime = createRuntime({ plugins: [...bundledPlugins(), ...jobPlugins(config.plugins, "config").plugins], seed: config.seed });
    const data = processData({
      trainCount: config.trainCount,
      testCount: config.testCount,
      ...(config.normalization ? { normalization: config.normalization } : {}),
    });
    const train = await trainExperiment(runtime, config, {
      data,
      checkpointDir: context.workDir,
      ...(context.signal ? { signal: context.signal } : {}),
      ...(context.onProgress
        ? {
            onProgress: (p) =>
              context.onProgress?.((p.epoch - 1 + p.batch / Math.max(1, p.batches)) / config.epochs, `epoch ${p.epoch}/${config.epochs}`),
          }
        : {}),
    });
    if (train.status === "aborted") throw new NeuroBridgeError("JOB_INTERRUPTED", "interrupted; its checkpoint resumes it");
    return { train, cost: spiking(train) ? snnCost(train) : ffnnCost(train) };
  },
  row(_config, { train, cost }) {
    const energy = cost.energy as Record<string, number>;
    const spikesPerInference = "spikesPerInference" in cost ? cost.spikesPerInference : null;
    return {
      metrics: {
        testAccuracy: train.testAccuracy,
        trainAccuracy: train.trainAccuracy,
        finalTrainLoss: train.history.at(-1)?.trainLoss ?? null,
        spikesPerInference,
        accumulates: train.ops.accumulates,
        macs: train.ops.macs,
        energyCmos45J: energy.cmos45WithMemory ?? null,
        energyLoihiJ: energy.loihi ?? null,
      },
      timings: { secondsPerEpoch: train.secondsPerEpoch, inferenceSamplesPerSecond: train.inferenceSamplesPerSecond },
    };
  },
};

/** The kinds every NeuroBridge sweep runner and worker knows. */
export function defaultJobKinds(): JobKinds {
  return new JobKinds().register(trainJobKind);
}

/**
 * The default kinds plus those of `modules` — files or packages that export
 * `jobKinds: JobKind[]`. Job processes and queue workers load the same
 * modules, so a kind registered here runs wherever its jobs go.
 */
export async function loadJobKinds(modules: readonly string[] = []): Promise<JobKinds> {
  const kinds = defaultJobKinds();
  for (const specifier of modules) {
    let loaded: { jobKinds?: unknown };
    try {
      // A path (./kinds.js, /abs/kinds.js) is a file; anything else a package name.
      const url = /^[./]/.test(specifier) ? pathToFileURL(resolve(specifier)).href : specifier;
      loaded = (await import(url)) as { jobKinds?: unknown };
    } catch (error) {
      throw new NeuroBridgeError("JOB_KIND_MODULE", `job kind module ${specifier} cannot be loaded: ${(error as Error).message}`);
    }
    if (!Array.isArray(loaded.jobKinds))
      throw new NeuroBridgeError("JOB_KIND_MODULE", `job kind module ${specifier} exports no jobKinds array`);
    for (const kind of loaded.jobKinds as JobKind[]) kinds.register(kind);
  }
  return kinds;
}
