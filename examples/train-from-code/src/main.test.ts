import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("examples/train-from-code", () => {
  it("trains, evaluates on tfjs, Loihi and ONNX Runtime, saves and exports", () => {
    const out = mkdtempSync(join(tmpdir(), "nb-example-train-"));
    const r = spawnSync(process.execPath, [join(import.meta.dirname, "..", "dist", "main.js"), out], {
      encoding: "utf8",
      timeout: 300_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1) as string);
    expect(summary.tfjs).toBeGreaterThan(0.85);
    expect(Math.abs(summary.loihi - summary.tfjs)).toBeLessThan(0.02);
    expect(summary.onnx).toBe(summary.tfjs);
    expect(summary.onnxAgrees).toBe(true);
    expect(summary.nirNodes).toBeGreaterThan(5);
    for (const file of ["snn/training.json", "snn.onnx", "snn.nir"]) expect(existsSync(join(out, file)), file).toBe(true);
  }, 300_000);
});
