// Refreshes the playground's bundled model and sample digits:
//   node apps/playground/scripts/bundle-model.mjs [--checkpoint DIR]
// --checkpoint copies a NeuroBridge SNN checkpoint's spec.json and
// weights.safetensors into public/models/paper-snn/; samples.json gets the
// first MNIST test image of each class (grey levels 0–255). Needs `npm run build`.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadMnist } from "@neurobridge/mnist";

const here = dirname(fileURLToPath(import.meta.url));
const models = join(here, "..", "public", "models");
const i = process.argv.indexOf("--checkpoint");
if (i > 0) {
  const dir = process.argv[i + 1];
  mkdirSync(join(models, "paper-snn"), { recursive: true });
  for (const f of ["spec.json", "weights.safetensors"]) copyFileSync(join(dir, f), join(models, "paper-snn", f));
}
const test = loadMnist("test", { normalization: "unit" });
const samples = [];
for (let digit = 0; digit < 10; digit++) {
  const k = Array.from(test.labels).indexOf(digit);
  samples.push({ label: digit, index: k, pixels: Array.from(test.inputs.subarray(k * 784, (k + 1) * 784), (v) => Math.round(v * 255)) });
}
writeFileSync(join(models, "samples.json"), `${JSON.stringify(samples)}\n`);
console.log(`wrote ${join(models, "samples.json")}`);
