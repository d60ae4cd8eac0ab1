/**
 * The paper reports R² = 0.9784 (ReLU) and 0.9788 (sigmoid) without saying
 * over which currents. This searches the upper end of the fitted range for the
 * one whose R² values come closest to given targets, so the report can say
 * which range reproduces the paper and how R² depends on the choice.
 */
import { type FiProtocol, fiCurve } from "../biophysical/fi-curve.js";
import type { LifParameters } from "../biophysical/parameters.js";
import { fitRelu, fitSigmoid } from "./activation-fits.js";

/** R² of both fits over one current range. */
export interface RangeScore {
  readonly fromPA: number;
  readonly toPA: number;
  readonly reluR2: number;
  readonly sigmoidR2: number;
  /** |ΔR²_ReLU| + |ΔR²_sigmoid| from the targets. */
  readonly distance: number;
}

/** Options of {@link searchFitRange}. */
export interface RangeSearchOptions {
  readonly targets: { readonly relu: number; readonly sigmoid: number };
  /** Lower end of every range (pA), default 0. */
  readonly fromPA?: number;
  /** Candidate upper ends (pA), default 300, 350, …, 2000. */
  readonly candidatesToPA?: readonly number[];
  /** Current step of the F–I data (pA), default 10. */
  readonly stepPA?: number;
}

/** Scores every candidate range and returns them with the closest first in `best`. */
export function searchFitRange(
  p: LifParameters,
  protocol: FiProtocol,
  options: RangeSearchOptions,
): { best: RangeScore; scores: RangeScore[] } {
  const fromPA = options.fromPA ?? 0;
  const stepPA = options.stepPA ?? 10;
  const candidates = options.candidatesToPA ?? Array.from({ length: 35 }, (_, i) => 300 + 50 * i);
  // One sweep up to the largest candidate; each range is a prefix of it.
  const toMax = Math.max(...candidates);
  const rows = fiCurve(p, { from: fromPA * 1e-12, to: toMax * 1e-12, step: stepPA * 1e-12 }, protocol).rows;
  const scores = candidates.map((toPA) => {
    const kept = rows.filter((r) => r.currentPA <= toPA + 1e-9);
    const data = { x: kept.map((r) => r.currentPA), y: kept.map((r) => r.simulatedHz) };
    const reluR2 = fitRelu(data).r2;
    const sigmoidR2 = fitSigmoid(data).r2;
    return {
      fromPA,
      toPA,
      reluR2,
      sigmoidR2,
      distance: Math.abs(reluR2 - options.targets.relu) + Math.abs(sigmoidR2 - options.targets.sigmoid),
    };
  });
  const best = scores.reduce((a, b) => (b.distance < a.distance ? b : a));
  return { best, scores };
}
