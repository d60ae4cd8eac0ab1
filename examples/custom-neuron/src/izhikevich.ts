/**
 * An example two-state neuron with its own fast kernel: Izhikevich's simple
 * model (IEEE TNN 14:1569, 2003), one Euler step of `h` ms per time step,
 *
 *   v' = v + h(0.04v² + 5v + 140 − u + g·I);  u' = u + h·a(b·v − u)
 *   s = H(v' − 30);  v ← v' + s·(c − v');  u ← u' + d·s
 *
 * in its own units (mV, ms); `g` scales the network's O(1) inputs to the
 * model's O(10) currents. The surrogate sees the distance to the peak in units
 * of the reset-to-peak span, (v' − 30)/(30 − c), so that rest sits near −1 as
 * for a unit-threshold LIF (in mV its slope would vanish). The spike enters the reset with its gradient
 * stopped (as snnTorch's resets do), so gradients flow through v and u.
 *
 * The model's `step` is the truth, and runs everywhere unchanged (tfjs
 * autograd, ONNX, the emulator). The `sequence` kernel below is the same
 * arithmetic as plain float32 loops over all T steps with a hand-written
 * BPTT backward — what a plugin author registers to train fast. The
 * conformance suite checks that it reproduces the step.
 */
import { defineNeuronModel, type KernelRegistration, type SequenceForward } from "@neurobridge/core";

/** Izhikevich's model, registered as `izhikevich` (defaults: regular spiking). */
export const izhikevich = defineNeuronModel({
  name: "izhikevich",
  description:
    "Izhikevich simple model, Euler step h: v ← v + h(0.04v² + 5v + 140 − u + I); u ← u + h·a(bv − u); spike at 30 mV: v ← c, u ← u + d.",
  dynamics: "spiking",
  params: [
    { name: "a", type: "number", default: 0.02, min: 0, unit: "1/ms", perNeuron: true, description: "recovery rate a" },
    { name: "b", type: "number", default: 0.2, unit: "1", perNeuron: true, description: "recovery sensitivity b" },
    { name: "c", type: "number", default: -65, max: 30, exclusiveMax: true, unit: "mV", perNeuron: true, description: "reset potential c" },
    { name: "d", type: "number", default: 8, unit: "mV/ms", perNeuron: true, description: "recovery jump at a spike d" },
    { name: "h", type: "number", default: 0.5, min: 0, exclusiveMin: true, max: 1, unit: "ms", description: "Euler step per time step" },
    {
      name: "gain",
      type: "number",
      default: 20,
      min: 0,
      unit: "1",
      description: "input gain g: network inputs are O(1), the model's currents O(10)",
    },
  ],
  state: [
    { name: "v", description: "membrane potential", initial: -65, unit: "mV" },
    { name: "u", description: "recovery variable", initial: -13, unit: "mV/ms" },
  ],
  updateCost: { multiplies: 6, adds: 6, compares: 1 },
  step(ops, input, state, params, context) {
    const { a, b, c, d, h, gain } = params;
    const { v, u } = state;
    // 0.04v² + 5v + 140 − u + g·I, in this order (the kernel's).
    const dv = ops.add(
      ops.sub(ops.add(ops.add(ops.mul(ops.scalar(0.04), ops.mul(v, v)), ops.mul(ops.scalar(5), v)), ops.scalar(140)), u),
      ops.mul(gain, input),
    );
    const vNext = ops.add(v, ops.mul(h, dv));
    const uNext = ops.add(u, ops.mul(ops.mul(h, a), ops.sub(ops.mul(b, v), u)));
    const spikes = ops.spike(ops.div(ops.sub(vNext, ops.scalar(30)), ops.sub(ops.scalar(30), c)), context.surrogate);
    const s = ops.stopGradient(spikes);
    return { output: spikes, state: { v: ops.add(vNext, ops.mul(s, ops.sub(c, vNext))), u: ops.add(uNext, ops.mul(d, s)) } };
  },
});

/** What the forward pass keeps for BPTT. */
interface Saved {
  /** v and u before each step's update, and v' (pre-reset), `[T·B, N]`. */
  readonly vIn: Float32Array;
  readonly vPre: Float32Array;
  readonly spikes: Float32Array;
  readonly batch: number;
  readonly staticInput: boolean;
  readonly params: Readonly<Record<string, Float32Array>>;
}

/** How many times the kernel ran (tests prove the trainer used it). */
export const izhikevichKernelCalls = { forward: 0, backward: 0 };

