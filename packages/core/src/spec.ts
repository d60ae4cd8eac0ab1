/**
 * The network spec: a plain, JSON-serialisable graph of typed nodes in the
 * spirit of NIR, plus the time base (`dt`, `timeSteps`) and the input encoder.
 * Weights travel beside it as named `Float32Array`s (see `weights.ts`).
 * Training, emulation, export and op counting all read this one spec.
 */

/** Identifies this document type and its schema version in serialised specs. */
export const SPEC_FORMAT = "neurobridge.network" as const;
/** Current spec schema version. */
export const SPEC_VERSION = 1 as const;

/** A reference to a registered strategy (encoder, surrogate …) with its parameters. */
export interface StrategyRef {
  readonly name: string;
  readonly params?: Readonly<Record<string, number | boolean | string>>;
}

/** Where the network's input enters. */
export interface InputNode {
  readonly type: "input";
  readonly id: string;
  /** Input shape of one sample, e.g. `[784]` or `[1, 28, 28]`; its product is the feature count. */
  readonly shape: readonly number[];
}

/**
 * A fully connected layer `y = W·x + b`. Weights are named `<id>.weight`
 * (shape `[outFeatures, inFeatures]`, PyTorch/NIR layout) and `<id>.bias`.
 */
export interface DenseNode {
  readonly type: "dense";
  readonly id: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Defaults to true. */
  readonly bias?: boolean;
}

/** A population of neurons of a registered model (spiking like `lif`, or rate like `relu`). */
export interface NeuronNode {
  readonly type: "neuron";
  readonly id: string;
  /** Registered neuron-model name. */
  readonly model: string;
  readonly size: number;
  /** Model parameters; each may be a number or, where the model allows, one number per neuron. */
  readonly params?: Readonly<Record<string, number | readonly number[]>>;
  /** Spiking models: the reset mechanism by registered name (default `subtract`). */
  readonly reset?: string;
  /** Spiking models: the surrogate gradient used in training (default `fast-sigmoid`). */
  readonly surrogate?: StrategyRef;
  /** Parameters to learn; stored as weights `<id>.<param>` with one value per neuron. */
  readonly learn?: readonly string[];
}

/** Where the network's output leaves. */
export interface OutputNode {
  readonly type: "output";
  readonly id: string;
  readonly size: number;
}

/** Every node type of the spec, discriminated by `type`. */
export type NetworkNode = InputNode | DenseNode | NeuronNode | OutputNode;

/** The node types the validator accepts, for error messages. */
export const NODE_TYPES = ["input", "dense", "neuron", "output"] as const;

/** A network: nodes, edges, time base and encoder. */
export interface NetworkSpec {
  readonly format: typeof SPEC_FORMAT;
  readonly version: typeof SPEC_VERSION;
  readonly name?: string;
  /** Simulation time step in seconds (> 0). */
  readonly dt: number;
  /** Time steps per sample (1 for a feed-forward ANN). */
  readonly timeSteps: number;
  /** How inputs become per-step currents or spikes (default `direct`). */
  readonly encoder: StrategyRef;
  readonly nodes: readonly NetworkNode[];
  /**
   * Directed edges `[from, to]` by node id. When omitted, nodes are connected
   * in the order listed (a sequential network).
   */
  readonly edges?: readonly (readonly [string, string])[];
  /** Free-form metadata (training settings, provenance); not interpreted. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The edges of `spec`, making the sequential default explicit. */
export function specEdges(spec: Pick<NetworkSpec, "nodes" | "edges">): (readonly [string, string])[] {
  if (spec.edges) return [...spec.edges];
  const edges: [string, string][] = [];
  for (let i = 1; i < spec.nodes.length; i++) {
    edges.push([(spec.nodes[i - 1] as NetworkNode).id, (spec.nodes[i] as NetworkNode).id]);
  }
  return edges;
}

/** Number of features a node emits (its output width). */
export function nodeOutputSize(node: NetworkNode): number {
  switch (node.type) {
    case "input":
      return node.shape.reduce((a, b) => a * b, 1);
    case "dense":
      return node.outFeatures;
    case "neuron":
    case "output":
      return node.size;
  }
}

/** Options of {@link sequentialSpec}. */
export interface SequentialOptions {
  readonly name?: string;
  /** Layer widths including input and output, e.g. `[784, 256, 256, 10]`. */
  readonly layers: readonly number[];
  /** Neuron model after every dense layer (e.g. `lif`, `relu`). */
  readonly neuron: string;
  /**
   * Model for the last layer when it differs; `false` connects the last dense
   * layer straight to the output (an FFNN's logits).
   */
  readonly outputNeuron?: string | false;
  readonly params?: NeuronNode["params"];
  readonly reset?: string;
  readonly surrogate?: StrategyRef;
  readonly learn?: readonly string[];
  readonly dt?: number;
  readonly timeSteps?: number;
  readonly encoder?: StrategyRef;
  readonly bias?: boolean;
}

/**
 * Builds the common multilayer perceptron shape: input → (dense → neuron)×n →
 * output, with ids `input`, `fc1`, `<model>1`, …, `output`.
 */
export function sequentialSpec(options: SequentialOptions): NetworkSpec {
  const { layers } = options;
  const nodes: NetworkNode[] = [{ type: "input", id: "input", shape: [layers[0] ?? 0] }];
  for (let i = 1; i < layers.length; i++) {
    const last = i === layers.length - 1;
    const model = last && options.outputNeuron !== undefined ? options.outputNeuron : options.neuron;
    nodes.push({
      type: "dense",
      id: `fc${i}`,
      inFeatures: layers[i - 1] ?? 0,
      outFeatures: layers[i] ?? 0,
      ...(options.bias === false ? { bias: false } : {}),
    });
    if (model === false) continue;
    nodes.push({
      type: "neuron",
      id: `${model}${i}`,
      model,
      size: layers[i] ?? 0,
      ...(options.params ? { params: options.params } : {}),
      ...(options.reset ? { reset: options.reset } : {}),
      ...(options.surrogate ? { surrogate: options.surrogate } : {}),
      ...(options.learn ? { learn: options.learn } : {}),
    });
  }
  nodes.push({ type: "output", id: "output", size: layers[layers.length - 1] ?? 0 });
  return {
    format: SPEC_FORMAT,
    version: SPEC_VERSION,
    ...(options.name ? { name: options.name } : {}),
    dt: options.dt ?? 1e-3,
    timeSteps: options.timeSteps ?? 1,
    encoder: options.encoder ?? { name: "direct" },
    nodes,
  };
}
