import { describe, expect, it } from "vitest";
import { countOps } from "./ops.js";
import { createRuntime } from "./runtime.js";
import { sequentialSpec } from "./spec.js";
import { leakyTestPlugin, paperFfnn, paperSnn } from "./test-support/fixtures.js";
import { parameterCount } from "./weights.js";

const runtime = createRuntime({ plugins: [leakyTestPlugin] });

describe("op counting (DESIGN.md definitions)", () => {
  it("counts the paper's FFNN: 268,800 MACs, 537,600 FLOPs, 269,322 parameters", () => {
    const spec = paperFfnn();
    const ops = runtime.countOps(spec);
    expect(ops.macs).toBe(268_800);
    expect(ops.flops).toBe(537_600);
    expect(ops.accumulates).toBe(0);
    expect(ops.biasAdds).toBe(522);
    expect(ops.neuronUpdates).toBe(512);
    expect(parameterCount(spec)).toBe(269_322);
    expect(ops.layers.map((l) => l.macs)).toEqual([200_704, 65_536, 2_560]);
  });

  it("counts a direct-input SNN's first layer as MACs once per sample and the rest from spikes", () => {
    const spec = paperSnn();
    const ops = runtime.countOps(spec, { fc2: 1000, fc3: 400 });
    expect(ops.layers[0]).toMatchObject({ input: "real", macs: 200_704, accumulates: 0 });
    expect(ops.layers[1]).toMatchObject({ input: "spikes", accumulates: 1000 * 256, inputEvents: 1000 });
    expect(ops.layers[2]).toMatchObject({ input: "spikes", accumulates: 400 * 10 });
    expect(ops.neuronUpdates).toBe((256 + 256 + 10) * 25);
    expect(ops.flops).toBe(2 * 200_704);
  });

  it("counts the first layer every step when the backend does not reuse it", () => {
    const spec = paperSnn();
    const ops = countOps(spec, {
      dynamicsOf: () => "spiking",
      encoder: { timeInvariant: true, emitsSpikes: false },
      reuseTimeInvariantInput: false,
    });
    expect(ops.layers[0]?.macs).toBe(200_704 * 25);
  });

  it("counts a rate-encoded first layer as accumulates, at the dense upper bound without measurements", () => {
    const spec = { ...paperSnn(), encoder: { name: "rate" } };
    const ops = runtime.countOps(spec);
    expect(ops.macs).toBe(0);
    expect(ops.layers[0]).toMatchObject({ input: "spikes", accumulates: 784 * 25 * 256 });
  });

  it("counts parameters without biases", () => {
    expect(parameterCount(sequentialSpec({ layers: [4, 3], neuron: "relu", bias: false }))).toBe(12);
  });
});
