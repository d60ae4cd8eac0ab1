export * from "./alif-neuron.js";
export { integrateAndFire } from "./if-neuron.js";
export { default, plugin } from "./plugin.js";
