/**
 * Plots of recordings (`run(…, { record })`): spike rasters, membrane traces,
 * spike-count histograms and per-layer activity, as Vega-Lite specs. Pure
 * functions of the recordings — no rendering here — so the same figure
 * renders to SVG/PNG in Node (`@neurobridge/plots/node`) or live in a page
 * with vega-embed.
 */
import { type LayerRecording, NeuroBridgeError, type RecordKind } from "@neurobridge/core";
import type { FigureSpec } from "./figure.js";

/** The plots of one recorded sample (`neurobridge plot <kind>`). */
export const PLOT_KINDS = ["raster", "membrane", "counts", "activity"] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

/** What each plot needs recorded. */
export const PLOT_RECORDS: Readonly<Record<PlotKind, readonly RecordKind[]>> = {
  raster: ["spikes"],
  membrane: ["membrane", "spikes"],
  counts: ["spikes"],
  activity: ["spikes"],
};

/** Options shared by the plots of one sample. */
export interface SampleOptions {
  /** Which sample of the recorded batch (default 0). */
  readonly sample?: number;
  /** Title override. */
  readonly title?: string;
}

const WIDTH = 520;

function checkSample(recording: LayerRecording, sample: number): void {
  if (!(Number.isInteger(sample) && sample >= 0 && sample < recording.batch)) {
    throw new NeuroBridgeError("OPTION_INVALID", `sample: must be an integer 0…${recording.batch - 1} (the recorded batch), got ${sample}`);
  }
}

function needs<K extends "spikes" | "membrane">(recording: LayerRecording, kind: K): NonNullable<LayerRecording[K]> {
  const data = recording[kind];
  if (!data) throw new NeuroBridgeError("OPTION_INVALID", `layer '${recording.id}' has no ${kind} recording; run with record: ["${kind}"]`);
  return data as NonNullable<LayerRecording[K]>;
}

/** Spike count of every neuron of `recording` in `sample`, over all steps. */
export function spikeCounts(recording: LayerRecording, sample = 0): Int32Array {
  checkSample(recording, sample);
  const spikes = needs(recording, "spikes");
  const { size: N, batch: B, timeSteps: T } = recording;
  const counts = new Int32Array(N);
  for (let t = 0; t < T; t++) {
    const off = (t * B + sample) * N;
    for (let n = 0; n < N; n++) counts[n] = (counts[n] as number) + (spikes[off + n] as number);
  }
  return counts;
}

/**
 * A spike raster per layer (one panel each, top to bottom): a mark at
 * (step, neuron) for every spike of `sample`.
 */
export function rasterFigure(recordings: readonly LayerRecording[], options: SampleOptions = {}): FigureSpec {
  if (recordings.length === 0) throw new NeuroBridgeError("OPTION_INVALID", 'rasterFigure: no recordings (run with record: ["spikes"])');
  const sample = options.sample ?? 0;
  const panels = recordings.map((r) => {
    checkSample(r, sample);
    const spikes = needs(r, "spikes");
    const values: { step: number; neuron: number }[] = [];
    for (let t = 0; t < r.timeSteps; t++) {
      const off = (t * r.batch + sample) * r.size;
      for (let n = 0; n < r.size; n++) if (spikes[off + n]) values.push({ step: t, neuron: n });
    }
    return {
      title: `${r.id} (${r.model}, ${r.size} neurons): ${values.length} spikes`,
      width: WIDTH,
      height: Math.max(60, Math.min(220, r.size)),
      data: { values },
      mark: { type: "square", size: Math.max(2, Math.min(30, 6000 / (r.size * r.timeSteps) + 4)), color: "#1f2937", opacity: 0.9 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "time step", scale: { domain: [-0.5, r.timeSteps - 0.5] } },
        y: { field: "neuron", type: "quantitative", title: "neuron", scale: { domain: [-0.5, r.size - 0.5], nice: false } },
      },
    };
  });
  return {
    id: "raster",
    title: options.title ?? `Spike raster, sample ${sample}`,
    caption: `Every spike of sample ${sample} in each spiking layer, by time step and neuron.`,
    spec: { $schema: "https://vega.github.io/schema/vega-lite/v6.json", vconcat: panels },
  };
}

/** Options of {@link membraneFigure}. */
export interface MembraneOptions extends SampleOptions {
  /** Neurons to draw (default: the `count` that spiked most in this sample). */
  readonly neurons?: readonly number[];
  /** How many neurons when `neurons` is not given (default 5). */
  readonly count?: number;
}

/**
 * Membrane traces of a few neurons of one layer over the steps of `sample`,
 * with the threshold as a dashed line and each spike as a dot on its trace.
 */
