/**
 * `@neurobridge/neurons-lif` — the leaky integrate-and-fire neuron.
 *
 * - Biophysical LIF with the paper's Table 1 defaults, Euler and exact
 *   integrators, refractory clamp, any input current (`simulateLif`).
 * - Rheobase, analytic and simulated F–I curves under explicit protocols.
 * - The non-dimensional model and conversions both ways.
 * - ReLU / sigmoid / LIF-curve fits with R² (Levenberg–Marquardt).
 * - Network plugins: the discrete LIF (`lif`) with its kernels (`sequence`,
 *   `infer`, `population`, `fixed-point:loihi`) and activation-fit rate neurons.
 *
 * @packageDocumentation
 * @module @neurobridge/neurons-lif
 */
export * from "./biophysical/current.js";
export * from "./biophysical/dimensionless.js";
export * from "./biophysical/fi-curve.js";
export * from "./biophysical/integrator.js";
export * from "./biophysical/parameters.js";
export * from "./biophysical/simulate.js";
export * from "./conversion/ann-to-snn.js";
export * from "./family/analysis.js";
export * from "./family/models.js";
export * from "./family/point-neuron.js";
export * from "./fits/activation-fits.js";
export * from "./fits/range-search.js";
export * from "./network/activation-models.js";
export * from "./network/alif.js";
export * from "./network/cuba-lif.js";
export * from "./network/exponential-models.js";
export * from "./network/lif-kernels.js";
export { discreteBeta, lifModel } from "./network/lif-model.js";
export * from "./network/lif-wasm.js";
export * from "./network/paper-networks.js";
export { lifPlugin } from "./plugin.js";
