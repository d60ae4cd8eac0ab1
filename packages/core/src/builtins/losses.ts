/**
 * The built-in losses, each a registration with its value and gradient in
 * plain JS (they touch at most T·B·C numbers), so every backend that trains
 * uses the same definitions and a plugin loss trains the same way.
 *
 * - `softmax_ce`: cross-entropy of softmax(logits), for ANNs (static output).
 * - `ce_rate`: cross-entropy of softmax(output at t), averaged over steps
 *   (snnTorch's `ce_rate_loss`).
 * - `ce_count`: cross-entropy of softmax(Σ_t spikes).
 * - `mse_count`: MSE between spike counts and correctRate·T / incorrectRate·T.
 * - `ce_membrane`: cross-entropy of softmax(mean_t u_t) of the output
 *   layer's pre-reset membrane.
 */
import type { Activation } from "../kernels.js";
import { argmax } from "../predictions.js";
import type { LossInput, LossResult, LossSpec } from "../strategies.js";

/** Softmax cross-entropy of one row; adds (softmax − onehot)·scale into `grad`. Returns −log p(label). */
function softmaxRow(z: ArrayLike<number>, off: number, n: number, label: number, grad: Float32Array, gOff: number, scale: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < n; j++) max = Math.max(max, z[off + j] as number);
  let sum = 0;
  for (let j = 0; j < n; j++) sum += Math.exp((z[off + j] as number) - max);
  for (let j = 0; j < n; j++) {
    const p = Math.exp((z[off + j] as number) - max) / sum;
    grad[gOff + j] = (grad[gOff + j] as number) + scale * (p - (j === label ? 1 : 0));
  }
  return -((z[off + label] as number) - max - Math.log(sum));
}

/** Per-sample sums over steps `[B, C]` of a temporal output `[T·B, C]` (spike counts). */
export function spikeCounts(output: Activation, timeSteps: number, batch: number): Float32Array {
  const C = output.cols;
  const counts = new Float32Array(batch * C);
  for (let t = 0; t < timeSteps; t++)
    for (let k = 0; k < batch * C; k++) counts[k] = (counts[k] as number) + (output.data[t * batch * C + k] as number);
  return counts;
}

/** Class scores `[B, C]`: spike counts of a temporal output, the output itself otherwise. */
export const outputScores = (output: Activation, timeSteps: number, batch: number): Float32Array =>
  output.temporal ? spikeCounts(output, timeSteps, batch) : output.data;

/** Correct predictions: argmax of the scores (first on ties). */
export function countCorrect(output: Activation, labels: Uint8Array, timeSteps: number, batch: number): number {
  const scores = outputScores(output, timeSteps, batch);
  let correct = 0;
  for (let b = 0; b < batch; b++) if (argmax(scores, b * output.cols, output.cols) === labels[b]) correct++;
  return correct;
}

/** Spreads a gradient on the counts `[B, C]` to every step of a `[T·B, C]` output. */
function perStep(gCounts: Float32Array, timeSteps: number, length: number): Float32Array {
  const grad = new Float32Array(length);
  for (let t = 0; t < timeSteps; t++) grad.set(gCounts, t * gCounts.length);
  return grad;
}

export const softmaxCrossEntropy: LossSpec = {
  name: "softmax_ce",
  description: "Softmax cross-entropy on an ANN's logits.",
  reads: "logits",
  params: [],
  compute({ output, labels, batch, meanOver }: LossInput): LossResult {
    const C = output.cols;
    const grad = new Float32Array(output.data.length);
    let loss = 0;
    for (let b = 0; b < batch; b++) loss += softmaxRow(output.data, b * C, C, labels[b] as number, grad, b * C, 1 / meanOver);
    return { loss: loss / meanOver, grad };
  },
};

export const ceRate: LossSpec = {
  name: "ce_rate",
  description: "Cross-entropy of the output spikes at every step, averaged over steps (snnTorch ce_rate_loss).",
  reads: "spike-counts",
  params: [],
  compute({ output, labels, batch, timeSteps: T, meanOver }: LossInput): LossResult {
    const C = output.cols;
    const grad = new Float32Array(output.data.length);
    let loss = 0;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < batch; b++) {
        const off = (t * batch + b) * C;
        loss += softmaxRow(output.data, off, C, labels[b] as number, grad, off, 1 / (meanOver * T));
      }
    }
    return { loss: loss / (meanOver * T), grad };
  },
};

export const ceCount: LossSpec = {
  name: "ce_count",
  description: "Cross-entropy with the output spike counts over all steps as logits.",
  reads: "spike-counts",
  params: [],
  compute({ output, labels, batch, timeSteps, meanOver }: LossInput): LossResult {
    const C = output.cols;
    const counts = spikeCounts(output, timeSteps, batch);
    const gCounts = new Float32Array(batch * C);
    let loss = 0;
    for (let b = 0; b < batch; b++) loss += softmaxRow(counts, b * C, C, labels[b] as number, gCounts, b * C, 1 / meanOver);
    return { loss: loss / meanOver, grad: perStep(gCounts, timeSteps, output.data.length) };
  },
};

export const mseCount: LossSpec = {
  name: "mse_count",
  description: "MSE between output spike counts and targets of correctRate·T (true class) and incorrectRate·T (others).",
  reads: "spike-counts",
  params: [
    { name: "correctRate", type: "number", default: 0.8, min: 0, max: 1, unit: "1", description: "target firing rate of the true class" },
    { name: "incorrectRate", type: "number", default: 0.2, min: 0, max: 1, unit: "1", description: "target firing rate of other classes" },
  ],
  compute({ output, labels, batch, timeSteps: T, meanOver, params }: LossInput): LossResult {
    const C = output.cols;
    const counts = spikeCounts(output, T, batch);
    const on = (params.correctRate as number) * T;
    const off = (params.incorrectRate as number) * T;
    const gCounts = new Float32Array(batch * C);
    let loss = 0;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < C; j++) {
        const d = (counts[b * C + j] as number) - (j === labels[b] ? on : off);
        loss += d * d;
        gCounts[b * C + j] = (2 * d) / (meanOver * C);
      }
    }
    return { loss: loss / (meanOver * C), grad: perStep(gCounts, T, output.data.length) };
  },
};

export const ceMembrane: LossSpec = {
  name: "ce_membrane",
  description: "Cross-entropy on the output layer's membrane potential averaged over steps.",
  reads: "membrane",
  params: [],
  compute({ output, labels, batch, timeSteps: T, meanOver, membrane }: LossInput): LossResult {
    const C = output.cols;
    if (!membrane) throw new Error("ce_membrane: the runner passed no membrane");
    const mean = new Float32Array(batch * C);
    for (let t = 0; t < T; t++)
      for (let k = 0; k < batch * C; k++) mean[k] = (mean[k] as number) + (membrane[t * batch * C + k] as number) / T;
    const gMean = new Float32Array(batch * C);
    let loss = 0;
    for (let b = 0; b < batch; b++) loss += softmaxRow(mean, b * C, C, labels[b] as number, gMean, b * C, 1 / meanOver);
    const dMembrane = new Float32Array(T * batch * C);
    for (let t = 0; t < T; t++) for (let k = 0; k < batch * C; k++) dMembrane[t * batch * C + k] = (gMean[k] as number) / T;
    return { loss: loss / meanOver, grad: new Float32Array(output.data.length), dMembrane };
  },
};

/** Built-in losses. */
export const builtinLosses: readonly LossSpec[] = [softmaxCrossEntropy, ceRate, ceCount, mseCount, ceMembrane];
