import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { neuromorphicPlugin } from "@neurobridge/backend-neuromorphic";
import { type TfjsBackend, tfjsPlugin } from "@neurobridge/backend-tfjs";
import { createRuntime, initWeights, type NetworkSpec, sequentialSpec, type Weights } from "@neurobridge/core";
import { loadMnist, subset } from "@neurobridge/mnist";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkGraph,
  describeNir,
  NirFormatError,
  type NirGraph,
  nirPlugin,
  nirToNetwork,
  planToNir,
  readNir,
  readNirGraph,
  resolveConventions,
  simulateNir,
  tensor,
  writeNir,
  writeNirGraph,
} from "./index.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(join(here, "..", "fixtures", name));
const runtime = createRuntime({ plugins: [lifPlugin, nirPlugin, tfjsPlugin(), neuromorphicPlugin], seed: 5 });

/** NIR's own Python reader (vendored in ../python, Debian's h5py): node types and shapes of a file, as nir.read sees them. */
function pythonRead(file: string): {
  nodes: Record<string, { type: string; shapes: Record<string, number[]> }>;
  edges: [string, string][];
} {
  const script = [
    "import sys, json, nir, numpy as np",
    "g = nir.read(sys.argv[1])",
    "out = {'nodes': {k: {'type': type(n).__name__, 'shapes': {f: list(np.shape(v)) for f, v in vars(n).items() if isinstance(v, np.ndarray)}} for k, n in g.nodes.items()}, 'edges': [list(e) for e in g.edges]}",
    "print(json.dumps(out))",
  ].join("\n");
  const stdout = execFileSync("/usr/bin/python3", ["-c", script, file], {
    env: { ...process.env, PYTHONPATH: join(here, "..", "python") },
    encoding: "utf8",
  });
  return JSON.parse(stdout);
}

const snnSpec = (extra: Partial<Parameters<typeof sequentialSpec>[0]> = {}): NetworkSpec =>
  sequentialSpec({
    name: "nir-snn",
    layers: [784, 64, 10],
    neuron: "lif",
    params: { beta: 0.9 },
    timeSteps: 10,
    learn: ["beta"],
    ...extra,
  });

async function train(spec: NetworkSpec): Promise<Weights> {
  const backend = (await runtime.backend("tfjs")) as TfjsBackend;
  const trainer = await backend.createTrainer(runtime.plan(spec), initWeights(spec, runtime.random("init"), runtime), {
    seed: 9,
    workers: 1,
  });
  try {
    return (await trainer.fit({ train: subset(loadMnist("train"), 1024), epochs: 1, batchSize: 64, learningRate: 3e-3 })).weights;
  } finally {
    await trainer.dispose();
  }
}

