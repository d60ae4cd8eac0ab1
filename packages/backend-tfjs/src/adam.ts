/**
 * Adam (Kingma & Ba 2015) with PyTorch's defaults and bias correction, in
 * plain JS over named Float32Arrays. Its whole state (moments and step count)
 * is plain data, so a checkpoint restores it exactly and a resumed run
 * continues bit for bit.
 */

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

/** A fresh state for parameters `params`. */
export function adamState(params: Record<string, Float32Array>): AdamState {
  const zeros = () => Object.fromEntries(Object.entries(params).map(([k, p]) => [k, new Float32Array(p.length)]));
  return { step: 0, m: zeros(), v: zeros() };
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
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name];
    if (!g) continue;
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
