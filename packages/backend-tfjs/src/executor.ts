/**
 * The training and inference executor for chains of layers
 * (input → dense → neuron → … → output), with a hand-written backward pass:
 *
 * - dense layers multiply through a {@link Gemm} (ONNX Runtime's native GEMM
 *   on Node), over all T steps at once, and only once per sample when their
 *   input is static (direct encoding: the same current at every step);
 * - `lif` layers run the fused float32 kernel (`lif-kernel.ts`);
 * - `relu` runs as a JS loop;
 * - every other neuron model — a plugin's included — runs its own `step`
 *   on tfjs, and its backward is tfjs autograd (a vector–Jacobian product),
 *   so nothing needs a hand-written derivative.
 *
 * The tfjs autograd graph (`graph.ts`) computes the same functions; tests hold
 * the executor's gradients to it.
 */
import {
  type Encoder,
  type NetworkSpec,
  type NeuronModel,
  type NeuronNode,
  type RandomSource,
  type Runtime,
  type StepContext,
  specEdges,
  strategyParams,
  topologicalOrder,
  UnsupportedError,
} from "@neurobridge/core";
import type { Gemm } from "./gemm.js";
import { type LifActivity, type LifKernelConfig, lifBackward, lifForward, lifInfer } from "./lif-kernel.js";
import { perNeuron, resolveNeuron } from "./neuron-node.js";
import { tf } from "./tf.js";
import { createTfjsOps } from "./tfjs-ops.js";

/** An activation: `[rows, cols]` row-major; `rows` is B (static) or T·B (temporal, time-major). */
export interface Activation {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly temporal: boolean;
}

type Layer =
  | { kind: "dense"; id: string; inFeatures: number; outFeatures: number; bias: boolean }
  | { kind: "lif"; id: string; node: NeuronNode; config: LifKernelConfig; beta: Float32Array; learnBeta: boolean }
  | { kind: "relu"; id: string; node: NeuronNode }
  | { kind: "model"; id: string; node: NeuronNode; model: NeuronModel; params: Record<string, number | number[]>; context: StepContext };

/** What the forward pass keeps for the backward pass. */
type Cache =
  | { kind: "dense"; input: Activation }
  | { kind: "lif"; input: Activation; uPre: Float32Array; spikes: Float32Array; beta: Float32Array }
  | { kind: "relu"; input: Activation }
  | { kind: "model"; input: Activation };

/** Parameters by weight name (`fc1.weight`, `fc1.bias`, `lif1.beta` …). */
export type ParamArrays = Record<string, Float32Array>;

/** Spikes (or activations) of one neuron layer in one forward pass. */
export interface LayerOutput {
  readonly id: string;
  readonly size: number;
  readonly output: Activation;
  /** Pre-reset membrane `[T·B, N]` of fused LIF layers (for membrane losses and traces). */
  readonly membrane?: Float32Array;
  /** Activity counted by the kernel during an inference pass. */
  readonly activity?: LifActivity;
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

/** Compiles a chain-shaped spec. */
export class ChainExecutor {
  readonly spec: NetworkSpec;
  readonly layers: readonly Layer[];
  private readonly encoder: Encoder;
  private readonly encoderParams: Record<string, number | boolean | string>;
  private readonly ops = createTfjsOps();

