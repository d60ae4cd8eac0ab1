import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { lastJson, runCli, trainTestCheckpoints } from "../test-support.js";

describe("neurobridge deploy", () => {
  let dir = "";
  let snn = "";
  let ffnn = "";
  beforeAll(() => {
    ({ dir, snn, ffnn } = trainTestCheckpoints("nb-deploy-cli-", { subset: 2048, seed: 6 }));
  }, 300_000);

  it("runs the SNN on emulated Loihi and prints the interface keys", () => {
    const r = runCli(["deploy", "--checkpoint", snn, "--target", "loihi", "--subset", "300", "--json"], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const result = lastJson(r.stdout);
    expect(result).toMatchObject({ target: "loihi", deployed: true, count: 300, cores: 3, ticksPerSample: 12, latencyTicks: 2 });
    for (const key of ["accuracy", "floatAccuracy", "synapticEvents", "energyJoules", "samplesPerSecond"]) {
      expect(result[key], key).toBeGreaterThan(0);
    }
    // A 1-epoch, 2,048-image network on 300 images: fixed point stays within 5 points of float here
    // (the 1-point target is tested on a trained network in backend-neuromorphic's emulator tests).
    expect(Math.abs(result.accuracy - result.floatAccuracy)).toBeLessThanOrEqual(0.05);
    expect(result.quantization).toHaveLength(3);
    const text = runCli(["deploy", "--checkpoint", snn, "--target", "loihi", "--subset", "50"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/loihi: 3 of 128 cores/);
    expect(text.stdout).toMatch(/accuracy .* \(fixed point\) vs .* \(float\) on 50 test images/);
  }, 300_000);

  it("emulates on every core with the serial run's results (--threads)", () => {
    // The whole test set, so the worker (about 0.2 s to start) takes part.
    const run = (threads: string) => {
      const r = runCli(["deploy", "--checkpoint", snn, "--target", "loihi", "--batch", "128", "--threads", threads, "--json"], {
        timeoutMs: 120_000,
      });
      expect(r.code, r.stderr).toBe(0);
      return lastJson(r.stdout);
    };
    const serial = run("1");
    const parallel = run("2");
    expect(serial.emulatorThreads).toBe(1);
    expect(serial.emulatorThreadsOffered).toBe(1);
    // The work was offered to both threads; which of them took batches depends on load (a busy machine
    // can let the main thread take every batch before the worker starts), so only the results are held equal.
    expect(parallel.emulatorThreadsOffered).toBe(2);
    expect([1, 2]).toContain(parallel.emulatorThreads);
    const { samplesPerSecond: _a, floatSamplesPerSecond: _b, emulatorThreads: _c, emulatorThreadsOffered: _d, ...same } = serial;
    expect(parallel).toMatchObject(same);
  });

  it("exits non-zero naming the failing constraint", () => {
    const tn = runCli(["deploy", "--checkpoint", snn, "--target", "truenorth", "--json"]);
    expect(tn.code).toBe(1);
    expect(lastJson(tn.stdout)).toMatchObject({
      target: "truenorth",
      deployed: false,
      constraint: "axonsPerCore",
      error: { code: "DEPLOYMENT", constraint: "axonsPerCore", message: expect.stringMatching(/a TrueNorth core has 256 axons/) },
    });
    expect(tn.stderr).toMatch(/a TrueNorth core has 256 axons/);
    const rate = runCli(["deploy", "--checkpoint", ffnn, "--target", "loihi"]);
    expect(rate.code).toBe(1);
    expect(rate.stderr).toMatch(/no spiking populations .* Export it to ONNX instead/);
    const unknown = runCli(["deploy", "--checkpoint", snn, "--target", "spinnaker"]);
    expect(unknown.stderr).toMatch(/--target: unknown target 'spinnaker'; accepted: loihi, truenorth/);
    for (const r of [tn, rate, unknown]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it("trains for TrueNorth under its constraints and deploys there, printing the interface keys", () => {
    const tn = join(dir, "tn");
    const train = runCli(
      ["train", "--model", "snn", "--target", "truenorth", "--epochs", "1", "--subset", "2048", "--steps", "10", "--out", tn, "--json"],
      {
        timeoutMs: 300_000,
      },
    );
    expect(train.code, train.stderr).toBe(0);
    expect(lastJson(train.stdout).warnings).toContain("for truenorth: encoder: rate instead of 'direct' (TrueNorth takes spikes only)");
    const r = runCli(["deploy", "--checkpoint", tn, "--target", "truenorth", "--subset", "200", "--json"], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const result = lastJson(r.stdout);
    expect(result).toMatchObject({ target: "truenorth", deployed: true, count: 200, cores: 11, ticksPerSample: 12, latencyTicks: 2 });
    // The chip's integer arithmetic and its float model give the same answers.
    expect(result.accuracy).toBe(result.floatAccuracy);
    expect(result.energyJoules).toBeCloseTo(result.synapticEvents * 26e-12, 15);
    for (const layer of result.trueNorth) {
      for (const axons of layer.axonsPerCore) expect(axons).toBeLessThanOrEqual(256);
      for (const neurons of layer.neuronsPerCore) expect(neurons).toBeLessThanOrEqual(256);
      expect(layer.weightLevels).toBeLessThanOrEqual(2);
    }
    const loihi = runCli(["train", "--model", "snn", "--target", "loihi", "--out", join(dir, "x")]);
    expect(loihi.code).toBe(1);
    expect(loihi.stderr).toMatch(/--target: 'loihi' has no constraint-aware training; targets with it: truenorth/);
  }, 300_000);
});
