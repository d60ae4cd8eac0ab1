/**
 * The `@neurobridge/neurons-lif` plugin: registers the discrete LIF network
 * neuron (`lif`).
 */
import type { NeuroBridgePlugin } from "@neurobridge/core";
import { lifModel } from "./network/lif-model.js";

/** Registers the LIF neuron models of this package into a runtime. */
export const lifPlugin: NeuroBridgePlugin = {
  name: "@neurobridge/neurons-lif",
  version: "0.1.0",
  description: "Leaky integrate-and-fire neurons: the discrete LIF for SNNs.",
  register(r) {
    r.neuronModel(lifModel);
  },
};