  constructor(
    runtime: Runtime,
    spec: NetworkSpec,
    private readonly gemm: Gemm,
  ) {
    this.spec = runtime.validateSpec(spec);
    const order = topologicalOrder(spec) as string[];
    const edges = specEdges(spec);
    const fanOut = new Map<string, number>();
    for (const [from] of edges) fanOut.set(from, (fanOut.get(from) ?? 0) + 1);
    if ([...fanOut.values()].some((n) => n > 1)) {
      throw new UnsupportedError(
        "the tfjs executor runs chains (each node feeding one other); this spec branches. Supported: input → (dense → neuron)* → output.",
      );
    }
    this.encoder = runtime.encoder(spec.encoder.name);
    this.encoderParams = strategyParams(spec.encoder, this.encoder);
    const byId = new Map(spec.nodes.map((n) => [n.id, n]));
    const layers: Layer[] = [];
    for (const id of order) {
      const node = byId.get(id);
      if (!node || node.type === "input" || node.type === "output") continue;
      if (node.type === "dense") {
        layers.push({ kind: "dense", id, inFeatures: node.inFeatures, outFeatures: node.outFeatures, bias: node.bias !== false });
        continue;
      }
      const { model, params, context, fused } = resolveNeuron(runtime, spec, node);
      if (fused) {
        layers.push({
          kind: "lif",
          id,
          node,
          beta: perNeuron(params.beta as number | number[], node.size),
          learnBeta: node.learn?.includes("beta") ?? false,
          config: fused,
        });
      } else if (model.name === "relu") {
        layers.push({ kind: "relu", id, node });
      } else {
        if (node.learn?.length)
          throw new UnsupportedError(
            `learning '${node.learn.join(", ")}' of model '${model.name}' is not supported by the tfjs executor yet; only lif's beta`,
          );
        layers.push({
          kind: "model",
          id,
          node,
          model,
          params,
          context,
        });
      }
    }
    this.layers = layers;
  }

  /** Encodes `[B, F]` inputs: static when the encoder is time-invariant. */
  encode(input: Float32Array, batch: number, rng: RandomSource): Activation {
    const features = input.length / batch;
    const frames = { data: input, steps: 1, batch, features };
    if (this.encoder.timeInvariant) {
      return { data: this.encoder.encode(frames, 1, this.encoderParams, rng).data, rows: batch, cols: features, temporal: false };
    }
    const T = this.spec.timeSteps;
    return { data: this.encoder.encode(frames, T, this.encoderParams, rng).data, rows: T * batch, cols: features, temporal: true };
  }

  /**
   * Runs the chain. `params` must hold every dense weight and bias, and β of
   * LIF layers that learn it.
   */
  async forward(
    params: ParamArrays,
    input: Float32Array,
    batch: number,
    rng: RandomSource,
    options: { keepMembrane?: boolean; inference?: boolean } = {},
  ): Promise<ExecutorForward> {
    const T = this.spec.timeSteps;
    let x = this.encode(input, batch, rng);
    const encoded = x;
    const caches: Cache[] = [];
    const outputs: LayerOutput[] = [];
    for (const layer of this.layers) {
      switch (layer.kind) {
        case "dense": {
          const w = params[`${layer.id}.weight`] as Float32Array;
          const bias = layer.bias ? (params[`${layer.id}.bias`] as Float32Array) : undefined;
          const y = await this.gemm.multiply(x.data, x.rows, x.cols, w, layer.outFeatures, layer.inFeatures, false, true, bias);
          caches.push({ kind: "dense", input: x });
          x = { data: y, rows: x.rows, cols: layer.outFeatures, temporal: x.temporal };
          break;
        }
        case "lif": {
          const beta = layer.learnBeta ? (params[`${layer.id}.beta`] as Float32Array) : layer.beta;
          if (options.inference && !options.keepMembrane) {
            const inf = lifInfer(x.data, !x.temporal, batch, beta, layer.config);
            caches.push({ kind: "lif", input: x, uPre: new Float32Array(0), spikes: inf.spikes, beta });
            x = { data: inf.spikes, rows: T * batch, cols: layer.node.size, temporal: true };
            outputs.push({ id: layer.id, size: layer.node.size, output: x, activity: inf.activity });
            break;
          }
          const f = lifForward(x.data, !x.temporal, batch, beta, layer.config, false);
          caches.push({ kind: "lif", input: x, uPre: f.uPre, spikes: f.spikes, beta });
          x = { data: f.spikes, rows: T * batch, cols: layer.node.size, temporal: true };
          outputs.push({ id: layer.id, size: layer.node.size, output: x, ...(options.keepMembrane ? { membrane: f.uPre } : {}) });
          break;
        }
        case "relu": {
          const y = new Float32Array(x.data.length);
          for (let k = 0; k < y.length; k++) {
            const v = x.data[k] as number;
            if (v > 0) y[k] = v;
          }
          caches.push({ kind: "relu", input: x });
          x = { ...x, data: y };
          outputs.push({ id: layer.id, size: layer.node.size, output: x });
          break;
        }
        case "model": {
          const y = tf.tidy(
            () => this.modelForward(layer, tf.tensor2d(x.data, [x.rows, x.cols]), x.temporal, batch).dataSync() as Float32Array,
          );
          caches.push({ kind: "model", input: x });
          const temporal = x.temporal || layer.model.dynamics === "spiking";
          x = { data: y, rows: temporal ? T * batch : batch, cols: layer.node.size, temporal };
          outputs.push({ id: layer.id, size: layer.node.size, output: x });
          break;
        }
      }
    }
    return { output: x, layers: outputs, caches, batch, input: encoded, params };
  }

