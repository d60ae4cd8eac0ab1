/**
 * A trained network read as a chain of layers with its weights bound:
 * `input → (dense → neuron)* → output`. The ONNX exporter, the deployment
 * mapper and the emulators all walk this one structure, so they agree on
 * layer order, parameters (learned ones from the weights) and what the
 * network's score is (spike counts summed over T, or the last output).
 */
import {
  type Encoder,
  type NetworkSpec,
  type ResolvedNeuronNode,
  type Runtime,
  resolveNeuronNode,
  specEdges,
  strategyParams,
  topologicalOrder,
  UnsupportedError,
  validateWeights,
  type Weights,
} from "@neurobridge/core";

/** A dense layer with its weights `[out, in]` and optional bias `[out]`. */
export interface DenseLayer {
  readonly kind: "dense";
  readonly id: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Float32Array;
  readonly bias?: Float32Array;
}

/** A neuron population with every numeric parameter as a per-neuron array. */
export interface NeuronLayer {
  readonly kind: "neuron";
  readonly id: string;
  readonly size: number;
  readonly resolved: ResolvedNeuronNode;
  /** Parameters per neuron (learned values from the weights win over the spec's). */
  readonly params: Readonly<Record<string, Float32Array>>;
  readonly spiking: boolean;
}

export type ChainLayer = DenseLayer | NeuronLayer;

/** A validated chain-shaped network with its weights. */
export interface Chain {
  readonly spec: NetworkSpec;
  readonly layers: readonly ChainLayer[];
  readonly encoder: Encoder;
  readonly encoderParams: Readonly<Record<string, number | boolean | string>>;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly timeSteps: number;
  /** True when any population spikes (the network runs over T steps). */
  readonly spiking: boolean;
}

const perNeuron = (value: number | number[], size: number): Float32Array =>
  typeof value === "number" ? new Float32Array(size).fill(value) : Float32Array.from(value);

/**
 * Validates `spec` and `weights` and reads them as a chain. Branching graphs
 * throw {@link UnsupportedError} naming what is supported.
 */
export function readChain(runtime: Runtime, spec: NetworkSpec, weights: Weights): Chain {
  const valid = runtime.validateSpec(spec);
  validateWeights(valid, weights, runtime);
  const fanOut = new Map<string, number>();
  for (const [from] of specEdges(valid)) fanOut.set(from, (fanOut.get(from) ?? 0) + 1);
  if ([...fanOut.values()].some((n) => n > 1)) {
    throw new UnsupportedError("this network branches; export and deployment take chains: input → (dense → neuron)* → output");
  }
  const byId = new Map(valid.nodes.map((n) => [n.id, n]));
  const layers: ChainLayer[] = [];
  let inputSize = 0;
  let outputSize = 0;
  for (const id of topologicalOrder(valid) ?? []) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.type === "input") inputSize = node.shape.reduce((p, d) => p * d, 1);
    else if (node.type === "output") outputSize = node.size;
    else if (node.type === "dense") {
      const bias = node.bias !== false ? weights[`${id}.bias`]?.data : undefined;
      layers.push({
        kind: "dense",
        id,
        inFeatures: node.inFeatures,
        outFeatures: node.outFeatures,
        weight: (weights[`${id}.weight`] as { data: Float32Array }).data,
        ...(bias ? { bias } : {}),
      });
    } else {
      const resolved = resolveNeuronNode(runtime, node);
      const params: Record<string, Float32Array> = {};
      for (const [name, value] of Object.entries(resolved.params)) {
        params[name] = weights[`${id}.${name}`]?.data ?? perNeuron(value, node.size);
      }
      layers.push({ kind: "neuron", id, size: node.size, resolved, params, spiking: resolved.model.dynamics === "spiking" });
    }
  }
  const encoder = runtime.encoder(valid.encoder.name);
  return {
    spec: valid,
    layers,
    encoder,
    encoderParams: strategyParams(valid.encoder, encoder),
    inputSize,
    outputSize,
    timeSteps: valid.timeSteps,
    spiking: layers.some((l) => l.kind === "neuron" && l.spiking),
  };
}
