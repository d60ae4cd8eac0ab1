import { describe, expect, it } from "vitest";
import { UnitError } from "./errors.js";
import { formatQuantity, parseQuantity } from "./units.js";

describe("units", () => {
  it.each([
    ["250pA", "current", 250e-12],
    ["0.25nA", "current", 0.25e-9],
    ["10ms", "time", 0.01],
    ["-75mV", "voltage", -0.075],
    ["10 nS", "conductance", 10e-9],
    ["100pF", "capacitance", 100e-12],
    ["1e3Hz", "frequency", 1000],
    ["100MOhm", "resistance", 1e8],
    ["2µs", "time", 2e-6],
    ["0", "current", 0],
  ] as const)("parses %s as %s", (text, dim, value) => {
    expect(parseQuantity(text, dim)).toBeCloseTo(value, 20);
  });

  it("rejects a wrong dimension, a missing unit and garbage with the accepted units", () => {
    expect(() => parseQuantity("10ms", "current", "--current")).toThrow(UnitError);
    expect(() => parseQuantity("10ms", "current", "--current")).toThrow(
      "--current: unit 'ms' in '10ms' is not a unit of current. Accepted units: fA, pA, nA, uA, mA, A, kA, MA, GA.",
    );
    expect(() => parseQuantity("250", "current", "--current")).toThrow(/'250' has no unit. Write e.g. 250pA/);
    expect(() => parseQuantity("fast", "time", "--dt")).toThrow(/--dt: 'fast' is not a time/);
  });

  it("formats with a readable prefix", () => {
    expect(formatQuantity(250e-12, "current")).toBe("250 pA");
    expect(formatQuantity(0.01, "time")).toBe("10 ms");
    expect(formatQuantity(-0.055, "voltage")).toBe("-55 mV");
  });
});
