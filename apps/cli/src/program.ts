/** The `neurobridge` command tree. Each command is a thin shell over a library function. */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerDeployCommand } from "./commands/deploy.js";
import { registerLifCommands } from "./commands/lif.js";
import { registerNeuronCommands } from "./commands/neuron.js";
import { registerOnnxCommands } from "./commands/onnx.js";
import { registerPaperCommand } from "./commands/paper.js";
import { registerPlaygroundCommand } from "./commands/playground.js";
import { registerPlotCommand } from "./commands/plot.js";
import { registerPluginsCommand } from "./commands/plugins.js";
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
  registerPlotCommand(program);
  registerPlaygroundCommand(program);
  return program;
}
