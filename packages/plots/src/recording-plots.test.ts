import type { LayerRecording } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { renderFigure, renderFigureFile } from "./node.js";
import { layerActivityFigure, membraneFigure, rasterFigure, spikeCountHistogram, spikeCounts } from "./recording-plots.js";

/** T = 3, batch 2, 2 neurons, laid out [t][b][n]; sample 1 spikes at (t0,n1), (t2,n0), (t2,n1). */
const layer: LayerRecording = {
  id: "lif1",
  model: "lif",
  size: 2,
  timeSteps: 3,
  batch: 2,
  spikes: Uint8Array.from([1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1]),
  membrane: Float32Array.from([1.2, 0.1, 0.3, 1.5, 0.5, 0.2, 0.6, 0.4, 1.1, 1.3, 1.05, 1.7]),
  threshold: Float32Array.from([1, 1]),
};

/** The inline data of a (sub)spec. */
const values = (spec: object): unknown[] => (spec as { data: { values: unknown[] } }).data.values;

describe("recording plots", () => {
  it("counts each neuron's spikes of one sample", () => {
    expect(Array.from(spikeCounts(layer, 0))).toEqual([2, 1]);
    expect(Array.from(spikeCounts(layer, 1))).toEqual([1, 2]);
  });

  it("puts one raster mark per spike of the sample, one panel per layer", () => {
    const fig = rasterFigure([layer, { ...layer, id: "lif2" }], { sample: 1 });
    const panels = (fig.spec as { vconcat: object[] }).vconcat;
    expect(panels).toHaveLength(2);
    expect(values(panels[0] as object)).toEqual([
      { step: 0, neuron: 1 },
      { step: 2, neuron: 0 },
      { step: 2, neuron: 1 },
    ]);
  });

  it("draws the chosen neurons' membrane, spikes as dots on the trace, the threshold as a rule", () => {
    const fig = membraneFigure(layer, { sample: 1, neurons: [1] });
    const [trace, dots, rule] = (fig.spec as { layer: object[] }).layer as [object, object, object];
    expect(values(trace)).toEqual([
      { step: 0, neuron: "#1", v: expect.closeTo(1.5, 6) },
      { step: 1, neuron: "#1", v: expect.closeTo(0.4, 6) },
      { step: 2, neuron: "#1", v: expect.closeTo(1.7, 6) },
    ]);
    expect(values(dots).map((d) => (d as { step: number }).step)).toEqual([0, 2]);
    expect(values(rule)).toEqual([{ theta: 1 }]);
    // By default: the most active neurons, listed in index order.
    expect(membraneFigure(layer, { sample: 1, count: 1 }).caption).toContain("neurons 1 of lif1");
  });

  it("histograms spike counts per neuron and activity per step", () => {
    expect(values(spikeCountHistogram([layer], { sample: 0 }).spec)).toEqual([
      { layer: "lif1", count: 2 },
      { layer: "lif1", count: 1 },
    ]);
    expect(values(layerActivityFigure([layer]).spec)).toEqual([
      { layer: "lif1", step: 0, rate: 0.5 },
      { layer: "lif1", step: 1, rate: 0 },
      { layer: "lif1", step: 2, rate: 1 },
    ]);
  });

  it("refuses what it cannot draw, naming the option", () => {
    expect(() => rasterFigure([layer], { sample: 2 })).toThrow("sample: must be an integer 0…1 (the recorded batch), got 2");
    const { membrane: _m, ...spikesOnly } = layer;
    expect(() => membraneFigure(spikesOnly)).toThrow(`layer 'lif1' has no membrane recording; run with record: ["membrane"]`);
    expect(() => membraneFigure(layer, { neurons: [5] })).toThrow("neurons: 5 is not a neuron of layer 'lif1'; accepted: 0…1");
    expect(() => rasterFigure([])).toThrow(/no recordings/);
  });

  it("renders to SVG and PNG in Node", async () => {
    const { svg, png } = await renderFigure(rasterFigure([layer], { sample: 1 }));
    expect(svg).toMatch(/^<svg/);
    // Three spikes, three square marks, each labelled with its step and neuron.
    expect(svg.match(/aria-label="time step: \d+; neuron: \d+" role="graphics-symbol"/g)).toEqual([
      'aria-label="time step: 0; neuron: 1" role="graphics-symbol"',
      'aria-label="time step: 2; neuron: 0" role="graphics-symbol"',
      'aria-label="time step: 2; neuron: 1" role="graphics-symbol"',
    ]);
    expect(Array.from(png.subarray(1, 4), (c) => String.fromCharCode(c)).join("")).toBe("PNG");
    await expect(renderFigureFile(rasterFigure([layer]), "fig.jpg")).rejects.toThrow("--out: 'fig.jpg' must end in .png or .svg");
  });
});
