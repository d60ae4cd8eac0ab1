/**
 * The bridge of the paper's title, rate network → spiking network: converts
 * a trained FFNN checkpoint (`convertToSnn` in neurons-lif) and diagnoses
 * the conversion, so a user sees where and why accuracy is lost:
 *
 * - accuracy of the FFNN and of the converted SNN at each T (1…256), with
 *   operations and energy per inference at each T;
 * - per layer, at the chosen T: how well the SNN's firing rates follow the
 *   normalised activations (Pearson r, RMS error, the share of neurons
 *   clipped at one spike per step) — the error's growth with depth;
 * - per layer, the F–I link: the converted neuron's rate as a function of
 *   its input (simulated on constant inputs), against the curve the FFNN
 *   was trained with — a clipped ReLU for IF neurons, the model's own curve
 *   for rate-matched counterparts (`neuron: "matched"`).
 */

import {
  AbortError,
  arrayOps,
  type Dataset,
  NeuroBridgeError,
  type NeuronNode,
  type NeuronPlanLayer,
  type Runtime,
  simulatePopulation,
} from "@neurobridge/core";
import { ensureFolder, loadCheckpoint, saveCheckpoint } from "@neurobridge/core/node";
import { checkpointNormalization, loadMnist, subset } from "@neurobridge/mnist";
import { type Conversion, convertToSnn, type Normalisation, rateActivations } from "@neurobridge/neurons-lif";
import type { FigureSpec } from "@neurobridge/plots";
import { CMOS45 } from "./cost.js";
import { firstImages, type TrainConfig, trainExperiment } from "./training.js";

