/**
 * `neurobridge convert --checkpoint FFNN_DIR --to snn [--neuron lif|if]
 * [--steps T] [--normalise max|p99.9] --out DIR [--json]`: converts a trained
 * rate network to a spiking one (data-based weight normalisation, reset by
 * subtraction) and writes a checkpoint every other command accepts, with
 * diagnostics of where accuracy is lost. A thin shell over
 * `convertCheckpoint` in the experiments.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NeuroBridgeError } from "@neurobridge/core";
import { lockFolder } from "@neurobridge/core/node";
import type { Command } from "commander";
import { type GlobalOptions, printJson } from "../output.js";
import { createCliRuntime } from "../runtime.js";
import { positiveInt, positiveNumber } from "./options.js";

interface ConvertOptions {
  checkpoint: string;
  to: string;
  out: string;
  neuron: string;
  beta?: string;
  steps: string;
  normalise: string;
  calibration: string;
  evalSamples: string;
  sweep?: string;
  resolution?: string;
  force?: boolean;
  json?: boolean;
}

const NEURONS = ["if", "lif", "matched"] as const;
const NORMALISE = ["max", "p99.9"] as const;

async function runConvert(o: ConvertOptions, globals: GlobalOptions): Promise<void> {
  if (o.to !== "snn") throw new NeuroBridgeError("OPTION_INVALID", `--to: '${o.to}' is not a conversion target; accepted: snn`);
  if (!(NEURONS as readonly string[]).includes(o.neuron)) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `--neuron: '${o.neuron}' is not one of ${NEURONS.join(", ")} (if: β = 1; lif: leaks with --beta; matched: each layer's rate model's spiking counterpart)`,
    );
  }
  if (!(NORMALISE as readonly string[]).includes(o.normalise)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--normalise: '${o.normalise}' is not one of ${NORMALISE.join(", ")}`);
  }
  if (o.beta !== undefined && o.neuron !== "lif")
    throw new NeuroBridgeError("OPTION_INVALID", "--beta: applies to --neuron lif only (if has β = 1)");
  if (o.resolution !== undefined && o.neuron !== "matched")
    throw new NeuroBridgeError("OPTION_INVALID", "--resolution: applies to --neuron matched only");
  const resolution = o.resolution !== undefined ? positiveInt(o.resolution, "--resolution") : undefined;
  const beta = o.beta !== undefined ? positiveNumber(o.beta, "--beta") : undefined;
  if (beta !== undefined && beta > 1) throw new NeuroBridgeError("OPTION_INVALID", `--beta: must be in (0, 1], got ${beta}`);
  const steps = positiveInt(o.steps, "--steps");
  const calibration = positiveInt(o.calibration, "--calibration");
  const evalSamples = positiveInt(o.evalSamples, "--eval-samples", 0);
  const sweep = o.sweep?.split(",").map((s) => positiveInt(s.trim(), "--sweep"));
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [] });
  const { convertCheckpoint } = await import("@neurobridge/experiments");
  const lock = lockFolder(o.out, "a checkpoint being written");
  let report: Awaited<ReturnType<typeof convertCheckpoint>>;
  try {
    if (existsSync(join(o.out, "training.json")) && !o.force) {
      throw new NeuroBridgeError(
        "CHECKPOINT_EXISTS",
        `${o.out} already holds a checkpoint; replace it with --force, or choose another folder`,
      );
    }
    report = await convertCheckpoint(runtime, o.checkpoint, o.out, {
      neuron: o.neuron as (typeof NEURONS)[number],
      ...(beta !== undefined ? { beta } : {}),
      ...(resolution !== undefined ? { resolution } : {}),
      steps,
      normalise: o.normalise as (typeof NORMALISE)[number],
      calibration,
      evalSamples,
      ...(sweep ? { sweep } : {}),
      ...(o.json ? {} : { onProgress: (m: string) => process.stderr.write(`${m}\n`) }),
    });
  } finally {
    lock.release();
  }
  if (o.json) return printJson(report);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const lines = [
    report.neuron === "matched"
      ? `converted ${o.checkpoint} → ${o.out}: each hidden layer rate-matched by its model's spiking counterpart, IF output neurons, T ${report.timeSteps}`
      : `converted ${o.checkpoint} → ${o.out}: ${report.neuron === "if" ? "IF" : `LIF β ${report.beta}`} neurons, θ 1, reset by subtraction, T ${report.timeSteps}`,
    ...report.layers.map((l) =>
      l.counterpart
        ? `  ${l.dense}: → ${l.counterpart.model} ${JSON.stringify(l.counterpart.params)}, ${l.counterpart.spikesPerOutput.toPrecision(3)} spikes per step per unit (p99.9 ${l.lambda.toPrecision(4)})`
        : `  ${l.dense}: λ ${l.lambda.toPrecision(4)} (${report.normalise}; max ${l.maxActivation.toPrecision(4)}, ${(l.clippedFraction * 100).toFixed(2)}% above λ)`,
    ),
  ];
  const d = report.diagnostics;
  if (d) {
    lines.push(`on ${d.samples} test images: FFNN ${pct(d.ffnnAccuracy)}, converted SNN ${pct(d.snnAccuracy)} at T ${report.timeSteps}`);
    lines.push(
      ...d.agreement.map((a) => `  ${a.layer}: rate vs activation/λ r = ${a.correlation.toFixed(3)}, RMS error ${a.rmsError.toFixed(3)}`),
    );
    lines.push(
      ...d.curves.map(
        (c) =>
          `  ${c.layer} F–I link: ${c.converted}'s rate against the trained ${c.trained} curve, R² ${c.r2.toFixed(4)}, largest error ${c.maxError.toPrecision(3)} (output units)`,
      ),
    );
    lines.push("  T      accuracy  accumulates  energy (45 nm)");
    lines.push(
      ...d.sweep.map(
        (p) =>
          `  ${String(p.timeSteps).padEnd(6)} ${pct(p.accuracy).padEnd(9)} ${p.accumulates.toExponential(2).padEnd(12)} ${(p.energyJ * 1e6).toFixed(3)} µJ`,
      ),
    );
    lines.push(
      d.withinOnePointAt === null
        ? "  no T in the sweep comes within 1 point of the FFNN"
        : `  within 1 point of the FFNN from T ${d.withinOnePointAt}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function registerConvertCommand(program: Command): void {
  program
    .command("convert")
    .description("convert a trained FFNN to an SNN (data-based normalisation, reset by subtraction), with diagnostics of the conversion")
    .requiredOption("--checkpoint <dir>", "checkpoint folder of a rate network (e.g. neurobridge train --model ffnn)")
    .requiredOption("--to <kind>", "snn")
    .requiredOption("--out <dir>", "checkpoint folder for the converted SNN")
    .option(
      "--neuron <kind>",
      "if (β = 1) | lif (leaks with --beta) | matched (each hidden layer's rate model's spiking counterpart: lif-rate → refractory LIF)",
      "if",
    )
    .option("--resolution <n>", "matched: the counterpart's resolution (lif-rate: steps per refractory period; default 4)")
    .option("--beta <beta>", "β of lif neurons (default 0.99)")
    .option("--steps <T>", "time steps of the converted SNN", "64")
    .option("--normalise <how>", "λ per layer: max | p99.9 of its positive activations", "p99.9")
    .option("--calibration <n>", "training images that calibrate λ", "2000")
    .option("--eval-samples <n>", "test images for the diagnostics (0: none)", "1000")
    .option("--sweep <list>", "T values of the accuracy sweep, e.g. 1,4,16,64 (default 1,2,4,…,256)")
    .option("--force", "replace a checkpoint already in --out")
    .option("--json", "print one JSON object")
    .action((o: ConvertOptions, command: Command) => runConvert(o, command.optsWithGlobals<GlobalOptions>()));
}
