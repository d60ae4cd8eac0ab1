/** The self-contained HTML report and the short Markdown summary. */
import type { BridgeResult, ScratchPoint } from "./experiments/bridge.js";
import type { ComparisonRow } from "./experiments/cost.js";
import type { DeploymentResult } from "./experiments/deployment.js";
import type { NeuronModelRow } from "./experiments/neuron-models.js";
import type { Spread } from "./sweep/results.js";

/** What the report reads from the results. */
interface ReportInput {
  readonly meta: { readonly profile: string; readonly seed: number; readonly wallSeconds: number; readonly node: string };
  readonly paperComparison: readonly ComparisonRow[];
  readonly training: {
    readonly ffnn: {
      readonly testAccuracy: number;
      readonly secondsPerEpoch: number;
      readonly history: readonly unknown[];
      readonly inferenceSamplesPerSecond: number;
    };
    readonly snn: {
      readonly testAccuracy: number;
      readonly secondsPerEpoch: number;
      readonly history: readonly unknown[];
      readonly inferenceSamplesPerSecond: number;
    };
  };
  readonly cost: { readonly constants: Record<string, Record<string, { value: number; unit: string; source: string } | undefined>> };
  readonly deployment: DeploymentResult;
  readonly neuronModels: {
    readonly models: readonly {
      readonly name: string;
      readonly rheobasePA: number;
      readonly reluR2: number;
      readonly sigmoidR2: number;
      readonly firstIsiHzAt2xRheobase: number | null;
      readonly steadyIsiHzAt2xRheobase: number | null;
    }[];
    readonly mnist: readonly NeuronModelRow[];
  };
  readonly bridge: BridgeResult & { readonly scratch: readonly ScratchPoint[] };
  readonly seeds: {
    readonly seeds: readonly number[];
    readonly ffnn: { readonly epochs: number; readonly n: number; readonly testAccuracy: Spread };
    readonly snn: readonly { readonly timeSteps: number; readonly epochs: number; readonly n: number; readonly testAccuracy: Spread }[];
  };
}

/** Rows of the bridge table: route, T, accuracy, accumulates, energy. */
function bridgeRows(results: ReportInput): string[][] {
  const b = results.bridge;
  return [
    ...b.scratch.map((p) => [
      "SNN from scratch (mean over seeds)",
      String(p.timeSteps),
      pct(p.accuracy),
      "—",
      `${(p.energyJ * 1e6).toFixed(3)} µJ`,
    ]),
    ...b.routes.map((p) => [
      p.route,
      String(p.timeSteps),
      pct(p.accuracy),
      p.accumulates.toExponential(2),
      `${(p.energyJ * 1e6).toFixed(3)} µJ`,
    ]),
  ];
}

/** What the bridge table says, computed from it. */
function bridgeVerdict(results: ReportInput): string {
  const b = results.bridge;
  const at = (t: number | null) => (t === null ? "at no T of the sweep" : `from T = ${t}`);
  const r2 = (c: readonly { r2: number }[]) => c.map((x) => x.r2.toFixed(3)).join(", ");
  return `The FFNN on the LIF-rate activation reaches ${pct(b.ffnnAccuracy)}. Converted rate-matched it comes within 1 point ${at(b.withinOnePointAt.matched)}; converted to IF neurons ${at(b.withinOnePointAt.if)}. The converted neurons' F–I curves against the trained one: R² ${r2(b.curves.matched)} rate-matched, ${r2(b.curves.if)} IF — an IF neuron's rate is a clipped ReLU of its input, which the LIF-rate curve (silent below its rheobase) is not.`;
}

const BRIDGE_HEAD = ["Route", "T", "Test accuracy", "Accumulates", "Energy 45 nm (MACs + accumulates)"];

