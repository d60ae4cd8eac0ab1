import { describe, expect, it } from "vitest";
import { SpecValidationError } from "./errors.js";
import { createRuntime } from "./runtime.js";
import { parseSpec, serializeSpec } from "./serialize.js";
import type { NetworkSpec } from "./spec.js";
import { leakyTestPlugin, paperFfnn, paperSnn } from "./test-support/fixtures.js";
import { checkNetworkSpec, validateNetworkSpec } from "./validate.js";

const runtime = createRuntime({ plugins: [leakyTestPlugin] });

/** Returns a deep copy of `spec` with `edit` applied to the JSON object. */
// biome-ignore lint/suspicious/noExplicitAny: tests corrupt arbitrary fields of the JSON on purpose
function mutate(spec: NetworkSpec, edit: (s: Record<string, any>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(spec));
  edit(copy);
  return copy;
}

function issuesOf(value: unknown): string[] {
  try {
    runtime.validateSpec(value);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(SpecValidationError);
    return (error as SpecValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe("network spec validation", () => {
  it("accepts the paper's FFNN and SNN", () => {
    expect(runtime.validateSpec(paperFfnn()).nodes).toHaveLength(7);
    expect(runtime.validateSpec(paperSnn()).nodes).toHaveLength(8);
  });

  it("rejects an unknown node type, naming the field and the accepted types", () => {
    const issues = issuesOf(mutate(paperFfnn(), (s) => (s.nodes[1].type = "conv2d")));
    expect(issues).toContainEqual(
      expect.stringMatching(/^nodes\[1\]\.type: unknown node type "conv2d"; accepted: input, dense, neuron, output/),
    );
  });

  it.each([
    [-0.001, "negative"],
    [0, "zero"],
    [Number.NaN, "NaN"],
  ])("rejects dt = %s (%s)", (dt) => {
    const issues = issuesOf(mutate(paperSnn(), (s) => (s.dt = dt)));
    expect(issues).toEqual([expect.stringMatching(/^dt: must be a positive, finite time step in seconds/)]);
  });

  it("rejects mismatched layer sizes, naming both ends", () => {
    const issues = issuesOf(mutate(paperFfnn(), (s) => (s.nodes[3].inFeatures = 255)));
    expect(issues).toEqual(["nodes[3].inFeatures: is 255 but 'relu1' (neuron) emits 256 features; they must match"]);
  });

  it("rejects NaN and out-of-range neuron parameters, naming the parameter", () => {
    const spec = mutate(paperSnn(), (s) => {
      s.nodes[2].params = { beta: Number.NaN };
      s.nodes[4].params = { beta: 1.5 };
    });
    expect(issuesOf(spec)).toEqual([
      "nodes[2].params.beta: must be a finite number > 0 and < 1, got NaN",
      "nodes[4].params.beta: must be a finite number > 0 and < 1, got 1.5",
    ]);
  });

  it("rejects unknown parameters, models, surrogates and resets with the registered names", () => {
    const spec = mutate(paperSnn(), (s) => {
      s.nodes[2].params = { betta: 0.9 };
      s.nodes[4].model = "adex";
      s.nodes[6].reset = "soft";
      s.nodes[6].surrogate = { name: "fast-sigmoid", params: { k: -1 } };
    });
    const issues = issuesOf(spec);
    expect(issues).toContainEqual("nodes[2].params.betta: unknown parameter; accepted: beta, threshold");
    expect(issues).toContainEqual(
      expect.stringMatching(/^nodes\[4\]\.model: unknown neuron model 'adex'; registered: relu, sigmoid, identity, leaky-test/),
    );
    expect(issues).toContainEqual(
      expect.stringMatching(/^nodes\[6\]\.reset: unknown reset mechanism "soft"; registered: subtract, zero, none/),
    );
    expect(issues).toContainEqual("nodes[6].surrogate.params.k: must be a finite number > 0, got -1");
  });

  it("checks per-neuron parameter arrays against the layer size", () => {
    const spec = mutate(paperSnn(), (s) => (s.nodes[6].params = { beta: [0.9, 0.9] }));
    expect(issuesOf(spec)).toEqual(["nodes[6].params.beta: per-neuron array must have 10 entries (the layer size), got 2"]);
  });

  it("rejects duplicate ids, unknown edge targets and cycles", () => {
    expect(issuesOf(mutate(paperFfnn(), (s) => (s.nodes[3].id = "fc1")))).toContainEqual(
      "nodes[3].id: duplicate id 'fc1' (first used by nodes[1])",
    );
    const edges = mutate(paperFfnn(), (s) => {
      s.edges = [
        ["input", "fc1"],
        ["fc1", "nowhere"],
      ];
    });
    expect(issuesOf(edges)).toContainEqual('edges[1]: refers to unknown node id "nowhere"');
  });

  it("rejects rate-model nodes that ask for a surrogate, and non-learnable learn entries", () => {
    const spec = mutate(paperFfnn(), (s) => {
      s.nodes[2].surrogate = { name: "atan" };
      s.nodes[4].learn = ["slope"];
    });
    const issues = issuesOf(spec);
    expect(issues).toContainEqual("nodes[2].surrogate: only spiking models take a surrogate; 'relu' is a rate model");
    expect(issues).toContainEqual("nodes[4].learn[0]: 'slope' is not learnable in 'relu'; learnable: (none)");
  });

  it("checks structure without a catalog, and registered names only with one", () => {
    const unknownModel = mutate(paperSnn(), (s) => (s.nodes[2].model = "adex"));
    expect(checkNetworkSpec(unknownModel)).toEqual([]);
    expect(checkNetworkSpec(unknownModel, runtime)).toHaveLength(1);
    expect(checkNetworkSpec("not a spec")).toEqual([{ path: "(root)", message: "a network spec must be a JSON object" }]);
  });

  it("round-trips through JSON unchanged", () => {
    const spec = validateNetworkSpec(paperSnn(), runtime);
    const text = serializeSpec(spec, runtime);
    expect(parseSpec(text, runtime)).toEqual(spec);
  });

  it("refuses to serialise what JSON cannot hold, and explains bad JSON", () => {
    const nan = mutate(paperSnn(), () => {}) as NetworkSpec;
    (nan as { dt: number }).dt = Number.NaN;
    expect(() => serializeSpec(nan)).toThrow(/dt: must be a positive, finite/);
    expect(() => parseSpec("{ nope", runtime, "net.json")).toThrow(/^net\.json is not valid JSON/);
  });
});
