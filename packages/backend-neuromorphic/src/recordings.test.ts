/**
 * Recordings (`run(…, { record })`, snnTorch's spk_rec / mem_rec): the same
 * trained network recorded on tfjs and on the event-driven emulator gives the
 * same spikes, step by step; the membrane tfjs records is the one its spikes
 * were decided on; a backend refuses what it cannot record, by name.
 */
import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { bindWeights, createRuntime, type NetworkSpec, type Weights } from "@neurobridge/core";
import { lifModel, lifPlugin } from "@neurobridge/neurons-lif";
import { beforeAll, describe, expect, it } from "vitest";
import { mnistTest, paperSnn, runtime, trainBriefly } from "./test-support/trained.js";

const spec = paperSnn();
const sample = (n: number) => mnistTest().inputs.subarray(0, n * 784);
let trained: Weights;
let bound: ReturnType<typeof bindWeights>;

beforeAll(async () => {
  trained = await trainBriefly(spec, 1024);
  bound = bindWeights(runtime, runtime.plan(spec), trained);
}, 120_000);

describe("recordings", () => {
  it("tfjs and the emulator record the same spikes, [T, batch, size] per spiking layer", async () => {
    const tfjs = await (await runtime.backend("tfjs")).compile(bound);
    const emulator = await (await runtime.backend("emulator")).compile(bound);
    const a = await tfjs.run(sample(4), 4, { record: ["spikes", "membrane"] });
    const b = await emulator.run(sample(4), 4, { record: ["spikes"] });
    const plain = await tfjs.run(sample(4), 4);
    expect(a.outputs).toEqual(plain.outputs);
    expect(a.recordings?.map((r) => [r.id, r.model, r.size, r.timeSteps, r.batch])).toEqual([
      ["lif1", "lif", 256, 25, 4],
      ["lif2", "lif", 256, 25, 4],
      ["lif3", "lif", 10, 25, 4],
    ]);
    const spikes = (r: typeof a) => r.recordings?.map((l) => l.spikes) ?? [];
    const total = spikes(a).reduce((s, x) => s + (x?.reduce((u, v) => u + v, 0) ?? 0), 0);
    expect(total).toBeGreaterThan(1000);
    expect(spikes(b)).toEqual(spikes(a));
    // The output layer's recorded spikes summed over steps are the run's scores.
    const out = a.recordings?.at(-1);
    const counts = new Float32Array(4 * 10);
    for (let t = 0; t < 25; t++) for (let i = 0; i < 40; i++) counts[i] = (counts[i] as number) + (out?.spikes?.[t * 40 + i] as number);
    expect(counts).toEqual(a.outputs);
    tfjs.dispose();
    emulator.dispose();
  }, 60_000);

  it("records the pre-reset membrane the spikes were decided on (kernel and generic step agree)", async () => {
    const tfjs = await (await runtime.backend("tfjs")).compile(bound);
    const r = await tfjs.run(sample(2), 2, { record: ["membrane", "spikes"] });
    for (const layer of r.recordings ?? []) {
      const v = layer.membrane as Float32Array;
      expect(v).toHaveLength(25 * 2 * layer.size);
      const threshold = layer.threshold?.[0] as number;
      let mismatches = 0;
      for (let i = 0; i < v.length; i++) if ((v[i] as number) > threshold !== (layer.spikes?.[i] === 1)) mismatches++;
      expect(mismatches).toBe(0);
    }
    // The same LIF step registered without kernels runs the generic path; the reset strategy hands over the same membrane.
    const rt = createRuntime({
      plugins: [
        lifPlugin,
        tfjsPlugin({ workers: 1 }),
        { name: "generic-lif", register: (x) => x.neuronModel({ ...lifModel, name: "lif-step" }) },
      ],
      seed: runtime.seed,
    });
    const genericSpec = { ...spec, nodes: spec.nodes.map((n) => (n.type === "neuron" ? { ...n, model: "lif-step" } : n)) } as NetworkSpec;
    const net = await (await rt.backend("tfjs")).compile(bindWeights(rt, rt.plan(genericSpec), trained));
    const g = await net.run(sample(2), 2, { record: ["membrane", "spikes"] });
    expect(g.recordings?.map((l) => l.spikes)).toEqual(r.recordings?.map((l) => l.spikes));
    g.recordings?.forEach((l, i) => {
      const k = r.recordings?.[i]?.membrane as Float32Array;
      let worst = 0;
      l.membrane?.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - (k[j] as number)));
      });
      expect(worst).toBeLessThan(1e-5);
    });
    tfjs.dispose();
    net.dispose();
  }, 120_000);

  it("refuses a kind the backend cannot record, and an unknown kind, by name", async () => {
    const emulator = await (await runtime.backend("emulator")).compile(bound);
    await expect(emulator.run(sample(1), 1, { record: ["membrane"] })).rejects.toThrow(
      "the emulator backend cannot record membrane; it records: spikes",
    );
    await expect(emulator.run(sample(1), 1, { record: ["voltage" as "membrane"] })).rejects.toThrow(
      "record: unknown kind 'voltage'; accepted: spikes, membrane",
    );
    emulator.dispose();
  });
});
