/**
 * Train → evaluate → save → export → deploy, from code: the paper's SNN on
 * an MNIST subset, evaluated on tfjs and on emulated Loihi, saved as a
 * checkpoint the CLI accepts, exported to ONNX (run back in ONNX Runtime) and
 * to NIR. Run: `node dist/main.js [outDir]`.
 */
import "reflect-metadata"; // first: tsyringe needs it before it loads
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeOnnx, evaluateOnnx, exportOnnx, neuromorphicPlugin, OnnxNetwork } from "@neurobridge/backend-neuromorphic";
import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { bindWeights, createRuntime, subset } from "@neurobridge/core";
import { saveCheckpoint } from "@neurobridge/core/node";
import { loadMnist } from "@neurobridge/mnist";
import { lifPlugin, paperNetwork } from "@neurobridge/neurons-lif";
import { nirPlugin, writeNir } from "@neurobridge/nir";

const out = process.argv[2] ?? "train-from-code-out";
mkdirSync(out, { recursive: true });

const runtime = createRuntime({ plugins: [lifPlugin, nirPlugin, tfjsPlugin(), neuromorphicPlugin], seed: 42 });
const spec = runtime.validateSpec(paperNetwork("snn", { timeSteps: 25, beta: 0.95 }));
const plan = runtime.plan(spec);
const train = subset(loadMnist("train"), 8192);
const test = subset(loadMnist("test"), 1000);

// 1. Train on tfjs: typed by name, so `train` exists without a cast.
const tfjs = await runtime.backend("tfjs");
const run = await tfjs.train(plan, {
  train,
  test,
  epochs: 2,
  batchSize: 128,
  learningRate: 2e-3,
  earlyStopping: { patience: 1 },
  onEpoch: (e) => console.log(`epoch ${e.epoch}: loss ${e.trainLoss.toFixed(3)}, test ${((e.testAccuracy ?? 0) * 100).toFixed(1)}%`),
});
console.log(`trained (${run.status}) on ${run.workers} worker(s):`, run.implementations);

// 2. Evaluate the same weights on tfjs and on emulated Loihi (fixed point).
const bound = bindWeights(runtime, plan, run.weights);
const onTfjs = await tfjs.evaluate(bound, test);
const loihi = await runtime.backend("loihi");
console.log("fits on Loihi:", loihi.check(bound).fits);
const onLoihi = await loihi.evaluate(bound, test);

// 3. Save a checkpoint (`neurobridge eval --checkpoint <out>/snn` reads it).
saveCheckpoint(join(out, "snn"), { spec, weights: run.weights });

// 4. ONNX: export, then run the file in ONNX Runtime.
const onnx = exportOnnx(bound, { mode: "unrolled" });
writeFileSync(join(out, "snn.onnx"), onnx.bytes);
const network = await OnnxNetwork.load(runtime, onnx.bytes, decodeOnnx(onnx.bytes, "snn.onnx").description, "snn.onnx");
const onOnnx = await evaluateOnnx(network, test, runtime.random("onnx"));

// 5. NIR for other tools (Norse, snnTorch, Sinabs, Lava …).
const nir = await writeNir(runtime, bound);
writeFileSync(join(out, "snn.nir"), nir.bytes);

const summary = {
  status: run.status,
  epochs: run.history.length,
  tfjs: onTfjs.accuracy,
  loihi: onLoihi.accuracy,
  onnx: onOnnx.accuracy,
  onnxAgrees: onOnnx.predictions.every((p, i) => p === onTfjs.predictions[i]),
  nirNodes: Object.keys(nir.graph.nodes).length,
};
console.log(JSON.stringify(summary));
