/**
 * A fused kernel for the discrete LIF over all T steps of a layer, with its
 * own BPTT backward, registered as one `tf.customGrad`. Running the
 * recurrence step by step with tfjs ops costs ~10 tiny ops per step and layer
 * in both passes; here the recurrence is two plain loops over
 * `[T, batch, neurons]`, while the heavy lifting (the dense layers over all
 * steps at once) stays in tfjs matmuls.
 *
 * Arithmetic is float32 (`Math.fround` after every operation, in the order
 * the generic `lifModel.step` uses), so spikes are identical to the generic
 * tfjs path, the emulators and the exported ONNX graphs.
 *
 * Forward, per step t (reset uses the spike with its gradient stopped):
 *   u = β·v + I[t];  s = H(u − θ);  v = reset(u, s, θ)
 * Backward, for t = T−1 … 0 with g the gradient flowing into v:
 *   ∂u = ∂s[t]·σ'(u − θ) + g·r;  ∂I[t] = ∂u;  ∂β += ∂u·v[t−1];  g = β·∂u
 * where r = 1 for subtract/none resets and 1 − s for reset to zero.
 */
import { NeuroBridgeError } from "@neurobridge/core";
import { tf } from "./tf.js";

/** Reset mechanisms the fused kernel implements. */
export type FusedReset = "subtract" | "zero" | "none";
export const FUSED_RESETS: readonly FusedReset[] = ["subtract", "zero", "none"];

/** Static configuration of one fused LIF layer. */
export interface LifKernelConfig {
  readonly timeSteps: number;
  readonly size: number;
  /** Per-neuron thresholds (length `size`). */
  readonly threshold: Float32Array;
  readonly reset: FusedReset;
  /** d spike / d x at x = u − θ (the bound surrogate's scalar derivative). */
  readonly surrogate: (x: number) => number;
}

/** What one forward pass recorded, for activity statistics. */
export interface LifKernelRecord {
  /** Spikes `[T, batch, size]`. */
  spikes?: Float32Array;
  /** Membrane after reset `[T, batch, size]`, when requested. */
  membrane?: Float32Array;
}

/**
 * Runs the recurrence. `input` is `[T·B, N]` (one frame per step) or `[B, N]`
 * (the same current at every step, e.g. a directly encoded first layer).
 */
export function lifForward(
  input: Float32Array,
  inputIsStatic: boolean,
  batch: number,
  beta: Float32Array,
  config: LifKernelConfig,
  keepMembrane: boolean,
): { spikes: Float32Array; uPre: Float32Array; membrane?: Float32Array } {
  const { timeSteps: T, size: N, threshold, reset } = config;
  const BN = batch * N;
  const spikes = new Float32Array(T * BN);
  const uPre = new Float32Array(T * BN);
  const membrane = keepMembrane ? new Float32Array(T * BN) : undefined;
  const v = new Float32Array(BN);
  const fr = Math.fround;
  const subtract = reset === "subtract";
  const zero = reset === "zero";
  for (let t = 0; t < T; t++) {
    const inOff = inputIsStatic ? 0 : t * BN;
    const off = t * BN;
    for (let b = 0; b < batch; b++) {
      const row = b * N;
      for (let n = 0; n < N; n++) {
        const i = row + n;
        const k = off + i;
        // Storing into a Float32Array rounds to float32: u = fr(fr(β·v) + I).
        uPre[k] = fr((beta[n] as number) * (v[i] as number)) + (input[inOff + i] as number);
        const u = uPre[k] as number;
        const th = threshold[n] as number;
        // For float32 u and θ, fr(u − θ) > 0 exactly when u > θ.
        if (u > th) {
          spikes[k] = 1;
          v[i] = subtract ? u - th : zero ? 0 : u;
        } else {
          v[i] = u;
        }
        if (membrane) membrane[k] = v[i] as number;
      }
    }
  }
  return membrane ? { spikes, uPre, membrane } : { spikes, uPre };
}

/** Activity of a layer counted during an inference pass. */
export interface LifActivity {
  /** Spikes per step, summed over batch and neurons. */
  readonly perStep: Float64Array;
  /** 1 for neurons that spiked for any sample. */
  readonly everActive: Uint8Array;
}

/**
 * The forward recurrence for inference: the same float32 arithmetic as
 * {@link lifForward}, without keeping the pre-reset membrane (only BPTT needs
 * it), counting the layer's activity as it goes.
 */
