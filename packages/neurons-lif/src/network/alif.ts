/**
 * The adaptive-threshold LIF network neuron (`alif`; the ALIF of Bellec et
 * al.'s LSNN, NeurIPS 2018, with the adaptation's scale folded into `jump`).
 * The threshold rises by `jump` at each spike and decays back with `rho`:
 *
 *   v ← β·v + I;  θ_eff = θ + a;  s = H(v − θ_eff);  v ← reset(v, s, θ_eff);
 *   a ← ρ·a + jump·s
 *
 * The spike enters the reset and the adaptation with its gradient stopped (as
 * snnTorch's default reset does), so gradients flow through the membrane.
 *
 * The model's `step` is the truth, and runs everywhere unchanged (tfjs
 * autograd, ONNX, the emulator). The `sequence` kernel is the same
 * arithmetic as plain loops over all T steps with a hand-written BPTT
 * backward; the conformance suite checks that it reproduces the step. It
 * runs in WebAssembly SIMD where the module loads (`AlifWasm`: the same
 * bits, held to the loops by `lif-wasm.test.ts`); the backward needs a
 * surrogate that declares its shape, else it runs the loops.
 */
import type { KernelRegistration, NeuronModel, NeuronPlanLayer, ResetSemantics, SequenceForward, SequenceKernel } from "@neurobridge/core";
import { wasmSurrogateOf } from "./lif-kernels.js";
import { AlifWasm } from "./lif-wasm.js";
import { betaParam, thresholdParam } from "./params.js";

/** The ALIF model, registered as `alif`. */
export const adaptiveLif: NeuronModel = {
  name: "alif",
  description: "Adaptive-threshold LIF: v ← β·v + I; spike when v > θ + a; a ← ρ·a + jump·s.",
  dynamics: "spiking",
  params: [
    betaParam(),
    thresholdParam("baseline threshold θ"),
    {
      name: "rho",
      type: "number",
      default: 0.9,
      min: 0,
      max: 1,
      unit: "1",
      perNeuron: true,
      description: "decay of the threshold adaptation per step ρ",
    },
    { name: "jump", type: "number", default: 0.2, min: 0, unit: "1", perNeuron: true, description: "threshold increase per spike" },
  ],
  state: [
    { name: "v", description: "membrane potential", initial: 0 },
    { name: "a", description: "threshold adaptation", initial: 0 },
  ],
  // Per update: decay v, decay a, add input, add θ + a, compare.
  updateCost: { multiplies: 2, adds: 3, compares: 1 },
  step(ops, input, state, params, context) {
    const { beta, threshold, rho, jump } = params as Record<"beta" | "threshold" | "rho" | "jump", NonNullable<(typeof params)["beta"]>>;
    const a = state.a as NonNullable<typeof state.a>;
    const v = ops.add(ops.mul(beta, state.v as NonNullable<typeof state.v>), input);
    const effective = ops.add(threshold, a);
    const spikes = ops.spike(ops.sub(v, effective), context.surrogate);
    const s = ops.stopGradient(spikes);
    return {
      output: spikes,
      state: { v: context.reset.apply(ops, v, s, effective), a: ops.add(ops.mul(rho, a), ops.mul(jump, s)) },
    };
  },
};

/** What the forward pass keeps for BPTT. */
interface Saved {
  readonly uPre: Float32Array;
  readonly spikes: Float32Array;
  /** θ + a per neuron-step (the threshold each step compared against). */
  readonly effective: Float32Array;
  readonly beta: Float32Array;
  readonly batch: number;
  readonly staticInput: boolean;
}

/**
 * The ALIF `sequence` kernel for one layer: in WebAssembly where it loads
 * (and `useWasm`), else the JavaScript loops — the same bits either way.
 * Undefined when the layer's reset declares no semantics.
 */
