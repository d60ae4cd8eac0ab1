/**
 * From class scores (spike counts or logits) to predictions and accuracy,
 * one definition for every backend, emulator and exported model, so "the
 * same predictions" means the same tie-breaking everywhere.
 */

/** Index of the largest of `values[offset .. offset+n)` (the first on ties). */
export function argmax(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if ((values[offset + j] as number) > (values[offset + best] as number)) best = j;
  return best;
}

/** Predicted class per sample of `scores` `[count, classes]`. */
export function predictClasses(scores: ArrayLike<number>, classes: number): Uint8Array {
  const count = Math.floor(scores.length / classes);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = argmax(scores, i * classes, classes);
  return out;
}

/** Fraction of `predictions` equal to `labels`. */
export function accuracyOf(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
  return predictions.length ? correct / predictions.length : 0;
}
