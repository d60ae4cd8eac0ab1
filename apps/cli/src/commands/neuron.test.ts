import { describe, expect, it } from "vitest";
import { runCli } from "../test-support.js";

const json = (args: string[]) => {
  const r = runCli(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) as string);
};

describe("neurobridge neuron", () => {
  it("fi prints the interface keys for AdEx (Brette & Gerstner) and for EIF (AdEx with a = b = 0)", () => {
    const base = ["--from", "0pA", "--to", "2000pA", "--step", "250pA", "--duration", "1s", "--dt", "0.01ms"];
    const flags = [...base, "--integrator", "euler", "--discard", "0s", "--method", "count", "--json"];
    const adex = json(["neuron", "fi", "--model", "adex", "--preset", "brette-gerstner-2005", ...flags]);
    expect(adex.rheobasePA).toBeCloseTo(627.31, 1);
    expect(adex.rows).toHaveLength(9);
    expect(adex.rows[0]).toMatchObject({ currentPA: 0, simulatedHz: 0 });
    expect(adex.rows.at(-1).simulatedHz).toBeGreaterThan(20);
    const eif = json(["neuron", "fi", "--model", "eif", "--preset", "brette-gerstner-2005", ...flags]);
    expect(eif.rheobasePA).toBeCloseTo(546, 6);
    // Without adaptation it fires faster at every current above threshold.
    for (let i = 3; i < 9; i++) expect(eif.rows[i].simulatedHz).toBeGreaterThan(adex.rows[i].simulatedHz);
  }, 60_000);

  it("simulate prints spikes, rates and adaptation; a preset carries its current", () => {
    const tonic = json([
      "neuron",
      "simulate",
      "--model",
      "adex",
      "--preset",
      "tonic",
      "--current",
      "500pA",
      "--duration",
      "500ms",
      "--json",
    ]);
    expect(tonic).toMatchObject({ model: "adex", preset: "tonic", currentPA: 500, spikeCount: tonic.spikeTimesMs.length });
    expect(Math.abs(tonic.adaptationIndex)).toBeLessThan(0.005);
    const adapting = json(["neuron", "simulate", "--model", "adex", "--preset", "adapting", "--json"]);
    expect(adapting.currentPA).toBe(500);
    expect(adapting.firstIsiHz).toBeGreaterThan(3 * adapting.steadyIsiHz);
    const coba = json(["neuron", "simulate", "--model", "coba", "--current", "0pA", "--json"]);
    expect(coba.spikeCount).toBe(0);
  }, 60_000);

  it("fit gives ReLU and sigmoid R² for any member", () => {
    const fit = json(["neuron", "fit", "--model", "alif", "--from", "0pA", "--to", "1000pA", "--step", "50pA", "--json"]);
    expect(fit.relu.r2).toBeGreaterThan(0.8);
    expect(fit.sigmoid.r2).toBeGreaterThan(0.8);
  }, 60_000);

  it("names what is wrong in one line", () => {
    const cases: [string[], RegExp][] = [
      [["neuron", "fi", "--model", "hh"], /--model: unknown neuron model 'hh'; accepted: lif, eif, adex, alif, coba/],
      [
        ["neuron", "simulate", "--model", "adex", "--preset", "chattering", "--current", "1nA"],
        /unknown preset 'chattering'; accepted: brette-gerstner-2005/,
      ],
      [
        ["neuron", "simulate", "--model", "adex", "--current", "1nA", "--integrator", "exact"],
        /--integrator: 'exact' does not integrate adex; accepted: euler, rk4/,
      ],
      [["neuron", "simulate", "--model", "eif"], /give --current/],
      [["neuron", "simulate", "--model", "lif", "--current", "300pA", "--step-stop", "10ms"], /--step-stop needs --step-start/],
      [["neuron", "fi", "--model", "lif", "--from", "1nA", "--to", "0pA"], /--from 1nA must not be above --to 0pA/],
      [["neuron", "fi", "--model", "lif", "--step", "0.001pA"], /at most 10000/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
