/**
 * The paper pipeline: every experiment in order, each cached by the hash of
 * its config (a rerun after a crash or Ctrl-C recomputes nothing finished,
 * and an interrupted training resumes from its checkpoint), then
 * `results.json`, every figure as SVG and PNG, `report.html` and
 * `summary.md`, all written atomically.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { AbortError, createRuntime, type Dataset, TRAINING_DEFAULTS, type TrainingProgress } from "@neurobridge/core";
import { ensureFolder, lockFolder } from "@neurobridge/core/node";
import { type FigureSpec, renderFigure } from "@neurobridge/plots/node";
import { StepCache, writeAtomic } from "./cache.js";
import { pipelineCodeVersions } from "./code-version.js";
import { bridgeExperiment, bridgeFigures, type ScratchPoint } from "./experiments/bridge.js";
import { CMOS45, energyConstants, ffnnCost, paperComparison, snnCost } from "./experiments/cost.js";
import { deploymentExperiment } from "./experiments/deployment.js";
import { collapseExperiment, fiExperiment, fitsExperiment, lifTraces } from "./experiments/lif.js";
import { networkFigures, type SweepPoint } from "./experiments/network-figures.js";
import { neuronModelsExperiment, neuronModelTable } from "./experiments/neuron-models.js";
import { loadPaperData, type TrainConfig, type TrainResult, trainExperiment } from "./experiments/training.js";
import { bundledPlugins } from "./plugins.js";
import { renderReport, renderSummary } from "./report.js";
import { validateResults } from "./schema.js";
import { type JobEvent, LocalExecutor, type SweepExecutor } from "./sweep/executor.js";
import type { SweepGrid } from "./sweep/grid.js";
import type { TrainJobResult } from "./sweep/job-kinds.js";
import { type Spread, sweepFigures } from "./sweep/results.js";
import { JobStore } from "./sweep/store.js";
import { runSweep, type SweepProgress } from "./sweep/sweep.js";

/** Options of {@link runPaper}. */
export interface PaperOptions {
  readonly out: string;
  /** CI-sized run: MNIST subsets, 1 epoch, coarser sweeps (a few minutes). */
  readonly quick?: boolean;
  readonly seed?: number;
  /** Recompute every step. */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  /** A step starts (`done` false) or ends (`cached` tells whether it was reused). */
  readonly onStep?: (event: { step: string; index: number; total: number; done: boolean; cached?: boolean; seconds?: number }) => void;
  readonly onTrainProgress?: (step: string, progress: TrainingProgress) => void;
  /** Where the sweep's jobs run (default: local processes, as many at once as the profile's `sweep.concurrency`). */
  readonly executor?: SweepExecutor;
  /** Local jobs at once, in place of the profile's `sweep.concurrency` (the default executor keeps the profile's process reuse). */
  readonly concurrency?: number;
  /** Progress of the sweep's jobs. */
  readonly onSweepProgress?: (progress: SweepProgress & { event?: JobEvent }) => void;
}

