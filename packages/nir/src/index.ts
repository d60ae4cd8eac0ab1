/**
 * `@neurobridge/nir`: the Neuromorphic Intermediate Representation (NIR).
 *
 * - `.nir` files (HDF5, via h5wasm) read and written as {@link NirGraph}s;
 * - networks to and from NIR through each model's registered NIR codec
 *   ({@link nirPlugin} registers the LIF family's);
 * - a reference interpreter of NIR's node dynamics ({@link simulateNir}).
 *
 * @example
 * ```ts
 * import { createRuntime } from "@neurobridge/core";
 * import { lifPlugin } from "@neurobridge/neurons-lif";
 * import { nirPlugin, writeNir, readNir } from "@neurobridge/nir";
 * const runtime = createRuntime({ plugins: [lifPlugin, nirPlugin] });
 * const { bytes, warnings } = await writeNir(runtime, runtime.plan(spec, weights));
 * const { spec: back, weights: w } = await readNir(runtime, bytes);
 * ```
 *
 * @module @neurobridge/nir
 */
import type { NetworkPlan, Runtime } from "@neurobridge/core";
import type { NirGraph } from "./graph.js";
import { type ReadNirOptions, readNirGraph, writeNirGraph } from "./hdf5.js";
import { type NirExport, type NirExportOptions, type NirImport, type NirImportOptions, nirToNetwork, planToNir } from "./network.js";

export * from "./codec.js";
export * from "./describe.js";
export * from "./detect-convention.js";
export * from "./graph.js";
export { metaNumber, metaString, type ReadNirOptions, type ReadNirResult, readNirGraph, writeNirGraph } from "./hdf5.js";
export * from "./interpreter.js";
export * from "./lif-codecs.js";
export * from "./network.js";

/** Writes a bound plan as `.nir` bytes; `warnings` say what other tools will simulate differently. */
export async function writeNir(
  runtime: Runtime,
  plan: NetworkPlan,
  options: NirExportOptions = {},
): Promise<NirExport & { bytes: Uint8Array }> {
  const exported = planToNir(runtime, plan, options);
  return { ...exported, bytes: await writeNirGraph(exported.graph) };
}

/** Reads `.nir` bytes into a spec and weights (see {@link nirToNetwork}), keeping the graph. */
export async function readNir(
  runtime: Runtime,
  bytes: Uint8Array,
  options: NirImportOptions & ReadNirOptions = {},
): Promise<NirImport & { graph: NirGraph; typeProblems: readonly string[] }> {
  const { graph, typeProblems } = await readNirGraph(bytes, options);
  return { ...nirToNetwork(runtime, graph, options), graph, typeProblems };
}
