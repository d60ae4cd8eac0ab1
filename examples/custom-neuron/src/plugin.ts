/**
 * The example plugin: the IF and ALIF neuron models and ALIF's `sequence`
 * kernel, registered through the runtime without editing NeuroBridge.
 * `source` tells worker threads where to import it from, so multi-threaded
 * training registers it there too.
 */
import type { NeuroBridgePlugin } from "@neurobridge/core";
import { adaptiveLif, alifSequenceKernel } from "./alif-neuron.js";
import { integrateAndFire } from "./if-neuron.js";

/** The plugin object users pass to `createRuntime({ plugins })` or `neurobridge --plugin`. */
export const plugin: NeuroBridgePlugin = {
  name: "@neurobridge-examples/custom-neuron",
  version: "0.1.0",
  description: "Example: a non-leaky integrate-and-fire neuron and an adaptive-threshold LIF with its own training kernel.",
  source: { module: import.meta.url, export: "plugin" },
  register(registrar) {
    registrar.neuronModel(integrateAndFire);
    registrar.neuronModel(adaptiveLif);
    registrar.kernel(alifSequenceKernel);
  },
};

export default plugin;
