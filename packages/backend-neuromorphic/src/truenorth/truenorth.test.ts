import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { bindWeights, createRandom, createRuntime, type NetworkSpec, sequentialSpec, toDataset, type Weights } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { describe, expect, it } from "vitest";
import { neuromorphicPlugin } from "../backends.js";
import { deploy } from "../deploy.js";
import { totals } from "../emulator/counters.js";
import { evaluateEmulator } from "../emulator/evaluate.js";
import { floatEmulator } from "../emulator/float-plan.js";
import { EmulatorPool, evaluateDeployment } from "../emulator/parallel-evaluate.js";
import { chipIssues, newTrueNorthCounters, TrueNorthEmulator } from "./chip.js";
import { mapTrueNorth, trueNorthLimits } from "./map.js";
import { TrueNorthNetwork } from "./network.js";
import { MEMBRANE_MAX, type TrueNorthNeuronConfig, trueNorthFire, trueNorthTick } from "./neuron.js";

const base: TrueNorthNeuronConfig = {
  weights: [3, -2, 5, 0],
  leak: -1,
  alpha: 10,
  beta: 4,
  kappa: false,
  resetMode: "linear",
  resetVoltage: 2,
};

describe("the TrueNorth neuron (hand-computed)", () => {
  it("integrates by axon type, leaks, fires at V ≥ α and resets by mode", () => {
    // 0 + 3 + 3 + 5 = 11, leak −1 → 10 ≥ α = 10: spike; linear reset 10 − 10 = 0.
    expect(trueNorthTick(0, [0, 0, 2], base)).toEqual({ v: 0, spike: true });
    // 5 + 5 = 10, leak → 9 < 10: no spike.
    expect(trueNorthTick(0, [2, 2], base)).toEqual({ v: 9, spike: false });
    // absolute: 9 + 3 − 1 = 11 ≥ 10 → V ← R = 2; none: stays 11.
    expect(trueNorthTick(9, [0], { ...base, resetMode: "absolute" })).toEqual({ v: 2, spike: true });
    expect(trueNorthTick(9, [0], { ...base, resetMode: "none" })).toEqual({ v: 11, spike: true });
  });

  it("below −β saturates (κ) or resets mirrored by the mode", () => {
    // −2 −2 −2 = −6, leak → −7 < −β = −4.
    expect(trueNorthTick(0, [1, 1, 1], { ...base, kappa: true })).toEqual({ v: -4, spike: false });
    expect(trueNorthTick(0, [1, 1, 1], { ...base, resetMode: "linear" })).toEqual({ v: -3, spike: false });
    expect(trueNorthTick(0, [1, 1, 1], { ...base, resetMode: "absolute" })).toEqual({ v: -2, spike: false });
    expect(trueNorthTick(0, [1, 1, 1], { ...base, resetMode: "none" })).toEqual({ v: -7, spike: false });
  });

  it("saturates at the 20-bit membrane and reverses the leak towards zero (ε)", () => {
    expect(trueNorthTick(MEMBRANE_MAX - 1, [2], { ...base, alpha: 2 ** 20 })).toEqual({ v: MEMBRANE_MAX - 1, spike: false });
    expect(trueNorthFire(5, { ...base, leakReversal: true })).toEqual({ v: 4, spike: false });
    expect(trueNorthFire(-5, { ...base, leakReversal: true, beta: 100 })).toEqual({ v: -4, spike: false });
  });

  it("delivers a spike one tick later to its one target axon, as one event per axon per tick", () => {
    const n = (alpha: number): TrueNorthNeuronConfig => ({
      ...base,
      weights: [1, 1, 1, 1],
      leak: 0,
      alpha,
      beta: 100,
      resetMode: "absolute",
      resetVoltage: 0,
    });
    const chip = {
      cores: [
        // core 0: two neurons driven by axon 0, both targeting core 1's axon 0.
        {
          axonTypes: Uint8Array.of(0),
          crossbar: Uint8Array.of(1, 1),
          neurons: [n(1), n(1)],
          targets: [
            { kind: "axon", core: 1, axon: 0, delay: 1 },
            { kind: "axon", core: 1, axon: 0, delay: 1 },
          ],
        },
        { axonTypes: Uint8Array.of(0), crossbar: Uint8Array.of(1), neurons: [n(1)], targets: [{ kind: "output", index: 0 }] },
      ],
      inputs: [[{ core: 0, axon: 0 }]],
      outputs: 1,
    } as const;
    const emulator = new TrueNorthEmulator(chip as never, trueNorthLimits());
    const counters = newTrueNorthCounters();
    const out = new Float64Array(1);
    emulator.step([0], out, counters); // tick 0: both core-0 neurons fire
    expect([out[0], counters.spikes]).toEqual([0, 2]);
    emulator.step([], out, counters); // tick 1: core 1 receives one event (two spikes, one axon), fires
    expect([out[0], counters.axonEvents, counters.synapticEvents]).toEqual([1, 2, 3]);
  });

  it("the core emulator's flat-array update equals the neuron model, every mode, on random streams", () => {
    const rng = createRandom(11);
    for (const resetMode of ["absolute", "linear", "none"] as const) {
      for (const kappa of [true, false]) {
        for (const leakReversal of [true, false]) {
          const n: TrueNorthNeuronConfig = {
            weights: [9, -4, 6, -3],
            leak: -1,
            leakReversal,
            alpha: 20,
            beta: 15,
            kappa,
            resetMode,
            resetVoltage: 4,
            initialV: 3,
          };
          // One core, 4 axons (one per type) to one neuron, output off chip.
          const chip = {
            cores: [
              {
                axonTypes: Uint8Array.of(0, 1, 2, 3),
                crossbar: Uint8Array.of(1, 1, 1, 1),
                neurons: [n],
                targets: [{ kind: "output", index: 0 } as const],
              },
            ],
            inputs: [0, 1, 2, 3].map((a) => [{ core: 0, axon: a }]),
            outputs: 1,
          };
          const emulator = new TrueNorthEmulator(chip, trueNorthLimits());
          const counters = newTrueNorthCounters();
          const out = new Float64Array(1);
          let v = 3;
          let expected = 0;
          for (let t = 0; t < 200; t++) {
            const lines = [0, 1, 2, 3].filter(() => rng.uniform(0, 1) < 0.5);
            const r = trueNorthTick(v, lines, n);
            v = r.v;
            if (r.spike) expected++;
            emulator.step(lines, out, counters);
            expect(out[0], `${resetMode} κ=${kappa} ε=${leakReversal} tick ${t}`).toBe(expected);
          }
          expect(expected, `${resetMode} κ=${kappa} ε=${leakReversal}`).toBeGreaterThan(5);
        }
      }
    }
  });

  it("runs its cores in WebAssembly with the JavaScript loops' membranes, spikes, outputs and counters", () => {
    const rng = createRandom(21);
    const int = (lo: number, hi: number) => lo + Math.floor(rng.uniform(0, 1) * (hi - lo + 1));
    const modes = ["absolute", "linear", "none"] as const;
    // Three cores in a chain (core 0 → 1 → 2 → off chip), 256 axons each, 13–70 neurons (SIMD groups and a tail),
    // every reset mode, κ, leak reversal, delays 1–3, and weights large enough to saturate the membrane.
    const sizes = [70, 45, 13];
    const cores = sizes.map((N, c) => ({
      axonTypes: Uint8Array.from({ length: 256 }, () => int(0, 3)),
      crossbar: Uint8Array.from({ length: 256 * N }, () => (rng.uniform(0, 1) < 0.4 ? 1 : 0)),
      neurons: Array.from(
        { length: N },
        (): TrueNorthNeuronConfig => ({
          weights: [int(-255, 255), int(-255, 255), int(-40, 60), int(-20, 80)],
          leak: int(-5, 3),
          leakReversal: rng.uniform(0, 1) < 0.3,
          alpha: int(1, 400),
          beta: int(0, 300),
          kappa: rng.uniform(0, 1) < 0.5,
          resetMode: modes[int(0, 2)] as (typeof modes)[number],
          resetVoltage: int(0, 30),
          initialV: int(-50, 50),
        }),
      ),
      targets: Array.from({ length: N }, (_, j) =>
        c + 1 < sizes.length
          ? ({ kind: "axon", core: c + 1, axon: j % 256, delay: int(1, 3) } as const)
          : ({ kind: "output", index: j % 10 } as const),
      ),
    }));
    const chip = {
      cores,
      inputs: Array.from({ length: 40 }, (_, k) => [
        { core: 0, axon: k },
        { core: 0, axon: 100 + k },
      ]),
      outputs: 10,
    };
    const run = (wasm: boolean) => {
      const emulator = new TrueNorthEmulator(chip, trueNorthLimits(), { wasm });
      const counters = newTrueNorthCounters();
      const outputs = new Float64Array(10);
      const spikes: string[] = [];
      const byCore = new Float64Array(3);
      const lines = new Int32Array(40);
      const draw = createRandom(5);
      for (let sample = 0; sample < 3; sample++) {
        emulator.reset();
        for (let t = 0; t < 60; t++) {
          let n = 0;
          for (let k = 0; k < 40; k++) if (draw.uniform(0, 1) < 0.3) lines[n++] = k;
          emulator.step(lines.subarray(0, n), outputs, counters, (core, slot) => spikes.push(`${sample}:${t}:${core}:${slot}`), byCore);
        }
      }
      return { counters, outputs: [...outputs], spikes, byCore: [...byCore] };
    };
    const js = run(false);
    const wasm = run(true);
    expect(js.counters.spikes).toBeGreaterThan(100);
    expect(js.counters.outputSpikes).toBeGreaterThan(10);
    expect(wasm).toEqual(js);
  });

  it("refuses a configuration outside the chip's limits, naming each", () => {
    const issues = chipIssues(
      {
        cores: [
          {
            axonTypes: new Uint8Array(257),
            crossbar: new Uint8Array(257),
            neurons: [{ ...base, weights: [300, 0, 0, 0] }],
            targets: [{ kind: "axon", core: 5, axon: 0, delay: 16 }],
          },
        ],
        inputs: [],
        outputs: 0,
      },
      trueNorthLimits(),
    );
    expect(issues).toEqual([
      "core 0: 257 axons; a core has 256",
      "core 0 neuron 0: weights [300, 0, 0, 0] outside the signed range -256…255",
      "core 0 neuron 0: targets core 5 axon 0, which does not exist",
      "core 0 neuron 0: delay 16 outside 1…15 ticks",
    ]);
  });
});

