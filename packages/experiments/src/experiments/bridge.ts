/**
 * The bridge of the paper's title, rate network → spiking network: converts
 * a trained FFNN checkpoint (`convertToSnn` in neurons-lif) and diagnoses
 * the conversion, so a user sees where and why accuracy is lost:
 *
 * - accuracy of the FFNN and of the converted SNN at each T (1…256), with
 *   operations and energy per inference at each T;
 * - per layer, at the chosen T: how well the SNN's firing rates follow the
 *   normalised activations (Pearson r, RMS error, the share of neurons
 *   clipped at one spike per step) — the error's growth with depth.
 */
import { mkdirSync } from "node:fs";
import { type Dataset, NeuroBridgeError, type Runtime } from "@neurobridge/core";
import { loadCheckpoint, saveCheckpoint } from "@neurobridge/core/node";
import { checkpointNormalization, loadMnist, subset } from "@neurobridge/mnist";
import { type Conversion, convertToSnn, type Normalisation, rateActivations } from "@neurobridge/neurons-lif";
import { CMOS45 } from "./cost.js";

/** Options of {@link convertCheckpoint}. */
export interface ConvertCheckpointOptions {
  /** `lif` leaks with `beta`; `if` integrates (β = 1). Default `if`. */
  readonly neuron?: "lif" | "if";
  /** β of `lif` neurons (default 0.99). */
  readonly beta?: number;
  /** T of the converted network (default 64). */
  readonly steps?: number;
  readonly normalise?: Normalisation;
  /** Training images used to calibrate λ (default 2,000). */
  readonly calibration?: number;
  /** Test images the diagnostics run on (default 1,000; 0 skips them). */
  readonly evalSamples?: number;
  /** The T values of the accuracy sweep (default 1, 2, 4, … 256). */
  readonly sweep?: readonly number[];
  readonly onProgress?: (message: string) => void;
}

/** Accuracy and cost of the converted SNN at one T. */
export interface StepsPoint {
  readonly timeSteps: number;
  readonly accuracy: number;
  /** Multiply-accumulates per inference (the first layer's, from graded input). */
  readonly macs: number;
  /** Synaptic accumulates per inference, from the measured spikes. */
  readonly accumulates: number;
  /** 45 nm CMOS compute energy per inference (J): MACs and accumulates (Horowitz 2014). */
  readonly energyJ: number;
}

/** How well one converted layer's rates follow the rate network's normalised activations. */
export interface LayerAgreement {
  readonly layer: string;
  readonly lambda: number;
  /** Pearson correlation of rate (spikes/T) with activation/λ clipped to [0, 1]. */
  readonly correlation: number;
  /** RMS of rate − clipped activation/λ. */
  readonly rmsError: number;
  /** Share of calibration activations above λ. */
  readonly clippedFraction: number;
}

/** What {@link convertCheckpoint} reports. */
export interface ConversionReport {
  readonly out: string;
  readonly neuron: "lif" | "if";
  readonly beta: number;
  readonly timeSteps: number;
  readonly normalise: Normalisation;
  readonly calibrationSamples: number;
  readonly layers: readonly { dense: string; lambda: number; lambdaIn: number; maxActivation: number; clippedFraction: number }[];
  /** Absent when the diagnostics are skipped. */
  readonly diagnostics?: {
    readonly samples: number;
    readonly ffnnAccuracy: number;
    readonly snnAccuracy: number;
    readonly agreement: readonly LayerAgreement[];
    readonly sweep: readonly StepsPoint[];
    /** The smallest T within 1 point of the FFNN, if any in the sweep. */
    readonly withinOnePointAt: number | null;
  };
}

const DEFAULT_SWEEP = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;

