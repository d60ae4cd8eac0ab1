/**
 * `@neurobridge/mnist` — MNIST from the original files: IDX parsing,
 * checksummed loading, normalisation, subsets, splits and batches.
 *
 * @packageDocumentation
 */
export * from "./batches.js";
export * from "./idx.js";
export * from "./mnist.js";
