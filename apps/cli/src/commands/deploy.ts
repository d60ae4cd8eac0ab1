/**
 * `neurobridge deploy --checkpoint DIR --target loihi|truenorth [--subset N] [--threads N] [--json]`:
 * places a trained SNN on an emulated neuromorphic target, runs the MNIST
 * test set through the chip's arithmetic (event-driven) and through the float
 * model, and reports accuracy, cores, synaptic events, energy and latency.
 * A network the target cannot host exits non-zero naming the constraint.
 */

import { NeuroBridgeError } from "@neurobridge/core";
import { loadCheckpoint } from "@neurobridge/core/node";
import { checkpointNormalization, loadMnist, subset } from "@neurobridge/mnist";
import type { Command } from "commander";
import { type GlobalOptions, printJson, ReportedError } from "../output.js";
import { createProgress } from "../progress.js";
import { createCliRuntime } from "../runtime.js";
import { normalizationOption, OPTION_LIMITS, positiveInt } from "./options.js";

interface DeployOptions {
  checkpoint: string;
  target: string;
  subset?: string;
  batch: string;
  threads?: string;
  normalization?: string;
  json?: boolean;
}

async function runDeploy(o: DeployOptions, globals: GlobalOptions) {
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [] });
  // Targets are the registered chips: event-driven fixed-point backends (loihi, truenorth, a plugin's …).
  const targets = runtime
    .list()
    .backends.filter((b) => {
      const c = b.capabilities as { eventDriven?: boolean; precisions?: readonly string[] };
      return c.eventDriven && c.precisions?.includes("fixed-point");
    })
    .map((b) => b.name);
  if (!targets.includes(o.target)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--target: unknown target '${o.target}'; accepted: ${targets.join(", ")}`);
  }
  const checkpoint = loadCheckpoint(o.checkpoint, runtime);
  const plan = runtime.plan(checkpoint.spec, checkpoint.weights);
  const normalization = o.normalization !== undefined ? normalizationOption(o.normalization) : checkpointNormalization(checkpoint);
  let test = loadMnist("test", { normalization });
  if (o.subset) test = subset(test, positiveInt(o.subset, "--subset"), "--subset (test images)");
  const progress = createProgress();
  let stage = "";
  const { deployExperiment } = await import("@neurobridge/experiments");
  const result = await deployExperiment(runtime, plan, o.target, test, {
    batchSize: positiveInt(o.batch, "--batch"),
    ...(o.threads !== undefined ? { threads: positiveInt(o.threads, "--threads", 1, OPTION_LIMITS.parallel) } : {}),
    onProgress: (which, done, total) => {
      if (which !== stage)
        progress.start(which === "chip" ? `${o.target} (emulated)` : "float model of the same network", total, "test images");
      stage = which;
      progress.update(done);
    },
  });
  progress.stop();
  if (!result.deployed) {
    // Every failing constraint, not only the first; under --json the CLI's error shape { error: { code, message } }.
    const others = result.issues.filter((i) => i.message !== result.error);
    const message = [
      `${result.error} [constraint: ${result.constraint}]`,
      ...others.map((i) => `  also: ${i.message} [constraint: ${i.constraint}${i.path ? ` at ${i.path}` : ""}]`),
    ].join("\n");
    if (o.json) printJson({ ...result, error: { code: "DEPLOYMENT", message, constraint: result.constraint } });
    throw o.json ? new ReportedError("DEPLOYMENT", message) : new NeuroBridgeError("DEPLOYMENT", message);
  }
  if (o.json) return printJson(result);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const quantization = result.quantization as {
    population: string;
    vth: number;
    dv: number;
    betaFloat: number;
    betaEffective: number;
    weightExponent: number;
    weightRelativeRmsError: number;
  }[];
  const populations = result.populations as { id: string; neurons: number; fanIn: number; synapses: number; cores: number }[];
  process.stdout.write(
    [
      `${result.target}: ${result.cores} of ${result.coresAvailable} cores, input ${result.inputMode === "host" ? "via an off-chip first layer" : "as spikes"}, weights ${result.weightPrecision}`,
      ...populations.map((p) => `  ${p.id}: ${p.neurons} neurons, fan-in ${p.fanIn}, ${p.synapses} synapses, ${p.cores} core(s)`),
      ...quantization.map(
        (q) =>
          `  ${q.population}: vth ${q.vth}, dv ${q.dv} (β ${q.betaFloat.toFixed(4)} → ${q.betaEffective.toFixed(6)}), weight exponent ${q.weightExponent}, weight RMS error ${(q.weightRelativeRmsError * 100).toFixed(2)}%`,
      ),
      `accuracy ${pct(result.accuracy)} (fixed point) vs ${pct(result.floatAccuracy)} (float) on ${result.count} test images`,
      `per inference: ${result.synapticEvents.toFixed(0)} synaptic events, ${result.spikes.toFixed(0)} spikes, ${(result.energyJoules * 1e6).toFixed(2)} µJ, ${result.ticksPerSample} ticks (first output after ${result.latencyTicks})`,
      `emulator: ${result.samplesPerSecond.toFixed(0)} samples/s fixed point, ${result.floatSamplesPerSecond.toFixed(0)} samples/s float (${result.emulatorThreads} thread${result.emulatorThreads === 1 ? "" : "s"})`,
      ...result.warnings.map((w) => `note: ${w}`),
      "",
    ].join("\n"),
  );
}

export function registerDeployCommand(program: Command): void {
  program
    .command("deploy")
    .description("place a trained SNN on an emulated neuromorphic target and run the MNIST test set event by event")
    .requiredOption("--checkpoint <dir>", "checkpoint folder")
    .requiredOption("--target <name>", "loihi | truenorth (any registered event-driven backend)")
    .option("--subset <n>", "first n test images")
    .option("--batch <n>", "samples per host batch", "256")
    .option("--threads <n>", "threads that emulate, this one included (default: every core; results do not depend on it)")
    .option("--normalization <name>", "pixel scaling (default: the checkpoint's)")
    .option("--json", "print one JSON object")
    .action((o: DeployOptions, command: Command) => runDeploy(o, command.optsWithGlobals<GlobalOptions>()));
}
