import { describe, expect, it } from "vitest";
import type { NeuronModel } from "./neuron-model.js";
import type { NeuronPlanLayer } from "./plan.js";
import { createRandom } from "./random.js";
import { simulatePopulation } from "./reference.js";
import { createRuntime } from "./runtime.js";
import { sequentialSpec } from "./spec.js";
import { compileStep, traceStep } from "./step-compiler.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A two-state model using most ops: a LIF with a decaying, spike-triggered threshold and an exponential drive. */
const tracer: NeuronModel = {
  name: "test-tracer",
  description: "test model",
  dynamics: "spiking",
  params: [
    { name: "beta", type: "number", default: 0.9, min: 0, max: 1, unit: "1", perNeuron: true, learnable: true, description: "decay" },
    { name: "threshold", type: "number", default: 1, min: 0, unit: "1", perNeuron: true, description: "θ" },
  ],
  state: [
    { name: "v", description: "membrane", initial: 0 },
    { name: "a", description: "adaptation", initial: 0.1 },
  ],
  updateCost: { multiplies: 3, adds: 3, compares: 1 },
  step(ops, input, state, params, context) {
    const p = params as Record<"beta" | "threshold", NonNullable<(typeof params)["beta"]>>;
    const v0 = state.v as NonNullable<typeof state.v>;
    const a = state.a as NonNullable<typeof state.a>;
    const drive = ops.add(input, ops.mul(ops.scalar(0.05), ops.exp(ops.minimum(v0, ops.scalar(0.5)))));
    const v = ops.add(ops.mul(p.beta, v0), drive);
    const theta = ops.add(p.threshold, ops.abs(a));
    const spikes = ops.spike(ops.sub(v, theta), context.surrogate);
    const s = ops.stopGradient(spikes);
    const aNext = ops.where(ops.greater(s, ops.scalar(0.5)), ops.add(a, ops.scalar(0.2)), ops.mul(a, ops.scalar(0.8)));
    return { output: spikes, state: { v: context.reset.apply(ops, v, s, theta), a: ops.maximum(aNext, ops.scalar(0)) } };
  },
};

/** A smooth rate model with a learnable parameter: y = g·log(1 + e^x)/(1 + x²)·sigmoid(x). */
const smooth: NeuronModel = {
  name: "test-smooth",
  description: "test model",
  dynamics: "rate",
  params: [{ name: "g", type: "number", default: 1.3, unit: "1", perNeuron: true, learnable: true, description: "gain" }],
  state: [],
  updateCost: { multiplies: 3, adds: 2, compares: 0 },
  step(ops, x, _state, params) {
    const g = params.g as NonNullable<(typeof params)["g"]>;
    const soft = ops.log(ops.add(ops.scalar(1), ops.exp(x)));
    const y = ops.div(ops.mul(g, soft), ops.add(ops.scalar(1), ops.mul(x, x)));
    return { output: ops.mul(y, ops.sigmoid(x)), state: {} };
  },
};

const runtime = createRuntime({
  plugins: [{ name: "test-models", register: (r) => (r.neuronModel(tracer), r.neuronModel(smooth)) }],
  seed: 3,
});

function layerOf(model: string, size: number, timeSteps: number, extra: Record<string, unknown> = {}): NeuronPlanLayer {
  const spec = sequentialSpec({ layers: [4, size], neuron: model, timeSteps, outputNeuron: false, ...extra });
  // The output-less chain: [input, dense, neuron].
  const plan = runtime.plan({
    ...spec,
    nodes: [...spec.nodes.slice(0, 2), { type: "neuron", id: "n", model, size, ...extra }, spec.nodes.at(-1) as never],
  });
  return plan.layers[1] as NeuronPlanLayer;
}

