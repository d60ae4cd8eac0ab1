/**
 * The SNN panel: draw a digit, and the paper's 784-256-256-10 LIF network
 * (a checkpoint trained by NeuroBridge, bundled, or one the user loads) runs
 * in NeuroBridge's event-driven emulator in the page; each layer's spike
 * raster and the output spike counts are shown.
 */
import { type EventDrivenEmulator, floatEmulator } from "@neurobridge/backend-neuromorphic/browser";
import { createRuntime, decodeSafetensors, type LayerRecording, parseSpec, type Runtime } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { layerActivityFigure } from "@neurobridge/plots";
import type { View } from "vega";
import type { TopLevelSpec } from "vega-lite";
import { el } from "./chart.js";
import { toMnist } from "./digit.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const runtime: Runtime = createRuntime({ plugins: [lifPlugin], seed: 1 });

let emulator: EventDrivenEmulator | undefined;
let samples: { label: number; pixels: number[] }[] = [];
let sampleIndex = 0;

async function loadModel(specText: string, weights: Uint8Array, name: string): Promise<void> {
  const spec = parseSpec(specText, runtime, name);
  const { tensors } = decodeSafetensors(weights, `${name} weights`);
  emulator = floatEmulator(runtime, runtime.plan(spec, tensors));
  const T = spec.timeSteps;
  const sizes = emulator.plan.populations.map((p) => `${p.id} ${p.size}`).join(", ");
  $("model-note").textContent =
    `${name}: ${sizes} LIF neurons, T = ${T} steps, encoder '${spec.encoder.name}'. Draw a digit (white on black), or show a test digit.`;
}

function drawCounts(scores: Float32Array, T: number): void {
  const svg = $("counts") as unknown as SVGSVGElement;
  svg.replaceChildren(...Array.from(svg.querySelectorAll(":scope > title")));
  const best = scores.indexOf(Math.max(...scores));
  scores.forEach((c, i) => {
    const h = (c / Math.max(T, 1)) * 120;
    const x = 21 + i * 30;
    svg.append(
      el("rect", { x: x - 11, y: 140 - h, width: 22, height: h, fill: i === best ? "#c0392b" : "#1f6feb" }),
      el("text", { x, y: 158, "text-anchor": "middle", "font-size": 12 }, String(i)),
      el("text", { x, y: 136 - h, "text-anchor": "middle", "font-size": 10 }, String(c)),
    );
  });
}

function drawRasters(rasters: Uint8Array[], T: number): void {
  const host = $("rasters");
  host.replaceChildren();
  emulator?.plan.populations.forEach((p, l) => {
    const raster = rasters[l] as Uint8Array;
    const div = document.createElement("div");
    div.className = "raster";
    const canvas = document.createElement("canvas");
    canvas.width = p.size;
    canvas.height = T;
    canvas.setAttribute("role", "img");
    const total = raster.reduce((s, v) => s + v, 0);
    canvas.setAttribute("aria-label", `Spike raster of ${p.id}: ${total} spikes`);
    const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
    const image = ctx.createImageData(p.size, T);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < p.size; j++) {
        const k = (t * p.size + j) * 4;
        const on = raster[t * p.size + j] === 1;
        image.data[k] = on ? 20 : 255;
        image.data[k + 1] = on ? 20 : 255;
        image.data[k + 2] = on ? 20 : 255;
        image.data[k + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
    const caption = document.createElement("p");
    caption.textContent = `${p.id}: ${total} spikes (${((total / (T * p.size)) * 100).toFixed(1)}% of neuron-steps); neuron →, time ↓`;
    div.append(caption, canvas);
    host.append(div);
  });
}

/** The emulator's rasters of one sample (`[1, T, size]` = `[T, 1, size]`) as recordings. */
function recordingsOf(rasters: readonly Uint8Array[], T: number): LayerRecording[] {
  return (emulator?.plan.populations ?? []).map((p, l) => ({
    id: p.id,
    model: "emulated",
    size: p.size,
    timeSteps: T,
    batch: 1,
    spikes: rasters[l] as Uint8Array,
  }));
}

let activityView: View | undefined;

/**
 * The layer-activity figure of `@neurobridge/plots`, rendered live by vega as
 * SVG (vega loads on first use, in its own chunk, so the page starts fast).
 */
async function drawActivity(rasters: readonly Uint8Array[], T: number): Promise<void> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const figure = layerActivityFigure(recordingsOf(rasters, T), { title: "Activity per layer and step" });
  const spec = { ...figure.spec, width: "container", height: 180, config: { font: "system-ui, sans-serif" } } as TopLevelSpec;
  activityView?.finalize();
  activityView = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "svg", container: $("activity"), hover: true });
  await activityView.runAsync();
}

