/**
 * Networks to and from NIR graphs. Dense layers are NIR's Affine (Linear
 * without bias); each neuron layer is written and read by its model's
 * registered NIR codec (`runtime.codec(model, "nir")`), so a plugin's neuron
 * crosses as soon as it registers one. What NIR cannot carry — the encoder,
 * T, the dt used, a reset other than NIR's — travels in NeuroBridge metadata
 * that other tools ignore, and every such difference is reported as a warning.
 */
import {
  type NetworkNode,
  type NetworkPlan,
  type NetworkSpec,
  NeuroBridgeError,
  type Runtime,
  requireBound,
  SPEC_FORMAT,
  SPEC_VERSION,
  type StrategyRef,
  TRAINING_DEFAULTS,
  type Weights,
} from "@neurobridge/core";
import { type NirConventionOptions, type NirConventions, type NirReadNeuron, refused, resolveConventions } from "./codec.js";
import { importConventions } from "./detect-convention.js";
import {
  field,
  graphOrder,
  NIR_NODE_TYPES,
  NIR_VERSION,
  type NirGraph,
  type NirNode,
  type NirValue,
  optionalField,
  shapeSize,
  tensor,
} from "./graph.js";
import { metaNumber, metaString } from "./hdf5.js";

/** The graph written for a network, and what other tools will read differently. */
export interface NirExport {
  readonly graph: NirGraph;
  readonly conventions: NirConventions;
  readonly warnings: readonly string[];
}

const f32 = (data: Float32Array, shape: readonly number[]) => tensor(data, shape, "f32");

/** Options of {@link planToNir}. */
export interface NirExportOptions extends NirConventionOptions {
  /** How the input was scaled in training (e.g. `unit`), recorded for readers (NIR has no place for it). */
  readonly normalization?: string;
}

/**
 * The NIR graph of a bound plan: `input → (Affine|Linear → neuron)* → output`,
 * node names the plan's layer ids.
 *
 * @throws when a neuron layer's model has no NIR codec (naming the models that have one) or its codec refuses the layer
 */
export function planToNir(runtime: Runtime, plan: NetworkPlan, options: NirExportOptions = {}): NirExport {
  requireBound(plan, "NIR export");
  const conventions = resolveConventions(options);
  const inputNode = plan.spec.nodes.find((n) => n.type === "input");
  const nodes: Record<string, NirNode> = {
    input: {
      type: "Input",
      fields: { shape: tensor(inputNode?.type === "input" ? inputNode.shape : [plan.inputSize], undefined, "i64") },
      metadata: {},
    },
  };
  const warnings: string[] = [];
  const chain = ["input"];
  for (const layer of plan.layers) {
    if (layer.kind === "dense") {
      const weight = f32(layer.weight, [layer.outFeatures, layer.inFeatures]);
      nodes[layer.id] = layer.bias
        ? { type: "Affine", fields: { weight, bias: f32(layer.bias, [layer.outFeatures]) }, metadata: {} }
        : { type: "Linear", fields: { weight }, metadata: {} };
    } else {
      const codec = runtime.codec(layer.model.name, "nir");
      if (!codec) {
        const have = runtime.codecsFor("nir").map((c) => c.model);
        throw new NeuroBridgeError(
          "NIR_UNSUPPORTED",
          `layer '${layer.id}': model '${layer.model.name}' has no NIR codec registered; models with one: ${have.join(", ") || "none (register @neurobridge/nir's nirPlugin, or a codec for your model)"}`,
        );
      }
      const written = codec.write(layer, conventions);
      if (refused(written))
        throw new NeuroBridgeError("NIR_UNSUPPORTED", `layer '${layer.id}' cannot be written as NIR: ${written.reason}`);
      nodes[layer.id] = written.node;
      warnings.push(...written.warnings);
    }
    chain.push(layer.id);
  }
  nodes.output = { type: "Output", fields: { shape: tensor([plan.outputSize], undefined, "i64") }, metadata: {} };
  chain.push("output");
  const edges = chain.slice(1).map((to, i) => [chain[i] as string, to] as const);
  const metadata: Record<string, NirValue> = {
    "neurobridge.dt": tensor([conventions.dt]),
    "neurobridge.convention": conventions.name,
    "neurobridge.timeSteps": tensor([plan.timeSteps], undefined, "i64"),
    "neurobridge.encoder": JSON.stringify(plan.spec.encoder),
    ...(plan.spec.name ? { "neurobridge.name": plan.spec.name } : {}),
    ...(options.normalization ? { "neurobridge.normalization": options.normalization } : {}),
  };
  return { graph: { version: NIR_VERSION, nodes, edges, metadata }, conventions, warnings };
}

