/**
 * The pipeline's "off the training backend" step: the trained FFNN and SNN
 * exported to ONNX (FFNN; SNN unrolled and per step) and run in
 * onnxruntime-node against the tfjs backend's own outputs, the SNN written
 * as NIR and read back (a round trip that must be exact), and the SNN
 * deployed on emulated Loihi (fixed point and float, event-driven) and
 * checked against TrueNorth's constraints. `deployExperiment` is also what
 * `neurobridge deploy` runs: one set of JSON keys.
 */
import { join } from "node:path";
import {
  DeploymentError,
  decodeOnnx,
  defaultEmulatorThreads,
  deploy,
  EmulatorPool,
  evaluateDeployment,
  evaluateOnnx,
  exportOnnx,
  type OnnxExportMode,
  OnnxNetwork,
  totals,
} from "@neurobridge/backend-neuromorphic";
import { checkDataFits, type Dataset, type NetworkPlan, type Runtime } from "@neurobridge/core";
import { loadCheckpoint } from "@neurobridge/core/node";
import { readNir, writeNir } from "@neurobridge/nir";
import { writeAtomic } from "../cache.js";

/** One exported model run in ONNX Runtime. */
export interface OnnxResult {
  readonly model: "ffnn" | "snn";
  readonly mode: string;
  readonly file: string;
  readonly bytes: number;
  readonly accuracy: number;
  readonly samplesPerSecond: number;
  /** Fraction of test images where ONNX Runtime and tfjs predict the same class. */
  readonly samePredictions: number;
  /** Largest |score difference| against tfjs (spike counts or logits). */
  readonly maxAbsDifference: number;
}

/** The SNN written as NIR and read back: what crossed exactly. */
export interface NirRoundTrip {
  readonly file: string;
  readonly bytes: number;
  readonly convention: string;
  readonly dt: number;
  /** NIR node types in the file, in order. */
  readonly nodes: readonly string[];
  /** Every weight and neuron parameter read back bit for bit. */
  readonly weightsIdentical: boolean;
  /** Fraction of test images where the read-back network predicts as the original (tfjs). */
  readonly samePredictions: number;
  readonly maxAbsDifference: number;
  /** What tools that ignore NeuroBridge's metadata will simulate differently. */
  readonly warnings: readonly string[];
}

/** Writes `plan` as NIR into `modelsDir/file`, reads it back and runs both on `test` with tfjs. */
async function nirRoundTrip(runtime: Runtime, plan: NetworkPlan, test: Dataset, modelsDir: string, file: string): Promise<NirRoundTrip> {
  const written = await writeNir(runtime, plan);
  writeAtomic(join(modelsDir, file), written.bytes);
  const back = await readNir(runtime, written.bytes, { source: file });
  const planBack = runtime.plan(back.spec, back.weights);
  const same = (a: Float32Array, b: Float32Array | undefined) =>
    b !== undefined && a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  const weightsIdentical = plan.layers.every((layer, i) => {
    const other = planBack.layers[i];
    if (layer.kind === "dense")
      return other?.kind === "dense" && same(layer.weight, other.weight) && (!layer.bias || same(layer.bias, other.bias));
    return other?.kind === "neuron" && Object.entries(layer.params).every(([k, v]) => same(v, other.params[k]));
  });
  const tfjs = await runtime.backend("tfjs");
  const [a, b] = [await tfjs.evaluate(plan, test), await tfjs.evaluate(planBack, test)];
  let agree = 0;
  let maxDiff = 0;
  for (let i = 0; i < test.count; i++) if (a.predictions[i] === b.predictions[i]) agree++;
  for (let i = 0; i < a.outputs.length; i++) maxDiff = Math.max(maxDiff, Math.abs((a.outputs[i] as number) - (b.outputs[i] as number)));
  return {
    file: `models/${file}`,
    bytes: written.bytes.length,
    convention: written.conventions.name,
    dt: written.conventions.dt,
    nodes: Object.values(written.graph.nodes).map((n) => n.type),
    weightsIdentical,
    samePredictions: agree / test.count,
    maxAbsDifference: maxDiff,
    warnings: written.warnings,
  };
}

