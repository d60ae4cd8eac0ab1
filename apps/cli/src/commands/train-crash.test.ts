/**
 * kill -9 at arbitrary instants of a training run: whatever instant the
 * process dies at, the folder holds a checkpoint that loads, `--resume`
 * continues it, and the run ends with weights bit-identical to a run that was
 * never interrupted. (Faults inside every file-system step of a checkpoint
 * save are injected in core's checkpoint tests.)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCheckpoint } from "@neurobridge/core/node";
import { describe, expect, it } from "vitest";
import { runCli } from "../test-support.js";

const BIN = fileURLToPath(new URL("../../bin/neurobridge.js", import.meta.url));
const args = (out: string, resume: boolean) => [
  "train",
  "--model",
  "ffnn",
  "--subset",
  "30000",
  "--epochs",
  "2",
  "--batch",
  "64",
  "--checkpoint-every",
  "10",
  "--seed",
  "11",
  "--out",
  out,
  ...(resume ? ["--resume"] : []),
];

/** Starts training and kills it with SIGKILL after `ms` (or lets it finish); resolves with the exit code or the signal. */
function runUntil(out: string, resume: boolean, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, ...args(out, resume)], { stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe("training killed with SIGKILL at arbitrary instants", () => {
  it("always leaves a loadable checkpoint and resumes to weights bit-identical to an uninterrupted run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-kill-"));
    const started = performance.now();
    const reference = runCli(args(join(dir, "reference"), false), { timeoutMs: 300_000 });
    const referenceSeconds = (performance.now() - started) / 1000;
    expect(reference.code, reference.stderr).toBe(0);
    const want = loadCheckpoint(join(dir, "reference")).weights;

    const out = join(dir, "killed");
    // Kill points spread over start-up, the first epoch, checkpoint writes and the second epoch,
    // chosen for a 9 s run and shortened on a faster machine (else the run ends before the kills do).
    const scale = Math.min(1, referenceSeconds / 9);
    const delays = [2600, 3100, 2300, 3700, 2900, 3300, 2500, 4100, 3500, 2700].map((ms) => Math.round(ms * scale));
    let kills = 0;
    let finished = false;
    for (const [i, ms] of delays.entries()) {
      const r = await runUntil(out, i > 0 && existsSync(join(out, "training.json")), ms);
      if (r.signal === "SIGKILL") kills++;
      else {
        expect(r.code).toBe(0);
        finished = true;
        break;
      }
      if (existsSync(join(out, "training.json"))) expect(() => loadCheckpoint(out)).not.toThrow();
    }
    if (!finished) {
      const last = runCli(args(out, true), { timeoutMs: 300_000 });
      expect(last.code, last.stderr).toBe(0);
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    const got = loadCheckpoint(out).weights;
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [name, tensor] of Object.entries(want)) expect(got[name]?.data, name).toEqual(tensor.data);
  }, 600_000);
});
