export { integrateAndFire } from "./if-neuron.js";
export * from "./izhikevich.js";
export { default, plugin } from "./plugin.js";
