/**
 * Conventions every command follows: one error prefix (commander's own
 * errors included), `--json` errors as one JSON object on stdout, help pages
 * that mark required options and show examples, and progress as plain lines
 * when stderr is not a terminal.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lastJson, runCli } from "./test-support.js";

describe("CLI conventions", () => {
  it("prefixes every error the same way, commander's included", () => {
    for (const args of [
      ["frobnicate"],
      ["train"],
      ["eval", "--checkpoint", "/nonexistent"],
      ["lif", "simulate", "--current", "5 bananas"],
    ]) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(/^neurobridge: error: /);
    }
  });

  it("under --json, ends stdout with one JSON error object for every kind of failure", () => {
    const cases: [string[], string][] = [
      [["train", "--json"], "commander.missingMandatoryOptionValue"],
      [["eval", "--checkpoint", "/nonexistent", "--json"], "DATA_FILE"],
      [["run", "--onnx", "/nonexistent.onnx", "--json"], "DATA_FILE"],
      [["lif", "fi", "--from", "400pA", "--to", "0pA", "--json"], "SWEEP_INVALID"],
      [["plot", "raster", "--checkpoint", "/nonexistent", "--out", "x.png", "--json"], "DATA_FILE"],
    ];
    for (const [args, code] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      const result = lastJson(r.stdout);
      expect(result.error.code, args.join(" ")).toBe(code);
      expect(result.error.message, args.join(" ")).toBe(r.stderr.split("\n")[0]?.replace(/^neurobridge: error: /, ""));
    }
  });

  it("marks required options and shows examples on help pages", () => {
    const train = runCli(["train", "--help"]);
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/--out <dir>\s+checkpoint folder [\s\S]*?\(required\)/);
    // --model is not required: --neuron implies it, and --resume takes the saved run's.
    expect(train.stdout).toMatch(/--model <model>\s+ffnn \| snn \(default: the one --neuron implies/);
    expect(train.stdout).toMatch(/Examples:\n {2}neurobridge train --model snn --out runs\/snn/);
    expect(runCli(["export", "onnx", "--help"]).stdout).toMatch(/Examples:\n {2}neurobridge export onnx/);
    expect(runCli(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("prints progress as plain lines when stderr is not a terminal", () => {
    const out = join(mkdtempSync(join(tmpdir(), "nb-progress-")), "ffnn");
    // runCli pipes stderr: not a terminal. An interval of 0 prints every update.
    const r = runCli(["train", "--model", "ffnn", "--subset", "1024", "--epochs", "2", "--out", out], {
      env: { NEUROBRIDGE_PROGRESS_SECONDS: "0" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^epoch 1\/2: 0\/8 batches$/m);
    expect(r.stderr).toMatch(/^epoch 2\/2: 8\/8 batches \(100%\), loss [\d.]+, acc [\d.]+, \d+ samples\/s$/m);
    // No carriage returns or terminal escapes (a redrawn bar) in a log.
    expect(r.stderr.includes("\r") || r.stderr.includes(String.fromCharCode(27))).toBe(false);
    const ev = runCli(["eval", "--checkpoint", out, "--subset", "600", "--batch", "200"], { env: { NEUROBRIDGE_PROGRESS_SECONDS: "0" } });
    expect(ev.stderr).toMatch(/^evaluating on tfjs: 400\/600 test images \(66%\), about \d+ s left$/m);
  }, 120_000);
});
