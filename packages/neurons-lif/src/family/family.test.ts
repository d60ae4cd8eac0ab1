import { describe, expect, it } from "vitest";
import { constantCurrent } from "../biophysical/current.js";
import { adaptationIndex, detectBursts, familyFi, familyFits, interSpikeIntervals, isiCv } from "./analysis.js";
import { ADEX_PRESETS, adexNeuron, alifNeuron, cobaNeuron, effectiveLif, eifNeuron, lifNeuron, POINT_NEURONS } from "./models.js";
import { type PointNeuron, type PointParams, pointParams } from "./point-neuron.js";

const steady = (dt: number, integrator: string) => ({ duration: 1, dt, integrator, discard: 0.2, method: "isi" as const });
const spikesOf = (m: PointNeuron, p: PointParams, current: number, duration = 1, dt = 1e-5) =>
  m.simulate(p, { kind: "step", amplitude: current, start: 0 }, { duration, dt, integrator: "euler", record: false }).spikeTimes;

describe("the LIF family in physical units", () => {
  it("every member's F–I curve at dt 0.01 ms agrees with a refined simulation (dt 1 µs, RK4 or exact) within 1%", () => {
    for (const model of Object.values(POINT_NEURONS)) {
      const p = pointParams(model);
      const rh = model.rheobase(p);
      const sweep = { from: 1.2 * rh, to: 4 * rh, step: 0.7 * rh };
      const coarse = familyFi(model, p, sweep, steady(1e-5, "euler"));
      const fine = familyFi(model, p, sweep, steady(1e-6, model.integrators.includes("rk4") ? "rk4" : "exact"));
      coarse.rows.forEach((row, i) => {
        const ref = fine.rows[i]?.simulatedHz as number;
        expect(ref, `${model.name} fires at ${row.currentPA} pA`).toBeGreaterThan(5);
        expect(Math.abs(row.simulatedHz - ref) / ref, `${model.name} at ${row.currentPA} pA`).toBeLessThan(0.01);
      });
    }
  }, 120_000); // refined reference runs at dt 1 µs: seconds per model on a slow CPU

  it("EIF: rheobase from its equations, not g_L(V_T − E_L); Δ_T → 0 recovers the LIF", () => {
    const p = pointParams(eifNeuron);
    // Brette & Gerstner: g_L(V_T − E_L − Δ_T) = 30 nS × 18.2 mV = 546 pA (g_L(V_T − E_L) would be 606 pA).
    expect(eifNeuron.rheobase(p) * 1e12).toBeCloseTo(546, 6);
    const below = spikesOf(eifNeuron, p, 0.99 * eifNeuron.rheobase(p), 2);
    const above = spikesOf(eifNeuron, p, 1.02 * eifNeuron.rheobase(p), 2);
    expect(below).toHaveLength(0);
    expect(above.length).toBeGreaterThan(2);
    const lif = pointParams(lifNeuron);
    const sharp = pointParams(eifNeuron, { ...lif, deltaT: 1e-6, vPeak: (lif.vT as number) + 5e-6 });
    // g_L·Δ_T = 10 nS × 1 µV = 0.01 pA below the LIF's 200 pA.
    expect(eifNeuron.rheobase(sharp) * 1e12).toBeCloseTo(lifNeuron.rheobase(lif) * 1e12 - 0.01, 6);
    for (const current of [250e-12, 350e-12, 600e-12]) {
      const s = eifNeuron.simulate(sharp, constantCurrent(current), { duration: 1, dt: 1e-6, integrator: "rk4", record: false }).spikeTimes;
      const rate = 1 / (interSpikeIntervals(s).at(-1) as number);
      expect(Math.abs(rate / (lifNeuron.analyticRate?.(lif, current) as number) - 1)).toBeLessThan(2e-3);
    }
  });

  it("AdEx with a = b = 0 is the EIF, spike for spike", () => {
    const p = pointParams(adexNeuron, { a: 0, b: 0 }, "brette-gerstner-2005");
    const e = pointParams(eifNeuron, {}, "brette-gerstner-2005");
    for (const integrator of ["euler", "rk4"]) {
      const options = { duration: 0.5, dt: 1e-5, integrator, record: false };
      const a = adexNeuron.simulate(p, constantCurrent(800e-12), options).spikeTimes;
      expect(a.length).toBeGreaterThan(10);
      expect(a).toEqual(eifNeuron.simulate(e, constantCurrent(800e-12), options).spikeTimes);
    }
  });

  it("AdEx (Brette & Gerstner 2005): its rheobase holds, and its rate adapts from the first interval to the steady state", () => {
    const p = pointParams(adexNeuron, {}, "brette-gerstner-2005");
    const rh = adexNeuron.rheobase(p);
    // Below the rheobase of repetitive firing, at most the onset transient fires (w starts at 0).
    expect(spikesOf(adexNeuron, p, 0.99 * rh, 2).length).toBeLessThanOrEqual(1);
    expect(spikesOf(adexNeuron, p, 1.05 * rh, 2).filter((t) => t > 0.5).length).toBeGreaterThan(1);
    const { rows } = familyFi(adexNeuron, p, { from: 1000e-12, to: 1000e-12, step: 1e-12 }, steady(1e-5, "euler"));
    const row = rows[0] as (typeof rows)[number];
    expect(row.firstIsiHz as number).toBeGreaterThan(2 * (row.steadyIsiHz as number));
  });

  it("each Naud et al. (2008) preset shows its firing pattern", () => {
    const run = (name: string) => spikesOf(adexNeuron, pointParams(adexNeuron, {}, name), ADEX_PRESETS[name]?.current as number);
    const tonic = run("tonic");
    expect(Math.abs(adaptationIndex(tonic))).toBeLessThan(0.005);
    expect(isiCv(tonic, 3)).toBeLessThan(0.02);
    expect(detectBursts(tonic)).toEqual([]);
    const adapting = run("adapting");
    const ai = interSpikeIntervals(adapting);
    expect(adaptationIndex(adapting)).toBeGreaterThan(0.03);
    expect((ai.at(-1) as number) / (ai[0] as number)).toBeGreaterThan(3);
    const initial = run("initial-burst");
    const bi = interSpikeIntervals(initial);
    // A burst at onset, then regular spiking.
    expect(detectBursts(initial)).toEqual([3]);
    expect((bi[0] as number) * 5).toBeLessThan(bi.at(-1) as number);
    expect(isiCv(initial, 3)).toBeLessThan(0.02);
    const bursting = run("bursting");
    expect(detectBursts(bursting).length).toBeGreaterThanOrEqual(5);
    expect(isiCv(bursting, 2)).toBeGreaterThan(0.5);
    const delayed = run("delayed-accelerating");
    expect(delayed[0] as number).toBeGreaterThan(2 * (tonic[0] as number));
    expect(adaptationIndex(delayed)).toBeLessThan(-0.002);
    const irregular = run("irregular");
    expect(isiCv(irregular, 3)).toBeGreaterThan(0.3);
    // Unlike regular bursting, its long intervals themselves vary.
    const long = interSpikeIntervals(irregular).filter((i) => i > 0.012);
    expect(
      isiCv(
        long.map((_, k) => long.slice(0, k + 1).reduce((a, b) => a + b, 0)),
        0,
      ),
    ).toBeGreaterThan(0.05);
  });

  it("adaptive-threshold LIF: fires like the LIF until its threshold rises, then slower", () => {
    const p = pointParams(alifNeuron, { thetaJump: "3mV" });
    const plain = pointParams(alifNeuron, { thetaJump: 0 });
    const a = spikesOf(alifNeuron, p, 400e-12, 0.5);
    const b = spikesOf(alifNeuron, plain, 400e-12, 0.5);
    expect(a[0]).toBe(b[0]);
    expect(a.length).toBeLessThan(b.length / 1.5);
    expect(adaptationIndex(a)).toBeGreaterThan(0.01);
  });

  it("conductance-based LIF with constant conductances equals the LIF with the effective τ and rest", () => {
    const coba = pointParams(cobaNeuron, { gE0: "4nS", gI0: "6nS" });
    const { gTotal, eEffective } = effectiveLif(coba);
    expect(eEffective).toBeCloseTo((10e-9 * -75e-3 + 4e-9 * 0 + 6e-9 * -80e-3) / 20e-9, 15);
    // The same generic integrator on an adaptive-threshold LIF without adaptation, with the effective parameters.
    // They start from different rests (E_L vs E_eff); from the first reset on their dynamics are the same.
    const lif = pointParams(alifNeuron, { c: coba.c as number, gL: gTotal, eL: eEffective, thetaJump: 0 });
    for (const current of [400e-12, 900e-12]) {
      // (The first interval carries each one's sub-step first-spike time; the rest are grid-aligned.)
      const a = interSpikeIntervals(spikesOf(cobaNeuron, coba, current, 0.5)).slice(1);
      const b = interSpikeIntervals(spikesOf(alifNeuron, lif, current, 0.5)).slice(1);
      expect(a.length).toBeGreaterThan(5);
      for (const [i, t] of a.entries()) expect(Math.abs(t - (b[i] as number))).toBeLessThan(1e-9);
      // …and its steady rate is the effective LIF's closed form.
      expect(Math.abs(1 / (a.at(-1) as number) / (cobaNeuron.analyticRate?.(coba, current) as number) - 1)).toBeLessThan(0.01);
    }
    expect(cobaNeuron.rheobase(coba)).toBeCloseTo(gTotal * (-55e-3 - eEffective), 18);
  });

  it("conductance-based LIF driven by Poisson spike trains: reproducible by seed, excitation drives it, inhibition quiets it", () => {
    const driven = pointParams(cobaNeuron, { rateE: "2000Hz", wE: "1nS" });
    const quiet = pointParams(cobaNeuron, { rateE: "2000Hz", wE: "1nS", rateI: "1000Hz", wI: "2nS" });
    const run = (p: PointParams, seed: number) =>
      cobaNeuron.simulate(p, constantCurrent(0), { duration: 1, dt: 1e-4, integrator: "euler", record: false, seed }).spikeTimes;
    expect(run(driven, 1)).toEqual(run(driven, 1));
    expect(run(driven, 1)).not.toEqual(run(driven, 2));
    expect(run(driven, 1).length).toBeGreaterThan(5);
    expect(run(quiet, 1).length).toBeLessThan(run(driven, 1).length / 2);
  });

  it("ReLU and sigmoid fit every member's F–I curve, with R²", () => {
    for (const model of [lifNeuron, eifNeuron, adexNeuron]) {
      const p = pointParams(model);
      const { rows } = familyFi(model, p, { from: 0, to: 2000e-12, step: 100e-12 }, steady(1e-4, model.integrators[0] as string));
      const fits = familyFits(rows);
      expect(fits.relu.r2).toBeGreaterThan(0.8);
      expect(fits.sigmoid.r2).toBeGreaterThan(0.8);
    }
  });

  it("names bad parameters, presets and integrators", () => {
    expect(() => pointParams(adexNeuron, { tauW: "-1ms" })).toThrow(/tauW: τ_w must be > 0 s/);
    expect(() => pointParams(adexNeuron, { vPeak: "-60mV" })).toThrow(/vPeak: V_peak must be above V_T/);
    expect(() => pointParams(adexNeuron, { tau: "1ms" })).toThrow(/tau: unknown adex parameter; accepted: c, gL, eL/);
    expect(() => pointParams(adexNeuron, { c: "3mV" })).toThrow(/c: /);
    expect(() => pointParams(adexNeuron, {}, "chattering")).toThrow(/unknown preset 'chattering'; accepted: brette-gerstner-2005, tonic/);
    expect(() => pointParams(cobaNeuron, { gE0: "100nS" })).toThrow(/vT: threshold must be above the effective rest/);
    expect(() =>
      adexNeuron.simulate(pointParams(adexNeuron), constantCurrent(1e-9), { duration: 0.1, dt: 1e-4, integrator: "exact" }),
    ).toThrow(/adex: unknown integrator 'exact'; accepted: euler, rk4/);
  });
});

describe("an unstable integration", () => {
  it("is an error naming the state, the step and the short time constant, not a spike every step", () => {
    const p = pointParams(adexNeuron, { tauW: "0.001ms" });
    const run = () => adexNeuron.simulate(p, constantCurrent(500e-12), { duration: 0.05, dt: 1e-5, integrator: "euler" });
    expect(run).toThrow(
      /adex: state \w+ became -?(NaN|Infinity) at t = [\d.]+ ms \(euler, dt = 0\.01 ms\); tauW = 0\.001 ms is shorter than 5 steps of dt/,
    );
    // The same member with sane constants still spikes through V's blow-up (the exponential term) and resets.
    const ok = adexNeuron.simulate(pointParams(adexNeuron), constantCurrent(800e-12), { duration: 0.2, dt: 1e-5, integrator: "euler" });
    expect(ok.spikeTimes.length).toBeGreaterThan(2);
    expect(ok.spikeTimes.length).toBeLessThan(200);
  });
});
