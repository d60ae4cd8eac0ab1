/**
 * The conformance suite for neuron models — tfjs's "one test body on every
 * backend", for NeuroBridge's seam: one call checks that a registered model
 * behaves the same everywhere it can run.
 *
 * - `declaration`: defaults inside their ranges; state names unique.
 * - `step`: the model's `step` on reference arrays returns its declared
 *   state (no more, no fewer), shapes `[B, N]`, finite values, binary
 *   output for spiking models.
 * - `tfjs-step`: the same `step` on tfjs (the training backend's generic
 *   path) equals the reference arrays — spikes bit for bit.
 * - `gradient` (rate models): tfjs autograd through the step against
 *   central finite differences.
 * - `kernel:sequence` / `kernel:infer`: a registered kernel equals the
 *   generic step — outputs bit for bit, gradients (inputs, dense weights,
 *   learned parameters) within float32 noise, activity counts exact.
 * - `compiled-step`: the step compiled into fused loops (core's
 *   `compileStep`, what runs where no kernel is registered) gives the
 *   reference arrays' outputs bit for bit and, in the network, the generic
 *   tfjs path's spikes (rate outputs within 1e-6) and gradients within
 *   float32 noise; its infer kernel counts exactly.
 * - `onnx`: the exported graphs (unrolled and per-step for spiking models)
 *   run in ONNX Runtime and give the training backend's outputs.
 * - `emulator` (spiking models): the float event-driven emulator (the
 *   model's `population` kernel, else its step) gives the training
 *   backend's spike counts exactly.
 *
 * @example
 * ```ts
 * import { checkNeuronModel } from "@neurobridge/conformance";
 * const report = await checkNeuronModel(runtime, "alif");
 * expect(report.failures).toEqual([]);
 * ```
 */
import { createFloatEmulator, decodeOnnx, evaluateOnnx, exportOnnx, OnnxNetwork } from "@neurobridge/backend-neuromorphic";
import { ChainExecutor, createGemm, createTfjsOps, type ExecutorForward, tf, useKernelBackend } from "@neurobridge/backend-tfjs";
import {
  arrayOps,
  bindWeights,
  compileStep,
  initWeights,
  type NetworkPlan,
  type NeuronModel,
  type NeuronPlanLayer,
  outputScores,
  type RandomSource,
  type Runtime,
  resolveParams,
  sequentialSpec,
  type Weights,
} from "@neurobridge/core";

/** One check's verdict. */
export interface ConformanceCheck {
  readonly name: string;
  readonly passed: boolean;
  /** What was compared and found (or why the check does not apply). */
  readonly detail: string;
  /** False when the check does not apply to this model (e.g. no kernel registered). */
  readonly applies: boolean;
}

/** The verdict on one model configuration. */
export interface ConformanceReport {
  readonly model: string;
  /** The configuration checked, e.g. `reset subtract`. */
  readonly variant: string;
  readonly checks: readonly ConformanceCheck[];
  /** `check: detail` of every failed check. */
  readonly failures: readonly string[];
}

/** Options of {@link checkNeuronModel}. */
export interface ConformanceOptions {
  /** Model parameters of the test network (default: the model's defaults). */
  readonly params?: Readonly<Record<string, number | readonly number[]>>;
  /** Reset mechanism of spiking layers (default `subtract`). */
  readonly reset?: string;
  /** Time steps of a spiking test network (default 12). */
  readonly timeSteps?: number;
  /** Multiplies the dense weights, so spiking models see enough input to fire (default 2). */
  readonly weightGain?: number;
  /** Multiplies the currents of the single-layer step checks, uniform in [−0.5, 1.5) (default 1). */
  readonly currentScale?: number;
  /** Parameters to learn (default: every learnable parameter of the model). */
  readonly learn?: readonly string[];
  readonly seed?: number;
}

const BATCH = 5;
const LAYERS = [16, 12, 12] as const;

