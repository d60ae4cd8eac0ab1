/**
 * Building the float32 emulation of a plan: the pairs (dense → spiking
 * population), each population from its model's registered `population`
 * kernel, or the generic one that runs the model's own `step`. Browser-safe:
 * the caller picks the off-chip layer (ONNX Runtime on Node, plain JavaScript
 * in a browser).
 */
import {
  type BackendIssue,
  compileStep,
  createKernel,
  type DensePlanLayer,
  type NetworkPlan,
  type NeuronPlanLayer,
  type Runtime,
  requireBound,
} from "@neurobridge/core";
import { DeploymentError } from "../deploy-error.js";
import { EventDrivenEmulator, type HostInput } from "./event-emulator.js";
import { mlasSliceK } from "./gemm-order.js";
import { JsHostLayer } from "./js-host-layer.js";
import { byPresynaptic, GenericPopulation, type Population } from "./population.js";

/** A population paired with the dense layer that feeds it. */
export interface Stage {
  readonly dense: DensePlanLayer;
  readonly neuron: NeuronPlanLayer;
}

/** What keeps `plan` off an event-driven target: it must alternate dense → spiking population. */
export function stageIssues(plan: NetworkPlan): BackendIssue[] {
  if (!plan.spiking) {
    return [
      {
        constraint: "spikingNetwork",
        path: "layers",
        message:
          "the network has no spiking populations (a rate network such as the FFNN); neuromorphic targets run SNNs. Export it to ONNX instead, or train the SNN.",
      },
    ];
  }
  const issues: BackendIssue[] = [];
  const layers = plan.layers;
  for (let i = 0; i < layers.length; i += 2) {
    const dense = layers[i];
    const neuron = layers[i + 1];
    if (dense?.kind !== "dense" || neuron?.kind !== "neuron") {
      issues.push({
        constraint: "topology",
        path: `layers.${dense?.id}`,
        message: `expected dense → spiking population pairs; found '${dense?.id}' (${dense?.kind}) followed by '${neuron?.id ?? "nothing"}'. Supported: input → (dense → neuron)* → output.`,
      });
      break;
    }
    if (!neuron.spiking) {
      issues.push({
        constraint: "neuronModel",
        path: `layers.${neuron.id}`,
        message: `population '${neuron.id}' uses the rate model '${neuron.model.name}'; cores host spiking neurons only`,
      });
    }
  }
  return issues;
}

/** The stages of `plan`; throws {@link DeploymentError} with the first issue when it has none. */
export function stagesOf(plan: NetworkPlan, target: string): Stage[] {
  const issue = stageIssues(plan)[0];
  if (issue) throw new DeploymentError(target, issue.constraint, issue.message);
  const stages: Stage[] = [];
  for (let i = 0; i < plan.layers.length; i += 2) {
    stages.push({ dense: plan.layers[i] as DensePlanLayer, neuron: plan.layers[i + 1] as NeuronPlanLayer });
  }
  return stages;
}

/** The float32 population of `stage`: its model's `population` kernel, else its compiled step, else the generic one interpreting the `step`. */
export function floatPopulation(runtime: Runtime, stage: Stage, hostFed: boolean): Population {
  const { dense, neuron } = stage;
  const weights = hostFed ? new Float32Array(0) : byPresynaptic(dense.weight, dense.outFeatures, dense.inFeatures);
  const synapses = {
    fanIn: dense.inFeatures,
    weights,
    ...(dense.bias ? { bias: dense.bias } : {}),
    sliceK: mlasSliceK(dense.outFeatures, dense.inFeatures),
  };
  const kernel = createKernel(runtime, neuron, "population");
  if (kernel) return kernel.create(synapses);
  // No registered kernel: the model's step compiled (the reference arrays' bits), else interpreted on them.
  const compiled = compileStep(neuron);
  if (!("reason" in compiled)) return compiled.population.create(synapses);
  return new GenericPopulation(neuron.id, neuron.size, synapses, neuron.resolved, neuron.params);
}

/** The float emulator of a bound `plan` with the off-chip layer from `host` (default: plain JavaScript). */
export function floatEmulator(runtime: Runtime, plan: NetworkPlan, host?: (dense: DensePlanLayer) => HostInput): EventDrivenEmulator {
  requireBound(plan, "the event-driven emulator");
  const stages = stagesOf(plan, "the event-driven emulator");
  const hostFed = !plan.encoder.emitsSpikes;
  const first = stages[0] as Stage;
  const input = hostFed ? (host ?? ((d: DensePlanLayer) => new JsHostLayer(d)))(first.dense) : undefined;
  return new EventDrivenEmulator({
    chain: plan,
    ...(input ? { host: input } : {}),
    populations: stages.map((st, i) => floatPopulation(runtime, st, hostFed && i === 0)),
  });
}
