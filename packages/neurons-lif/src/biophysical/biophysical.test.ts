import { ValidationError } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { constantCurrent } from "./current.js";
import { dimensionlessRate, scales, simulateDimensionless, toDimensionless } from "./dimensionless.js";
import { analyticRate, FI_PROTOCOLS, fiCurve, measureRate, simulatedRate } from "./fi-curve.js";
import { lifParameters, rheobase, TABLE1 } from "./parameters.js";
import { simulateLif } from "./simulate.js";

const pA = 1e-12;
const p = lifParameters();

describe("LIF parameters", () => {
  it("default to the paper's Table 1", () => {
    expect(p).toEqual(TABLE1);
    expect(p.cM).toBeCloseTo(p.tauM * p.gL, 20);
  });

  it("parse units and derive the third of τ_m, g_L, C_m", () => {
    const q = lifParameters({ tauM: "20ms", vTh: "-50mV", tauRef: "1 ms" });
    expect(q.tauM).toBeCloseTo(0.02, 15);
    expect(q.cM).toBeCloseTo(200e-12, 20);
    expect(lifParameters({ gL: "20nS", cM: "100pF" }).tauM).toBeCloseTo(5e-3, 15);
  });

  it("reject inconsistent, negative, inverted and mistyped parameters by name", () => {
    const issues = (input: Parameters<typeof lifParameters>[0]) => {
      try {
        lifParameters(input);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(issues({ tauM: "10ms", gL: "10nS", cM: "150pF" })).toEqual([expect.stringMatching(/^cM: C_m must equal τ_m·g_L = 1e-10 F/)]);
    expect(issues({ tauM: -0.01 })).toContainEqual(expect.stringMatching(/^tauM: membrane time constant must be > 0 s, got -0.01/));
    expect(issues({ vReset: "-50mV" })).toEqual(["vTh: threshold (-0.055 V) must be above the reset potential (-0.05 V)"]);
    expect(issues({ tauRef: "2mV" })).toEqual([
      "tauRef: unit 'mV' in '2mV' is not a unit of time. Accepted units: fs, ps, ns, us, ms, s, ks, Ms, Gs.",
    ]);
    expect(issues({ tau: "10ms" } as never)).toEqual([expect.stringMatching(/^tau: unknown LIF parameter; accepted: tauM, gL/)]);
  });
});

describe("rheobase and analytic F–I", () => {
  it("rheobase is g_L·(V_th − E_L) = 200 pA", () => {
    expect(rheobase(p) / pA).toBeCloseTo(200, 9);
  });

  it("pins the analytic rates: 250 pA → 55.27 Hz, 350 pA → 95.48 Hz, none at or below rheobase", () => {
    expect(Math.abs(analyticRate(p, 250 * pA) - 55.27)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(analyticRate(p, 350 * pA) - 95.48)).toBeLessThanOrEqual(0.01);
    expect(analyticRate(p, 200 * pA)).toBe(0);
    expect(analyticRate(p, 150 * pA)).toBe(0);
    // The formula as written in the issue, in physical units.
    const I = 437 * pA;
    const f = 1 / (p.tauRef + p.tauM * Math.log((I / p.gL - (p.vReset - p.eL)) / (I / p.gL - (p.vTh - p.eL))));
    expect(analyticRate(p, I)).toBeCloseTo(f, 10);
  });
});

describe("simulation", () => {
  it("exactly at rheobase never fires, with either integrator (10 s)", () => {
    for (const integrator of ["euler", "exact"] as const) {
      const trace = simulateLif(p, constantCurrent(200 * pA), { duration: 10, integrator, record: true });
      expect(trace.spikeTimes).toEqual([]);
      expect(trace.voltage?.at(-1)).toBeLessThan(p.vTh);
      expect(trace.voltage?.at(-1)).toBeCloseTo(p.vTh, 9);
    }
  });

  it("below rheobase relaxes to E_L + I/g_L without spikes", () => {
    const trace = simulateLif(p, constantCurrent(150 * pA), { duration: 0.2 });
    expect(trace.spikeTimes).toEqual([]);
    expect(trace.voltage?.at(-1)).toBeCloseTo(p.eL + (150 * pA) / p.gL, 6);
  });

  it("exact integrator: first spike at τ_m·ln((V∞ − E_L)/(V∞ − V_th)), then every 1/f", () => {
    const trace = simulateLif(p, constantCurrent(250 * pA), { duration: 0.1, integrator: "exact" });
    const vInf = p.eL + (250 * pA) / p.gL;
    const first = p.tauM * Math.log((vInf - p.eL) / (vInf - p.vTh));
    expect(trace.spikeTimes[0]).toBeCloseTo(first, 12);
    expect((trace.spikeTimes[1] as number) - (trace.spikeTimes[0] as number)).toBeCloseTo(1 / analyticRate(p, 250 * pA), 12);
  });

  it("clamps the membrane at V_reset for τ_ref after a spike (Euler, 0.1 ms grid)", () => {
    const trace = simulateLif(p, constantCurrent(350 * pA), { duration: 0.05, dt: 1e-4 });
    const k = Math.round((trace.spikeTimes[0] as number) / 1e-4);
    const v = trace.voltage as Float64Array;
    for (let j = k; j <= k + 20; j++) expect(v[j]).toBe(p.vReset);
    expect(v[k + 21]).toBeGreaterThan(p.vReset);
  });

  it("takes step and sampled-trace currents", () => {
    const step = simulateLif(p, { kind: "step", amplitude: 300 * pA, start: 0.05 }, { duration: 0.1, integrator: "exact" });
    expect(step.spikeTimes[0]).toBeGreaterThan(0.05);
    const samples = new Float64Array(1000).fill(300 * pA);
    const sampled = simulateLif(p, { kind: "trace", dt: 1e-4, samples }, { duration: 0.1 });
    expect(sampled.spikeTimes).toEqual(simulateLif(p, constantCurrent(300 * pA), { duration: 0.1 }).spikeTimes);
    expect(() => simulateLif(p, { kind: "trace", dt: 1e-4, samples: samples.subarray(0, 10) }, { duration: 0.1 })).toThrow(
      /trace covers 0.001 s but the simulation lasts 0.1 s/,
    );
    expect(() => simulateLif(p, constantCurrent(Number.NaN), { duration: 0.1 })).toThrow(/amplitude must be a finite current/);
    expect(() => simulateLif(p, constantCurrent(0), { duration: 0.1, dt: 0.03 })).toThrow(/not a whole number of dt/);
    expect(() => simulateLif(p, constantCurrent(0), { duration: 0.1, integrator: "rk4" as never })).toThrow(
      /unknown integrator 'rk4'; accepted: euler, exact/,
    );
  });
});

describe("F–I curve", () => {
  it("reproduces the slides' 0, 0, 53.3, 93.3 Hz under the documented 'slides' protocol", () => {
    const rates = [150, 200, 250, 350].map((i) => simulatedRate(p, i * pA, FI_PROTOCOLS.slides));
    expect(rates.map((r) => Number(r.toFixed(1)))).toEqual([0, 0, 53.3, 93.3]);
    // 16 and 28 spikes in 300 ms.
    expect(rates[2]! * 0.3).toBeCloseTo(16, 9);
    expect(rates[3]! * 0.3).toBeCloseTo(28, 9);
  });

  it("Euler at dt = 0.01 ms agrees with the exact integrator within 0.5 Hz over 0–1000 pA", () => {
    const sweep = { from: 0, to: 1000 * pA, step: 10 * pA };
    const euler = fiCurve(p, sweep, { ...FI_PROTOCOLS.steady, dt: 1e-5 }).rows;
    const exact = fiCurve(p, sweep, { ...FI_PROTOCOLS.steady, dt: 1e-5, integrator: "exact" }).rows;
    const worst = Math.max(...euler.map((r, i) => Math.abs(r.simulatedHz - (exact[i]?.simulatedHz as number))));
    expect(worst).toBeLessThan(0.5);
    // And the exact integrator's steady-state rate is the analytic one.
    for (const r of exact) expect(r.simulatedHz).toBeCloseTo(r.analyticHz, 6);
  });

  it("returns rows with currents in pA and the rheobase", () => {
    const curve = fiCurve(p, { from: 0, to: 1000 * pA, step: 250 * pA }, FI_PROTOCOLS.steady);
    expect(curve.rheobasePA).toBe(200);
    expect(curve.rows.map((r) => r.currentPA)).toEqual([0, 250, 500, 750, 1000]);
  });

  it("measures count and ISI rates as documented", () => {
    const spikes = [0.01, 0.03, 0.05, 0.07];
    expect(measureRate(spikes, { duration: 0.1, dt: 1e-4, integrator: "euler", discard: 0, method: "count" })).toBeCloseTo(40, 9);
    expect(measureRate(spikes, { duration: 0.1, dt: 1e-4, integrator: "euler", discard: 0, method: "isi" })).toBeCloseTo(50, 9);
    expect(measureRate(spikes, { duration: 0.1, dt: 1e-4, integrator: "euler", discard: 0.04, method: "count" })).toBeCloseTo(2 / 0.06, 9);
  });
});

describe("non-dimensional model", () => {
  const others = [
    lifParameters(),
    lifParameters({ tauM: "20ms", gL: "5nS", eL: "-70mV", vTh: "-50mV", vReset: "-70mV", tauRef: "4ms" }),
    lifParameters({ tauM: "5ms", gL: "40nS", eL: "-65mV", vTh: "-35mV", vReset: "-65mV", tauRef: "1ms" }),
  ];

  it("Table 1 is ṽ_r = 0, t̃_ref = 0.2, and conversions invert", () => {
    expect(toDimensionless(p)).toEqual({ vReset: 0, tRef: expect.closeTo(0.2, 12) });
    const s = scales(p);
    expect(s.current).toBeCloseTo(200e-12, 20);
    expect(s.toPhysicalVoltage(s.toDimensionlessVoltage(-0.06))).toBeCloseTo(-0.06, 15);
    expect(s.toPhysicalTime(s.toDimensionlessTime(0.123))).toBeCloseTo(0.123, 15);
    expect(s.toPhysicalCurrent(s.toDimensionlessCurrent(3e-10))).toBeCloseTo(3e-10, 22);
    expect(s.toPhysicalRate(s.toDimensionlessRate(55))).toBeCloseTo(55, 12);
  });

  it("parameter sets with the same ṽ_r and t̃_ref collapse onto one F–I curve (to 1e-9)", () => {
    const d = toDimensionless(p);
    for (const q of others) {
      expect(toDimensionless(q).vReset).toBeCloseTo(d.vReset, 12);
      expect(toDimensionless(q).tRef).toBeCloseTo(d.tRef, 12);
    }
    for (const iTilde of [0.5, 1, 1.05, 1.25, 1.75, 2.5, 5]) {
      const reference = dimensionlessRate(iTilde, d);
      const direct = simulateDimensionless(d, constantCurrent(iTilde), { duration: 100, dt: 0.01, integrator: "exact" }).spikeTimes;
      const directRate = measureRate(direct, { duration: 100, dt: 0.01, integrator: "exact", discard: 0, method: "isi" });
      expect(Math.abs(directRate - reference)).toBeLessThan(1e-9);
      for (const q of others) {
        const s = scales(q);
        const protocol = { duration: 100 * q.tauM, dt: 0.01 * q.tauM, integrator: "exact" as const, discard: 0, method: "isi" as const };
        const simulated = s.toDimensionlessRate(simulatedRate(q, s.toPhysicalCurrent(iTilde), protocol));
        const analytic = s.toDimensionlessRate(analyticRate(q, s.toPhysicalCurrent(iTilde)));
        expect(Math.abs(simulated - reference)).toBeLessThan(1e-9);
        expect(Math.abs(analytic - reference)).toBeLessThan(1e-9);
      }
    }
  });
});
