import { describe, expect, it } from "vitest";
import {
  reluBackwardReference,
  reluCountsReference,
  reluForwardReference,
  reluInferKernel,
  reluSequenceKernel,
} from "./builtins/models.js";
import { type InferKernel, IntegerAccumulator, type SequenceKernel, SynapticAccumulator } from "./kernels.js";
import { createRandom } from "./random.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe("SynapticAccumulator", () => {
  const rng = createRandom(5);
  // 300 presynaptic neurons in slices of 128 (three slices, the last partial).
  const fanIn = 300;

  // The WebAssembly's register blocks: 13 targets, bands of 4 and a scalar tail; 37, a band of 32 too; 77, two.
  it.each([13, 37, 77])("delivers a tick's spikes at once (WebAssembly SIMD) with the bits of one call per spike (%i targets)", (size) => {
    const weights = Float32Array.from({ length: fanIn * size }, () => rng.normal() * 10 ** rng.int(4));
    const bias = Float32Array.from({ length: size }, () => rng.normal());
    for (const withBias of [true, false]) {
      const synapses = { fanIn, weights, sliceK: 128, ...(withBias ? { bias } : {}) };
      const one = new SynapticAccumulator(size, synapses);
      const all = new SynapticAccumulator(size, synapses);
      for (let tick = 0; tick < 20; tick++) {
        // Densities from none to all, so slices are skipped, partly and fully filled.
        const density = tick / 19;
        const pres = Int32Array.from({ length: fanIn }, (_, i) => i).filter(() => rng.next() < density);
        one.begin();
        for (const pre of pres) one.deliver(pre);
        all.begin();
        // A buffer longer than the tick's spikes, as the emulator passes it.
        const buffer = new Int32Array(fanIn);
        buffer.set(pres);
        all.deliverAll(buffer, pres.length);
        expect(bits(all.current())).toEqual(bits(one.current()));
      }
    }
  });

  it("sums in K slices: the order differs from one running sum, and matches it slice by slice", () => {
    const synapses = { fanIn: 4, weights: Float32Array.from([1e8, 1, -1e8, 1]), sliceK: 2 };
    const acc = new SynapticAccumulator(1, synapses);
    acc.begin();
    acc.deliverAll(Int32Array.from([0, 1, 2, 3]), 4);
    // (1e8 + 1) rounds to 1e8 in float32; slice sums 1e8 and −1e8 + 1 → −1e8; total 0, where one running sum gives 1.
    expect(Array.from(acc.current())).toEqual([0]);
    acc.begin();
    expect(Array.from(acc.current())).toEqual([0]);
  });
});

describe("IntegerAccumulator", () => {
  // 7 targets: a band of 4 and a tail; 37: bands of 16, one of 4 and a tail. Weights up to 2^15 sum in int32 lanes;
  // up to 2^30 a column's sum passes 2^31, and the float64 path must serve (int32 lanes would overflow).
  it.each([
    [7, 8],
    [37, 8],
    [37, 23],
  ])("delivers a tick's spikes at once with the sums of one call per spike (%i targets, weights up to 2^%i·128)", (size, exponent) => {
    const rng = createRandom(9);
    const fanIn = 200;
    const weights = Int32Array.from({ length: fanIn * size }, () => (rng.int(255) - 128) * 2 ** rng.int(exponent));
    const one = new IntegerAccumulator(size, fanIn, weights);
    const all = new IntegerAccumulator(size, fanIn, weights);
    for (let tick = 0; tick < 10; tick++) {
      const density = tick === 9 ? 1 : 0.4;
      const pres = Int32Array.from({ length: fanIn }, (_, i) => i).filter(() => rng.next() < density);
      one.begin();
      for (const pre of pres) one.deliver(pre);
      all.begin();
      all.deliverAll(pres, pres.length);
      expect(Array.from(all.activation)).toEqual(Array.from(one.activation));
      expect(all.activation.some((a) => a !== 0)).toBe(true);
      if (exponent > 20 && tick === 9) expect(all.activation.some((a) => Math.abs(a) >= 2 ** 31)).toBe(true);
    }
  });
});

describe("ReLU's kernel", () => {
  it("gives the JavaScript loops' bits, in place (transient) and copied, forward and backward", () => {
    const rng = createRandom(13);
    const kernel = reluSequenceKernel.create({} as never) as SequenceKernel;
    expect(kernel.runsOn).toBe("wasm-simd");
    for (const transient of [true, false]) {
      // NaN, −0 and an odd length (the scalar tail) included.
      const x = Float32Array.from({ length: 1027 }, () => rng.normal());
      x[3] = Number.NaN;
      x[5] = -0;
      const dy = Float32Array.from({ length: x.length }, () => rng.normal());
      const f = kernel.forward({ data: x, rows: 1, cols: x.length, temporal: false }, 1, {}, { transient });
      expect(bits(f.output.data)).toEqual(bits(reluForwardReference(x)));
      const g = kernel.backward(f, dy, []);
      expect(bits(g.dInput)).toEqual(bits(reluBackwardReference(x, dy)));
    }
    // A backward after a later forward: x is copied back in.
    const a = Float32Array.from([1, -1, 2]);
    const first = kernel.forward({ data: a, rows: 1, cols: 3, temporal: false }, 1, {});
    kernel.forward({ data: Float32Array.from([-5, 5, -5]), rows: 1, cols: 3, temporal: false }, 1, {});
    expect(Array.from(kernel.backward(first, Float32Array.from([10, 20, 30]), []).dInput)).toEqual([10, 0, 30]);
  });
});

describe("ReLU's infer kernel", () => {
  it("gives the JavaScript loops' outputs and counts: static and temporal input, odd widths, NaN and −0", () => {
    const rng = createRandom(17);
    for (const [n, batch, steps, temporal] of [
      [256, 7, 1, false],
      [13, 5, 1, false],
      [37, 3, 4, true],
    ] as const) {
      const kernel = reluInferKernel.create({ size: n } as never) as InferKernel;
      expect(kernel.runsOn).toBe("wasm-simd");
      // Mostly negative, so some neurons stay silent and everActive has zeros.
      const x = Float32Array.from({ length: steps * batch * n }, () => rng.normal() - 1.5);
      x[1] = Number.NaN;
      x[2] = -0;
      const input = { data: x, rows: steps * batch, cols: n, temporal };
      const y = reluForwardReference(x);
      const expected = reluCountsReference(y, steps, n);
      for (const transient of [true, false]) {
        const run = kernel.run(input, batch, {}, { transient });
        expect(bits(run.output.data)).toEqual(bits(y));
        expect(Array.from(run.counts.perStep)).toEqual(Array.from(expected.perStep));
        expect(Array.from(run.counts.everActive)).toEqual(Array.from(expected.everActive));
      }
      expect(expected.everActive.includes(0)).toBe(true);
      expect(expected.everActive.includes(1)).toBe(true);
    }
  });
});
