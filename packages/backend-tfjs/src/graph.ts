/**
 * Compiles a network spec into a forward pass over tfjs tensors.
 *
 * The network is evaluated layer by layer over all T steps at once rather
 * than step by step: a feed-forward SNN has no recurrence between layers, so
 * a dense layer's input for every step is known once the layer below has run.
 * Activations are either *static* `[B, F]` (the same at every step: a direct
 * encoding, or an ANN) or *temporal* `[T·B, F]` (time-major). A dense layer on
 * a static input is therefore computed once per sample, not once per step.
 *
 * Spiking layers use a fused kernel where one is registered (`lif`) and
 * otherwise run the model's own `step` through {@link createTfjsOps}, so any
 * plugin neuron trains here.
 */
import {
  type Encoder,
  type NetworkSpec,
  type NeuronModel,
  type NeuronNode,
  type RandomSource,
  type Runtime,
  type StepContext,
  strategyParams,
  topologicalOrder,
  UnsupportedError,
} from "@neurobridge/core";
import { type LifKernelConfig, lifSequence } from "./lif-kernel.js";
import { resolveNeuron } from "./neuron-node.js";
import { tf } from "./tf.js";
import { createTfjsOps } from "./tfjs-ops.js";

type Tensor = tf.Tensor;

/** One node of the compiled plan. */
type PlanStep =
  | { kind: "input"; id: string }
  | { kind: "dense"; id: string; bias: boolean; inFeatures: number; outFeatures: number }
  | { kind: "rate"; id: string; node: NeuronNode; model: NeuronModel; params: Record<string, number | number[]>; context: StepContext }
  | {
      kind: "spiking";
      id: string;
      node: NeuronNode;
      model: NeuronModel;
      params: Record<string, number | number[]>;
      context: StepContext;
      /** Present when the fused LIF kernel runs this node. */
      fused?: LifKernelConfig;
    }
  | { kind: "output"; id: string };

/** Activity of one neuron node in one forward pass. */
export interface NodeRecord {
  readonly id: string;
  readonly size: number;
  /** Outputs `[T·B, N]` (spiking) or `[B, N]` (rate), downloaded. */
  readonly outputs: Float32Array;
  readonly temporal: boolean;
  readonly membrane?: Float32Array;
}

/** Result of {@link TfjsGraph.forward}. */
export interface ForwardResult {
  /** Output `[T·B, C]` when temporal, `[B, C]` when static. */
  readonly output: tf.Tensor2D;
  readonly temporal: boolean;
  /** Filled when `record` was requested (inference). */
  readonly records: NodeRecord[];
}

/** Options of one forward pass. */
export interface ForwardOptions {
  /** Download every neuron node's outputs for activity statistics. */
  readonly record?: boolean;
  readonly recordMembrane?: boolean;
  /** RNG of stochastic encoders. */
  readonly rng: RandomSource;
}

/** The tensors a forward pass reads: dense weights and learned neuron parameters, by weight name. */
export type GraphParams = Record<string, Tensor>;

/** A spec compiled for tfjs. */
export class TfjsGraph {
  readonly spec: NetworkSpec;
  private readonly plan: PlanStep[];
  private readonly encoder: Encoder;
  private readonly encoderParams: Record<string, number | boolean | string>;
  private readonly ops = createTfjsOps();

  /**
   * @param options.fused - use the fused LIF kernel where it applies (default
   *   true); false runs every model through its own `step` and tfjs autograd,
   *   the reference the fused kernels are tested against
   */
  constructor(runtime: Runtime, spec: NetworkSpec, options: { fused?: boolean } = {}) {
    this.spec = runtime.validateSpec(spec);
    this.encoder = runtime.encoder(spec.encoder.name);
    this.encoderParams = strategyParams(spec.encoder, this.encoder);
    const order = topologicalOrder(spec) as string[];
    const byId = new Map(spec.nodes.map((n) => [n.id, n]));
    this.plan = order.map((id) => {
      const node = byId.get(id);
      if (!node) throw new UnsupportedError(`node '${id}' missing`);
      switch (node.type) {
        case "input":
          return { kind: "input", id };
        case "output":
          return { kind: "output", id };
        case "dense":
          return { kind: "dense", id, bias: node.bias !== false, inFeatures: node.inFeatures, outFeatures: node.outFeatures };
        case "neuron": {
          const { model, params, context, fused } = resolveNeuron(runtime, spec, node, options.fused !== false);
          if (model.dynamics === "rate") return { kind: "rate", id, node, model, params, context };
          return { kind: "spiking", id, node, model, params, context, ...(fused ? { fused } : {}) };
        }
        default:
          throw new UnsupportedError(`node type of '${id}' is not supported by the tfjs graph`);
      }
    });
  }

  /** Names of the neuron nodes in evaluation order. */
  get neuronNodes(): NeuronNode[] {
    return this.plan.filter((s) => s.kind === "rate" || s.kind === "spiking").map((s) => (s as { node: NeuronNode }).node);
  }

