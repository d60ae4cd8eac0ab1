/**
 * Weights travel beside the spec as named `Float32Array`s:
 * `<denseId>.weight` `[out, in]`, `<denseId>.bias` `[out]`, and
 * `<neuronId>.<param>` `[size]` for learned neuron parameters (e.g. a
 * per-neuron β). {@link weightSlots} is the single list of what a spec needs.
 */
import { ValidationError, type ValidationIssue } from "./errors.js";
import type { RandomSource } from "./random.js";
import { type NetworkSpec, specEdges } from "./spec.js";
import { neuronParams, type SpecCatalog } from "./validate.js";

/** A dense float32 tensor, row-major. */
export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Named tensors of a network. */
export type Weights = Record<string, WeightTensor>;

/** One tensor a spec needs, and how to initialise it. */
export interface WeightSlot {
  readonly name: string;
  readonly nodeId: string;
  readonly role: "weight" | "bias" | "neuron-param";
  readonly shape: readonly number[];
  /**
   * `fan-in-uniform`: U(−1/√fan_in, 1/√fan_in), PyTorch's default for Linear,
   * shifted by `offset` (a bias feeding a model with an operating input);
   * `value`: every entry equals the neuron parameter's configured value.
   */
  readonly init:
    | { readonly kind: "fan-in-uniform"; readonly fanIn: number; readonly offset?: number }
    | { readonly kind: "value"; readonly value: number | readonly number[] };
}

/** The operating input of the neuron model a dense layer feeds (0 when it feeds none that declares one). */
function operatingOffset(spec: NetworkSpec, edges: readonly (readonly [string, string])[], denseId: string, catalog?: SpecCatalog): number {
  for (const [from, to] of edges) {
    if (from !== denseId) continue;
    const target = spec.nodes.find((n) => n.id === to);
    if (target?.type !== "neuron") continue;
    const model = catalog?.findNeuronModel(target.model);
    if (model?.operatingInput) return model.operatingInput(neuronParams(target, model));
  }
  return 0;
}

/** Every tensor `spec` needs, in node order. Neuron parameters need `catalog` for their defaults. */
export function weightSlots(spec: NetworkSpec, catalog?: SpecCatalog): WeightSlot[] {
  const slots: WeightSlot[] = [];
  const edges = specEdges(spec);
  for (const node of spec.nodes) {
    if (node.type === "dense") {
      const init = { kind: "fan-in-uniform", fanIn: node.inFeatures } as const;
      slots.push({ name: `${node.id}.weight`, nodeId: node.id, role: "weight", shape: [node.outFeatures, node.inFeatures], init });
      if (node.bias !== false) {
        const offset = operatingOffset(spec, edges, node.id, catalog);
        slots.push({
          name: `${node.id}.bias`,
          nodeId: node.id,
          role: "bias",
          shape: [node.outFeatures],
          init: offset ? { ...init, offset } : init,
        });
      }
    } else if (node.type === "neuron" && node.learn && node.learn.length > 0) {
      const model = catalog?.findNeuronModel(node.model);
      const params = model ? neuronParams(node, model) : {};
      for (const param of node.learn) {
        slots.push({
          name: `${node.id}.${param}`,
          nodeId: node.id,
          role: "neuron-param",
          shape: [node.size],
          init: { kind: "value", value: params[param] ?? 0 },
        });
      }
    }
  }
  return slots;
}

/** Number of trainable scalars (269,322 for a 784-256-256-10 MLP with biases). */
export function parameterCount(spec: NetworkSpec, catalog?: SpecCatalog): number {
  return weightSlots(spec, catalog).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** Fresh weights for `spec`, drawn from `rng` (same seed → same weights). */
export function initWeights(spec: NetworkSpec, rng: RandomSource, catalog?: SpecCatalog): Weights {
  const weights: Weights = {};
  for (const slot of weightSlots(spec, catalog)) {
    const size = slot.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const init = slot.init;
    if (init.kind === "fan-in-uniform") {
      const bound = 1 / Math.sqrt(init.fanIn);
      const offset = init.offset ?? 0;
      for (let i = 0; i < size; i++) data[i] = rng.uniform(-bound, bound) + offset;
    } else if (typeof init.value === "number") {
      data.fill(init.value);
    } else {
      data.set(init.value);
    }
    weights[slot.name] = { shape: slot.shape, data };
  }
  return weights;
}

/**
 * Checks that `weights` has exactly the tensors `spec` needs, with matching
 * shapes and finite values.
 *
 * @throws {@link ValidationError} listing missing, unexpected, mis-shaped and non-finite tensors
 */
export function validateWeights(spec: NetworkSpec, weights: Weights, catalog?: SpecCatalog): void {
  const issues: ValidationIssue[] = [];
  const slots = weightSlots(spec, catalog);
  const expected = new Set(slots.map((s) => s.name));
  for (const slot of slots) {
    const tensor = weights[slot.name];
    const want = `[${slot.shape.join(", ")}]`;
    if (!tensor) {
      issues.push({ path: slot.name, message: `missing; expected a float32 tensor of shape ${want}` });
      continue;
    }
    const size = slot.shape.reduce((a, b) => a * b, 1);
    const sameShape = tensor.shape.length === slot.shape.length && tensor.shape.every((d, i) => d === slot.shape[i]);
    if (!sameShape || tensor.data.length !== size) {
      issues.push({
        path: slot.name,
        message: `has shape [${tensor.shape.join(", ")}] (${tensor.data.length} values); expected ${want} (${size} values)`,
      });
      continue;
    }
    const bad = tensor.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) issues.push({ path: `${slot.name}[${bad}]`, message: `is ${tensor.data[bad]}; weights must be finite` });
  }
  for (const name of Object.keys(weights)) {
    if (!expected.has(name)) {
      issues.push({ path: name, message: `unexpected tensor; this spec uses: ${[...expected].join(", ")}` });
    }
  }
  if (issues.length > 0) throw new ValidationError("weights", issues, "WEIGHTS_INVALID");
}
