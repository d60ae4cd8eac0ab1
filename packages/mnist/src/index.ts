/**
 * `@neurobridge/mnist` — MNIST from the original files: IDX parsing,
 * checksummed loading and normalisation. Subsets, splits and batches are
 * core's (`@neurobridge/core`), re-exported here for convenience.
 *
 * @packageDocumentation
 * @module @neurobridge/mnist
 */

export { batchAt, batchCount, epochOrder, gather, splitValidation, subset } from "@neurobridge/core";
export * from "./idx.js";
export * from "./mnist.js";
