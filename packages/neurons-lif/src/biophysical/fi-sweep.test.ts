import { describe, expect, it } from "vitest";
import { FI_PROTOCOLS, type FiProtocol, fiCurve, simulatedRate, simulatedRates, sweepCurrents } from "./fi-curve.js";
import { lifParameters } from "./parameters.js";

const p = lifParameters();

describe("the batched F–I sweep (WebAssembly SIMD Euler)", () => {
  const protocols: Record<string, FiProtocol> = {
    ...FI_PROTOCOLS,
    "steady, 50 ms discarded": { ...FI_PROTOCOLS.steady, discard: 0.05 },
    "count, 100 ms discarded": { ...FI_PROTOCOLS.slides, duration: 0.5, discard: 0.1 },
  };
  // 0–1000 pA in 7 pA steps (an odd count: the scalar tail runs too), rheobase 200 pA exactly, currents a hair
  // either side of it (the sweep skips only units that provably never reach threshold), and one very strong current.
  const nearRheobase = [-1e-6, -1e-9, -1e-12, 1e-12, 1e-9, 1e-6].map((d) => 200e-12 * (1 + d));
  const currents = [...sweepCurrents({ from: 0, to: 1000e-12, step: 7e-12 }), 200e-12, ...nearRheobase, 5e-9];
  for (const [name, protocol] of Object.entries(protocols)) {
    it(`gives every current the rate of its own simulation, to the bit (${name})`, () => {
      const batched = simulatedRates(p, currents, protocol);
      const single = currents.map((c) => simulatedRate(p, c, protocol));
      expect(batched).toEqual(single);
      expect(batched.filter((r) => r > 0).length).toBeGreaterThan(50);
    });
  }

  it("reproduces the slides' rates through fiCurve", () => {
    const rows = fiCurve(p, { from: 150e-12, to: 350e-12, step: 50e-12 }, FI_PROTOCOLS.slides).rows.filter((r) => r.currentPA !== 300);
    expect(rows.map((r) => Number(r.simulatedHz.toFixed(1)))).toEqual([0, 0, 53.3, 93.3]);
  });

  it("names a current that is not a number", () => {
    expect(() => simulatedRates(p, [1e-10, Number.NaN], FI_PROTOCOLS.steady)).toThrow(/amplitude must be a finite current/);
  });
});
