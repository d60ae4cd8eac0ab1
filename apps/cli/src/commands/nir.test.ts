import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { lastJson, runCli, trainTestCheckpoints } from "../test-support.js";

const samples = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "packages", "nir", "fixtures");

describe("neurobridge export nir / import nir / inspect --nir", () => {
  let dir = "";
  let checkpoint = "";
  beforeAll(() => {
    ({ dir, snn: checkpoint } = trainTestCheckpoints("nb-nir-cli-", { subset: 1024, seed: 4, models: ["snn"] }));
  }, 300_000);

  it("round-trips a checkpoint: export, inspect, import, and eval, deploy and export onnx accept the imported one with the same accuracy", () => {
    const file = join(dir, "snn.nir");
    const ex = runCli(["export", "nir", "--checkpoint", checkpoint, "--out", file, "--json"]);
    expect(ex.code, ex.stderr).toBe(0);
    const exported = lastJson(ex.stdout);
    expect(exported).toMatchObject({ convention: "snntorch", dt: 1e-4 });
    expect(exported.nodes.map((n: { type: string }) => n.type)).toEqual([
      "Input",
      "Affine",
      "LIF",
      "Affine",
      "LIF",
      "Affine",
      "LIF",
      "Output",
    ]);
    expect(exported.warnings.join("\n")).toMatch(/subtracts θ/);

    const inspect = lastJson(runCli(["inspect", "--nir", file, "--json"]).stdout);
    expect(inspect.convention.detected).toBe("neurobridge");
    expect(inspect.nodes.find((n: { name: string }) => n.name === "lif1")).toMatchObject({ type: "LIF", input: [256], output: [256] });

    const back = join(dir, "back");
    const im = runCli(["import", "nir", file, "--out", back, "--json"]);
    expect(im.code, im.stderr).toBe(0);
    const imported = lastJson(im.stdout);
    expect(imported.checkpoint).toBe(back);
    expect(imported.edges).toHaveLength(7);
    expect(imported.nodes).toHaveLength(8);
    expect(imported).toMatchObject({ timeSteps: 10, models: { lif1: "lif", lif2: "lif", lif3: "lif" } });

    const a = lastJson(runCli(["eval", "--checkpoint", checkpoint, "--subset", "500", "--json"]).stdout);
    const b = lastJson(runCli(["eval", "--checkpoint", back, "--subset", "500", "--json"]).stdout);
    expect(b.accuracy).toBe(a.accuracy);
    const deploy = runCli(["deploy", "--checkpoint", back, "--target", "loihi", "--subset", "100", "--json"]);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(lastJson(deploy.stdout).deployed).toBe(true);
    const onnx = runCli(["export", "onnx", "--checkpoint", back, "--out", join(dir, "back.onnx")]);
    expect(onnx.code, onnx.stderr).toBe(0);
    const again = runCli(["import", "nir", file, "--out", back]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a checkpoint; replace it with --force/);
  }, 300_000);

  it("imports files from other tools or says exactly why not, without a stack trace", () => {
    const norse = runCli(["import", "nir", join(samples, "lif_norse.nir"), "--convention", "norse", "--out", join(dir, "norse"), "--json"]);
    expect(norse.code, norse.stderr).toBe(0);
    expect(lastJson(norse.stdout)).toMatchObject({ models: { "1": "lif" }, convention: "norse", dt: 1e-3 });
    const cases: [string[], RegExp][] = [
      [
        ["import", "nir", join(samples, "lif_rockpool.nir"), "--out", join(dir, "r")],
        /type mismatch on edge 1_LIFNeuronTorch → output.*\n.*--no-type-check/,
      ],
      [
        ["import", "nir", join(samples, "braille_noDelay_bias_zero.nir"), "--out", join(dir, "b")],
        /recurrent \(edge lif1\.w_rec → lif1\.lif closes a cycle\)/,
      ],
      [["import", "nir", join(samples, "cnn_sinabs.nir"), "--out", join(dir, "c")], /node '0' \(Conv2d\) is not supported yet/],
      [["import", "nir", join(dir, "missing.nir"), "--out", join(dir, "m")], /missing\.nir.*file not found/],
      [["inspect", "--nir", join(dir, "garbage.nir")], /no HDF5 signature/],
      [["inspect"], /inspect needs one file: --onnx FILE\.onnx or --nir FILE\.nir/],
      [
        ["export", "nir", "--checkpoint", checkpoint, "--out", join(dir, "x.nir"), "--convention", "brian"],
        /unknown NIR convention 'brian'; accepted: snntorch, norse, nir/,
      ],
      [["export", "nir", "--checkpoint", checkpoint, "--out", join(dir, "x.nir"), "--dt", "-1"], /--dt: '-1' is not a positive time/],
    ];
    writeFileSync(join(dir, "garbage.nir"), "not hdf5");
    for (const [args, message] of cases) {
      const run = runCli(args);
      expect(run.code, args.join(" ")).toBe(1);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stderr, args.join(" ")).not.toMatch(/\n\s+at /);
    }
    const loose = runCli([
      "import",
      "nir",
      join(samples, "lif_rockpool.nir"),
      "--out",
      join(dir, "r"),
      "--no-type-check",
      "--convention",
      "snntorch",
    ]);
    expect(loose.code, loose.stderr).toBe(0);
    expect(loose.stderr).toMatch(/warning: NIR type check: type mismatch/);
  }, 120_000);
});