/** A network placed on a target and run (the `deploy` command's JSON). */
export interface DeployedResult {
  readonly target: string;
  readonly deployed: true;
  readonly accuracy: number;
  readonly floatAccuracy: number;
  readonly count: number;
  readonly cores: number;
  readonly coresAvailable: number;
  /** Per inference (sample). */
  readonly synapticEvents: number;
  readonly spikes: number;
  readonly neuronUpdates: number;
  readonly inactiveNeuronUpdates: number;
  readonly hostMacs: number;
  readonly energyJoules: number;
  readonly energyBreakdown: Record<string, number>;
  readonly ticksPerSample: number;
  readonly latencyTicks: number;
  readonly samplesPerSecond: number;
  readonly floatSamplesPerSecond: number;
  /** Threads that emulated (this one included; 1 = serial): how many took a batch, which depends on timing. */
  readonly emulatorThreads: number;
  /** Threads the work was offered to (this one included): the pool started, 1 when serial. Does not depend on timing. */
  readonly emulatorThreadsOffered: number;
  readonly inputMode: "host" | "spikes";
  readonly weightPrecision: string;
  readonly populations: readonly unknown[];
  readonly coreMap: readonly unknown[];
  readonly quantization: readonly unknown[];
  /** TrueNorth: per layer, cores, axons and neurons used per core, splitters, weight levels, scale, rounding error. */
  readonly trueNorth?: readonly unknown[];
  readonly warnings: readonly string[];
  readonly layers: readonly unknown[];
}

/** A network the target cannot host: the failing constraint, as a value. */
export interface NotDeployedResult {
  readonly target: string;
  readonly deployed: false;
  readonly constraint: string;
  readonly error: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** Every constraint the target's check found. */
  readonly issues: readonly { constraint: string; path: string; message: string }[];
}

export type DeployResult = DeployedResult | NotDeployedResult;

/**
 * Places a bound plan on `target` (a registered event-driven backend), runs
 * `test` through the chip's arithmetic and through the float model, and
 * reports accuracy, cores, events, energy and latency — or, when the target
 * cannot host the network, which constraint fails (a value, not an error).
 */
export async function deployExperiment(
  runtime: Runtime,
  plan: NetworkPlan,
  target: string,
  test: Dataset,
  options: {
    batchSize?: number;
    /** Threads that emulate, the main thread included (default: every core; 1 = serial). Results do not depend on it. */
    threads?: number;
    /** After every batch of each run: `stage` is `chip` (the target) or `float` (the float model of the same network). */
    onProgress?: (stage: "chip" | "float", done: number, total: number) => void;
  } = {},
): Promise<DeployResult> {
  checkDataFits(plan, test, "the test data");
  const backend = await runtime.backend(target);
  // Placing the network is the check (Loihi quantises and maps every population): do it once,
  // and ask the backend for every failing constraint only to explain a failure.
  const notDeployed = (constraint: string, error: string, details: Readonly<Record<string, unknown>> = {}): NotDeployedResult => ({
    target,
    deployed: false,
    constraint,
    error,
    details,
    issues: backend.check(plan).issues.map((i) => ({ constraint: i.constraint, path: i.path, message: i.message })),
  });
  let deployment: Awaited<ReturnType<typeof deploy>>;
  try {
    deployment = await deploy(runtime, plan, target);
  } catch (error) {
    if (error instanceof DeploymentError) return notDeployed(error.constraint, error.message, error.details);
    throw error;
  }
  try {
    const batch = options.batchSize ?? 256;
    const rngFor = (offset: number) => runtime.random(`deploy-${offset}`);
    const progress = (stage: "chip" | "float") =>
      options.onProgress ? (d: number, n: number) => options.onProgress?.(stage, d, n) : undefined;
    // One set of worker threads serves both runs (each places the network once).
    const pool = EmulatorPool.start(deployment, options.threads ?? defaultEmulatorThreads(), { count: test.count, batchSize: batch });
    const on = (stage: "chip" | "float") => {
      const onProgress = progress(stage);
      return { batchSize: batch, threads: options.threads ?? 1, ...(pool ? { pool } : {}), ...(onProgress ? { onProgress } : {}) };
    };
    let chip: Awaited<ReturnType<typeof evaluateDeployment>>;
    let float: typeof chip;
    try {
      chip = await evaluateDeployment(deployment, "chip", test, rngFor, on("chip"));
      float = await evaluateDeployment(deployment, "float", test, rngFor, on("float"));
    } finally {
      await pool?.close();
    }
    const energy = deployment.energy(chip.counters);
    const t = totals(chip.counters);
    const per = (x: number) => x / test.count;
    const report = deployment.report;
    return {
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
      emulatorThreads: chip.threads,
      emulatorThreadsOffered: pool?.threads ?? 1,
      inputMode: report.inputMode,
      weightPrecision: report.weightPrecision,
      populations: report.populations,
      coreMap: report.coreMap,
      quantization: report.quantization,
      ...(report.trueNorth ? { trueNorth: report.trueNorth } : {}),
      warnings: report.warnings,
      layers: chip.counters.layers.map((l) => ({
        id: l.id,
        size: l.size,
        spikes: per(l.spikes),
        synapticEvents: per(l.synapticEvents),
        activeUpdates: l.activeUpdates,
        inactiveUpdates: l.inactiveUpdates,
      })),
    };
  } finally {
    await deployment.release();
  }
}

