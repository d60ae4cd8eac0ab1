import { describe, expect, it } from "vitest";
import { comparisonTable, numberAt, resultJson, speedRatio } from "./bench/compare.js";
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

describe("side-by-side comparison", () => {
  it("reads the last RESULT_JSON line and numbers at dotted paths", () => {
    const out = 'epoch 1\nRESULT_JSON {"a": 1}\nmore\nRESULT_JSON {"epochs": [{"train_seconds": 61.4}], "s": "x"}\n';
    const json = resultJson(out);
    expect(numberAt(json, "epochs.0.train_seconds")).toBe(61.4);
    expect(numberAt(json, "s")).toBeUndefined();
    expect(numberAt(json, "missing.path")).toBeUndefined();
    expect(() => resultJson("no result here")).toThrow(/no RESULT_JSON line/);
  });

  it("turns times and throughputs into 'times faster' and checks the target", () => {
    const time = { work: "t", unit: "s", higherIsBetter: false, ours: 15, peer: 60, peerName: "p", target: 4 };
    const rate = { work: "r", unit: "samples/s", higherIsBetter: true, ours: 10, peer: 40, peerName: "p", target: 1 };
    expect(speedRatio(time)).toBe(4);
    expect(speedRatio(rate)).toBe(0.25);
    expect(speedRatio({ ...rate, peer: undefined })).toBeUndefined();
    const table = comparisonTable([time, rate, { work: "alone", unit: "ms", higherIsBetter: false, ours: 3 }]).split("\n");
    expect(table[1]).toMatch(/^t\s+p\s+60\.0 s\s+15\.0 s\s+4\.00×\s+≥ 4× met$/);
    expect(table[2]).toMatch(/0\.25×\s+≥ 1× not met$/);
    expect(table[3]).toMatch(/^alone\s+—\s+—\s+3\.00 ms\s+—$/);
  });
});
