/**
 * `@neurobridge/tools` — repo scripts: benchmark helpers, data checks.
 *
 * @packageDocumentation
 */
export * from "./bench.js";