/** Options of {@link nirToNetwork}. */
export interface NirImportOptions extends NirConventionOptions {
  /** Time steps per sample (NIR stores none); default the file's NeuroBridge metadata, else 25. */
  readonly timeSteps?: number;
  /** Input encoder; default the file's NeuroBridge metadata, else `direct` (the input is the current). */
  readonly encoder?: StrategyRef;
}

/** A network read from NIR, with how it was read. */
export interface NirImport {
  readonly spec: NetworkSpec;
  readonly weights: Weights;
  readonly conventions: NirConventions;
  /** Which model each neuron node became. */
  readonly models: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}

/** NeuroBridge metadata holding JSON (a strategy reference): damaged JSON is the file's problem, named. */
function metaJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    return fail(`${where} is not valid JSON (${(error as Error).message}); expected e.g. {"name":"fast-sigmoid"}`);
  }
}

const fail = (message: string): never => {
  throw new NeuroBridgeError("NIR_UNSUPPORTED", message);
};

/** Picks the codec that reads `node`: the one its NeuroBridge metadata names, then every other in registration order. */
function readNeuron(runtime: Runtime, node: NirNode, name: string, conventions: NirConventions): { model: string; read: NirReadNeuron } {
  const named = metaString(node.metadata, "neurobridge.model");
  const codecs = runtime.codecsFor("nir").filter((c) => c.codec.reads.includes(node.type));
  codecs.sort((a, b) => Number(b.model === named) - Number(a.model === named));
  const reasons: string[] = [];
  for (const { model, codec } of codecs) {
    const read = codec.read(node, conventions, name);
    if (!refused(read)) return { model, read };
    reasons.push(`${model}: ${read.reason}`);
  }
  if (!codecs.length) {
    const readable = [...new Set(runtime.codecsFor("nir").flatMap((c) => c.codec.reads))];
    return fail(
      `node '${name}' (${node.type}): no registered model reads NIR ${node.type}; readable neuron types: ${readable.join(", ") || "none"} (a plugin adds one with registrar.codec({ format: "nir", … }))`,
    );
  }
  return fail(`node '${name}' (${node.type}) cannot be read:\n${reasons.map((r) => `  - ${r}`).join("\n")}`);
}

/**
 * A spec and weights from a NIR graph of the shape NeuroBridge's plans host:
 * `Input → [Flatten] → (Affine|Linear → neuron)* → Output`. A neuron's input
 * gain and offset (r·dt/τ, v_leak) are folded into the dense layer before it.
 *
 * @throws naming the node and the reason for recurrent edges, branches,
 *   nodes without a host here (Conv2d, SumPool2d, LI, …), and neurons no codec reads
 */