/** Options of {@link convertCheckpoint}. */
export interface ConvertCheckpointOptions {
  /**
   * `lif` leaks with `beta`; `if` integrates (β = 1); `matched`: each hidden
   * layer becomes its rate model's spiking counterpart (lif-rate → a
   * refractory LIF), whose rate follows the trained curve. Default `if`.
   */
  readonly neuron?: ConversionNeuron;
  /** For `matched`: the counterpart's resolution (lif-rate: steps per refractory period; default 4). */
  readonly resolution?: number;
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

/** The converted neurons a conversion can use. */
export const CONVERSION_NEURONS = ["if", "lif", "matched"] as const;
export type ConversionNeuron = (typeof CONVERSION_NEURONS)[number];

/** One layer's F–I link: the converted neuron's rate against the trained activation, over inputs x. */
export interface CurveLink {
  readonly layer: string;
  /** The rate model the FFNN was trained with, and the spiking model that replaced it. */
  readonly trained: string;
  readonly converted: string;
  /** R² of the converted rate (in the FFNN's output units) against the trained curve. */
  readonly r2: number;
  /** Largest |converted − trained| over the inputs. */
  readonly maxError: number;
  readonly points: readonly { readonly x: number; readonly trained: number; readonly converted: number }[];
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
  readonly neuron: ConversionNeuron;
  readonly beta: number;
  readonly timeSteps: number;
  readonly normalise: Normalisation;
  readonly calibrationSamples: number;
  readonly layers: readonly {
    dense: string;
    lambda: number;
    lambdaIn: number;
    maxActivation: number;
    clippedFraction: number;
    /** Rate-matched layers: the spiking model, and its spikes per step per unit of activation. */
    counterpart?: { model: string; params: Readonly<Record<string, number>>; spikesPerOutput: number };
  }[];
  /** Absent when the diagnostics are skipped. */
  readonly diagnostics?: {
    readonly samples: number;
    readonly ffnnAccuracy: number;
    readonly snnAccuracy: number;
    readonly agreement: readonly LayerAgreement[];
    /** Per hidden layer: the converted neuron's F–I curve against the trained activation. */
    readonly curves: readonly CurveLink[];
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
  if (!(CONVERSION_NEURONS as readonly string[]).includes(neuron)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--neuron: '${neuron}' is not one of ${CONVERSION_NEURONS.join(", ")}`);
  }
  // Rate-matched: the logits stay IF neurons.
  const beta = neuron === "lif" ? (options.beta ?? 0.99) : 1;
  const calibrationCount = options.calibration ?? 2000;
  // Scale only the images calibration reads; an out-of-range count still meets the check below.
  const train = loadMnist("train", { normalization, ...firstImages(calibrationCount) });
  if (!(Number.isInteger(calibrationCount) && calibrationCount >= 1 && calibrationCount <= train.count)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--calibration: must be an integer 1…${train.count}, got ${calibrationCount}`);
  }
  const F = train.features;
  options.onProgress?.(`calibrating λ on ${calibrationCount} training images`);
  const conversion = convertToSnn(ffnn, train.inputs.subarray(0, calibrationCount * F), calibrationCount, {
    beta,
    ...(neuron === "matched" ? { match: true, ...(options.resolution !== undefined ? { resolution: options.resolution } : {}) } : {}),
    ...(options.steps !== undefined ? { timeSteps: options.steps } : {}),
    ...(options.normalise ? { normalise: options.normalise } : {}),
  });
  ensureFolder(out);
  saveCheckpoint(out, {
    spec: { ...conversion.spec, metadata: { ...conversion.spec.metadata, normalization } },
    weights: conversion.weights,
    plugins: runtime.pluginRecords(),
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
      ...(l.counterpart
        ? { counterpart: { model: l.counterpart.model, params: l.counterpart.params, spikesPerOutput: l.counterpart.spikesPerOutput } }
        : {}),
    })),
  };
  const samples = options.evalSamples ?? 1000;
  if (samples === 0) return report;
  const test = loadMnist("test", { normalization, ...firstImages(samples) });
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
    // Spikes per step per unit of activation: 1/λ for IF neurons, k for a rate-matched counterpart.
    const perStep = layer.counterpart ? layer.counterpart.spikesPerOutput : 1 / layer.lambda;
    let squared = 0;
    for (let i = 0; i < rows * N; i++) {
      rates[i] = (rates[i] as number) / T;
      target[i] = Math.min(1, Math.max(0, (a[i] as number) * perStep));
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
  options.onProgress?.("F–I curves of the converted neurons");
  const curves = curveLinks(runtime, ffnn, conversion);
  return { samples: test.count, ffnnAccuracy, snnAccuracy, agreement, curves, sweep, withinOnePointAt: within ? within.timeSteps : null };
}

/** Steps each converted neuron is simulated for on each constant input (rates to 1/2000 of a spike per step). */
const CURVE_STEPS = 2000;
/** Inputs of each curve. */
const CURVE_POINTS = 81;

/**
 * The F–I link of each hidden layer: its rate model's curve f(x) and the
 * converted neuron's rate on constant input x, read back in the FFNN's
 * output units (spikes per step ÷ spikes per unit of output), on x from 0 to
 * where f reaches the layer's λ (the largest output the conversion keeps).
 */