/** Uniform inputs in [0, 1) for `count` samples. */
function inputsFor(count: number, features: number, rng: RandomSource): Float32Array {
  return Float32Array.from({ length: count * features }, () => rng.next());
}

/** Largest |a − b| relative to max |b| (≥ 1e-3 so tiny gradients do not blow the ratio up). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let scale = 1e-3;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return a.length === b.length ? worst / scale : Number.POSITIVE_INFINITY;
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
};

const countMismatches = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (!Object.is(a[i], b[i])) n++;
  return n;
};

/** Runs `body`, turning a thrown error into a failed check. */
async function check(
  name: string,
  body: () => Promise<Omit<ConformanceCheck, "name">> | Omit<ConformanceCheck, "name">,
): Promise<ConformanceCheck> {
  try {
    return { name, ...(await body()) };
  } catch (error) {
    return { name, passed: false, applies: true, detail: `threw: ${(error as Error).message.split("\n")[0]}` };
  }
}

const pass = (detail: string) => ({ passed: true, applies: true, detail });
const fail = (detail: string) => ({ passed: false, applies: true, detail });
const skip = (detail: string) => ({ passed: true, applies: false, detail });

/** The step on reference arrays over T frames of one layer; returns outputs `[T·B, N]` (rate: `[B, N]`). */
function referenceSteps(layer: NeuronPlanLayer, input: Float32Array, batch: number, timeSteps: number): Float32Array {
  const frame = batch * layer.size;
  const model = layer.model;
  if (!layer.spiking) return model.step(arrayOps, input, {}, layer.params, layer.resolved.context).output;
  let state: Record<string, Float32Array> = Object.fromEntries(model.state.map((s) => [s.name, new Float32Array(frame).fill(s.initial)]));
  const out = new Float32Array(timeSteps * frame);
  for (let t = 0; t < timeSteps; t++) {
    const r = model.step(arrayOps, input.subarray(t * frame, (t + 1) * frame), state, layer.params, layer.resolved.context);
    out.set(r.output, t * frame);
    state = { ...r.state };
  }
  return out;
}

/**
 * Checks the registered model `modelName` in `runtime` (see the module doc).
 * Needs onnxruntime-node and the built packages (workers are not used).
 */
