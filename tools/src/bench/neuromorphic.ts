/**
 * Benchmark: off the training backend. Loads (or, without `--snn`/`--ffnn`,
 * trains for one epoch) the paper's FFNN and SNN, then measures on the MNIST
 * test set:
 *
 * - ONNX Runtime (onnxruntime-node, 2 threads) samples/s for the FFNN and for
 *   the SNN as an unrolled graph and as a step graph, exact (no weight
 *   pre-packing) and pre-packed, with accuracy;
 * - the event-driven emulators' samples/s: float32 and Loihi fixed point,
 *   with the deployment report (cores, quantisation, energy per inference).
 *
 * `--snn DIR --ffnn DIR` use trained checkpoints; `--count N` test images for
 * the emulators (default 10,000); `--threads N` threads that emulate (default:
 * every core; 1 = serial).
 */
import "reflect-metadata";
import { resolve } from "node:path";
import {
  decodeOnnx,
  defaultEmulatorThreads,
  deploy,
  EmulatorPool,
  evaluateDeployment,
  evaluateOnnx,
  exportOnnx,
  neuromorphicPlugin,
  OnnxNetwork,
  totals,
} from "@neurobridge/backend-neuromorphic";
import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { createRuntime, initWeights, type NetworkSpec, sequentialSpec, type Weights } from "@neurobridge/core";
import { loadCheckpoint } from "@neurobridge/core/node";
import { loadMnist, subset } from "@neurobridge/mnist";
import { lifPlugin } from "@neurobridge/neurons-lif";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin(), neuromorphicPlugin], seed: 42 });
const test = loadMnist("test");
const count = Number(arg("count") ?? test.count);
const threads = Number(arg("threads") ?? defaultEmulatorThreads());
const specs: Record<"ffnn" | "snn", NetworkSpec> = {
  ffnn: sequentialSpec({ layers: [784, 256, 256, 10], neuron: "relu", outputNeuron: false }),
  snn: sequentialSpec({ layers: [784, 256, 256, 10], neuron: "lif", params: { beta: 0.95 }, timeSteps: 25 }),
};

async function network(model: "ffnn" | "snn"): Promise<{ spec: NetworkSpec; weights: Weights; source: string }> {
  const given = arg(model);
  if (given) {
    // npm runs workspace scripts in tools/; paths are relative to where npm was called.
    const dir = resolve(process.env.INIT_CWD ?? process.cwd(), given);
    const ck = loadCheckpoint(dir, runtime);
    return { spec: ck.spec, weights: ck.weights, source: given };
  }
  const backend = await runtime.backend("tfjs");
  const plan = runtime.plan(specs[model]);
  const trainer = await (backend.createTrainer as NonNullable<typeof backend.createTrainer>)(
    plan,
    initWeights(plan.spec, runtime.random("init"), runtime),
    { seed: 42 },
  );
  const result = await trainer.fit({ train: loadMnist("train"), epochs: 1, batchSize: 128, learningRate: 1e-3 });
  await trainer.dispose();
  return { spec: plan.spec, weights: result.weights, source: "trained 1 epoch" };
}

const rows: string[][] = [];
const json: Record<string, unknown> = {};
for (const model of ["ffnn", "snn"] as const) {
  const { spec, weights, source } = await network(model);
  const chain = runtime.plan(spec, weights);
  const modes = chain.spiking ? (["unrolled", "step"] as const) : ([undefined] as const);
  for (const mode of modes) {
    const exported = exportOnnx(chain, mode ? { mode } : {});
    const { description } = decodeOnnx(exported.bytes, "bench.onnx");
    for (const prepack of [false, true]) {
      const net = await OnnxNetwork.load(runtime, exported.bytes, description, "bench.onnx", { threads: 2, prepack });
      await evaluateOnnx(net, subset(test, 512), runtime.random("warm"));
      const ev = await evaluateOnnx(net, test, runtime.random("onnx"));
      await net.release();
      const label = `${model} onnx ${exported.info.mode}${prepack ? " prepacked" : ""}`;
      rows.push([label, ev.samplesPerSecond.toFixed(0), (ev.accuracy * 100).toFixed(2), source]);
      json[label] = { samplesPerSecond: ev.samplesPerSecond, accuracy: ev.accuracy };
    }
  }
  if (chain.spiking) {
    const d = await deploy(runtime, chain, "loihi");
    const data = subset(test, count);
    // Every core, as `neurobridge deploy` runs it: worker threads placed once (their start-up is inside the first run's time).
    const pool = EmulatorPool.start(d, threads, { count: data.count, batchSize: 256 });
    // Throughput of emulation, not of starting threads: both measurements begin with the workers up,
    // and warm (each path emulates 512 images first, as the ONNX sessions are warmed above).
    await pool?.ready();
    for (const which of ["chip", "float"] as const) {
      await evaluateDeployment(d, which, subset(test, 512), (offset) => runtime.random(`w${offset}`), {
        threads,
        ...(pool ? { pool } : {}),
      });
    }
    for (const [label, which] of [
      ["snn emulator loihi fixed", "chip"],
      ["snn emulator float32", "float"],
    ] as const) {
      const ev = await evaluateDeployment(d, which, data, (offset) => runtime.random(`e${offset}`), { threads, ...(pool ? { pool } : {}) });
      const t = totals(ev.counters);
      rows.push([label, ev.samplesPerSecond.toFixed(0), (ev.accuracy * 100).toFixed(2), `${data.count} images, ${ev.threads} thread(s)`]);
      json[label] = {
        samplesPerSecond: ev.samplesPerSecond,
        accuracy: ev.accuracy,
        synapticEventsPerSample: t.synapticEvents / data.count,
        spikesPerSample: t.spikes / data.count,
        energyJoulesPerSample: d.energy(ev.counters).joulesPerSample,
        threads: ev.threads,
      };
    }
    await pool?.close();
    json.deployment = d.report;
    await d.release();
  }
}
process.stdout.write(`path\tsamples/s\taccuracy %\tnetwork\n${rows.map((r) => r.join("\t")).join("\n")}\n`);
process.stdout.write(`RESULT_JSON ${JSON.stringify(json)}\n`);
