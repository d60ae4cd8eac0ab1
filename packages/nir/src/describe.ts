/**
 * What a NIR graph holds, for people and tools (`neurobridge inspect --nir`):
 * nodes with their types, shapes and parameter ranges, edges, recurrent
 * edges, and which convention the numbers follow.
 */
import { type DetectedConvention, detectConvention } from "./detect-convention.js";
import { checkGraph, graphShapes, type NirGraph, type NirNode, type NodeShapes } from "./graph.js";

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
  readonly convention: DetectedConvention;
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
