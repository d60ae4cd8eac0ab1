import { inject, injectable } from "tsyringe";
import { describe, expect, it } from "vitest";
import { DuplicateRegistrationError, UnknownRegistrationError } from "./errors.js";
import type { RandomSource } from "./random.js";
import { createRuntime, type NeuroBridgePlugin, Runtime, TOKENS } from "./runtime.js";
import { leakyTestModel, leakyTestPlugin } from "./test-support/fixtures.js";

@injectable()
class NeedsRuntime {
  constructor(
    @inject(TOKENS.runtime) readonly runtime: Runtime,
    @inject(TOKENS.random) readonly rng: RandomSource,
  ) {}
}

describe("plugin runtime", () => {
  it("registers core built-ins and lists every kind", () => {
    const listing = createRuntime().list();
    expect(listing.plugins.map((p) => p.name)).toEqual(["@neurobridge/core"]);
    expect(listing.encoders.map((e) => e.name)).toEqual(["direct", "rate", "latency", "delta"]);
    expect(listing.surrogates.map((e) => e.name)).toEqual(["fast-sigmoid", "atan", "triangle", "sigmoid"]);
    expect(listing.resets.map((e) => e.name)).toEqual(["subtract", "zero", "none"]);
    expect(listing.neuronModels.map((e) => e.name)).toEqual(["relu", "sigmoid", "identity"]);
    expect(listing.losses.map((e) => e.name)).toContain("ce_rate");
    expect(listing.backends).toEqual([]);
    expect(JSON.parse(JSON.stringify(listing))).toEqual(listing);
  });

  it("keeps runtimes isolated: a plugin in one is not seen by another", () => {
    const withPlugin = createRuntime({ plugins: [leakyTestPlugin] });
    const without = createRuntime();
    expect(withPlugin.neuronModel("leaky-test")).toBe(leakyTestModel);
    expect(without.findNeuronModel("leaky-test")).toBeUndefined();
    expect(withPlugin.list().neuronModels.find((m) => m.name === "leaky-test")).toMatchObject({
      plugin: "leaky-test-plugin",
      dynamics: "spiking",
    });
  });

  it("explains an unknown name by listing the registered ones", () => {
    const runtime = createRuntime();
    expect(() => runtime.neuronModel("adex")).toThrow(UnknownRegistrationError);
    expect(() => runtime.neuronModel("adex")).toThrow("Unknown neuron model 'adex'. Registered neuron models: relu, sigmoid, identity.");
    expect(() => runtime.surrogate("erf")).toThrow(/Registered surrogate gradients: fast-sigmoid, atan, triangle, sigmoid/);
    return expect(runtime.backend("loihi")).rejects.toThrow(/Unknown backend 'loihi'. Registered backends: \(none registered\)/);
  });

  it("refuses duplicate names across plugins unless overriding", () => {
    const clash: NeuroBridgePlugin = { name: "clash", register: (r) => r.neuronModel({ ...leakyTestModel }) };
    expect(() => createRuntime({ plugins: [leakyTestPlugin, clash] })).toThrow(DuplicateRegistrationError);
    const override: NeuroBridgePlugin = {
      name: "override",
      register: (r) => r.neuronModel({ ...leakyTestModel, description: "mine" }, { override: true }),
    };
    expect(createRuntime({ plugins: [leakyTestPlugin, override] }).neuronModel("leaky-test").description).toBe("mine");
  });

  it("checks plugin requirements and rejects malformed plugins", () => {
    const needy: NeuroBridgePlugin = { name: "needy", requires: ["leaky-test-plugin"], register: () => {} };
    expect(() => createRuntime({ plugins: [needy] })).toThrow(/requires plugin 'leaky-test-plugin', which is not registered/);
    expect(createRuntime({ plugins: [leakyTestPlugin, needy] }).list().plugins).toHaveLength(3);
    expect(() => createRuntime({ plugins: [{} as NeuroBridgePlugin] })).toThrow(/must be an object with a 'name'/);
  });

  it("creates backends lazily, once per runtime", async () => {
    let created = 0;
    const plugin: NeuroBridgePlugin = {
      name: "fake-backend-plugin",
      register: (r) =>
        r.backend({
          name: "echo",
          description: "test backend",
          capabilities: { train: false, eventDriven: false, precisions: ["float32"] },
          create: () => {
            created++;
            return {
              name: "echo",
              description: "",
              capabilities: { train: false, eventDriven: false, precisions: [] },
              check: () => ({ fits: true, issues: [] }),
              evaluate: async () => {
                throw new Error("unused");
              },
              compile: async () => {
                throw new Error("unused");
              },
            };
          },
        }),
    };
    const runtime = createRuntime({ plugins: [plugin] });
    expect(created).toBe(0);
    expect(runtime.list().backends[0]).toMatchObject({ name: "echo", capabilities: { train: false } });
    await runtime.backend("echo");
    await runtime.backend("echo");
    expect(created).toBe(1);
  });

  it("injects the runtime and its seeded RNG into services by token", () => {
    const a = createRuntime({ seed: 11 }).resolve(NeedsRuntime);
    const b = createRuntime({ seed: 11 }).resolve(NeedsRuntime);
    expect(a.runtime).toBeInstanceOf(Runtime);
    expect(a.runtime).not.toBe(b.runtime);
    expect(a.rng.next()).toBe(b.rng.next());
    expect(a.runtime.random("init").next()).toBe(b.runtime.random("init").next());
  });

  it("rejects invalid seeds", () => {
    expect(() => createRuntime({ seed: -1 })).toThrow(/seed must be an integer in \[0, 4294967295\], got -1/);
  });

  it("registers kernels per runtime, lists them with their model, and finds them by model and kind", () => {
    const kernelPlugin: NeuroBridgePlugin = {
      name: "kernels",
      source: { module: "file:///nowhere/kernels.js", export: "kernelPlugin" },
      register: (r) => {
        r.neuronModel(leakyTestModel);
        r.kernel({ model: leakyTestModel.name, kind: "infer", description: "test infer", create: () => undefined });
      },
    };
    const rt = createRuntime({ plugins: [kernelPlugin] });
    expect(rt.kernel(leakyTestModel.name, "infer")?.description).toBe("test infer");
    expect(rt.kernel(leakyTestModel.name, "sequence")).toBeUndefined();
    expect(createRuntime().kernel(leakyTestModel.name, "infer")).toBeUndefined();
    expect(rt.list().neuronModels.find((m) => m.name === leakyTestModel.name)?.kernels).toEqual([
      { kind: "infer", description: "test infer", plugin: "kernels" },
    ]);
    expect(rt.list().kernels).toContainEqual(expect.objectContaining({ name: `${leakyTestModel.name}/infer`, model: leakyTestModel.name }));
    expect(() =>
      createRuntime({
        plugins: [
          kernelPlugin,
          {
            name: "again",
            register: (r) => r.kernel({ model: leakyTestModel.name, kind: "infer", description: "", create: () => undefined }),
          },
        ],
      }),
    ).toThrow(DuplicateRegistrationError);
    expect(() => createRuntime({ plugins: [{ name: "bad", register: (r) => r.kernel({ kind: "infer" } as never) }] })).toThrow(
      /Plugin 'bad' registered a kernel without a 'model', a 'kind' .* or a 'create' function/,
    );
  });

  it("registers codecs per runtime and format, lists them on their model, and refuses malformed ones", () => {
    const codec = { reads: ["LIF"] };
    const codecPlugin: NeuroBridgePlugin = {
      name: "codecs",
      register(r) {
        r.codec({ model: leakyTestModel.name, format: "test-format", description: "to the test format", codec });
      },
    };
    const runtime = createRuntime({ plugins: [leakyTestPlugin, codecPlugin] });
    expect(runtime.codec(leakyTestModel.name, "test-format")).toBe(codec);
    expect(runtime.codec(leakyTestModel.name, "other")).toBeUndefined();
    expect(runtime.codecsFor("test-format")).toEqual([{ model: leakyTestModel.name, plugin: "codecs", codec }]);
    const listed = runtime.list();
    expect(listed.codecs).toMatchObject([
      { name: `${leakyTestModel.name}@test-format`, model: leakyTestModel.name, format: "test-format", plugin: "codecs" },
    ]);
    expect(listed.neuronModels.find((m) => m.name === leakyTestModel.name)?.codecs).toEqual([
      { format: "test-format", description: "to the test format", plugin: "codecs" },
    ]);
    expect(createRuntime({ plugins: [leakyTestPlugin] }).codecsFor("test-format")).toEqual([]);
    const twice: NeuroBridgePlugin = {
      name: "twice",
      register: (r) => r.codec({ model: leakyTestModel.name, format: "test-format", description: "again", codec }),
    };
    expect(() => createRuntime({ plugins: [leakyTestPlugin, codecPlugin, twice] })).toThrow(DuplicateRegistrationError);
    const bad: NeuroBridgePlugin = { name: "bad", register: (r) => r.codec({ model: "x", format: "", description: "", codec }) };
    expect(() => createRuntime({ plugins: [bad] })).toThrow(/registered a codec without a 'model', a 'format'/);
  });

  it("knows where each plugin comes from, for other threads, and which exist only in memory", () => {
    const inMemory: NeuroBridgePlugin = { name: "in-memory", register: (r) => r.neuronModel(leakyTestModel) };
    const sourced: NeuroBridgePlugin = { name: "sourced", source: { module: "file:///x/p.js" }, register: () => {} };
    const rt = createRuntime({ plugins: [sourced, inMemory] });
    expect(rt.pluginSources()).toEqual({ sources: [{ module: "file:///x/p.js" }], missing: ["in-memory"] });
    // Only the plugins a network uses matter.
    expect(rt.pluginSources(["sourced"])).toEqual({ sources: [{ module: "file:///x/p.js" }], missing: [] });
  });

  it("counts the plans it builds; a plan names the plugins its network relies on", () => {
    const rt = createRuntime({ plugins: [leakyTestPlugin] });
    const before = rt.plansBuilt;
    const plan = rt.plan({
      format: "neurobridge.network",
      version: 1,
      dt: 1e-3,
      timeSteps: 3,
      encoder: { name: "direct" },
      nodes: [
        { type: "input", id: "in", shape: [4] },
        { type: "dense", id: "fc", inFeatures: 4, outFeatures: 2 },
        { type: "neuron", id: "n", model: leakyTestModel.name, size: 2 },
        { type: "output", id: "out", size: 2 },
      ],
    });
    expect(rt.plansBuilt).toBe(before + 1);
    expect(plan.plugins).toEqual([leakyTestPlugin.name]);
    expect(plan.layers.map((l) => `${l.kind}:${l.id}`)).toEqual(["dense:fc", "neuron:n"]);
    expect(plan.bound).toBe(false);
    expect(plan.spiking).toBe(true);
  });
});
