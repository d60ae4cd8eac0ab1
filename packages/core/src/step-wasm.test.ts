import { describe, expect, it } from "vitest";
import type { NeuronModel } from "./neuron-model.js";
import type { NeuronPlanLayer } from "./plan.js";
import { createRandom } from "./random.js";
import { createRuntime } from "./runtime.js";
import { sequentialSpec } from "./spec.js";
import { compileStep } from "./step-compiler.js";
import type { TensorOps } from "./tensor-ops.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

type P = "beta" | "theta" | "g";
/** A spiking model whose step uses every traceable op, so each lowering rule runs forward and backward. */
const everyOp: NeuronModel = {
  name: "test-every-op",
  description: "test model",
  dynamics: "spiking",
  params: [
    { name: "beta", type: "number", default: 0.9, min: 0, max: 1, unit: "1", perNeuron: true, learnable: true, description: "decay" },
    { name: "theta", type: "number", default: 1, min: 0, unit: "1", perNeuron: true, learnable: true, description: "threshold" },
    { name: "g", type: "number", default: 0.7, unit: "1", perNeuron: true, learnable: true, description: "gain" },
  ],
  state: [
    { name: "v", description: "membrane", initial: 0 },
    { name: "a", description: "adaptation", initial: 0.25 },
  ],
  updateCost: { multiplies: 8, adds: 8, compares: 3 },
  step<T>(
    ops: TensorOps<T>,
    x: T,
    state: Readonly<Record<string, T>>,
    params: Readonly<Partial<Record<string, T>>>,
    context: Parameters<NeuronModel["step"]>[4],
  ) {
    const p = params as Record<P, T>;
    const v0 = state.v as T;
    const a0 = state.a as T;
    const soft = ops.log(ops.add(ops.scalar(1), ops.exp(ops.minimum(x, ops.scalar(4)))));
    const drive = ops.div(ops.mul(p.g, soft), ops.add(ops.scalar(1), ops.abs(a0)));
    const v = ops.sub(ops.add(ops.mul(p.beta, v0), drive), ops.mul(ops.scalar(0.1), ops.sigmoid(ops.neg(v0))));
    const threshold = ops.add(p.theta, ops.relu(a0));
    const s = ops.spike(ops.sub(v, threshold), context.surrogate);
    const fired = ops.greater(ops.stopGradient(s), ops.scalar(0.5));
    // A blended mask too: where's non-0/1 branch.
    const blend = ops.mul(ops.scalar(0.5), ops.sigmoid(a0));
    const a = ops.where(fired, ops.add(a0, ops.scalar(0.2)), ops.where(blend, ops.mul(a0, ops.scalar(0.8)), a0));
    return { output: s, state: { v: context.reset.apply(ops, v, s, threshold), a: ops.maximum(a, ops.scalar(-0.5)) } };
  },
};

const runtime = createRuntime({ plugins: [{ name: "test", register: (r) => r.neuronModel(everyOp) }], seed: 1 });

function layerOf(size: number, timeSteps: number, extra: Record<string, unknown>): NeuronPlanLayer {
  const spec = sequentialSpec({ layers: [4, size], neuron: everyOp.name, timeSteps, outputNeuron: false });
  const plan = runtime.plan({
    ...spec,
    nodes: [...spec.nodes.slice(0, 2), { type: "neuron", id: "n", model: everyOp.name, size, ...extra }, spec.nodes.at(-1) as never],
  });
  return plan.layers[1] as NeuronPlanLayer;
}

describe("the step compiler's wasm lowering", () => {
  for (const [reset, surrogate] of [
    ["subtract", "fast-sigmoid"],
    ["zero", "atan"],
    ["none", "triangle"],
  ] as const) {
    it(`gives the JavaScript lowering's bits forward and backward (reset ${reset}, ${surrogate})`, () => {
      const N = 13; // not a multiple of 4 or 8: the neuron index wraps mid-row
      const B = 3;
      const T = 30;
      const layer = layerOf(N, T, { reset, surrogate: { name: surrogate }, learn: ["beta", "theta", "g"] });
      const wasm = compileStep(layer);
      const js = compileStep(layer, { lowering: "js" });
      if ("reason" in wasm || "reason" in js) throw new Error("not compiled");
      expect(wasm.sequence.runsOn).toBe("wasm");
      expect(js.sequence.runsOn).toBe("js");
      const rng = createRandom(5);
      const params = Object.fromEntries(
        Object.entries(layer.params).map(([k, v]) => [k, Float32Array.from(v as Float32Array, (x) => x * rng.uniform(0.6, 1.4))]),
      );
      for (const temporal of [true, false]) {
        const rows = temporal ? T * B : B;
        const data = Float32Array.from({ length: rows * N }, () => rng.uniform(-1, 3));
        const input = { data, rows, cols: N, temporal };
        const fw = wasm.sequence.forward(input, B, params, { keepMembrane: true });
        const fj = js.sequence.forward(input, B, params, { keepMembrane: true });
        expect(bits(fw.output.data)).toEqual(bits(fj.output.data));
        expect(bits(fw.membrane as Float32Array)).toEqual(bits(fj.membrane as Float32Array));
        const events = fj.output.data.reduce((s, v) => s + v, 0);
        expect(events).toBeGreaterThan(20);
        expect(events).toBeLessThan(0.9 * T * B * N);
        const dOut = Float32Array.from({ length: T * B * N }, () => rng.uniform(-1, 1));
        const dMem = Float32Array.from({ length: T * B * N }, () => rng.uniform(-0.1, 0.1));
        const bw = wasm.sequence.backward(fw, dOut, ["beta", "theta", "g"], dMem);
        const bj = js.sequence.backward(fj, dOut, ["beta", "theta", "g"], dMem);
        expect(wasm.sequence.runsOn).toBe("wasm"); // the backward assembled too
        expect(bits(bw.dInput)).toEqual(bits(bj.dInput));
        expect(bj.dInput.some((v) => v !== 0)).toBe(true);
        for (const name of ["beta", "theta", "g"]) {
          expect(bits(bw.dParams[name] as Float32Array)).toEqual(bits(bj.dParams[name] as Float32Array));
          expect(bj.dParams[name]?.some((v) => v !== 0)).toBe(true);
        }
        const iw = wasm.infer.run(input, B, params);
        const ij = js.infer.run(input, B, params);
        expect(bits(iw.output.data)).toEqual(bits(ij.output.data));
        expect(Array.from(iw.counts.perStep)).toEqual(Array.from(ij.counts.perStep));
        expect(Array.from(iw.counts.everActive)).toEqual(Array.from(ij.counts.everActive));
      }
    });
  }

  it("keeps a population's state across ticks, as the JavaScript lowering does", () => {
    const N = 6;
    const layer = layerOf(N, 20, {});
    const run = (lowering: "wasm" | "js") => {
      const compiled = compileStep(layer, { lowering });
      if ("reason" in compiled) throw new Error(compiled.reason);
      const population = compiled.population.create({ fanIn: 1, weights: new Float32Array(0), sliceK: 128 });
      const rng = createRandom(9);
      const out = new Int32Array(N);
      const spikes: number[] = [];
      for (let t = 0; t < 40; t++) {
        population.begin();
        population.setHost(Float32Array.from({ length: N }, () => rng.uniform(0, 1.5)));
        const r = population.update(out);
        spikes.push(...out.subarray(0, r.spikes), -1);
      }
      return spikes;
    };
    const wasm = run("wasm");
    expect(wasm.filter((s) => s >= 0).length).toBeGreaterThan(10);
    expect(wasm).toEqual(run("js"));
  });
});