/** The profile: what the full and quick runs compute. */
export function paperProfile(quick: boolean, seed: number) {
  const train = (model: "ffnn" | "snn", epochs: number, timeSteps = model === "snn" ? TRAINING_DEFAULTS.timeSteps : 1): TrainConfig => ({
    model,
    epochs,
    timeSteps,
    batchSize: TRAINING_DEFAULTS.batchSize,
    learningRate: TRAINING_DEFAULTS.learningRate,
    // The profile's own choice, kept explicit so that a change of the default does not move the paper's numbers.
    lrSchedule: "cosine",
    seed,
    trainCount: quick ? 4000 : 60_000,
    testCount: quick ? 1000 : 10_000,
    // Quick trainings run in one thread: worker threads take longer to start (~1.2 s of CPU each)
    // than they save on 4,000 images (the sweep's jobs 22 → 13 s). Full ones take the default of 2.
    // (Fixed per profile, not per machine: the count is part of a result.)
    ...(quick ? { workers: 1 } : {}),
  });
  // The F–I curve and the fits share a sweep; only their resolution differs.
  const fiSweep = (stepPA: number) => ({
    fromPA: 0,
    toPA: 1000,
    stepPA,
    protocol: "steady" as const,
    searchToPA: quick ? [400, 500, 600] : Array.from({ length: 35 }, (_, i) => 300 + 50 * i),
  });
  return {
    traces: { currentsPA: [150, 200, 250, 350], durationMs: 300, dtMs: 0.1 },
    fi: fiSweep(quick ? 20 : 5),
    fits: fiSweep(quick ? 20 : 10),
    collapse: {
      parameterSets: [
        {} as Record<string, string>,
        { tauM: "20ms", gL: "5nS", eL: "-70mV", vTh: "-50mV", vReset: "-70mV", tauRef: "4ms" },
        { tauM: "5ms", gL: "40nS", eL: "-65mV", vTh: "-35mV", vReset: "-65mV", tauRef: "1ms" },
      ],
      currents: quick ? [0.5, 1, 1.25, 2, 4] : [0.5, 0.9, 1, 1.05, 1.1, 1.25, 1.5, 2, 3, 4, 6, 8],
    },
    ffnn: train("ffnn", quick ? 1 : 10),
    snn: train("snn", quick ? 1 : 10),
    // The T sweep of the SNN and the FFNN beside it, each over three seeds (the first is the run's).
    sweep: {
      timeSteps: quick ? [5, 10, 25] : [5, 10, 25, 50],
      seeds: [seed, seed + 1, seed + 2],
      snnEpochs: quick ? 1 : 3,
      ffnnEpochs: quick ? 1 : 10,
      // Local jobs at once: quick jobs are mostly process start-up (single-threaded), full ones train on both cores.
      concurrency: quick ? 2 : 1,
      // Quick jobs share their lane's process (start-up ~1.5 s of CPU each); full ones, minutes long, each get a fresh heap.
      jobsPerProcess: quick ? 12 : 1,
    },
    neuronModels: quick
      ? { fromPA: 0, toPA: 2000, stepPA: 200, durationS: 0.5, dtMs: 0.1, discardS: 0.1, galleryDurationMs: 300, galleryDtMs: 0.05 }
      : { fromPA: 0, toPA: 2000, stepPA: 50, durationS: 1, dtMs: 0.05, discardS: 0.2, galleryDurationMs: 500, galleryDtMs: 0.02 },
    // The network models beside the LIF, trained like the sweep's T = 25 point (whose result is the LIF's row).
    variants: ["alif", "cuba-lif"].map((neuron) => ({ ...train("snn", quick ? 1 : 3, 25), network: { neuron } })),
    // The bridge: the FFNN on the LIF-rate activation, converted (IF, rate-matched) and fine-tuned.
    bridge: {
      ffnn: { ...train("ffnn", quick ? 1 : 5), network: { activation: "lif-rate" } },
      steps: quick ? [8, 16, 32, 64] : [8, 16, 32, 64, 128, 256],
      calibration: quick ? 500 : 2000,
      fineTune: { ...train("snn", 1, 32), model: "snn" as const, learningRate: 1e-4, lrSchedule: "constant" as const, loss: "ce_count" },
    },
    // The SNN trained for TrueNorth (constraint-aware: β = 1, rate-coded input, ternary weights, grouped fan-in).
    trueNorth: { ...train("snn", quick ? 1 : 6), learningRate: 3e-3, lrSchedule: "constant" as const, target: "truenorth" },
  };
}

/** The sweep's grid: both networks × seeds × T (the FFNN has one step: one job per seed). */
export function paperSweepGrid(profile: ReturnType<typeof paperProfile>): SweepGrid {
  const { model: _m, epochs: _e, timeSteps: _t, seed: _s, ...shared } = profile.snn;
  return {
    base: shared,
    list: [
      { model: "snn", epochs: profile.sweep.snnEpochs },
      { model: "ffnn", epochs: profile.sweep.ffnnEpochs },
    ],
    grid: { seed: profile.sweep.seeds, timeSteps: profile.sweep.timeSteps },
  };
}

