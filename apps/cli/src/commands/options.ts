/** Parsing of numeric command-line options, with errors that name the flag and what it accepts. */
import { NeuroBridgeError } from "@neurobridge/core";

/** An integer ≥ `min` (default 1). */
export function positiveInt(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new NeuroBridgeError("OPTION_INVALID", `${flag}: expected an integer >= ${min}, got '${value}'`);
  return n;
}

/** A finite number > 0. */
export function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new NeuroBridgeError("OPTION_INVALID", `${flag}: expected a positive number, got '${value}'`);
  return n;
}
