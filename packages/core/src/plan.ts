/**
 * The network plan: a spec validated once and resolved against a runtime —
 * layers in order (`input → (dense → neuron)* → output`), each neuron layer
 * with its model, step context, per-neuron parameters and the kernel kinds
 * registered for it, the encoder, and which plugins the network relies on.
 * Every runner, exporter, emulator, deployer and op counter consumes this one
 * structure, so they agree on layer order, parameters and scores.
 *
 * A plan is built without weights for training (weights change) and bound to
 * weights for inference, export and deployment ({@link bindWeights}).
 */
import { NeuroBridgeError, UnsupportedError } from "./errors.js";
import type { KernelKind, KernelKinds, KernelRegistration } from "./kernels.js";
import type { NeuronModel } from "./neuron-model.js";
import { type ResolvedNeuronNode, resolveNeuronNode } from "./resolve.js";
import type { Runtime } from "./runtime.js";
import type { NetworkSpec, NeuronNode } from "./spec.js";
import { specEdges } from "./spec.js";
import type { Encoder } from "./strategies.js";
import { strategyParams, topologicalOrder } from "./validate.js";
import { validateWeights, type Weights } from "./weights.js";

/** A dense layer `y = W·x + b`; `weight` `[out, in]` and `bias` `[out]` are filled in a bound plan. */
export interface DensePlanLayer {
  readonly kind: "dense";
  readonly id: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly hasBias: boolean;
  /** `[out, in]`; empty in an unbound plan. */
  readonly weight: Float32Array;
  readonly bias?: Float32Array;
}

/** A neuron population, resolved. */
export interface NeuronPlanLayer {
  readonly kind: "neuron";
  readonly id: string;
  readonly size: number;
  /** Time steps of the network (a layer fed the same input every step still runs T of them). */
  readonly timeSteps: number;
  readonly node: NeuronNode;
  readonly model: NeuronModel;
  readonly resolved: ResolvedNeuronNode;
  /** Every numeric parameter per neuron (`[size]`); learned values from bound weights win over the spec's. */
  readonly params: Readonly<Record<string, Float32Array>>;
  readonly spiking: boolean;
  /** Parameters the spec asks to learn (stored as weights `<id>.<param>`). */
  readonly learn: readonly string[];
  /** Kernel kinds registered for this layer's model (whether a kernel accepts this configuration is up to its `create`). */
  readonly kernels: readonly KernelKind[];
}

/** One layer of a plan. */
export type PlanLayer = DensePlanLayer | NeuronPlanLayer;

/** A validated, resolved chain-shaped network. */
export interface NetworkPlan {
  readonly spec: NetworkSpec;
  readonly layers: readonly PlanLayer[];
  readonly encoder: Encoder;
  readonly encoderParams: Readonly<Record<string, number | boolean | string>>;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly timeSteps: number;
  /** True when any population spikes (the network runs over T steps). */
  readonly spiking: boolean;
  /** Names of the plugins whose registrations this network uses (models, strategies, kernels); core's excluded. */
  readonly plugins: readonly string[];
  /** True when weights are bound (dense weights and learned parameters filled in). */
  readonly bound: boolean;
}

const perNeuron = (value: number | number[], size: number): Float32Array =>
  typeof value === "number" ? new Float32Array(size).fill(value) : Float32Array.from(value);

/** The core plugin's name (its registrations exist in every runtime). */
const CORE_PLUGIN = "@neurobridge/core";

/**
 * Validates `spec` (and `weights`, when given) and resolves it into a plan.
 * Prefer `runtime.plan(spec, weights)`, which counts the plans it builds.
 *
 * @throws {@link SpecValidationError} listing every problem of the spec
 * @throws {@link UnsupportedError} when the graph branches (runners take chains)
 */
