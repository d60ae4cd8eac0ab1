import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { defineNeuronModel, type NeuronModel } from "./neuron-model.js";
import { createRuntime } from "./runtime.js";

/** A correct non-leaky IF neuron, declared through the typed definer. */
const integrateAndFire = defineNeuronModel({
  name: "if-test",
  description: "non-leaky integrate-and-fire",
  dynamics: "spiking",
  params: [
    { name: "threshold", type: "number", default: 1, min: 0, exclusiveMin: true, perNeuron: true, description: "θ" },
    { name: "mode", type: "enum", default: "plain", values: ["plain"], description: "an option, not a tensor" },
  ],
  state: [{ name: "v", description: "membrane", initial: 0 }],
  updateCost: { multiplies: 0, adds: 1, compares: 1 },
  step(ops, input, state, params, ctx) {
    const v = ops.add(state.v, input);
    const s = ops.spike(ops.sub(v, params.threshold), ctx.surrogate);
    return { output: s, state: { v: ctx.reset.apply(ops, v, ops.stopGradient(s), params.threshold) } };
  },
});

const registering = (model: NeuronModel) => () =>
  createRuntime({ plugins: [{ name: "my-plugin", register: (r) => r.neuronModel(model) }] });

/** The message of the error `fn` throws. */
function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error("expected an error");
}

describe("defineNeuronModel", () => {
  it("gives a model the runtime registers and runs", () => {
    const rt = createRuntime({ plugins: [{ name: "my-plugin", register: (r) => r.neuronModel(integrateAndFire) }] });
    expect(rt.neuronModel("if-test").params.map((p) => p.name)).toEqual(["threshold", "mode"]);
  });

  it("makes a misspelt parameter or state a type error (checked by the type-check of this file)", () => {
    defineNeuronModel({
      ...integrateAndFire,
      params: [{ name: "threshold", type: "number", default: 1, description: "θ" }],
      state: [{ name: "v", description: "membrane", initial: 0 }],
      step(ops, input, state, params) {
        // @ts-expect-error — 'thresh' is not a declared parameter
        const typo = params.thresh;
        // @ts-expect-error — 'u' is not a declared state variable
        const u = state.u;
        void typo;
        void u;
        return { output: ops.sub(input, params.threshold), state: { v: state.v } };
      },
    });
    defineNeuronModel({
      ...integrateAndFire,
      params: [{ name: "threshold", type: "number", default: 1, description: "θ" }],
      state: [
        { name: "v", description: "membrane", initial: 0 },
        { name: "w", description: "adaptation", initial: 0 },
      ],
      // @ts-expect-error — the step forgets the declared state 'w'
      step(ops, input, state) {
        return { output: ops.add(input, state.v), state: { v: state.v } };
      },
    });
    defineNeuronModel({
      ...integrateAndFire,
      params: [{ name: "mode", type: "enum", default: "a", values: ["a"], description: "not numeric" }],
      state: [{ name: "v", description: "membrane", initial: 0 }],
      step(_ops, input, state, params) {
        // @ts-expect-error — enum parameters reach the step as context.options, not as tensors
        void params.mode;
        return { output: input, state: { v: state.v } };
      },
    });
    expect(true).toBe(true);
  });
});

describe("registration checks the model", () => {
  it("refuses a default outside its own range, naming the model, plugin and field", () => {
    const bad = {
      ...integrateAndFire,
      params: [{ name: "threshold", type: "number", default: -1, min: 0, exclusiveMin: true, description: "θ" }],
    } as NeuronModel;
    const error = errorOf(registering(bad));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.code).toBe("MODEL_INVALID");
    expect(error.message).toContain("neuron model 'if-test' registered by plugin 'my-plugin'");
    expect(error.message).toContain("params.threshold.default: must be a finite number > 0, got -1");
  });

  it("refuses a step that drops a declared state variable, or returns an undeclared one", () => {
    const forgetful: NeuronModel = {
      ...integrateAndFire,
      state: [...integrateAndFire.state, { name: "trace", description: "declared, never returned", initial: 0 }],
    };
    expect(errorOf(registering(forgetful)).message).toMatch(
      /step\.state\.trace: is declared but the step does not return it \(returned: \[v\]\)/,
    );
    const extra: NeuronModel = {
      ...integrateAndFire,
      step: (ops, input, state, params, ctx) => ({
        ...integrateAndFire.step(ops, input, state, params, ctx),
        state: { v: input, z: input },
      }),
    };
    expect(errorOf(registering(extra)).message).toMatch(/step\.state\.z: is returned but not declared; declared: \[v\]/);
  });

  it("refuses wrong shapes, graded spikes, a step that throws, and a malformed declaration — all at once", () => {
    const wrongShape: NeuronModel = {
      ...integrateAndFire,
      step: (ops, input, state, params, ctx) => {
        const r = integrateAndFire.step(ops, input, state, params, ctx);
        return { output: r.output, state: { v: (r.state.v as unknown as Float32Array).subarray(1) as never } };
      },
    };
    expect(errorOf(registering(wrongShape)).message).toMatch(/step\.state\.v: must be a finite \[2, 3\] tensor/);
    const graded: NeuronModel = { ...integrateAndFire, step: (_ops, input, state) => ({ output: input, state }) };
    expect(errorOf(registering(graded)).message).toMatch(/step\.output: a spiking model's output must be 0 or 1/);
    const throws: NeuronModel = {
      ...integrateAndFire,
      step: () => {
        throw new Error("boom");
      },
    };
    expect(errorOf(registering(throws)).message).toMatch(/step: threw on default parameters: boom/);
    const malformed = {
      ...integrateAndFire,
      dynamics: "bursting",
      updateCost: { multiplies: 1, adds: -1, compares: 1 },
      state: [
        { name: "v", description: "", initial: 0 },
        { name: "v", description: "", initial: Number.NaN },
      ],
    } as unknown as NeuronModel;
    const message = errorOf(registering(malformed)).message;
    expect(message).toContain("dynamics: must be 'spiking' or 'rate', got bursting");
    expect(message).toContain("updateCost.adds: must be a number ≥ 0");
    expect(message).toContain("state[1].name: 'v' is declared twice");
    expect(message).toContain("state.v.initial: must be a finite number, got NaN");
  });

  it("refuses a rate model with state", () => {
    const stateful = { ...integrateAndFire, dynamics: "rate" } as NeuronModel;
    expect(errorOf(registering(stateful)).message).toContain("state: a rate model is stateless");
  });
});