const runtime = createRuntime({ plugins: [lifPlugin], seed: 9 });

/** A TrueNorth-ready network: IF neurons, rate-coded input, ternary weights ±a_j per neuron, each neuron seeing `group` inputs. */
function constrained(layers: number[], group: number, seed: number, extra: Partial<Parameters<typeof sequentialSpec>[0]> = {}) {
  const spec: NetworkSpec = sequentialSpec({
    layers,
    neuron: "lif",
    params: { beta: 1, threshold: 1 },
    timeSteps: 12,
    encoder: { name: "rate" },
    ...extra,
  });
  const rng = createRandom(seed);
  const weights: Weights = {};
  for (let l = 0; l + 1 < layers.length; l++) {
    const [inF, out] = [layers[l] as number, layers[l + 1] as number];
    const w = new Float32Array(out * inF);
    for (let j = 0; j < out; j++) {
      const a = [0.25, 0.375, 0.5][j % 3] as number;
      const start = (j * 7) % Math.max(1, inF - group + 1);
      for (let i = start; i < Math.min(inF, start + group); i++) {
        const r = rng.uniform(0, 1);
        w[j * inF + i] = r < 0.45 ? a : r < 0.75 ? -a : 0;
      }
    }
    weights[`fc${l + 1}.weight`] = { shape: [out, inF], data: w };
    weights[`fc${l + 1}.bias`] = { shape: [out], data: Float32Array.from({ length: out }, (_, j) => ((j % 5) - 2) / 16) };
  }
  return { spec, weights };
}

