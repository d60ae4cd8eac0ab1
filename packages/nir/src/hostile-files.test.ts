import "reflect-metadata";
import { createRuntime, SPEC_LIMITS } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { describe, expect, it } from "vitest";
import { type NirGraph, type NirNode, nirPlugin, readNir, tensor, writeNirGraph } from "./index.js";

const runtime = createRuntime({ plugins: [lifPlugin, nirPlugin] });

/** Input(2) → Affine → LIF → Output, with node names and metadata a hostile file chooses. */
function graph(names: readonly [string, string], nodeMeta: NirGraph["metadata"] = {}, graphMeta: NirGraph["metadata"] = {}): NirGraph {
  const [dense, lif] = names;
  return {
    version: "0.2.0",
    nodes: Object.fromEntries<NirNode>([
      ["input", { type: "Input", fields: { shape: tensor([2], [1], "i64") }, metadata: {} }],
      [dense, { type: "Affine", fields: { weight: tensor([1, 0, 0, 1], [2, 2]), bias: tensor([0, 0], [2]) }, metadata: {} }],
      [
        lif,
        {
          type: "LIF",
          fields: { tau: tensor([0.01, 0.01]), r: tensor([100, 100]), v_leak: tensor([0, 0]), v_threshold: tensor([1, 1]) },
          metadata: nodeMeta,
        },
      ],
      ["output", { type: "Output", fields: { shape: tensor([2], [1], "i64") }, metadata: {} }],
    ]),
    edges: [
      ["input", dense],
      [dense, lif],
      [lif, "output"],
    ],
    metadata: graphMeta,
  };
}

describe("NIR files a hostile or careless writer made", () => {
  it("keeps nodes named __proto__ and constructor as nodes", async () => {
    const read = await readNir(runtime, await writeNirGraph(graph(["__proto__", "constructor"])));
    expect(read.spec.nodes.map((n) => n.type)).toEqual(["input", "dense", "neuron", "output"]);
    expect(Object.entries(read.models)).toEqual([["constructor", "lif"]]);
  });

  it("names damaged JSON metadata and the node that holds it", async () => {
    const bytes = await writeNirGraph(graph(["fc", "lif"], { "neurobridge.surrogate": "{not json" }));
    await expect(readNir(runtime, bytes)).rejects.toThrow(/node 'lif' metadata neurobridge\.surrogate is not valid JSON/);
  });

  it("refuses a time base over the limit at import, naming the limit", async () => {
    const bytes = await writeNirGraph(graph(["fc", "lif"], {}, { "neurobridge.timeSteps": tensor([1e9]) }));
    await expect(readNir(runtime, bytes)).rejects.toThrow(
      `timeSteps: 1000000000 is over the limit of ${SPEC_LIMITS.timeSteps} steps per sample`,
    );
    await expect(readNir(runtime, await writeNirGraph(graph(["fc", "lif"])), { timeSteps: 5_000_000 })).rejects.toThrow(/over the limit/);
  });
});
