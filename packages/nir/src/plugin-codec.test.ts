import "reflect-metadata";
import { createRuntime, initWeights, type NeuroBridgePlugin, sequentialSpec } from "@neurobridge/core";
import { lifModel, lifPlugin } from "@neurobridge/neurons-lif";
import { describe, expect, it } from "vitest";
import { type NirNeuronCodec, nirPlugin, readNir, tensor, writeNir } from "./index.js";

/**
 * A plugin's own NIR node type, outside NIR 1.0 ("RF"): what its codec writes,
 * the reader must hand back to it rather than refuse the type up front.
 */
const rfCodec: NirNeuronCodec = {
  reads: ["RF"],
  write: (layer) => ({
    node: {
      type: "RF",
      fields: {
        beta: tensor(layer.params.beta as Float32Array, [layer.size], "f32"),
        threshold: tensor(layer.params.threshold as Float32Array, [layer.size], "f32"),
      },
      metadata: {},
    },
    warnings: [],
  }),
  read: (node) => {
    const beta = node.fields.beta;
    const threshold = node.fields.threshold;
    if (typeof beta !== "object" || typeof threshold !== "object") return { reason: "RF needs beta and threshold" };
    return { params: { beta: [...beta.data], threshold: [...threshold.data] }, warnings: [] };
  },
};

const rfPlugin: NeuroBridgePlugin = {
  name: "rf-test-plugin",
  register: (r) => {
    r.neuronModel({ ...lifModel, name: "rf", description: "a LIF under another name, written as NIR type RF" });
    r.codec({ model: "rf", format: "nir", description: "RF nodes", codec: rfCodec });
  },
};

describe("a plugin's NIR codec", () => {
  it("reads back the node type it writes, though NIR 1.0 does not define it", async () => {
    const runtime = createRuntime({ plugins: [lifPlugin, nirPlugin, rfPlugin], seed: 3 });
    const spec = sequentialSpec({ layers: [6, 4, 3], neuron: "rf", params: { beta: 0.8, threshold: 0.5 }, timeSteps: 5 });
    const weights = initWeights(spec, runtime.random("init"), runtime);
    const written = await writeNir(runtime, runtime.plan(spec, weights));
    expect(Object.values(written.graph.nodes).filter((n) => n.type === "RF")).toHaveLength(2);
    const back = await readNir(runtime, written.bytes);
    expect(Object.values(back.models)).toEqual(["rf", "rf"]);
    const neurons = back.spec.nodes.filter((n) => n.type === "neuron");
    expect(neurons.map((n) => n.type === "neuron" && [n.model, n.params?.beta, n.params?.threshold])).toEqual([
      ["rf", Math.fround(0.8), 0.5],
      ["rf", Math.fround(0.8), 0.5],
    ]);
    // Without the plugin, the reader names the type and how a plugin adds it.
    const without = createRuntime({ plugins: [lifPlugin, nirPlugin] });
    await expect(readNir(without, written.bytes)).rejects.toThrow(
      /NIR type 'RF', which neither NIR 1\.0 nor a registered codec defines .*registrar\.codec/,
    );
  });
});
