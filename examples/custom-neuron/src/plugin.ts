/**
 * The example plugin: the IF and Izhikevich neuron models and Izhikevich's
 * `sequence` kernel, registered through the runtime without editing
 * NeuroBridge. `source` tells worker threads where to import it from, so
 * multi-threaded training registers it there too.
 */
import type { NeuroBridgePlugin } from "@neurobridge/core";
import { integrateAndFire } from "./if-neuron.js";
import { izhikevich, izhikevichSequenceKernel } from "./izhikevich.js";

/** The plugin object users pass to `createRuntime({ plugins })` or `neurobridge --plugin`. */
export const plugin: NeuroBridgePlugin = {
  name: "@neurobridge-examples/custom-neuron",
  version: "0.1.0",
  description: "Example: a non-leaky integrate-and-fire neuron and Izhikevich's two-state model with its own training kernel.",
  source: { module: import.meta.url, export: "plugin" },
  register(registrar) {
    registrar.neuronModel(integrateAndFire);
    registrar.neuronModel(izhikevich);
    registrar.kernel(izhikevichSequenceKernel);
  },
};

export default plugin;