export function curveLinks(runtime: Runtime, ffnn: ReturnType<Runtime["plan"]>, conversion: Conversion): CurveLink[] {
  const neuronLayers = ffnn.layers.filter((l): l is NeuronPlanLayer => l.kind === "neuron");
  const convertedNodes = conversion.spec.nodes.filter((n): n is NeuronNode => n.type === "neuron");
  return neuronLayers.map((layer, l) => {
    const c = conversion.layers[l] as Conversion["layers"][number];
    const node = convertedNodes[l] as NeuronNode;
    const f = (x: Float32Array) => layer.model.step(arrayOps, x, {}, scalarParams(layer, x.length), layer.resolved.context).output;
    // Inputs up to where the trained curve reaches λ (doubling from 1 until it does, at most 2^10).
    let top = 1;
    while (top < 1024 && (f(Float32Array.of(top))[0] as number) < c.lambda) top *= 2;
    // Then to where it reaches λ (bisection): above it the conversion clips by design.
    let low = top / 2;
    for (let i = 0; i < 30 && (f(Float32Array.of(top))[0] as number) >= c.lambda; i++) {
      const mid = (low + top) / 2;
      if ((f(Float32Array.of(mid))[0] as number) >= c.lambda) top = mid;
      else low = mid;
    }
    const xs = Float32Array.from({ length: CURVE_POINTS }, (_, i) => (top * i) / (CURVE_POINTS - 1));
    const trained = f(xs);
    // What the converted neuron receives per step for input x, and what a spike per step is worth.
    const gain = c.counterpart ? c.counterpart.inputGain : 1 / c.lambda;
    const perStep = c.counterpart ? c.counterpart.spikesPerOutput : 1 / c.lambda;
    const probe: NeuronNode = { ...node, id: `${node.id}-curve`, size: CURVE_POINTS };
    const input = new Float32Array(CURVE_STEPS * CURVE_POINTS);
    for (let t = 0; t < CURVE_STEPS; t++) for (let i = 0; i < CURVE_POINTS; i++) input[t * CURVE_POINTS + i] = gain * (xs[i] as number);
    const spikes = simulatePopulation(probe, runtime.neuronModel(node.model), runtime, input, CURVE_STEPS, 1).outputs;
    const counts = new Float64Array(CURVE_POINTS);
    for (let t = 0; t < CURVE_STEPS; t++)
      for (let i = 0; i < CURVE_POINTS; i++) counts[i] = (counts[i] as number) + (spikes[t * CURVE_POINTS + i] as number);
    const points = [...xs].map((x, i) => ({ x, trained: trained[i] as number, converted: (counts[i] as number) / CURVE_STEPS / perStep }));
    const mean = points.reduce((s, p) => s + p.trained, 0) / points.length;
    const ssTot = points.reduce((s, p) => s + (p.trained - mean) ** 2, 0);
    const ssRes = points.reduce((s, p) => s + (p.converted - p.trained) ** 2, 0);
    return {
      layer: node.id,
      trained: layer.model.name,
      converted: c.counterpart ? c.counterpart.model : node.model,
      r2: ssTot > 0 ? 1 - ssRes / ssTot : 0,
      maxError: Math.max(...points.map((p) => Math.abs(p.converted - p.trained))),
      points,
    };
  });
}

/** A layer's parameters for a population of `size` probe neurons (the layer's first neuron's values). */
function scalarParams(layer: NeuronPlanLayer, size: number): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(layer.params).map(([k, v]) => [k, new Float32Array(size).fill(v[0] as number)]));
}

/** Config of {@link bridgeExperiment}: the routes from the LIF-rate FFNN to an SNN. */
export interface BridgeConfig {
  /** T values at which the converted networks are evaluated. */
  readonly steps: readonly number[];
  /** Training images that calibrate the conversions. */
  readonly calibration: number;
  /** Test images every route is evaluated on (the first ones). */
  readonly testCount: number;
  /** The converted + fine-tuned route: the rate-matched conversion at this T, trained further with surrogate gradients. */
  readonly fineTune: Omit<TrainConfig, "model" | "network"> & { readonly model: "snn" };
}

/** One route's accuracy and cost at one T. */
export interface RoutePoint {
  readonly route: "converted (IF)" | "converted (rate-matched)" | "converted + fine-tuned";
  readonly timeSteps: number;
  readonly accuracy: number;
  readonly accumulates: number;
  readonly macs: number;
  /** 45 nm CMOS compute energy per inference (J): MACs and accumulates. */
  readonly energyJ: number;
}

/** What {@link bridgeExperiment} computes. */
export interface BridgeResult {
  readonly ffnnAccuracy: number;
  readonly routes: readonly RoutePoint[];
  /** The F–I link of each hidden layer, for both conversions. */
  readonly curves: { readonly if: readonly CurveLink[]; readonly matched: readonly CurveLink[] };
  /** Smallest T at which each conversion is within 1 point of the FFNN (null: none in `steps`). */
  readonly withinOnePointAt: { readonly if: number | null; readonly matched: number | null };
  readonly fineTune: { readonly epochs: number; readonly timeSteps: number; readonly loss: string; readonly learningRate: number };
}

