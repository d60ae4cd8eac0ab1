/**
 * Adam (Kingma & Ba 2015) with PyTorch's defaults and bias correction, over
 * named Float32Arrays. Its whole state (moments and step count) is plain
 * data, so a checkpoint restores it exactly and a resumed run continues bit
 * for bit.
 *
 * The update runs in WebAssembly SIMD (`assembly/training.ts`) where it loads,
 * with the moments living in the module's memory (no copy per step), and in
 * the JavaScript loop below elsewhere; both give the same bits.
 */
import type { WasmKernels } from "@neurobridge/core";
import { type TrainingExports, trainingKernels } from "./training-wasm.js";

/** Adam hyper-parameters. */
export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/** Adam's state: first and second moments per parameter, and the step count. */
export interface AdamState {
  step: number;
  readonly m: Record<string, Float32Array>;
  readonly v: Record<string, Float32Array>;
}

/** A state's moments in a WebAssembly instance's memory, with room for one parameter tensor and its gradient. */
interface AdamWorkspace {
  readonly kernels: WasmKernels<TrainingExports>;
  /** Addresses by parameter name. */
  readonly m: Record<string, number>;
  readonly v: Record<string, number>;
  readonly p: number;
  readonly g: number;
}

const workspaces = new WeakMap<AdamState, AdamWorkspace>();

/**
 * A fresh state for parameters `params`. Where WebAssembly runs, the moments
 * are views of a module instance's memory, laid out once (so they stay valid).
 */
export function adamState(params: Record<string, Float32Array>): AdamState {
  const entries = Object.entries(params);
  const kernels = trainingKernels();
  if ("unavailable" in kernels) {
    const zeros = () => Object.fromEntries(entries.map(([k, p]) => [k, new Float32Array(p.length)]));
    return { step: 0, m: zeros(), v: zeros() };
  }
  const largest = Math.max(0, ...entries.map(([, p]) => p.length));
  const addresses = kernels.layout([...entries.flatMap(([, p]) => [p.length * 4, p.length * 4]), largest * 4, largest * 4]);
  const m: Record<string, number> = {};
  const v: Record<string, number> = {};
  entries.forEach(([name], i) => {
    m[name] = addresses[2 * i] as number;
    v[name] = addresses[2 * i + 1] as number;
  });
  const view = (at: Record<string, number>) =>
    Object.fromEntries(entries.map(([k, p]) => [k, kernels.f32(at[k] as number, p.length).fill(0)]));
  const state: AdamState = { step: 0, m: view(m), v: view(v) };
  workspaces.set(state, { kernels, m, v, p: addresses.at(-2) as number, g: addresses.at(-1) as number });
  return state;
}

/** One Adam step, in place: p ← p − lr·m̂/(√v̂ + ε). */
export function adamStep(
  params: Record<string, Float32Array>,
  grads: Record<string, Float32Array>,
  state: AdamState,
  options: AdamOptions,
): void {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.epsilon ?? 1e-8;
  state.step += 1;
  // PyTorch's arrangement: p ← p − (lr/c1)·m / (√v/√c2 + ε), with c = 1 − β^step.
  const stepSize = options.learningRate / (1 - b1 ** state.step);
  const invSqrtC2 = 1 / Math.sqrt(1 - b2 ** state.step);
  const wasm = workspaces.get(state);
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name];
    if (!g) continue;
    const mAt = wasm?.m[name];
    const vAt = wasm?.v[name];
    if (wasm && mAt !== undefined && vAt !== undefined) {
      const { kernels } = wasm;
      kernels.f32(wasm.p, p.length).set(p);
      kernels.f32(wasm.g, g.length).set(g);
      kernels.exports.adamUpdate(p.length, wasm.p, wasm.g, mAt, vAt, b1, b2, eps, stepSize, invSqrtC2);
      p.set(kernels.f32(wasm.p, p.length));
      continue;
    }
    const m = state.m[name] as Float32Array;
    const v = state.v[name] as Float32Array;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] as number;
      const mi = b1 * (m[i] as number) + (1 - b1) * gi;
      const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = (p[i] as number) - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
    }
  }
}