describe("NIR round trip of a trained SNN (ours → NIR → ours)", () => {
  let spec: NetworkSpec;
  let weights: Weights;
  let bytes: Uint8Array;
  let warnings: readonly string[];
  beforeAll(async () => {
    spec = snnSpec();
    weights = await train(spec);
    ({ bytes, warnings } = await writeNir(runtime, runtime.plan(spec, weights)));
  }, 120_000);

  it("gives back every weight and per-neuron β bit for bit, and says what other tools will reset differently", async () => {
    const back = await readNir(runtime, bytes);
    expect(Object.keys(back.weights).sort()).toEqual(
      Object.keys(weights)
        .sort()
        .filter((k) => !k.endsWith(".beta")),
    );
    for (const [name, w] of Object.entries(back.weights)) expect(w.data, name).toEqual((weights[name] as { data: Float32Array }).data);
    const learned = (weights["lif1.beta"] as { data: Float32Array }).data;
    expect(new Set(learned).size).toBeGreaterThan(1); // really per neuron
    const lif1 = back.spec.nodes.find((n) => n.id === "lif1");
    expect(lif1?.type === "neuron" && Float32Array.from(lif1.params?.beta as number[])).toEqual(learned);
    expect(lif1?.type === "neuron" && lif1.reset).toBe("subtract");
    expect(back.spec.timeSteps).toBe(10);
    expect(warnings.join("\n")).toMatch(/lif1: the network subtracts θ after a spike; NIR's LIF resets to v_reset = 0/);
  });

  it("predicts exactly as the original on the MNIST test set", async () => {
    const back = await readNir(runtime, bytes);
    const tfjs = await runtime.backend("tfjs");
    const test = loadMnist("test");
    const a = await tfjs.evaluate(runtime.plan(spec, weights), test);
    const b = await tfjs.evaluate(runtime.plan(back.spec, back.weights), test);
    expect(b.count).toBe(10_000);
    expect(b.predictions).toEqual(a.predictions);
    expect(b.outputs).toEqual(a.outputs);
    expect(a.accuracy).toBeGreaterThan(0.5); // a working classifier (chance is 0.1) after one short epoch
  }, 60_000);

  it("loads in NIR's Python reader (nir.read with its type check) with the node types and shapes we meant", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-nir-"));
    const file = join(dir, "snn.nir");
    writeFileSync(file, bytes);
    const read = pythonRead(file);
    expect(read.edges).toEqual([
      ["input", "fc1"],
      ["fc1", "lif1"],
      ["lif1", "fc2"],
      ["fc2", "lif2"],
      ["lif2", "output"],
    ]);
    expect(read.nodes.fc1).toMatchObject({ type: "Affine", shapes: { weight: [64, 784], bias: [64] } });
    expect(read.nodes.lif1).toMatchObject({ type: "LIF", shapes: { tau: [64], r: [64], v_leak: [64], v_threshold: [64], v_reset: [64] } });
    expect(read.nodes.lif2?.type).toBe("LIF");
    expect(read.nodes.output?.type).toBe("Output");
  });

  it("the reference interpreter, from NIR's equations alone, agrees with the network on spike counts", async () => {
    const { graph } = await readNirGraph(bytes);
    const plan = runtime.plan(spec, weights);
    const test = subset(loadMnist("test"), 200);
    const tfjs = await runtime.backend("tfjs");
    const ours = await tfjs.evaluate(plan, test);
    let same = 0;
    for (let s = 0; s < test.count; s++) {
      const image = test.inputs.subarray(s * 784, (s + 1) * 784);
      const sim = simulateNir(
        graph,
        Array.from({ length: 10 }, () => image),
        { conventions: resolveConventions() },
      );
      const counts = sim.spikeCounts.lif2 as Float64Array;
      if (counts.every((c, j) => c === ours.outputs[s * 10 + j])) same++;
    }
    // float64 from the ODEs vs float32 training arithmetic: a rare spike lands a step apart.
    expect(same / test.count).toBeGreaterThan(0.97);
  }, 60_000);
});

