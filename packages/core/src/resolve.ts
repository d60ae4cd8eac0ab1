/**
 * Resolves a neuron node of a spec against a catalog into what any runner
 * needs: its model, numeric parameters with defaults filled in, and the step
 * context (bound surrogate and reset). Backends, emulators, exporters and the
 * reference simulator all build on this one function.
 */
import { UnknownRegistrationError } from "./errors.js";
import type { NeuronModel, StepContext } from "./neuron-model.js";
import type { NeuronNode } from "./spec.js";
import { bindSurrogate, type ResetMechanism, type SurrogateGradient } from "./strategies.js";
import { DEFAULT_RESET, DEFAULT_SURROGATE, neuronParams, type SpecCatalog, strategyParams } from "./validate.js";

/** A neuron node resolved against a catalog. */
export interface ResolvedNeuronNode {
  readonly node: NeuronNode;
  readonly model: NeuronModel;
  /** Every numeric parameter: a number or a per-neuron array. */
  readonly params: Record<string, number | number[]>;
  readonly context: StepContext;
  /** The reset's registered name (`subtract` unless the node says otherwise). */
  readonly resetName: string;
  /** The surrogate itself, for backends that compile its scalar derivative. */
  readonly surrogate: SurrogateGradient;
}

function lookup<T>(found: T | undefined, kind: string, name: string, catalog: SpecCatalog, names: Parameters<SpecCatalog["names"]>[0]): T {
  if (!found) throw new UnknownRegistrationError(kind, name, catalog.names(names));
  return found;
}

/** Resolves `node`; unknown model, surrogate or reset names throw {@link UnknownRegistrationError}. */
export function resolveNeuronNode(catalog: SpecCatalog, node: NeuronNode): ResolvedNeuronNode {
  const model = lookup(catalog.findNeuronModel(node.model), "neuron model", node.model, catalog, "neuronModel");
  const resetName = node.reset ?? DEFAULT_RESET;
  const surrogateRef = node.surrogate ?? { name: DEFAULT_SURROGATE };
  const surrogate = lookup(catalog.findSurrogate(surrogateRef.name), "surrogate", surrogateRef.name, catalog, "surrogate");
  const reset: ResetMechanism = lookup(catalog.findReset(resetName), "reset", resetName, catalog, "reset");
  const bound = bindSurrogate(surrogate, strategyParams(surrogateRef, surrogate) as Record<string, number>);
  return {
    node,
    model,
    params: neuronParams(node, model),
    context: { surrogate: bound, reset, options: {} },
    resetName,
    surrogate,
  };
}