/** Runs the whole paper and writes its outputs into `options.out` (which it holds exclusively meanwhile). */
export async function runPaper(options: PaperOptions) {
  const lock = lockFolder(options.out, "a neurobridge paper run");
  try {
    return await runPaperLocked(options);
  } finally {
    lock.release();
  }
}

async function runPaperLocked(options: PaperOptions) {
  const seed = options.seed ?? 42;
  const quick = options.quick ?? false;
  const profile = paperProfile(quick, seed);
  const out = options.out;
  const figuresDir = join(out, "figures");
  ensureFolder(figuresDir);
  const cache = new StepCache(join(out, "cache"), options.force ?? false);
  // Cache keys carry the code a step runs on: changed code recomputes, unchanged code resumes.
  const code = pipelineCodeVersions();
  const keyed = <C extends object>(config: C, part: keyof typeof code) => ({ ...config, code: code[part] });
  const started = performance.now();
  const steps = [
    "lif-traces",
    "fi-curve",
    "activation-fits",
    "collapse",
    "neuron-models",
    "train-ffnn",
    "train-snn",
    "sweep",
    ...profile.variants.map((c) => `train-${c.network.neuron}`),
    "train-snn-truenorth",
    "bridge-ffnn",
    "bridge",
    "deploy",
    "figures",
    "report",
  ];
  let index = 0;
  const timings: Record<string, { seconds: number; cached: boolean }> = {};
  const step = async <T>(name: string, config: unknown, compute: () => Promise<T> | T): Promise<T> => {
    if (options.signal?.aborted) throw new AbortError("the paper run");
    options.onStep?.({ step: name, index: index++, total: steps.length, done: false });
    const t0 = performance.now();
    const { result, cached } = await cache.run(name, config, compute);
    const seconds = (performance.now() - t0) / 1000;
    timings[name] = { seconds, cached };
    options.onStep?.({ step: name, index: index - 1, total: steps.length, done: true, cached, seconds });
    return result;
  };

  const traces = await step("lif-traces", keyed(profile.traces, "lif"), () => lifTraces(profile.traces));
  const fi = await step("fi-curve", keyed(profile.fi, "lif"), () => fiExperiment(profile.fi));
  const fits = await step("activation-fits", keyed(profile.fits, "lif"), () => fitsExperiment(profile.fits));
  const collapse = await step("collapse", keyed(profile.collapse, "lif"), () => collapseExperiment(profile.collapse));
  const neuronModels = await step("neuron-models", keyed(profile.neuronModels, "lif"), () => neuronModelsExperiment(profile.neuronModels));

  const runtime = createRuntime({ plugins: bundledPlugins(), seed });
  let data: { train: Dataset; test: Dataset } | undefined;
  const training = async (name: string, config: TrainConfig): Promise<TrainResult> =>
    step(name, keyed(config, "training"), async () => {
      data ??= loadPaperData({ trainCount: config.trainCount, testCount: config.testCount });
      const result = await trainExperiment(runtime, config, {
        data,
        checkpointDir: cache.folder(`${name}-checkpoint`, keyed(config, "training")),
        ...(options.onTrainProgress ? { onProgress: (p: TrainingProgress) => options.onTrainProgress?.(name, p) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (result.status === "aborted") throw new AbortError("the paper run");
      return result;
    });
  const ffnn = await training("train-ffnn", profile.ffnn);
  const snn = await training("train-snn", profile.snn);

  // The T sweep: content-addressed jobs (finished ones are never recomputed), on the executor given.
  options.onStep?.({ step: "sweep", index: index++, total: steps.length, done: false });
  const sweepDir = join(out, "sweep");
  if (options.force) rmSync(sweepDir, { recursive: true, force: true });
  const grid = paperSweepGrid(profile);
  const t0 = performance.now();
  let ran = 0;
  const summary = await runSweep({
    grid,
    out: sweepDir,
    executor:
      options.executor ??
      new LocalExecutor({ concurrency: options.concurrency ?? profile.sweep.concurrency, jobsPerProcess: profile.sweep.jobsPerProcess }),
    figures: false,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => {
      if (p.event?.state === "done") ran++;
      options.onSweepProgress?.(p);
    },
  });
  if (options.signal?.aborted) throw new AbortError("the paper run");
  if (summary.failed) {
    throw new Error(
      `the sweep has ${summary.failed} failed job(s) (see ${sweepDir}): ${summary.failures.map((f) => `${f.id}: ${f.error}`).join("; ")}`,
    );
  }
  timings.sweep = { seconds: (performance.now() - t0) / 1000, cached: ran === 0 };
  options.onStep?.({ step: "sweep", index: index - 1, total: steps.length, done: true, cached: ran === 0, seconds: timings.sweep.seconds });
  const store = new JobStore(join(sweepDir, "store"));
  const trained = (model: string, seedOf: number, timeSteps: number): TrainResult => {
    const entry = summary.entries.find((e) => e.axes.model === model && e.axes.seed === seedOf && e.axes.timeSteps === timeSteps);
    const record = entry && store.get(entry.id);
    if (!record) throw new Error(`the sweep holds no ${model} job for seed ${seedOf}, T ${timeSteps}`);
    return (record.result as TrainJobResult).train;
  };
  const groupOf = (model: string, timeSteps: number) =>
    summary.groups.find((g) => g.axes.model === model && g.axes.timeSteps === timeSteps);
  const spreadOf = (model: string, timeSteps: number, metric: string): Spread => {
    const s = groupOf(model, timeSteps)?.metrics[metric];
    if (!s) throw new Error(`the sweep has no ${metric} for ${model} at T ${timeSteps}`);
    return s;
  };
  const sweep: SweepPoint[] = profile.sweep.timeSteps.map((T) => {
    const accuracy = spreadOf("snn", T, "testAccuracy");
    return {
      timeSteps: T,
      testAccuracy: accuracy.mean,
      testAccuracySd: accuracy.sd,
      testAccuracyMin: accuracy.min,
      testAccuracyMax: accuracy.max,
      seeds: groupOf("snn", T)?.n ?? 0,
      energyCmos45: spreadOf("snn", T, "energyCmos45J").mean,
      energyLoihi: spreadOf("snn", T, "energyLoihiJ").mean,
      epochs: profile.sweep.snnEpochs,
    };
  });
  const ffnnAccuracy = spreadOf("ffnn", 1, "testAccuracy");
  const seeds = {
    seeds: profile.sweep.seeds,
    ffnn: { epochs: profile.sweep.ffnnEpochs, n: groupOf("ffnn", 1)?.n ?? 0, testAccuracy: ffnnAccuracy },
    snn: sweep.map((p) => ({
      timeSteps: p.timeSteps,
      epochs: p.epochs,
      n: p.seeds ?? 0,
      testAccuracy: spreadOf("snn", p.timeSteps, "testAccuracy"),
    })),
  };
  const variants: { neuron: string; result: TrainResult }[] = [];
  if (profile.sweep.timeSteps.includes(25)) variants.push({ neuron: "lif", result: trained("snn", seed, 25) });
  for (const config of profile.variants)
    variants.push({ neuron: config.network.neuron, result: await training(`train-${config.network.neuron}`, config) });
  const neuronModelRows = neuronModelTable(variants);
  await training("train-snn-truenorth", profile.trueNorth);

  // The bridge of the title: the LIF-rate FFNN to an SNN by conversion (IF, rate-matched) and fine-tuning.
  await training("bridge-ffnn", profile.bridge.ffnn);
  const bridgeConfig = { ...profile.bridge, testCount: profile.snn.testCount };
  const bridge = await step("bridge", keyed(bridgeConfig, "training"), async () => {
    data ??= loadPaperData({ trainCount: profile.snn.trainCount, testCount: profile.snn.testCount });
    const folder = (name: string) => cache.folder(name, keyed(bridgeConfig, "training"));
    return bridgeExperiment(
      runtime,
      cache.folder("bridge-ffnn-checkpoint", keyed(profile.bridge.ffnn, "training")),
      { if: folder("bridge-if"), matched: folder("bridge-matched"), tuned: folder("bridge-tuned") },
      bridgeConfig,
      data,
    );
  });
  const scratch: ScratchPoint[] = profile.sweep.timeSteps.map((T) => ({
    timeSteps: T,
    accuracy: spreadOf("snn", T, "testAccuracy").mean,
    min: spreadOf("snn", T, "testAccuracy").min,
    max: spreadOf("snn", T, "testAccuracy").max,
    energyJ: spreadOf("snn", T, "macs").mean * CMOS45.mac.value + spreadOf("snn", T, "accumulates").mean * CMOS45.add.value,
  }));

  // Off the training backend: ONNX files, ONNX Runtime parity, emulated Loihi, TrueNorth's constraints.
  const deployConfig = { ffnn: profile.ffnn, snn: profile.snn, trueNorth: profile.trueNorth, testCount: profile.snn.testCount };
  const deployment = await step("deploy", keyed(deployConfig, "deploy"), async () => {
    const test = data?.test ?? loadPaperData({ trainCount: 1, testCount: profile.snn.testCount }).test;
    return deploymentExperiment(
      runtime,
      {
        ffnn: cache.folder("train-ffnn-checkpoint", keyed(profile.ffnn, "training")),
        snn: cache.folder("train-snn-checkpoint", keyed(profile.snn, "training")),
        trueNorth: cache.folder("train-snn-truenorth-checkpoint", keyed(profile.trueNorth, "training")),
      },
      test,
      join(out, "models"),
    );
  });

  const comparison = paperComparison(
    {
      rheobasePA: fi.result.rheobasePA,
      slides: fi.result.slides,
      reluR2: fits.result.relu.r2,
      sigmoidR2: fits.result.sigmoid.r2,
      closest: fits.result.closestRange,
      fitRangeToPA: profile.fits.toPA,
    },
    ffnn,
    snn,
  );
  const figures: FigureSpec[] = [
    ...traces.figures,
    ...fi.figures,
    ...fits.figures,
    ...collapse.figures,
    ...neuronModels.figures,
    ...networkFigures(ffnn, snn, sweep),
    ...sweepFigures(summary.groups, "seed").filter((f) => f.id === "sweep-accuracy-vs-T"),
    ...bridgeFigures(bridge, scratch),
  ];
  options.onStep?.({ step: "figures", index: index++, total: steps.length, done: false });
  const rendered: { id: string; title: string; caption: string; svg: string; files: { svg: string; png: string } }[] = [];
  for (const figure of figures) {
    const { svg, png } = await renderFigure(figure);
    const files = { svg: `figures/${figure.id}.svg`, png: `figures/${figure.id}.png` };
    writeAtomic(join(out, files.svg), svg);
    writeAtomic(join(out, files.png), png);
    rendered.push({ id: figure.id, title: figure.title, caption: figure.caption, svg, files });
  }
  options.onStep?.({ step: "figures", index: index - 1, total: steps.length, done: true });

  const results = {
    format: "neurobridge.paper-results",
    version: 1,
    meta: {
      profile: quick ? "quick" : "full",
      seed,
      node: process.version,
      wallSeconds: (performance.now() - started) / 1000,
      steps: timings,
      code,
    },
    lif: { traces: traces.result, fiCurve: fi.result, fits: fits.result, collapse: collapse.result },
    neuronModels: { ...neuronModels.result, mnist: neuronModelRows },
    training: { ffnn, snn },
    cost: { ffnn: ffnnCost(ffnn), snn: snnCost(snn), constants: energyConstants() },
    sweep,
    seeds,
    bridge: { ...bridge, scratch },
    deployment,
    paperComparison: comparison,
    figures: rendered.map(({ svg: _svg, ...f }) => f),
  };
  validateResults(results);
  options.onStep?.({ step: "report", index: index++, total: steps.length, done: false });
  writeAtomic(join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeAtomic(join(out, "report.html"), renderReport(results, rendered));
  writeAtomic(join(out, "summary.md"), renderSummary(results));
  options.onStep?.({ step: "report", index: index - 1, total: steps.length, done: true });
  return results;
}

/** The results object {@link runPaper} writes. */
export type PaperResults = Awaited<ReturnType<typeof runPaperLocked>>;
