/**
 * The LIF family beside the paper's LIF: each member's F–I curve with its
 * ReLU and sigmoid fits (does any variant capture the threshold and the
 * saturation the paper says ReLU and sigmoid miss?), adaptation (first-ISI
 * against steady-state rate), the AdEx firing-pattern gallery of Naud et al.
 * (2008), and — from the training steps — an MNIST table for the network
 * models `lif`, `alif` and `cuba-lif`.
 */
import {
  ADEX_PRESETS,
  adaptationIndex,
  adexNeuron,
  detectBursts,
  familyFi,
  familyFits,
  isiCv,
  POINT_NEURONS,
  type PointPreset,
  pointParams,
} from "@neurobridge/neurons-lif";
import type { FigureSpec } from "@neurobridge/plots";
import { snnCost } from "./cost.js";
import type { TrainResult } from "./training.js";

const round = (x: number, d = 6) => Number(x.toFixed(d));

/** Config of {@link neuronModelsExperiment}. */
export interface NeuronModelsConfig {
  readonly fromPA: number;
  readonly toPA: number;
  readonly stepPA: number;
  /** Steady-state protocol: simulated time, step, transient discarded (1/mean ISI after it). */
  readonly durationS: number;
  readonly dtMs: number;
  readonly discardS: number;
  /** Gallery: simulated time and step of each preset's trace. */
  readonly galleryDurationMs: number;
  readonly galleryDtMs: number;
}

