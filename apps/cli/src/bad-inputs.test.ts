/**
 * The bad-input corpus: every command given what a careless or hostile user
 * gives it — wrong numbers, units, ranges, flags, damaged files of every kind
 * (checkpoints, ONNX, NIR, JSON, CSV, plugins) — must exit non-zero, say in
 * its message what is wrong (the flag or the file) and never print a stack
 * trace or an "internal error", within a bounded time.
 *
 * The cases run in this process through the CLI's own `main` (one program per
 * case, output captured), so hundreds of them take seconds.
 */
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCheckpoint, saveCheckpoint } from "@neurobridge/core/node";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.js";

const here = dirname(fileURLToPath(import.meta.url));
const samples = join(here, "..", "..", "..", "packages", "nir", "fixtures");

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `neurobridge ...args` in this process, capturing what it writes. */
async function run(args: readonly string[], timeoutMs = 30_000): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = undefined;
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      main(["node", "neurobridge", ...args]),
      new Promise<number>((resolve) => {
        timer = setTimeout(() => resolve(-1), timeoutMs);
      }),
    ]);
    return { code, stdout, stderr, ms: performance.now() - start };
  } finally {
    clearTimeout(timer);
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
  }
}

const dir = mkdtempSync(join(tmpdir(), "nb-bad-inputs-"));
const p = (...parts: string[]) => join(dir, ...parts);
const write = (name: string, content: string | Uint8Array) => {
  mkdirSync(dirname(p(name)), { recursive: true });
  writeFileSync(p(name), content);
  return p(name);
};

/** Each case: the command line and what its message must name. */
type Case = readonly [args: readonly string[], message: RegExp];