/** Rows of the table over seeds: network, training, mean ± sd, min–max, n. */
function seedRows(results: ReportInput): string[][] {
  const row = (name: string, training: string, n: number, a: Spread) => [
    name,
    training,
    `${pct(a.mean)} ± ${(a.sd * 100).toFixed(2)}`,
    `${pct(a.min)} – ${pct(a.max)}`,
    String(n),
  ];
  const { ffnn, snn } = results.seeds;
  return [
    row("FFNN", `${ffnn.epochs} epoch(s)`, ffnn.n, ffnn.testAccuracy),
    ...snn.map((p) => row("SNN", `${p.epochs} epoch(s), T = ${p.timeSteps}`, p.n, p.testAccuracy)),
  ];
}

const SEEDS_HEAD = ["Network", "Training", "Test accuracy, mean ± sd", "Min – max", "Seeds"];

/** Rows of the LIF-family table: [model, rheobase, ReLU R², sigmoid R², first-ISI rate, steady rate]. */
function familyRows(results: ReportInput): string[][] {
  const hz = (x: number | null) => (x === null ? "—" : `${x.toFixed(1)} Hz`);
  return results.neuronModels.models.map((m) => [
    m.name,
    `${m.rheobasePA.toFixed(1)} pA`,
    m.reluR2.toFixed(4),
    m.sigmoidR2.toFixed(4),
    hz(m.firstIsiHzAt2xRheobase),
    hz(m.steadyIsiHzAt2xRheobase),
  ]);
}

/** Rows of the MNIST table of the network models. */
function mnistRows(results: ReportInput): string[][] {
  return results.neuronModels.mnist.map((r) => [
    r.neuron,
    `${r.epochs} epoch(s), T = ${r.timeSteps}`,
    pct(r.testAccuracy),
    r.spikesPerSample.toFixed(0),
    `${(r.energyCmos45J * 1e6).toFixed(2)} µJ`,
    `${(r.energyLoihiJ * 1e6).toFixed(2)} µJ`,
    `${r.secondsPerEpoch.toFixed(1)} s`,
    r.implementation,
  ]);
}

/** What the MNIST table says, in one sentence computed from it. */
function mnistVerdict(results: ReportInput): string {
  const rows = results.neuronModels.mnist;
  if (!rows.length) return "";
  const by = (f: (r: NeuronModelRow) => number, most: boolean) => rows.reduce((a, b) => ((most ? f(b) > f(a) : f(b) < f(a)) ? b : a));
  const acc = by((r) => r.testAccuracy, true);
  const sparse = by((r) => r.spikesPerSample, false);
  const cheap = by((r) => r.energyLoihiJ, false);
  return `In this run ${acc.neuron} is the most accurate (${pct(acc.testAccuracy)}), ${sparse.neuron} spikes least (${sparse.spikesPerSample.toFixed(0)} per sample) and ${cheap.neuron} costs least on Loihi (${(cheap.energyLoihiJ * 1e6).toFixed(2)} µJ per inference)${sparse === cheap ? ": fewer spikes, fewer synaptic events — energy follows sparsity" : ""}.`;
}

