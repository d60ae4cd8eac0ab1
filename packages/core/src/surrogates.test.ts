import { describe, expect, it } from "vitest";
import { builtinSurrogates } from "./builtins/surrogates.js";
import { arrayOps } from "./reference.js";
import { strategyParams } from "./validate.js";

const xs = Float32Array.from([-2, -0.5, -0.04, 0, 0.04, 0.5, 2]);

describe("surrogate gradients", () => {
  it.each(builtinSurrogates.map((s) => [s.name, s] as const))(
    "%s: the TensorOps gradient equals the scalar formula and peaks at 0",
    (_name, s) => {
      const params = strategyParams({ name: s.name }, s) as Record<string, number>;
      const g = s.gradient(arrayOps, xs, params);
      xs.forEach((x, i) => {
        expect(g[i]).toBeCloseTo(s.derivative(x, params), 5);
        expect(s.derivative(x, params)).toBeLessThanOrEqual(s.derivative(0, params));
      });
      expect(s.derivative(0.3, params)).toBeCloseTo(s.derivative(-0.3, params), 10);
    },
  );

  it("match their published formulas at a point", () => {
    const [fast, atan, tri, sig] = builtinSurrogates;
    expect(fast!.derivative(0.1, { k: 25 })).toBeCloseTo(1 / 3.5 ** 2, 10);
    expect(atan!.derivative(0, { alpha: 2 })).toBeCloseTo(1, 10);
    expect(tri!.derivative(0.5, { width: 1 })).toBeCloseTo(0.5, 10);
    expect(sig!.derivative(0, { k: 4 })).toBeCloseTo(1, 10);
  });

  it("integrate to about 1 (a unit-area pseudo-derivative) where they are normalised", () => {
    const [, atan, tri] = builtinSurrogates;
    const integrate = (f: (x: number) => number) => {
      let s = 0;
      for (let x = -200; x <= 200; x += 0.001) s += f(x) * 0.001;
      return s;
    };
    expect(integrate((x) => atan!.derivative(x, { alpha: 2 }))).toBeCloseTo(1, 2);
    expect(integrate((x) => tri!.derivative(x, { width: 0.5 }))).toBeCloseTo(1, 3);
  });
});
