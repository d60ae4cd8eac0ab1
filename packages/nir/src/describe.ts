/**
 * What a NIR graph holds, for people and tools (`neurobridge inspect --nir`):
 * nodes with their types, shapes and parameter ranges, edges, recurrent
 * edges, and which convention the numbers follow.
 */
import { NIR_CONVENTIONS, type NirConventionName } from "./codec.js";
import { checkGraph, graphShapes, type NirGraph, type NirNode, type NodeShapes, optionalField } from "./graph.js";
import { metaNumber, metaString } from "./hdf5.js";

/** One node described. */
export interface NirNodeDescription {
  readonly name: string;
  readonly type: string;
  readonly input?: readonly number[];
  readonly output?: readonly number[];
  /** Each numeric field: its shape and value range. */
  readonly params: Readonly<Record<string, { shape: readonly number[]; min: number; max: number }>>;
  readonly metadata: Readonly<Record<string, string | number>>;
}

/** A graph described. */
export interface NirDescription {
  readonly version: string;
  readonly nodes: readonly NirNodeDescription[];
  readonly edges: readonly (readonly [string, string])[];
  readonly recurrentEdges: readonly (readonly [string, string])[];
  /** Problems NIR's type check finds (empty when well typed). */
  readonly typeProblems: readonly string[];
  /** The convention the leaky nodes' r and w_in match, or `neurobridge` when the file records its own. */
  readonly convention: {
    readonly detected: NirConventionName | "neurobridge" | "unknown";
    readonly dt?: number;
    readonly evidence: string;
  };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));

/** Which convention the LIF-like nodes follow: r = τ/dt at some dt (snnTorch: 1e-4), or r = 1 (Norse). */
function detectConvention(graph: NirGraph): NirDescription["convention"] {
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

const toPlain = (meta: NirNode["metadata"]): Record<string, string | number> =>
  Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, typeof v === "string" ? v : (v.data[0] as number)]));

/** Describes `graph`. */
export function describeNir(graph: NirGraph): NirDescription {
  const shapes = graphShapes(graph);
  const nodes = shapes.order.map((name): NirNodeDescription => {
    const node = graph.nodes[name] as NirNode;
    const { types, emits } = shapes.nodes.get(name) as NodeShapes;
    const params: Record<string, { shape: readonly number[]; min: number; max: number }> = {};
    for (const [k, v] of Object.entries(node.fields)) {
      if (typeof v === "string") continue;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const x of v.data) {
        if (x < min) min = x;
        if (x > max) max = x;
      }
      params[k] = { shape: v.shape, min, max };
    }
    return {
      name,
      type: node.type,
      ...(types.input ? { input: types.input } : {}),
      ...(emits ? { output: emits } : {}),
      params,
      metadata: toPlain(node.metadata),
    };
  });
  return {
    version: graph.version,
    nodes,
    edges: graph.edges,
    recurrentEdges: shapes.recurrent,
    typeProblems: checkGraph(graph),
    convention: detectConvention(graph),
  };
}
