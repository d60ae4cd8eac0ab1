/**
 * ANN → SNN conversion (Diehl et al. 2015; Rueckauer et al. 2017): a trained
 * rate network (dense layers and non-spiking neurons, e.g. ReLU or the fitted
 * LIF-rate activation) becomes a spiking network of integrate-and-fire (β = 1)
 * or leaky (β < 1) LIF neurons with threshold 1 and reset by subtraction,
 * whose firing rates approximate the rate network's activations:
 *
 * - data-based normalisation: per layer l, λ_l is the largest (`max`) or the
 *   99.9th-percentile (`p99.9`) positive activation of that layer on the
 *   calibration data — the logits for the last dense layer;
 * - weights and biases are rescaled so a neuron's rate per step is its
 *   activation over λ_l: W′_l = W_l·λ_{l−1}/λ_l, b′_l = b_l/λ_l, with
 *   λ_0 = 1 (direct input: the pixel value is the current at every step);
 * - reset by subtraction keeps the charge above threshold, so rates stay
 *   linear in the input up to one spike per step (Rueckauer 2017).
 *
 * Activations come from each model's own `step` on core's reference array
 * ops, so any registered rate model converts; the result is an ordinary
 * spec and weights every command accepts (eval, deploy, export, train).
 *
 * Rate-matched conversion (`match`): each hidden layer becomes the spiking
 * counterpart its rate model declares (`spikingCounterpart`) — a neuron that
 * fed g·x per step fires k·f(x) spikes per step, f being the curve the FFNN
 * was trained with (for `lif-rate`: a refractory LIF stepped at h·τ_m). The
 * next layer reads rates back as spikes/k: W′_l = g_l·W_l/k_{l−1},
 * b′_l = g_l·b_l (k_0 = 1: the pixels). This keeps a curve that is not
 * scale-free (lif-rate is silent below its rheobase x = 1), which λ-scaling
 * into IF neurons — whose rate is a clipped ReLU of the input — cannot.
 * The logits stay IF neurons normalised by λ.
 */
import {
  arrayOps,
  type DensePlanLayer,
  denseReference,
  type NetworkPlan,
  type NetworkSpec,
  NeuroBridgeError,
  type NeuronNode,
  type NeuronPlanLayer,
  type SpikingCounterpart,
  sequentialSpec,
  type Weights,
} from "@neurobridge/core";

/** How λ_l is taken from a layer's positive activations. */
export type Normalisation = "max" | "p99.9";
/** Accepted normalisations, for messages. */
export const NORMALISATIONS: readonly Normalisation[] = ["max", "p99.9"];

/** Options of {@link convertToSnn}. */
export interface ConversionOptions {
  /** β of every converted neuron: 1 is integrate-and-fire (the default), below 1 leaks. */
  readonly beta?: number;
  /** Time steps of the converted network (default 64). */
  readonly timeSteps?: number;
  /** Default `p99.9`. */
  readonly normalise?: Normalisation;
  /** The spiking model (default `lif`); it must take `beta` and `threshold` parameters. */
  readonly model?: string;
  /** Rate-matched: each hidden layer becomes its rate model's spiking counterpart (see above); `beta` and `model` then apply to the output layer only. */
  readonly match?: boolean;
  /** Resolution handed to each counterpart (for lif-rate: steps per refractory period; default 4). */
  readonly resolution?: number;
}

/** Per-layer result of a conversion. */
export interface ConvertedLayer {
  /** The dense layer whose weights were rescaled. */
  readonly dense: string;
  /** The rate network's neuron layer it feeds (absent for the output layer's logits). */
  readonly source?: string;
  /** λ of this layer. */
  readonly lambda: number;
  /** λ of the layer before (1 for the input). */
  readonly lambdaIn: number;
  /** Largest positive activation seen (for comparing with a percentile λ). */
  readonly maxActivation: number;
  /** Fraction of activations above λ (clipped in the SNN: a neuron fires at most once per step). */
  readonly clippedFraction: number;
  /** Rate-matched layers: the spiking counterpart that replaced the rate neuron. */
  readonly counterpart?: SpikingCounterpart;
}

/** A converted network. */
export interface Conversion {
  readonly spec: NetworkSpec;
  readonly weights: Weights;
  readonly layers: readonly ConvertedLayer[];
  readonly normalise: Normalisation;
  readonly calibrationSamples: number;
}

