/**
 * NIR commands (thin over `@neurobridge/nir`):
 * - `neurobridge export nir --checkpoint DIR --out FILE.nir [--dt S] [--convention snntorch|norse|nir]`
 * - `neurobridge import nir FILE.nir --out DIR [--convention …] [--dt S] [--steps T] [--no-type-check]`
 *   writes a checkpoint that `eval`, `deploy` and `export onnx` accept;
 * - `neurobridge inspect --nir FILE` (see `onnx.ts` for the shared `inspect`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NeuroBridgeError } from "@neurobridge/core";
import { loadCheckpoint, lockFolder, saveCheckpoint } from "@neurobridge/core/node";
import { checkpointNormalization } from "@neurobridge/mnist";
import type { NirConventionOptions } from "@neurobridge/nir";

/** NIR's package loads HDF5 (WebAssembly): only when a NIR command runs. */
const nir = () => import("@neurobridge/nir");

import type { Command } from "commander";
import { readBinaryFile, writeFileAtomic } from "../files.js";
import { type GlobalOptions, printJson } from "../output.js";
import { checkOutputFile, FORMATS } from "../output-files.js";
import { createCliRuntime } from "../runtime.js";
import { positiveInt } from "./options.js";

/** `--dt` as seconds: a positive number, optionally with `s` or `ms`. */
function dtOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([0-9.]+(?:e[-+]?\d+)?)\s*(ms|s)?\s*$/i.exec(value);
  const x = m ? Number(m[1]) * (m[2]?.toLowerCase() === "ms" ? 1e-3 : 1) : Number.NaN;
  if (!(Number.isFinite(x) && x > 0))
    throw new NeuroBridgeError("OPTION_INVALID", `--dt: '${value}' is not a positive time; accepted: seconds like 1e-4, 0.0001s or 0.1ms`);
  return x;
}

const conventionOptions = (o: { convention?: string; dt?: string }): NirConventionOptions => {
  const dt = dtOption(o.dt);
  return { ...(o.convention ? { convention: o.convention } : {}), ...(dt !== undefined ? { dt } : {}) };
};

const warn = (warnings: readonly string[]) => {
  for (const w of warnings) process.stderr.write(`neurobridge: warning: ${w}\n`);
};

async function runExport(
  o: { checkpoint: string; out: string; convention?: string; dt?: string; force?: boolean; json?: boolean },
  globals: GlobalOptions,
) {
  const conventions = conventionOptions(o);
  checkOutputFile(o.out, FORMATS.nir, { ...(o.force ? { force: true } : {}) });
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [] });
  const checkpoint = loadCheckpoint(o.checkpoint, runtime);
  const normalization = checkpointNormalization(checkpoint);
  const { writeNir } = await nir();
  const written = await writeNir(runtime, runtime.plan(checkpoint.spec, checkpoint.weights), { ...conventions, normalization });
  writeFileAtomic(o.out, written.bytes);
  const summary = {
    out: o.out,
    bytes: written.bytes.length,
    convention: written.conventions.name,
    dt: written.conventions.dt,
    normalization,
    nodes: Object.entries(written.graph.nodes).map(([name, n]) => ({ name, type: n.type })),
    edges: written.graph.edges,
    warnings: written.warnings,
  };
  if (o.json) return printJson(summary);
  warn(written.warnings);
  process.stdout.write(
    `wrote ${o.out} (${summary.nodes.map((n) => n.type).join(" → ")}; ${summary.convention} convention, dt ${summary.dt} s; ${(summary.bytes / 1024).toFixed(0)} KiB)\n`,
  );
}

async function runImport(
  file: string,
  o: { out: string; convention?: string; dt?: string; steps?: string; typeCheck: boolean; force?: boolean; json?: boolean },
  globals: GlobalOptions,
) {
  const conventions = conventionOptions(o);
  const timeSteps = o.steps === undefined ? undefined : positiveInt(o.steps, "--steps");
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [] });
  const { readNir } = await nir();
  const read = await readNir(runtime, readBinaryFile(file), {
    ...conventions,
    ...(timeSteps ? { timeSteps } : {}),
    source: file,
    typeCheck: o.typeCheck,
  });
  const lock = lockFolder(o.out, "a checkpoint being written");
  try {
    if (existsSync(join(o.out, "training.json")) && !o.force) {
      throw new NeuroBridgeError(
        "CHECKPOINT_EXISTS",
        `${o.out} already holds a checkpoint; replace it with --force, or choose another folder`,
      );
    }
    saveCheckpoint(o.out, { spec: read.spec, weights: read.weights, plugins: runtime.pluginRecords() });
  } finally {
    lock.release();
  }
  const warnings = [...read.typeProblems.map((p) => `NIR type check: ${p}`), ...read.warnings];
  const summary = {
    nodes: Object.entries(read.graph.nodes).map(([name, n]) => ({ name, type: n.type })),
    edges: read.graph.edges,
    checkpoint: o.out,
    models: read.models,
    convention: read.conventions.name,
    dt: read.conventions.dt,
    timeSteps: read.spec.timeSteps,
    encoder: read.spec.encoder.name,
    warnings,
  };
  if (o.json) return printJson(summary);
  warn(warnings);
  process.stdout.write(
    `imported ${file} into ${o.out}: ${Object.entries(read.models)
      .map(([n, m]) => `${n} → ${m}`)
      .join(", ")}; ${summary.convention} convention, dt ${summary.dt} s, T ${summary.timeSteps}, encoder ${summary.encoder}\n`,
  );
}

