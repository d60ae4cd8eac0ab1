/**
 * ONNX commands:
 * - `neurobridge export onnx --checkpoint DIR [--mode step|unrolled] --out FILE.onnx`
 * - `neurobridge run --onnx FILE.onnx [--subset N] [--json]` runs an exported
 *   model on the MNIST test set in onnxruntime-node;
 * - `neurobridge inspect --onnx FILE.onnx | --nir FILE.nir [--json]` describes a file;
 * - `export nir` and `import nir` are added from `nir.ts`.
 */
import { statSync } from "node:fs";
import {
  evaluateOnnx,
  exportOnnx,
  IR_VERSION,
  type OnnxExportMode,
  OnnxNetwork,
  OPSET,
  readOnnxFile,
} from "@neurobridge/backend-neuromorphic";
import { NeuroBridgeError } from "@neurobridge/core";
import { loadCheckpoint } from "@neurobridge/core/node";
import { checkpointNormalization, loadMnist, subset } from "@neurobridge/mnist";
import type { Command } from "commander";
import { writeFileAtomic } from "../files.js";
import { type GlobalOptions, printJson } from "../output.js";
import { checkOutputFile, FORMATS } from "../output-files.js";
import { createProgress } from "../progress.js";
import { createCliRuntime } from "../runtime.js";
import { registerNirCommands, runInspectNir } from "./nir.js";
import { normalizationOption, positiveInt } from "./options.js";

const MODES = ["step", "unrolled"] as const;

