export { default, integrateAndFire, plugin } from "./if-neuron.js";
