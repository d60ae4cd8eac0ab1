import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lastJson, runCli } from "../test-support.js";

describe("neurobridge train / eval", () => {
  it("trains the FFNN and the SNN on a subset, printing the interface keys, and evaluates the checkpoints", () => {
    for (const model of ["ffnn", "snn"]) {
      const out = mkdtempSync(join(tmpdir(), `nb-train-${model}-`));
      const train = runCli(
        [
          "train",
          "--model",
          model,
          "--epochs",
          "1",
          "--subset",
          "1024",
          "--batch",
          "32",
          "--steps",
          "10",
          "--seed",
          "3",
          "--out",
          out,
          "--json",
        ],
        { timeoutMs: 180_000 },
      );
      expect(train.code, train.stderr).toBe(0);
      const summary = lastJson(train.stdout);
      expect(summary).toMatchObject({ status: "completed", epochs: 1, model, checkpoint: out });
      expect(summary.testAccuracy).toBeGreaterThan(0.3);
      expect(summary.secondsPerEpoch).toBeGreaterThan(0);
      const ev = runCli(["eval", "--checkpoint", out, "--subset", "300", "--json"]);
      expect(ev.code, ev.stderr).toBe(0);
      const result = lastJson(ev.stdout);
      expect(result.count).toBe(300);
      expect(result.accuracy).toBeGreaterThan(0.3);
      expect(result.samplesPerSecond).toBeGreaterThan(0);
      expect(result.ops.macs).toBe(model === "ffnn" ? 268_800 : 200_704);
      expect(result.activity).toHaveLength(model === "ffnn" ? 2 : 3);
      // train prints the experiment's final evaluation: the one eval gets on the same 1,000 test images.
      const same = lastJson(runCli(["eval", "--checkpoint", out, "--subset", "1000", "--json"]).stdout);
      expect(summary.testAccuracy).toBe(same.accuracy);
    }
  }, 600_000);

  it("rejects bad options and missing checkpoints in one line", () => {
    const cases: [string[], RegExp][] = [
      [["train", "--model", "cnn", "--out", "/tmp/x"], /--model: unknown model 'cnn'; accepted: ffnn, snn/],
      [["train", "--model", "snn", "--steps", "0", "--out", "/tmp/x"], /--steps: expected an integer >= 1, got '0'/],
      [
        ["train", "--model", "snn", "--encoding", "morse", "--out", "/tmp/x"],
        /encoder\.name: unknown encoder 'morse'; registered: direct, rate, latency, delta/,
      ],
      [["eval", "--checkpoint", "/nonexistent-ckpt"], /\/nonexistent-ckpt: checkpoint folder not found/],
      [
        ["train", "--model", "ffnn", "--subset", "100000", "--out", "/tmp/x-subset"],
        /--subset \(training images\): asks for 100000 examples but the data has 60000; accepted: 1…60000/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = runCli(args);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.stderr).toMatch(message);
    }
  });

  it("SIGTERM checkpoints and exits 143; the printed resume command finishes the run", async () => {
    const out = mkdtempSync(join(tmpdir(), "nb-sigterm-"));
    const bin = fileURLToPath(new URL("../../bin/neurobridge.js", import.meta.url));
    const args = [
      "train",
      "--model",
      "snn",
      "--steps",
      "10",
      "--subset",
      "8192",
      "--epochs",
      "2",
      "--batch",
      "32",
      "--checkpoint-every",
      "20",
      "--out",
      out,
    ];
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    setTimeout(() => child.kill("SIGTERM"), 4000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code, stderr).toBe(143);
    expect(stderr).toMatch(/interrupted \(SIGTERM\); checkpoint saved in .*Resume with: neurobridge train --out .* --resume/);
    const hint = (stderr.match(/Resume with: neurobridge (.*)\n/)?.[1] ?? "").split(" ");
    const resumed = runCli([...hint, "--json"], { timeoutMs: 240_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({ status: "completed", epochs: 2 });
  }, 300_000);

  it("refuses to overwrite a checkpoint without --resume or --force, and a second writer on a folder in use", () => {
    const out = mkdtempSync(join(tmpdir(), "nb-overwrite-"));
    const args = ["train", "--model", "ffnn", "--epochs", "1", "--subset", "256", "--out", out];
    expect(runCli(args, { timeoutMs: 120_000 }).code).toBe(0);
    const again = runCli(args, { timeoutMs: 120_000 });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a checkpoint; continue it with --resume, start over with --force/);
    expect(runCli([...args, "--force"], { timeoutMs: 120_000 }).code).toBe(0);
    writeFileSync(join(out, ".lock"), `${process.pid}\n`);
    const locked = runCli([...args, "--force"], { timeoutMs: 120_000 });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(new RegExp(`is in use by process ${process.pid} \\(a training run\\)`));
  }, 300_000);

  it("resumes with every setting of the checkpoint: no --model needed, the stored epochs, conflicting flags named", () => {
    const out = mkdtempSync(join(tmpdir(), "nb-resume-"));
    // --neuron alone implies the spiking network.
    const first = runCli(
      ["train", "--neuron", "alif", "--epochs", "2", "--subset", "256", "--steps", "4", "--lr", "2e-3", "--out", out, "--json"],
      {
        timeoutMs: 120_000,
      },
    );
    expect(first.code, first.stderr).toBe(0);
    expect(lastJson(first.stdout)).toMatchObject({ model: "snn", neuron: "alif", epochs: 2 });
    // Nothing left to do: it stays at the stored 2 epochs (the CLI's default of 10 used to win).
    const again = runCli(["train", "--out", out, "--resume", "--json"], { timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(lastJson(again.stdout)).toMatchObject({ status: "completed", model: "snn", neuron: "alif", epochs: 2 });
    const conflict = runCli(["train", "--out", out, "--resume", "--lr", "1e-3", "--steps", "4"]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/these differ: --lr 0\.001 \(the run in .* uses 0\.002\)/);
    expect(conflict.stderr).not.toMatch(/--steps/);
    const extended = runCli(["train", "--out", out, "--resume", "--epochs", "3", "--json"], { timeoutMs: 120_000 });
    expect(extended.code, extended.stderr).toBe(0);
    expect(lastJson(extended.stdout)).toMatchObject({ status: "completed", epochs: 3 });
    const none = runCli(["train", "--out", join(out, "fresh")]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--model: required \(ffnn \| snn\), unless --neuron names the model or --resume continues a run/);
  }, 300_000);
});
