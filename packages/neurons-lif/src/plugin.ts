/**
 * The `@neurobridge/neurons-lif` plugin: registers the discrete LIF network
 * neuron (`lif`).
 */
import type { NeuroBridgePlugin } from "@neurobridge/core";
import { activationFitModels } from "./network/activation-models.js";
import { lifModel } from "./network/lif-model.js";

/** Registers the LIF neuron models of this package into a runtime. */
export const lifPlugin: NeuroBridgePlugin = {
  name: "@neurobridge/neurons-lif",
  version: "0.1.0",
  description:
    "Leaky integrate-and-fire neurons: the discrete LIF for SNNs and activation-fit rate neurons (relu-fit, sigmoid-fit, lif-rate).",
  register(r) {
    r.neuronModel(lifModel);
    for (const model of activationFitModels) r.neuronModel(model);
  },
};