const FAMILY_HEAD = ["Model", "Rheobase", "ReLU R²", "Sigmoid R²", "Rate, first ISI (2× rheobase)", "Rate, last ISI (2× rheobase)"];
const MNIST_HEAD = ["Neuron", "Training", "Test accuracy", "Spikes/sample", "Energy 45 nm", "Energy Loihi", "Epoch", "Implementation"];

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Rows of the "off the training backend" table: [path, accuracy, samples/s, note]. */
function deploymentRows(d: DeploymentResult): string[][] {
  const rows = d.onnx.map((o) => [
    `${o.model.toUpperCase()} in ONNX Runtime (${o.mode}, ${o.file})`,
    pct(o.accuracy),
    o.samplesPerSecond.toFixed(0),
    `same prediction as tfjs on ${pct(o.samePredictions)} of ${d.testCount} images; largest score difference ${o.maxAbsDifference}`,
  ]);
  const n = d.nir;
  rows.push([
    `SNN written as NIR and read back (${n.file}, ${n.convention} convention, dt ${n.dt} s)`,
    "—",
    "—",
    `${n.weightsIdentical ? "every weight and parameter identical" : "weights DIFFER"}; same prediction on ${pct(n.samePredictions)} of ${d.testCount} images, largest score difference ${n.maxAbsDifference}${n.warnings.length ? `; for other tools: ${n.warnings.join("; ")}` : ""}`,
  ]);
  const l = d.loihi;
  if (!l.deployed) {
    rows.push(["SNN on emulated Loihi", "does not fit", "—", l.error]);
  } else {
    rows.push([
      "SNN on emulated Loihi (fixed point, event-driven)",
      pct(l.accuracy),
      l.samplesPerSecond.toFixed(0),
      `${l.cores} cores; ${l.synapticEvents.toFixed(0)} synaptic events, ${l.spikes.toFixed(0)} spikes and ${(l.energyJoules * 1e6).toFixed(2)} µJ per inference; ${l.ticksPerSample} ticks (first output after ${l.latencyTicks})`,
    ]);
    rows.push([
      "SNN float model in the event-driven emulator",
      pct(l.floatAccuracy),
      l.floatSamplesPerSecond.toFixed(0),
      "spikes identical to the training backend (tested)",
    ]);
  }
  const tn = d.truenorth;
  if (!tn.deployed) {
    rows.push(["SNN trained for TrueNorth, on emulated TrueNorth", "does not fit", "—", tn.error]);
  } else {
    rows.push([
      "SNN trained for TrueNorth (β = 1, rate-coded input, ternary weights, ≤ 128 inputs per neuron), on emulated TrueNorth (integer cores)",
      pct(tn.accuracy),
      tn.samplesPerSecond.toFixed(0),
      `${tn.cores} cores; ${tn.synapticEvents.toFixed(0)} synaptic events, ${tn.spikes.toFixed(0)} spikes and ${(tn.energyJoules * 1e6).toFixed(2)} µJ per inference; ${tn.ticksPerSample} ticks (first output after ${tn.latencyTicks}); float model ${pct(tn.floatAccuracy)}`,
    ]);
  }
  const dense = d.truenorthUnconstrained;
  rows.push([
    "The paper's SNN on TrueNorth",
    dense.deployed ? pct(dense.accuracy) : "does not fit",
    "—",
    dense.deployed ? `${dense.cores} cores` : dense.error,
  ]);
  return rows;
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function comparisonHtml(rows: readonly ComparisonRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.quantity)}</td><td>${escapeHtml(r.paper)}</td><td>${escapeHtml(r.thisRun)}</td><td>${escapeHtml(r.why)}</td></tr>`,
    )
    .join("\n");
  return `<table class="comparison"><thead><tr><th>Quantity</th><th>Paper</th><th>This run</th><th>Why they differ</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const htmlTable = (head: readonly string[], rows: readonly string[][]) =>
  `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>\n${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("\n")}\n</tbody></table>`;

const mdTable = (head: readonly string[], rows: readonly string[][]) =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

