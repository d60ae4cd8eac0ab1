/**
 * `neurobridge deploy --checkpoint DIR --target loihi|truenorth [--subset N] [--json]`:
 * places a trained SNN on an emulated neuromorphic target, runs the MNIST
 * test set through the chip's arithmetic (event-driven) and through the float
 * model, and reports accuracy, cores, synaptic events, energy and latency.
 * A network the target cannot host exits non-zero naming the constraint.
 */

import { DeploymentError, deploy, evaluateEmulator, readChain, TARGETS, totals } from "@neurobridge/backend-neuromorphic";
import { loadCheckpoint } from "@neurobridge/backend-tfjs";
import { NeuroBridgeError } from "@neurobridge/core";
import { loadMnist, type MnistNormalization, subset } from "@neurobridge/mnist";
import type { Command } from "commander";
import { type GlobalOptions, printJson } from "../output.js";
import { createCliRuntime } from "../runtime.js";
import { positiveInt } from "./options.js";

interface DeployOptions {
  checkpoint: string;
  target: string;
  subset?: string;
  batch: string;
  normalization?: string;
  json?: boolean;
}

async function runDeploy(o: DeployOptions, globals: GlobalOptions) {
  if (!(TARGETS as readonly string[]).includes(o.target)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--target: unknown target '${o.target}'; accepted: ${TARGETS.join(", ")}`);
  }
  const runtime = await createCliRuntime({ plugins: globals.plugin ?? [] });
  const checkpoint = loadCheckpoint(o.checkpoint, runtime);
  const chain = readChain(runtime, checkpoint.spec, checkpoint.weights);
  let deployment: Awaited<ReturnType<typeof deploy>>;
  try {
    deployment = await deploy(runtime, chain, o.target);
  } catch (error) {
    if (error instanceof DeploymentError && o.json) {
      printJson({ target: o.target, deployed: false, constraint: error.constraint, error: error.message, details: error.details });
    }
    throw error;
  }
  try {
    const normalization = (o.normalization ?? checkpoint.progress?.config.normalization ?? "unit") as MnistNormalization;
    let test = loadMnist("test", { normalization });
    if (o.subset) test = subset(test, positiveInt(o.subset, "--subset"));
    const batch = positiveInt(o.batch, "--batch");
    const rngFor = (offset: number) => runtime.random(`deploy-${offset}`);
    const chip = await evaluateEmulator(deployment.emulator, test, rngFor, batch);
    const float = await evaluateEmulator(deployment.floatEmulator, test, rngFor, batch);
    const energy = deployment.energy(chip.counters);
    const t = totals(chip.counters);
    const per = (x: number) => x / test.count;
    const report = deployment.report;
    const result = {
      target: report.target,
      deployed: true,
      accuracy: chip.accuracy,
      floatAccuracy: float.accuracy,
      count: test.count,
      cores: report.cores,
      coresAvailable: report.coresAvailable,
      synapticEvents: per(t.synapticEvents),
      spikes: per(t.spikes),
      neuronUpdates: per(t.activeUpdates),
      inactiveNeuronUpdates: per(t.inactiveUpdates),
      hostMacs: per(chip.counters.hostMacs),
      energyJoules: energy.joulesPerSample,
      energyBreakdown: Object.fromEntries(Object.entries(energy.breakdown).map(([k, v]) => [k, per(v)])),
      ticksPerSample: report.ticksPerSample,
      latencyTicks: report.latencyTicks,
      samplesPerSecond: chip.samplesPerSecond,
      floatSamplesPerSecond: float.samplesPerSecond,
      inputMode: report.inputMode,
      weightPrecision: report.weightPrecision,
      populations: report.populations,
      coreMap: report.coreMap,
      quantization: report.quantization,
      warnings: report.warnings,
      layers: chip.counters.layers.map((l) => ({ ...l, spikes: per(l.spikes), synapticEvents: per(l.synapticEvents) })),
    };
    if (o.json) return printJson(result);
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    process.stdout.write(
      [
        `${report.target}: ${report.cores} of ${report.coresAvailable} cores, input ${report.inputMode === "host" ? "via an off-chip first layer" : "as spikes"}, weights ${report.weightPrecision}`,
        ...report.populations.map((p) => `  ${p.id}: ${p.neurons} neurons, fan-in ${p.fanIn}, ${p.synapses} synapses, ${p.cores} core(s)`),
        ...report.quantization.map(
          (q) =>
            `  ${q.population}: vth ${q.vth}, dv ${q.dv} (β ${q.betaFloat.toFixed(4)} → ${q.betaEffective.toFixed(6)}), weight exponent ${q.weightExponent}, weight RMS error ${(q.weightRelativeRmsError * 100).toFixed(2)}%`,
        ),
        `accuracy ${pct(chip.accuracy)} (fixed point) vs ${pct(float.accuracy)} (float) on ${test.count} test images`,
        `per inference: ${result.synapticEvents.toFixed(0)} synaptic events, ${result.spikes.toFixed(0)} spikes, ${(energy.joulesPerSample * 1e6).toFixed(2)} µJ, ${report.ticksPerSample} ticks (first output after ${report.latencyTicks})`,
        `emulator: ${chip.samplesPerSecond.toFixed(0)} samples/s fixed point, ${float.samplesPerSecond.toFixed(0)} samples/s float`,
        ...report.warnings.map((w) => `note: ${w}`),
        "",
      ].join("\n"),
    );
  } finally {
    await deployment.release();
  }
}

export function registerDeployCommand(program: Command): void {
  program
    .command("deploy")
    .description("place a trained SNN on an emulated neuromorphic target and run the MNIST test set event by event")
    .requiredOption("--checkpoint <dir>", "checkpoint folder")
    .requiredOption("--target <name>", TARGETS.join(" | "))
    .option("--subset <n>", "first n test images")
    .option("--batch <n>", "samples per host batch", "256")
    .option("--normalization <name>", "pixel scaling (default: the checkpoint's)")
    .option("--json", "print one JSON object")
    .action((o: DeployOptions, command: Command) => runDeploy(o, command.optsWithGlobals<GlobalOptions>()));
}
