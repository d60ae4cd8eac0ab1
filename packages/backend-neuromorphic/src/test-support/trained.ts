/**
 * Small but really trained networks for parity tests: the paper's shapes
 * (784-256-256-10), one short epoch on an MNIST subset with the tfjs backend,
 * so spikes and logits are those of a working classifier, not of random
 * weights. Deterministic (fixed seeds).
 */
import { type TfjsBackend, tfjsPlugin } from "@neurobridge/backend-tfjs";
import { createRuntime, initWeights, type NetworkSpec, type Runtime, sequentialSpec, type Weights, weightSlots } from "@neurobridge/core";
import { loadMnist, subset } from "@neurobridge/mnist";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { neuromorphicPlugin } from "../backends.js";

export const runtime: Runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin(), neuromorphicPlugin], seed: 3 });

export const paperSnn = (extra: Partial<Parameters<typeof sequentialSpec>[0]> = {}): NetworkSpec =>
  sequentialSpec({ name: "test-snn", layers: [784, 256, 256, 10], neuron: "lif", params: { beta: 0.95 }, timeSteps: 25, ...extra });
export const paperFfnn = (neuron = "relu"): NetworkSpec =>
  sequentialSpec({ name: "test-ffnn", layers: [784, 256, 256, 10], neuron, outputNeuron: false });

let backendPromise: Promise<TfjsBackend> | undefined;
export const tfjsBackend = (): Promise<TfjsBackend> => {
  backendPromise ??= runtime.backend("tfjs") as Promise<TfjsBackend>;
  return backendPromise;
};

/** Trains `spec` for one epoch on the first `samples` training images. */
export async function trainBriefly(spec: NetworkSpec, samples = 2048, seed = 21): Promise<Weights> {
  const backend = await tfjsBackend();
  const trainer = await backend.createTrainer(runtime.plan(spec), initWeights(spec, runtime.random(`init-${seed}`), runtime), {
    seed,
    workers: 1,
  });
  try {
    const result = await trainer.fit({ train: subset(loadMnist("train"), samples), epochs: 1, batchSize: 64, learningRate: 2e-3 });
    return result.weights;
  } finally {
    await trainer.dispose();
  }
}

/** The MNIST test set (10,000 images, pixels in [0, 1]). */
export const mnistTest = () => loadMnist("test");

/** Deterministic weights for every slot of `spec`: entry i of each tensor is `value(i)`. */
export function patternWeights(spec: NetworkSpec, rt: Runtime, value: (i: number) => number): Weights {
  return Object.fromEntries(
    weightSlots(spec, rt).map((slot) => {
      const n = slot.shape.reduce((a, b) => a * b, 1);
      return [slot.name, { shape: [...slot.shape], data: Float32Array.from({ length: n }, (_, i) => value(i)) }];
    }),
  );
}