describe("mapping and emulating a constrained network on TrueNorth", () => {
  it("maps within every core limit, one target per neuron, and spikes exactly as the float model", async () => {
    const { spec, weights } = constrained([300, 120, 40, 10], 100, 1);
    const plan = bindWeights(runtime, runtime.plan(spec), weights);
    const mapping = mapTrueNorth(runtime, plan);
    expect(chipIssues(mapping.chip, mapping.limits)).toEqual([]);
    for (const core of mapping.chip.cores) {
      expect(core.axonTypes.length).toBeLessThanOrEqual(256);
      expect(core.neurons.length).toBeLessThanOrEqual(256);
      expect(core.targets).toHaveLength(core.neurons.length);
    }
    // Each neuron with more than one destination axon needs splitters; every layer but the last has some here.
    expect(mapping.layers.map((l) => l.weightLevels)).toEqual([2, 2, 2]);
    expect(mapping.layers[0]?.splitters).toBeGreaterThan(0);
    expect(mapping.layers.every((l) => l.quantizationError === 0)).toBe(true);
    expect(mapping.latencyTicks).toBe(2);
    const inputs = Float32Array.from({ length: 6 * 300 }, (_, i) => ((i * 37) % 100) / 100);
    const tn = await new TrueNorthNetwork(mapping, plan).run(inputs, 6, createRandom(4), { record: true });
    const float = await floatEmulator(runtime, mapping.floatPlan).run(inputs, 6, createRandom(4), { record: true });
    expect(tn.rasters).toEqual(float.rasters);
    expect(tn.scores).toEqual(float.scores);
    expect(tn.counters.layers.map((l) => l.spikes)).toEqual(float.counters.layers.map((l) => l.spikes));
    expect(tn.counters.layers.reduce((s, l) => s + l.spikes, 0)).toBeGreaterThan(100);
  });

  it("names the first TrueNorth limit a network breaks", () => {
    const dense = constrained([400, 8, 4], 400, 2);
    expect(() => mapTrueNorth(runtime, bindWeights(runtime, runtime.plan(dense.spec), dense.weights))).toThrow(
      /'fc1' neuron \d+ needs \d+ axons \(one per input and weight value\); a TrueNorth core has 256/,
    );
    const leaky = constrained([16, 4], 16, 3, { params: { beta: 0.9, threshold: 1 } });
    expect(() => mapTrueNorth(runtime, bindWeights(runtime, runtime.plan(leaky.spec), leaky.weights))).toThrow(/β must be 1/);
    const direct = constrained([16, 4], 16, 3, { encoder: { name: "direct" } });
    expect(() => mapTrueNorth(runtime, bindWeights(runtime, runtime.plan(direct.spec), direct.weights))).toThrow(
      /TrueNorth takes spikes only/,
    );
    const levels = constrained([16, 4], 16, 3);
    const w = levels.weights["fc1.weight"]?.data as Float32Array;
    w.set([0.25, 0.5, -0.5, 0.125, -0.75], 0);
    expect(() => mapTrueNorth(runtime, bindWeights(runtime, runtime.plan(levels.spec), levels.weights))).toThrow(
      /'fc1' neuron 0 has [5-9] distinct weights after rounding; a TrueNorth neuron has one signed weight per axon type \(4\)/,
    );
  });

  it("deploys through the truenorth backend: it fits, the chip's accuracy equals its float model's, energy is 26 pJ per synaptic event", async () => {
    const rt = createRuntime({ plugins: [lifPlugin, neuromorphicPlugin], seed: 9 });
    const { spec, weights } = constrained([300, 120, 40, 10], 100, 1);
    const plan = bindWeights(rt, rt.plan(spec), weights);
    const truenorth = await rt.backend("truenorth");
    expect(truenorth.check(plan)).toEqual({ fits: true, issues: [] });
    const d = await truenorth.deploy(plan);
    const count = 40;
    const data = {
      inputs: Float32Array.from({ length: count * 300 }, (_, i) => ((i * 53) % 97) / 97),
      labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
      count,
      features: 300,
      classes: 10,
    };
    const rng = (offset: number) => createRandom(100 + offset);
    const chip = await evaluateEmulator(d.emulator, data, rng, 16);
    const float = await evaluateEmulator(d.floatEmulator, data, rng, 16);
    expect(chip.scores).toEqual(float.scores);
    expect(d.report).toMatchObject({
      target: "truenorth",
      inputMode: "spikes",
      cores: d.report.coreMap.length,
      latencyTicks: 2,
      ticksPerSample: 14,
    });
    expect(d.report.trueNorth?.map((l) => l.layer)).toEqual(["lif1", "lif2", "lif3"]);
    const events = totals(chip.counters).synapticEvents;
    expect(events).toBeGreaterThan(0);
    expect(d.energy(chip.counters).joules).toBeCloseTo(events * 26e-12, 18);
    // A dense, leaky, direct-input network is refused with every constraint it breaks.
    const dense = constrained([300, 8, 4], 300, 2, { params: { beta: 0.9, threshold: 1 }, encoder: { name: "direct" } });
    const verdict = truenorth.check(bindWeights(rt, rt.plan(dense.spec), dense.weights));
    expect(verdict.fits).toBe(false);
    expect(verdict.issues.map((i) => i.constraint)).toEqual(["axonsPerCore", "inputSpikes", "neuronModel", "neuronModel"]);
  });
});

