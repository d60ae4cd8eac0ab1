/**
 * NIR's graph in memory: tiny typed nodes (NIR's own field names and
 * layouts), edges as `[source, target]` name pairs, and NIR's type check —
 * every node's input and output shapes computed from its fields and compared
 * along every edge, each problem listed with the node it concerns.
 *
 * Numeric fields are {@link NirTensor}s (float64 values with the shape and
 * the dtype the file stored them in, so a file re-written keeps its types).
 * See https://neuroir.org/docs for the node definitions.
 */
import { NeuroBridgeError } from "@neurobridge/core";

/** The HDF5 dtype a tensor is stored with. */
export type NirDtype = "f32" | "f64" | "i64";

/** An n-dimensional array, row-major. */
export interface NirTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
  readonly dtype: NirDtype;
}

/** A node field: a tensor or a string. */
export type NirValue = NirTensor | string;

/** One NIR node: its type (`LIF`, `Affine`, …), fields by NIR's names, and free metadata. */
export interface NirNode {
  readonly type: string;
  readonly fields: Readonly<Record<string, NirValue>>;
  readonly metadata: Readonly<Record<string, NirValue>>;
}

/** A NIR graph (the file's `/node`), with the file's `/version`. */
export interface NirGraph {
  readonly version: string;
  readonly nodes: Readonly<Record<string, NirNode>>;
  readonly edges: readonly (readonly [string, string])[];
  readonly metadata: Readonly<Record<string, NirValue>>;
}

/** The NIR version written by this package (the node set of NIR 1.0). */
export const NIR_VERSION = "1.0.7";

/** A tensor from numbers. */
export function tensor(values: ArrayLike<number>, shape: readonly number[] = [values.length], dtype: NirDtype = "f64"): NirTensor {
  const data = Float64Array.from(values as ArrayLike<number>);
  const size = shape.reduce((p, d) => p * d, 1);
  if (size !== data.length) throw new RangeError(`tensor of shape [${shape.join(", ")}] needs ${size} values, got ${data.length}`);
  return { shape: [...shape], data, dtype };
}

/** Fields of each node type: required, optional (with NIR's default), and which fields carry the population's shape. */
interface NodeSchema {
  readonly required: readonly string[];
  readonly optional?: readonly string[];
  /** Per-neuron fields that must all have the node's shape. */
  readonly perNeuron?: readonly string[];
  readonly description: string;
}

/** The node types this package reads, with their fields (NIR 1.0). */
export const NIR_NODE_TYPES: Readonly<Record<string, NodeSchema>> = {
  Input: { required: ["shape"], description: "where input enters; `shape` of one sample" },
  Output: { required: ["shape"], description: "where output leaves; `shape` of one sample" },
  Affine: { required: ["weight", "bias"], description: "y = W·x + b, W [out, in]" },
  Linear: { required: ["weight"], description: "y = W·x, W [out, in]" },
  Scale: { required: ["scale"], perNeuron: ["scale"], description: "y = s ⊙ x" },
  LIF: {
    required: ["tau", "r", "v_leak", "v_threshold"],
    optional: ["v_reset"],
    perNeuron: ["tau", "r", "v_leak", "v_threshold", "v_reset"],
    description: "τ·dv/dt = (v_leak − v) + R·I; spike when v > v_threshold, then v ← v_reset",
  },
  CubaLIF: {
    required: ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold"],
    optional: ["v_reset", "w_in"],
    perNeuron: ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"],
    description: "τ_syn·dI/dt = −I + w_in·S; τ_mem·dv/dt = (v_leak − v) + R·I; spike when v > v_threshold, then v ← v_reset",
  },
  IF: {
    required: ["r", "v_threshold"],
    optional: ["v_reset"],
    perNeuron: ["r", "v_threshold", "v_reset"],
    description: "dv/dt = R·I; spike when v > v_threshold, then v ← v_reset",
  },
  LI: { required: ["tau", "r", "v_leak"], perNeuron: ["tau", "r", "v_leak"], description: "τ·dv/dt = (v_leak − v) + R·I (no spikes)" },
  CubaLI: {
    required: ["tau_syn", "tau_mem", "r", "v_leak"],
    optional: ["w_in"],
    perNeuron: ["tau_syn", "tau_mem", "r", "v_leak", "w_in"],
    description: "τ_syn·dI/dt = −I + w_in·S; τ_mem·dv/dt = (v_leak − v) + R·I (no spikes)",
  },
  I: { required: ["r"], perNeuron: ["r"], description: "dv/dt = R·I (integrator, no spikes)" },
  Threshold: { required: ["threshold"], perNeuron: ["threshold"], description: "z = H(x − threshold)" },
  Flatten: { required: ["start_dim", "end_dim"], optional: ["input_type"], description: "flattens dims start_dim..end_dim" },
  Conv2d: {
    required: ["weight", "bias", "stride", "padding", "dilation", "groups"],
    optional: ["input_shape"],
    description: "2-D convolution, weight [out, in/groups, kh, kw]",
  },
  SumPool2d: { required: ["kernel_size", "stride", "padding"], description: "2-D sum pooling" },
};

