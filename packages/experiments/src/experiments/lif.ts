/**
 * Sections 2–4 of the paper: LIF traces, the F–I curve with rheobase (Fig. 1),
 * activation fits (Fig. 2) and the non-dimensional collapse. Each experiment
 * is a function from a config to a JSON-serialisable result plus figures.
 */
import {
  analyticRate,
  constantCurrent,
  FI_PROTOCOLS,
  type FiProtocol,
  fiCurve,
  fitActivations,
  lifParameters,
  measureRate,
  rheobase,
  scales,
  searchFitRange,
  simulateLif,
  toDimensionless,
} from "@neurobridge/neurons-lif";
import type { FigureSpec } from "@neurobridge/plots";
import { PAPER_CLAIMS } from "../paper-claims.js";

const round = (x: number, d = 6) => Number(x.toFixed(d));

/** Config of {@link lifTraces}. */
export interface TracesConfig {
  readonly currentsPA: readonly number[];
  readonly durationMs: number;
  readonly dtMs: number;
}

/** Voltage traces at the slides' four currents, with rates under the slides' protocol and analytically. */
export function lifTraces(config: TracesConfig) {
  const p = lifParameters();
  const rows = config.currentsPA.map((currentPA) => {
    const trace = simulateLif(p, constantCurrent(currentPA * 1e-12), {
      duration: config.durationMs / 1000,
      dt: config.dtMs / 1000,
      integrator: "euler",
    });
    const v = trace.voltage as Float64Array;
    // Keep every 10th sample (1 ms at dt 0.1 ms) for the figure; spikes are drawn at their times.
    const stride = Math.max(1, Math.round(1 / config.dtMs));
    const samples: { tMs: number; vMV: number }[] = [];
    for (let k = 0; k < v.length; k += stride) samples.push({ tMs: round(k * config.dtMs, 3), vMV: round((v[k] as number) * 1e3, 3) });
    return {
      currentPA,
      spikeCount: trace.spikeTimes.length,
      rateHz: round(trace.spikeTimes.length / (config.durationMs / 1000)),
      analyticHz: round(analyticRate(p, currentPA * 1e-12)),
      spikeTimesMs: trace.spikeTimes.map((t) => round(t * 1e3, 3)),
      samples,
    };
  });
  const values = rows.flatMap((r) => r.samples.map((s) => ({ ...s, current: `${r.currentPA} pA (${r.rateHz.toFixed(1)} Hz)` })));
  const figure: FigureSpec = {
    id: "lif-traces",
    title: "LIF membrane potential at four input currents",
    caption: `Euler, dt ${config.dtMs} ms, Table 1 parameters. Below and at rheobase (200 pA) the membrane settles without spiking; above it the neuron fires regularly (rates: spikes/${config.durationMs} ms).`,
    spec: {
      width: 520,
      height: 110,
      data: { values },
      facet: { row: { field: "current", type: "nominal", title: null, sort: config.currentsPA.map((c) => `${c}`) } },
      spec: {
        width: 520,
        height: 110,
        layer: [
          {
            mark: { type: "line", strokeWidth: 1.2 },
            encoding: {
              x: { field: "tMs", type: "quantitative", title: "Time (ms)" },
              y: { field: "vMV", type: "quantitative", title: "V (mV)", scale: { domain: [-80, -50] } },
            },
          },
          { mark: { type: "rule", strokeDash: [4, 3], color: "#c33" }, encoding: { y: { datum: -55 } } },
        ],
      },
    } as FigureSpec["spec"],
  };
  return { result: { rows: rows.map(({ samples: _s, ...r }) => r), thresholdMV: -55 }, figures: [figure] };
}

/** Config of the F–I and fit experiments. */
export interface FiConfig {
  readonly fromPA: number;
  readonly toPA: number;
  readonly stepPA: number;
  readonly protocol: keyof typeof FI_PROTOCOLS;
  /** Candidate upper ends of the fitted range when searching for the paper's R². */
  readonly searchToPA: readonly number[];
}

