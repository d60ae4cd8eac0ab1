import { describe, expect, it } from "vitest";
import { formatBenchTable, measure } from "./bench.js";

describe("bench helpers", () => {
  it("times every run and orders the statistics", async () => {
    let calls = 0;
    const stats = await measure(
      "count",
      () => {
        calls++;
      },
      { warmup: 2, runs: 4 },
    );
    expect(calls).toBe(6);
    expect(stats.minMs).toBeLessThanOrEqual(stats.medianMs);
    expect(stats.runs).toBe(4);
    await expect(measure("bad", () => {}, { runs: 0 })).rejects.toThrow(/runs must be a positive integer/);
  });

  it("formats an aligned table", () => {
    const table = formatBenchTable([{ name: "a", runs: 1, minMs: 1, medianMs: 2, meanMs: 3, note: "x" }]);
    expect(table.split("\n")).toEqual([
      "benchmark  runs  min ms  median ms  mean ms  note",
      "a          1     1.0     2.0        3.0      x",
    ]);
  });
});
