/**
 * Which convention a NIR file's numbers follow, read from the numbers
 * themselves (NIR stores no time step): `inspect --nir` reports it, and
 * `import nir` reads the file with it unless told otherwise.
 */
import { NeuroBridgeError } from "@neurobridge/core";
import { NIR_CONVENTIONS, type NirConventionName, type NirConventionOptions, type NirConventions, resolveConventions } from "./codec.js";
import { type NirGraph, optionalField } from "./graph.js";
import { metaNumber, metaString } from "./hdf5.js";

/** What {@link detectConvention} found, and from what. */
export interface DetectedConvention {
  readonly detected: NirConventionName | "neurobridge" | "unknown";
  /** The time step the numbers imply, when they imply one. */
  readonly dt?: number;
  readonly evidence: string;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));

/** Which convention the LIF-like nodes follow: r = τ/dt at some dt (snnTorch: 1e-4), or r = 1 (Norse). */
export function detectConvention(graph: NirGraph): DetectedConvention {
  const recorded = metaString(graph.metadata, "neurobridge.convention");
  if (recorded) {
    const dt = metaNumber(graph.metadata, "neurobridge.dt");
    return {
      detected: "neurobridge",
      ...(dt !== undefined ? { dt } : {}),
      evidence: `written by NeuroBridge with the ${recorded} convention`,
    };
  }
  const ratios: number[] = [];
  for (const node of Object.values(graph.nodes)) {
    const tau = optionalField(node, "tau") ?? optionalField(node, "tau_mem");
    const r = optionalField(node, "r");
    if (!tau || !r || node.type.startsWith("I")) continue;
    for (let j = 0; j < tau.data.length; j++)
      if (Number.isFinite(tau.data[j])) ratios.push((tau.data[j] as number) / (r.data[j] as number));
  }
  if (!ratios.length) return { detected: "unknown", evidence: "no leaky nodes with τ and r" };
  if (ratios.every((x) => close(x, ratios[0] as number))) {
    const dt = ratios[0] as number;
    if (close(dt, NIR_CONVENTIONS.snntorch.dt))
      return { detected: "snntorch", dt, evidence: "r = τ/dt with dt = 1e-4 s on every leaky node" };
    const rOne = Object.values(graph.nodes).every((n) => !optionalField(n, "r") || optionalField(n, "r")?.data.every((x) => x === 1));
    if (rOne) return { detected: "norse", evidence: "r = 1 on every node (Norse's convention; dt is not stored — Norse uses 1e-3 s)" };
    return { detected: "unknown", dt, evidence: `r = τ/dt with dt = ${dt} s` };
  }
  return { detected: "unknown", evidence: "τ/r differs between neurons" };
}

/** The conventions a file is read with, and a note saying how they were chosen (absent when the caller named them). */
export interface ImportConventions {
  readonly conventions: NirConventions;
  readonly note?: string;
}

/**
 * The conventions to read `graph` with: the ones `options` name, else the
 * ones the file's numbers show ({@link detectConvention}). A file whose leaky
 * nodes disagree is refused rather than guessed, naming the `convention`
 * choices; a file without leaky nodes is read with snnTorch's.
 */
export function importConventions(graph: NirGraph, options: NirConventionOptions = {}): ImportConventions {
  const recordedDt = metaNumber(graph.metadata, "neurobridge.dt");
  if (options.convention !== undefined) return { conventions: resolveConventions(options, recordedDt) };
  const found = detectConvention(graph);
  const choices = Object.keys(NIR_CONVENTIONS).join(", ");
  const read = (convention: NirConventionName, dt?: number): ImportConventions => ({
    conventions: resolveConventions(
      { convention, ...(options.dt !== undefined ? { dt: options.dt } : dt !== undefined ? { dt } : {}) },
      recordedDt,
    ),
    note: `read with the ${convention} convention (detected: ${found.evidence}); --convention ${choices} overrides it`,
  });
  switch (found.detected) {
    case "neurobridge": {
      const recorded = metaString(graph.metadata, "neurobridge.convention") as string;
      if (!(recorded in NIR_CONVENTIONS)) {
        throw new NeuroBridgeError(
          "NIR_UNSUPPORTED",
          `the file records NeuroBridge convention '${recorded}', which this version does not know; name one with --convention (${choices})`,
        );
      }
      return { conventions: resolveConventions({ ...options, convention: recorded }, recordedDt) };
    }
    case "snntorch":
    case "norse":
      return read(found.detected);
    default:
      if (found.evidence.startsWith("no leaky nodes")) return read("snntorch");
      throw new NeuroBridgeError(
        "NIR_CONVENTION_UNKNOWN",
        `cannot tell which convention the file follows (${found.evidence}), and guessing changes every decay; name it with --convention: ${choices}`,
      );
  }
}
