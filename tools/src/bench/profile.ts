/**
 * Profile: where the time of a training epoch goes. Trains the paper's SNN
 * (or `--model ffnn`, the FFNN) (784-256-256-10, T = 25 or `--steps T`, β = 0.95, direct input, ce_rate)
 * in this thread for `--batches N` batches (default 60) of `--batch B` samples
 * (default 64, one worker's shard of a 128-sample batch) with the executor's
 * {@link PhaseProfile} and prints every layer's forward and backward, the
 * loss and the optimiser, with the whole epoch extrapolated from them.
 */
import "reflect-metadata";
import { cpus } from "node:os";
import { adamState, adamStep, ChainExecutor, createGemm, executorTrainStep, PhaseProfile, tfjsPlugin } from "@neurobridge/backend-tfjs";
import { createRandom, createRuntime, initWeights, sequentialSpec } from "@neurobridge/core";
import { loadMnist } from "@neurobridge/mnist";
import { lifPlugin } from "@neurobridge/neurons-lif";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const batches = Number(arg("batches", "60"));
// 64: what each of the two workers computes of a 128-sample batch.
const batchSize = Number(arg("batch", "64"));
const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin()], seed: 42 });
await runtime.backend("tfjs");
const model = arg("model", "snn");
const timeSteps = Number(arg("steps", "25"));
const spec =
  model === "ffnn"
    ? sequentialSpec({ layers: [784, 256, 256, 10], neuron: "relu", outputNeuron: false })
    : sequentialSpec({ layers: [784, 256, 256, 10], neuron: "lif", params: { beta: 0.95 }, timeSteps });
const plan = runtime.plan(spec);
const profile = new PhaseProfile();
const gemm = await createGemm({ threads: 1 });
const executor = new ChainExecutor(runtime, plan, gemm, { profile });
const params = Object.fromEntries(
  Object.entries(initWeights(plan.spec, runtime.random("init"), runtime)).map(([name, t]) => [name, Float32Array.from(t.data)]),
);
const train = loadMnist("train");
const f = train.features;
const loss =
  model === "ffnn"
    ? { name: "softmax_ce", params: {}, reads: "logits" as const }
    : { name: "ce_rate", params: {}, reads: "spike-counts" as const };
const adam = adamState(params);
const warmup = 5;
for (let k = 0; k < warmup + batches; k++) {
  if (k === warmup) profile.clear();
  const from = (k * batchSize) % (train.count - batchSize);
  const inputs = train.inputs.subarray(from * f, (from + batchSize) * f);
  const labels = train.labels.subarray(from, from + batchSize);
  const step = await executorTrainStep(executor, params, inputs, labels, loss, createRandom(42).fork(`b${k}`), batchSize);
  profile.timeSync("optimiser (Adam)", () => adamStep(params, step.grads, adam, { learningRate: 1e-3 }));
}
const perBatch = profile.totalMs() / batches;
// Spike density of each layer after these batches: what spike-sparse products can skip.
const probe = await executor.forward(params, train.inputs.subarray(0, batchSize * f), batchSize, createRandom(42).fork("probe"));
const density = probe.layers
  .map((l) => `${l.id} ${((100 * l.output.data.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0)) / l.output.data.length).toFixed(1)}%`)
  .join(", ");
const sparse = Object.entries(executor.sparsity?.choices() ?? {})
  .map(([product, choice]) => `${product} ${choice}`)
  .join(", ");
process.stdout.write(
  `${profile.table()}\n\nspike density after ${warmup + batches} batches: ${density}\nsparse or dense products: ${sparse || (executor.sparsity ? "none fed by spikes" : "all dense (no known GEMM order)")}\n`,
);
process.stdout.write(
  `\n${batches} batches of ${batchSize} in one thread: ${perBatch.toFixed(1)} ms per batch, ${((perBatch * Math.ceil(train.count / batchSize)) / 1000).toFixed(1)} s per epoch in one thread` +
    ` (${cpus()[0]?.model ?? "cpu"}, GEMM ${gemm.name})\n`,
);
await gemm.dispose();
