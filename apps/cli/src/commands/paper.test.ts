import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RESULTS_SCHEMA, validateResults } from "@neurobridge/experiments";
import { describe, expect, it } from "vitest";
import { runCli } from "../test-support.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe("neurobridge paper --quick (end to end)", () => {
  // End-to-end runs spawn the real CLI; on a busy 2-core machine they take far longer than vitest's 20 s default.
  const out = mkdtempSync(join(tmpdir(), "nb-paper-"));

  it("writes results.json (valid against its schema), every figure as SVG and PNG, report.html and summary.md", () => {
    const run = runCli(["paper", "--quick", "--seed", "7", "--out", out, "--json"], { timeoutMs: 600_000 });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1) as string);
    expect(summary.profile).toBe("quick");
    for (const file of ["results.json", "report.html", "summary.md"]) expect(existsSync(join(out, file)), file).toBe(true);

    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(() => validateResults(results)).not.toThrow();
    expect(RESULTS_SCHEMA.required).toContain("paperComparison");
    expect(results.training.ffnn.testAccuracy).toBeGreaterThan(0.5);
    expect(results.training.snn.testAccuracy).toBeGreaterThan(0.3);
    expect(results.lif.fiCurve.rheobasePA).toBe(200);

    expect(results.figures.length).toBeGreaterThanOrEqual(10);
    for (const f of results.figures as { id: string; files: { svg: string; png: string } }[]) {
      const svg = readFileSync(join(out, f.files.svg), "utf8");
      expect(svg.startsWith("<svg"), f.id).toBe(true);
      expect(svg.length).toBeGreaterThan(1000);
      const png = readFileSync(join(out, f.files.png));
      expect([...png.subarray(0, 8)], f.id).toEqual(PNG_SIGNATURE);
      expect(statSync(join(out, f.files.png)).size).toBeGreaterThan(5000);
    }

    // Off the training backend: exported models run in ONNX Runtime with tfjs's predictions; emulated Loihi.
    const d = results.deployment;
    expect(d.onnx.map((o: { model: string; mode: string }) => `${o.model}-${o.mode}`)).toEqual([
      "ffnn-feedforward",
      "snn-unrolled",
      "snn-step",
    ]);
    for (const o of d.onnx) {
      expect(o.samePredictions, o.file).toBe(1);
      expect(o.maxAbsDifference, o.file).toBeLessThanOrEqual(1e-5);
      expect(existsSync(join(out, o.file)), o.file).toBe(true);
    }
    // NIR: the SNN written beside the ONNX files and read back exactly.
    expect(d.nir).toMatchObject({
      file: "models/snn.nir",
      convention: "snntorch",
      weightsIdentical: true,
      samePredictions: 1,
      maxAbsDifference: 0,
    });
    expect(d.nir.nodes).toEqual(["Input", "Affine", "LIF", "Affine", "LIF", "Affine", "LIF", "Output"]);
    expect(existsSync(join(out, "models/snn.nir"))).toBe(true);
    expect(d.loihi.cores).toBe(3);
    // The quick run's SNN is barely trained; the 1-point claim is tested on a trained one in backend-neuromorphic.
    expect(d.loihi.accuracy).toBeGreaterThan(0.3);
    expect(d.loihi.floatAccuracy).toBe(results.training.snn.testAccuracy);
    // The SNN trained for TrueNorth deploys there, the chip's integer arithmetic agreeing with its float model;
    // the paper's SNN does not fit, and says why.
    expect(d.truenorth).toMatchObject({ target: "truenorth", deployed: true, cores: 11, latencyTicks: 2 });
    expect(d.truenorth.accuracy).toBe(d.truenorth.floatAccuracy);
    expect(d.truenorth.accuracy).toBeGreaterThan(0.2);
    expect(d.truenorthUnconstrained).toMatchObject({ deployed: false, constraint: "axonsPerCore" });

    // The T sweep ran as jobs over three seeds, both networks: mean ± spread in the results and the report.
    expect(results.seeds.seeds).toEqual([7, 8, 9]);
    expect(results.sweep.map((p: { timeSteps: number; seeds: number }) => [p.timeSteps, p.seeds])).toEqual([
      [5, 3],
      [10, 3],
      [25, 3],
    ]);
    for (const p of results.sweep) expect(p.testAccuracyMin).toBeLessThanOrEqual(p.testAccuracyMax);
    expect(results.seeds.ffnn.n).toBe(3);
    const rows = readFileSync(join(out, "sweep", "results.csv"), "utf8")
      .trim()
      .split("\n");
    expect(rows).toHaveLength(1 + 9 + 3);
    expect(rows[0]).toMatch(/^id,kind,model,epochs,seed,timeSteps,testAccuracy,/);

    // The bridge: the LIF-rate FFNN converted (IF, rate-matched) and fine-tuned; the rate-matched neurons follow its curve.
    const b = results.bridge;
    expect([...new Set(b.routes.map((r: { route: string }) => r.route))]).toEqual([
      "converted (IF)",
      "converted (rate-matched)",
      "converted + fine-tuned",
    ]);
    for (const c of b.curves.matched) expect(c.r2).toBeGreaterThan(0.95);
    expect(b.scratch).toHaveLength(3);
    expect(results.figures.map((f: { id: string }) => f.id)).toEqual(
      expect.arrayContaining(["bridge-routes", "bridge-fi-link", "sweep-accuracy-vs-T"]),
    );

    const report = readFileSync(join(out, "report.html"), "utf8");
    expect(report).toContain("<h2>From the rate network to a spiking one</h2>");
    expect(report).toContain("<h2>Across seeds</h2>");
    expect(report).toContain("<h2>Off the training backend</h2>");
    expect(report).toMatch(/<h2>Paper vs this run<\/h2>\s*<table class="comparison">/);
    expect(report).toContain("7,111 SOPs");
    expect((report.match(/<figure /g) ?? []).length).toBe(results.figures.length);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toMatch(/\| Quantity \| Paper \| This run \| Why they differ \|/);
  }, 600_000);

  it("resumes: a rerun reuses every finished step", () => {
    const run = runCli(["paper", "--quick", "--seed", "7", "--out", out], { timeoutMs: 600_000 });
    expect(run.code, run.stderr).toBe(0);
    for (const step of [
      "lif-traces",
      "fi-curve",
      "activation-fits",
      "collapse",
      "train-ffnn",
      "train-snn",
      "sweep",
      "bridge-ffnn",
      "bridge",
      "deploy",
    ]) {
      expect(run.stderr).toMatch(new RegExp(`\\] ${step}: cached`));
    }
  }, 600_000);
});
