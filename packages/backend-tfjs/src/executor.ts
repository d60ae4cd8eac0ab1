/**
 * The training and inference executor for a {@link NetworkPlan}
 * (input → dense → neuron → … → output), with a hand-written backward pass:
 *
 * - dense layers multiply through a {@link Gemm} (ONNX Runtime's native GEMM
 *   on Node), over all T steps at once, and only once per sample when their
 *   input is static (direct encoding: the same current at every step);
 * - a neuron layer whose model has a registered `sequence` kernel (and, for
 *   evaluation, `infer`) runs it — e.g. `neurons-lif`'s fused LIF, core's
 *   ReLU, a plugin's own;
 * - every other neuron layer runs its model's own `step` compiled into
 *   fused loops with a derived backward (core's `compileStep`), or — where
 *   that cannot run, or with `kernels: false` — on tfjs, its backward tfjs
 *   autograd; so no model needs a hand-written derivative.
 *
 * Which implementation runs each layer is reported (`implementations`).
 * Tests hold the executor's gradients to full tfjs autograd.
 */
import {
  type Activation,
  compileStep,
  createKernel,
  type DensePlanLayer,
  type ImplementationReport,
  type InferKernel,
  type LayerCounts,
  type NetworkPlan,
  type NeuronPlanLayer,
  type RandomSource,
  type Runtime,
  type SequenceForward,
  type SequenceKernel,
  type TensorOps,
} from "@neurobridge/core";
import type { Gemm } from "./gemm.js";
import type { PhaseProfile } from "./profile.js";
import { SpikeSparsity } from "./spike-sparse.js";
import { tf } from "./tf.js";
import { createTfjsOps } from "./tfjs-ops.js";
import { columnSums } from "./training-wasm.js";

export type { Activation } from "@neurobridge/core";

type Layer =
  | { kind: "dense"; layer: DensePlanLayer }
  | { kind: "kernel"; layer: NeuronPlanLayer; sequence: SequenceKernel; infer?: InferKernel }
  | { kind: "generic"; layer: NeuronPlanLayer };

/** What the forward pass keeps for the backward pass. */
type Cache =
  | { kind: "dense"; input: Activation }
  | { kind: "kernel"; forward: SequenceForward }
  | { kind: "generic"; input: Activation; params: Record<string, Float32Array> }
  /** An inference pass through an `infer` kernel keeps nothing: it cannot be back-propagated. */
  | { kind: "inference" };

/** Parameters by weight name (`fc1.weight`, `fc1.bias`, `lif1.beta` …). */
export type ParamArrays = Record<string, Float32Array>;

/** Spikes (or activations) of one neuron layer in one forward pass. */
export interface LayerOutput {
  readonly id: string;
  readonly size: number;
  readonly output: Activation;
  /** Pre-reset membrane `[T·B, N]` (kernels, when asked: membrane losses and traces). */
  readonly membrane?: Float32Array;
  /** Activity counted by an `infer` kernel. */
  readonly counts?: LayerCounts;
}

/** Result of a forward pass. */
export interface ExecutorForward {
  readonly output: Activation;
  readonly layers: LayerOutput[];
  /** Opaque: pass to {@link ChainExecutor.backward}. */
  readonly caches: Cache[];
  readonly batch: number;
  /** The encoded input. */
  readonly input: Activation;
  /** The parameters the pass used (the backward pass multiplies by the same weights). */
  readonly params: ParamArrays;
}

/** Options of {@link ChainExecutor}. */
export interface ExecutorOptions {
  /**
   * Use registered kernels (default true); false runs every model through
   * its `step` on tfjs (the reference path); `"compiled"` skips registered
   * kernels and runs every neuron layer's compiled step (to hold the
   * compiler to the reference).
   */
  readonly kernels?: boolean | "compiled";
  /** Accumulates the wall time of every layer's forward and backward (see {@link PhaseProfile}). */
  readonly profile?: PhaseProfile;
  /**
   * Dense layers fed by spikes use spike-sparse products where their input
   * is sparse enough (default true; the bits are the same either way, see
   * `spike-sparse.ts`). `false` multiplies every product densely.
   */
  readonly sparse?: boolean;
}

