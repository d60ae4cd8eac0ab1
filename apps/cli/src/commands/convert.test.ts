import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { lastJson, runCli, trainTestCheckpoints } from "../test-support.js";

describe("neurobridge convert", () => {
  let ck: { dir: string; ffnn: string };
  beforeAll(() => {
    ck = trainTestCheckpoints("nb-convert-", { subset: 3000, seed: 7, models: ["ffnn"] });
  }, 300_000);

  it("writes an SNN checkpoint the other commands accept, with its diagnostics (--json keys)", () => {
    const out = join(ck.dir, "snn");
    const r = runCli(
      [
        "convert",
        "--checkpoint",
        ck.ffnn,
        "--to",
        "snn",
        "--steps",
        "24",
        "--calibration",
        "300",
        "--eval-samples",
        "200",
        "--sweep",
        "4,24",
        "--out",
        out,
        "--json",
      ],
      { timeoutMs: 300_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = lastJson(r.stdout);
    expect(report).toMatchObject({ out, neuron: "if", beta: 1, timeSteps: 24, normalise: "p99.9", calibrationSamples: 300 });
    expect(report.layers).toHaveLength(3);
    expect(report.diagnostics.sweep.map((p: { timeSteps: number }) => p.timeSteps)).toEqual([4, 24]);
    expect(Object.keys(report.diagnostics.sweep[0]).sort()).toEqual(["accumulates", "accuracy", "energyJ", "macs", "timeSteps"]);
    expect(report.diagnostics.agreement.map((a: { layer: string }) => a.layer)).toEqual(["lif1", "lif2", "lif3"]);
    expect(report.diagnostics.snnAccuracy).toBeGreaterThan(report.diagnostics.ffnnAccuracy - 0.05);

    const ev = runCli(["eval", "--checkpoint", out, "--subset", "200", "--json"], { timeoutMs: 120_000 });
    expect(ev.code).toBe(0);
    expect(lastJson(ev.stdout)).toMatchObject({ timeSteps: 24, count: 200, accuracy: report.diagnostics.snnAccuracy });

    // The text form, and refusing to overwrite.
    const again = runCli(["convert", "--checkpoint", ck.ffnn, "--to", "snn", "--eval-samples", "0", "--out", out]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already holds a checkpoint; replace it with --force/);
    const text = runCli([
      "convert",
      "--checkpoint",
      ck.ffnn,
      "--to",
      "snn",
      "--neuron",
      "lif",
      "--beta",
      "0.98",
      "--eval-samples",
      "0",
      "--out",
      out,
      "--force",
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/LIF β 0\.98 neurons, θ 1, reset by subtraction, T 64/);
    expect(text.stdout).toMatch(/fc1: λ [\d.]+ \(p99\.9; max/);
  }, 600_000);
});
