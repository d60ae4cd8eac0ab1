/**
 * The pipeline's "off the training backend" step: the trained FFNN and SNN
 * exported to ONNX (FFNN; SNN unrolled and per step) and run in
 * onnxruntime-node against the tfjs backend's own outputs, and the SNN
 * deployed on emulated Loihi (fixed point and float, event-driven) and
 * checked against TrueNorth's constraints.
 */
import { join } from "node:path";
import {
  type Chain,
  DeploymentError,
  decodeOnnx,
  deploy,
  evaluateEmulator,
  evaluateOnnx,
  exportOnnx,
  type OnnxExportMode,
  OnnxNetwork,
  readChain,
  totals,
} from "@neurobridge/backend-neuromorphic";
import { loadCheckpoint, type TfjsBackend } from "@neurobridge/backend-tfjs";
import type { Dataset, Runtime } from "@neurobridge/core";
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

/** The result of the deployment step. */
export interface DeploymentResult {
  readonly testCount: number;
  readonly onnx: OnnxResult[];
  readonly loihi: {
    readonly accuracy: number;
    readonly floatAccuracy: number;
    readonly cores: number;
    readonly synapticEventsPerSample: number;
    readonly spikesPerSample: number;
    readonly hostMacsPerSample: number;
    readonly energyJoulesPerSample: number;
    readonly energyBreakdown: Record<string, number>;
    readonly ticksPerSample: number;
    readonly latencyTicks: number;
    readonly samplesPerSecond: number;
    readonly floatSamplesPerSecond: number;
    readonly quantization: unknown[];
    readonly warnings: readonly string[];
  };
  readonly truenorth: { readonly deployed: boolean; readonly constraint?: string; readonly message: string };
}

/** Exports, runs and deploys the trained networks; writes the `.onnx` files into `modelsDir`. */
export async function deploymentExperiment(
  runtime: Runtime,
  backend: TfjsBackend,
  checkpoints: { ffnn: string; snn: string },
  test: Dataset,
  modelsDir: string,
): Promise<DeploymentResult> {
  const onnx: OnnxResult[] = [];
  const chains: Partial<Record<"ffnn" | "snn", Chain>> = {};
  for (const model of ["ffnn", "snn"] as const) {
    const ck = loadCheckpoint(checkpoints[model], runtime);
    const chain = readChain(runtime, ck.spec, ck.weights);
    chains[model] = chain;
    const reference = await backend.evaluate(ck.spec, ck.weights, test);
    const modes: (OnnxExportMode | undefined)[] = model === "snn" ? ["unrolled", "step"] : [undefined];
    for (const mode of modes) {
      const exported = exportOnnx(chain, mode ? { mode } : {});
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
  const chain = chains.snn as Chain;
  const d = await deploy(runtime, chain, "loihi");
  try {
    const rngFor = (offset: number) => runtime.random(`deploy-${offset}`);
    const fixed = await evaluateEmulator(d.emulator, test, rngFor);
    const float = await evaluateEmulator(d.floatEmulator, test, rngFor);
    const t = totals(fixed.counters);
    const energy = d.energy(fixed.counters);
    const per = (x: number) => x / test.count;
    let truenorth: DeploymentResult["truenorth"];
    try {
      await deploy(runtime, chain, "truenorth");
      truenorth = { deployed: true, message: "deployed" };
    } catch (error) {
      if (!(error instanceof DeploymentError)) throw error;
      truenorth = { deployed: false, constraint: error.constraint, message: error.message };
    }
    return {
      testCount: test.count,
      onnx,
      loihi: {
        accuracy: fixed.accuracy,
        floatAccuracy: float.accuracy,
        cores: d.report.cores,
        synapticEventsPerSample: per(t.synapticEvents),
        spikesPerSample: per(t.spikes),
        hostMacsPerSample: per(fixed.counters.hostMacs),
        energyJoulesPerSample: energy.joulesPerSample,
        energyBreakdown: Object.fromEntries(Object.entries(energy.breakdown).map(([k, v]) => [k, per(v)])),
        ticksPerSample: d.report.ticksPerSample,
        latencyTicks: d.report.latencyTicks,
        samplesPerSecond: fixed.samplesPerSecond,
        floatSamplesPerSecond: float.samplesPerSecond,
        quantization: [...d.report.quantization],
        warnings: d.report.warnings,
      },
      truenorth,
    };
  } finally {
    await d.release();
  }
}
