/**
 * `@neurobridge/experiments` — the paper pipeline: experiments as functions
 * from a config to a result and figures, cost accounting, the report, and
 * `runPaper`, which composes them with caching.
 *
 * @packageDocumentation
 * @module @neurobridge/experiments
 */

export { checkpointNormalization } from "@neurobridge/mnist";
export { PAPER_MODELS, type PaperModel, type PaperNetworkOptions, paperNetwork } from "@neurobridge/neurons-lif";
export { PLOT_KINDS, PLOT_RECORDS, type PlotKind } from "@neurobridge/plots";
export { type FigureSpec, renderFigure, renderFigureFile } from "@neurobridge/plots/node";
export * from "./cache.js";
export * from "./experiments/bridge.js";
export * from "./experiments/cost.js";
export * from "./experiments/deployment.js";
export * from "./experiments/lif.js";
export * from "./experiments/network-figures.js";
export * from "./experiments/neuron-models.js";
export * from "./experiments/recording.js";
export * from "./experiments/training.js";
export * from "./paper-claims.js";
export * from "./pipeline.js";
export * from "./plugins.js";
export * from "./report.js";
export * from "./schema.js";
export * from "./sweep/index.js";