export function nirToNetwork(runtime: Runtime, graph: NirGraph, options: NirImportOptions = {}): NirImport {
  const { conventions, note } = importConventions(graph, options);
  const { order, recurrent } = graphOrder(graph);
  if (recurrent.length) {
    fail(
      `the graph is recurrent (edge ${recurrent.map(([a, b]) => `${a} → ${b}`).join(", ")} closes a cycle); NeuroBridge networks are feed-forward chains — @neurobridge/nir's reference interpreter (simulateNir) runs it`,
    );
  }
  const fanOut = new Map<string, number>();
  const fanIn = new Map<string, number>();
  for (const [a, b] of graph.edges) {
    fanOut.set(a, (fanOut.get(a) ?? 0) + 1);
    fanIn.set(b, (fanIn.get(b) ?? 0) + 1);
  }
  for (const [n, k] of [...fanOut, ...fanIn])
    if (k > 1) fail(`node '${n}' has ${k} edges on one side; NeuroBridge networks are chains without branches or merges`);
  const inputs = order.filter((n) => graph.nodes[n]?.type === "Input");
  const outputs = order.filter((n) => graph.nodes[n]?.type === "Output");
  if (inputs.length !== 1 || outputs.length !== 1)
    fail(`a chain has one Input and one Output node; this graph has ${inputs.length} and ${outputs.length}`);

  const neuronTypes = new Set(runtime.codecsFor("nir").flatMap((c) => c.codec.reads));
  const nodes: NetworkNode[] = [];
  const weights: Weights = {};
  const models: Record<string, string> = Object.create(null);
  const warnings: string[] = [];
  let width = 0;
  let lastDense: { id: string; weight: Float32Array; bias: Float32Array | undefined; out: number; inF: number } | undefined;
  const flushDense = () => {
    if (!lastDense) return;
    nodes.push({
      type: "dense",
      id: lastDense.id,
      inFeatures: lastDense.inF,
      outFeatures: lastDense.out,
      ...(lastDense.bias ? {} : { bias: false }),
    });
    weights[`${lastDense.id}.weight`] = { shape: [lastDense.out, lastDense.inF], data: lastDense.weight };
    if (lastDense.bias) weights[`${lastDense.id}.bias`] = { shape: [lastDense.out], data: lastDense.bias };
    lastDense = undefined;
  };
  for (const name of order) {
    const node = graph.nodes[name] as NirNode;
    const id = name;
    switch (node.type) {
      case "Input": {
        const shape = [...field(node, "shape", name).data];
        nodes.push({ type: "input", id: "input", shape });
        width = shapeSize(shape);
        break;
      }
      case "Flatten":
        // The plan's layers see flat vectors already.
        break;
      case "Affine":
      case "Linear": {
        if (lastDense)
          fail(
            `dense node '${lastDense.id}' is followed by dense node '${name}' without neurons between; fold them into one before export`,
          );
        const w = field(node, "weight", name);
        const [out, inF] = [w.shape[0] as number, w.shape[1] as number];
        if (inF !== width) fail(`node '${name}' takes ${inF} inputs but receives ${width}`);
        const b = optionalField(node, "bias");
        lastDense = {
          id,
          weight: Float32Array.from(w.data),
          bias: b && node.type === "Affine" ? Float32Array.from(b.data) : undefined,
          out,
          inF,
        };
        width = out;
        break;
      }
      case "Output": {
        flushDense();
        const size = shapeSize([...field(node, "shape", name).data]);
        if (size !== width) fail(`the Output takes ${size} values but receives ${width}`);
        nodes.push({ type: "output", id: "output", size });
        break;
      }
      default: {
        // The registered codecs are asked first: a plugin may read a type NIR 1.0 does not define.
        if (!neuronTypes.has(node.type) && !NIR_NODE_TYPES[node.type]) {
          fail(
            `node '${name}' has NIR type '${node.type}', which neither NIR 1.0 nor a registered codec defines (codec types: ${[...neuronTypes].join(", ") || "none"}; a plugin adds one with registrar.codec({ format: "nir", … }))`,
          );
        }
        if (!neuronTypes.has(node.type)) {
          fail(
            `node '${name}' (${node.type}) is not supported yet: NeuroBridge networks are chains of dense layers and neuron populations (neuron types read: ${[...neuronTypes].join(", ") || "none"}); @neurobridge/nir's reference interpreter (simulateNir) runs it`,
          );
        }
        const { model, read } = readNeuron(runtime, node, name, conventions);
        const size = Object.values(read.params)[0]?.length ?? 0;
        if (size !== width) fail(`node '${name}' has ${size} neurons but receives ${width} values`);
        foldInput(read, name, lastDense, warnings);
        flushDense();
        const surrogate = metaString(node.metadata, "neurobridge.surrogate");
        nodes.push({
          type: "neuron",
          id,
          model,
          size,
          params: Object.fromEntries(Object.entries(read.params).map(([k, v]) => [k, uniformOrArray(v)])),
          ...(read.reset ? { reset: read.reset } : {}),
          ...(surrogate ? { surrogate: metaJson<StrategyRef>(surrogate, `node '${name}' metadata neurobridge.surrogate`) } : {}),
        });
        models[name] = model;
        warnings.push(...read.warnings);
      }
    }
  }
  const encoderMeta = metaString(graph.metadata, "neurobridge.encoder");
  const encoder =
    options.encoder ?? (encoderMeta ? metaJson<StrategyRef>(encoderMeta, "graph metadata neurobridge.encoder") : { name: "direct" });
  const timeSteps = options.timeSteps ?? metaNumber(graph.metadata, "neurobridge.timeSteps") ?? TRAINING_DEFAULTS.timeSteps;
  const normalization = metaString(graph.metadata, "neurobridge.normalization");
  const spec: NetworkSpec = {
    format: SPEC_FORMAT,
    version: SPEC_VERSION,
    name: metaString(graph.metadata, "neurobridge.name") ?? "nir-import",
    dt: conventions.dt,
    timeSteps,
    encoder,
    nodes,
    metadata: { importedFrom: "nir", nirVersion: graph.version, convention: conventions.name, ...(normalization ? { normalization } : {}) },
  };
  // Validates parameters against the models' declared ranges (e.g. a threshold ≤ 0).
  runtime.plan(spec, weights);
  return { spec, weights, conventions, models, warnings: note ? [note, ...warnings] : warnings };
}