  /** Encodes a batch `[B, F]` into the first activation (static when the encoder allows). */
  private encode(input: Float32Array, batch: number, rng: RandomSource): { tensor: tf.Tensor2D; temporal: boolean } {
    const features = input.length / batch;
    const T = this.spec.timeSteps;
    const frames = { data: input, steps: 1, batch, features };
    if (this.encoder.timeInvariant) {
      const once = this.encoder.encode(frames, 1, this.encoderParams, rng);
      return { tensor: tf.tensor2d(once.data, [batch, features]), temporal: false };
    }
    const encoded = this.encoder.encode(frames, T, this.encoderParams, rng);
    return { tensor: tf.tensor2d(encoded.data, [T * batch, features]), temporal: true };
  }

  /** A neuron parameter as a tensor: learned (from `params`) or constant. */
  private paramTensor(node: NeuronNode, name: string, value: number | number[], params: GraphParams): Tensor {
    const learned = params[`${node.id}.${name}`];
    if (learned && node.learn?.includes(name)) return learned;
    return typeof value === "number" ? tf.scalar(value) : tf.tensor1d(value);
  }

  /**
   * Runs the network on `input` (`[B, F]`). Call inside `tf.tidy` or a
   * gradient function; intermediate tensors are not disposed here.
   */
  forward(params: GraphParams, input: Float32Array, batch: number, options: ForwardOptions): ForwardResult {
    const T = this.spec.timeSteps;
    const records: NodeRecord[] = [];
    let x: tf.Tensor2D | undefined;
    let temporal = false;
    for (const step of this.plan) {
      switch (step.kind) {
        case "input": {
          const encoded = this.encode(input, batch, options.rng);
          x = encoded.tensor;
          temporal = encoded.temporal;
          break;
        }
        case "dense": {
          const w = params[`${step.id}.weight`] as tf.Tensor2D;
          let y: tf.Tensor2D = tf.matMul(x as tf.Tensor2D, w, false, true);
          if (step.bias) y = tf.add(y, params[`${step.id}.bias`] as Tensor) as tf.Tensor2D;
          x = y;
          break;
        }
        case "rate": {
          const p = Object.fromEntries(Object.entries(step.params).map(([k, v]) => [k, this.paramTensor(step.node, k, v, params)]));
          x = step.model.step(this.ops, x as Tensor, {}, p, step.context).output as tf.Tensor2D;
          if (options.record) records.push({ id: step.id, size: step.node.size, outputs: x.dataSync() as Float32Array, temporal });
          break;
        }
        case "spiking": {
          const size = step.node.size;
          if (step.fused) {
            const beta = this.paramTensor(step.node, "beta", step.params.beta as number | number[], params);
            const beta1d = (beta.rank === 0 ? tf.broadcastTo(beta, [size]) : beta) as tf.Tensor1D;
            const record: { spikes?: Float32Array; membrane?: Float32Array } = {};
            x = lifSequence(x as tf.Tensor2D, beta1d, batch, step.fused, record, options.recordMembrane === true);
            if (options.record) {
              records.push({
                id: step.id,
                size,
                outputs: record.spikes as Float32Array,
                temporal: true,
                ...(record.membrane ? { membrane: record.membrane } : {}),
              });
            }
          } else {
            x = this.genericSpiking(step, x as tf.Tensor2D, temporal, batch, params, options, records);
          }
          temporal = true;
          break;
        }
        case "output":
          break;
      }
    }
    if (temporal && (x as tf.Tensor2D).shape[0] !== T * batch) {
      // A static activation reaching the output of a temporal network is repeated per step.
      x = tf.tile(x as tf.Tensor2D, [T, 1]) as tf.Tensor2D;
    }
    return { output: x as tf.Tensor2D, temporal, records };
  }

  /** Runs a spiking model step by step through its own `step` (any plugin model). */
  private genericSpiking(
    step: Extract<PlanStep, { kind: "spiking" }>,
    x: tf.Tensor2D,
    temporal: boolean,
    batch: number,
    params: GraphParams,
    options: ForwardOptions,
    records: NodeRecord[],
  ): tf.Tensor2D {
    const T = this.spec.timeSteps;
    const size = step.node.size;
    const p = Object.fromEntries(Object.entries(step.params).map(([k, v]) => [k, this.paramTensor(step.node, k, v, params)]));
    let state: Record<string, Tensor> = Object.fromEntries(step.model.state.map((s) => [s.name, tf.fill([batch, size], s.initial)]));
    const outputs: Tensor[] = [];
    const membranes: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const input = temporal ? tf.slice(x, [t * batch, 0], [batch, size]) : x;
      const result = step.model.step(this.ops, input, state, p, step.context);
      outputs.push(result.output);
      state = { ...result.state };
      const first = step.model.state[0];
      if (options.recordMembrane && first) membranes.push(state[first.name] as Tensor);
    }
    const out = tf.concat(outputs, 0) as tf.Tensor2D;
    if (options.record) {
      records.push({
        id: step.id,
        size,
        outputs: out.dataSync() as Float32Array,
        temporal: true,
        ...(membranes.length ? { membrane: tf.concat(membranes, 0).dataSync() as Float32Array } : {}),
      });
    }
    return out;
  }
}

/** Sums a temporal output `[T·B, C]` over steps into `[B, C]` (spike counts). */
export function sumOverSteps(output: tf.Tensor2D, timeSteps: number, batch: number): tf.Tensor2D {
  const classes = output.shape[1];
  return tf.sum(tf.reshape(output, [timeSteps, batch, classes]), 0) as tf.Tensor2D;
}