describe("compileStep", () => {
  it("traces the step once: inputs, state, parameters and the ops between them", () => {
    const layer = layerOf("test-tracer", 3, 5);
    const trace = traceStep(tracer, layer);
    expect(trace.states).toEqual(["v", "a"]);
    expect(trace.params).toEqual(["beta", "threshold"]);
    const ops = trace.nodes.flatMap((n) => (n.kind === "op" ? [n.op] : []));
    for (const op of ["exp", "minimum", "abs", "spike", "stop", "where", "greater", "maximum"]) expect(ops).toContain(op);
    // The membrane is what the step handed its reset.
    expect(trace.membrane).toBeDefined();
  });

  for (const reset of ["subtract", "zero", "none"]) {
    it(`gives the reference arrays' spikes and membrane bit for bit (reset ${reset}, static and per-step input)`, () => {
      const N = 7;
      const B = 3;
      const T = 40;
      const layer = layerOf("test-tracer", N, T, { reset });
      const compiled = compileStep(layer);
      if ("reason" in compiled) throw new Error(compiled.reason);
      const rng = createRandom(11);
      const temporal = Float32Array.from({ length: T * B * N }, () => rng.uniform(-0.5, 1.5));
      const reference = simulatePopulation(layer.node, tracer, runtime, temporal, T, B);
      const f = compiled.sequence.forward({ data: temporal, rows: T * B, cols: N, temporal: true }, B, layer.params, {
        keepMembrane: true,
      });
      expect(bits(f.output.data)).toEqual(bits(reference.outputs));
      expect(reference.outputs.reduce((s, v) => s + v, 0)).toBeGreaterThan(20);
      // Static input: the same frame every step.
      const frame = temporal.subarray(0, B * N);
      const repeated = new Float32Array(T * B * N);
      for (let t = 0; t < T; t++) repeated.set(frame, t * B * N);
      const staticRef = simulatePopulation(layer.node, tracer, runtime, repeated, T, B);
      const g = compiled.sequence.forward({ data: frame, rows: B, cols: N, temporal: false }, B, layer.params);
      expect(bits(g.output.data)).toEqual(bits(staticRef.outputs));
      // The infer kernel: the same outputs, counted.
      const run = compiled.infer.run({ data: temporal, rows: T * B, cols: N, temporal: true }, B, layer.params);
      expect(bits(run.output.data)).toEqual(bits(reference.outputs));
      const events = reference.outputs.reduce((s, v) => s + v, 0);
      expect(run.counts.perStep.reduce((s, v) => s + v, 0)).toBe(events);
      expect(run.counts.perStep).toHaveLength(T);
    });
  }

  it("emulates a population tick by tick with the reference arrays' spikes (host-fed)", () => {
    const N = 9;
    const T = 30;
    const layer = layerOf("test-tracer", N, T);
    const compiled = compileStep(layer);
    if ("reason" in compiled) throw new Error(compiled.reason);
    const rng = createRandom(4);
    const input = Float32Array.from({ length: T * N }, () => rng.uniform(-0.5, 1.5));
    const reference = simulatePopulation(layer.node, tracer, runtime, input, T, 1);
    const population = compiled.population.create({ fanIn: 1, weights: new Float32Array(0), sliceK: 128 });
    const spikes = new Float32Array(T * N);
    const out = new Int32Array(N);
    for (let round = 0; round < 2; round++) {
      population.reset();
      spikes.fill(0);
      for (let t = 0; t < T; t++) {
        population.begin();
        population.setHost(input.subarray(t * N, (t + 1) * N));
        const r = population.update(out);
        for (let e = 0; e < r.spikes; e++) spikes[t * N + (out[e] as number)] = 1;
      }
      expect(bits(spikes)).toEqual(bits(reference.outputs));
    }
  });

  it("differentiates a rate model: d input and d parameter against central differences", () => {
    const N = 5;
    const B = 2;
    const layer = layerOf("test-smooth", N, 1, { learn: ["g"] });
    const compiled = compileStep(layer);
    if ("reason" in compiled) throw new Error(compiled.reason);
    const rng = createRandom(2);
    const x = Float32Array.from({ length: B * N }, () => rng.uniform(-2, 2));
    const r = Float32Array.from({ length: B * N }, () => rng.uniform(-1, 1));
    const g = Float32Array.from({ length: N }, () => rng.uniform(0.5, 2));
    const loss = (xs: Float32Array, gs: Float32Array) => {
      const y = compiled.sequence.forward({ data: xs, rows: B, cols: N, temporal: false }, B, { g: gs }).output.data;
      return y.reduce((s, v, i) => s + v * (r[i] as number), 0);
    };
    const f = compiled.sequence.forward({ data: x, rows: B, cols: N, temporal: false }, B, { g });
    const back = compiled.sequence.backward(f, r, ["g"]);
    const h = 1e-2;
    for (let i = 0; i < B * N; i++) {
      const plus = Float32Array.from(x);
      const minus = Float32Array.from(x);
      plus[i] = (x[i] as number) + h;
      minus[i] = (x[i] as number) - h;
      expect(back.dInput[i]).toBeCloseTo((loss(plus, g) - loss(minus, g)) / (2 * h), 2);
    }
    for (let n = 0; n < N; n++) {
      const plus = Float32Array.from(g);
      const minus = Float32Array.from(g);
      plus[n] = (g[n] as number) + h;
      minus[n] = (g[n] as number) - h;
      expect(back.dParams.g?.[n]).toBeCloseTo((loss(x, plus) - loss(x, minus)) / (2 * h), 2);
    }
  });

  it("refuses a backward whose transient forward was overwritten", () => {
    const layer = layerOf("test-tracer", 4, 6);
    const compiled = compileStep(layer);
    if ("reason" in compiled) throw new Error(compiled.reason);
    const input = { data: new Float32Array(2 * 4).fill(0.7), rows: 2, cols: 4, temporal: false };
    const first = compiled.sequence.forward(input, 2, layer.params, { transient: true });
    compiled.sequence.forward(input, 2, layer.params, { transient: true });
    expect(() => compiled.sequence.backward(first, new Float32Array(6 * 2 * 4), [])).toThrow(/overwritten by a later one/);
  });

  it("declines a step that computes outside its ops, naming the model", () => {
    const sneaky: NeuronModel = {
      ...smooth,
      name: "test-sneaky",
      step: (_ops, x) => ({ output: (x instanceof Float32Array ? x.map((v) => 2 * v) : new Float32Array(1)) as typeof x, state: {} }),
    };
    const rt = createRuntime({ plugins: [{ name: "sneaky", register: (r) => r.neuronModel(sneaky) }] });
    const spec = sequentialSpec({ layers: [4, 3], neuron: "test-sneaky", outputNeuron: false });
    const plan = rt.plan({
      ...spec,
      nodes: [...spec.nodes.slice(0, 2), { type: "neuron", id: "n", model: "test-sneaky", size: 3 }, spec.nodes.at(-1) as never],
    });
    const compiled = compileStep(plan.layers[1] as NeuronPlanLayer);
    expect("reason" in compiled && compiled.reason).toMatch(/model 'test-sneaky'/);
  });
});