/** `inspect --nir FILE [--json]`. */
export async function runInspectNir(file: string, o: { json?: boolean; typeCheck?: boolean }): Promise<void> {
  const { describeNir, readNirGraph } = await nir();
  const { graph } = await readNirGraph(readBinaryFile(file), { source: file, typeCheck: false });
  const d = describeNir(graph);
  if (o.json) return printJson({ file, ...d });
  const dims = (s: readonly number[] | undefined) => (s ? `[${s.join(", ")}]` : "[?]");
  const lines = [
    `${file}: NIR ${d.version}, ${d.nodes.length} nodes, ${d.edges.length} edges; convention: ${d.convention.detected} (${d.convention.evidence})`,
    ...d.nodes.map((n) => {
      const params = Object.entries(n.params)
        .filter(([k]) => k !== "shape")
        .map(([k, p]) => `${k}${dims(p.shape)} ${p.min === p.max ? p.min : `${p.min}…${p.max}`}`)
        .join(", ");
      return `  ${n.name.padEnd(14)} ${n.type.padEnd(10)} ${dims(n.input)} → ${dims(n.output)}${params ? `  ${params}` : ""}`;
    }),
    `  edges: ${d.edges.map(([a, b]) => `${a} → ${b}`).join(", ")}`,
    ...(d.recurrentEdges.length ? [`  recurrent: ${d.recurrentEdges.map(([a, b]) => `${a} → ${b}`).join(", ")}`] : []),
    ...(d.typeProblems.length ? [`  NIR's type check fails:`, ...d.typeProblems.map((p) => `    - ${p}`)] : []),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Adds `export nir` under the `export` command and the `import nir` command. */
export function registerNirCommands(program: Command, exportCommand: Command): void {
  const convention = "how r, w_in and dt are read: snntorch (dt 1e-4 s, r = τ/dt) | norse (dt 1e-3 s, r = 1) | nir (NIR's ODEs literally)";
  exportCommand
    .command("nir")
    .description("write a checkpoint as a NIR graph (.nir, HDF5) for Norse, snnTorch, Sinabs, Lava, SpiNNaker2, Xylo …")
    .requiredOption("--checkpoint <dir>", "checkpoint folder")
    .requiredOption("--out <file>", "the .nir file to write")
    .option("--convention <name>", convention, "snntorch")
    .option("--dt <seconds>", "time step the per-step decays are turned into time constants with (default: the convention's)")
    .option("--force", "replace a --out file of another format")
    .option("--json", "print one JSON object")
    .addHelpText("after", "\nExample:\n  neurobridge export nir --checkpoint out/snn --out snn.nir")
    .action((o, command: Command) => runExport(o, command.optsWithGlobals<GlobalOptions>()));
  const importCommand = program.command("import").description("read a network from another format into a checkpoint");
  importCommand
    .command("nir <file>")
    .description("read a NIR graph (Input → (Affine|Linear → LIF|IF|CubaLIF)* → Output) into a checkpoint")
    .requiredOption("--out <dir>", "checkpoint folder to write")
    .option("--convention <name>", `${convention} (default: the one the file's numbers show, as inspect --nir reports it)`)
    .option("--dt <seconds>", "time step of the file (NIR stores none; default: the file's NeuroBridge metadata, else the convention's)")
    .option("--steps <n>", "time steps per sample (default: the file's NeuroBridge metadata, else 25)")
    .option("--no-type-check", "load a file that fails NIR's type check (e.g. Rockpool's mis-shaped Output), reporting the mismatch")
    .option("--force", "replace a checkpoint already in --out")
    .option("--json", "print one JSON object: { nodes, edges, checkpoint, … }")
    .addHelpText("after", "\nExample:\n  neurobridge import nir model.nir --out out/imported && neurobridge eval --checkpoint out/imported")
    .action((file: string, o, command: Command) => runImport(file, o, command.optsWithGlobals<GlobalOptions>()));
}
