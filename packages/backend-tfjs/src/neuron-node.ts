/**
 * Resolves a neuron node of a spec into what a tfjs-side runner needs: its
 * model, parameters with defaults, step context (bound surrogate and reset),
 * and — when the fused LIF kernel can run it — the kernel's configuration.
 * The executor and the reference autograd graph both build on this.
 */
import { type NetworkSpec, type NeuronModel, type NeuronNode, type Runtime, resolveNeuronNode, type StepContext } from "@neurobridge/core";
import { FUSED_RESETS, type FusedReset, type LifKernelConfig } from "./lif-kernel.js";

/** A neuron node resolved against the runtime. */
export interface ResolvedNeuron {
  readonly node: NeuronNode;
  readonly model: NeuronModel;
  readonly params: Record<string, number | number[]>;
  readonly context: StepContext;
  /** Present when the fused LIF kernel implements this node (model `lif`, a fused reset). */
  readonly fused?: LifKernelConfig;
}

/** A number or per-neuron array as a `size`-long Float32Array. */
export const perNeuron = (value: number | number[], size: number): Float32Array =>
  typeof value === "number" ? new Float32Array(size).fill(value) : Float32Array.from(value);

/** Resolves `node`; `allowFused` false keeps every model on its generic `step`. */
export function resolveNeuron(runtime: Runtime, spec: NetworkSpec, node: NeuronNode, allowFused = true): ResolvedNeuron {
  const { model, params, context, resetName, surrogate } = resolveNeuronNode(runtime, node);
  const fusable = allowFused && model.name === "lif" && (FUSED_RESETS as readonly string[]).includes(resetName);
  if (!fusable) return { node, model, params, context };
  return {
    node,
    model,
    params,
    context,
    fused: {
      timeSteps: spec.timeSteps,
      size: node.size,
      threshold: perNeuron(params.threshold as number | number[], node.size),
      reset: resetName as FusedReset,
      surrogate: surrogate.compile?.(context.surrogate.params) ?? ((x: number) => surrogate.derivative(x, context.surrogate.params)),
    },
  };
}
