/**
 * `npm run bench`: every speed figure of NeuroBridge, each in a fresh
 * process, and — with `--peers DIR` (a folder holding snnTorch's
 * `run_peer.py` and Brian2's `brian2_fi_sweep.py`) — each peer measured just
 * before it in the same run, printed side by side as ratios.
 *
 *   npm run bench -- --peers /path/to/peers [--python /usr/bin/python3] [--paper quick|full|none]
 *
 * Figures: SNN and FFNN training epoch (784-256-256-10, batch 128, Adam 1e-3;
 * SNN T 25) and inference on the 10,000 test images through the evaluation
 * path `neurobridge eval` uses; the F–I sweep (1001 currents × 1 s, dt 0.1
 * ms, Euler); the event-driven emulators (float32 and Loihi) on the trained
 * SNN; and the wall time of `neurobridge paper` (`--quick` by default).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Comparison, comparisonTable, numberAt, resultJson } from "./compare.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../../..");
const cwd = process.env.INIT_CWD ?? process.cwd();
const peersArg = arg("peers");
const peers = peersArg ? resolve(cwd, peersArg) : undefined;
const python = arg("python") ?? "/usr/bin/python3";
const paper = arg("paper") ?? "quick";
if (!["quick", "full", "none"].includes(paper)) {
  process.stderr.write(`bench: --paper must be quick, full or none, got '${paper}'\n`);
  process.exit(2);
}

/** Runs a command to completion, echoing its output to stderr; returns stdout and the wall time. */
function run(label: string, command: string, args: string[], env: Record<string, string> = {}): { stdout: string; seconds: number } {
  process.stderr.write(`\n== ${label}: ${command} ${args.join(" ")}\n`);
  const start = performance.now();
  const r = spawnSync(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const seconds = (performance.now() - start) / 1000;
  process.stderr.write(r.stdout ?? "");
  if (r.error || r.status !== 0) {
    throw new Error(`${label} failed (${r.error?.message ?? `exit ${r.status}`})`);
  }
  return { stdout: r.stdout, seconds };
}

const node = (script: string, args: string[] = []) => [join(here, script), ...args];
const snntorch = (model: "snn" | "ffnn") =>
  resultJson(
    run(
      `snnTorch ${model}`,
      python,
      [join(peers as string, "run_peer.py"), "--model", model, "--epochs", "1", "--threads", "2", "--no-stats", "--latency-samples", "0"],
      { OMP_WAIT_POLICY: "PASSIVE", PYTHONPATH: join(peers as string, "snntorch") },
    ).stdout,
  );

const scratch = mkdtempSync(join(tmpdir(), "neurobridge-bench-"));
const rows: Comparison[] = [];
try {
  for (const model of ["snn", "ffnn"] as const) {
    const peer = peers ? snntorch(model) : undefined;
    const ours = resultJson(run(`NeuroBridge ${model}`, process.execPath, node("train.js", ["--model", model, "--save", scratch])).stdout);
    const peerName = model === "snn" ? "snnTorch 0.9.4" : "PyTorch";
    rows.push({
      work: `${model.toUpperCase()} training, 1 epoch (test acc: peer ${pct(numberAt(peer, "epochs.0.test_acc"))}, ours ${pct(numberAt(ours, `${model}.testAccuracy`))})`,
      unit: "s",
      higherIsBetter: false,
      ours: numberAt(ours, `${model}.epochSeconds.0`),
      peer: numberAt(peer, "epochs.0.train_seconds"),
      peerName,
      target: model === "snn" ? 4 : 1,
    });
    rows.push({
      work: `${model.toUpperCase()} inference, 10k test images`,
      unit: "samples/s",
      higherIsBetter: true,
      ours: numberAt(ours, `${model}.inferenceSamplesPerSecond`),
      peer: numberAt(peer, "inference.samples_per_s"),
      peerName,
      ...(model === "ffnn" ? { target: 1 } : {}),
    });
    rows.push({
      work: `${model.toUpperCase()} training + inference, peak memory (process RSS, threads included)`,
      unit: "MB",
      higherIsBetter: false,
      ours: numberAt(ours, `${model}.peakRssMB`),
    });
    if (model === "snn") {
      rows.push({
        work: "SNN inference, peer with fc1 hoisted",
        unit: "samples/s",
        higherIsBetter: true,
        ours: numberAt(ours, "snn.inferenceSamplesPerSecond"),
        peer: numberAt(peer, "inference_alt.samples_per_s"),
        peerName,
        target: 5,
      });
    }
  }
  const brian = peers
    ? resultJson(run("Brian2 F–I", python, [join(peers, "brian2_fi_sweep.py"), "--method", "euler", "--repeats", "3"]).stdout)
    : undefined;
  const fi = resultJson(run("NeuroBridge F–I", process.execPath, node("fi-sweep.js")).stdout);
  const brianSeconds = numberAt(brian, "min_s");
  rows.push({
    work: "F–I sweep 1001 currents × 1 s, dt 0.1 ms, Euler",
    unit: "ms",
    higherIsBetter: false,
    ours: numberAt(fi, "medianMs.euler"),
    ...(brianSeconds !== undefined ? { peer: brianSeconds * 1000 } : {}),
    peerName: "Brian2 run() (cython)",
    target: 20,
  });
  const emu = resultJson(
    run(
      "NeuroBridge emulators",
      process.execPath,
      node("neuromorphic.js", ["--snn", join(scratch, "snn"), "--ffnn", join(scratch, "ffnn")]),
    ).stdout,
  );
  for (const [label, key] of [
    ["event-driven emulator float32, SNN, 10k images", "snn emulator float32"],
    ["event-driven emulator Loihi fixed point, SNN, 10k images", "snn emulator loihi fixed"],
    ["ONNX Runtime, SNN unrolled, 10k images", "snn onnx unrolled"],
    ["ONNX Runtime, FFNN, 10k images", "ffnn onnx feedforward"],
  ] as const) {
    const value = numberAt((emu as Record<string, unknown>)[key], "samplesPerSecond");
    if (value !== undefined) rows.push({ work: label, unit: "samples/s", higherIsBetter: true, ours: value });
  }
  if (paper !== "none") {
    const out = join(scratch, "paper");
    const args = [join(root, "apps/cli/bin/neurobridge.js"), "paper", ...(paper === "quick" ? ["--quick"] : []), "--out", out];
    const { seconds } = run(`neurobridge paper${paper === "quick" ? " --quick" : ""}`, process.execPath, args);
    rows.push({ work: `neurobridge paper (${paper})`, unit: "s", higherIsBetter: false, ours: seconds });
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.stdout.write(`\n${comparisonTable(rows)}\n`);
process.stdout.write(
  `(${cpus()[0]?.model ?? "cpu"} × ${cpus().length}, Node ${process.version}; ${peers ? `peers from ${peers}, measured in this run` : "no peers: pass --peers DIR"})\n`,
);

function pct(v: number | undefined): string {
  if (v === undefined) return "—";
  return `${(v <= 1 ? v * 100 : v).toFixed(2)}%`;
}
