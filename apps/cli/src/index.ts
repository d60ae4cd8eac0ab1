/**
 * `neurobridge` — the command line, also usable as a library (`main`,
 * `buildProgram`, `createCliRuntime`).
 *
 * @packageDocumentation
 */
export { EXIT_ERROR, EXIT_INTERNAL, main } from "./main.js";
export { loadPlugin } from "./plugin-loader.js";
export { buildProgram } from "./program.js";
export { createCliRuntime } from "./runtime.js";
