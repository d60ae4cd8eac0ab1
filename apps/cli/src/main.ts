/**
 * Entry point of the `neurobridge` binary: runs the program and turns errors
 * into one line on stderr and a non-zero exit code (no stack traces for bad
 * input; set NEUROBRIDGE_DEBUG=1 to see them).
 */
import "reflect-metadata";
import { NeuroBridgeError } from "@neurobridge/core";
import { CommanderError } from "commander";
import { ReportedError } from "./output.js";
import { buildProgram } from "./program.js";

/** Exit code for bad input or a failed check. */
export const EXIT_ERROR = 1;
/** Exit code for unexpected internal errors. */
export const EXIT_INTERNAL = 70;

/**
 * A reader that closed the pipe (`neurobridge eval … | head -1`) ends the
 * output quietly: nothing more can be said to it, so stop without a trace.
 */
let pipeGuarded = false;
function endQuietlyOnBrokenPipe(): void {
  // Once per process (main may run many times in one process, e.g. in tests).
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

/**
 * Under `--json`, an error is also one JSON object on stdout —
 * `{ "error": { "code", "message" } }` — so a program reading the last line
 * always gets JSON.
 */
function jsonError(argv: readonly string[], code: string, message: string): void {
  if (argv.includes("--json")) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
}

/** Runs the CLI with `argv` (as `process.argv`) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnBrokenPipe();
  try {
    await buildProgram().parseAsync([...argv]);
    // A command may set a non-zero code (e.g. 130 after Ctrl-C) without throwing.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (help and --version end here too, with code 0).
      if (error.exitCode !== 0) jsonError(argv, error.code, error.message.replace(/^error: /, ""));
      return error.exitCode;
    }
    if (process.env.NEUROBRIDGE_DEBUG) console.error(error);
    if (error instanceof NeuroBridgeError) {
      process.stderr.write(`neurobridge: error: ${error.message}\n`);
      if (!(error instanceof ReportedError)) jsonError(argv, error.code, error.message);
      return EXIT_ERROR;
    }
    const message = (error as Error)?.message ?? String(error);
    process.stderr.write(`neurobridge: internal error: ${message}\n(set NEUROBRIDGE_DEBUG=1 for the stack trace, and please report it)\n`);
    jsonError(argv, "INTERNAL", message);
    return EXIT_INTERNAL;
  }
}