function corpus(): Case[] {
  const cases: Case[] = [];
  const add = (args: readonly string[], message: RegExp) => cases.push([args, message]);

  // Numbers, units and ranges of the single-neuron commands.
  for (const cmd of [
    ["lif", "simulate"],
    ["neuron", "simulate", "--model", "adex"],
  ]) {
    for (const v of ["abc", "250", "250pV", "-", "1e999pA", "NaNpA", "250 p A", "", "0x10pA"]) add([...cmd, "--current", v], /--current/);
    for (const v of ["abc", "300", "-5ms", "0ms", "1e6s", "Infinityms", "5pA"])
      add([...cmd, "--current", "250pA", "--duration", v], /--duration/);
    for (const v of ["0ms", "-0.1ms", "abc", "1kA", "10s"]) add([...cmd, "--current", "250pA", "--dt", v], /--dt/);
    add([...cmd, "--current", "250pA", "--integrator", "leapfrog"], /--integrator/);
    add([...cmd, "--current", "250pA", "--step-stop", "100ms"], /--step-stop.*--step-start|--step-start/);
    add([...cmd, "--current", "250pA", "--step-start", "200ms", "--step-stop", "100ms"], /--step-stop|--step-start/);
    add([...cmd, "--current", "250pA", "--step-start", "abc"], /--step-start/);
    add([...cmd, "--current", "250pA", "--current-file", p("current-ok.csv")], /--current.*--current-file|one of|both/i);
    add([...cmd, "--current-file", p("missing.csv")], /missing\.csv/);
    add([...cmd, "--current-file", p("current-bad-header.csv")], /current-bad-header\.csv.*header/);
    add([...cmd, "--current-file", p("current-empty-field.csv")], /current-empty-field\.csv/);
    add([...cmd, "--current-file", p("current-text.csv")], /current-text\.csv/);
    add([...cmd, "--current-file", p("current-uneven.csv")], /current-uneven\.csv.*evenly spaced/);
    add([...cmd, "--current-file", p("current-one.csv")], /current-one\.csv.*two samples/);
    add([...cmd, "--current-file", p("current-late.csv")], /current-late\.csv/);
    add([...cmd, "--current-file", p("current-bad.json")], /current-bad\.json/);
    add([...cmd, "--current-file", p("current-nodt.json")], /current-nodt\.json/);
    add([...cmd, "--current-file", p("current-badunit.json")], /current-badunit\.json|unit/);
    add([...cmd, "--current-file", dir], /is a folder|folder/);
    add([...cmd, "--current", "250pA", "--params", p("missing.json")], /missing\.json/);
    add([...cmd, "--current", "250pA", "--params", p("not-json.json")], /not-json\.json.*JSON/);
    add([...cmd, "--current", "250pA", "--params", p("params-array.json")], /params-array\.json|--params/);
    add([...cmd, "--current", "250pA", "--out", dir], /folder|--out/);
    add([...cmd, "--current", "250pA", "--out", p("trace.xyz")], /\.csv|\.json|--out/);
  }
  add(["lif", "simulate", "--current", "250pA", "--v0", "abc"], /--v0/);
  add(["lif", "simulate", "--current", "250pA", "--v0", "5pA"], /--v0/);
  for (const params of [
    "params-unknown.json",
    "params-unitless.json",
    "params-wrong-unit.json",
    "params-negative-tau.json",
    "params-string.json",
  ]) {
    add(["lif", "simulate", "--current", "250pA", "--params", p(params)], new RegExp(params.replace(".", "\\.")));
  }
  add(["neuron", "simulate", "--current", "250pA"], /--model/);
  add(["neuron", "simulate", "--model", "hodgkin", "--current", "250pA"], /hodgkin.*accepted|--model/);
  add(["neuron", "simulate", "--model", "adex", "--preset", "chattering", "--current", "250pA"], /--preset.*chattering|chattering/);
  add(["neuron", "simulate", "--model", "lif", "--preset", "tonic", "--current", "250pA"], /--preset|preset/);
  add(["neuron", "simulate", "--model", "coba", "--current", "250pA", "--seed", "-1"], /--seed/);
  add(["neuron", "simulate", "--model", "adex", "--current", "250pA", "--integrator", "exact"], /--integrator/);
  add(
    ["neuron", "simulate", "--model", "adex", "--current", "250pA", "--params", p("params-adex-unknown.json")],
    /params-adex-unknown\.json|unknown/,
  );

  // Sweeps.
  for (const cmd of [
    ["lif", "fi"],
    ["lif", "fit"],
    ["neuron", "fi", "--model", "eif"],
    ["neuron", "fit", "--model", "adex"],
  ]) {
    add([...cmd, "--from", "400pA", "--to", "0pA"], /--from.*--to|--to.*--from/);
    add([...cmd, "--step", "0pA"], /--step/);
    add([...cmd, "--step", "-10pA"], /--step/);
    add([...cmd, "--step", "abc"], /--step/);
    add([...cmd, "--from", "abc"], /--from/);
    add([...cmd, "--to", "1e999pA"], /--to/);
    add([...cmd, "--from", "0pA", "--to", "1000pA", "--step", "1e-9pA"], /points|--step/);
    add([...cmd, "--duration", "0s"], /--duration/);
    add([...cmd, "--duration", "1e6s"], /--duration|steps/);
    add([...cmd, "--dt", "-1ms"], /--dt/);
    add([...cmd, "--method", "median"], /--method/);
    add([...cmd, "--discard", "-1ms"], /--discard/);
    add([...cmd, "--integrator", "verlet"], /--integrator/);
    add([...cmd, "--params", p("not-json.json")], /not-json\.json/);
  }
  add(["lif", "fi", "--protocol", "fast"], /--protocol/);
  add(["lif", "fi", "--discard", "2s", "--duration", "1s"], /--discard.*--duration|--discard/);

  // Training.
  const trainOut = p("train-out");
  const train = (...extra: string[]) => [
    "train",
    "--model",
    "snn",
    "--subset",
    "100",
    "--epochs",
    "1",
    "--workers",
    "1",
    "--out",
    trainOut,
    ...extra,
  ];
  add(["train", "--out", trainOut], /--model/);
  add(["train", "--model", "cnn", "--out", trainOut], /--model.*cnn/);
  for (const [flag, values] of [
    ["--epochs", ["0", "-1", "1.5", "abc", "1e9x"]],
    ["--subset", ["0", "-5", "abc", "100000"]],
    ["--batch", ["0", "abc", "-1"]],
    ["--lr", ["0", "-1e-3", "abc", "Infinity"]],
    ["--steps", ["0", "abc", "-3"]],
    ["--seed", ["-1", "abc", "1.5", "99999999999"]],
    ["--beta", ["abc", "-0.5", "1.5"]],
    ["--workers", ["0", "abc", "-2"]],
    ["--checkpoint-every", ["0", "abc"]],
  ] as const) {
    for (const v of values) add(train(flag, v), flag === "--beta" ? /beta/ : new RegExp(flag));
  }
  add(train("--neuron", "hodgkin"), /hodgkin/);
  add(train("--neuron-params", "{beta:0.9}"), /--neuron-params/);
  add(train("--neuron-params", '{"beta":"x"}'), /--neuron-params/);
  add(train("--neuron-params", '{"beta":5}'), /beta/);
  add(train("--neuron-params", '{"nope":1}'), /nope/);
  add(train("--encoding", "morse"), /morse/);
  add(train("--surrogate", "magic"), /magic/);
  add(train("--loss", "hinge"), /hinge/);
  add(train("--normalization", "zscore"), /--normalization.*zscore/);
  add(train("--lr-schedule", "step"), /--lr-schedule|step/);
  add(train("--backend", "loihi"), /loihi.*does not train|backends that train/);
  add(train("--backend", "gpu"), /gpu/);
  add(train("--kernel", "webgl"), /--kernel/);
  add(train("--gemm", "foo"), /--gemm/);
  add(train("--activation", "relu"), /--activation sets the FFNN's activation/);
  add(["train", "--model", "ffnn", "--subset", "100", "--out", trainOut, "--activation", "tanh"], /tanh/);
  add(["train", "--model", "snn", "--out", p("ck-ffnn"), "--subset", "100"], /already holds a checkpoint/);
  add(["train", "--model", "snn", "--out", p("ck-ffnn"), "--resume", "--workers", "1"], /--model "snn".*differ|--resume/);
  add(["train", "--model", "ffnn", "--out", p("ck-ffnn"), "--resume", "--lr", "0.5"], /--lr 0\.5/);
  add(["train", "--model", "ffnn", "--out", p("ck-ffnn"), "--resume", "--subset", "200"], /--subset 200/);
  add(["train", "--model", "ffnn", "--out", p("ck-ffnn"), "--resume", "--batch", "7"], /--batch 7/);
  add(["train", "--model", "ffnn", "--out", p("ck-ffnn"), "--resume", "--seed", "3"], /--seed 3/);
  add(["train", "--model", "ffnn", "--out", p("file.txt"), "--subset", "100"], /file\.txt/);
  add(["train", "--model", "ffnn", "--out", p("ck-garbage-manifest"), "--resume"], /ck-garbage-manifest|training\.json/);
  add(["train", "--model", "ffnn", "--subset", "1000", "--epochs", "1", "--lr", "1e9", "--out", p("diverge")], /diverged/);

  // Checkpoints, damaged in every way.
  const broken = [
    "ck-missing",
    "ck-empty-dir",
    "ck-garbage-manifest",
    "ck-no-hashes",
    "ck-truncated-weights",
    "ck-nan",
    "ck-edited-weights",
    "file.txt",
  ];
  for (const ck of broken) {
    const name = new RegExp(ck.replace(".", "\\."));
    add(["eval", "--checkpoint", p(ck)], name);
    add(["deploy", "--checkpoint", p(ck), "--target", "loihi"], name);
    add(["export", "onnx", "--checkpoint", p(ck), "--out", p("x.onnx")], name);
    add(["export", "nir", "--checkpoint", p(ck), "--out", p("x.nir")], name);
  }
  add(["eval"], /--checkpoint/);
  add(["eval", "--checkpoint", p("ck-ffnn"), "--subset", "0"], /--subset/);
  add(["eval", "--checkpoint", p("ck-ffnn"), "--subset", "20000"], /subset|test images/);
  add(["eval", "--checkpoint", p("ck-ffnn"), "--batch", "0"], /--batch/);
  add(["eval", "--checkpoint", p("ck-ffnn"), "--backend", "gpu"], /gpu/);
  add(["eval", "--checkpoint", p("ck-ffnn"), "--normalization", "zscore"], /zscore/);
  add(["eval", "--checkpoint", p("ck-ffnn"), "--workers", "0"], /--workers/);
  add(["deploy", "--checkpoint", p("ck-snn")], /--target/);
  add(["deploy", "--checkpoint", p("ck-snn"), "--target", "spinnaker"], /spinnaker/);
  add(["deploy", "--checkpoint", p("ck-snn"), "--target", "tfjs"], /tfjs/);
  add(["deploy", "--checkpoint", p("ck-snn"), "--target", "truenorth"], /axonsPerCore|constraint/);
  add(["deploy", "--checkpoint", p("ck-ffnn"), "--target", "loihi"], /rate|spik|ffnn|relu/i);
  add(["deploy", "--checkpoint", p("ck-snn"), "--target", "loihi", "--subset", "-1"], /--subset/);
  add(["deploy", "--checkpoint", p("ck-snn"), "--target", "loihi", "--normalization", "zscore"], /zscore/);
  add(["deploy", "--checkpoint", p("ck-snn"), "--target", "loihi", "--threads", "0"], /--threads/);
  add(["deploy", "--checkpoint", p("ck-snn"), "--target", "loihi", "--threads", "two"], /--threads/);
  add(["convert", "--checkpoint", p("ck-ffnn"), "--out", p("conv")], /--to/);
  add(["convert", "--checkpoint", p("ck-ffnn"), "--to", "ann", "--out", p("conv")], /'ann' is not a conversion target; accepted: snn/);
  add(["convert", "--checkpoint", p("ck-snn"), "--to", "snn", "--out", p("conv")], /already spikes; conversion takes a rate network/);
  add(["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--neuron", "izh", "--out", p("conv")], /'izh' is not one of if, lif/);
  add(["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--normalise", "p50", "--out", p("conv")], /'p50' is not one of max, p99.9/);
  add(["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--steps", "0", "--out", p("conv")], /--steps/);
  add(
    ["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--beta", "0.9", "--out", p("conv")],
    /--beta: applies to --neuron lif only/,
  );
  add(
    ["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--neuron", "lif", "--beta", "1.5", "--out", p("conv")],
    /must be in \(0, 1\]/,
  );
  add(
    ["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--calibration", "70000", "--out", p("conv")],
    /--calibration: must be an integer 1…60000/,
  );
  add(["convert", "--checkpoint", p("missing"), "--to", "snn", "--out", p("conv")], /missing|no checkpoint|not found/i);
  add(
    ["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--neuron", "matched", "--out", p("conv")],
    /spiking counterpart of 'relu'.*--neuron if/,
  );
  add(
    ["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--resolution", "4", "--out", p("conv")],
    /--resolution: applies to --neuron matched only/,
  );

  // ONNX files.
  add(["export", "onnx", "--checkpoint", p("ck-snn"), "--out", p("x.onnx"), "--mode", "rolled"], /--mode.*rolled/);
  add(["export", "onnx", "--checkpoint", p("ck-snn"), "--out", dir], /folder/);
  add(["export", "onnx", "--checkpoint", p("ck-snn"), "--out", p("file.txt", "x.onnx")], /file\.txt|not a folder/);
  for (const f of ["missing.onnx", "empty.onnx", "garbage.onnx", "truncated.onnx", "file.txt"]) {
    const name = new RegExp(f.replace(".", "\\."));
    add(["run", "--onnx", p(f)], name);
    add(["inspect", "--onnx", p(f)], name);
  }
  add(["run", "--onnx", p("ffnn.onnx"), "--subset", "0"], /--subset/);
  add(["run", "--onnx", p("ffnn.onnx"), "--threads", "0"], /--threads/);
  add(["run", "--onnx", p("ffnn.onnx"), "--batch", "abc"], /--batch/);
  add(["run", "--onnx", p("ffnn.onnx"), "--normalization", "standard"], /--normalization standard.*'unit'/);
  add(["run", "--onnx", p("ffnn.onnx"), "--normalization", "zscore"], /zscore/);
  add(["run"], /--onnx/);

  // NIR files.
  for (const f of ["missing.nir", "empty.nir", "garbage.nir", "truncated.nir", "cut.nir", "file.txt"]) {
    const name = new RegExp(f.replace(".", "\\."));
    add(["import", "nir", p(f), "--out", p("imported")], name);
    add(["inspect", "--nir", p(f)], name);
  }
  add(["import", "nir", join(samples, "lif_rockpool.nir"), "--out", p("imported")], /type mismatch/);
  add(["import", "nir", join(samples, "braille_noDelay_bias_zero.nir"), "--out", p("imported")], /recurrent/);
  add(["import", "nir", join(samples, "cnn_sinabs.nir"), "--out", p("imported")], /Conv2d.*not supported yet/);
  add(["import", "nir", join(samples, "lif_norse.nir"), "--out", p("imported"), "--dt", "1s"], /shorter than dt/);
  add(["import", "nir", join(samples, "lif_norse.nir"), "--out", p("imported"), "--convention", "brian"], /brian/);
  add(["import", "nir", join(samples, "lif_norse.nir"), "--out", p("imported"), "--steps", "0"], /--steps/);
  add(["import", "nir", join(samples, "lif_norse.nir")], /--out/);
  add(["import", "nir", join(samples, "lif_norse.nir"), "--out", p("file.txt")], /file\.txt/);
  add(["import", "nir", join(samples, "lif_norse.nir"), "--out", p("ck-ffnn")], /already holds a checkpoint/);
  add(["export", "nir", "--checkpoint", p("ck-ffnn"), "--out", p("x.nir")], /relu.*no NIR codec/);
  add(["export", "nir", "--checkpoint", p("ck-snn"), "--out", p("x.nir"), "--dt", "fast"], /--dt/);
  add(["export", "nir", "--checkpoint", p("ck-snn"), "--out", p("x.nir"), "--convention", "sinabs"], /sinabs/);
  add(["export", "nir", "--checkpoint", p("ck-snn"), "--out", dir], /folder/);
  // A network that does not fit the data (1 input, 1 output): every entry point that takes data refuses it.
  for (const backend of ["tfjs", "emulator", "loihi"]) {
    add(["eval", "--checkpoint", p("ck-one-input"), "--backend", backend], /784 features; the network's input takes 1/);
  }
  add(["eval", "--checkpoint", p("ck-one-input"), "--workers", "2"], /784 features; the network's input takes 1/);
  add(["deploy", "--checkpoint", p("ck-one-input"), "--target", "loihi"], /784 features; the network's input takes 1/);
  add(["plot", "raster", "--checkpoint", p("ck-one-input"), "--out", p("r.svg")], /784 features; the network's input takes 1/);
  // Outputs: the format's extension, and never a file of another format or a checkpoint's own without --force.
  add(["export", "onnx", "--checkpoint", p("ck-snn"), "--out", p("snn.nir")], /'.*snn\.nir' does not end in \.onnx/);
  add(
    ["export", "onnx", "--checkpoint", p("ck-snn"), "--out", p("nir-inside.onnx")],
    /already holds NIR \(HDF5\) data, not ONNX; .*--force/,
  );
  add(["export", "nir", "--checkpoint", p("ck-snn"), "--out", p("onnx-inside.nir")], /already holds ONNX data, not NIR/);
  add(["export", "onnx", "--checkpoint", p("ck-snn"), "--out", p("ck-snn", "training.json")], /does not end in \.onnx/);
  add(["plot", "raster", "--checkpoint", p("ck-snn"), "--out", p("onnx-inside.png")], /already holds ONNX data, not PNG/);
  add(["plot", "raster", "--checkpoint", p("ck-snn"), "--out", ""], /--out: empty/);
  add(["lif", "simulate", "--current", "250pA", "--out", p("ck-snn", "training.json")], /is a file of the checkpoint/);
  add(["lif", "simulate", "--current-file", p("current-ok.csv"), "--out", p("current-ok.csv")], /is also an input of this run/);
  add(["neuron", "simulate", "--model", "adex", "--current", "1nA", "--out", p("snn.csv")], /already holds NIR \(HDF5\) data, not CSV/);
  // Divergence and unstable integration: an error naming the cause, never NaN results with exit 0.
  add(
    [
      "train",
      "--model",
      "snn",
      "--lr",
      "1e300",
      "--subset",
      "128",
      "--steps",
      "2",
      "--workers",
      "1",
      "--epochs",
      "1",
      "--out",
      p("diverged"),
    ],
    /fc1\.weight\[\d+\] became .*training diverged/,
  );
  for (const cmd of [["simulate", "--current", "500pA"], ["fi", "--from", "0pA", "--to", "100pA", "--step", "50pA"], ["fit"]]) {
    add(
      ["neuron", cmd[0] as string, "--model", "adex", "--params", p("params-tiny-tauw.json"), ...cmd.slice(1)],
      /state \w+ became .*tauW = 0\.001 ms is shorter than 5 steps of dt/,
    );
  }
  // Options that size work or waiting are bounded (a huge --lock-seconds overflowed a timer into a busy loop).
  add(["worker", "--redis", "redis://127.0.0.1:1", "--lock-seconds", "1e9"], /--lock-seconds: at most 86400/);
  add(["worker", "--redis", "redis://127.0.0.1:1", "--idle-exit", "1e12"], /--idle-exit: at most 86400/);
  add(["worker", "--redis", "redis://127.0.0.1:1", "--concurrency", "100000"], /--concurrency: at most 256/);
  add(["train", "--model", "ffnn", "--epochs", "1e9", "--out", p("t-epochs")], /--epochs: at most 100000/);
  add(["deploy", "--checkpoint", p("ck-snn"), "--target", "loihi", "--threads", "100000"], /--threads: at most 256/);
  add(["import", "nir", p("big-t.nir"), "--out", p("imported-big-t")], /timeSteps: 1000000000 is over the limit of 1000000/);
  add(["import", "nir", join(samples, "lif_norse.nir"), "--out", p("imported-steps"), "--steps", "2000000"], /over the limit of 1000000/);
  // Output folders that cannot be: empty, a dangling link, a folder where the lock belongs, a place without room for entries.
  const outputs: [string, RegExp][] = [
    ["", /an empty path is not a folder|--out: required/],
    [p("dangling"), /is a symbolic link to something that does not exist/],
    [p("lock-is-folder"), /\.lock: is a folder where the lock file belongs/],
    ["/proc/neurobridge-out", /\/proc\/neurobridge-out: cannot create the folder/],
  ];
  for (const [out, message] of outputs) {
    add(["train", "--model", "ffnn", "--epochs", "1", "--subset", "128", "--out", out], message);
    add(["import", "nir", join(samples, "lif_norse.nir"), "--out", out], message);
    add(["convert", "--checkpoint", p("ck-ffnn"), "--to", "snn", "--out", out], message);
    add(["sweep", "--grid", p("sweep-ok.json"), "--out", out], message);
    add(["paper", "--quick", "--out", out], message);
  }
  add(["inspect"], /--onnx FILE\.onnx or --nir FILE\.nir/);
  add(["inspect", "--onnx", p("ffnn.onnx"), "--nir", p("x.nir")], /one file/);

  // Plugins.
  for (const plugin of ["missing.mjs", "throws.mjs", "no-register.mjs", "syntax.mjs", "not-an-object.mjs", "duplicate.mjs"]) {
    const name = new RegExp(plugin.replace(".", "\\.").replace("missing", "missing"));
    add(["--plugin", p(plugin), "plugins"], name);
    add(["--plugin", p(plugin), "lif", "simulate", "--current", "250pA"], name);
  }
  add(["--plugin", "@neurobridge/no-such-package", "plugins"], /no-such-package/);
  // Whatever a plugin throws or rejects with, the plugin is named with what it threw.
  add(
    ["--plugin", p("throws-number.mjs"), "plugins"],
    /plugin 'throws-number' .*could not be registered: its register\(\) threw: it threw 42/,
  );
  add(["--plugin", p("throws-null.mjs"), "plugins"], /plugin 'throws-null' .*it threw null/);
  add(["--plugin", p("async-register.mjs"), "plugins"], /plugin 'async-register'.*register\(\) returned a promise/);
  add(["--plugin", p("import-throws-string.mjs"), "plugins"], /cannot load plugin module '.*import-throws-string\.mjs': no config here/);

  // Sweeps.
  add(["sweep"], /--grid: required/);
  add(["sweep", "--grid", p("sweep-ok.json")], /--out: required/);
  add(["sweep", "--grid", p("missing.json"), "--out", p("sw")], /missing\.json/);
  add(["sweep", "--grid", p("not-json.json"), "--out", p("sw")], /not-json\.json/);
  add(["sweep", "--grid", p("sweep-array.json"), "--out", p("sw")], /must be a JSON object with base, grid and\/or list/);
  add(["sweep", "--grid", p("sweep-typo.json"), "--out", p("sw")], /gird: is not a grid key; accepted: kind, base, grid, list/);
  add(["sweep", "--grid", p("sweep-proto.json"), "--out", p("sw")], /base\.__proto__\.epochs: '__proto__\.epochs' names no setting/);
  add(["sweep", "--grid", p("sweep-proto-axis.json"), "--out", p("sw")], /grid\.__proto__\.x: '__proto__\.x' names no setting/);
  add(["sweep", "--grid", p("sweep-conflict.json"), "--out", p("sw")], /grid\.network: sets what axis 'network\.beta' sets; keep one/);
  add(["sweep", "--grid", p("sweep-list-conflict.json"), "--out", p("sw")], /list\[0\]\.seed: is also the grid axis 'seed'/);
  add(
    ["sweep", "--grid", p("sweep-network-key.json"), "--out", p("sw")],
    /network\.bta: is not a network setting; accepted: neuron, neuronParams, beta/,
  );
  add(["sweep", "--grid", p("sweep-other.json"), "--out", p("sweep-done")], /holds a sweep of another grid .*--force/);
  // Settings found wrong only when a job ran (after every attempt) are found when the sweep is planned.
  for (const [setting, message] of [
    [{ loss: "nope" }, /jobs\[0\]\.loss: unknown loss "nope"; registered: softmax_ce/],
    [{ normalization: "weird" }, /jobs\[0\]\.normalization: must be one of unit, standard, none/],
    [{ backend: "nope" }, /jobs\[0\]\.backend: unknown backend "nope"/],
    [{ target: "nope" }, /jobs\[0\]\.target: unknown backend "nope"/],
    [
      { loss: "mse_count", lossParams: { x: 1 } },
      /lossParams\.x: is not a parameter of loss "mse_count"; accepted: correctRate, incorrectRate/,
    ],
  ] as const) {
    const name = `sweep-late-${Object.keys(setting).join("-")}.json`;
    write(name, JSON.stringify({ base: { model: "ffnn", epochs: 1, trainCount: 128, testCount: 100, ...setting } }));
    add(["sweep", "--grid", p(name), "--out", p("sw-late")], message);
  }
  add(
    ["sweep", "--grid", p("sweep-cli-name.json"), "--out", p("sw")],
    /subset: is not a train setting; did you mean 'trainCount' \(the CLI's --subset\)\?/,
  );
  // A checkpoint trained with a plugin names it when read without.
  for (const cmd of [["eval"], ["deploy", "--target", "loihi"], ["export", "onnx", "--out", p("plugin.onnx")]]) {
    add([...cmd, "--checkpoint", p("ck-plugin")], /written with plugin '@neurobridge-examples\/custom-neuron' \(--plugin .*plugin\.js\)/);
  }
  add(
    ["sweep", "--grid", p("sweep-bad-settings.json"), "--out", p("sw")],
    /jobs\[0\]\.timeSteps: must be a positive integer, got 2\.5.*jobs\[0\]\.learningRate: must be a positive number/s,
  );
  add(["sweep", "--grid", p("sweep-bad-neuron.json"), "--out", p("sw")], /jobs\[0\]\.network: .*izhikevich/);
  add(["sweep", "--grid", p("sweep-bad-kind.json"), "--out", p("sw")], /unknown job kind 'render'; registered: train/);
  add(["sweep", "--grid", p("sweep-ok.json"), "--out", p("file.txt")], /file\.txt/);
  add(["sweep", "--grid", p("sweep-ok.json"), "--out", p("sw"), "--concurrency", "0"], /--concurrency/);
  add(["sweep", "--grid", p("sweep-ok.json"), "--out", p("sw"), "--jobs-per-process", "0"], /--jobs-per-process/);
  add(
    [
      "sweep",
      "--grid",
      p("sweep-ok.json"),
      "--out",
      p("sw"),
      "--executor",
      "bullmq",
      "--redis",
      "redis://127.0.0.1:6379",
      "--jobs-per-process",
      "2",
    ],
    /--executor local only/,
  );
  add(["sweep", "--grid", p("sweep-ok.json"), "--out", p("sw"), "--attempts", "x"], /--attempts/);
  add(
    ["sweep", "--grid", p("sweep-ok.json"), "--out", p("sw"), "--redis", "redis://127.0.0.1:1"],
    /--redis applies to --executor bullmq only/,
  );
  add(["sweep", "--grid", p("sweep-ok.json"), "--out", p("sw"), "--executor", "bullmq", "--redis", "http://x"], /is not a Redis URL/);
  add(
    ["sweep", "--grid", p("sweep-ok.json"), "--out", p("sw"), "--kinds", p("missing.mjs")],
    /job kind module .*missing\.mjs cannot be loaded/,
  );
  add(["sweep", "--grid", p("sweep-ok.json"), "--out", p("sw"), "--kinds", p("no-register.mjs")], /exports no jobKinds array/);
  add(["sweep", "status"], /--out DIR/);
  add(["sweep", "status", "--out", p("file.txt")], /holds no sweep/);
  add(["sweep", "stats", "--out", p("sw")], /unknown action 'stats'; accepted: status/);
  add(["worker"], /--redis/);
  add(["worker", "--redis", "redis://127.0.0.1:6379", "--concurrency", "0"], /--concurrency/);
  add(["worker", "--redis", "redis://127.0.0.1:6379", "--lock-seconds", "-2"], /--lock-seconds/);
  add(["worker", "--redis", "unix://relative.sock"], /absolute socket path/);
  add(["paper", "--executor", "slurm"], /'slurm' is not an executor; accepted: local, bullmq/);
  add(["paper", "--executor", "bullmq"], /needs --redis URL/);
  add(["paper", "--quick", "--concurrency", "0"], /--concurrency/);
  add(["paper", "--quick", "--concurrency", "two"], /--concurrency/);
  add(["paper", "--executor", "bullmq", "--redis", "redis://127.0.0.1:6379", "--concurrency", "2"], /each worker sets its own/);

  // Flags and commands.
  add(["frobnicate"], /unknown command/);
  add(["lif", "simulate", "--curent", "250pA"], /unknown option/);
  add(["lif", "zap"], /unknown command|zap/);
  add(["train", "--model"], /--model/);
  add(["playground", "--port", "70000"], /--port/);
  add(["playground", "--port", "-1"], /--port/);
  add(["playground", "--port", "abc"], /--port/);
  add(["paper", "--seed", "-1"], /--seed/);
  add(["paper", "--seed", "abc"], /--seed/);
  add(["paper", "--out", p("file.txt")], /file\.txt/);
  add(["paper", "--bogus"], /unknown option/);
  add(["plugins", "--bogus"], /unknown option/);
  return cases;
}

describe("the bad-input corpus", () => {
  beforeAll(async () => {
    // Files of every kind, good and damaged.
    write("file.txt", "just text\n");
    write("current-ok.csv", "time_ms,current_pA\n0,100\n1,100\n");
    write("current-bad-header.csv", "t,i\n0,100\n1,100\n");
    write("current-empty-field.csv", "time_ms,current_pA\n0,100\n1,\n2,100\n");
    write("current-text.csv", "time_ms,current_pA\n0,abc\n1,100\n");
    write("current-uneven.csv", "time_ms,current_pA\n0,100\n1,100\n3,100\n");
    write("current-one.csv", "time_ms,current_pA\n0,100\n");
    write("current-late.csv", "time_ms,current_pA\n100,100\n101,100\n102,100\n");
    write("current-bad.json", "{ not json");
    write("current-nodt.json", JSON.stringify({ unit: "pA", samples: [1, 2] }));
    write("current-badunit.json", JSON.stringify({ dt: "0.1ms", unit: "furlong", samples: [1, 2] }));
    write("not-json.json", "{ tau: 20ms");
    write("sweep-ok.json", JSON.stringify({ base: { model: "snn", epochs: 1, trainCount: 256, testCount: 100 }, grid: { seed: [1] } }));
    write("sweep-array.json", "[1, 2]");
    write("sweep-typo.json", JSON.stringify({ gird: { seed: [1] } }));
    write("sweep-cli-name.json", JSON.stringify({ base: { subset: 256 } }));
    write("sweep-proto.json", '{ "base": { "__proto__": { "epochs": 99 } }, "grid": { "seed": [1] } }');
    write("sweep-proto-axis.json", JSON.stringify({ grid: { "__proto__.x": [1] } }));
    write("sweep-conflict.json", JSON.stringify({ grid: { "network.beta": [0.9], network: [{ beta: 0.8 }] } }));
    write("sweep-list-conflict.json", JSON.stringify({ list: [{ seed: 3 }], grid: { seed: [1, 2] } }));
    write("sweep-network-key.json", JSON.stringify({ base: { network: { bta: 0.9 } } }));
    symlinkSync(p("nowhere"), p("dangling"));
    // A finished sweep to run another grid into (a FI-free tiny train job: one epoch of 128 images).
    const tinySweep = { base: { model: "ffnn", epochs: 1, trainCount: 128, testCount: 100, workers: 1 } };
    write("sweep-tiny.json", JSON.stringify({ ...tinySweep, grid: { seed: [1] } }));
    write("sweep-other.json", JSON.stringify({ ...tinySweep, grid: { seed: [2] } }));
    const swept = await run(["sweep", "--grid", p("sweep-tiny.json"), "--out", p("sweep-done"), "--no-figures"], 120_000);
    expect(swept.code, swept.stderr).toBe(0);
    mkdirSync(p("lock-is-folder", ".lock"), { recursive: true });
    write("sweep-bad-settings.json", JSON.stringify({ base: { learningRate: -1, timeSteps: 2.5 } }));
    write("sweep-bad-neuron.json", JSON.stringify({ base: { network: { neuron: "izhikevich" } } }));
    write("sweep-bad-kind.json", JSON.stringify({ kind: "render" }));
    write("params-array.json", "[1, 2]");
    write("params-unknown.json", JSON.stringify({ tauM: "20ms", colour: "blue" }));
    write("params-unitless.json", JSON.stringify({ tauM: 0.02 }));
    write("params-tiny-tauw.json", JSON.stringify({ tauW: "0.001ms" }));
    write("params-wrong-unit.json", JSON.stringify({ tauM: "20pA" }));
    write("params-negative-tau.json", JSON.stringify({ tauM: "-20ms" }));
    write("params-string.json", JSON.stringify({ tauM: "fast" }));
    write("params-adex-unknown.json", JSON.stringify({ zzz: "1pA" }));
    write("throws.mjs", "export default { name: 'throws', register() { throw new Error('boom in register'); } };\n");
    write("no-register.mjs", "export default { name: 'no-register' };\n");
    write("throws-number.mjs", "export default { name: 'throws-number', register() { throw 42; } };\n");
    write("throws-null.mjs", "export default { name: 'throws-null', register() { throw null; } };\n");
    write("async-register.mjs", "export default { name: 'async-register', async register() { throw new Error('late'); } };\n");
    write("import-throws-string.mjs", "throw 'no config here';\n");
    write("syntax.mjs", "export default { name: 'syntax', register( {\n");
    write("not-an-object.mjs", "export default 42;\n");
    write(
      "duplicate.mjs",
      "import { lifModel } from '@neurobridge/neurons-lif';\nexport default { name: 'dup', register(r) { r.neuronModel(lifModel); } };\n",
    );
    write("empty.onnx", "");
    write("garbage.onnx", "this is not protobuf at all, not at all");
    write("empty.nir", "");
    write("garbage.nir", "GARBAGE GARBAGE GARBAGE");
    mkdirSync(p("ck-empty-dir"), { recursive: true });
    // Real checkpoints to damage and to export.
    for (const [model, out, extra] of [
      ["ffnn", "ck-ffnn", []],
      ["snn", "ck-snn", ["--steps", "4"]],
    ] as const) {
      const r = await run(
        ["train", "--model", model, "--epochs", "1", "--subset", "300", "--workers", "1", "--out", p(out), ...extra],
        300_000,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const exported = await run(["export", "onnx", "--checkpoint", p("ck-ffnn"), "--out", p("ffnn.onnx")]);
    expect(exported.code, exported.stderr).toBe(0);
    write("truncated.onnx", readFileSync(p("ffnn.onnx")).subarray(0, 3000));
    const nir = await run(["export", "nir", "--checkpoint", p("ck-snn"), "--out", p("snn.nir")]);
    expect(nir.code, nir.stderr).toBe(0);
    const customNeuron = join(here, "..", "..", "..", "examples", "custom-neuron", "dist", "plugin.js");
    const withPlugin = await run(
      [
        "--plugin",
        customNeuron,
        "train",
        "--neuron",
        "izhikevich",
        "--epochs",
        "1",
        "--subset",
        "256",
        "--steps",
        "4",
        "--workers",
        "1",
        "--out",
        p("ck-plugin"),
      ],
      120_000,
    );
    expect(withPlugin.code, withPlugin.stderr).toBe(0);
    const imported = await run(["import", "nir", join(samples, "lif_norse.nir"), "--out", p("ck-one-input")]);
    expect(imported.code, imported.stderr).toBe(0);
    write("truncated.nir", readFileSync(p("snn.nir")).subarray(0, 300));
    const big = await run(["export", "nir", "--checkpoint", p("ck-snn"), "--out", p("to-edit.nir")]);
    expect(big.code, big.stderr).toBe(0);
    {
      const { readNirGraph, tensor, writeNirGraph } = await import("@neurobridge/nir");
      const { graph } = await readNirGraph(readFileSync(p("to-edit.nir")));
      write("big-t.nir", await writeNirGraph({ ...graph, metadata: { ...graph.metadata, "neurobridge.timeSteps": tensor([1e9]) } }));
    }
    write("cut.nir", readFileSync(p("snn.nir")).subarray(0, 50_000));
    const damaged = (name: string, damage: (d: string) => void) => {
      cpSync(p("ck-ffnn"), p(name), { recursive: true });
      rmSync(p(name, ".lock"), { force: true });
      damage(p(name));
    };
    const weightsFile = (d: string) => {
      const manifest = JSON.parse(readFileSync(join(d, "training.json"), "utf8")) as Record<string, unknown>;
      const text = JSON.stringify(manifest);
      const m = /weights\.[0-9a-f]{16}\.safetensors/.exec(text);
      return join(d, m ? m[0] : "weights.safetensors");
    };
    damaged("ck-garbage-manifest", (d) => writeFileSync(join(d, "training.json"), "{ garbage"));
    damaged("ck-no-hashes", (d) => {
      const manifest = JSON.parse(readFileSync(join(d, "training.json"), "utf8"));
      writeFileSync(join(d, "training.json"), JSON.stringify(manifest).replace(/"sha256":"[0-9a-f]+"/g, '"x":0'));
      rmSync(join(d, "training.prev.json"), { force: true });
    });
    damaged("ck-truncated-weights", (d) => {
      const f = weightsFile(d);
      writeFileSync(f, readFileSync(f).subarray(0, 1000));
      rmSync(join(d, "training.prev.json"), { force: true });
    });
    damaged("ck-edited-weights", (d) => {
      const f = weightsFile(d);
      const bytes = readFileSync(f);
      bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0xff;
      writeFileSync(f, bytes);
      rmSync(join(d, "training.prev.json"), { force: true });
    });
    const ck = loadCheckpoint(p("ck-ffnn"));
    const nan = { ...ck.weights, "fc1.weight": { ...(ck.weights["fc1.weight"] as { shape: number[]; data: Float32Array }) } };
    const data = Float32Array.from((nan["fc1.weight"] as { data: Float32Array }).data);
    data[7] = Number.NaN;
    nan["fc1.weight"] = { shape: (nan["fc1.weight"] as { shape: number[] }).shape, data };
    saveCheckpoint(p("ck-nan"), { spec: ck.spec, weights: nan });
    copyFileSync(p("ffnn.onnx"), p("ffnn-copy.onnx"));
    copyFileSync(p("ffnn.onnx"), p("onnx-inside.nir"));
    copyFileSync(p("ffnn.onnx"), p("onnx-inside.png"));
    copyFileSync(p("snn.nir"), p("nir-inside.onnx"));
    write("snn.csv", readFileSync(p("snn.nir")));
    write("current-ok.csv", "time_ms,current_pA\n0,250\n0.1,250\n0.2,250\n");
  }, 600_000);

  it("gives every one of at least 200 bad inputs a non-zero exit, a message naming the problem, no stack trace, in bounded time", async () => {
    const cases = corpus();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const failures: string[] = [];
    let slowest = 0;
    const trace = process.env.NEUROBRIDGE_CORPUS_TRACE;
    for (const [args, message] of cases) {
      const r = await run(args);
      if (trace) appendFileSync(trace, `${r.code} ${r.ms.toFixed(0)}ms ${args.join(" ")}\n${r.stderr.slice(0, 200)}\n`);
      slowest = Math.max(slowest, r.ms);
      const line = `neurobridge ${args.map((a) => a.replace(dir, "$DIR")).join(" ")}`;
      const said = r.stderr.replaceAll(dir, "$DIR");
      if (r.code === -1) failures.push(`${line}: did not finish in 30 s`);
      else if (r.code === 0) failures.push(`${line}: exit 0 (stdout: ${r.stdout.slice(0, 200)})`);
      else if (r.code === 70 || /internal error/.test(r.stderr)) failures.push(`${line}: internal error: ${said.slice(0, 300)}`);
      else if (/\n\s+at \S+.*:\d+:\d+/.test(r.stderr)) failures.push(`${line}: stack trace: ${said.slice(0, 300)}`);
      else if (!message.test(r.stderr)) failures.push(`${line}: message ${JSON.stringify(said.slice(0, 300))} does not match ${message}`);
    }
    expect(failures, `${failures.length} of ${cases.length} cases failed`).toEqual([]);
    expect(slowest).toBeLessThan(30_000);
  }, 900_000);
});