  /** A generic model layer on tfjs: rate models elementwise, spiking models step by step. */
  private modelForward(layer: Extract<Layer, { kind: "model" }>, x: tf.Tensor2D, temporal: boolean, batch: number): tf.Tensor2D {
    const p = Object.fromEntries(Object.entries(layer.params).map(([k, v]) => [k, typeof v === "number" ? tf.scalar(v) : tf.tensor1d(v)]));
    if (layer.model.dynamics === "rate") return layer.model.step(this.ops, x, {}, p, layer.context).output as tf.Tensor2D;
    const T = this.spec.timeSteps;
    const size = layer.node.size;
    let state: Record<string, tf.Tensor> = Object.fromEntries(layer.model.state.map((s) => [s.name, tf.fill([batch, size], s.initial)]));
    const outs: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = temporal ? tf.slice(x, [t * batch, 0], [batch, size]) : x;
      const r = layer.model.step(this.ops, xt, state, p, layer.context);
      outs.push(r.output);
      state = { ...r.state };
    }
    return tf.concat(outs, 0) as tf.Tensor2D;
  }

  /**
   * Back-propagates `dOutput` (same shape as the forward output) and returns
   * gradients by weight name. `dMembrane` adds a gradient on the last LIF
   * layer's pre-reset membrane (membrane losses).
   */
  async backward(forward: ExecutorForward, dOutput: Float32Array, dMembrane?: Float32Array): Promise<ParamArrays> {
    const grads: ParamArrays = {};
    const batch = forward.batch;
    let dy = dOutput;
    let lastLif = true;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i] as Layer;
      const cache = forward.caches[i] as Cache;
      const first = i === 0;
      switch (layer.kind) {
        case "dense": {
          const x = cache.input;
          const n = layer.outFeatures;
          grads[`${layer.id}.weight`] = await this.gemm.multiply(dy, x.rows, n, x.data, x.rows, x.cols, true, false);
          if (layer.bias) {
            const db = new Float64Array(n);
            for (let r = 0; r < x.rows; r++) for (let j = 0; j < n; j++) db[j] = (db[j] as number) + (dy[r * n + j] as number);
            grads[`${layer.id}.bias`] = Float32Array.from(db);
          }
          if (!first)
            dy = await this.gemm.multiply(dy, x.rows, n, forward.params[`${layer.id}.weight`] as Float32Array, n, x.cols, false, false);
          break;
        }
        case "lif": {
          const c = cache as Extract<Cache, { kind: "lif" }>;
          const back = lifBackward(
            dy,
            c.uPre,
            c.spikes,
            !c.input.temporal,
            batch,
            c.beta,
            layer.config,
            lastLif ? dMembrane : undefined,
            layer.learnBeta,
          );
          lastLif = false;
          if (layer.learnBeta) grads[`${layer.id}.beta`] = back.dBeta;
          dy = back.dInput;
          break;
        }
        case "relu": {
          const x = cache.input.data;
          const g = new Float32Array(dy.length);
          for (let k = 0; k < g.length; k++) g[k] = (x[k] as number) > 0 ? (dy[k] as number) : 0;
          dy = g;
          break;
        }
        case "model": {
          const x = cache.input;
          const upstream = dy;
          dy = tf.tidy(() => {
            const input = tf.tensor2d(x.data, [x.rows, x.cols]);
            const out = this.modelForward(layer, input, x.temporal, batch);
            const g = tf.grad((v: tf.Tensor) =>
              tf.sum(tf.mul(this.modelForward(layer, v as tf.Tensor2D, x.temporal, batch), tf.tensor2d(upstream, out.shape))),
            );
            return g(input).dataSync() as Float32Array;
          });
          break;
        }
      }
    }
    return grads;
  }
}