export async function checkNeuronModel(runtime: Runtime, modelName: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  await useKernelBackend("wasm");
  const model: NeuronModel = runtime.neuronModel(modelName);
  const spiking = model.dynamics === "spiking";
  const T = spiking ? (options.timeSteps ?? 12) : 1;
  const rng = runtime.random(`conformance-${modelName}-${options.seed ?? 0}`);
  const learn = options.learn ?? model.params.filter((p) => p.learnable).map((p) => p.name);
  const spec = sequentialSpec({
    name: `conformance-${modelName}`,
    layers: [...LAYERS],
    neuron: modelName,
    timeSteps: T,
    ...(spiking ? {} : { outputNeuron: false as const }),
    ...(options.params ? { params: options.params } : {}),
    ...(spiking && options.reset ? { reset: options.reset } : {}),
    ...(learn.length ? { learn } : {}),
  });
  const plan: NetworkPlan = runtime.plan(spec);
  const gain = options.weightGain ?? 2;
  const weights: Weights = Object.fromEntries(
    Object.entries(initWeights(spec, rng.fork("init"), runtime)).map(([name, t]) => [
      name,
      { shape: t.shape, data: name.endsWith(".weight") ? t.data.map((w) => w * gain) : t.data },
    ]),
  );
  const bound = bindWeights(runtime, plan, weights);
  const layer = bound.layers[1] as NeuronPlanLayer;
  const variant = spiking ? `reset ${layer.resolved.resetName}` : "rate";
  const input = inputsFor(BATCH, LAYERS[0], rng.fork("input"));
  const params = Object.fromEntries(Object.entries(weights).map(([k, t]) => [k, t.data]));
  const gemm = await createGemm({ threads: 1 });
  const checks: ConformanceCheck[] = [];

  checks.push(
    await check("declaration", () => {
      const { issues } = resolveParams(model.params, {}, "params", 3);
      const names = model.state.map((s) => s.name);
      const problems = [
        ...issues.map((i) => `default ${i.path} ${i.message}`),
        ...(new Set(names).size !== names.length ? [`state names repeat: ${names.join(", ")}`] : []),
      ];
      return problems.length ? fail(problems.join("; ")) : pass(`${model.params.length} parameters, state [${names.join(", ")}]`);
    }),
  );

  const scale = options.currentScale ?? 1;
  const currents = Float32Array.from({ length: T * BATCH * layer.size }, () => scale * rng.uniform(-0.5, 1.5));
  checks.push(
    await check("step", () => {
      const frame = BATCH * layer.size;
      const state = Object.fromEntries(model.state.map((s) => [s.name, new Float32Array(frame).fill(s.initial)]));
      const r = model.step(arrayOps, currents.subarray(0, frame), spiking ? state : {}, layer.params, layer.resolved.context);
      const problems: string[] = [];
      if (r.output.length !== frame) problems.push(`output has ${r.output.length} values, expected [${BATCH}, ${layer.size}]`);
      if (r.output.some((v) => !Number.isFinite(v))) problems.push("output is not finite");
      if (spiking && r.output.some((v) => v !== 0 && v !== 1)) problems.push("a spiking model's output must be 0 or 1");
      const declared = spiking ? model.state.map((s) => s.name).sort() : [];
      const returned = Object.keys(r.state).sort();
      if (declared.join() !== returned.join()) problems.push(`returns state [${returned.join(", ")}], declares [${declared.join(", ")}]`);
      for (const name of returned) {
        const v = r.state[name] as Float32Array;
        if (v.length !== frame || v.some((x) => !Number.isFinite(x))) problems.push(`state '${name}' is not a finite [B, N] tensor`);
      }
      return problems.length
        ? fail(problems.join("; "))
        : pass(`output and state [${returned.join(", ")}] of shape [${BATCH}, ${layer.size}]`);
    }),
  );

  checks.push(
    await check("tfjs-step", () => {
      const reference = referenceSteps(layer, currents, BATCH, T);
      const ops = createTfjsOps();
      const got = tf.tidy(() => {
        const p = Object.fromEntries(Object.entries(layer.params).map(([k, v]) => [k, tf.tensor1d(v)]));
        const frame = [BATCH, layer.size];
        if (!spiking)
          return model
            .step(ops, tf.tensor2d(currents.subarray(0, BATCH * layer.size), frame as [number, number]), {}, p, layer.resolved.context)
            .output.dataSync() as Float32Array;
        let state: Record<string, tf.Tensor> = Object.fromEntries(model.state.map((s) => [s.name, tf.fill(frame, s.initial)]));
        const outs: tf.Tensor[] = [];
        for (let t = 0; t < T; t++) {
          const x = tf.tensor2d(currents.subarray(t * BATCH * layer.size, (t + 1) * BATCH * layer.size), frame as [number, number]);
          const r = model.step(ops, x, state, p, layer.resolved.context);
          outs.push(r.output);
          state = { ...r.state };
        }
        return tf.concat(outs, 0).dataSync() as Float32Array;
      });
      if (spiking) {
        const mismatches = countMismatches(got, reference);
        const spikes = reference.reduce((s, v) => s + v, 0);
        return mismatches === 0
          ? pass(`${spikes} spikes over ${T} steps, identical on tfjs and reference arrays`)
          : fail(`${mismatches} of ${reference.length} outputs differ between tfjs and reference arrays`);
      }
      const err = relativeError(got, reference);
      return err <= 1e-6
        ? pass(`tfjs equals reference arrays (relative error ${err.toExponential(1)})`)
        : fail(`tfjs differs from reference arrays by ${err.toExponential(2)} (relative)`);
    }),
  );

  checks.push(
    await check("gradient", () => {
      if (spiking)
        return skip("spiking output is a step function; its surrogate gradient is checked as kernel vs tfjs autograd of the step");
      const ops = createTfjsOps();
      const x0 = currents.subarray(0, BATCH * layer.size);
      const r = Float32Array.from({ length: x0.length }, () => rng.uniform(-1, 1));
      const f = (x: Float32Array) =>
        tf.tidy(() => {
          const p = Object.fromEntries(Object.entries(layer.params).map(([k, v]) => [k, tf.tensor1d(v)]));
          const out = model.step(ops, tf.tensor2d(x, [BATCH, layer.size]), {}, p, layer.resolved.context).output as tf.Tensor;
          return (tf.sum(tf.mul(out, tf.tensor2d(r, [BATCH, layer.size]))).dataSync() as Float32Array)[0] as number;
        });
      const grad = tf.tidy(() => {
        const p = Object.fromEntries(Object.entries(layer.params).map(([k, v]) => [k, tf.tensor1d(v)]));
        const g = tf.grad((x: tf.Tensor) =>
          tf.sum(tf.mul(model.step(ops, x, {}, p, layer.resolved.context).output as tf.Tensor, tf.tensor2d(r, [BATCH, layer.size]))),
        );
        return g(tf.tensor2d(x0, [BATCH, layer.size])).dataSync() as Float32Array;
      });
      const h = 1e-2;
      let worst = 0;
      let checked = 0;
      for (let i = 0; i < x0.length; i += 3) {
        const plus = Float32Array.from(x0);
        const minus = Float32Array.from(x0);
        plus[i] = (x0[i] as number) + h;
        minus[i] = (x0[i] as number) - h;
        // Skip points next to a kink (e.g. ReLU at 0), where finite differences are not the derivative.
        if (Math.abs(x0[i] as number) < 2 * h) continue;
        const fd = (f(plus) - f(minus)) / (2 * h);
        worst = Math.max(worst, Math.abs((grad[i] as number) - fd) / Math.max(1, Math.abs(fd)));
        checked++;
      }
      return worst <= 2e-2
        ? pass(`autograd vs central differences at ${checked} points: worst ${worst.toExponential(1)}`)
        : fail(`autograd differs from central differences by ${worst.toExponential(2)}`);
    }),
  );

  const generic = new ChainExecutor(runtime, plan, gemm, { kernels: false });
  const withKernels = new ChainExecutor(runtime, plan, gemm);
  const labels = Uint8Array.from({ length: BATCH }, (_, i) => i % LAYERS[2]);
  const lossName = spiking ? "ce_rate" : "softmax_ce";
  const trainPass = async (ex: ChainExecutor) => {
    const forward = await ex.forward(params, input, BATCH, rng.fork("encode"));
    const loss = runtime
      .loss(lossName)
      .compute({ output: forward.output, labels, batch: BATCH, timeSteps: T, meanOver: BATCH, params: {} });
    return { forward, grads: await ex.backward(forward, loss.grad) };
  };
  let reference: { forward: ExecutorForward; grads: Record<string, Float32Array> } | undefined;

  checks.push(
    await check("kernel:sequence", async () => {
      const registered = runtime.kernel(modelName, "sequence");
      if (!registered) return skip("no sequence kernel registered; training runs the generic step");
      if (!withKernels.implementations[layer.id]?.startsWith("kernel"))
        return skip(`the kernel declines this configuration (${variant}); the generic step runs`);
      reference = await trainPass(generic);
      const fast = await trainPass(withKernels);
      const problems: string[] = [];
      fast.forward.layers.forEach((l, i) => {
        const g = reference?.forward.layers[i];
        if (g && !sameBits(l.output.data, g.output.data))
          problems.push(`${l.id}: ${countMismatches(l.output.data, g.output.data)} outputs differ from the step's`);
      });
      let worst = 0;
      for (const [name, g] of Object.entries(reference.grads)) {
        const k = fast.grads[name];
        if (!k) {
          problems.push(`no gradient for '${name}'`);
          continue;
        }
        worst = Math.max(worst, relativeError(k, g));
      }
      if (worst > 1e-3) problems.push(`gradients differ from tfjs autograd of the step by ${worst.toExponential(2)} (relative)`);
      const events = fast.forward.layers.reduce((s, l) => s + l.output.data.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0), 0);
      return problems.length
        ? fail(problems.join("; "))
        : pass(
            `outputs identical to the step (${events} non-zero), ${Object.keys(reference.grads).length} gradients within ${worst.toExponential(1)}`,
          );
    }),
  );

  checks.push(
    await check("kernel:infer", async () => {
      if (!runtime.kernel(modelName, "infer")) return skip("no infer kernel registered");
      const training = await withKernels.forward(params, input, BATCH, rng.fork("encode"));
      const inference = await withKernels.forward(params, input, BATCH, rng.fork("encode"), { inference: true });
      const problems: string[] = [];
      inference.layers.forEach((l, i) => {
        const t = training.layers[i] as (typeof training.layers)[number];
        if (!sameBits(l.output.data, t.output.data)) problems.push(`${l.id}: outputs differ from the sequence forward`);
        if (l.counts) {
          const steps = l.counts.perStep.length;
          for (let s = 0; s < steps; s++) {
            let n = 0;
            for (let k = s * BATCH * l.size; k < (s + 1) * BATCH * l.size; k++) if ((l.output.data[k] as number) !== 0) n++;
            if (n !== l.counts.perStep[s]) problems.push(`${l.id}: step ${s} counts ${l.counts.perStep[s]} events, its output has ${n}`);
          }
        }
      });
      return problems.length ? fail(problems.join("; ")) : pass("outputs identical to training's forward, counts exact");
    }),
  );

  checks.push(
    await check("compiled-step", async () => {
      const compiled = compileStep(layer);
      if ("reason" in compiled) return fail(`the step does not compile: ${compiled.reason}`);
      const problems: string[] = [];
      // One layer on the step checks' currents: the reference arrays' bits.
      const frame = BATCH * layer.size;
      const direct = compiled.sequence.forward(
        { data: spiking ? currents : currents.subarray(0, frame), rows: spiking ? T * BATCH : BATCH, cols: layer.size, temporal: spiking },
        BATCH,
        layer.params,
      );
      const want = referenceSteps(layer, currents, BATCH, T);
      if (!sameBits(direct.output.data, want)) {
        problems.push(`${countMismatches(direct.output.data, want)} of ${want.length} outputs differ from the reference arrays`);
      }
      // The whole network against the generic tfjs path: outputs and gradients.
      const viaCompiler = new ChainExecutor(runtime, plan, gemm, { kernels: "compiled" });
      reference ??= await trainPass(generic);
      const fast = await trainPass(viaCompiler);
      let worstOutput = 0;
      fast.forward.layers.forEach((l, i) => {
        const g = reference?.forward.layers[i];
        if (!g) return;
        if (spiking && !sameBits(l.output.data, g.output.data))
          problems.push(`${l.id}: ${countMismatches(l.output.data, g.output.data)} outputs differ from the step's on tfjs`);
        worstOutput = Math.max(worstOutput, relativeError(l.output.data, g.output.data));
      });
      if (!spiking && worstOutput > 1e-6)
        problems.push(`outputs differ from the step's on tfjs by ${worstOutput.toExponential(2)} (relative)`);
      let worst = 0;
      for (const [name, g] of Object.entries(reference.grads)) {
        const k = fast.grads[name];
        if (!k) problems.push(`no gradient for '${name}'`);
        else worst = Math.max(worst, relativeError(k, g));
      }
      if (worst > 1e-3) problems.push(`gradients differ from tfjs autograd of the step by ${worst.toExponential(2)} (relative)`);
      const inference = await viaCompiler.forward(params, input, BATCH, rng.fork("encode"), { inference: true });
      inference.layers.forEach((l, i) => {
        const t = fast.forward.layers[i];
        if (t && !sameBits(l.output.data, t.output.data))
          problems.push(`${l.id}: the infer kernel's outputs differ from the sequence forward`);
        if (!l.counts) return;
        let events = 0;
        for (const v of l.output.data) if (v !== 0) events++;
        const counted = l.counts.perStep.reduce((a, b) => a + b, 0);
        if (counted !== events) problems.push(`${l.id}: counts ${counted} events, its output has ${events}`);
      });
      return problems.length
        ? fail(problems.join("; "))
        : pass(
            `reference arrays' bits; ${spiking ? "spikes identical to" : `outputs within ${worstOutput.toExponential(1)} of`} tfjs, ${Object.keys(reference.grads).length} gradients within ${worst.toExponential(1)}, counts exact`,
          );
    }),
  );

  const expected = async () => {
    const forward = await withKernels.forward(params, input, BATCH, rng.fork("encode"));
    return outputScores(forward.output, T, BATCH);
  };

  checks.push(
    await check("onnx", async () => {
      const want = await expected();
      const modes = spiking ? (["unrolled", "step"] as const) : ([undefined] as const);
      const results: string[] = [];
      for (const mode of modes) {
        const exported = exportOnnx(bound, mode ? { mode } : {});
        const network = await OnnxNetwork.load(
          runtime,
          exported.bytes,
          decodeOnnx(exported.bytes, "conformance.onnx").description,
          "conformance.onnx",
        );
        try {
          const ev = await evaluateOnnx(
            network,
            { inputs: input, labels, count: BATCH, features: LAYERS[0], classes: LAYERS[2] },
            rng.fork("encode"),
          );
          const err = relativeError(ev.outputs, want);
          const ok = spiking ? sameBits(ev.outputs, want) : err <= 1e-5;
          if (!ok)
            return fail(`${exported.info.mode} graph: outputs differ from the training backend's (relative ${err.toExponential(2)})`);
          results.push(`${exported.info.mode}${spiking ? " exact" : ` within ${err.toExponential(1)}`}`);
        } finally {
          await network.release();
        }
      }
      return pass(`ONNX Runtime: ${results.join(", ")}`);
    }),
  );

  checks.push(
    await check("emulator", async () => {
      if (!spiking) return skip("rate models do not run on event-driven targets");
      const want = await expected();
      const emulator = await createFloatEmulator(runtime, bound);
      try {
        const run = await emulator.run(input, BATCH, rng.fork("encode"));
        const population = runtime.kernel(modelName, "population") ? "population kernel" : "compiled step";
        return sameBits(run.scores, want)
          ? pass(`spike counts identical to the training backend (${population})`)
          : fail(`${countMismatches(run.scores, want)} of ${want.length} spike counts differ from the training backend (${population})`);
      } finally {
        await emulator.plan.host?.release();
      }
    }),
  );
  await gemm.dispose();

  // A spiking check is only meaningful when something spikes.
  if (spiking) {
    const hidden = referenceSteps(layer, currents, BATCH, T).reduce((s, v) => s + v, 0);
    if (hidden === 0)
      checks.push({
        name: "activity",
        passed: false,
        applies: true,
        detail: "no neuron spiked; raise options.weightGain or lower the threshold",
      });
  }
  return {
    model: modelName,
    variant,
    checks,
    failures: checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`),
  };
}

/** A report as text, one line per check. */
export function formatReport(report: ConformanceReport): string {
  return [
    `${report.model} (${report.variant}): ${report.failures.length ? `${report.failures.length} failed` : "conforms"}`,
    ...report.checks.map((c) => `  ${c.passed ? (c.applies ? "pass" : "n/a ") : "FAIL"} ${c.name.padEnd(16)} ${c.detail}`),
  ].join("\n");
}