/** The F–I curve (analytic and simulated) with rheobase — Fig. 1. */
export function fiExperiment(config: FiConfig) {
  const p = lifParameters();
  const protocol: FiProtocol = FI_PROTOCOLS[config.protocol];
  const curve = fiCurve(p, { from: config.fromPA * 1e-12, to: config.toPA * 1e-12, step: config.stepPA * 1e-12 }, protocol);
  const slides = [150, 200, 250, 350].map((pa) => ({
    currentPA: pa,
    slidesProtocolHz: round(
      measureRate(simulateLif(p, constantCurrent(pa * 1e-12), { duration: 0.3, record: false }).spikeTimes, FI_PROTOCOLS.slides),
    ),
    analyticHz: round(analyticRate(p, pa * 1e-12)),
  }));
  const values = curve.rows.flatMap((r) => [
    { currentPA: r.currentPA, rateHz: r.analyticHz, curve: "analytic" },
    { currentPA: r.currentPA, rateHz: r.simulatedHz, curve: `simulated (${protocol.integrator}, ${protocol.method})` },
  ]);
  const figure: FigureSpec = {
    id: "fig1-fi-curve",
    title: "Fig. 1 — F–I curve of the LIF neuron",
    caption: `Analytic steady-state rate and simulated rate (protocol '${config.protocol}'); the dashed line marks the rheobase, ${curve.rheobasePA} pA.`,
    spec: {
      width: 520,
      height: 300,
      layer: [
        {
          data: { values },
          mark: { type: "line", strokeWidth: 2 },
          encoding: {
            x: { field: "currentPA", type: "quantitative", title: "Input current (pA)" },
            y: { field: "rateHz", type: "quantitative", title: "Firing rate (Hz)" },
            color: { field: "curve", type: "nominal", title: null, legend: { orient: "top-left" } },
          },
        },
        { mark: { type: "rule", strokeDash: [5, 4], color: "#c33" }, encoding: { x: { datum: curve.rheobasePA } } },
      ],
    } as FigureSpec["spec"],
  };
  return {
    result: {
      rheobasePA: curve.rheobasePA,
      protocol: config.protocol,
      rows: curve.rows.map((r) => ({ currentPA: r.currentPA, analyticHz: round(r.analyticHz), simulatedHz: round(r.simulatedHz) })),
      slides,
    },
    figures: [figure],
  };
}

/** ReLU, sigmoid and LIF-curve fits with R², and the range that comes closest to the paper's R² — Fig. 2. */
export function fitsExperiment(config: FiConfig) {
  const p = lifParameters();
  const protocol = FI_PROTOCOLS[config.protocol];
  const curve = fiCurve(p, { from: config.fromPA * 1e-12, to: config.toPA * 1e-12, step: config.stepPA * 1e-12 }, protocol);
  const data = { x: curve.rows.map((r) => r.currentPA), y: curve.rows.map((r) => r.simulatedHz) };
  const fits = fitActivations(data);
  const targets = { relu: PAPER_CLAIMS.reluR2.value, sigmoid: PAPER_CLAIMS.sigmoidR2.value };
  const search = searchFitRange(p, protocol, { targets, fromPA: config.fromPA, stepPA: config.stepPA, candidatesToPA: config.searchToPA });
  const lines = data.x.flatMap((x, i) => [
    { currentPA: x, rateHz: data.y[i] as number, curve: "LIF (simulated)" },
    { currentPA: x, rateHz: fits.relu.predict(x), curve: `ReLU fit (R² ${fits.relu.r2.toFixed(4)})` },
    { currentPA: x, rateHz: fits.sigmoid.predict(x), curve: `sigmoid fit (R² ${fits.sigmoid.r2.toFixed(4)})` },
  ]);
  const figure: FigureSpec = {
    id: "fig2-activation-fits",
    title: "Fig. 2 — F–I curve vs fitted ReLU and sigmoid",
    caption: `Least-squares fits over ${config.fromPA}–${config.toPA} pA. ReLU captures the sharp onset but not saturation; the sigmoid saturates but smooths the threshold. The paper's R² (${targets.relu}, ${targets.sigmoid}) is closest over ${search.best.fromPA}–${search.best.toPA} pA.`,
    spec: {
      width: 520,
      height: 300,
      data: { values: lines },
      mark: { type: "line", strokeWidth: 2 },
      encoding: {
        x: { field: "currentPA", type: "quantitative", title: "Input current (pA)" },
        y: { field: "rateHz", type: "quantitative", title: "Firing rate (Hz)" },
        color: {
          field: "curve",
          type: "nominal",
          title: null,
          scale: { range: ["#1f77b4", "#d62728", "#2ca02c"] },
          legend: { orient: "top-left" },
        },
      },
    } as FigureSpec["spec"],
  };
  const r = (fit: { r2: number; rmse: number; params: Record<string, number> }) => ({
    ...Object.fromEntries(Object.entries(fit.params).map(([k, v]) => [k, round(v)])),
    r2: round(fit.r2),
    rmseHz: round(fit.rmse, 4),
  });
  return {
    result: {
      rangePA: { from: config.fromPA, to: config.toPA },
      relu: r(fits.relu),
      sigmoid: r(fits.sigmoid),
      lif: r(fits.lif),
      paper: targets,
      closestRange: search.best,
      rangeScores: search.scores,
    },
    figures: [figure],
  };
}

