import { describe, expect, it } from "vitest";
import type { Backend, CompiledNetwork, Dataset, Evaluation, Trainer } from "./backend.js";
import { checkDataFits, checkInputFits } from "./data-fit.js";
import { createRuntime, type NeuroBridgePlugin } from "./runtime.js";
import { paperFfnn } from "./test-support/fixtures.js";

const dataset = (count: number, features: number, classes: number): Dataset => ({
  inputs: new Float32Array(count * features),
  labels: new Uint8Array(count),
  count,
  features,
  classes,
});

/**
 * A plugin backend that answers without looking at the data, as a careless
 * third-party backend would: the runtime's guard must stop bad data before it.
 */
function carelessBackendPlugin(calls: string[]): NeuroBridgePlugin {
  const evaluation = { accuracy: 0.098 } as unknown as Evaluation;
  return {
    name: "careless-backend",
    register: (r) =>
      r.backend({
        name: "careless",
        description: "answers whatever it is given",
        capabilities: { train: true, eventDriven: false, precisions: ["float32"] },
        create: (): Backend => ({
          name: "careless",
          description: "",
          capabilities: { train: true, eventDriven: false, precisions: ["float32"] },
          check: () => ({ fits: true, issues: [] }),
          evaluate: async () => {
            calls.push("evaluate");
            return evaluation;
          },
          compile: async (plan) =>
            ({
              spec: plan.spec,
              plan,
              run: async () => {
                calls.push("run");
                return {} as never;
              },
              dispose() {},
            }) satisfies CompiledNetwork,
          createTrainer: async (plan) =>
            ({
              plan,
              evaluate: async () => {
                calls.push("trainer.evaluate");
                return evaluation;
              },
              fit: async () => {
                calls.push("fit");
                return {} as never;
              },
            }) as unknown as Trainer,
        }),
      }),
  };
}

describe("data fits the network", () => {
  const runtime = createRuntime();
  const plan = runtime.plan(paperFfnn());

  it("names both sizes when the features or classes do not fit, and the arrays when they disagree", () => {
    expect(() => checkDataFits(plan, dataset(3, 784, 10), "test")).not.toThrow();
    expect(() => checkDataFits(plan, dataset(3, 100, 10), "test")).toThrow(
      "test: examples have 100 features; the network's input takes 784",
    );
    expect(() => checkDataFits(plan, dataset(3, 784, 11), "test")).toThrow("test: has 11 classes; the network's output has 10");
    expect(() => checkDataFits(plan, { ...dataset(3, 784, 10), count: 4 }, "test")).toThrow(
      /need 3136 inputs and 4 labels; it has 2352 and 3/,
    );
  });

  it("accepts [batch, F] and [T, batch, F] inputs and nothing else", () => {
    const T = plan.timeSteps;
    expect(() => checkInputFits(plan, new Float32Array(2 * 784), 2)).not.toThrow();
    expect(() => checkInputFits(plan, new Float32Array(T * 2 * 784), 2)).not.toThrow();
    expect(() => checkInputFits(plan, new Float32Array(784), 2)).toThrow(
      /input of 784 values is not 2 samples of the network's 784 inputs/,
    );
    expect(() => checkInputFits(plan, new Float32Array(784), 0)).toThrow(/batch must be a positive integer/);
  });

  it("guards every data entry point of every backend the runtime hands out, a plugin's included", async () => {
    const calls: string[] = [];
    const rt = createRuntime({ plugins: [carelessBackendPlugin(calls)] });
    const p = rt.plan(paperFfnn());
    const backend = await rt.backend("careless");
    const wrong = dataset(5, 1, 10);
    await expect(backend.evaluate(p, wrong)).rejects.toThrow(/examples have 1 features; the network's input takes 784/);
    const network = await backend.compile(p);
    await expect(network.run(new Float32Array(5), 5)).rejects.toThrow(/is not 5 samples of the network's 784 inputs/);
    const trainer = await (backend.createTrainer as NonNullable<Backend["createTrainer"]>)(p, {});
    await expect(trainer.evaluate(wrong)).rejects.toThrow(/examples have 1 features/);
    await expect(trainer.fit({ train: wrong, epochs: 1, batchSize: 1, learningRate: 1e-3 })).rejects.toThrow(/train: examples have 1/);
    expect(calls).toEqual([]);
    // Data that fits reaches the backend, and the backend's own properties are its own.
    expect((await backend.evaluate(p, dataset(5, 784, 10))).accuracy).toBe(0.098);
    await network.run(new Float32Array(5 * 784), 5);
    expect(calls).toEqual(["evaluate", "run"]);
    expect(backend.name).toBe("careless");
    expect(backend.check(p)).toEqual({ fits: true, issues: [] });
  });
});
