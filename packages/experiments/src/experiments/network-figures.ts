/** Figures 3–7 and the accuracy/energy frontier, from training and cost results. */
import type { FigureSpec } from "@neurobridge/plots";
import { PAPER_CLAIMS } from "../paper-claims.js";
import { ffnnCost, snnCost } from "./cost.js";
import type { TrainResult } from "./training.js";

/** One point of the time-step sweep (accuracy and energy: means over its seeds). */
export interface SweepPoint {
  readonly timeSteps: number;
  readonly testAccuracy: number;
  /** Sample standard deviation, min and max of the test accuracy over the seeds. */
  readonly testAccuracySd?: number;
  readonly testAccuracyMin?: number;
  readonly testAccuracyMax?: number;
  /** Seeds the point averages. */
  readonly seeds?: number;
  readonly energyCmos45: number;
  readonly energyLoihi: number;
  readonly epochs: number;
}

const color = { scale: { domain: ["FFNN", "SNN"], range: ["#1f77b4", "#ff7f0e"] } };

export function networkFigures(ffnn: TrainResult, snn: TrainResult, sweep: readonly SweepPoint[]): FigureSpec[] {
  const curves = (key: "trainLoss" | "trainAccuracy" | "testAccuracy") => [
    ...ffnn.history.map((h) => ({ epoch: h.epoch, value: h[key] ?? null, model: "FFNN" })),
    ...snn.history.map((h) => ({ epoch: h.epoch, value: h[key] ?? null, model: "SNN" })),
  ];
  const fc = ffnnCost(ffnn);
  const sc = snnCost(snn);
  const ops = [
    { model: "FFNN", kind: "FLOPs (this run)", value: fc.flops },
    { model: "FFNN", kind: "FLOPs (paper)", value: PAPER_CLAIMS.ffnnFlopsPerSample.value },
    { model: "SNN", kind: "layer-1 FLOPs (2·MACs)", value: 2 * sc.firstLayerMacs },
    { model: "SNN", kind: "synaptic accumulates", value: sc.accumulates },
    { model: "SNN", kind: "neuron updates", value: sc.neuronUpdates },
    { model: "SNN", kind: "SOPs (paper)", value: PAPER_CLAIMS.snnSopsPerSample.value },
  ];
  const sparsity = [
    ...ffnn.activity.map((a) => ({ layer: `FFNN ${a.nodeId}`, measure: "active (this run)", value: 1 - a.silentFraction })),
    { layer: "FFNN (paper)", measure: "active (paper)", value: PAPER_CLAIMS.ffnnActiveNeurons.value },
    ...snn.activity.map((a) => ({ layer: `SNN ${a.nodeId}`, measure: "active (this run)", value: 1 - a.silentFraction })),
    { layer: "SNN (paper)", measure: "active (paper)", value: 1 - PAPER_CLAIMS.snnSilentNeurons.value },
    ...snn.activity.map((a) => ({ layer: `SNN ${a.nodeId}`, measure: "never active (this run)", value: a.neverActiveFraction })),
  ];
  const line = (title: string, y: string, values: object[]) =>
    ({
      width: 460,
      height: 260,
      data: { values },
      mark: { type: "line", point: true, strokeWidth: 2 },
      encoding: {
        x: { field: "epoch", type: "quantitative", title: "Epoch", axis: { tickMinStep: 1 } },
        y: { field: "value", type: "quantitative", title: y, scale: { zero: false } },
        color: { field: "model", type: "nominal", title: null, ...color },
      },
      ...(title ? { title } : {}),
    }) as FigureSpec["spec"];
  return [
    {
      id: "fig3-training-loss",
      title: "Fig. 3 — Training loss",
      caption:
        "Mean training loss per epoch: softmax cross-entropy for the FFNN, ce_rate (per-step cross-entropy of output spikes) for the SNN — different scales, compare shapes.",
      spec: line("", "Training loss", curves("trainLoss")),
    },
    {
      id: "fig4-accuracy",
      title: "Fig. 4 — Accuracy per epoch",
      caption: "Training accuracy (running, during the epoch) and test accuracy (after it) of both models.",
      spec: {
        width: 460,
        height: 260,
        data: {
          values: [
            ...curves("trainAccuracy").map((v) => ({ ...v, set: "train" })),
            ...curves("testAccuracy").map((v) => ({ ...v, set: "test" })),
          ],
        },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: { field: "epoch", type: "quantitative", title: "Epoch", axis: { tickMinStep: 1 } },
          y: { field: "value", type: "quantitative", title: "Accuracy", scale: { zero: false }, axis: { format: ".1%" } },
          color: { field: "model", type: "nominal", title: null, ...color },
          strokeDash: { field: "set", type: "nominal", title: null, legend: { symbolType: "stroke", symbolStrokeWidth: 2 } },
        },
      } as FigureSpec["spec"],
    },
    {
      id: "fig5-final-accuracy",
      title: "Fig. 5 — Final MNIST test accuracy",
      caption: "This run (full test set) beside the paper's reported figures.",
      spec: {
        width: 360,
        height: 260,
        data: {
          values: [
            { model: "FFNN", source: "this run", value: ffnn.testAccuracy },
            { model: "FFNN", source: "paper", value: PAPER_CLAIMS.ffnnTestAccuracy.value },
            { model: "SNN", source: "this run", value: snn.testAccuracy },
            { model: "SNN", source: "paper", value: PAPER_CLAIMS.snnTestAccuracy.value },
          ],
        },
        mark: "bar",
        encoding: {
          x: { field: "model", type: "nominal", title: null },
          xOffset: { field: "source" },
          y: { field: "value", type: "quantitative", title: "Test accuracy", scale: { domain: [0.85, 1] }, axis: { format: ".0%" } },
          color: { field: "source", type: "nominal", title: null, scale: { range: ["#9ecae1", "#3182bd"] } },
        },
      } as FigureSpec["spec"],
    },
    {
      id: "fig6-cost",
      title: "Fig. 6 — Operations per inference",
      caption: `FFNN FLOPs beside the SNN's measured work (T = ${sc.timeSteps}): first-layer FLOPs (direct input, computed once), synaptic accumulates from spikes, and neuron updates; log scale. The paper's 7,111 SOPs is shown for reference.`,
      spec: {
        width: 420,
        height: 260,
        data: { values: ops },
        mark: "bar",
        encoding: {
          y: { field: "kind", type: "nominal", title: null, sort: null },
          // Log-scale bars need a positive base: they start at 10^3.
          x: { field: "value", type: "quantitative", title: "Operations per inference (log)", scale: { type: "log", domain: [1e3, 1e6] } },
          x2: { datum: 1e3 },
          color: { field: "model", type: "nominal", title: null, ...color },
        },
      } as FigureSpec["spec"],
    },
    {
      id: "fig7-sparsity",
      title: "Fig. 7 — Activity sparsity",
      caption:
        "Fraction of active units: FFNN hidden ReLUs with output > 0 per test image; SNN neuron-steps with a spike; and SNN neurons that never fire on the test set.",
      spec: {
        width: 420,
        height: 280,
        data: { values: sparsity },
        mark: "bar",
        encoding: {
          y: { field: "layer", type: "nominal", title: null, sort: null },
          x: { field: "value", type: "quantitative", title: "Fraction", axis: { format: ".0%" }, scale: { domain: [0, 1] } },
          yOffset: { field: "measure" },
          color: { field: "measure", type: "nominal", title: null },
        },
      } as FigureSpec["spec"],
    },
    {
      id: "frontier-accuracy-energy",
      title: "Accuracy versus energy per inference across time steps",
      caption: `SNN trained with T ∈ {${sweep.map((p) => p.timeSteps).join(", ")}} (${sweep[0]?.epochs ?? 0} epochs each; mean over ${sweep[0]?.seeds ?? 1} seed(s), bars min–max) against the FFNN; 45 nm CMOS estimates with memory reads (circles) and Loihi estimates (squares).`,
      spec: {
        width: 460,
        height: 280,
        data: {
          values: [
            ...sweep.flatMap((p) => [
              ...(["45 nm CMOS", "Loihi"] as const).map((profile) => ({
                model: "SNN",
                label: `T=${p.timeSteps}`,
                energyUJ: (profile === "Loihi" ? p.energyLoihi : p.energyCmos45) * 1e6,
                accuracy: p.testAccuracy,
                lo: p.testAccuracyMin ?? p.testAccuracy,
                hi: p.testAccuracyMax ?? p.testAccuracy,
                profile,
              })),
            ]),
            {
              model: "FFNN",
              label: "FFNN",
              energyUJ: fc.energy.cmos45WithMemory * 1e6,
              accuracy: ffnn.testAccuracy,
              lo: ffnn.testAccuracy,
              hi: ffnn.testAccuracy,
              profile: "45 nm CMOS",
            },
          ],
        },
        layer: [
          {
            mark: { type: "point", size: 90, filled: true },
            encoding: {
              x: { field: "energyUJ", type: "quantitative", title: "Energy per inference (µJ, log)", scale: { type: "log" } },
              y: { field: "accuracy", type: "quantitative", title: "Test accuracy", scale: { zero: false }, axis: { format: ".1%" } },
              color: { field: "model", type: "nominal", title: null, ...color },
              shape: {
                field: "profile",
                type: "nominal",
                title: null,
                scale: { domain: ["45 nm CMOS", "Loihi"], range: ["circle", "square"] },
              },
            },
          },
          {
            mark: { type: "errorbar", ticks: true },
            encoding: {
              x: { field: "energyUJ", type: "quantitative" },
              // The same title as the points': layered axes join different titles.
              y: { field: "lo", type: "quantitative", title: "Test accuracy" },
              y2: { field: "hi" },
              color: { field: "model", type: "nominal", title: null, ...color },
            },
          },
          {
            mark: { type: "text", dx: 10, align: "left", fontSize: 11 },
            encoding: {
              x: { field: "energyUJ", type: "quantitative" },
              y: { field: "accuracy", type: "quantitative" },
              text: { field: "label" },
            },
          },
        ],
      } as FigureSpec["spec"],
    },
  ];
}