/** Options of {@link ChainExecutor.forward}. */
export interface ForwardOptions {
  /** Record the pre-reset membrane of spiking layers. */
  readonly keepMembrane?: boolean;
  /** Forward only, through `infer` kernels (nothing kept for a backward). */
  readonly inference?: boolean;
  /**
   * The caller consumes this pass (reads it, runs `backward`) before the
   * next forward, and copies what it keeps: kernels may hand out views of
   * their scratch memory (see `SequenceForwardOptions.transient`). Training
   * steps and evaluation summaries set it; anything returned to a user must not.
   */
  readonly transient?: boolean;
}

/** Runs a plan's layers forward and backward. */
export class ChainExecutor {
  readonly plan: NetworkPlan;
  private readonly layers: readonly Layer[];
  private readonly ops = createTfjsOps();
  /** Which implementation runs each neuron layer. */
  readonly implementations: ImplementationReport;
  /** Where this executor's phase timings go, when profiling. */
  readonly profile: PhaseProfile | undefined;
  /** The sparse-or-dense choice of dense layers fed by spikes (absent: all dense). */
  readonly sparsity: SpikeSparsity | undefined;

  constructor(
    readonly runtime: Runtime,
    plan: NetworkPlan,
    private readonly gemm: Gemm,
    options: ExecutorOptions = {},
  ) {
    this.plan = plan;
    this.profile = options.profile;
    this.sparsity = options.sparse === false ? undefined : SpikeSparsity.for(gemm);
    const implementations: Record<string, string> = {};
    this.layers = plan.layers.map((layer): Layer => {
      if (layer.kind === "dense") return { kind: "dense", layer };
      const sequence = options.kernels === false || options.kernels === "compiled" ? undefined : createKernel(runtime, layer, "sequence");
      // A kernel that cannot learn what the spec asks to learn leaves the layer to the compiled step or the generic path.
      if (sequence && layer.learn.every((p) => sequence.learnable.includes(p))) {
        const infer = createKernel(runtime, layer, "infer");
        const plugin = (kind: string) => runtime.registry("kernel").entry(`${layer.model.name}/${kind}`)?.plugin;
        const where = [...new Set([sequence.runsOn, infer?.runsOn].filter((r) => r !== undefined))].join(" / ");
        implementations[layer.id] = `kernel sequence${infer ? "+infer" : ""} (${plugin("sequence")}${where ? `, ${where}` : ""})`;
        return { kind: "kernel", layer, sequence, ...(infer ? { infer } : {}) };
      }
      // No registered kernel serves the layer: its step, compiled into fused loops (core's step compiler).
      const compiled = options.kernels === false ? undefined : compileStep(layer);
      if (compiled && !("reason" in compiled) && layer.learn.every((p) => compiled.sequence.learnable.includes(p))) {
        implementations[layer.id] = `compiled step (core, ${compiled.sequence.runsOn})`;
        return { kind: "kernel", layer, sequence: compiled.sequence, infer: compiled.infer };
      }
      implementations[layer.id] = "generic step (tfjs autograd)";
      return { kind: "generic", layer };
    });
    this.implementations = implementations;
  }

  /** Whether a loss on the output layer's membrane can be back-propagated: only a kernel takes `dMembrane`. */
  get trainsOutputMembrane(): boolean {
    return this.layers.at(-1)?.kind === "kernel";
  }

  /** Encodes `[B, F]` inputs: static when the encoder is time-invariant. */
  encode(input: Float32Array, batch: number, rng: RandomSource): Activation {
    const { encoder, encoderParams, timeSteps: T } = this.plan;
    const features = input.length / batch;
    const frames = { data: input, steps: 1, batch, features };
    if (encoder.timeInvariant) {
      return { data: encoder.encode(frames, 1, encoderParams, rng).data, rows: batch, cols: features, temporal: false };
    }
    return { data: encoder.encode(frames, T, encoderParams, rng).data, rows: T * batch, cols: features, temporal: true };
  }