/** The rate network's stages: each dense layer, followed by its neuron layer (none after the last). */
interface Stage {
  readonly dense: DensePlanLayer;
  readonly neuron?: NeuronPlanLayer;
}

/** Checks that `plan` is a bound chain input → (dense → rate neuron)* → dense → output, naming what is not. */
function stagesOf(plan: NetworkPlan): Stage[] {
  const stages: Stage[] = [];
  const layers = plan.layers;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    if (layer?.kind !== "dense") {
      throw new NeuroBridgeError(
        "CONVERSION_UNSUPPORTED",
        `conversion takes a rate network of dense layers each followed by one rate neuron layer; '${layer?.id}' is not a dense layer where one is expected`,
      );
    }
    const next = layers[i + 1];
    if (next?.kind === "neuron") {
      if (next.spiking) {
        throw new NeuroBridgeError(
          "CONVERSION_UNSUPPORTED",
          `'${next.id}' (model '${next.model.name}') already spikes; conversion takes a rate network (an FFNN such as --model ffnn), not an SNN`,
        );
      }
      stages.push({ dense: layer, neuron: next });
      i++;
    } else stages.push({ dense: layer });
  }
  if (stages.length === 0 || stages.at(-1)?.neuron) {
    throw new NeuroBridgeError(
      "CONVERSION_UNSUPPORTED",
      "conversion needs a rate network that ends in a dense layer (its logits), as the paper's FFNN does (--model ffnn)",
    );
  }
  return stages;
}

/** The spiking counterpart `layer`'s rate model declares, or an error saying which model has none. */
function counterpartOf(layer: NeuronPlanLayer, maxOutput: number, resolution: number): SpikingCounterpart {
  if (!layer.model.spikingCounterpart) {
    throw new NeuroBridgeError(
      "CONVERSION_UNSUPPORTED",
      `rate-matched conversion needs a spiking counterpart of '${layer.model.name}' (layer '${layer.id}'), and the model declares none; convert it to IF neurons instead (--neuron if)`,
    );
  }
  return layer.model.spikingCounterpart(layer.resolved.params, { maxOutput, resolution });
}

/** A rate neuron layer through its model's own step on reference arrays. */
function activate(layer: NeuronPlanLayer, x: Float32Array): Float32Array {
  return layer.model.step(arrayOps, x, {}, layer.params, layer.resolved.context).output;
}

/** λ from a layer's positive activations. */
export function normalisationScale(activations: Float32Array, normalise: Normalisation): { lambda: number; max: number } {
  const positive = activations.filter((a) => a > 0).sort();
  if (positive.length === 0) return { lambda: 1, max: 0 };
  const max = positive[positive.length - 1] as number;
  if (normalise === "max") return { lambda: max, max };
  // The 99.9th percentile, nearest rank: the value below which 99.9 % of the positive activations lie.
  const rank = Math.min(positive.length - 1, Math.max(0, Math.ceil(0.999 * positive.length) - 1));
  return { lambda: positive[rank] as number, max };
}

/**
 * The rate network's activations on `rows` calibration inputs, stage by
 * stage: each neuron layer's output, and the logits of the last dense layer.
 */
export function rateActivations(plan: NetworkPlan, inputs: Float32Array, rows: number): Float32Array[] {
  const out: Float32Array[] = [];
  let x = inputs;
  for (const stage of stagesOf(plan)) {
    const y = denseReference(stage.dense, x, rows);
    x = stage.neuron ? activate(stage.neuron, y) : y;
    out.push(x);
  }
  return out;
}

/**
 * Converts a bound rate network `plan` to an SNN, normalising with
 * `calibration` (`rows` inputs `[rows, F]`, pixels as the network was
 * trained on).
 *
 * @example
 * ```ts
 * const ffnn = runtime.plan(checkpoint.spec, checkpoint.weights);
 * const { spec, weights, layers } = convertToSnn(ffnn, train.inputs.subarray(0, 1000 * 784), 1000, { timeSteps: 64 });
 * ```
 */
