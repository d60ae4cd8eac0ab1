/**
 * Fits of standard activations — ReLU a·max(0, x − b) and sigmoid
 * L/(1 + e^(−k(x − x0))) — and of the LIF rate curve itself to F–I data, by
 * Levenberg–Marquardt (`ml-levenberg-marquardt`) with analytic Jacobians,
 * scored by R². Inputs are currents in pA and rates in Hz, which keeps the
 * parameters within a few orders of magnitude of each other.
 */
import { NeuroBridgeError } from "@neurobridge/core";
import { levenbergMarquardt } from "ml-levenberg-marquardt";

/** Data to fit: currents (pA) and rates (Hz). */
export interface FiData {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** A fitted model: parameters, goodness of fit and the model as a function. */
export interface Fit<P> {
  readonly params: P;
  /** Coefficient of determination 1 − SS_res/SS_tot. */
  readonly r2: number;
  /** Root-mean-square error (Hz). */
  readonly rmse: number;
  readonly iterations: number;
  readonly predict: (x: number) => number;
}

/** R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)². */
export function rSquared(y: readonly number[], yHat: readonly number[]): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let ssRes = 0;
  let ssTot = 0;
  y.forEach((v, i) => {
    ssRes += (v - (yHat[i] as number)) ** 2;
    ssTot += (v - mean) ** 2;
  });
  return ssTot === 0 ? Number.NaN : 1 - ssRes / ssTot;
}

function checkData(data: FiData): void {
  if (data.x.length !== data.y.length) throw new NeuroBridgeError("FIT_DATA", `x has ${data.x.length} points but y has ${data.y.length}`);
  if (data.x.length < 5) throw new NeuroBridgeError("FIT_DATA", `need at least 5 points to fit, got ${data.x.length}`);
  if (![...data.x, ...data.y].every(Number.isFinite)) throw new NeuroBridgeError("FIT_DATA", "fit data must be finite numbers");
  if (data.y.every((v) => v === 0))
    throw new NeuroBridgeError("FIT_DATA", "every rate is 0: the current range never reaches rheobase, so there is no curve to fit");
}

type Model = (p: number[]) => (x: number) => number;
type Jacobian = (p: number[]) => (x: number) => number[];

function runFit<P>(
  data: FiData,
  model: Model,
  jacobian: Jacobian,
  initial: number[],
  toParams: (p: number[]) => P,
  bounds?: { min: number[]; max: number[] },
): Fit<P> {
  checkData(data);
  const result = levenbergMarquardt({ x: data.x, y: data.y }, model, {
    initialValues: initial,
    jacobianFunction: jacobian,
    maxIterations: 500,
    errorTolerance: 1e-10,
    damping: 1e-2,
    ...(bounds ? { minValues: bounds.min, maxValues: bounds.max } : {}),
  });
  const f = model(result.parameterValues);
  const yHat = data.x.map(f);
  const rmse = Math.sqrt(data.y.reduce((s, v, i) => s + (v - (yHat[i] as number)) ** 2, 0) / data.y.length);
  return { params: toParams(result.parameterValues), r2: rSquared(data.y, yHat), rmse, iterations: result.iterations, predict: f };
}

const firstActive = (data: FiData): number => {
  const i = data.y.findIndex((v) => v > 0);
  return (data.x[Math.max(0, i - 1)] ?? data.x[0]) as number;
};

/** Fits ReLU a·max(0, x − b). */
export function fitRelu(data: FiData): Fit<{ a: number; b: number }> {
  const b0 = firstActive(data);
  const xMax = Math.max(...data.x);
  const a0 = Math.max(...data.y) / Math.max(1e-9, xMax - b0);
  return runFit(
    data,
    ([a, b]) =>
      (x) =>
        (a as number) * Math.max(0, x - (b as number)),
    ([a, b]) =>
      (x) =>
        x > (b as number) ? [x - (b as number), -(a as number)] : [0, 0],
    [a0, b0],
    ([a, b]) => ({ a: a as number, b: b as number }),
  );
}

/** Fits the logistic sigmoid L/(1 + e^(−k(x − x0))). */
export function fitSigmoid(data: FiData): Fit<{ L: number; k: number; x0: number }> {
  const yMax = Math.max(...data.y);
  const half = data.x[data.y.findIndex((v) => v >= yMax / 2)] as number;
  const span = Math.max(...data.x) - Math.min(...data.x);
  const sig = (k: number, x0: number, x: number) => 1 / (1 + Math.exp(-k * (x - x0)));
  return runFit(
    data,
    ([L, k, x0]) =>
      (x) =>
        (L as number) * sig(k as number, x0 as number, x),
    ([L, k, x0]) =>
      (x) => {
        const s = sig(k as number, x0 as number, x);
        const ds = (L as number) * s * (1 - s);
        return [s, ds * (x - (x0 as number)), -ds * (k as number)];
      },
    [yMax * 1.1, 8 / span, half],
    ([L, k, x0]) => ({ L: L as number, k: k as number, x0: x0 as number }),
  );
}

/**
 * Fits the LIF rate curve f = 1000 / (tRef + tauM·ln((x − iReset)/(x − iRheo)))
 * (times in ms, currents in pA), 0 for x ≤ iRheo.
 */
export function fitLifCurve(data: FiData): Fit<{ tRefMs: number; tauMMs: number; iRheoPA: number; iResetPA: number }> {
  const model: Model =
    ([tRef, tauM, iRheo, iReset]) =>
    (x) =>
      x > (iRheo as number)
        ? 1000 / ((tRef as number) + (tauM as number) * Math.log((x - (iReset as number)) / (x - (iRheo as number))))
        : 0;
  const jacobian: Jacobian =
    ([tRef, tauM, iRheo, iReset]) =>
    (x) => {
      if (!(x > (iRheo as number))) return [0, 0, 0, 0];
      const L = Math.log((x - (iReset as number)) / (x - (iRheo as number)));
      const g = (tRef as number) + (tauM as number) * L;
      const c = -1000 / (g * g);
      return [c, c * L, (c * (tauM as number)) / (x - (iRheo as number)), (-c * (tauM as number)) / (x - (iReset as number))];
    };
  const iRheo0 = firstActive(data);
  const maxRate = Math.max(...data.y);
  return runFit(
    data,
    model,
    jacobian,
    [Math.max(0.1, 500 / maxRate), 10, iRheo0, 0],
    ([tRef, tauM, iRheo, iReset]) => ({
      tRefMs: tRef as number,
      tauMMs: tauM as number,
      iRheoPA: iRheo as number,
      iResetPA: iReset as number,
    }),
    { min: [0, 1e-3, -1e6, -1e6], max: [1e3, 1e4, Math.min(...data.x.filter((_, i) => (data.y[i] as number) > 0)) - 1e-9, iRheo0] },
  );
}

/** All three fits of one data set. */
export function fitActivations(data: FiData) {
  return { relu: fitRelu(data), sigmoid: fitSigmoid(data), lif: fitLifCurve(data) };
}
