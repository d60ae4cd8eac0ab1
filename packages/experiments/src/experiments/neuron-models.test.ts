import { describe, expect, it } from "vitest";
import { neuronModelsExperiment } from "./neuron-models.js";

describe("the neuron-models experiment", () => {
  it("gives every family member's F–I curve with fits, and the AdEx gallery with each pattern's signature", () => {
    const { result, figures } = neuronModelsExperiment({
      fromPA: 0,
      toPA: 2000,
      stepPA: 250,
      durationS: 0.5,
      dtMs: 0.1,
      discardS: 0.1,
      galleryDurationMs: 500,
      galleryDtMs: 0.05,
    });
    expect(result.models.map((m) => m.name)).toEqual(["lif", "eif", "adex", "alif", "coba"]);
    for (const m of result.models) {
      expect(m.rows[0]?.simulatedHz, m.name).toBe(0);
      expect(m.rows.at(-1)?.simulatedHz, m.name).toBeGreaterThan(20);
      expect(m.reluR2).toBeGreaterThan(0.5);
      expect(m.sigmoidR2).toBeLessThanOrEqual(1);
    }
    // Adaptation shows in the adaptive members only.
    const adapts = (name: string) => {
      const m = result.models.find((x) => x.name === name);
      return (m?.firstIsiHzAt2xRheobase as number) / (m?.steadyIsiHzAt2xRheobase as number);
    };
    expect(adapts("adex")).toBeGreaterThan(1.5);
    expect(adapts("alif")).toBeGreaterThan(1.2);
    expect(adapts("lif")).toBeCloseTo(1, 6);
    const gallery = Object.fromEntries(result.gallery.map((g) => [g.preset, g]));
    expect(Object.keys(gallery)).toEqual(["tonic", "adapting", "initial-burst", "bursting", "delayed-accelerating", "irregular"]);
    expect(gallery.adapting?.adaptationIndex).toBeGreaterThan(gallery.tonic?.adaptationIndex as number);
    expect(gallery.bursting?.bursts).toBeGreaterThanOrEqual(2);
    expect(gallery.irregular?.isiCv).toBeGreaterThan(0.3);
    expect(figures.map((f) => f.id)).toEqual(["neuron-models-fi", "adex-gallery"]);
    // The caption is computed from the run, not written in advance.
    const best = result.models.reduce((a, b) => (b.reluR2 > a.reluR2 ? b : a));
    expect(figures[0]?.caption).toContain(`ReLU fits ${best.name} best (R² ${best.reluR2.toFixed(3)})`);
  });
});