/**
 * The bridge of the paper's title, three routes from the FFNN trained on the
 * LIF-rate activation (checkpoint `ffnnDir`) to a spiking network: converted
 * to IF neurons (λ-scaling), converted rate-matched (each layer's spiking
 * counterpart, following the trained curve), and the rate-matched
 * conversion fine-tuned with surrogate gradients. Checkpoints go to
 * `dirs.if`, `dirs.matched` and `dirs.tuned`; the SNN from scratch is the
 * pipeline's sweep.
 */
export async function bridgeExperiment(
  runtime: Runtime,
  ffnnDir: string,
  dirs: { readonly if: string; readonly matched: string; readonly tuned: string },
  config: BridgeConfig,
  data: { train: Dataset; test: Dataset },
  onProgress?: (message: string) => void,
): Promise<BridgeResult> {
  const T = Math.max(...config.steps);
  const common = {
    steps: T,
    sweep: config.steps,
    calibration: config.calibration,
    evalSamples: config.testCount,
    ...(onProgress ? { onProgress } : {}),
  };
  const viaIf = await convertCheckpoint(runtime, ffnnDir, dirs.if, { ...common, neuron: "if" });
  const matched = await convertCheckpoint(runtime, ffnnDir, dirs.matched, { ...common, neuron: "matched" });
  const [dIf, dMatched] = [viaIf.diagnostics, matched.diagnostics] as [
    NonNullable<ConversionReport["diagnostics"]>,
    NonNullable<ConversionReport["diagnostics"]>,
  ];
  const points = (route: RoutePoint["route"], d: typeof dIf): RoutePoint[] =>
    d.sweep
      .filter((p) => config.steps.includes(p.timeSteps))
      .map((p) => ({ route, timeSteps: p.timeSteps, accuracy: p.accuracy, accumulates: p.accumulates, macs: p.macs, energyJ: p.energyJ }));
  onProgress?.(`fine-tuning the rate-matched conversion at T = ${config.fineTune.timeSteps}`);
  const tuned = await trainExperiment(runtime, config.fineTune as TrainConfig, {
    checkpointDir: dirs.tuned,
    initFrom: dirs.matched,
    data,
  });
  if (tuned.status === "aborted") throw new AbortError("fine-tuning");
  return {
    ffnnAccuracy: dMatched.ffnnAccuracy,
    routes: [
      ...points("converted (IF)", dIf),
      ...points("converted (rate-matched)", dMatched),
      {
        route: "converted + fine-tuned",
        timeSteps: config.fineTune.timeSteps,
        accuracy: tuned.testAccuracy,
        accumulates: tuned.ops.accumulates,
        macs: tuned.ops.macs,
        energyJ: tuned.ops.macs * CMOS45.mac.value + tuned.ops.accumulates * CMOS45.add.value,
      },
    ],
    curves: { if: dIf.curves, matched: dMatched.curves },
    withinOnePointAt: { if: dIf.withinOnePointAt, matched: dMatched.withinOnePointAt },
    fineTune: {
      epochs: config.fineTune.epochs,
      timeSteps: config.fineTune.timeSteps,
      loss: tuned.loss,
      learningRate: config.fineTune.learningRate,
    },
  };
}

/** The SNN-from-scratch route at one T (the sweep's mean over seeds, min and max). */
export interface ScratchPoint {
  readonly timeSteps: number;
  readonly accuracy: number;
  readonly min: number;
  readonly max: number;
  readonly energyJ: number;
}