export function lifInfer(
  input: Float32Array,
  inputIsStatic: boolean,
  batch: number,
  beta: Float32Array,
  config: LifKernelConfig,
): { spikes: Float32Array; activity: LifActivity } {
  const { timeSteps: T, size: N, threshold, reset } = config;
  const BN = batch * N;
  const spikes = new Float32Array(T * BN);
  const v = new Float32Array(BN);
  const perStep = new Float64Array(T);
  const everActive = new Uint8Array(N);
  const fr = Math.fround;
  const subtract = reset === "subtract";
  const zero = reset === "zero";
  for (let t = 0; t < T; t++) {
    const inOff = inputIsStatic ? 0 : t * BN;
    const off = t * BN;
    let events = 0;
    for (let b = 0; b < batch; b++) {
      const row = b * N;
      for (let n = 0; n < N; n++) {
        const i = row + n;
        v[i] = fr((beta[n] as number) * (v[i] as number)) + (input[inOff + i] as number);
        const u = v[i] as number;
        const th = threshold[n] as number;
        if (u > th) {
          spikes[off + i] = 1;
          events++;
          everActive[n] = 1;
          if (subtract) v[i] = u - th;
          else if (zero) v[i] = 0;
        }
      }
    }
    perStep[t] = events;
  }
  return { spikes, activity: { perStep, everActive } };
}

/**
 * The backward recurrence. Returns ∂I (`[T·B, N]`, or `[B, N]` summed over
 * steps for a static input) and ∂β (`[N]`). `dMembrane`, when given, is a
 * gradient with respect to the pre-reset membrane u (membrane-based losses).
 */
export function lifBackward(
  dSpikes: Float32Array,
  uPre: Float32Array,
  spikes: Float32Array,
  inputIsStatic: boolean,
  batch: number,
  beta: Float32Array,
  config: LifKernelConfig,
  dMembrane?: Float32Array,
  /** Compute ∂β (default true); skipping it saves a third of the loop when β is not learned. */
  wantBeta = true,
): { dInput: Float32Array; dBeta: Float32Array } {
  const { timeSteps: T, size: N, threshold, reset, surrogate } = config;
  const BN = batch * N;
  const dInput = new Float32Array(inputIsStatic ? BN : T * BN);
  const dBeta = new Float64Array(N);
  const g = new Float64Array(BN);
  const zero = reset === "zero";
  const subtract = reset === "subtract";
  for (let t = T - 1; t >= 0; t--) {
    const off = t * BN;
    const prev = off - BN;
    const inOff = inputIsStatic ? 0 : off;
    for (let b = 0; b < batch; b++) {
      const row = b * N;
      for (let n = 0; n < N; n++) {
        const i = row + n;
        const th = threshold[n] as number;
        const carry = zero && spikes[off + i] === 1 ? 0 : (g[i] as number);
        let du = (dSpikes[off + i] as number) * surrogate((uPre[off + i] as number) - th) + carry;
        if (dMembrane) du += dMembrane[off + i] as number;
        dInput[inOff + i] = (dInput[inOff + i] as number) + du;
        if (wantBeta && t > 0) {
          // v[t−1] after its reset, rebuilt from the saved pre-reset membrane and spike.
          const up = uPre[prev + i] as number;
          const vPrev = spikes[prev + i] === 0 ? up : subtract ? up - th : zero ? 0 : up;
          dBeta[n] = (dBeta[n] as number) + du * vPrev;
        }
        g[i] = (beta[n] as number) * du;
      }
    }
  }
  return { dInput, dBeta: Float32Array.from(dBeta) };
}

/**
 * The fused LIF layer as a differentiable tfjs op: `(input, beta) → spikes`
 * `[T·B, N]`. `beta` is a `[N]` tensor (learned or constant); `record`, when
 * given, receives the spikes (and membrane) of the forward pass.
 */
export function lifSequence(
  input: tf.Tensor2D,
  beta: tf.Tensor1D,
  batch: number,
  config: LifKernelConfig,
  record?: LifKernelRecord,
  keepMembrane = false,
): tf.Tensor2D {
  const { timeSteps: T, size: N } = config;
  const rows = input.shape[0];
  // With T = 1 both layouts coincide; treat [B, N] as static either way.
  const inputIsStatic = rows === batch;
  if (input.shape[1] !== N || (rows !== batch && rows !== T * batch)) {
    throw new NeuroBridgeError(
      "SHAPE_MISMATCH",
      `LIF kernel: input ${JSON.stringify(input.shape)} must be [${batch}, ${N}] or [${T * batch}, ${N}]`,
    );
  }
  const op = tf.customGrad(((x: tf.Tensor, b: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([]);
    const betaData = b.dataSync() as Float32Array;
    const forward = lifForward(x.dataSync() as Float32Array, inputIsStatic, batch, betaData, config, keepMembrane);
    if (record) {
      record.spikes = forward.spikes;
      if (forward.membrane) record.membrane = forward.membrane;
    }
    return {
      value: tf.tensor2d(forward.spikes, [T * batch, N]),
      gradFunc: (dy: tf.Tensor) => {
        const back = lifBackward(dy.dataSync() as Float32Array, forward.uPre, forward.spikes, inputIsStatic, batch, betaData, config);
        return [tf.tensor2d(back.dInput, [inputIsStatic ? batch : T * batch, N]), tf.tensor1d(back.dBeta)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (x: tf.Tensor, b: tf.Tensor) => tf.Tensor2D)(input, beta);
}
