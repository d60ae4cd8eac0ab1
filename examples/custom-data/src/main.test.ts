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

  it("runs from its TypeScript source under tsx, the usual way to run TypeScript, with the same result", () => {
    const args = ["--import", "tsx", join(import.meta.dirname, "main.ts")];
    const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const built = spawnSync(process.execPath, [join(import.meta.dirname, "..", "dist", "main.js")], { encoding: "utf8", timeout: 300_000 });
    const last = (out: string) => JSON.parse(out.trim().split("\n").at(-1) as string);
    expect(last(r.stdout)).toMatchObject({ test: 300, accuracy: last(built.stdout).accuracy });
  }, 300_000);
});