/** The Izhikevich `sequence` kernel: the step's float32 arithmetic in loops, and its BPTT backward. */
export const izhikevichSequenceKernel: KernelRegistration<"sequence"> = {
  model: "izhikevich",
  kind: "sequence",
  description: "fused Izhikevich over all T steps with its BPTT backward",
  create(layer) {
    const { surrogate, context } = layer.resolved;
    const dSurrogate = surrogate.compile?.(context.surrogate.params) ?? ((x: number) => surrogate.derivative(x, context.surrogate.params));
    const N = layer.size;
    const fr = Math.fround;
    // The step's scalar 0.04 is a float32 tensor, so is this one.
    const k04 = fr(0.04);
    return {
      learnable: [],
      forward(input, batch, params, options = {}) {
        izhikevichKernelCalls.forward++;
        const T = input.temporal ? input.rows / batch : layer.timeSteps;
        const { a, b, c, d, h, gain } = params as Record<string, Float32Array>;
        const BN = batch * N;
        const spikes = new Float32Array(T * BN);
        const vIn = new Float32Array(T * BN);
        const vPre = new Float32Array(T * BN);
        const v = new Float32Array(BN).fill(-65);
        const u = new Float32Array(BN).fill(-13);
        for (let t = 0; t < T; t++) {
          const inOff = input.temporal ? t * BN : 0;
          for (let b0 = 0; b0 < batch; b0++) {
            for (let n = 0; n < N; n++) {
              const i = b0 * N + n;
              const k = t * BN + i;
              const vi = v[i] as number;
              const ui = u[i] as number;
              const hn = h?.[n] as number;
              vIn[k] = vi;
              const drive = fr((gain?.[n] as number) * (input.data[inOff + i] as number));
              const dv = fr(fr(fr(fr(fr(k04 * fr(vi * vi)) + fr(5 * vi)) + 140) - ui) + drive);
              const vn = fr(vi + fr(hn * dv));
              const un = fr(ui + fr(fr(hn * (a?.[n] as number)) * fr(fr((b?.[n] as number) * vi) - ui)));
              vPre[k] = vn;
              const fired = vn > 30;
              if (fired) spikes[k] = 1;
              v[i] = fired ? fr(vn + fr((c?.[n] as number) - vn)) : vn;
              u[i] = fired ? fr(un + (d?.[n] as number)) : un;
            }
          }
        }
        const saved: Saved = { vIn, vPre, spikes, batch, staticInput: !input.temporal, params };
        return {
          output: { data: spikes, rows: T * batch, cols: N, temporal: true },
          ...(options.keepMembrane ? { membrane: vPre } : {}),
          saved,
        } satisfies SequenceForward;
      },
      backward(forward, dOutput, _learn, dMembrane) {
        izhikevichKernelCalls.backward++;
        const { vIn, vPre, spikes, batch, staticInput, params } = forward.saved as Saved;
        const { a, b, c, h, gain } = params as Record<string, Float32Array>;
        const BN = batch * N;
        const T = forward.output.rows / batch;
        const dInput = new Float32Array(staticInput ? BN : T * BN);
        // Gradients flowing into v and u at the end of step t (from step t + 1).
        const gv = new Float64Array(BN);
        const gu = new Float64Array(BN);
        for (let t = T - 1; t >= 0; t--) {
          for (let k0 = 0; k0 < BN; k0++) {
            const n = k0 % N;
            const k = t * BN + k0;
            const hn = h?.[n] as number;
            const ha = hn * (a?.[n] as number);
            // v_out = v' + s·(c − v') with s stopped: ∂v_out/∂v' = 1 − s; u_out = u' + d·s: ∂u_out/∂u' = 1.
            const span = fr(30 - (c?.[n] as number));
            const x = fr(fr((vPre[k] as number) - 30) / span);
            let dvPre = ((dOutput[k] as number) * dSurrogate(x)) / span + (spikes[k] === 1 ? 0 : (gv[k0] as number));
            if (dMembrane) dvPre += dMembrane[k] as number;
            const duPre = gu[k0] as number;
            const vi = vIn[k] as number;
            // v' = v + h(0.04v² + 5v + 140 − u + g·I);  u' = u + h·a(b·v − u)
            const at = staticInput ? k0 : k;
            dInput[at] = (dInput[at] as number) + dvPre * hn * (gain?.[n] as number);
            gv[k0] = dvPre * (1 + hn * (0.08 * vi + 5)) + duPre * ha * (b?.[n] as number);
            gu[k0] = dvPre * -hn + duPre * (1 - ha);
          }
        }
        return { dInput, dParams: {} };
      },
    };
  },
};