/** Pearson correlation (0 when either side is constant). */
function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] as number;
    my += y[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * Converts the FFNN checkpoint in `dir` to an SNN checkpoint in `out`
 * (readable by every other command) and, unless `evalSamples` is 0,
 * diagnoses it on MNIST test images.
 */
export async function convertCheckpoint(
  runtime: Runtime,
  dir: string,
  out: string,
  options: ConvertCheckpointOptions = {},
): Promise<ConversionReport> {
  const checkpoint = loadCheckpoint(dir, runtime);
  const ffnn = runtime.plan(checkpoint.spec, checkpoint.weights);
  const normalization = checkpointNormalization(checkpoint);
  const neuron = options.neuron ?? "if";
  if (neuron !== "if" && neuron !== "lif") {
    throw new NeuroBridgeError("OPTION_INVALID", `--neuron: '${neuron}' is not one of lif, if`);
  }
  const beta = neuron === "if" ? 1 : (options.beta ?? 0.99);
  const calibrationCount = options.calibration ?? 2000;
  const train = loadMnist("train", { normalization });
  if (!(Number.isInteger(calibrationCount) && calibrationCount >= 1 && calibrationCount <= train.count)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--calibration: must be an integer 1…${train.count}, got ${calibrationCount}`);
  }
  const F = train.features;
  options.onProgress?.(`calibrating λ on ${calibrationCount} training images`);
  const conversion = convertToSnn(ffnn, train.inputs.subarray(0, calibrationCount * F), calibrationCount, {
    beta,
    ...(options.steps !== undefined ? { timeSteps: options.steps } : {}),
    ...(options.normalise ? { normalise: options.normalise } : {}),
  });
  mkdirSync(out, { recursive: true });
  saveCheckpoint(out, {
    spec: { ...conversion.spec, metadata: { ...conversion.spec.metadata, normalization } },
    weights: conversion.weights,
  });
  const report = {
    out,
    neuron,
    beta,
    timeSteps: conversion.spec.timeSteps,
    normalise: conversion.normalise,
    calibrationSamples: conversion.calibrationSamples,
    layers: conversion.layers.map((l) => ({
      dense: l.dense,
      lambda: l.lambda,
      lambdaIn: l.lambdaIn,
      maxActivation: l.maxActivation,
      clippedFraction: l.clippedFraction,
    })),
  };
  const samples = options.evalSamples ?? 1000;
  if (samples === 0) return report;
  const test = loadMnist("test", { normalization });
  if (!(Number.isInteger(samples) && samples >= 1 && samples <= test.count)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--eval-samples: must be an integer 0…${test.count}, got ${samples}`);
  }
  return { ...report, diagnostics: await diagnose(runtime, ffnn, conversion, subset(test, samples), options) };
}

async function diagnose(
  runtime: Runtime,
  ffnn: ReturnType<Runtime["plan"]>,
  conversion: Conversion,
  test: Dataset,
  options: ConvertCheckpointOptions,
): Promise<NonNullable<ConversionReport["diagnostics"]>> {
  const tfjs = await runtime.backend("tfjs");
  options.onProgress?.(`FFNN on ${test.count} test images`);
  const ffnnAccuracy = (await tfjs.evaluate(ffnn, test)).accuracy;
  const T = conversion.spec.timeSteps;
  const sweepSteps = [...new Set([...(options.sweep ?? DEFAULT_SWEEP), T])].sort((a, b) => a - b);
  const sweep: StepsPoint[] = [];
  for (const steps of sweepSteps) {
    options.onProgress?.(`converted SNN at T = ${steps}`);
    const plan = runtime.plan({ ...conversion.spec, timeSteps: steps }, conversion.weights);
    const ev = await tfjs.evaluate(plan, test);
    sweep.push({
      timeSteps: steps,
      accuracy: ev.accuracy,
      macs: ev.ops.macs,
      accumulates: ev.ops.accumulates,
      energyJ: ev.ops.macs * CMOS45.mac.value + ev.ops.accumulates * CMOS45.add.value,
    });
  }
  // Rates against activations, layer by layer, on the first (up to) 200 test images at the chosen T.
  const rows = Math.min(200, test.count);
  const inputs = test.inputs.subarray(0, rows * test.features);
  const activations = rateActivations(ffnn, inputs, rows);
  const network = await tfjs.compile(runtime.plan(conversion.spec, conversion.weights));
  const run = await network.run(inputs, rows, { record: ["spikes"] }).finally(() => network.dispose());
  const agreement = (run.recordings ?? []).map((rec, l): LayerAgreement => {
    const layer = conversion.layers[l] as Conversion["layers"][number];
    const a = activations[l] as Float32Array;
    const spikes = rec.spikes as Uint8Array;
    const N = rec.size;
    const rates = new Float64Array(rows * N);
    for (let t = 0; t < T; t++) for (let i = 0; i < rows * N; i++) rates[i] = (rates[i] as number) + (spikes[t * rows * N + i] as number);
    const target = new Float64Array(rows * N);
    let squared = 0;
    for (let i = 0; i < rows * N; i++) {
      rates[i] = (rates[i] as number) / T;
      target[i] = Math.min(1, Math.max(0, (a[i] as number) / layer.lambda));
      squared += ((rates[i] as number) - (target[i] as number)) ** 2;
    }
    return {
      layer: rec.id,
      lambda: layer.lambda,
      correlation: pearson(rates, target),
      rmsError: Math.sqrt(squared / (rows * N)),
      clippedFraction: layer.clippedFraction,
    };
  });
  const snnAccuracy = (sweep.find((p) => p.timeSteps === T) as StepsPoint).accuracy;
  const within = sweep.find((p) => p.accuracy >= ffnnAccuracy - 0.01);
  return { samples: test.count, ffnnAccuracy, snnAccuracy, agreement, sweep, withinOnePointAt: within ? within.timeSteps : null };
}
