/**
 * `@neurobridge/experiments` — the paper pipeline. So far: the paper's claimed
 * figures as data, for the "paper vs this run" table.
 *
 * @packageDocumentation
 */
export * from "./paper-claims.js";