export function membraneFigure(recording: LayerRecording, options: MembraneOptions = {}): FigureSpec {
  const sample = options.sample ?? 0;
  checkSample(recording, sample);
  const v = needs(recording, "membrane");
  const { size: N, batch: B, timeSteps: T } = recording;
  let neurons = options.neurons ? [...options.neurons] : undefined;
  for (const n of neurons ?? []) {
    if (!(Number.isInteger(n) && n >= 0 && n < N)) {
      throw new NeuroBridgeError("OPTION_INVALID", `neurons: ${n} is not a neuron of layer '${recording.id}'; accepted: 0…${N - 1}`);
    }
  }
  if (!neurons) {
    const count = Math.min(options.count ?? 5, N);
    const order = Array.from({ length: N }, (_, n) => n);
    if (recording.spikes) {
      const c = spikeCounts(recording, sample);
      order.sort((a, b) => (c[b] as number) - (c[a] as number) || a - b);
    }
    neurons = order.slice(0, count).sort((a, b) => a - b);
  }
  const trace: { step: number; neuron: string; v: number }[] = [];
  const dots: { step: number; neuron: string; v: number }[] = [];
  for (const n of neurons) {
    for (let t = 0; t < T; t++) {
      const i = (t * B + sample) * N + n;
      const point = { step: t, neuron: `#${n}`, v: v[i] as number };
      trace.push(point);
      if (recording.spikes?.[i]) dots.push(point);
    }
  }
  const layers: object[] = [
    {
      data: { values: trace },
      mark: { type: "line", interpolate: "step-after", strokeWidth: 1.6 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "time step" },
        y: { field: "v", type: "quantitative", title: "membrane (before reset)" },
        color: { field: "neuron", type: "nominal", title: "neuron", sort: neurons.map((n) => `#${n}`) },
      },
    },
  ];
  if (dots.length) {
    layers.push({
      data: { values: dots },
      mark: { type: "point", filled: true, size: 40 },
      encoding: {
        x: { field: "step", type: "quantitative" },
        y: { field: "v", type: "quantitative" },
        color: { field: "neuron", type: "nominal" },
      },
    });
  }
  const threshold = recording.threshold;
  if (threshold?.length) {
    const uniform = threshold.every((x) => x === threshold[0]);
    if (uniform) {
      layers.push({
        data: { values: [{ theta: threshold[0] }] },
        mark: { type: "rule", strokeDash: [6, 4], color: "#b91c1c" },
        encoding: { y: { field: "theta", type: "quantitative" } },
      });
    }
  }
  return {
    id: "membrane",
    title: options.title ?? `Membrane of ${recording.id} (${recording.model}), sample ${sample}`,
    caption: `Membrane before reset of neurons ${neurons.join(", ")} of ${recording.id}; dots mark spikes${threshold ? ", the dashed line the threshold" : ""}.`,
    spec: { $schema: "https://vega.github.io/schema/vega-lite/v6.json", width: WIDTH, height: 260, layer: layers },
  };
}

/** Histogram of spike counts per neuron (over the steps of `sample`), one colour per layer. */
export function spikeCountHistogram(recordings: readonly LayerRecording[], options: SampleOptions = {}): FigureSpec {
  const sample = options.sample ?? 0;
  const values = recordings.flatMap((r) => Array.from(spikeCounts(r, sample), (count) => ({ layer: r.id, count })));
  return {
    id: "spike-counts",
    title: options.title ?? `Spike counts per neuron, sample ${sample}`,
    caption: "How many neurons of each layer fired how many spikes over the sample's time steps.",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: WIDTH,
      height: 240,
      data: { values },
      mark: { type: "bar", opacity: 0.75 },
      encoding: {
        x: { field: "count", type: "quantitative", bin: { maxbins: 26 }, title: "spikes per neuron", axis: { format: "d" } },
        y: { aggregate: "count", type: "quantitative", title: "neurons", stack: null },
        color: { field: "layer", type: "nominal", title: "layer" },
      },
    },
  };
}

/** Fraction of each layer's neurons firing at each step, averaged over the recorded batch. */
export function layerActivityFigure(recordings: readonly LayerRecording[], options: Omit<SampleOptions, "sample"> = {}): FigureSpec {
  const values = recordings.flatMap((r) => {
    const spikes = needs(r, "spikes");
    return Array.from({ length: r.timeSteps }, (_, t) => {
      let events = 0;
      const frame = r.batch * r.size;
      for (let i = t * frame; i < (t + 1) * frame; i++) events += spikes[i] as number;
      return { layer: r.id, step: t, rate: events / frame };
    });
  });
  return {
    id: "layer-activity",
    title: options.title ?? "Activity per layer and step",
    caption: "Fraction of each layer's neurons that spiked at each time step, averaged over the recorded samples.",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: WIDTH,
      height: 240,
      data: { values },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "step", type: "quantitative", title: "time step" },
        y: { field: "rate", type: "quantitative", title: "fraction of neurons spiking", axis: { format: "%" } },
        color: { field: "layer", type: "nominal", title: "layer" },
      },
    },
  };
}