/** The result of the deployment step. */
export interface DeploymentResult {
  readonly testCount: number;
  readonly onnx: OnnxResult[];
  readonly nir: NirRoundTrip;
  readonly loihi: DeployResult;
  /** The SNN trained for TrueNorth (constraint-aware), on emulated TrueNorth. */
  readonly truenorth: DeployResult;
  /** The paper's SNN (trained without TrueNorth's constraints): TrueNorth's verdict, every failing constraint named. */
  readonly truenorthUnconstrained: DeployResult;
}

/** The bound plan of the checkpoint in `dir`. */
function checkpointPlan(runtime: Runtime, dir: string): NetworkPlan {
  const ck = loadCheckpoint(dir, runtime);
  return runtime.plan(ck.spec, ck.weights);
}

/** Exports, runs and deploys the trained networks; writes the `.onnx` files into `modelsDir`. */
export async function deploymentExperiment(
  runtime: Runtime,
  checkpoints: { ffnn: string; snn: string; trueNorth: string },
  test: Dataset,
  modelsDir: string,
): Promise<DeploymentResult> {
  const onnx: OnnxResult[] = [];
  const tfjs = await runtime.backend("tfjs");
  const plans: Partial<Record<"ffnn" | "snn", NetworkPlan>> = {};
  for (const model of ["ffnn", "snn"] as const) {
    const ck = loadCheckpoint(checkpoints[model], runtime);
    const plan = runtime.plan(ck.spec, ck.weights);
    plans[model] = plan;
    const reference = await tfjs.evaluate(plan, test);
    const modes: (OnnxExportMode | undefined)[] = plan.spiking ? ["unrolled", "step"] : [undefined];
    for (const mode of modes) {
      const exported = exportOnnx(plan, mode ? { mode } : {});
      const file = `${model}${mode ? `-${mode}` : ""}.onnx`;
      writeAtomic(join(modelsDir, file), exported.bytes);
      const network = await OnnxNetwork.load(runtime, exported.bytes, decodeOnnx(exported.bytes, file).description, file);
      const ev = await evaluateOnnx(network, test, runtime.random("onnx"));
      await network.release();
      let same = 0;
      let maxDiff = 0;
      for (let i = 0; i < test.count; i++) if (ev.predictions[i] === reference.predictions[i]) same++;
      for (let i = 0; i < ev.outputs.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs((ev.outputs[i] as number) - (reference.outputs[i] as number)));
      onnx.push({
        model,
        mode: exported.info.mode,
        file: `models/${file}`,
        bytes: exported.bytes.length,
        accuracy: ev.accuracy,
        samplesPerSecond: ev.samplesPerSecond,
        samePredictions: same / test.count,
        maxAbsDifference: maxDiff,
      });
    }
  }
  const snn = plans.snn as NetworkPlan;
  return {
    testCount: test.count,
    onnx,
    nir: await nirRoundTrip(runtime, snn, test, modelsDir, "snn.nir"),
    loihi: await deployExperiment(runtime, snn, "loihi", test),
    truenorth: await deployExperiment(runtime, checkpointPlan(runtime, checkpoints.trueNorth), "truenorth", test),
    truenorthUnconstrained: await deployExperiment(runtime, snn, "truenorth", test),
  };
}
