import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { lastJson, runCli, trainTestCheckpoints } from "../test-support.js";

describe("neurobridge plot", () => {
  let dir = "";
  let snn = "";
  let ffnn = "";
  beforeAll(() => {
    ({ dir, snn, ffnn } = trainTestCheckpoints("nb-plot-cli-", { subset: 1024, seed: 2 }));
  }, 300_000);

  it("draws a raster PNG and a membrane SVG of one test image", () => {
    const png = join(dir, "raster.png");
    const r = runCli(["plot", "raster", "--checkpoint", snn, "--sample", "3", "--out", png, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = lastJson(r.stdout);
    expect(result).toMatchObject({ plot: "raster", out: png, sample: 3, label: 0, backend: "tfjs" });
    expect(result.layers.map((l: { id: string }) => l.id)).toEqual(["lif1", "lif2", "lif3"]);
    expect(result.layers[0].spikes).toBeGreaterThan(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    const svg = join(dir, "membrane.svg");
    const m = runCli(["plot", "membrane", "--checkpoint", snn, "--layer", "lif2", "--neurons", "0,7", "--out", svg]);
    expect(m.code, m.stderr).toBe(0);
    const text = readFileSync(svg, "utf8");
    expect(text).toMatch(/^<svg/);
    expect(text).toContain("Membrane of lif2");
    // The emulator records spikes too — the same ones.
    const e = runCli([
      "plot",
      "raster",
      "--checkpoint",
      snn,
      "--sample",
      "3",
      "--backend",
      "emulator",
      "--out",
      join(dir, "e.png"),
      "--json",
    ]);
    expect(e.code, e.stderr).toBe(0);
    expect(lastJson(e.stdout).layers).toEqual(result.layers);
  }, 120_000);

  it("refuses what it cannot plot, naming the option", () => {
    const out = join(dir, "x.png");
    const cases: [string[], RegExp][] = [
      [
        ["plot", "scatter", "--checkpoint", snn, "--out", out],
        /plot: unknown plot 'scatter'; accepted: raster, membrane, counts, activity/,
      ],
      [["plot", "raster", "--checkpoint", snn, "--out", join(dir, "x.jpg")], /--out: '.*x\.jpg' does not end in \.png or \.svg/],
      [["plot", "raster", "--checkpoint", snn, "--sample", "10000", "--out", out], /--sample: must be an integer 0…9999/],
      [
        ["plot", "raster", "--checkpoint", snn, "--layer", "fc1", "--out", out],
        /--layer: no spiking layer 'fc1'; accepted: lif1, lif2, lif3/,
      ],
      [["plot", "membrane", "--checkpoint", snn, "--neurons", "1,x", "--out", out], /--neurons: must be neuron indices/],
      [
        ["plot", "membrane", "--checkpoint", snn, "--neurons", "300", "--out", out],
        /neurons: 300 is not a neuron of layer 'lif1'; accepted: 0…255/,
      ],
      [
        ["plot", "membrane", "--checkpoint", snn, "--backend", "emulator", "--out", out],
        /the emulator backend cannot record membrane; it records: spikes/,
      ],
      [["plot", "raster", "--checkpoint", ffnn, "--out", out], /holds a network without spiking layers/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr, args.join(" ")).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});