function modeOption(value: string | undefined): OnnxExportMode | undefined {
  if (value === undefined) return undefined;
  if (!(MODES as readonly string[]).includes(value)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--mode: unknown mode '${value}'; accepted: ${MODES.join(", ")}`);
  }
  return value as OnnxExportMode;
}

async function runExport(o: { checkpoint: string; mode?: string; out: string; force?: boolean; json?: boolean }, globals: GlobalOptions) {
  const mode = modeOption(o.mode);
  checkOutputFile(o.out, FORMATS.onnx, { ...(o.force ? { force: true } : {}) });
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [] });
  const checkpoint = loadCheckpoint(o.checkpoint, runtime);
  const normalization = checkpointNormalization(checkpoint);
  const exported = exportOnnx(runtime.plan(checkpoint.spec, checkpoint.weights), { ...(mode ? { mode } : {}), normalization });
  writeFileAtomic(o.out, exported.bytes);
  const summary = {
    out: o.out,
    bytes: exported.bytes.length,
    mode: exported.info.mode,
    timeSteps: exported.info.timeSteps,
    opset: OPSET,
    irVersion: IR_VERSION,
    inputs: ["input", ...exported.info.states.map((s) => s.input)],
    outputs: exported.info.mode === "step" ? ["output", ...exported.info.states.map((s) => s.output)] : ["scores"],
    normalization,
  };
  if (mode && exported.info.mode === "feedforward") {
    process.stderr.write(`neurobridge: this network has no spiking layers; --mode ${mode} ignored, wrote a feed-forward graph\n`);
  }
  if (o.json) return printJson(summary);
  process.stdout.write(`wrote ${o.out} (${summary.mode}, ${(summary.bytes / 1024).toFixed(0)} KiB, opset ${OPSET}, IR ${IR_VERSION})\n`);
}

async function runOnnx(
  o: { onnx: string; subset?: string; batch: string; threads: string; prepack?: boolean; normalization?: string; json?: boolean },
  globals: GlobalOptions,
) {
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [] });
  const { bytes, description } = readOnnxFile(o.onnx);
  const threads = positiveInt(o.threads, "--threads");
  const network = await OnnxNetwork.load(runtime, bytes, description, o.onnx, { threads, prepack: o.prepack === true });
  try {
    // The file says how its input was scaled; a different --normalization would score the model on inputs it never saw.
    const recorded = network.info.normalization;
    if (o.normalization !== undefined && recorded !== undefined && o.normalization !== recorded) {
      throw new NeuroBridgeError(
        "OPTION_INVALID",
        `--normalization ${o.normalization}: ${o.onnx} was trained with '${recorded}' pixel scaling (its metadata says so); drop the flag or pass --normalization ${recorded}`,
      );
    }
    const normalization = normalizationOption(o.normalization ?? recorded ?? "unit");
    let test = loadMnist("test", { normalization });
    if (o.subset) test = subset(test, positiveInt(o.subset, "--subset"), "--subset (test images)");
    const progress = createProgress();
    progress.start("ONNX Runtime", test.count, "test images");
    const ev = await evaluateOnnx(network, test, runtime.random("onnx-encoder"), positiveInt(o.batch, "--batch"), (done) =>
      progress.update(done),
    );
    progress.stop();
    const result = {
      accuracy: ev.accuracy,
      samplesPerSecond: ev.samplesPerSecond,
      count: ev.count,
      seconds: ev.seconds,
      mode: network.info.mode,
      timeSteps: network.info.timeSteps,
      threads,
      prepack: o.prepack === true,
      file: o.onnx,
    };
    if (o.json) return printJson(result);
    process.stdout.write(
      `accuracy ${(ev.accuracy * 100).toFixed(2)}% on ${ev.count} test images, ${ev.samplesPerSecond.toFixed(0)} samples/s (onnxruntime-node, ${network.info.mode}, ${threads} threads)\n`,
    );
  } finally {
    await network.release();
  }
}

function runInspect(o: { onnx: string; json?: boolean }) {
  const { description } = readOnnxFile(o.onnx);
  if (o.json) return printJson({ file: o.onnx, ...description });
  const dims = (d: readonly (number | string)[]) => `[${d.join(", ")}]`;
  const lines = [
    `${o.onnx}: ${(statSync(o.onnx).size / 1024).toFixed(0)} KiB, IR ${description.irVersion}, opset ${description.opset}, producer '${description.producer}'`,
    `  ${description.nodes} nodes (${Object.entries(description.operators)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}), ${description.parameters} parameters`,
    ...description.inputs.map((i) => `  input  ${i.name} ${dims(i.dims)}`),
    ...description.outputs.map((i) => `  output ${i.name} ${dims(i.dims)}`),
  ];
  if (description.neurobridge) {
    const nb = description.neurobridge;
    lines.push(`  neurobridge: ${nb.mode}, T = ${nb.timeSteps}, encoder ${nb.encoder.name}, scores in '${nb.scores}'`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function registerOnnxCommands(program: Command): void {
  const exportCommand = program.command("export").description("export a trained network to another format");
  exportCommand
    .command("onnx")
    .description("write a checkpoint as an ONNX model (opset 17, IR 8): FFNN as Gemm/Relu, SNN unrolled over T or as one step")
    .requiredOption("--checkpoint <dir>", "checkpoint folder")
    .requiredOption("--out <file>", "the .onnx file to write")
    .option("--mode <mode>", "SNN layout: unrolled (all T steps in one graph) | step (one step, state as inputs/outputs)")
    .option("--force", "replace a --out file of another format")
    .option("--json", "print one JSON object")
    .action((o, command: Command) => runExport(o, command.optsWithGlobals<GlobalOptions>()));
  program
    .command("run")
    .description("run an exported ONNX model on the MNIST test set in onnxruntime-node: accuracy and samples/s")
    .requiredOption("--onnx <file>", "an .onnx file written by 'neurobridge export onnx'")
    .option("--subset <n>", "first n test images")
    .option("--batch <n>", "batch size", "256")
    .option("--threads <n>", "ONNX Runtime intra-op threads", "2")
    .option("--prepack", "let ONNX Runtime pre-pack weights (faster; sums may differ from training by one ulp)")
    .option(
      "--normalization <name>",
      "pixel scaling the model was trained with: unit | standard | none (default: the file's metadata, else unit)",
    )
    .option("--json", "print one JSON object")
    .action((o, command: Command) => runOnnx(o, command.optsWithGlobals<GlobalOptions>()));
  registerNirCommands(program, exportCommand);
  program
    .command("inspect")
    .description(
      "describe a model file: ONNX (IR, opset, operators, inputs, outputs) or NIR (nodes, edges, shapes, parameters, convention)",
    )
    .option("--onnx <file>", "an .onnx file")
    .option("--nir <file>", "a .nir file")
    .option("--json", "print one JSON object")
    .action(async (o: { onnx?: string; nir?: string; json?: boolean }) => {
      if ((o.onnx === undefined) === (o.nir === undefined)) {
        throw new NeuroBridgeError("OPTION_INVALID", "inspect needs one file: --onnx FILE.onnx or --nir FILE.nir");
      }
      if (o.nir !== undefined) return runInspectNir(o.nir, o);
      return runInspect({ onnx: o.onnx as string, ...(o.json ? { json: true } : {}) });
    });
}
