/**
 * Benchmark: trains the paper's FFNN and SNN (784-256-256-10; SNN T = 25,
 * β = 0.95, direct input, ce_rate, fast-sigmoid) on all 60,000 MNIST training
 * images with Adam lr 1e-3 and batch 128, then evaluates on the 10,000 test
 * images. Prints seconds per epoch, training and inference samples/s and
 * accuracy. `--epochs N` (default 1), `--model ffnn|snn` (default both),
 * `--save DIR` writes each trained network to DIR/<model> (for
 * `bench:neuromorphic`). The last line is `RESULT_JSON {…}` (read by `bench/all`).
 * Compare with the peers only in the same run: `npm run bench -- --peers DIR`.
 */
import "reflect-metadata";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { createRuntime, initWeights, sequentialSpec } from "@neurobridge/core";
import { saveCheckpoint } from "@neurobridge/core/node";
import { loadMnist } from "@neurobridge/mnist";
import { lifPlugin } from "@neurobridge/neurons-lif";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const epochs = Number(arg("epochs", "1"));
const models = arg("model", "ffnn,snn").split(",");
const save = arg("save", "");
const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin()], seed: 42 });
const backend = await runtime.backend("tfjs");
const createTrainer = backend.createTrainer?.bind(backend);
if (!createTrainer) throw new Error("the tfjs backend does not train");
const train = loadMnist("train");
const test = loadMnist("test");
const specs = {
  ffnn: sequentialSpec({ layers: [784, 256, 256, 10], neuron: "relu", outputNeuron: false }),
  snn: sequentialSpec({ layers: [784, 256, 256, 10], neuron: "lif", params: { beta: 0.95 }, timeSteps: 25 }),
};
const rows: string[] = [];
const json: Record<string, unknown> = {};
for (const model of models as (keyof typeof specs)[]) {
  const plan = runtime.plan(specs[model]);
  const trainer = await createTrainer(plan, initWeights(plan.spec, runtime.random("init"), runtime), { seed: 42 });
  const result = await trainer.fit({ train, test, epochs, batchSize: 128, learningRate: 1e-3 });
  const infer = await trainer.evaluate(test);
  await trainer.dispose();
  if (save) saveCheckpoint(join(resolve(process.env.INIT_CWD ?? process.cwd(), save), model), { spec: plan.spec, weights: result.weights });
  const last = result.history.at(-1);
  json[model] = {
    epochSeconds: result.history.map((h) => h.seconds),
    testAccuracy: last?.testAccuracy,
    inferenceSamplesPerSecond: infer.samplesPerSecond,
    workers: trainer.workers,
    // This process's peak resident memory so far (its worker threads included): with one model per process, that model's training and inference.
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
  for (const h of result.history) {
    rows.push(
      [
        model,
        String(h.epoch),
        h.seconds.toFixed(2),
        (train.count / h.seconds).toFixed(0),
        ((h.testAccuracy ?? 0) * 100).toFixed(2),
        h.epoch === epochs ? infer.samplesPerSecond.toFixed(0) : "",
        String(trainer.workers),
        (process.resourceUsage().maxRSS / 1024).toFixed(0),
      ].join("\t"),
    );
  }
}
process.stdout.write(["model\tepoch\ts/epoch\ttrain samples/s\ttest acc %\tinference samples/s\tworkers\tpeak RSS MB", ...rows].join("\n"));
process.stdout.write(
  `\n(${cpus()[0]?.model ?? "cpu"} × ${cpus().length}, Node ${process.version}, GEMM ${String(backend.info?.().gemm)})\n`,
);
process.stdout.write(`RESULT_JSON ${JSON.stringify(json)}\n`);
