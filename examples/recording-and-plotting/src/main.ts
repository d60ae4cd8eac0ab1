/**
 * Recording and plotting (snnTorch's spk_rec / mem_rec and spikeplot): a
 * briefly trained SNN runs one MNIST digit with spikes and membrane
 * recorded, on tfjs and on the event-driven emulator (same spikes), and the
 * figures are written as PNG and SVG. Run: `node dist/main.js [outDir]`.
 */
import "reflect-metadata";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { neuromorphicPlugin } from "@neurobridge/backend-neuromorphic";
import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { bindWeights, createRuntime, sequentialSpec, subset } from "@neurobridge/core";
import { loadMnist } from "@neurobridge/mnist";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { layerActivityFigure, membraneFigure, rasterFigure, spikeCountHistogram } from "@neurobridge/plots";
import { renderFigure } from "@neurobridge/plots/node";

const out = process.argv[2] ?? "recording-out";
mkdirSync(out, { recursive: true });
const runtime = createRuntime({ plugins: [lifPlugin, tfjsPlugin(), neuromorphicPlugin], seed: 5 });
const spec = sequentialSpec({ layers: [784, 128, 10], neuron: "lif", params: { beta: 0.9 }, timeSteps: 30 });
const plan = runtime.plan(spec);
const tfjs = await runtime.backend("tfjs");
const trained = await tfjs.train(plan, { train: subset(loadMnist("train"), 4096), epochs: 1, batchSize: 64, learningRate: 2e-3 });
const bound = bindWeights(runtime, plan, trained.weights);

const digit = subset(loadMnist("test"), 1);
const onTfjs = await tfjs.compile(bound);
const run = await onTfjs.run(digit.inputs, 1, { record: ["spikes", "membrane"] });
const recordings = run.recordings ?? [];
for (const r of recordings) {
  const spikes = r.spikes?.reduce((s, v) => s + v, 0) ?? 0;
  console.log(`${r.id}: ${r.size} neurons × ${r.timeSteps} steps, ${spikes} spikes, membrane ${r.membrane ? "recorded" : "—"}`);
}
const emulated = await (await runtime.backend("emulator")).compile(bound);
const onChip = await emulated.run(digit.inputs, 1, { record: ["spikes"] });
const same = (onChip.recordings ?? []).every((r, i) => r.spikes?.every((s, j) => s === recordings[i]?.spikes?.[j]));
console.log(`label ${digit.labels[0]}, spike counts out: [${Array.from(run.outputs).join(", ")}]; emulator spikes identical: ${same}`);

const figures = [
  rasterFigure(recordings),
  membraneFigure(recordings[0] as (typeof recordings)[number], { count: 4 }),
  spikeCountHistogram(recordings),
  layerActivityFigure(recordings),
];
for (const figure of figures) {
  const { svg, png } = await renderFigure(figure);
  writeFileSync(join(out, `${figure.id}.svg`), svg);
  writeFileSync(join(out, `${figure.id}.png`), png);
  console.log(`wrote ${figure.id}.png and .svg — ${figure.caption}`);
}
console.log(JSON.stringify({ figures: figures.map((f) => f.id), emulatorIdentical: same, outputs: Array.from(run.outputs) }));
onTfjs.dispose();
emulated.dispose();
