import { createRandom, fastSigmoid } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { FUSED_RESETS, lifForward, lifInfer } from "./lif-kernel.js";

describe("fused LIF kernels", () => {
  it("the inference kernel emits the training kernel's spikes and counts them", () => {
    const rng = createRandom(4);
    const [T, B, N] = [7, 3, 5];
    const input = Float32Array.from({ length: T * B * N }, () => rng.uniform(-0.2, 0.9));
    const beta = Float32Array.from({ length: N }, () => rng.uniform(0.5, 1));
    for (const reset of FUSED_RESETS) {
      const config = {
        timeSteps: T,
        size: N,
        threshold: new Float32Array(N).fill(1),
        reset,
        surrogate: fastSigmoid.compile?.({ k: 25 }) ?? (() => 0),
      };
      for (const isStatic of [false, true]) {
        const x = isStatic ? input.subarray(0, B * N) : input;
        const train = lifForward(x, isStatic, B, beta, config, false);
        const infer = lifInfer(x, isStatic, B, beta, config);
        expect(infer.spikes).toEqual(train.spikes);
        for (let t = 0; t < T; t++) {
          const events = train.spikes.subarray(t * B * N, (t + 1) * B * N).reduce((s, v) => s + v, 0);
          expect(infer.activity.perStep[t]).toBe(events);
        }
        for (let n = 0; n < N; n++) {
          let any = 0;
          for (let k = n; k < train.spikes.length; k += N) any ||= train.spikes[k] as number;
          expect(infer.activity.everActive[n]).toBe(any);
        }
      }
    }
  });
});
