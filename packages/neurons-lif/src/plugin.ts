/**
 * The `@neurobridge/neurons-lif` plugin: registers the discrete LIF network
 * neuron (`lif`) with its kernels, and the activation-fit rate neurons.
 */
import type { NeuroBridgePlugin } from "@neurobridge/core";
import { activationFitModels } from "./network/activation-models.js";
import { lifKernels } from "./network/lif-kernels.js";
import { lifModel } from "./network/lif-model.js";

/** Registers the LIF neuron models of this package, and the LIF's kernels, into a runtime. */
export const lifPlugin: NeuroBridgePlugin = {
  name: "@neurobridge/neurons-lif",
  version: "0.1.0",
  description:
    "Leaky integrate-and-fire neurons: the discrete LIF for SNNs (with sequence, infer, population and Loihi kernels) and activation-fit rate neurons (relu-fit, sigmoid-fit, lif-rate).",
  // Worker threads and other processes import it from here.
  source: { module: import.meta.url, export: "lifPlugin" },
  register(r) {
    r.neuronModel(lifModel);
    for (const model of activationFitModels) r.neuronModel(model);
    for (const kernel of lifKernels) r.kernel(kernel);
  },
};
