import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("examples/custom-data", () => {
  it("learns three waveforms from plain arrays, tested on an async iterator's examples", () => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, "..", "dist", "main.js")], { encoding: "utf8", timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1) as string);
    expect(summary.test).toBe(300);
    // Chance is 1/3.
    expect(summary.accuracy).toBeGreaterThan(0.7);
    expect(r.stdout).toMatch(/confusion \(rows: true class\)/);
  }, 300_000);
});
