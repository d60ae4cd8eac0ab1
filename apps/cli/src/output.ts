/** Output conventions shared by commands. */
import { NeuroBridgeError } from "@neurobridge/core";

/** Options every command inherits from the program. */
export interface GlobalOptions {
  /** Plugin modules to load (`--plugin`, repeatable). */
  readonly plugin?: string[];
}

/** Prints `value` as one line of JSON (machines read the last line). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * An error whose JSON the command has already printed (e.g. `deploy`'s
 * `{ deployed: false, constraint, … }`): the entry point still prints the
 * one-line message and exits non-zero, but adds no second JSON object.
 */
export class ReportedError extends NeuroBridgeError {
  readonly reported = true;
}
