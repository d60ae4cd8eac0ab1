/**
 * Building the float32 emulation of a chain: the pairs (dense → spiking
 * population) and their float populations. Browser-safe: the caller picks
 * the off-chip layer (ONNX Runtime on Node, plain JavaScript in a browser).
 */
import type { Chain, DenseLayer, NeuronLayer } from "../chain.js";
import { DeploymentError } from "../deploy-error.js";
import { EventDrivenEmulator, type HostInput } from "./event-emulator.js";
import { mlasSliceK } from "./gemm-order.js";
import { JsHostLayer } from "./js-host-layer.js";
import { byPresynaptic, FloatLifPopulation, GenericPopulation, type Population } from "./population.js";

/** A population paired with the dense layer that feeds it. */
export interface Stage {
  readonly dense: DenseLayer;
  readonly neuron: NeuronLayer;
}

/** Checks the chain alternates dense → spiking population and returns the pairs. */
export function stagesOf(chain: Chain, target: string): Stage[] {
  if (!chain.spiking) {
    throw new DeploymentError(
      target,
      "spikingNetwork",
      "the network has no spiking populations (a rate network such as the FFNN); neuromorphic targets run SNNs. Export it to ONNX instead, or train the SNN.",
    );
  }
  const stages: Stage[] = [];
  const layers = chain.layers;
  for (let i = 0; i < layers.length; i++) {
    const dense = layers[i];
    const neuron = layers[i + 1];
    if (dense?.kind !== "dense" || neuron?.kind !== "neuron") {
      throw new DeploymentError(
        target,
        "topology",
        `expected dense → spiking population pairs; found '${dense?.id}' (${dense?.kind}) followed by '${neuron?.id ?? "nothing"}'. Supported: input → (dense → neuron)* → output.`,
      );
    }
    if (!neuron.spiking) {
      throw new DeploymentError(
        target,
        "neuronModel",
        `population '${neuron.id}' uses the rate model '${neuron.resolved.model.name}'; cores host spiking neurons only`,
      );
    }
    stages.push({ dense, neuron });
    i++;
  }
  return stages;
}

const fusedReset = (name: string): "subtract" | "zero" | "none" | undefined =>
  name === "subtract" || name === "zero" || name === "none" ? name : undefined;

/** Builds a float32 population for `stage` (the fused LIF when it applies, else the model's own step). */
export function floatPopulation(stage: Stage, hostFed: boolean): Population {
  const { dense, neuron } = stage;
  const weights = hostFed ? new Float32Array(0) : byPresynaptic(dense.weight, dense.outFeatures, dense.inFeatures);
  const reset = fusedReset(neuron.resolved.resetName);
  if (neuron.resolved.model.name === "lif" && reset) {
    return new FloatLifPopulation(
      neuron.id,
      neuron.size,
      dense.inFeatures,
      weights,
      dense.bias,
      neuron.params.beta as Float32Array,
      neuron.params.threshold as Float32Array,
      reset,
      mlasSliceK(dense.outFeatures, dense.inFeatures),
    );
  }
  return new GenericPopulation(neuron.id, neuron.size, dense.inFeatures, weights, dense.bias, neuron.resolved, neuron.params);
}

/** The float emulator of `chain` with the off-chip layer from `makeHost` (default: plain JavaScript). */
export function floatEmulator(chain: Chain, host?: (dense: DenseLayer) => HostInput): EventDrivenEmulator {
  const stages = stagesOf(chain, "the event-driven emulator");
  const hostFed = !chain.encoder.emitsSpikes;
  const first = stages[0] as Stage;
  const input = hostFed ? (host ?? ((d: DenseLayer) => new JsHostLayer(d)))(first.dense) : undefined;
  return new EventDrivenEmulator({
    chain,
    ...(input ? { host: input } : {}),
    populations: stages.map((st, i) => floatPopulation(st, hostFed && i === 0)),
  });
}
