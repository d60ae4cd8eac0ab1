/**
 * Dataset utilities shared by trainers and evaluators: subsets, seeded
 * validation splits, seeded epoch orders and batch gathering.
 */
import type { Dataset } from "./backend.js";
import { NeuroBridgeError } from "./errors.js";
import type { RandomSource } from "./random.js";

/** The examples at `indices`, in that order. */
export function gather(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const f = dataset.features;
  const inputs = new Float32Array(indices.length * f);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i] as number;
    inputs.set(dataset.inputs.subarray(j * f, (j + 1) * f), i * f);
    labels[i] = dataset.labels[j] as number;
  }
  return { inputs, labels, count: indices.length, features: f, classes: dataset.classes };
}

/**
 * The first `n` examples (a view, no copy). Asking for more than the data
 * holds is an error, not a silent cut; `what` names the request in it.
 */
export function subset(dataset: Dataset, n: number, what = "subset"): Dataset {
  if (!Number.isInteger(n) || n <= 0) throw new NeuroBridgeError("SUBSET_INVALID", `${what}: must be a positive integer, got ${n}`);
  if (n > dataset.count) {
    throw new NeuroBridgeError(
      "SUBSET_INVALID",
      `${what}: asks for ${n} examples but the data has ${dataset.count}; accepted: 1…${dataset.count}`,
    );
  }
  return { ...dataset, inputs: dataset.inputs.subarray(0, n * dataset.features), labels: dataset.labels.subarray(0, n), count: n };
}

/** Splits off a seeded random `fraction` as validation data. */
export function splitValidation(dataset: Dataset, fraction: number, rng: RandomSource): { train: Dataset; validation: Dataset } {
  if (!(fraction > 0 && fraction < 1))
    throw new NeuroBridgeError("SPLIT_INVALID", `validation fraction must be in (0, 1), got ${fraction}`);
  const order = rng.permutation(dataset.count);
  const nVal = Math.round(dataset.count * fraction);
  return { validation: gather(dataset, order.subarray(0, nVal)), train: gather(dataset, order.subarray(nVal)) };
}

/** Number of batches of `batchSize` in `count` examples (the last one may be smaller). */
export const batchCount = (count: number, batchSize: number): number => Math.ceil(count / batchSize);

/** Batch `b` of an epoch `order`: its inputs and labels, gathered into fresh arrays. */
export function batchAt(dataset: Dataset, order: ArrayLike<number>, batchSize: number, b: number): Dataset {
  const start = b * batchSize;
  const end = Math.min(order.length, start + batchSize);
  const indices = Array.from({ length: end - start }, (_, i) => order[start + i] as number);
  return gather(dataset, indices);
}

/** Epoch `e`'s shuffled order, derived from the seed and the epoch number alone (resumable). */
export function epochOrder(count: number, seedRng: RandomSource, epoch: number): Uint32Array {
  return seedRng.fork(`epoch-${epoch}`).permutation(count);
}
