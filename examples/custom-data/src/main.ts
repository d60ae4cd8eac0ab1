/**
 * Your own data, not MNIST: a spiking network learns to tell three noisy
 * waveforms apart (sine, square, sawtooth, 32 samples each), fed as plain
 * arrays and as an async iterator (e.g. rows parsed from a file as they
 * arrive). Rate-coded input: each sample becomes spikes with its value as the
 * probability. Run: `node dist/main.js`.
 */
import "reflect-metadata";
import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { collectDataset, createRandom, createRuntime, type Example, sequentialSpec } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";

const LENGTH = 32;
const CLASSES = ["sine", "square", "sawtooth"] as const;

/** One waveform of class `label`, random phase and frequency, noise added, scaled into [0, 1]. */
function waveform(label: number, rng: ReturnType<typeof createRandom>): number[] {
  const phase = rng.uniform(0, 2 * Math.PI);
  const cycles = rng.uniform(1.5, 3);
  return Array.from({ length: LENGTH }, (_, i) => {
    const x = phase + (2 * Math.PI * cycles * i) / LENGTH;
    const clean = label === 0 ? Math.sin(x) : label === 1 ? Math.sign(Math.sin(x)) : ((x / Math.PI) % 2) - 1;
    return Math.min(1, Math.max(0, 0.5 + 0.4 * clean + 0.08 * rng.normal()));
  });
}

/** Plain arrays, as a user has them: inputs row-major, labels as class indices. */
function arrays(count: number, seed: number): { inputs: number[]; labels: number[] } {
  const rng = createRandom(seed);
  const inputs: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % CLASSES.length;
    inputs.push(...waveform(label, rng));
    labels.push(label);
  }
  return { inputs, labels };
}

/** The same kind of data as an async stream of examples. */
async function* stream(count: number, seed: number): AsyncGenerator<Example> {
  const rng = createRandom(seed);
  for (let i = 0; i < count; i++) yield { input: waveform(i % CLASSES.length, rng), label: i % CLASSES.length };
}

const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin()], seed: 1 });
const spec = sequentialSpec({
  name: "waveforms",
  layers: [LENGTH, 128, CLASSES.length],
  neuron: "lif",
  params: { beta: 0.9 },
  timeSteps: 20,
  encoder: { name: "direct" },
});
const plan = runtime.plan(spec);
const tfjs = await runtime.backend("tfjs");
const test = await collectDataset(stream(300, 99), { classes: CLASSES.length });
const run = await tfjs.train(plan, {
  train: arrays(3000, 7),
  test,
  epochs: 20,
  batchSize: 50,
  learningRate: 3e-3,
  earlyStopping: { patience: 4 },
});
for (const e of run.history)
  console.log(`epoch ${e.epoch}: loss ${e.trainLoss.toFixed(3)}, test ${((e.testAccuracy ?? 0) * 100).toFixed(1)}%`);

const confusion = CLASSES.map(() => CLASSES.map(() => 0));
run.evaluation?.predictions.forEach((p, i) => {
  const row = confusion[test.labels[i] as number] as number[];
  row[p] = (row[p] as number) + 1;
});
console.log("confusion (rows: true class):", Object.fromEntries(CLASSES.map((c, i) => [c, confusion[i]])));
console.log(JSON.stringify({ accuracy: run.evaluation?.accuracy, epochs: run.history.length, status: run.status, test: test.count }));