describe("constraint-aware training for TrueNorth", () => {
  it("adapts the spec, trains ternary grouped weights, and the trained network deploys with the float model's accuracy", async () => {
    const rt = createRuntime({ plugins: [lifPlugin, tfjsPlugin({ workers: 1 }), neuromorphicPlugin], seed: 2 });
    const truenorth = await rt.backend("truenorth");
    const base = sequentialSpec({ layers: [200, 64, 4], neuron: "lif", params: { beta: 0.9 }, timeSteps: 16 });
    const prep = truenorth.prepareTraining(base);
    expect(prep.notes).toEqual([
      "lif1: beta = 1 (TrueNorth's neuron requires it)",
      "lif2: beta = 1 (TrueNorth's neuron requires it)",
      "encoder: rate instead of 'direct' (TrueNorth takes spikes only)",
      "weights: ternary per neuron, ≤ 128 inputs per neuron (grouped fan-in), trained through a straight-through estimator",
    ]);
    expect(prep.spec.encoder.name).toBe("rate");
    // Four classes, each a bright band of 50 of the 200 inputs: rate-coded spikes.
    const data = (count: number, seed: number) => {
      const r = createRandom(seed);
      const inputs: number[] = [];
      const labels: number[] = [];
      for (let n = 0; n < count; n++) {
        const c = n % 4;
        for (let i = 0; i < 200; i++) inputs.push(Math.floor(i / 50) === c ? 0.7 + 0.2 * r.uniform(0, 1) : 0.1 * r.uniform(0, 1));
        labels.push(c);
      }
      return { inputs, labels };
    };
    const plan = rt.plan(prep.spec);
    const constraints = prep.constraints(plan);
    expect(constraints.map((c) => c.layer)).toEqual(["fc1", "fc2"]);
    const run = await (await rt.backend("tfjs")).train(plan, {
      train: data(512, 1),
      test: data(200, 2),
      epochs: 3,
      batchSize: 32,
      learningRate: 5e-3,
      weightConstraints: constraints,
    });
    // Every neuron: at most two non-zero values (±a), only on its group's ≤ 128 inputs.
    const w = run.weights["fc1.weight"]?.data as Float32Array;
    for (let j = 0; j < 64; j++) {
      const row = Array.from(w.subarray(j * 200, (j + 1) * 200));
      expect(new Set(row.filter((x) => x !== 0).map(Math.abs)).size).toBeLessThanOrEqual(1);
      expect(row.filter((x, i) => x !== 0 && !constraints[0]?.mask?.[j * 200 + i])).toEqual([]);
    }
    const bound = bindWeights(rt, plan, run.weights);
    expect(truenorth.check(bound)).toEqual({ fits: true, issues: [] });
    const test = toDataset(data(200, 3));
    const onChip = await truenorth.evaluate(bound, test);
    const d = await truenorth.deploy(bound);
    const onFloat = await evaluateEmulator(d.floatEmulator, test, (o) => rt.random(`emulate-${o}`));
    expect(onChip.accuracy).toBe(onFloat.accuracy);
    expect(onChip.accuracy).toBeGreaterThan(0.9);
  }, 120_000);
});