/** One number when every neuron has the same value (a scalar spec param), else the array. */
const uniformOrArray = (v: readonly number[]): number | number[] =>
  v.every((x) => x === v[0]) && v.length > 0 ? (v[0] as number) : [...v];

/** Folds a neuron's input gain and offset into the dense layer feeding it (row j scaled by g_j, bias g_j·b_j + c_j). */
function foldInput(
  read: NirReadNeuron,
  name: string,
  dense: { id: string; weight: Float32Array; bias: Float32Array | undefined; out: number; inF: number } | undefined,
  warnings: string[],
): void {
  // A gain within 1e-12 of 1 is the float64 rounding of r·dt/τ with r = τ/dt: exactly 1 in float32.
  const gain = read.inputGain?.map((g) => (Math.abs(g - 1) <= 1e-12 ? 1 : g));
  const offset = read.inputOffset;
  const unitGain = !gain || gain.every((g) => g === 1);
  const noOffset = !offset || offset.every((c) => c === 0);
  if (unitGain && noOffset) return;
  if (!dense) {
    fail(`node '${name}' scales its input (r·dt/τ ≠ 1 or v_leak ≠ 0) but no Affine or Linear feeds it to fold that into`);
    return;
  }
  const { weight, out, inF } = dense;
  for (let j = 0; j < out; j++) {
    const g = gain ? (gain[j] as number) : 1;
    if (g !== 1) for (let k = 0; k < inF; k++) weight[j * inF + k] = (weight[j * inF + k] as number) * g;
  }
  if (!noOffset || (dense.bias && !unitGain)) {
    const bias = dense.bias ?? new Float32Array(out);
    for (let j = 0; j < out; j++) bias[j] = (bias[j] as number) * (gain ? (gain[j] as number) : 1) + (offset ? (offset[j] as number) : 0);
    if (!dense.bias) warnings.push(`${name}: v_leak ≠ 0 became a bias on '${dense.id}'`);
    dense.bias = bias;
  }
  if (!unitGain) warnings.push(`${name}: its input gain (r·dt/τ, w_in) was folded into the weights of '${dense.id}'`);
}