  /** A neuron layer's per-neuron parameters for this pass: learned ones from `params`. */
  private neuronParams(layer: NeuronPlanLayer, params: ParamArrays): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = { ...layer.params };
    for (const name of layer.learn) {
      const learned = params[`${layer.id}.${name}`];
      if (learned) out[name] = learned;
    }
    return out;
  }

  /**
   * Runs the plan. `params` must hold every dense weight and bias, and every
   * learned neuron parameter.
   */
  async forward(
    params: ParamArrays,
    input: Float32Array,
    batch: number,
    rng: RandomSource,
    options: ForwardOptions = {},
  ): Promise<ExecutorForward> {
    let x = this.encode(input, batch, rng);
    const encoded = x;
    const caches: Cache[] = [];
    const outputs: LayerOutput[] = [];
    let mark = performance.now();
    // Wall time of each layer's forward, when profiling.
    const timed = (id: string) => {
      if (!this.profile) return;
      const now = performance.now();
      this.profile.add(`${id} forward`, now - mark);
      mark = now;
    };
    for (const entry of this.layers) {
      if (entry.kind === "dense") {
        const { id, outFeatures, inFeatures, hasBias } = entry.layer;
        const w = params[`${id}.weight`] as Float32Array;
        const bias = hasBias ? (params[`${id}.bias`] as Float32Array) : undefined;
        // Spikes over many steps may be sparse enough to sum only the rows that spiked (same bits).
        const y =
          (x.temporal ? this.sparsity?.forward(id, x.data, x.rows, x.cols, w, outFeatures, bias) : undefined) ??
          (await this.gemm.multiply(x.data, x.rows, x.cols, w, outFeatures, inFeatures, false, true, bias));
        caches.push({ kind: "dense", input: x });
        x = { data: y, rows: x.rows, cols: outFeatures, temporal: x.temporal };
        timed(id);
        continue;
      }
      const { layer } = entry;
      const p = this.neuronParams(layer, params);
      if (entry.kind === "kernel") {
        if (options.inference && !options.keepMembrane && entry.infer) {
          const run = entry.infer.run(x, batch, p, { transient: options.transient === true });
          caches.push({ kind: "inference" });
          x = run.output;
          outputs.push({ id: layer.id, size: layer.size, output: x, counts: run.counts });
          timed(layer.id);
          continue;
        }
        const f = entry.sequence.forward(x, batch, p, {
          keepMembrane: options.keepMembrane === true,
          transient: options.transient === true,
        });
        caches.push({ kind: "kernel", forward: f });
        x = f.output;
        outputs.push({ id: layer.id, size: layer.size, output: x, ...(f.membrane ? { membrane: f.membrane } : {}) });
        timed(layer.id);
        continue;
      }
      const input0 = x;
      const membrane = options.keepMembrane && layer.spiking ? new Float32Array(this.plan.timeSteps * batch * layer.size) : undefined;
      const y = tf.tidy(() => {
        const tensors = this.paramTensors(layer, p);
        return this.genericForward(
          layer,
          tf.tensor2d(input0.data, [input0.rows, input0.cols]),
          input0.temporal,
          batch,
          tensors,
          membrane,
        ).dataSync() as Float32Array;
      });
      caches.push({ kind: "generic", input: x, params: p });
      const temporal = x.temporal || layer.spiking;
      x = { data: y, rows: temporal ? this.plan.timeSteps * batch : batch, cols: layer.size, temporal };
      outputs.push({ id: layer.id, size: layer.size, output: x, ...(membrane ? { membrane } : {}) });
      timed(layer.id);
    }
    return { output: x, layers: outputs, caches, batch, input: encoded, params };
  }

  /** A layer's parameters as tfjs tensors (per-neuron `[N]`). */
  private paramTensors(_layer: NeuronPlanLayer, p: Record<string, Float32Array>): Record<string, tf.Tensor> {
    return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tf.tensor1d(v)]));
  }

  /**
   * A neuron layer through its model's `step` on tfjs: rate models
   * elementwise, spiking models step by step. With `membrane` (`[T·B, N]`),
   * it records what the step hands its reset strategy — the pre-reset
   * membrane, as kernels record it — or, for a model that resets itself, its
   * first state variable after the step.
   */
  private genericForward(
    layer: NeuronPlanLayer,
    x: tf.Tensor2D,
    temporal: boolean,
    batch: number,
    params: Record<string, tf.Tensor>,
    membrane?: Float32Array,
  ): tf.Tensor2D {
    const { model, resolved, size } = layer;
    if (!layer.spiking) return model.step(this.ops, x, {}, params, resolved.context).output as tf.Tensor2D;
    const T = this.plan.timeSteps;
    let preReset: tf.Tensor | undefined;
    const context = membrane
      ? {
          ...resolved.context,
          reset: {
            ...resolved.context.reset,
            apply: <U>(ops: TensorOps<U>, v: U, spikes: U, threshold: U) => {
              preReset = v as unknown as tf.Tensor;
              return resolved.context.reset.apply(ops, v, spikes, threshold);
            },
          },
        }
      : resolved.context;
    const first = model.state[0]?.name as string;
    let state: Record<string, tf.Tensor> = Object.fromEntries(model.state.map((s) => [s.name, tf.fill([batch, size], s.initial)]));
    const outs: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = temporal ? tf.slice(x, [t * batch, 0], [batch, size]) : x;
      preReset = undefined;
      const r = model.step(this.ops, xt, state, params, context);
      if (membrane) membrane.set((preReset ?? (r.state[first] as tf.Tensor)).dataSync() as Float32Array, t * batch * size);
      outs.push(r.output);
      state = { ...r.state };
    }
    return tf.concat(outs, 0) as tf.Tensor2D;
  }

  /**
   * Back-propagates `dOutput` (same shape as the forward output) and returns
   * gradients by weight name. `dMembrane` is a gradient on the output
   * layer's pre-reset membrane (membrane losses).
   */
  async backward(forward: ExecutorForward, dOutput: Float32Array, dMembrane?: Float32Array): Promise<ParamArrays> {
    const grads: ParamArrays = {};
    const batch = forward.batch;
    let dy = dOutput;
    const last = this.layers.length - 1;
    for (let i = last; i >= 0; i--) {
      const entry = this.layers[i] as Layer;
      const cache = forward.caches[i] as Cache;
      const first = i === 0;
      const start = this.profile ? performance.now() : 0;
      const timed = () => this.profile?.add(`${entry.layer.id} backward`, performance.now() - start);
      if (entry.kind === "dense" && cache.kind === "dense") {
        const x = cache.input;
        const { id, outFeatures: n, hasBias } = entry.layer;
        grads[`${id}.weight`] =
          (x.temporal ? this.sparsity?.weightGradient(id, dy, x.rows, n, x.data, x.cols) : undefined) ??
          (await this.gemm.multiply(dy, x.rows, n, x.data, x.rows, x.cols, true, false));
        if (hasBias) {
          grads[`${id}.bias`] = columnSums(dy, x.rows, n);
        }
        if (!first) dy = await this.gemm.multiply(dy, x.rows, n, forward.params[`${id}.weight`] as Float32Array, n, x.cols, false, false);
        timed();
        continue;
      }
      if (entry.kind === "kernel" && cache.kind === "kernel") {
        const back = entry.sequence.backward(cache.forward, dy, entry.layer.learn, i === last ? dMembrane : undefined);
        for (const [name, g] of Object.entries(back.dParams)) grads[`${entry.layer.id}.${name}`] = g;
        dy = back.dInput;
        timed();
        continue;
      }
      if (cache.kind !== "generic") {
        throw new Error(
          `executor: layer ${i} ran as an inference pass (or its cache does not match); run forward without 'inference' to train`,
        );
      }
      const layer = entry.layer as NeuronPlanLayer;
      const back = this.genericBackward(layer, cache.input, cache.params, dy, batch);
      for (const [name, g] of Object.entries(back.dParams)) grads[`${layer.id}.${name}`] = g;
      dy = back.dInput;
      timed();
    }
    return grads;
  }

  /** tfjs autograd through the model's `step`: d input and d learned parameters. */
  private genericBackward(
    layer: NeuronPlanLayer,
    x: Activation,
    p: Record<string, Float32Array>,
    upstream: Float32Array,
    batch: number,
  ): { dInput: Float32Array; dParams: Record<string, Float32Array> } {
    return tf.tidy(() => {
      const learn = layer.learn;
      const input = tf.tensor2d(x.data, [x.rows, x.cols]);
      const fixed = this.paramTensors(layer, p);
      const learned = learn.map((name) => fixed[name] as tf.Tensor);
      const f = (...args: tf.Tensor[]) => {
        const params = { ...fixed };
        learn.forEach((name, k) => {
          params[name] = args[k + 1] as tf.Tensor;
        });
        const out = this.genericForward(layer, args[0] as tf.Tensor2D, x.temporal, batch, params);
        return tf.sum(tf.mul(out, tf.tensor2d(upstream, out.shape)));
      };
      const grads = tf.grads(f)([input, ...learned]);
      const dParams: Record<string, Float32Array> = {};
      learn.forEach((name, k) => {
        dParams[name] = (grads[k + 1] as tf.Tensor).dataSync() as Float32Array;
      });
      return { dInput: (grads[0] as tf.Tensor).dataSync() as Float32Array, dParams };
    });
  }
}
