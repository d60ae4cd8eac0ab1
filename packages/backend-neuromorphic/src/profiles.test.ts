import { describe, expect, it } from "vitest";
import { constantOf, loihiProfile, trueNorthProfile } from "./profiles.js";

describe("target profiles", () => {
  it("give every constant a unit and a source", () => {
    for (const profile of [loihiProfile, trueNorthProfile]) {
      for (const [name, c] of Object.entries(profile.constants)) {
        expect(Number.isFinite(c.value), name).toBe(true);
        expect(c.unit.length, name).toBeGreaterThan(0);
        expect(c.source.length, name).toBeGreaterThan(10);
      }
    }
  });

  it("agree with the chips' published totals", () => {
    expect(constantOf(loihiProfile, "coresPerChip") * constantOf(loihiProfile, "neuronsPerCore")).toBe(131_072);
    expect(constantOf(loihiProfile, "synapticMemoryBitsPerCore") / 8).toBe(128 * 1024);
    expect(constantOf(trueNorthProfile, "cores") * constantOf(trueNorthProfile, "neuronsPerCore")).toBe(1_048_576);
    expect(constantOf(trueNorthProfile, "cores") * 256 * 256).toBe(268_435_456);
  });

  it("names the known constants when asked for an unknown one", () => {
    expect(() => constantOf(trueNorthProfile, "energyPerSynapticOp")).toThrow(
      /no constant 'energyPerSynapticOp'; known: cores, axonsPerCore/,
    );
  });
});
