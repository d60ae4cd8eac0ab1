/**
 * Losses of the executor, with their gradients, in plain JS (they touch at
 * most T·B·C numbers). Names match core's loss registrations.
 *
 * - `softmax_ce`: cross-entropy of softmax(logits), for ANNs (static output).
 * - `ce_rate`: cross-entropy of softmax(spikes at t), averaged over steps
 *   (snnTorch's `ce_rate_loss`).
 * - `ce_count`: cross-entropy of softmax(Σ_t spikes).
 * - `mse_count`: MSE between spike counts and correctRate·T / incorrectRate·T.
 * - `ce_membrane`: cross-entropy of softmax(mean_t u_t) of the output layer's
 *   pre-reset membrane.
 */
import { argmax, UnsupportedError } from "@neurobridge/core";
import type { Activation } from "./executor.js";

/** Losses the executor implements, by output kind. */
export const EXECUTOR_LOSSES = { static: ["softmax_ce"], temporal: ["ce_rate", "ce_count", "mse_count", "ce_membrane"] } as const;

/** Loss value, gradient with respect to the output, and accuracy counts. */
export interface LossResult {
  readonly loss: number;
  /** d loss / d output, same layout as the output. */
  readonly grad: Float32Array;
  /** d loss / d pre-reset membrane of the output layer (membrane losses). */
  readonly dMembrane?: Float32Array;
  readonly correct: number;
}

/** Softmax cross-entropy of one row; writes (softmax − onehot)·scale into `grad`. Returns −log p(label). */
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

/** Per-sample spike counts `[B, C]` of a temporal output `[T·B, C]`. */
export function spikeCounts(output: Activation, timeSteps: number, batch: number): Float32Array {
  const C = output.cols;
  const counts = new Float32Array(batch * C);
  for (let t = 0; t < timeSteps; t++)
    for (let k = 0; k < batch * C; k++) counts[k] = (counts[k] as number) + (output.data[t * batch * C + k] as number);
  return counts;
}

/** Number of correct predictions: argmax of logits (static) or of spike counts (temporal). */
export function countCorrect(output: Activation, labels: Uint8Array, timeSteps: number, batch: number): number {
  const scores = output.temporal ? spikeCounts(output, timeSteps, batch) : output.data;
  let correct = 0;
  for (let b = 0; b < batch; b++) if (argmax(scores, b * output.cols, output.cols) === labels[b]) correct++;
  return correct;
}

/** Computes loss `name` on `output` against `labels`. */
export function computeLoss(
  name: string,
  params: Readonly<Record<string, unknown>>,
  output: Activation,
  labels: Uint8Array,
  timeSteps: number,
  batch: number,
  membrane?: Float32Array,
  /** Samples the loss is averaged over (default `batch`; the whole batch when this is a shard of it). */
  meanOver = batch,
): LossResult {
  const C = output.cols;
  const supported: readonly string[] = output.temporal ? EXECUTOR_LOSSES.temporal : EXECUTOR_LOSSES.static;
  if (!supported.includes(name)) {
    throw new UnsupportedError(
      `loss '${name}' does not apply to this network's ${output.temporal ? "spiking (temporal)" : "static"} output; supported: ${supported.join(", ")}`,
    );
  }
  const grad = new Float32Array(output.data.length);
  const correct = countCorrect(output, labels, timeSteps, batch);
  let loss = 0;
  if (name === "softmax_ce") {
    for (let b = 0; b < batch; b++) loss += softmaxRow(output.data, b * C, C, labels[b] as number, grad, b * C, 1 / meanOver);
    return { loss: loss / meanOver, grad, correct };
  }
  const T = timeSteps;
  if (name === "ce_rate") {
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < batch; b++) {
        const off = (t * batch + b) * C;
        loss += softmaxRow(output.data, off, C, labels[b] as number, grad, off, 1 / (meanOver * T));
      }
    }
    return { loss: loss / (meanOver * T), grad, correct };
  }
  const counts = spikeCounts(output, T, batch);
  if (name === "ce_count") {
    const gCounts = new Float32Array(batch * C);
    for (let b = 0; b < batch; b++) loss += softmaxRow(counts, b * C, C, labels[b] as number, gCounts, b * C, 1 / meanOver);
    for (let t = 0; t < T; t++) grad.set(gCounts, t * batch * C);
    return { loss: loss / meanOver, grad, correct };
  }
  if (name === "mse_count") {
    const on = (params.correctRate as number) * T;
    const off = (params.incorrectRate as number) * T;
    const gCounts = new Float32Array(batch * C);
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < C; j++) {
        const d = (counts[b * C + j] as number) - (j === labels[b] ? on : off);
        loss += d * d;
        gCounts[b * C + j] = (2 * d) / (meanOver * C);
      }
    }
    for (let t = 0; t < T; t++) grad.set(gCounts, t * batch * C);
    return { loss: loss / (meanOver * C), grad, correct };
  }
  // ce_membrane
  if (!membrane) throw new UnsupportedError("loss 'ce_membrane' needs the output layer to be a fused LIF layer (its membrane is read)");
  const mean = new Float32Array(batch * C);
  for (let t = 0; t < T; t++)
    for (let k = 0; k < batch * C; k++) mean[k] = (mean[k] as number) + (membrane[t * batch * C + k] as number) / T;
  const gMean = new Float32Array(batch * C);
  for (let b = 0; b < batch; b++) loss += softmaxRow(mean, b * C, C, labels[b] as number, gMean, b * C, 1 / meanOver);
  const dMembrane = new Float32Array(T * batch * C);
  for (let t = 0; t < T; t++) for (let k = 0; k < batch * C; k++) dMembrane[t * batch * C + k] = (gMean[k] as number) / T;
  return { loss: loss / meanOver, grad, dMembrane, correct };
}
