import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRuntime, type NeuronNode, sequentialSpec, simulatePopulation } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { describe, expect, it } from "vitest";
import { integrateAndFire } from "./if-neuron.js";
import { plugin } from "./plugin.js";

describe("a custom neuron plugin, registered without editing NeuroBridge", () => {
  const runtime = createRuntime({ plugins: [lifPlugin, plugin] });

  it("is listed beside the built-in models", () => {
    const models = runtime.list().neuronModels;
    expect(models.find((m) => m.name === "if")).toMatchObject({ plugin: "@neurobridge-examples/custom-neuron", dynamics: "spiking" });
    expect(models.map((m) => m.name)).toContain("lif");
  });

  it("is usable in a network spec and validated like built-ins", () => {
    const spec = sequentialSpec({ layers: [784, 100, 10], neuron: "if", timeSteps: 10, params: { threshold: 0.5 } });
    expect(runtime.validateSpec(spec).nodes[2]).toMatchObject({ model: "if" });
    expect(() =>
      runtime.validateSpec({ ...spec, nodes: spec.nodes.map((n) => (n.type === "neuron" ? { ...n, params: { threshold: -1 } } : n)) }),
    ).toThrow(/params\.threshold: must be a finite number > 0, got -1/);
    expect(runtime.countOps(spec).neuronUpdates).toBe((100 + 10) * 10);
  });

  it("runs through the same step interface: integrates without leak", () => {
    const node: NeuronNode = { type: "neuron", id: "if1", model: "if", size: 1, params: { threshold: 1 } };
    const trace = simulatePopulation(node, integrateAndFire, runtime, Float32Array.from([0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]), 7, 1);
    // v = 0.3, 0.6, 0.9, 1.2 → spike (0.2), 0.5, 0.8, 1.1 → spike
    expect([...trace.outputs]).toEqual([0, 0, 0, 1, 0, 0, 1]);
  });

  it("loads into the CLI with --plugin", () => {
    const cli = fileURLToPath(new URL("../../../apps/cli/bin/neurobridge.js", import.meta.url));
    const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    expect(existsSync(built), "build first: npm run build").toBe(true);
    const out = execFileSync(process.execPath, [cli, "--plugin", built, "plugins", "--json"], { encoding: "utf8" });
    const listing = JSON.parse(out) as { neuronModels: { name: string; plugin: string }[] };
    expect(listing.neuronModels).toContainEqual(expect.objectContaining({ name: "if", plugin: "@neurobridge-examples/custom-neuron" }));
  });
});
