/**
 * `@neurobridge/neurons-lif` — the leaky integrate-and-fire neuron: network
 * plugins for SNNs (and, as the LIF-science work lands, the biophysical model,
 * F–I curves, rheobase, non-dimensional form and activation fits).
 *
 * @packageDocumentation
 */
export { discreteBeta, lifModel } from "./network/lif-model.js";
export { lifPlugin } from "./plugin.js";
