import { createRandom } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { INT_LANES_MAX_INPUT, LoihiCompartments } from "./compartments-wasm.js";
import { decayShift, effectiveThreshold, loihiPopulationStep, loihiStep, UV_LIMIT, updateCurrent, updateVoltage } from "./cuba-lif.js";
import { BIAS_EXPONENT_MAX, BIAS_MANTISSA_MAX, quantizeBias } from "./quantize.js";

describe("Loihi CUBA-LIF, bit-accurate", () => {
  it("quantises a bias to the register's mantissa · 2^exponent: the smallest exponent whose mantissa fits", () => {
    // The search from exponent 0, as written in the register's definition.
    const bySearch = (value: number) => {
      let e = 0;
      while (e < BIAS_EXPONENT_MAX && Math.abs(Math.round(value / 2 ** e)) > BIAS_MANTISSA_MAX) e++;
      return Math.max(-BIAS_MANTISSA_MAX - 1, Math.min(BIAS_MANTISSA_MAX, Math.round(value / 2 ** e))) * 2 ** e;
    };
    const rng = createRandom(4);
    const values = [0, 4095, 4095.5, -4095.5, 4096, 8191.5, 8192, -8192, 2 ** 19, -(2 ** 19), 524_160, 524_161, 2 ** 31, -(2 ** 31), 1e12];
    for (let k = 0; k < 20_000; k++) values.push((rng.next() - 0.5) * 2 ** (rng.next() * 24));
    for (const v of values) expect(quantizeBias(v), String(v)).toBe(bySearch(v));
    expect(quantizeBias(10_000)).toBe(2500 * 4);
  });

  it("rounds decays toward zero, for both signs", () => {
    // 1000 · 3891 = 3,891,000; / 4096 = 949.95… → 949 (not 950)
    expect(decayShift(1000 * 3891)).toBe(949);
    expect(decayShift(-1000 * 3891)).toBe(-949);
    expect(decayShift(4095)).toBe(0);
    expect(decayShift(-4095)).toBe(-0);
    // dv = 205 (β ≈ 0.95): v = 64000 → trunc(64000 · 3891 / 4096) = trunc(60796.875) = 60796
    expect(updateVoltage(64_000, 0, 0, 205)).toBe(60_796);
    expect(updateVoltage(-64_000, 0, 0, 205)).toBe(-60_796);
  });

  it("adds synaptic input shifted left by 6 and applies the current decay with its offset", () => {
    // du = 4095 → decay constant 4096: no current memory, u = a_in·64.
    expect(updateCurrent(12_345, 10, 4095)).toBe(640);
    // du = 0 → decay constant 1: u keeps 4095/4096 of itself (truncated).
    expect(updateCurrent(4096, 0, 0)).toBe(4095);
    // du = 2047 → 4096 − 2048 = 2048: halves u, toward zero.
    expect(updateCurrent(-1001, 1, 2047)).toBe(-500 + 64);
  });

  it("wraps the current at ±2^23 like a 24-bit register (range (−2^23, 2^23])", () => {
    // du = 4095: u = a_in·64.
    expect(updateCurrent(0, 131_072, 4095)).toBe(8_388_608); // exactly 2^23 stays
    expect(updateCurrent(0, 131_073, 4095)).toBe(-8_388_544); // 2^23 + 64 → −2^23 + 64
    expect(updateCurrent(0, -131_072, 4095)).toBe(8_388_608); // −2^23 → +2^23
    expect(updateCurrent(0, -131_073, 4095)).toBe(8_388_544); // −2^23 − 64 → 2^23 − 64
    // With memory (du = 0): trunc((2^23 − 100)·4095/4096) = 8,386,460; + 6400 = 8,392,860 → −8,384,356
    expect(updateCurrent(UV_LIMIT - 100, 100, 0)).toBe(-8_384_356);
  });

  it("saturates the voltage at ±(2^23 − 1)", () => {
    expect(updateVoltage(0, UV_LIMIT - 10, 100, 4095)).toBe(UV_LIMIT - 1);
    expect(updateVoltage(0, -UV_LIMIT + 10, -100, 4095)).toBe(-UV_LIMIT + 1);
  });

  it("spikes only when v exceeds vth·2^6, then resets v to 0", () => {
    const config = { du: 4095, dv: 205, vth: 100 };
    expect(effectiveThreshold(100)).toBe(6400);
    // a_in = 100 → u = 6400 = threshold exactly: no spike (strictly greater).
    const s = { u: 0, v: 0 };
    expect(loihiStep(s, 100, 0, config)).toBe(0);
    expect(s).toEqual({ u: 6400, v: 6400 });
    // next step: v = trunc(6400·3891/4096) + 6400 = 6079 + 6400 = 12479 > 6400 → spike, v = 0
    expect(loihiStep(s, 100, 0, config)).toBe(1);
    expect(s).toEqual({ u: 6400, v: 0 });
    // bias alone drives v: 6401 > 6400
    const b = { u: 0, v: 0 };
    expect(loihiStep(b, 0, 6401, config)).toBe(1);
    expect(b.v).toBe(0);
  });

  it("steps a population on flat arrays exactly as loihiStep steps each compartment (wraps, saturation and rest included)", () => {
    const rng = createRandom(17);
    const N = 300;
    for (const config of [
      { du: 4095, dv: 205, vth: 100 },
      { du: 0, dv: 0, vth: 5000 },
      { du: 2047, dv: 4095, vth: 1 },
    ]) {
      const big = (scale: number) => Math.round((rng.next() - 0.5) * scale);
      const u = Float64Array.from({ length: N }, (_, j) => (j % 7 === 0 ? 0 : big(2 * UV_LIMIT)));
      const v = Float64Array.from({ length: N }, (_, j) => (j % 7 === 0 ? 0 : big(2 * UV_LIMIT)));
      const a = Float64Array.from({ length: N }, (_, j) => (j % 7 === 0 ? 0 : big(300_000)));
      const bias = Int32Array.from({ length: N }, (_, j) => (j % 7 === 0 ? 0 : big(20_000)));
      const host = Float64Array.from({ length: N }, (_, j) => (j % 3 === 0 ? big(10_000) : 0));
      const out = new Int32Array(N);
      const want: number[] = [];
      const wantU: number[] = [];
      const wantV: number[] = [];
      let wantActive = 0;
      for (let j = 0; j < N; j++) {
        const b = (bias[j] as number) + (host[j] as number);
        if (u[j] === 0 && v[j] === 0 && a[j] === 0 && b === 0) {
          wantU.push(0);
          wantV.push(0);
          continue;
        }
        wantActive++;
        const s = { u: u[j] as number, v: v[j] as number };
        if (loihiStep(s, a[j] as number, b, config)) want.push(j);
        wantU.push(s.u);
        wantV.push(s.v);
      }
      const r = loihiPopulationStep(u, v, a, bias, host, config, out);
      expect(Array.from(out.subarray(0, r.spikes))).toEqual(want);
      expect(r.active).toBe(wantActive);
      expect(Array.from(u)).toEqual(wantU);
      expect(Array.from(v)).toEqual(wantV);
      expect(want.length).toBeGreaterThan(0);
    }
  });

  it.each([
    ["float64 lanes, any input", Number.POSITIVE_INFINITY, 300_000, "float64"],
    ["int32 lanes, input bounded by 2^17 (at the bound)", INT_LANES_MAX_INPUT, 2 * INT_LANES_MAX_INPUT, "int32"],
  ] as const)(
    "steps a population in WebAssembly SIMD with the integers of the JavaScript loop: %s (odd size, wraps, saturation, rest)",
    (_, maxInput, inputSpan, lanes) => {
      const rng = createRandom(23);
      const N = 301;
      for (const config of [
        { du: 4095, dv: 205, vth: 100 },
        { du: 0, dv: 0, vth: 5000 },
        { du: 2047, dv: 4095, vth: 1 },
      ]) {
        const compartments = LoihiCompartments.create(N, config, maxInput);
        expect(compartments?.lanes).toBe(lanes);
        const wasm = compartments as LoihiCompartments;
        const big = (scale: number) => Math.round((rng.next() - 0.5) * scale);
        const u = Float64Array.from({ length: N }, (_, j) => (j % 7 === 0 ? 0 : big(2 * UV_LIMIT)));
        const v = Float64Array.from({ length: N }, (_, j) => (j % 7 === 0 ? 0 : big(2 * UV_LIMIT)));
        const bias = Int32Array.from({ length: N }, (_, j) => (j % 7 === 0 ? 0 : big(20_000)));
        const host = Float64Array.from({ length: N }, (_, j) => (j % 3 === 0 ? big(10_000) : 0));
        wasm.u.set(u);
        wasm.v.set(v);
        for (let j = 0; j < N; j++) wasm.bias[j] = (bias[j] as number) + (host[j] as number);
        const outJs = new Int32Array(N);
        const outWasm = new Int32Array(N);
        let spikes = 0;
        for (let tick = 0; tick < 8; tick++) {
          // Inputs across the whole span, the extremes included (±span/2 wraps the current).
          const a = Float64Array.from({ length: N }, (_, j) =>
            j % 7 === 0 && tick % 2 === 0 ? 0 : j % 11 === 0 ? ((tick % 2) * 2 - 1) * (inputSpan / 2) : big(inputSpan),
          );
          const want = loihiPopulationStep(u, v, a, bias, host, config, outJs);
          wasm.activation.set(a);
          const got = wasm.tick(outWasm);
          expect(got).toEqual(want);
          expect(Array.from(outWasm.subarray(0, got.spikes))).toEqual(Array.from(outJs.subarray(0, want.spikes)));
          expect(Array.from(wasm.u)).toEqual(Array.from(u));
          expect(Array.from(wasm.v)).toEqual(Array.from(v));
          spikes += want.spikes;
        }
        expect(spikes).toBeGreaterThan(0);
      }
    },
  );
});