/** Config of {@link collapseExperiment}. */
export interface CollapseConfig {
  readonly parameterSets: readonly Record<string, string>[];
  readonly currents: readonly number[];
}

/** Parameter sets with the same dimensionless reset and refractory period share one F–I curve. */
export function collapseExperiment(config: CollapseConfig) {
  const sets = config.parameterSets.map((input, i) => {
    const p = lifParameters(input);
    const s = scales(p);
    const d = toDimensionless(p);
    const rows = config.currents.map((iTilde) => {
      const protocol = { duration: 100 * p.tauM, dt: 0.01 * p.tauM, integrator: "exact" as const, discard: 0, method: "isi" as const };
      const trace = simulateLif(p, constantCurrent(s.toPhysicalCurrent(iTilde)), {
        duration: protocol.duration,
        dt: protocol.dt,
        integrator: "exact",
        record: false,
      });
      const rateHz = measureRate(trace.spikeTimes, protocol);
      return {
        iTilde,
        physicalPA: round(s.toPhysicalCurrent(iTilde) * 1e12, 3),
        rateHz: round(rateHz),
        rTilde: s.toDimensionlessRate(rateHz),
      };
    });
    return {
      name: `set ${i + 1}`,
      input,
      rheobasePA: round(rheobase(p) * 1e12, 3),
      tauMMs: round(p.tauM * 1e3, 3),
      dimensionless: { vReset: round(d.vReset, 9), tRef: round(d.tRef, 9) },
      rows,
    };
  });
  let maxSpread = 0;
  config.currents.forEach((_, k) => {
    const values = sets.map((s) => (s.rows[k] as { rTilde: number }).rTilde);
    maxSpread = Math.max(maxSpread, Math.max(...values) - Math.min(...values));
  });
  const physical = sets.flatMap((s) =>
    s.rows.map((r) => ({
      x: r.physicalPA,
      y: r.rateHz,
      set: `${s.name}: τ_m ${s.tauMMs} ms, I_rheo ${s.rheobasePA} pA`,
      view: "physical",
    })),
  );
  const dimensionless = sets.flatMap((s) =>
    s.rows.map((r) => ({
      x: r.iTilde,
      y: r.rTilde,
      set: `${s.name}: τ_m ${s.tauMMs} ms, I_rheo ${s.rheobasePA} pA`,
      view: "dimensionless",
    })),
  );
  const panel = (values: object[], x: string, y: string) => ({
    width: 250,
    height: 220,
    data: { values },
    mark: { type: "line", point: { filled: false, size: 70, strokeWidth: 1.5 }, strokeWidth: 1.5 },
    encoding: {
      x: { field: "x", type: "quantitative", title: x },
      y: { field: "y", type: "quantitative", title: y },
      color: { field: "set", type: "nominal", title: null, legend: { orient: "bottom", columns: 1 } },
      // Distinct open markers: on the right the curves coincide, and all three stay visible.
      shape: { field: "set", type: "nominal", title: null, scale: { range: ["circle", "square", "triangle-up"] } },
    },
  });
  const figure: FigureSpec = {
    id: "dimensionless-collapse",
    title: "Non-dimensional collapse of the F–I curve",
    caption: `Different physical parameters (left) with the same ṽ_reset and t̃_ref fall on one curve f·τ_m versus I/I_rheo (right); largest spread between sets: ${maxSpread.toExponential(2)}.`,
    spec: {
      hconcat: [panel(physical, "Input current (pA)", "Firing rate (Hz)"), panel(dimensionless, "I / I_rheo", "f · τ_m")],
    } as FigureSpec["spec"],
  };
  return { result: { sets, maxSpread }, figures: [figure] };
}