/** The F–I curves, fits, adaptation and the AdEx gallery. */
export function neuronModelsExperiment(config: NeuronModelsConfig) {
  const protocol = {
    duration: config.durationS,
    dt: config.dtMs / 1000,
    integrator: "euler",
    discard: config.discardS,
    method: "isi" as const,
  };
  const sweep = { from: config.fromPA * 1e-12, to: config.toPA * 1e-12, step: config.stepPA * 1e-12 };
  const models = Object.values(POINT_NEURONS).map((model) => {
    const p = pointParams(model);
    const fi = familyFi(model, p, sweep, protocol);
    const fits = familyFits(fi.rows);
    // Adaptation at twice the rheobase: the first interval against the last.
    const at = familyFi(model, p, { from: 2 * model.rheobase(p), to: 2 * model.rheobase(p), step: 1 }, protocol).rows[0];
    return {
      name: model.name,
      description: model.description,
      source: model.source,
      rheobasePA: fi.rheobasePA,
      rows: fi.rows.map((r) => ({
        currentPA: r.currentPA,
        simulatedHz: round(r.simulatedHz),
        analyticHz: r.analyticHz === null ? null : round(r.analyticHz),
      })),
      reluR2: round(fits.relu.r2),
      sigmoidR2: round(fits.sigmoid.r2),
      firstIsiHzAt2xRheobase: at?.firstIsiHz === null || at === undefined ? null : round(at.firstIsiHz),
      steadyIsiHzAt2xRheobase: at?.steadyIsiHz === null || at === undefined ? null : round(at.steadyIsiHz),
    };
  });
  const gallery = Object.entries(ADEX_PRESETS)
    .filter(([, preset]) => preset.current !== undefined)
    .map(([name, preset]: [string, PointPreset]) => {
      const p = pointParams(adexNeuron, {}, name);
      const dt = config.galleryDtMs / 1000;
      const trace = adexNeuron.simulate(
        p,
        { kind: "step", amplitude: preset.current as number, start: 0.02 },
        { duration: config.galleryDurationMs / 1000, dt, integrator: "euler" },
      );
      const v = trace.states?.v as Float64Array;
      const stride = Math.max(1, Math.round(0.5 / config.galleryDtMs));
      const samples: { tMs: number; vMV: number }[] = [];
      for (let k = 0; k < v.length; k += stride)
        samples.push({ tMs: round(k * config.galleryDtMs, 3), vMV: round((v[k] as number) * 1e3, 2) });
      // Draw each spike up to the peak (the reset hides it on the grid).
      for (const t of trace.spikeTimes) samples.push({ tMs: round(t * 1e3, 3), vMV: 0 });
      samples.sort((a, b) => a.tMs - b.tMs);
      return {
        preset: name,
        description: preset.description,
        source: preset.source,
        currentPA: round((preset.current as number) * 1e12),
        spikeCount: trace.spikeTimes.length,
        adaptationIndex: round(adaptationIndex(trace.spikeTimes)),
        bursts: detectBursts(trace.spikeTimes).length,
        isiCv: round(isiCv(trace.spikeTimes, 3)),
        samples,
      };
    });
  const best = (key: "reluR2" | "sigmoidR2") => models.reduce((a, b) => (b[key] > a[key] ? b : a));
  const worst = (key: "reluR2" | "sigmoidR2") => models.reduce((a, b) => (b[key] < a[key] ? b : a));
  const adapted = models.filter(
    (m) =>
      m.firstIsiHzAt2xRheobase !== null && m.steadyIsiHzAt2xRheobase !== null && m.firstIsiHzAt2xRheobase > 1.2 * m.steadyIsiHzAt2xRheobase,
  );
  const fiFigure: FigureSpec = {
    id: "neuron-models-fi",
    title: "F–I curves of the LIF family",
    caption:
      `Steady-state rate (1/mean ISI after ${config.discardS * 1000} ms; Euler, dt ${config.dtMs} ms) of each member with its default parameters (coba's include a 5 nS excitatory and inhibitory background); rheobases from each model's equations. ` +
      `ReLU fits ${best("reluR2").name} best (R² ${best("reluR2").reluR2.toFixed(3)}) and ${worst("reluR2").name} worst (${worst("reluR2").reluR2.toFixed(3)}); sigmoid fits ${best("sigmoidR2").name} best (${best("sigmoidR2").sigmoidR2.toFixed(3)}). ` +
      `${adapted.length ? `${adapted.map((m) => m.name).join(" and ")} adapt: at twice the rheobase the first interval's rate exceeds the steady one by more than 20%, which no static activation captures.` : "No member adapts by more than 20% at twice its rheobase."}`,
    spec: {
      width: 560,
      height: 320,
      data: {
        values: models.flatMap((m) =>
          m.rows.map((r) => ({ model: `${m.name} (R² ReLU ${m.reluR2.toFixed(3)}, sigmoid ${m.sigmoidR2.toFixed(3)})`, ...r })),
        ),
      },
      mark: { type: "line", point: { size: 14 } },
      encoding: {
        x: { field: "currentPA", type: "quantitative", title: "Input current (pA)" },
        y: { field: "simulatedHz", type: "quantitative", title: "Firing rate (Hz)" },
        color: { field: "model", type: "nominal", title: null, legend: { orient: "top-left", columns: 1 } },
      },
    } as FigureSpec["spec"],
  };
  const galleryFigure: FigureSpec = {
    id: "adex-gallery",
    title: "AdEx firing patterns (Naud et al. 2008)",
    caption: `Membrane potential of the AdEx model under a current step at 20 ms with each Naud et al. (2008) parameter set (Table 1, V_peak = 0 mV; Euler, dt ${config.galleryDtMs} ms). Tonic, adapting, initial burst, regular bursting, delayed accelerating and irregular spiking come from the same equations with different parameters.`,
    spec: {
      data: { values: gallery.flatMap((g) => g.samples.map((s) => ({ ...s, pattern: `${g.preset} (${g.currentPA} pA)` }))) },
      facet: {
        row: {
          field: "pattern",
          type: "nominal",
          title: null,
          sort: gallery.map((g) => `${g.preset} (${g.currentPA} pA)`),
          header: { labelAngle: 0, labelOrient: "top", labelAnchor: "start", labelFontSize: 12, labelPadding: 2 },
        },
      },
      spec: {
        width: 560,
        height: 70,
        mark: { type: "line", strokeWidth: 0.9 },
        encoding: {
          x: { field: "tMs", type: "quantitative", title: "Time (ms)" },
          y: { field: "vMV", type: "quantitative", title: "V (mV)", scale: { domain: [-80, 5] } },
        },
      },
    } as FigureSpec["spec"],
  };
  return {
    result: { models, gallery: gallery.map(({ samples: _s, ...g }) => g), protocol: { ...protocol, dtMs: config.dtMs } },
    figures: [fiFigure, galleryFigure],
  };
}

/** One row of the MNIST table of the network models. */
export interface NeuronModelRow {
  readonly neuron: string;
  readonly epochs: number;
  readonly timeSteps: number;
  readonly testAccuracy: number;
  readonly spikesPerSample: number;
  readonly energyCmos45J: number;
  readonly energyLoihiJ: number;
  readonly secondsPerEpoch: number;
  readonly implementation: string;
}

/** The MNIST table: accuracy, spikes and energy per inference of each trained network model. */
export function neuronModelTable(runs: readonly { neuron: string; result: TrainResult }[]): NeuronModelRow[] {
  return runs.map(({ neuron, result }) => {
    const cost = snnCost(result);
    return {
      neuron,
      epochs: result.config.epochs,
      timeSteps: result.config.timeSteps,
      testAccuracy: result.testAccuracy,
      spikesPerSample: result.activity.reduce((s, a) => s + a.eventsPerSample, 0),
      energyCmos45J: cost.energy.cmos45WithMemory,
      energyLoihiJ: cost.energy.loihi,
      secondsPerEpoch: result.secondsPerEpoch,
      implementation: Object.values(result.implementations)[0] ?? "",
    };
  });
}