export function buildPlan(runtime: Runtime, spec: NetworkSpec, weights?: Weights): NetworkPlan {
  const valid = runtime.validateSpec(spec);
  if (weights) validateWeights(valid, weights, runtime);
  const fanOut = new Map<string, number>();
  for (const [from] of specEdges(valid)) fanOut.set(from, (fanOut.get(from) ?? 0) + 1);
  const branching = [...fanOut.entries()].find(([, n]) => n > 1);
  if (branching) {
    throw new UnsupportedError(
      `node '${branching[0]}' feeds ${branching[1]} nodes; runners take chains: input → (dense → neuron)* → output`,
    );
  }
  const plugins = new Set<string>();
  const note = (plugin: string | undefined) => {
    if (plugin && plugin !== CORE_PLUGIN) plugins.add(plugin);
  };
  const byId = new Map(valid.nodes.map((n) => [n.id, n]));
  const layers: PlanLayer[] = [];
  let inputSize = 0;
  let outputSize = 0;
  for (const id of topologicalOrder(valid) ?? []) {
    const node = byId.get(id);
    if (!node) continue;
    if (node.type === "input") inputSize = node.shape.reduce((p, d) => p * d, 1);
    else if (node.type === "output") outputSize = node.size;
    else if (node.type === "dense") {
      const hasBias = node.bias !== false;
      const bias = hasBias ? weights?.[`${id}.bias`]?.data : undefined;
      layers.push({
        kind: "dense",
        id,
        inFeatures: node.inFeatures,
        outFeatures: node.outFeatures,
        hasBias,
        weight: weights?.[`${id}.weight`]?.data ?? new Float32Array(0),
        ...(bias ? { bias } : {}),
      });
    } else {
      const resolved = resolveNeuronNode(runtime, node);
      const params: Record<string, Float32Array> = {};
      for (const [name, value] of Object.entries(resolved.params)) {
        params[name] = weights?.[`${id}.${name}`]?.data ?? perNeuron(value, node.size);
      }
      const model = resolved.model;
      note(runtime.registry("neuronModel").entry(model.name)?.plugin);
      note(runtime.registry("reset").entry(resolved.resetName)?.plugin);
      note(runtime.registry("surrogate").entry(resolved.surrogate.name)?.plugin);
      const kernels = runtime.kernelsOf(model.name);
      for (const k of kernels) note(runtime.registry("kernel").entry(`${model.name}/${k.kind}`)?.plugin);
      layers.push({
        kind: "neuron",
        id,
        size: node.size,
        timeSteps: valid.timeSteps,
        node,
        model,
        resolved,
        params,
        spiking: model.dynamics === "spiking",
        learn: node.learn ?? [],
        kernels: kernels.map((k) => k.kind),
      });
    }
  }
  const encoder = runtime.encoder(valid.encoder.name);
  note(runtime.registry("encoder").entry(encoder.name)?.plugin);
  return {
    spec: valid,
    layers,
    encoder,
    encoderParams: strategyParams(valid.encoder, encoder),
    inputSize,
    outputSize,
    timeSteps: valid.timeSteps,
    spiking: layers.some((l) => l.kind === "neuron" && l.spiking),
    plugins: [...plugins],
    bound: weights !== undefined,
  };
}

/**
 * The same plan with `weights` bound (validated against the spec): dense
 * weights and biases filled in, learned neuron parameters taken from them.
 * No re-resolution happens.
 */
export function bindWeights(runtime: Runtime, plan: NetworkPlan, weights: Weights): NetworkPlan {
  validateWeights(plan.spec, weights, runtime);
  const layers = plan.layers.map((layer): PlanLayer => {
    if (layer.kind === "dense") {
      const bias = layer.hasBias ? weights[`${layer.id}.bias`]?.data : undefined;
      return { ...layer, weight: (weights[`${layer.id}.weight`] as { data: Float32Array }).data, ...(bias ? { bias } : {}) };
    }
    const params: Record<string, Float32Array> = { ...layer.params };
    for (const name of layer.learn) {
      const learned = weights[`${layer.id}.${name}`]?.data;
      if (learned) params[name] = learned;
    }
    return { ...layer, params };
  });
  return { ...plan, layers, bound: true };
}

/**
 * The weights bound into `plan`, as {@link bindWeights} takes them (the
 * inverse): dense weights and biases, and each learned neuron parameter.
 * The tensors share the plan's arrays.
 */
export function planWeights(plan: NetworkPlan): Weights {
  requireBound(plan, "reading a plan's weights");
  const weights: Weights = {};
  for (const layer of plan.layers) {
    if (layer.kind === "dense") {
      weights[`${layer.id}.weight`] = { shape: [layer.outFeatures, layer.inFeatures], data: layer.weight };
      if (layer.bias) weights[`${layer.id}.bias`] = { shape: [layer.outFeatures], data: layer.bias };
    } else {
      for (const name of layer.learn) weights[`${layer.id}.${name}`] = { shape: [layer.size], data: layer.params[name] as Float32Array };
    }
  }
  return weights;
}

/** Throws unless `plan` has weights bound; `what` names the caller for the message. */
export function requireBound(plan: NetworkPlan, what: string): void {
  if (!plan.bound) {
    throw new NeuroBridgeError(
      "PLAN_UNBOUND",
      `${what} needs the network's weights: build the plan with them (runtime.plan(spec, weights)) or bind them (bindWeights)`,
    );
  }
}

/** The neuron layers of a plan, in order. */
export const neuronLayers = (plan: NetworkPlan): NeuronPlanLayer[] => plan.layers.filter((l): l is NeuronPlanLayer => l.kind === "neuron");

/**
 * Creates the kernel of `kind` for `layer`, or `undefined` when none is
 * registered or the registered one declines this configuration (the caller
 * then runs the model's `step`).
 */
export function createKernel<K extends KernelKind>(runtime: Runtime, layer: NeuronPlanLayer, kind: K): KernelKinds[K] | undefined {
  const registration = runtime.kernel(layer.model.name, kind) as KernelRegistration<K> | undefined;
  return registration?.create(layer);
}

/**
 * The loss a network trains with unless told otherwise — the one place that
 * picks it: per-step cross-entropy of the output (`ce_rate`) when the network
 * runs over time, softmax cross-entropy of the logits otherwise.
 */
export function defaultLoss(plan: NetworkPlan): string {
  return plan.spiking ? "ce_rate" : "softmax_ce";
}