describe("evaluating a deployment on every core", () => {
  // Rate-coded input, so each batch's random stream matters; 10 batches of 32, the last one short.
  const { spec, weights } = constrained([300, 120, 40, 10], 100, 3);
  const plan = bindWeights(runtime, runtime.plan(spec), weights);
  const count = 300;
  const inputs = Float32Array.from({ length: count * 300 }, (_, i) => ((i * 53) % 97) / 97);
  const test = toDataset({ inputs, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), features: 300 });
  const rngFor = (offset: number) => runtime.random(`parallel-${offset}`);

  it.each(["truenorth", "loihi"])(
    "gives the serial run's scores and counters with worker threads (%s)",
    async (target) => {
      const d = await deploy(runtime, plan, target);
      expect(d.source?.plugins.length).toBeGreaterThan(0);
      const pool = EmulatorPool.start(d, 2, { count, batchSize: 32 });
      expect(pool?.threads).toBe(2);
      // Started: Loihi's 300 samples take less than a worker's start-up.
      expect(await pool?.ready()).toBe(1);
      try {
        for (const which of ["chip", "float"] as const) {
          const serial = await evaluateDeployment(d, which, test, rngFor, { batchSize: 32, threads: 1 });
          const parallel = await evaluateDeployment(d, which, test, rngFor, { batchSize: 32, ...(pool ? { pool } : {}) });
          // The worker emulated some of the batches.
          expect(serial.threads).toBe(1);
          expect(parallel.threads).toBe(2);
          expect(Array.from(parallel.scores)).toEqual(Array.from(serial.scores));
          expect(parallel.counters).toEqual(serial.counters);
          expect(totals(serial.counters).spikes).toBeGreaterThan(500);
        }
      } finally {
        await pool?.close();
        await d.release();
      }
    },
    60_000,
  );

  it("runs serially where there is too little work to repay the workers' start-up", async () => {
    const d = await deploy(runtime, plan, "truenorth");
    expect(EmulatorPool.start(d, 2, { count: 100, batchSize: 64 })).toBeUndefined();
    const ev = await evaluateDeployment(d, "chip", subsetOf(test, 100), rngFor, { batchSize: 64, threads: 2 });
    expect(ev.threads).toBe(1);
    await d.release();
  });
});

const subsetOf = (data: ReturnType<typeof toDataset>, n: number) =>
  toDataset({ inputs: data.inputs.subarray(0, n * data.features), labels: data.labels.subarray(0, n), features: data.features });