/** The bridge figure: accuracy against T and against energy for the three routes, the FFNN as a rule. */
export function bridgeFigures(bridge: BridgeResult, scratch: readonly ScratchPoint[]): FigureSpec[] {
  const values = [
    ...scratch.map((p) => ({
      route: "SNN from scratch",
      T: p.timeSteps,
      accuracy: p.accuracy,
      lo: p.min,
      hi: p.max,
      energyUJ: p.energyJ * 1e6,
    })),
    ...bridge.routes.map((p) => ({
      route: p.route,
      T: p.timeSteps,
      accuracy: p.accuracy,
      lo: p.accuracy,
      hi: p.accuracy,
      energyUJ: p.energyJ * 1e6,
    })),
  ];
  const routes = ["SNN from scratch", "converted (IF)", "converted (rate-matched)", "converted + fine-tuned"];
  const color = { field: "route", type: "nominal", title: null, scale: { domain: routes } };
  const panel = (x: object, title: string) => ({
    width: 300,
    height: 260,
    title,
    layer: [
      {
        data: { values },
        mark: { type: "line", point: { filled: true, size: 50 }, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: "accuracy", type: "quantitative", title: "Test accuracy", scale: { zero: false }, axis: { format: ".0%" } },
          color,
        },
      },
      {
        data: { values },
        mark: { type: "errorbar", ticks: true },
        encoding: { x, y: { field: "lo", type: "quantitative", title: "Test accuracy" }, y2: { field: "hi" }, color },
      },
      {
        data: { values: [{ ffnn: bridge.ffnnAccuracy }] },
        mark: { type: "rule", strokeDash: [4, 3], color: "#555" },
        encoding: { y: { field: "ffnn", type: "quantitative" } },
      },
    ],
  });
  return [
    {
      id: "bridge-routes",
      title: "From the LIF-rate FFNN to a spiking network: three routes",
      caption: `Test accuracy of the SNN trained from scratch (mean over seeds, bars min–max), the FFNN converted to IF neurons (λ-scaled), converted rate-matched (each layer's spiking counterpart, whose F–I curve follows the trained one), and the rate-matched conversion fine-tuned for ${bridge.fineTune.epochs} epoch(s) at T = ${bridge.fineTune.timeSteps}; dashed: the FFNN (${(bridge.ffnnAccuracy * 100).toFixed(2)}%). Energy: 45 nm MACs and accumulates per inference.`,
      spec: {
        hconcat: [
          panel({ field: "T", type: "quantitative", title: "Time steps T (log)", scale: { type: "log", base: 2 } }, "Accuracy against T"),
          panel(
            { field: "energyUJ", type: "quantitative", title: "Energy per inference (µJ, log)", scale: { type: "log" } },
            "Accuracy against energy",
          ),
        ],
      } as FigureSpec["spec"],
    },
    {
      id: "bridge-fi-link",
      title: "The F–I link: converted neurons against the curve the FFNN was trained with",
      caption: `Rate of each hidden layer's converted neuron on constant input (in the FFNN's output units) against the trained lif-rate activation: IF neurons give a clipped ReLU (R² ${bridge.curves.if.map((c) => c.r2.toFixed(3)).join(", ")}); the rate-matched refractory LIF follows the curve (R² ${bridge.curves.matched.map((c) => c.r2.toFixed(3)).join(", ")}).`,
      spec: {
        width: 460,
        height: 260,
        data: {
          values: [
            ...(bridge.curves.matched[0]?.points ?? []).map((p) => ({ x: p.x, rate: p.trained, curve: "trained: lif-rate" })),
            ...(bridge.curves.if[0]?.points ?? []).map((p) => ({ x: p.x, rate: p.converted, curve: "converted: IF" })),
            ...(bridge.curves.matched[0]?.points ?? []).map((p) => ({ x: p.x, rate: p.converted, curve: "converted: rate-matched" })),
          ],
        },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: { field: "x", type: "quantitative", title: "Input x (units of the rheobase)" },
          y: { field: "rate", type: "quantitative", title: "Rate (FFNN output units)" },
          color: { field: "curve", type: "nominal", title: null },
        },
      } as FigureSpec["spec"],
    },
  ];
}
