/**
 * Benchmark: the step compiler's two lowerings (generated wasm SIMD, the
 * default, and generated JavaScript, the fallback) on the LIF family's
 * members, at the paper's layer shape (batch 128 × 256 neurons × T 25).
 * Prints ns per neuron-step for the training forward, its BPTT backward and
 * inference, and how many times faster wasm is.
 */
import { cpus } from "node:os";
import { compileStep, createRuntime, type NeuronPlanLayer, sequentialSpec } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { alignedTable, measure } from "../bench.js";

const B = 128;
const N = 256;
const T = 25;
const E = T * B * N;
const runtime = createRuntime({ plugins: [lifPlugin], seed: 1 });
// Inputs spread over [0, 2.5): every model fires at a realistic density.
const data = Float32Array.from({ length: E }, (_, i) => ((i * 7919) % 1000) / 400);
const input = { data, rows: T * B, cols: N, temporal: true };
const dOut = new Float32Array(E).fill(0.01);

function layerOf(model: string): NeuronPlanLayer {
  const spec = sequentialSpec({ layers: [4, N], neuron: model, timeSteps: T, outputNeuron: false });
  const plan = runtime.plan({
    ...spec,
    nodes: [...spec.nodes.slice(0, 2), { type: "neuron", id: "n", model, size: N }, spec.nodes.at(-1) as never],
  });
  return plan.layers[1] as NeuronPlanLayer;
}

const nsPer = (ms: number) => ((ms * 1e6) / E).toFixed(2);
const body: string[][] = [];
const json: Record<string, { jsMs: object; wasmMs: object }> = {};
for (const model of ["lif-refractory", "lif-vreset", "eif", "adex"]) {
  const layer = layerOf(model);
  const times: Record<string, { forward: number; backward: number; infer: number }> = {};
  for (const lowering of ["js", "wasm"] as const) {
    const compiled = compileStep(layer, { lowering });
    if ("reason" in compiled) throw new Error(`${model} (${lowering}): ${compiled.reason}`);
    let f = compiled.sequence.forward(input, B, layer.params, { transient: true });
    const forward = await measure("forward", () => {
      f = compiled.sequence.forward(input, B, layer.params, { transient: true });
    });
    const backward = await measure("backward", () => compiled.sequence.backward(f, dOut, []));
    const infer = await measure("infer", () => compiled.infer.run(input, B, layer.params, { transient: true }));
    if (compiled.sequence.runsOn !== lowering) throw new Error(`${model}: asked for ${lowering}, ran on ${compiled.sequence.runsOn}`);
    times[lowering] = { forward: forward.medianMs, backward: backward.medianMs, infer: infer.medianMs };
  }
  const js = times.js as { forward: number; backward: number; infer: number };
  const wasm = times.wasm as { forward: number; backward: number; infer: number };
  for (const pass of ["forward", "backward", "infer"] as const) {
    body.push([model, pass, nsPer(js[pass]), nsPer(wasm[pass]), `${(js[pass] / wasm[pass]).toFixed(2)}×`]);
  }
  json[model] = { jsMs: js, wasmMs: wasm };
}
process.stdout.write(
  `${alignedTable(["model", "pass", "js ns/neuron-step", "wasm ns/neuron-step", "wasm × faster"], body)}\n` +
    `(batch ${B} × ${N} neurons × T ${T}; ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, one thread)\n`,
);
process.stdout.write(`RESULT_JSON ${JSON.stringify(json)}\n`);
