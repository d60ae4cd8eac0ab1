/** Output conventions shared by commands. */

/** Options every command inherits from the program. */
export interface GlobalOptions {
  /** Plugin modules to load (`--plugin`, repeatable). */
  readonly plugin?: string[];
}

/** Prints `value` as one line of JSON (machines read the last line). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
