import { describe, expect, it } from "vitest";
import { CMOS45, ffnnCost, paperComparison, snnCost, sramReadEnergy } from "./cost.js";
import type { TrainResult } from "./training.js";

const layer = (fanIn: number, fanOut: number, input: "real" | "spikes", macs: number, accumulates: number) => ({
  nodeId: `fc`,
  fanIn,
  fanOut,
  input,
  macs,
  accumulates,
  biasAdds: fanOut,
  inputEvents: 0,
});

const base = {
  config: { model: "ffnn", epochs: 1, timeSteps: 1, batchSize: 128, learningRate: 1e-3, seed: 1, trainCount: 100, testCount: 10 },
  history: [{ epoch: 1, trainLoss: 0.5, trainAccuracy: 0.9, testAccuracy: 0.95, seconds: 1 }],
  testAccuracy: 0.95,
  secondsPerEpoch: 1,
  inferenceSamplesPerSecond: 100,
  workers: 1,
  parameters: 269_322,
} as const;

const ffnn: TrainResult = {
  ...base,
  activity: [
    { nodeId: "relu1", size: 256, eventsPerSample: 128, eventsPerStep: [1], silentFraction: 0.5, neverActiveFraction: 0 },
    { nodeId: "relu2", size: 256, eventsPerSample: 128, eventsPerStep: [1], silentFraction: 0.5, neverActiveFraction: 0 },
  ],
  ops: { timeSteps: 1, macs: 268_800, accumulates: 0, flops: 537_600, biasAdds: 522, neuronUpdates: 512, layers: [] },
} as unknown as TrainResult;

const snn: TrainResult = {
  ...base,
  config: { ...base.config, model: "snn", timeSteps: 25 },
  activity: [
    { nodeId: "lif1", size: 256, eventsPerSample: 640, eventsPerStep: [], silentFraction: 0.9, neverActiveFraction: 0.1 },
    { nodeId: "lif2", size: 256, eventsPerSample: 640, eventsPerStep: [], silentFraction: 0.9, neverActiveFraction: 0.1 },
    { nodeId: "lif3", size: 10, eventsPerSample: 25, eventsPerStep: [], silentFraction: 0.9, neverActiveFraction: 0 },
  ],
  ops: {
    timeSteps: 25,
    macs: 200_704,
    accumulates: 640 * 256 + 640 * 10,
    flops: 401_408,
    biasAdds: 0,
    neuronUpdates: 522 * 25,
    layers: [layer(784, 256, "real", 200_704, 0), layer(256, 256, "spikes", 0, 640 * 256), layer(256, 10, "spikes", 0, 640 * 10)],
  },
} as unknown as TrainResult;

describe("cost accounting", () => {
  it("interpolates SRAM read energy between Horowitz's 8 KB / 32 KB / 1 MB points", () => {
    expect(sramReadEnergy(1024)).toBe(CMOS45.sram8KB.value);
    expect(sramReadEnergy(20 * 1024)).toBeCloseTo(15e-12, 20);
    expect(sramReadEnergy(1024 * 1024)).toBeCloseTo(100e-12, 20);
    expect(sramReadEnergy(64 * 1024 * 1024)).toBe(CMOS45.sram1MB.value);
  });

  it("counts the FFNN by the paper's definition and adds weight reads for memory", () => {
    const c = ffnnCost(ffnn);
    expect(c.flops).toBe(537_600);
    expect(c.energy.cmos45Compute).toBeCloseTo(268_800 * 4.6e-12 + 522 * 0.9e-12, 15);
    expect(c.energy.cmos45WithMemory - c.energy.cmos45Compute).toBeCloseTo((269_322 / 2) * 100e-12, 12);
  });

  it("counts the SNN's layer 1 as MACs and the rest from spikes, on every profile", () => {
    const c = snnCost(snn);
    expect(c.firstLayerMacs).toBe(200_704);
    expect(c.accumulates).toBe(640 * 266);
    expect(c.energy.truenorth).toBeCloseTo(200_704 * 4.6e-12 + 640 * 266 * 26e-12, 15);
    expect(c.energy.loihi).toBeGreaterThan(640 * 266 * 23.6e-12);
    expect(c.energy.cmos45WithMemory).toBeGreaterThan(c.energy.cmos45Compute);
  });

  it("puts every paper claim beside this run's figure with a reason", () => {
    const rows = paperComparison(
      {
        rheobasePA: 200,
        slides: [250, 350].map((p) => ({ currentPA: p, slidesProtocolHz: 53.3, analyticHz: 55.27 })),
        reluR2: 0.96,
        sigmoidR2: 0.97,
        closest: { toPA: 500, reluR2: 0.977, sigmoidR2: 0.978 },
        fitRangeToPA: 1000,
      },
      ffnn,
      snn,
    );
    expect(rows.map((r) => r.quantity)).toContain("SNN operations / inference");
    for (const r of rows) expect(r.why.length).toBeGreaterThan(10);
    expect(rows.find((r) => r.quantity === "FFNN active neurons")?.thisRun).toBe("50.00%");
  });
});