export function convertToSnn(plan: NetworkPlan, calibration: Float32Array, rows: number, options: ConversionOptions = {}): Conversion {
  const normalise = options.normalise ?? "p99.9";
  if (!NORMALISATIONS.includes(normalise)) {
    throw new NeuroBridgeError("OPTION_INVALID", `normalisation '${normalise}' is not one of ${NORMALISATIONS.join(", ")}`);
  }
  const beta = options.beta ?? 1;
  if (!(beta > 0 && beta <= 1)) throw new NeuroBridgeError("OPTION_INVALID", `beta must be in (0, 1] (1: integrate-and-fire), got ${beta}`);
  const timeSteps = options.timeSteps ?? 64;
  if (!(Number.isInteger(timeSteps) && timeSteps >= 1)) {
    throw new NeuroBridgeError("OPTION_INVALID", `time steps must be a positive integer, got ${timeSteps}`);
  }
  if (!(Number.isInteger(rows) && rows >= 1 && calibration.length === rows * plan.inputSize)) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `calibration data must be ${rows} × ${plan.inputSize} values (rows × input features), got ${calibration.length}`,
    );
  }
  const stages = stagesOf(plan);
  const activations = rateActivations(plan, calibration, rows);
  const resolution = options.resolution ?? 4;
  if (!(resolution >= 1)) throw new NeuroBridgeError("OPTION_INVALID", `resolution must be at least 1, got ${resolution}`);
  const weights: Weights = {};
  const layers: ConvertedLayer[] = [];
  // What a unit of the previous layer's output is worth in its spikes per step (λ⁻¹ for IF layers, k for counterparts).
  let perSpikeIn = 1;
  let lambdaIn = 1;
  stages.forEach((stage, l) => {
    const a = activations[l] as Float32Array;
    const { lambda, max } = normalisationScale(a, normalise);
    const { id, outFeatures, inFeatures, weight, bias } = stage.dense;
    const counterpart = options.match && stage.neuron ? counterpartOf(stage.neuron, lambda, resolution) : undefined;
    // IF: rate per step = activation/λ; a counterpart: rate per step = k·f(x) for input g·x.
    const gain = counterpart ? counterpart.inputGain : 1 / lambda;
    weights[`${id}.weight`] = { shape: [outFeatures, inFeatures], data: weight.map((w) => (w * gain) / perSpikeIn) };
    if (bias) weights[`${id}.bias`] = { shape: [outFeatures], data: bias.map((b) => b * gain) };
    let clipped = 0;
    for (const v of a) if (v > lambda) clipped++;
    layers.push({
      dense: id,
      ...(stage.neuron ? { source: stage.neuron.id } : {}),
      lambda,
      lambdaIn,
      maxActivation: max,
      clippedFraction: clipped / a.length,
      ...(counterpart ? { counterpart } : {}),
    });
    perSpikeIn = counterpart ? counterpart.spikesPerOutput : 1 / lambda;
    lambdaIn = lambda;
  });
  const sizes = [plan.inputSize, ...stages.map((s) => s.dense.outFeatures)];
  const base = sequentialSpec({
    layers: sizes,
    neuron: options.model ?? "lif",
    params: { beta, threshold: 1 },
    reset: "subtract",
    timeSteps,
    encoder: { name: "direct" },
    dt: plan.spec.dt,
  });
  // Keep the rate network's layer names for the dense layers, so weights keep their names;
  // rate-matched layers take their counterpart's model and parameters.
  let d = 0;
  let hidden = 0;
  const nodes = base.nodes.map((n) => {
    if (n.type === "dense") {
      const source = (stages[d++] as Stage).dense;
      return { ...n, id: source.id, ...(source.bias ? {} : { bias: false }) };
    }
    if (n.type !== "neuron") return n;
    const counterpart = layers[hidden++]?.counterpart;
    if (!counterpart) return n;
    const { reset: _reset, ...rest } = n as NeuronNode;
    return { ...rest, model: counterpart.model, params: { ...counterpart.params } };
  });
  const spec: NetworkSpec = {
    ...base,
    nodes,
    metadata: {
      ...(plan.spec.metadata ?? {}),
      conversion: {
        from: plan.spec.name ?? "rate network",
        normalise,
        beta,
        ...(options.match ? { matched: true, resolution } : {}),
        calibrationSamples: rows,
        lambdas: layers.map((l) => l.lambda),
      },
    },
  };
  return { spec, weights, layers, normalise, calibrationSamples: rows };
}
