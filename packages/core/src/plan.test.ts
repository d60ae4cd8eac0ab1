import { describe, expect, it } from "vitest";
import { NeuroBridgeError } from "./errors.js";
import { bindWeights, planWeights } from "./plan.js";
import { createRuntime } from "./runtime.js";
import { sequentialSpec } from "./spec.js";
import { initWeights } from "./weights.js";

describe("planWeights", () => {
  it("gives back the weights a plan was bound to (bindWeights' inverse), and refuses an unbound plan", () => {
    const runtime = createRuntime({ seed: 3 });
    const spec = sequentialSpec({ layers: [6, 5, 3], neuron: "relu", outputNeuron: false });
    const plan = runtime.plan(spec);
    const weights = initWeights(plan.spec, runtime.random("init"), runtime);
    const read = planWeights(bindWeights(runtime, plan, weights));
    expect(Object.keys(read).sort()).toEqual(Object.keys(weights).sort());
    for (const [name, w] of Object.entries(weights)) {
      expect(read[name]?.shape).toEqual(w.shape);
      expect(Array.from(read[name]?.data ?? [])).toEqual(Array.from(w.data));
    }
    expect(() => planWeights(plan)).toThrow(NeuroBridgeError);
  });
});
