/**
 * JSON (de)serialisation of network specs. Both directions validate, so a
 * spec that cannot survive a round trip (NaN, Infinity: JSON has no such
 * numbers) is rejected when written rather than corrupted silently.
 */
import { NeuroBridgeError } from "./errors.js";
import type { NetworkSpec } from "./spec.js";
import { type SpecCatalog, validateNetworkSpec } from "./validate.js";

/** Serialises a spec as pretty-printed JSON after validating it. */
export function serializeSpec(spec: NetworkSpec, catalog?: SpecCatalog): string {
  validateNetworkSpec(spec, catalog);
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/**
 * Parses and validates a spec from JSON text.
 *
 * @param source - where the text came from, for the error message (a file path)
 * @throws {@link NeuroBridgeError} `SPEC_JSON` when the text is not JSON, or
 *   `SpecValidationError` when it is not a valid spec
 */
export function parseSpec(text: string, catalog?: SpecCatalog, source = "network spec"): NetworkSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NeuroBridgeError("SPEC_JSON", `${source} is not valid JSON: ${(error as Error).message}`);
  }
  return validateNetworkSpec(value, catalog);
}
