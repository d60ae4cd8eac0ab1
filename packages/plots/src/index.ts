/**
 * `@neurobridge/plots` — figures of a network's activity from its
 * recordings, as Vega-Lite specs (browser-safe; no rendering dependency is
 * loaded from this entry point). Render them in Node with
 * `@neurobridge/plots/node`, or in a page with vega-embed.
 *
 * @example
 * ```ts
 * const net = await (await runtime.backend("tfjs")).compile(bound);
 * const run = await net.run(images, 1, { record: ["spikes", "membrane"] });
 * const raster = rasterFigure(run.recordings ?? []);
 * const membrane = membraneFigure(run.recordings![0]!, { count: 4 });
 * ```
 *
 * @packageDocumentation
 * @module @neurobridge/plots
 */
export * from "./figure.js";
export * from "./recording-plots.js";
