import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("examples/recording-and-plotting", () => {
  it("records spikes and membrane, finds the emulator's spikes identical, and writes the figures", () => {
    const out = mkdtempSync(join(tmpdir(), "nb-example-rec-"));
    const r = spawnSync(process.execPath, [join(import.meta.dirname, "..", "dist", "main.js"), out], {
      encoding: "utf8",
      timeout: 300_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1) as string);
    expect(summary.emulatorIdentical).toBe(true);
    expect(summary.figures).toEqual(["raster", "membrane", "spike-counts", "layer-activity"]);
    expect(summary.outputs.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
    for (const id of summary.figures) {
      expect(
        readFileSync(join(out, `${id}.png`))
          .subarray(1, 4)
          .toString(),
        id,
      ).toBe("PNG");
      expect(readFileSync(join(out, `${id}.svg`), "utf8"), id).toMatch(/^<svg/);
    }
  }, 300_000);
});