/** report.html: headline table, every figure inline (SVG), constants with sources. */
export function renderReport(
  results: ReportInput,
  figures: readonly { id: string; title: string; caption: string; svg: string }[],
): string {
  const constants = Object.entries(results.cost.constants)
    .flatMap(([profile, entries]) =>
      Object.entries(entries).map(([name, c]) =>
        c
          ? `<tr><td>${profile}</td><td>${name}</td><td>${c.value.toExponential(3)} ${escapeHtml(c.unit)}</td><td>${escapeHtml(c.source)}</td></tr>`
          : "",
      ),
    )
    .join("\n");
  const figs = figures
    .map(
      (f) =>
        `<figure id="${f.id}">${f.svg}<figcaption><strong>${escapeHtml(f.title)}.</strong> ${escapeHtml(f.caption)}</figcaption></figure>`,
    )
    .join("\n");
  const t = results.training;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NeuroBridge — paper reproduction report</title>
<style>
body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.92rem}th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}figure{margin:2rem 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.92rem;color:#444}
</style></head><body>
<h1>Bridging biological neurons and artificial activations — reproduction report</h1>
<p>Profile <strong>${results.meta.profile}</strong>, seed ${results.meta.seed}, Node ${escapeHtml(results.meta.node)}; wall time ${results.meta.wallSeconds.toFixed(1)} s.
FFNN ${(t.ffnn.testAccuracy * 100).toFixed(2)}% (${t.ffnn.history.length} epochs, ${t.ffnn.secondsPerEpoch.toFixed(1)} s/epoch, ${t.ffnn.inferenceSamplesPerSecond.toFixed(0)} inferences/s);
SNN ${(t.snn.testAccuracy * 100).toFixed(2)}% (${t.snn.history.length} epochs, ${t.snn.secondsPerEpoch.toFixed(1)} s/epoch, ${t.snn.inferenceSamplesPerSecond.toFixed(0)} inferences/s).</p>
<h2>Paper vs this run</h2>
${comparisonHtml(results.paperComparison)}
<h2>Off the training backend</h2>
<table><thead><tr><th>Path</th><th>Test accuracy</th><th>Samples/s</th><th>Notes</th></tr></thead><tbody>
${deploymentRows(results.deployment)
  .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
  .join("\n")}
</tbody></table>
<p>${results.deployment.loihi.deployed ? results.deployment.loihi.warnings.map(escapeHtml).join(" ") : ""}</p>
<h2>Across seeds</h2>
<p>Both networks trained with seeds ${results.seeds.seeds.join(", ")} (the T sweep runs as content-addressed jobs; <code>sweep/results.csv</code> holds every run):</p>
${htmlTable(SEEDS_HEAD, seedRows(results))}
<h2>From the rate network to a spiking one</h2>
<p>${escapeHtml(bridgeVerdict(results))}</p>
${htmlTable(BRIDGE_HEAD, bridgeRows(results))}
<h2>The LIF family</h2>
<p>Each member's F–I curve fitted by ReLU and sigmoid (R² over the simulated range), and adaptation at twice its rheobase. The exponential members have a softer, model-given threshold; adaptation (AdEx, ALIF) separates the first interval's rate from the steady one, which no static activation captures.</p>
${htmlTable(FAMILY_HEAD, familyRows(results))}
<p>The network models on MNIST (784-256-256-10, direct input), trained alike (the LIF row is the T = 25 point of the sweep):</p>
${htmlTable(MNIST_HEAD, mnistRows(results))}
<p>${escapeHtml(mnistVerdict(results))}</p>
<h2>Figures</h2>
${figs}
<h2>Energy constants</h2>
<table><thead><tr><th>Profile</th><th>Constant</th><th>Value</th><th>Source</th></tr></thead><tbody>
${constants}
</tbody></table>
<p>Operation counts follow one definition throughout: MACs for real-valued inputs (the SNN's directly encoded first layer, once per inference),
synaptic accumulates from measured spikes for spike-fed layers, and one update per neuron per step. Energies include memory reads where stated.</p>
</body></html>
`;
}

/** summary.md: the headline table "paper vs this run". */
export function renderSummary(results: ReportInput): string {
  const rows = results.paperComparison.map((r) => `| ${r.quantity} | ${r.paper} | ${r.thisRun} | ${r.why} |`).join("\n");
  return `# Paper vs this run

Profile ${results.meta.profile}, seed ${results.meta.seed}, wall time ${results.meta.wallSeconds.toFixed(1)} s.

| Quantity | Paper | This run | Why they differ |
| --- | --- | --- | --- |
${rows}

## Off the training backend

| Path | Test accuracy | Samples/s | Notes |
| --- | --- | --- | --- |
${deploymentRows(results.deployment)
  .map((r) => `| ${r.join(" | ")} |`)
  .join("\n")}

## Across seeds

Seeds ${results.seeds.seeds.join(", ")}; every run is in \`sweep/results.csv\`.

${mdTable(SEEDS_HEAD, seedRows(results))}

## From the rate network to a spiking one

${bridgeVerdict(results)}

${mdTable(BRIDGE_HEAD, bridgeRows(results))}

## The LIF family

${mdTable(FAMILY_HEAD, familyRows(results))}

${mdTable(MNIST_HEAD, mnistRows(results))}

Figures are in \`figures/\` (SVG and PNG), ONNX and NIR models in \`models/\`; everything else is in \`results.json\` and \`report.html\`.
`;
}
