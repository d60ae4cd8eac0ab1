import { builtinSurrogates, createRandom, type LayerCounts, type ResetSemantics } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { backwardSteps, forwardSteps, type LifSaved, lifAdvance } from "./lif-kernels.js";
import { LifTickWasm, LifWasm, lifWasmStatus, wasmSurrogate } from "./lif-wasm.js";

const rng = createRandom(7);
const uniform = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

// 13 neurons: three SIMD groups of four and a scalar tail.
const N = 13;
const B = 3;
const T = 9;
const resets: ResetSemantics[] = ["zero", "subtract", "none"];

describe("the LIF recurrence in WebAssembly SIMD", () => {
  it("loads here (Node 20 runs wasm SIMD)", () => {
    expect(lifWasmStatus()).toEqual({ available: true });
  });

  for (const reset of resets) {
    it(`an emulator population's tick gives lifAdvance's bits, spike list and active count (reset ${reset})`, () => {
      const beta = uniform(N, 0.5, 1);
      const threshold = uniform(N, 0.5, 1.5);
      const tick = LifTickWasm.create(beta, threshold, reset) as LifTickWasm;
      const v = new Float32Array(N);
      const spikes = new Float32Array(N);
      const out = new Int32Array(N);
      let fired = 0;
      for (let t = 0; t < 12; t++) {
        // Some ticks without input, some neurons without input: resting neurons count as inactive.
        const input = Float32Array.from(uniform(N, -0.5, 1.2), (x, n) => (t % 4 === 3 || n % 5 === 0 ? 0 : x));
        let active = 0;
        for (let n = 0; n < N; n++) if (v[n] !== 0 || input[n] !== 0) active++;
        spikes.fill(0);
        const count = lifAdvance(v, input, 0, 1, beta, threshold, reset, spikes, 0);
        tick.input.set(input);
        const r = tick.tick(out);
        expect(r).toEqual({ spikes: count, active });
        expect(Array.from(out.subarray(0, count))).toEqual(Array.from(spikes.keys()).filter((n) => spikes[n] === 1));
        expect(bits(tick.v)).toEqual(bits(v));
        fired += count;
      }
      expect(fired).toBeGreaterThan(0);
    });

    for (const inputStatic of [true, false]) {
      it(`forward gives the JavaScript kernel's bits (reset ${reset}, ${inputStatic ? "static" : "per-step"} input)`, () => {
        const beta = uniform(N, 0.5, 1);
        const threshold = uniform(N, 0.5, 1.5);
        const input = uniform((inputStatic ? 1 : T) * B * N, -0.5, 1.2);
        const activation = { data: input, rows: (inputStatic ? 1 : T) * B, cols: N, temporal: !inputStatic };
        const uJs = new Float32Array(T * B * N);
        const countsJs: LayerCounts = { perStep: new Float64Array(T), everActive: new Uint8Array(N) };
        const sJs = forwardSteps(activation, B, T, beta, threshold, reset, uJs, countsJs);
        for (const views of [false, true]) {
          const countsWasm: LayerCounts = { perStep: new Float64Array(T), everActive: new Uint8Array(N) };
          const wasm = LifWasm.create()!.forward(input, inputStatic, B, T, beta, threshold, reset, views, countsWasm);
          expect(bits(wasm.spikes)).toEqual(bits(sJs));
          expect(bits(wasm.uPre)).toEqual(bits(uJs));
          expect(countsWasm.perStep).toEqual(countsJs.perStep);
          expect(countsWasm.everActive).toEqual(countsJs.everActive);
          // Inference: the same spikes and counts without storing the membrane.
          const inferCounts: LayerCounts = { perStep: new Float64Array(T), everActive: new Uint8Array(N) };
          expect(bits(LifWasm.create()!.infer(input, inputStatic, B, T, beta, threshold, reset, views, inferCounts))).toEqual(bits(sJs));
          expect(inferCounts.perStep).toEqual(countsJs.perStep);
        }
        // Something fired and something did not: the comparison covers both branches.
        expect(sJs.some((s) => s === 1) && sJs.some((s) => s === 0)).toBe(true);
      });
    }
  }

  for (const surrogate of builtinSurrogates.filter((s) => s.shape)) {
    for (const reset of resets) {
      for (const inputStatic of [true, false]) {
        it(`backward gives the JavaScript kernel's bits (${surrogate.name}, reset ${reset}, ${inputStatic ? "static" : "per-step"} input, with ∂β and ∂membrane)`, () => {
          const beta = uniform(N, 0.5, 1);
          const threshold = uniform(N, 0.5, 1.5);
          const input = uniform((inputStatic ? 1 : T) * B * N, -0.5, 1.2);
          const activation = { data: input, rows: (inputStatic ? 1 : T) * B, cols: N, temporal: !inputStatic };
          const uPre = new Float32Array(T * B * N);
          const spikes = forwardSteps(activation, B, T, beta, threshold, reset, uPre);
          const dSpikes = uniform(T * B * N, -1, 1);
          const dMembrane = uniform(T * B * N, -0.1, 0.1);
          const params = Object.fromEntries(surrogate.params.map((p) => [p.name, (p.default as number) * 0.7]));
          const compiled = surrogate.compile?.(params) ?? ((x: number) => surrogate.derivative(x, params));
          const saved: LifSaved = { uPre, spikes, beta, threshold, inputIsStatic: inputStatic, batch: B };
          const js = backwardSteps(saved, dSpikes, T, reset, compiled, true, dMembrane);
          const shape = wasmSurrogate(surrogate.shape, params);
          expect(shape).toBeDefined();
          // From copied-in arrays, and in place after a forward that left them in the workspace.
          const copied = LifWasm.create()!.backward(
            { uPre, spikes },
            dSpikes,
            dMembrane,
            beta,
            threshold,
            B,
            T,
            inputStatic,
            reset,
            shape!,
            true,
            false,
          );
          const workspace = LifWasm.create()!;
          const inPlace = workspace.forward(input, inputStatic, B, T, beta, threshold, reset, true);
          const viewed = workspace.backward(inPlace, dSpikes, dMembrane, beta, threshold, B, T, inputStatic, reset, shape!, true, true);
          for (const wasm of [copied, viewed]) {
            expect(bits(wasm.dInput)).toEqual(bits(js.dInput));
            expect(bits(wasm.dBeta)).toEqual(bits(js.dBeta));
          }
          expect(js.dBeta.some((g) => g !== 0)).toBe(true);
        });
      }
    }
  }

  it("backward without ∂β or ∂membrane matches too, and leaves ∂β zero", () => {
    const beta = uniform(N, 0.9, 0.99);
    const threshold = uniform(N, 1, 1);
    const input = uniform(B * N, 0, 0.5);
    const uPre = new Float32Array(T * B * N);
    const spikes = forwardSteps({ data: input, rows: B, cols: N, temporal: false }, B, T, beta, threshold, "subtract", uPre);
    const dSpikes = uniform(T * B * N, -1, 1);
    const surrogate = builtinSurrogates[0]!;
    const params = { k: 25 };
    const js = backwardSteps(
      { uPre, spikes, beta, threshold, inputIsStatic: true, batch: B },
      dSpikes,
      T,
      "subtract",
      surrogate.compile!(params),
      false,
    );
    const shape = wasmSurrogate(surrogate.shape, params)!;
    const wasm = LifWasm.create()!.backward(
      { uPre, spikes },
      dSpikes,
      undefined,
      beta,
      threshold,
      B,
      T,
      true,
      "subtract",
      shape,
      false,
      false,
    );
    expect(bits(wasm.dInput)).toEqual(bits(js.dInput));
    expect(Array.from(wasm.dBeta)).toEqual(new Array(N).fill(0));
  });

  it("refuses to back-propagate a transient forward that a later forward overwrote", () => {
    const beta = uniform(N, 0.9, 0.99);
    const threshold = uniform(N, 1, 1);
    const input = uniform(B * N, 0, 0.5);
    const workspace = LifWasm.create()!;
    const first = workspace.forward(input, true, B, T, beta, threshold, "zero", true);
    workspace.forward(input, true, B, T, beta, threshold, "zero", true);
    const shape = wasmSurrogate({ form: "fast-sigmoid", param: "k" }, { k: 25 })!;
    expect(() =>
      workspace.backward(first, new Float32Array(T * B * N), undefined, beta, threshold, B, T, true, "zero", shape, false, true),
    ).toThrow(/overwritten by a later forward/);
  });

  it("a surrogate without a declared shape has no WebAssembly form (the JavaScript kernel serves it)", () => {
    expect(wasmSurrogate(undefined, { k: 25 })).toBeUndefined();
    expect(wasmSurrogate({ form: "fast-sigmoid", param: "slope" }, { k: 25 })).toBeUndefined();
  });
});
