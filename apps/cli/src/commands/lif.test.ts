import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../test-support.js";

const json = (args: string[]) => {
  const result = runCli(args);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout.trim().split("\n").at(-1) as string);
};

describe("neurobridge lif", () => {
  it("simulate --json prints spike times, count and rate (slides: 250 pA → 16 spikes in 300 ms)", () => {
    const out = json(["lif", "simulate", "--current", "250pA", "--duration", "300ms", "--json"]);
    expect(out).toMatchObject({ spikeCount: 16, rateHz: 53.333333, analyticRateHz: 55.265781, rheobasePA: 200, integrator: "euler" });
    expect(out.spikeTimesMs).toHaveLength(16);
    expect(out.spikeTimesMs[0]).toBeCloseTo(16.1, 6);
  });

  it("simulate accepts nA, the exact integrator, a parameter file and writes the trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-lif-"));
    const params = join(dir, "params.json");
    writeFileSync(params, JSON.stringify({ tauM: "20ms", gL: "10nS" }));
    const csv = join(dir, "trace.csv");
    const out = json([
      "lif",
      "simulate",
      "--current",
      "0.35nA",
      "--duration",
      "100ms",
      "--integrator",
      "exact",
      "--params",
      params,
      "--out",
      csv,
      "--json",
    ]);
    expect(out.parameters).toMatchObject({ tauMMs: 20, cMPF: 200 });
    const lines = readFileSync(csv, "utf8").trim().split("\n");
    expect(lines[0]).toBe("t_ms,v_mV");
    expect(lines).toHaveLength(1 + 1001);
    expect(lines[1]).toBe("0,-75");
  });

  it("fi --json prints rows of { currentPA, analyticHz, simulatedHz } and the rheobase", () => {
    const out = json(["lif", "fi", "--from", "0pA", "--to", "1000pA", "--step", "250pA", "--json"]);
    expect(out.rheobasePA).toBe(200);
    expect(out.rows.map((r: { currentPA: number }) => r.currentPA)).toEqual([0, 250, 500, 750, 1000]);
    expect(out.rows[1]).toMatchObject({ analyticHz: 55.265781 });
    expect(Math.abs(out.rows[1].simulatedHz - 55.27)).toBeLessThan(0.1);
    const slides = json(["lif", "fi", "--from", "150pA", "--to", "350pA", "--step", "50pA", "--protocol", "slides", "--json"]);
    expect(slides.rows.map((r: { simulatedHz: number }) => Number(r.simulatedHz.toFixed(1)))).toEqual([0, 0, 53.3, 76.7, 93.3]);
  });

  it("fit --json prints relu, sigmoid and lif fits with R²", () => {
    const out = json(["lif", "fit", "--from", "0pA", "--to", "500pA", "--step", "10pA", "--json"]);
    expect(Object.keys(out.relu)).toEqual(expect.arrayContaining(["a", "b", "r2"]));
    expect(Object.keys(out.sigmoid)).toEqual(expect.arrayContaining(["L", "k", "x0", "r2"]));
    expect(out.lif.r2).toBeGreaterThan(0.999);
    expect(out.relu.r2).toBeGreaterThan(0.95);
    expect(out.paper).toEqual({ relu: 0.9784, sigmoid: 0.9788 });
  });

  it("simulate --current-file takes a sampled current (CSV or JSON) and matches the same current given as a step", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-current-"));
    // 0 pA for 50 ms, then 300 pA: the same as --current 300pA --step-start 50ms.
    const rows = Array.from({ length: 2000 }, (_, k) => `${(k * 0.1).toFixed(1)},${k < 500 ? 0 : 300}`);
    writeFileSync(join(dir, "step.csv"), `time_ms,current_pA\n${rows.join("\n")}\n`);
    writeFileSync(
      join(dir, "step.json"),
      JSON.stringify({ dt: "0.1ms", unit: "nA", samples: Array.from({ length: 2000 }, (_, k) => (k < 500 ? 0 : 0.3)) }),
    );
    const step = json(["lif", "simulate", "--current", "300pA", "--step-start", "50ms", "--duration", "200ms", "--json"]);
    for (const file of ["step.csv", "step.json"]) {
      const sampled = json(["lif", "simulate", "--current-file", join(dir, file), "--duration", "200ms", "--json"]);
      expect(sampled.spikeTimesMs, file).toEqual(step.spikeTimesMs);
      expect(sampled.currentPA).toBeNull();
    }
    expect(step.spikeCount).toBeGreaterThan(5);
    writeFileSync(join(dir, "gappy.csv"), "time_ms,current_pA\n0,100\n0.1,100\n0.3,100\n");
    writeFileSync(join(dir, "header.csv"), "t,I\n0,100\n");
    const cases: [string[], RegExp][] = [
      [["lif", "simulate", "--current-file", join(dir, "gappy.csv")], /gappy\.csv: samples must be evenly spaced in time/],
      [["lif", "simulate", "--current-file", join(dir, "header.csv")], /header\.csv: the header must be 'time_<unit>,current_<unit>'/],
      [
        ["lif", "simulate", "--current-file", join(dir, "step.csv"), "--duration", "1s"],
        /trace covers 0\.2 s but the simulation lasts 1 s/,
      ],
      [
        ["lif", "simulate", "--current", "1nA", "--current-file", join(dir, "step.csv")],
        /give exactly one of --current .* and --current-file/,
      ],
      [["lif", "simulate", "--current-file", join(dir, "none.csv")], /none\.csv: file not found/],
    ];
    for (const [args, message] of cases) {
      const result = runCli(args);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr).toMatch(message);
    }
  });

  it("rejects bad units, integrators, protocols and parameter files in one line", () => {
    const cases: [string[], RegExp][] = [
      [["lif", "simulate", "--current", "250ms"], /--current: unit 'ms' in '250ms' is not a unit of current/],
      [["lif", "simulate", "--current", "250"], /--current: '250' has no unit/],
      [["lif", "fi", "--integrator", "rk4"], /--integrator: unknown integrator 'rk4'; accepted: euler, exact/],
      [["lif", "fi", "--protocol", "best"], /--protocol: unknown protocol 'best'; accepted: slides, steady/],
      [["lif", "simulate", "--current", "1nA", "--params", "/nonexistent.json"], /\/nonexistent.json: file not found/],
      [["lif", "simulate", "--current", "1nA", "--dt", "-1ms"], /dt:? must be a positive time/],
    ];
    for (const [args, message] of cases) {
      const result = runCli(args);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
