/**
 * `@neurobridge/core/node` — the parts of core that touch the file system:
 * the checkpoint codec shared by every backend.
 *
 * @packageDocumentation
 * @module @neurobridge/core/node
 */
export * from "./checkpoint.js";
export * from "./files.js";
export * from "./worker-thread.js";