export function createAlifSequence(layer: NeuronPlanLayer, useWasm = true): SequenceKernel | undefined {
  const reset: ResetSemantics | undefined = layer.resolved.context.reset.semantics;
  if (!reset) return undefined;
  const { surrogate, context } = layer.resolved;
  const dSurrogate = surrogate.compile?.(context.surrogate.params) ?? ((x: number) => surrogate.derivative(x, context.surrogate.params));
  const N = layer.size;
  const wasm = useWasm ? AlifWasm.create() : undefined;
  const shaped = wasmSurrogateOf(layer);
  return {
    learnable: ["beta"],
    runsOn: wasm ? (shaped ? "wasm-simd" : "wasm-simd forward, js backward") : "js",
    forward(input, batch, params, options = {}) {
      const T = input.temporal ? input.rows / batch : layer.timeSteps;
      const { beta, threshold, rho, jump } = params as Record<string, Float32Array>;
      if (wasm) {
        const arrays = wasm.forward(
          input.data,
          !input.temporal,
          batch,
          T,
          { beta, threshold, rho, jump } as Record<"beta" | "threshold" | "rho" | "jump", Float32Array>,
          reset,
        );
        const saved: Saved = { ...arrays, beta: beta as Float32Array, batch, staticInput: !input.temporal };
        return {
          output: { data: arrays.spikes, rows: T * batch, cols: N, temporal: true },
          ...(options.keepMembrane ? { membrane: arrays.uPre } : {}),
          saved,
        } satisfies SequenceForward;
      }
      const BN = batch * N;
      const fr = Math.fround;
      const spikes = new Float32Array(T * BN);
      const uPre = new Float32Array(T * BN);
      const effective = new Float32Array(T * BN);
      const v = new Float32Array(BN);
      const a = new Float32Array(BN);
      for (let t = 0; t < T; t++) {
        const inOff = input.temporal ? t * BN : 0;
        for (let b = 0; b < batch; b++) {
          for (let n = 0; n < N; n++) {
            const i = b * N + n;
            const k = t * BN + i;
            const u = fr(fr((beta?.[n] as number) * (v[i] as number)) + (input.data[inOff + i] as number));
            const th = fr((threshold?.[n] as number) + (a[i] as number));
            uPre[k] = u;
            effective[k] = th;
            const fired = u > th;
            if (fired) spikes[k] = 1;
            v[i] = fired ? (reset === "subtract" ? u - th : reset === "zero" ? 0 : u) : u;
            a[i] = fr(fr((rho?.[n] as number) * (a[i] as number)) + (fired ? (jump?.[n] as number) : 0));
          }
        }
      }
      const saved: Saved = { uPre, spikes, effective, beta: beta as Float32Array, batch, staticInput: !input.temporal };
      return {
        output: { data: spikes, rows: T * batch, cols: N, temporal: true },
        ...(options.keepMembrane ? { membrane: uPre } : {}),
        saved,
      } satisfies SequenceForward;
    },
    backward(forward, dOutput, learn, dMembrane) {
      const { uPre, spikes, effective, beta, batch, staticInput } = forward.saved as Saved;
      const BN = batch * N;
      const T = forward.output.rows / batch;
      if (wasm && shaped) {
        const wantBeta = learn.includes("beta");
        const back = wasm.backward(forward.saved as Saved, dOutput, dMembrane, beta, batch, T, staticInput, reset, shaped, wantBeta);
        const dParams: Record<string, Float32Array> = wantBeta ? { beta: back.dBeta } : {};
        return { dInput: back.dInput, dParams };
      }
      const dInput = new Float32Array(staticInput ? BN : T * BN);
      const dBeta = new Float64Array(N);
      const g = new Float64Array(BN);
      const wantBeta = learn.includes("beta");
      for (let t = T - 1; t >= 0; t--) {
        for (let b = 0; b < batch; b++) {
          for (let n = 0; n < N; n++) {
            const i = b * N + n;
            const k = t * BN + i;
            // The adaptation carries no gradient (its spike is stopped): v's path is a LIF's with θ_eff[t].
            const carry = reset === "zero" && spikes[k] === 1 ? 0 : (g[i] as number);
            let du = (dOutput[k] as number) * dSurrogate((uPre[k] as number) - (effective[k] as number)) + carry;
            if (dMembrane) du += dMembrane[k] as number;
            const at = staticInput ? i : k;
            dInput[at] = (dInput[at] as number) + du;
            if (wantBeta && t > 0) {
              const p = k - BN;
              const up = uPre[p] as number;
              const vPrev = spikes[p] === 0 ? up : reset === "subtract" ? up - (effective[p] as number) : reset === "zero" ? 0 : up;
              dBeta[n] = (dBeta[n] as number) + du * vPrev;
            }
            g[i] = (beta[n] as number) * du;
          }
        }
      }
      const dParams: Record<string, Float32Array> = {};
      if (wantBeta) dParams.beta = Float32Array.from(dBeta);
      return { dInput, dParams };
    },
  };
}

/** The ALIF `sequence` kernel: the step's arithmetic in float32 loops (WebAssembly SIMD where it loads), and its BPTT backward. */
export const alifSequenceKernel: KernelRegistration<"sequence"> = {
  model: "alif",
  kind: "sequence",
  description: "fused ALIF over all T steps with its BPTT backward (learns β)",
  create: (layer) => createAlifSequence(layer),
};