/** A file or graph that is not valid NIR, with every problem found. */
export class NirFormatError extends NeuroBridgeError {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super("NIR_INVALID", `${source} is not a valid NIR graph:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** The tensor field `name` of `node` (throws naming the node when absent or a string). */
export function field(node: NirNode, name: string, nodeName = node.type): NirTensor {
  const value = node.fields[name];
  if (value === undefined || typeof value === "string") {
    throw new NeuroBridgeError("NIR_INVALID", `NIR node '${nodeName}' (${node.type}) has no numeric field '${name}'`);
  }
  return value;
}

/** The optional tensor field `name`, or `undefined`. */
export function optionalField(node: NirNode, name: string): NirTensor | undefined {
  const value = node.fields[name];
  return value === undefined || typeof value === "string" ? undefined : value;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const fmt = (shape: readonly number[] | undefined) => (shape ? `[${shape.join(", ")}]` : "[?]");
const ints = (t: NirTensor | undefined): number[] => (t ? [...t.data] : []);
const pair = (t: NirTensor | undefined, fallback: number): [number, number] => {
  const v = ints(t);
  return v.length >= 2 ? [v[0] as number, v[1] as number] : v.length === 1 ? [v[0] as number, v[0] as number] : [fallback, fallback];
};

/** Input and output shapes of one node; `input` absent when it follows from the predecessor (SumPool2d, shape-less Conv2d). */
export interface NodeTypes {
  readonly input?: readonly number[];
  readonly output?: readonly number[];
}

/** Output of a 2-D window op over `[C, H, W]`. */
function windowOutput(
  input: readonly number[],
  channels: number,
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
): number[] {
  const out = [0, 1].map((d) =>
    Math.floor(
      ((input[d + 1] as number) + 2 * padding[d as 0 | 1] - dilation[d as 0 | 1] * (kernel[d as 0 | 1] - 1) - 1) / stride[d as 0 | 1] + 1,
    ),
  );
  return [channels, ...out];
}

/**
 * The input and output shapes of `node` (NIR's `input_type` / `output_type`),
 * `given` being the shape its predecessors emit (for nodes whose input shape
 * the fields do not fix).
 */
export function nodeTypes(node: NirNode, given?: readonly number[]): NodeTypes {
  const f = (name: string) => optionalField(node, name);
  switch (node.type) {
    case "Input":
      return { output: ints(f("shape")) };
    case "Output":
      return { input: ints(f("shape")) };
    case "Affine":
    case "Linear": {
      const w = f("weight");
      return { input: [w?.shape[1] ?? 0], output: [w?.shape[0] ?? 0] };
    }
    case "Flatten": {
      const input = f("input_type") ? ints(f("input_type")) : given;
      if (!input) return {};
      const rank = input.length;
      const norm = (d: number) => (d < 0 ? rank + d : d);
      const start = norm(ints(f("start_dim"))[0] ?? 0);
      const end = norm(ints(f("end_dim"))[0] ?? -1);
      const merged = input.slice(start, end + 1).reduce((p, d) => p * d, 1);
      return { input, output: [...input.slice(0, start), merged, ...input.slice(end + 1)] };
    }
    case "Conv2d": {
      const w = f("weight");
      if (!w) return {};
      const hw = f("input_shape") ? ints(f("input_shape")) : given?.slice(1);
      const cin = (w.shape[1] as number) * (ints(f("groups"))[0] ?? 1);
      if (!hw || hw.length < 2) return {};
      const input = [cin, hw[0] as number, hw[1] as number];
      const kernel: [number, number] = [w.shape[2] as number, w.shape[3] as number];
      return {
        input,
        output: windowOutput(input, w.shape[0] as number, kernel, pair(f("stride"), 1), pair(f("padding"), 0), pair(f("dilation"), 1)),
      };
    }
    case "SumPool2d": {
      if (given?.length !== 3) return {};
      const kernel = pair(f("kernel_size"), 1);
      return { input: given, output: windowOutput(given, given[0] as number, kernel, pair(f("stride"), 1), pair(f("padding"), 0), [1, 1]) };
    }
    default: {
      const schema = NIR_NODE_TYPES[node.type];
      const first = schema?.perNeuron?.map(f).find((t) => t !== undefined);
      return first ? { input: first.shape, output: first.shape } : {};
    }
  }
}

/** Nodes in an order where every node comes after its non-recurrent predecessors; `recurrent` holds the edges that close a cycle. */
export function graphOrder(graph: Pick<NirGraph, "nodes" | "edges">): { order: string[]; recurrent: (readonly [string, string])[] } {
  const names = Object.keys(graph.nodes);
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [a, b] of graph.edges) out.get(a)?.push(b);
  // Depth-first from the inputs (then any node left): an edge to a node on the current path closes a cycle.
  const state = new Map<string, 1 | 2>();
  const post: string[] = [];
  const recurrent: (readonly [string, string])[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    for (const m of out.get(n) ?? []) {
      const s = state.get(m);
      if (s === 1) recurrent.push([n, m]);
      else if (s === undefined) visit(m);
    }
    state.set(n, 2);
    post.push(n);
  };
  const roots = [...names.filter((n) => graph.nodes[n]?.type === "Input"), ...names];
  for (const n of roots) if (!state.has(n)) visit(n);
  return { order: post.reverse(), recurrent };
}

/** One node's shapes: what its predecessors emit (`given`), its own types, and what it passes on (`emits`). */
export interface NodeShapes {
  readonly given?: readonly number[];
  readonly types: NodeTypes;
  /** Its output type, or its input's shape when the type leaves it open. */
  readonly emits?: readonly number[];
}

/** A graph in order with each node's incoming edges (recurrent ones marked `delayed`) and shapes. */
export interface GraphShapes {
  readonly order: readonly string[];
  readonly recurrent: readonly (readonly [string, string])[];
  readonly incoming: ReadonlyMap<string, readonly { readonly from: string; readonly delayed: boolean }[]>;
  readonly nodes: ReadonlyMap<string, NodeShapes>;
}

/**
 * Shapes propagated in graph order (a node's input shape may follow from its
 * predecessor: SumPool2d, Flatten without `input_type`); the one walk the
 * type check, the description and the interpreter share.
 */
export function graphShapes(graph: Pick<NirGraph, "nodes" | "edges">): GraphShapes {
  const { order, recurrent } = graphOrder(graph);
  const back = new Set(recurrent.map(([a, b]) => `${a}\u0000${b}`));
  const incoming = new Map<string, { from: string; delayed: boolean }[]>();
  for (const [a, b] of graph.edges) incoming.set(b, [...(incoming.get(b) ?? []), { from: a, delayed: back.has(`${a}\u0000${b}`) }]);
  const nodes = new Map<string, NodeShapes>();
  for (const name of order) {
    const given = (incoming.get(name) ?? []).map((e) => nodes.get(e.from)?.emits).find((s) => s !== undefined);
    const types = nodeTypes(graph.nodes[name] as NirNode, given);
    const emits = types.output ?? given;
    nodes.set(name, { ...(given ? { given } : {}), types, ...(emits ? { emits } : {}) });
  }
  return { order, recurrent, incoming, nodes };
}

/**
 * NIR's type check: every field a node type requires is present, per-neuron
 * fields agree in shape, every edge joins existing nodes, and what a node
 * emits has the shape its successor takes. Returns every problem found
 * (empty when the graph is well typed).
 */
export function checkGraph(graph: NirGraph): string[] {
  const problems: string[] = [];
  for (const [name, node] of Object.entries(graph.nodes)) {
    const schema = NIR_NODE_TYPES[node.type];
    if (!schema) continue; // unknown types are reported by whoever needs to run them
    for (const required of schema.required) {
      if (node.fields[required] === undefined) problems.push(`node '${name}' (${node.type}) lacks the field '${required}'`);
    }
    const perNeuron = (schema.perNeuron ?? []).flatMap((k) => {
      const t = optionalField(node, k);
      return t ? [[k, t] as const] : [];
    });
    const [firstName, first] = perNeuron[0] ?? [];
    for (const [k, t] of perNeuron.slice(1)) {
      if (first && !sameShape(first.shape, t.shape)) {
        problems.push(
          `node '${name}' (${node.type}): '${k}' has shape ${fmt(t.shape)} but '${firstName}' has ${fmt(first.shape)}; per-neuron fields must agree`,
        );
      }
    }
  }
  for (const [a, b] of graph.edges) {
    if (!graph.nodes[a]) problems.push(`edge ${a} → ${b}: no node '${a}'`);
    if (!graph.nodes[b]) problems.push(`edge ${a} → ${b}: no node '${b}'`);
  }
  if (problems.length) return problems;
  const { order, incoming, nodes } = graphShapes(graph);
  for (const name of order) {
    const { types } = nodes.get(name) as NodeShapes;
    for (const { from } of incoming.get(name) ?? []) {
      const shape = nodes.get(from)?.types.output;
      if (shape && types.input && !sameShape(shape, types.input)) {
        problems.push(
          `type mismatch on edge ${from} → ${name}: '${from}' emits ${fmt(shape)}, '${name}' (${(graph.nodes[name] as NirNode).type}) takes ${fmt(types.input)}`,
        );
      }
    }
  }
  return problems;
}

/** Element count of a shape. */
export const shapeSize = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
