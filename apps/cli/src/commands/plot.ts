/**
 * `neurobridge plot raster|membrane|counts|activity --checkpoint DIR
 * [--sample N] [--layer ID] [--neurons i,j,…] [--backend NAME] --out FILE`:
 * records one MNIST test image through a checkpoint and draws it (PNG or SVG
 * by the file's extension). A thin shell over `recordSample` and
 * `sampleFigure` in the experiments.
 */
import { NeuroBridgeError, type Runtime } from "@neurobridge/core";
import { PLOT_KINDS, PLOT_RECORDS, type PlotKind } from "@neurobridge/plots";
import type { Command } from "commander";
import { writeFileAtomic } from "../files.js";
import { type GlobalOptions, printJson } from "../output.js";
import { checkOutputFile, FORMATS } from "../output-files.js";
import { createCliRuntime } from "../runtime.js";
import { positiveInt } from "./options.js";

interface PlotOptions {
  checkpoint: string;
  out: string;
  sample: string;
  layer?: string;
  neurons?: string;
  count?: string;
  backend: string;
  force?: boolean;
  json?: boolean;
}

/** `--neurons 3,17,42` as indices. */
function neuronList(value: string): number[] {
  const parts = value.split(",").map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new NeuroBridgeError("OPTION_INVALID", `--neurons: must be neuron indices separated by commas (e.g. 0,5,12), got '${value}'`);
  }
  return parts.map(Number);
}

async function runPlot(kind: string, o: PlotOptions, globals: GlobalOptions, runtime?: Runtime): Promise<void> {
  if (!(PLOT_KINDS as readonly string[]).includes(kind)) {
    throw new NeuroBridgeError("OPTION_INVALID", `plot: unknown plot '${kind}'; accepted: ${PLOT_KINDS.join(", ")}`);
  }
  checkOutputFile(o.out, [FORMATS.png, FORMATS.svg], { ...(o.force ? { force: true } : {}) });
  const sample = positiveInt(o.sample, "--sample", 0);
  const neurons = o.neurons ? neuronList(o.neurons) : undefined;
  const count = o.count ? positiveInt(o.count, "--count") : undefined;
  const rt = runtime ?? (await createCliRuntime({ plugins: globals.plugin ?? [] }));
  const { recordSample, renderFigureFile, sampleFigure } = await import("@neurobridge/experiments");
  const recorded = await recordSample(rt, o.checkpoint, { sample, backend: o.backend, record: PLOT_RECORDS[kind as PlotKind] });
  const figure = sampleFigure(kind as PlotKind, recorded, {
    ...(o.layer ? { layer: o.layer } : {}),
    ...(neurons ? { neurons } : {}),
    ...(count ? { count } : {}),
  });
  writeFileAtomic(o.out, await renderFigureFile(figure, o.out));
  const result = {
    plot: kind,
    out: o.out,
    sample,
    label: recorded.label,
    prediction: recorded.prediction,
    backend: recorded.backend,
    layers: recorded.recordings.map((r) => ({ id: r.id, size: r.size, spikes: r.spikes?.reduce((s, v) => s + v, 0) ?? null })),
  };
  if (o.json) return printJson(result);
  process.stdout.write(
    `${kind} of test image ${sample} (label ${recorded.label}, predicted ${recorded.prediction}, ${recorded.backend}) → ${o.out}\n`,
  );
}

export function registerPlotCommand(program: Command): void {
  program
    .command("plot")
    .description("record one MNIST test image through a checkpoint and plot it: spike raster, membrane traces, spike counts, activity")
    .argument("<plot>", PLOT_KINDS.join(" | "))
    .requiredOption("--checkpoint <dir>", "checkpoint folder of a spiking network")
    .requiredOption("--out <file>", "figure file: .png or .svg")
    .option("--sample <n>", "index of the MNIST test image", "0")
    .option("--layer <id>", "only this spiking layer (membrane: default the first)")
    .option("--neurons <list>", "membrane: these neurons, e.g. 0,5,12 (default: the most active)")
    .option("--count <n>", "membrane: how many of the most active neurons (default 5)")
    .option("--backend <name>", "backend that records: tfjs (spikes, membrane) | emulator | loihi (spikes)", "tfjs")
    .option("--force", "replace a --out file of another format")
    .option("--json", "print one JSON object")
    .addHelpText(
      "after",
      "\nExamples:\n  neurobridge plot raster --checkpoint runs/snn --sample 3 --out raster.png\n  neurobridge plot membrane --checkpoint runs/snn --layer lif2 --count 4 --out membrane.svg\n",
    )
    .action((kind: string, o: PlotOptions, command: Command) => runPlot(kind, o, command.optsWithGlobals<GlobalOptions>()));
}
