import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { lastJson, runCli, trainTestCheckpoints } from "../test-support.js";

describe("neurobridge export onnx / run --onnx / inspect", () => {
  let dir = "";
  let checkpoint = "";
  beforeAll(() => {
    ({ dir, snn: checkpoint } = trainTestCheckpoints("nb-onnx-cli-", { subset: 1024, seed: 4, models: ["snn"] }));
  }, 300_000);

  it("exports the SNN in both layouts and runs them in onnxruntime-node with the accuracy of eval", () => {
    const ev = lastJson(runCli(["eval", "--checkpoint", checkpoint, "--subset", "500", "--json"]).stdout);
    for (const mode of ["unrolled", "step"]) {
      const file = join(dir, `snn-${mode}.onnx`);
      const ex = runCli(["export", "onnx", "--checkpoint", checkpoint, "--mode", mode, "--out", file, "--json"]);
      expect(ex.code, ex.stderr).toBe(0);
      expect(lastJson(ex.stdout)).toMatchObject({ mode, timeSteps: 10, opset: 17, irVersion: 8 });
      const run = runCli(["run", "--onnx", file, "--subset", "500", "--json"]);
      expect(run.code, run.stderr).toBe(0);
      const result = lastJson(run.stdout);
      expect(result).toMatchObject({ count: 500, mode, timeSteps: 10 });
      expect(result.accuracy).toBe(ev.accuracy);
      expect(result.samplesPerSecond).toBeGreaterThan(0);
    }
    const inspect = runCli(["inspect", "--onnx", join(dir, "snn-step.onnx")]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/IR 8, opset 17/);
    expect(inspect.stdout).toMatch(/input {2}lif1\.v \[batch, 256\]/);
  }, 300_000);

  it("names what is wrong with bad files and options, without a stack trace", () => {
    const good = readFileSync(join(dir, "snn-unrolled.onnx"));
    const truncated = join(dir, "truncated.onnx");
    writeFileSync(truncated, good.subarray(0, Math.floor(good.length * 0.6)));
    const cases: [string[], RegExp][] = [
      [["run", "--onnx", truncated], /truncated\.onnx: .*(corrupt, truncated|probably truncated)/],
      [["inspect", "--onnx", join(dir, "none.onnx")], /none\.onnx: no such file/],
      [
        ["export", "onnx", "--checkpoint", checkpoint, "--mode", "loop", "--out", join(dir, "x.onnx")],
        /--mode: unknown mode 'loop'; accepted: step, unrolled/,
      ],
      [["run", "--onnx", join(dir, "snn-step.onnx"), "--threads", "0"], /--threads: expected an integer >= 1, got '0'/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});
