/** The `neurobridge` command tree. Each command is a thin shell over a library function. */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerConvertCommand } from "./commands/convert.js";
import { registerDeployCommand } from "./commands/deploy.js";
import { registerLifCommands } from "./commands/lif.js";
import { registerNeuronCommands } from "./commands/neuron.js";
import { registerOnnxCommands } from "./commands/onnx.js";
import { registerPaperCommand } from "./commands/paper.js";
import { registerPlaygroundCommand } from "./commands/playground.js";
import { registerPlotCommand } from "./commands/plot.js";
import { registerPluginsCommand } from "./commands/plugins.js";
import { registerSweepCommands } from "./commands/sweep.js";
import { registerTrainCommands } from "./commands/train.js";
import { createCliRuntime } from "./runtime.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

/** Builds the command tree (a fresh one per call, so tests can run several). */
export function buildProgram(): Command {
  const program = new Command("neurobridge")
    .description("NeuroBridge: spiking neural networks in TypeScript — LIF science, SNN training, neuromorphic emulation.")
    .version(pkg.version, "-V, --version", "print the version")
    .option("--plugin <module>", "load a plugin module (path or package; repeatable)", (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .showHelpAfterError("(run with --help for usage)")
    // One prefix for every error, commander's own included.
    .configureOutput({ outputError: (text, write) => write(`neurobridge: ${text}`) })
    .exitOverride();
  // Every command honours --plugin: a module that cannot be loaded or registered is an error
  // before any work, also for commands that never build a runtime (lif, neuron, playground).
  program.hook("preAction", async () => {
    const plugins = program.opts<{ plugin?: string[] }>().plugin ?? [];
    if (plugins.length) await createCliRuntime({ plugins });
  });
  registerPaperCommand(program);
  registerPluginsCommand(program);
  registerLifCommands(program);
  registerNeuronCommands(program);
  registerTrainCommands(program);
  registerOnnxCommands(program);
  registerDeployCommand(program);
  registerConvertCommand(program);
  registerPlotCommand(program);
  registerSweepCommands(program);
  registerPlaygroundCommand(program);
  markRequired(program);
  addExamples(program);
  return program;
}

/** Says "(required)" after every mandatory option's description, on every command's help page. */
function markRequired(command: Command): void {
  for (const option of command.options) {
    if (option.mandatory && !option.description.endsWith("(required)")) option.description = `${option.description} (required)`;
  }
  for (const sub of command.commands) markRequired(sub);
}

/** Examples shown at the end of each command's help page, by command path. */
const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  paper: ["neurobridge paper --out paper-run", "neurobridge paper --quick --out /tmp/quick --json"],
  train: [
    "neurobridge train --model snn --out runs/snn",
    "neurobridge train --model snn --neuron alif --neuron-params '{\"beta\":0.9}' --epochs 3 --out runs/alif",
    "neurobridge train --model ffnn --subset 6000 --epochs 2 --out runs/ffnn --json",
  ],
  eval: ["neurobridge eval --checkpoint runs/snn", "neurobridge eval --checkpoint runs/snn --backend emulator --subset 1000 --json"],
  deploy: ["neurobridge deploy --checkpoint runs/snn --target loihi --json"],
  convert: [
    "neurobridge convert --checkpoint runs/ffnn --to snn --out runs/converted",
    "neurobridge convert --checkpoint runs/ffnn --to snn --neuron lif --beta 0.99 --steps 128 --normalise max --out runs/lif --json",
  ],
  sweep: [
    "neurobridge sweep --grid sweep.json --out runs/sweep",
    "neurobridge sweep --grid sweep.json --out runs/sweep --executor bullmq --redis redis://127.0.0.1:6379 --json",
    "neurobridge sweep status --out runs/sweep",
  ],
  worker: [
    "neurobridge worker --redis redis://127.0.0.1:6379",
    "neurobridge worker --redis redis://queue:6379 --store /shared/store --idle-exit 60",
  ],
  plugins: ["neurobridge plugins", "neurobridge --plugin ./my-plugin.js plugins --json"],
  "lif simulate": [
    "neurobridge lif simulate --current 250pA --duration 300ms",
    "neurobridge lif simulate --current-file i.csv --out v.csv",
  ],
  "lif fi": ["neurobridge lif fi --from 0pA --to 400pA --step 50pA --json"],
  "lif fit": ["neurobridge lif fit --search-range"],
  "neuron simulate": ["neurobridge neuron simulate --model adex --preset adapting"],
  "neuron fi": ["neurobridge neuron fi --model eif --from 0pA --to 2000pA --step 50pA --json"],
  "export onnx": ["neurobridge export onnx --checkpoint runs/snn --mode step --out snn-step.onnx"],
  "export nir": ["neurobridge export nir --checkpoint runs/snn --convention norse --out snn.nir"],
  "import nir": ["neurobridge import nir model.nir --out runs/imported --steps 25 --json"],
  run: ["neurobridge run --onnx snn.onnx --subset 1000 --json"],
  inspect: ["neurobridge inspect --onnx snn.onnx", "neurobridge inspect --nir model.nir --json"],
  playground: ["neurobridge playground --port 5178"],
};

function addExamples(command: Command, path: readonly string[] = []): void {
  for (const sub of command.commands) {
    const here = [...path, sub.name()];
    const examples = EXAMPLES[here.join(" ")];
    if (examples) sub.addHelpText("after", `\nExamples:\n${examples.map((e) => `  ${e}`).join("\n")}\n`);
    addExamples(sub, here);
  }
}
