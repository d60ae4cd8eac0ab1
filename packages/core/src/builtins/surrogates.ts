/**
 * Built-in surrogate gradients. Each derivative is a function of x = v − θ,
 * peaks at x = 0, and is written once against {@link TensorOps}.
 */
import type { SurrogateGradient } from "../strategies.js";
import type { NumericParams, TensorOps } from "../tensor-ops.js";

const param = (params: NumericParams, name: string): number => params[name] as number;

/** Fast sigmoid (SuperSpike, Zenke & Ganguli 2018; snnTorch's default, slope k = 25). */
export const fastSigmoid: SurrogateGradient = {
  name: "fast-sigmoid",
  description: "Derivative of the fast sigmoid x/(1+k|x|) (SuperSpike; snnTorch default).",
  formula: "1 / (1 + k·|x|)^2",
  shape: { form: "fast-sigmoid", param: "k" },
  params: [
    {
      name: "k",
      type: "number",
      default: 25,
      min: 0,
      exclusiveMin: true,
      unit: "1",
      description: "slope: larger is closer to the true step",
    },
  ],
  derivative: (x, p) => 1 / (1 + param(p, "k") * Math.abs(x)) ** 2,
  compile: (p) => {
    const k = param(p, "k");
    return (x) => {
      const d = 1 + k * (x < 0 ? -x : x);
      return 1 / (d * d);
    };
  },
  gradient<T>(ops: TensorOps<T>, x: T, p: NumericParams): T {
    const d = ops.add(ops.scalar(1), ops.mul(ops.scalar(param(p, "k")), ops.abs(x)));
    return ops.div(ops.scalar(1), ops.mul(d, d));
  },
};

/** Arctangent surrogate (Fang et al. 2021; snnTorch `atan`, α = 2). */
export const atan: SurrogateGradient = {
  name: "atan",
  description: "Derivative of (1/π)·arctan(π/2·α·x) + 1/2 (Fang et al. 2021).",
  formula: "(α/2) / (1 + (π/2·α·x)^2)",
  shape: { form: "atan", param: "alpha" },
  params: [{ name: "alpha", type: "number", default: 2, min: 0, exclusiveMin: true, unit: "1", description: "sharpness" }],
  derivative: (x, p) => {
    const a = param(p, "alpha");
    return a / 2 / (1 + ((Math.PI / 2) * a * x) ** 2);
  },
  compile: (p) => {
    const a = param(p, "alpha");
    const c = (Math.PI / 2) * a;
    return (x) => a / 2 / (1 + c * x * c * x);
  },
  gradient<T>(ops: TensorOps<T>, x: T, p: NumericParams): T {
    const a = param(p, "alpha");
    const z = ops.mul(ops.scalar((Math.PI / 2) * a), x);
    return ops.div(ops.scalar(a / 2), ops.add(ops.scalar(1), ops.mul(z, z)));
  },
};

/** Triangle (piecewise-linear) surrogate with unit area (Esser et al. 2016; Bellec et al. 2018). */
export const triangle: SurrogateGradient = {
  name: "triangle",
  description: "Piecewise-linear bump of half-width w and unit area.",
  formula: "max(0, 1 − |x|/w) / w",
  shape: { form: "triangle", param: "width" },
  params: [{ name: "width", type: "number", default: 1, min: 0, exclusiveMin: true, unit: "1", description: "half-width w of the bump" }],
  derivative: (x, p) => {
    const w = param(p, "width");
    return Math.max(0, 1 - Math.abs(x) / w) / w;
  },
  gradient<T>(ops: TensorOps<T>, x: T, p: NumericParams): T {
    const w = param(p, "width");
    const bump = ops.relu(ops.sub(ops.scalar(1), ops.div(ops.abs(x), ops.scalar(w))));
    return ops.div(bump, ops.scalar(w));
  },
};

/** Logistic-sigmoid surrogate (Zenke & Vogels 2021). */
export const sigmoidSurrogate: SurrogateGradient = {
  name: "sigmoid",
  description: "Derivative of the logistic sigmoid σ(k·x).",
  formula: "k·σ(k·x)·(1 − σ(k·x))",
  params: [{ name: "k", type: "number", default: 25, min: 0, exclusiveMin: true, unit: "1", description: "slope" }],
  derivative: (x, p) => {
    const k = param(p, "k");
    const s = 1 / (1 + Math.exp(-k * x));
    return k * s * (1 - s);
  },
  gradient<T>(ops: TensorOps<T>, x: T, p: NumericParams): T {
    const k = param(p, "k");
    const s = ops.sigmoid(ops.mul(ops.scalar(k), x));
    return ops.mul(ops.scalar(k), ops.mul(s, ops.sub(ops.scalar(1), s)));
  },
};

/** All built-in surrogates. */
export const builtinSurrogates: readonly SurrogateGradient[] = [fastSigmoid, atan, triangle, sigmoidSurrogate];
