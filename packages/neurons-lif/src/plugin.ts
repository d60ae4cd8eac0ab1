/**
 * The `@neurobridge/neurons-lif` plugin: registers the discrete LIF network
 * neuron (`lif`) with its kernels, and the activation-fit rate neurons.
 */
import type { KernelRegistration, NeuroBridgePlugin } from "@neurobridge/core";
import { activationFitModels } from "./network/activation-models.js";
import { adaptiveLif, alifSequenceKernel } from "./network/alif.js";
import { cubaLifKernels, cubaLifModel } from "./network/cuba-lif.js";
import { exponentialModels } from "./network/exponential-models.js";
import { lifKernels } from "./network/lif-kernels.js";
import { lifModel } from "./network/lif-model.js";

/** Registers the LIF neuron models of this package, and the LIF's kernels, into a runtime. */
export const lifPlugin: NeuroBridgePlugin = {
  name: "@neurobridge/neurons-lif",
  version: "0.1.0",
  description:
    "Leaky integrate-and-fire neurons: the discrete LIF (with sequence, infer, population and Loihi kernels), the adaptive-threshold ALIF and the synaptic-current CUBA-LIF with their kernels, discrete EIF/AdEx and the reset-to-v_reset LIF, and activation-fit rate neurons (relu-fit, sigmoid-fit, lif-rate).",
  // Worker threads and other processes import it from here.
  source: { module: import.meta.url, export: "lifPlugin" },
  register(r) {
    r.neuronModel(lifModel);
    r.neuronModel(adaptiveLif);
    r.neuronModel(cubaLifModel);
    for (const model of exponentialModels) r.neuronModel(model);
    for (const model of activationFitModels) r.neuronModel(model);
    for (const kernel of [...lifKernels, alifSequenceKernel as KernelRegistration, ...cubaLifKernels]) r.kernel(kernel);
  },
};