describe("a network the emulator runs after import (Norse's LIF file)", () => {
  it("reads it with the convention inspect detects when none is named, and says so", async () => {
    const detected = await readNir(runtime, fixture("lif_norse.nir"));
    const named = await readNir(runtime, fixture("lif_norse.nir"), { convention: "norse" });
    expect(detected.conventions).toEqual(named.conventions);
    expect(detected.spec.nodes).toEqual(named.spec.nodes);
    expect(detected.warnings[0]).toMatch(/read with the norse convention \(detected: r = 1 on every node/);
    const snntorch = await readNir(runtime, fixture("lif_norse.nir"), { convention: "snntorch" });
    expect(snntorch.conventions.name).toBe("snntorch");
    expect(snntorch.warnings.some((w) => /detected/.test(w))).toBe(false);
  });

  it("reads Norse's LIF with Norse's convention (dt 1 ms, r 1): β 0.6, input gain dt/τ folded into the weight, NIR's reset to 0", async () => {
    const back = await readNir(runtime, fixture("lif_norse.nir"), { convention: "norse", timeSteps: 12 });
    const lif = back.spec.nodes.find((n) => n.type === "neuron");
    expect(lif?.type === "neuron" && [lif.model, lif.reset, lif.params?.beta, lif.params?.threshold]).toEqual([
      "lif",
      "zero",
      1 - 1e-3 / Math.fround(0.0025),
      Math.fround(0.1),
    ]);
    expect(back.weights["0.weight"]?.data[0]).toBe(Math.fround(1e-3 / Math.fround(0.0025)));
    // Constant input 0.3 for 12 steps: the spike train NIR's LIF equations give, by hand, against our runners.
    const k = 1e-3 / Math.fround(0.0025);
    const expected: number[] = [];
    let v = 0;
    for (let t = 0; t < 12; t++) {
      v = v + k * (0 - v + 1 * 0.3);
      const z = v > Math.fround(0.1) ? 1 : 0;
      if (z) v = 0;
      expected.push(z);
    }
    expect(expected.reduce((a, b) => a + b, 0)).toBeGreaterThan(2);
    const { graph } = await readNirGraph(fixture("lif_norse.nir"));
    const sim = simulateNir(
      graph,
      Array.from({ length: 12 }, () => [0.3]),
      { conventions: resolveConventions({ convention: "norse" }), recordSpikes: true },
    );
    expect(sim.raster?.["1"]?.map((z) => z[0])).toEqual(expected);
    const data = { inputs: new Float32Array([0.3]), labels: new Uint8Array([0]), count: 1, features: 1, classes: 1 };
    const plan = runtime.plan(back.spec, back.weights);
    const emulator = await runtime.backend("emulator");
    const tfjs = await runtime.backend("tfjs");
    for (const backend of [emulator, tfjs]) {
      const ev = await backend.evaluate(plan, data);
      expect(ev.outputs[0]).toBe(expected.reduce((a, b) => a + b, 0));
    }
  }, 60_000);

  it("refuses Rockpool's file as NIR's own reader does, naming the mismatch, and loads it without the type check", async () => {
    const error = await readNir(runtime, fixture("lif_rockpool.nir")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NirFormatError);
    expect(String((error as Error).message)).toContain(
      "type mismatch on edge 1_LIFNeuronTorch → output: '1_LIFNeuronTorch' emits [1], 'output' (Output) takes [1, 1, 1]",
    );
    expect(String((error as Error).message)).toContain("nir.read");
    // Rockpool's r = (τ/dt)·e^(−dt/τ) matches no named convention: the reader refuses to guess one.
    await expect(readNir(runtime, fixture("lif_rockpool.nir"), { typeCheck: false })).rejects.toThrow(
      /cannot tell which convention the file follows \(r = τ\/dt with dt = 0\.000104\d* s\).*--convention: snntorch, norse, nir/,
    );
    const loose = await readNir(runtime, fixture("lif_rockpool.nir"), { typeCheck: false, convention: "snntorch" });
    expect(loose.typeProblems).toHaveLength(1);
    expect(loose.spec.nodes.map((n) => n.type)).toEqual(["input", "dense", "neuron", "output"]);
  });
});

describe("files NeuroBridge networks cannot host yet", () => {
  it("Braille CubaLIF networks (recurrent): import is refused naming the cycle; the interpreter runs them by NIR's CubaLIF equations", async () => {
    for (const name of ["braille_noDelay_bias_zero.nir", "braille_noDelay_noBias_subtract.nir"]) {
      const { graph } = await readNirGraph(fixture(name));
      expect(() => nirToNetwork(runtime, graph)).toThrow(/recurrent \(edge lif1\.w_rec → lif1\.lif closes a cycle\)/);
      const d = describeNir(graph);
      expect(d.convention.detected).toBe("snntorch");
      expect(d.recurrentEdges).toEqual([["lif1.w_rec", "lif1.lif"]]);
      const input = Array.from({ length: 40 }, (_, t) => Array.from({ length: 12 }, (_, i) => ((t + i) % 5 === 0 ? 1 : 0)));
      const sim = simulateNir(graph, input, { conventions: resolveConventions(), recordSpikes: true });
      expect(sim.output).toHaveLength(40);
      expect(sim.output[39]).toHaveLength(7);
      expect(Object.values(sim.spikeCounts).some((c) => c.some((x) => x > 0))).toBe(true);
    }
  });

  it("CubaLIF by hand: one neuron, one input spike, NIR's equations with the current updated first", () => {
    const graph: NirGraph = {
      version: "1.0.0",
      metadata: {},
      nodes: {
        in: { type: "Input", fields: { shape: tensor([1], undefined, "i64") }, metadata: {} },
        n: {
          type: "CubaLIF",
          fields: {
            tau_syn: tensor([2e-4]),
            tau_mem: tensor([1e-3]),
            r: tensor([10]),
            v_leak: tensor([0]),
            v_threshold: tensor([0.5]),
            w_in: tensor([2]),
          },
          metadata: {},
        },
        out: { type: "Output", fields: { shape: tensor([1], undefined, "i64") }, metadata: {} },
      },
      edges: [
        ["in", "n"],
        ["n", "out"],
      ],
    };
    const sim = simulateNir(graph, [[1], [0], [0], [0]], { conventions: resolveConventions(), recordSpikes: true });
    // I: 1, 0.5, 0.25, 0.125; v: 1.0 (spike, reset to 0) → 0.5 (not above 0.5) → 0.7 (spike) → 0.125.
    let i = 0;
    let v = 0;
    const z: number[] = [];
    for (const x of [1, 0, 0, 0]) {
      i = i + 0.5 * (2 * x - i);
      v = v + 0.1 * (0 - v + 10 * i);
      z.push(v > 0.5 ? 1 : 0);
      if (v > 0.5) v = 0;
    }
    expect(sim.raster?.n?.map((s) => s[0])).toEqual(z);
    expect(z).toEqual([1, 0, 1, 0]);
  });

  it("the Sinabs CNN: Conv2d is 'not supported yet' for import; the interpreter runs it (Conv2d, IF, SumPool2d, Flatten, Affine)", async () => {
    const { graph } = await readNirGraph(fixture("cnn_sinabs.nir"));
    expect(() => nirToNetwork(runtime, graph)).toThrow(/node '0' \(Conv2d\) is not supported yet/);
    const d = describeNir(graph);
    expect(d.nodes.find((n) => n.name === "8")?.output).toEqual([128]);
    const frame = Float64Array.from({ length: 2 * 34 * 34 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const sim = simulateNir(graph, [frame, frame, frame], { conventions: resolveConventions() });
    expect(sim.output[2]).toHaveLength(10);
    expect((sim.spikeCounts["1"] as Float64Array).length).toBe(16 * 16 * 16);
  });
});

describe("conventions and codecs", () => {
  it("β ↔ τ is exact through float32 for every β a float32 holds in (0, 1)", () => {
    const dt = 1e-4;
    for (let i = 1; i < 20_000; i++) {
      const beta = Math.fround(i / 20_000);
      const tau = dt / (1 - beta);
      expect(Math.fround(1 - dt / tau)).toBe(beta);
    }
  });

  it("writes cuba-lif as CubaLIF with snnTorch's Synaptic convention and reads it back exactly", async () => {
    const spec = sequentialSpec({
      layers: [4, 3, 2],
      neuron: "cuba-lif",
      params: { alpha: 0.7, beta: 0.85, threshold: 0.8 },
      timeSteps: 5,
      reset: "zero",
    });
    const weights = initWeights(spec, runtime.random("cuba"), runtime);
    const { graph, warnings } = planToNir(runtime, runtime.plan(spec, weights));
    expect(warnings).toEqual([]); // reset to zero is NIR's own
    const node = graph.nodes["cuba-lif1"];
    expect(node?.type).toBe("CubaLIF");
    const w = node?.fields.w_in;
    expect(typeof w !== "string" && w?.data[0]).toBeCloseTo(1e-4 / (1 - Math.fround(0.7)) / 1e-4, 12);
    const back = nirToNetwork(runtime, graph);
    const n = back.spec.nodes.find((x) => x.id === "cuba-lif1");
    expect(n?.type === "neuron" && [n.params?.alpha, n.params?.beta, n.params?.threshold]).toEqual([
      Math.fround(0.7),
      Math.fround(0.85),
      Math.fround(0.8),
    ]);
    for (const [k, t] of Object.entries(back.weights)) expect(t.data, k).toEqual((weights[k] as { data: Float32Array }).data);
  });

  it("a model without a NIR codec is refused naming the models that have one", () => {
    const spec = sequentialSpec({ layers: [4, 3, 2], neuron: "relu", outputNeuron: false });
    expect(() => planToNir(runtime, runtime.plan(spec, initWeights(spec, runtime.random("x"), runtime)))).toThrow(
      /model 'relu' has no NIR codec registered; models with one: lif, cuba-lif, lif-vreset/,
    );
  });

  it("a LIF with v_reset ≠ 0 is read by lif-vreset (lif refuses it), a bad convention or dt is named", () => {
    const graph: NirGraph = {
      version: "1.0.0",
      metadata: {},
      nodes: {
        input: { type: "Input", fields: { shape: tensor([2], undefined, "i64") }, metadata: {} },
        fc: { type: "Linear", fields: { weight: tensor([1, 0, 0, 1], [2, 2], "f32") }, metadata: {} },
        lif: {
          type: "LIF",
          fields: {
            tau: tensor([1e-3, 1e-3]),
            r: tensor([10, 10]),
            v_leak: tensor([0, 0]),
            v_threshold: tensor([1, 1]),
            v_reset: tensor([-0.5, -0.5]),
          },
          metadata: {},
        },
        output: { type: "Output", fields: { shape: tensor([2], undefined, "i64") }, metadata: {} },
      },
      edges: [
        ["input", "fc"],
        ["fc", "lif"],
        ["lif", "output"],
      ],
    };
    expect(checkGraph(graph)).toEqual([]);
    const back = nirToNetwork(runtime, graph);
    expect(back.models).toEqual({ lif: "lif-vreset" });
    expect(() => resolveConventions({ convention: "brian" })).toThrow("unknown NIR convention 'brian'; accepted: snntorch, norse, nir");
    expect(() => resolveConventions({ dt: -1 })).toThrow(/positive number of seconds/);
    expect(() => nirToNetwork(runtime, graph, { dt: 1e-2 })).toThrow(/τ = 0.001 s at neuron 0 is shorter than dt = 0.01 s/);
  });
});

describe("bad files", () => {
  it("empty, garbage, truncated and non-NIR HDF5 files get errors naming the problem", async () => {
    const good = fixture("lif_norse.nir");
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /the file is empty/],
      [new TextEncoder().encode("not an hdf5 file at all"), /no HDF5 signature/],
      [good.subarray(0, 40), /truncated/],
      [good.subarray(0, good.length - 100), /truncated: the HDF5 superblock says the file has \d+ bytes, it has \d+/],
    ];
    for (const [bytes, message] of cases) {
      const error = await readNirGraph(bytes, { source: "x.nir" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NirFormatError);
      expect((error as Error).message).toMatch(/^x\.nir is not a valid NIR graph/);
      expect((error as Error).message).toMatch(message);
    }
    // A valid HDF5 file that is not NIR: one with only a version.
    const notNir = await writeNirGraph({ version: "1.0.0", nodes: {}, edges: [], metadata: {} });
    const { graph } = await readNirGraph(notNir);
    expect(graph.nodes).toEqual({});
    expect(() => nirToNetwork(runtime, graph)).toThrow(/one Input and one Output node; this graph has 0 and 0/);
  });

  it("a graph whose shapes do not join is never written", async () => {
    const graph: NirGraph = {
      version: "1.0.0",
      metadata: {},
      nodes: {
        input: { type: "Input", fields: { shape: tensor([3], undefined, "i64") }, metadata: {} },
        fc: { type: "Linear", fields: { weight: tensor([1, 0, 0, 1], [2, 2], "f32") }, metadata: {} },
      },
      edges: [["input", "fc"]],
    };
    await expect(writeNirGraph(graph)).rejects.toThrow(
      /type mismatch on edge input → fc: 'input' emits \[3\], 'fc' \(Linear\) takes \[2\]/,
    );
  });
});