async function classify(input: Float32Array): Promise<void> {
  if (!emulator) return;
  const run = await emulator.run(input, 1, runtime.random("page"), { record: true });
  const T = emulator.plan.chain.timeSteps;
  const best = run.scores.indexOf(Math.max(...run.scores));
  const silent = run.scores.every((c) => c === 0);
  $("prediction").textContent = silent ? "no output spikes — draw more" : `${best} (${run.scores[best]} of ${T} steps)`;
  $("prediction").dataset.digit = silent ? "" : String(best);
  drawCounts(run.scores, T);
  drawRasters(run.rasters ?? [], T);
  await drawActivity(run.rasters ?? [], T);
}

/** Mounts the drawing pad and the network views. */
export async function mountSnnPanel(): Promise<void> {
  const pad = $<HTMLCanvasElement>("pad");
  const ctx = pad.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D;
  const clear = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, pad.width, pad.height);
  };
  clear();
  const padInput = () => {
    const data = ctx.getImageData(0, 0, pad.width, pad.height).data;
    const grey = new Float32Array(pad.width * pad.height);
    for (let i = 0; i < grey.length; i++) grey[i] = (data[i * 4] as number) / 255;
    return toMnist(grey, pad.width, pad.height);
  };
  let drawing = false;
  let last: [number, number] | undefined;
  const point = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  pad.addEventListener("pointerdown", (e) => {
    drawing = true;
    last = point(e);
    pad.setPointerCapture(e.pointerId);
  });
  pad.addEventListener("pointermove", (e) => {
    if (!drawing || !last) return;
    const p = point(e);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 18;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    void classify(padInput());
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  $("clear").addEventListener("click", () => {
    clear();
    $("prediction").textContent = "–";
    $("prediction").dataset.digit = "";
  });
  $("sample").addEventListener("click", () => {
    const s = samples[sampleIndex++ % Math.max(1, samples.length)];
    if (!s) return;
    const img = ctx.createImageData(28, 28);
    s.pixels.forEach((v, i) => {
      img.data.set([v, v, v, 255], i * 4);
    });
    clear();
    const tmp = document.createElement("canvas");
    tmp.width = 28;
    tmp.height = 28;
    (tmp.getContext("2d") as CanvasRenderingContext2D).putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, 0, 0, pad.width, pad.height);
    void classify(Float32Array.from(s.pixels, (v) => v / 255));
  });
  $("load-model").addEventListener("click", async () => {
    const spec = $<HTMLInputElement>("spec-file").files?.[0];
    const weights = $<HTMLInputElement>("weights-file").files?.[0];
    if (!spec || !weights) {
      $("model-note").textContent = "Choose both files: the checkpoint's spec.json and weights.safetensors.";
      return;
    }
    try {
      await loadModel(await spec.text(), new Uint8Array(await weights.arrayBuffer()), spec.name);
    } catch (e) {
      $("model-note").textContent = `Could not load that checkpoint: ${(e as Error).message}`;
    }
  });
  try {
    const [specText, weights, sampleJson] = await Promise.all([
      fetch("./models/paper-snn/spec.json").then((r) => r.text()),
      fetch("./models/paper-snn/weights.safetensors").then((r) => r.arrayBuffer()),
      fetch("./models/samples.json").then((r) => r.json() as Promise<typeof samples>),
    ]);
    samples = sampleJson;
    await loadModel(specText, new Uint8Array(weights), "The paper's SNN (trained by `neurobridge paper`, 97.6% on MNIST)");
    document.body.dataset.snnReady = "true";
  } catch (e) {
    $("model-note").textContent = `The bundled network did not load: ${(e as Error).message}`;
  }
}
