/**
 * Test support: a plan as one tfjs autograd graph, every neuron model
 * through its own `step` and every gradient by tfjs — the independent
 * reference the executor's hand-written backward pass (dense layers, kernels)
 * is held to. Not part of the package's API.
 */
import type { NetworkPlan, RandomSource } from "@neurobridge/core";
import { tf } from "../tf.js";
import { createTfjsOps } from "../tfjs-ops.js";

/** Runs `plan` on `input` `[B, F]` with `params` (dense weights and learned parameters, by weight name) as tensors. */
export function autogradForward(
  plan: NetworkPlan,
  params: Record<string, tf.Tensor>,
  input: Float32Array,
  batch: number,
  rng: RandomSource,
): tf.Tensor2D {
  const ops = createTfjsOps();
  const T = plan.timeSteps;
  const features = input.length / batch;
  const frames = { data: input, steps: 1, batch, features };
  let temporal = !plan.encoder.timeInvariant;
  let x = tf.tensor2d(plan.encoder.encode(frames, temporal ? T : 1, plan.encoderParams, rng).data, [
    temporal ? T * batch : batch,
    features,
  ]);
  for (const layer of plan.layers) {
    if (layer.kind === "dense") {
      let y: tf.Tensor2D = tf.matMul(x, params[`${layer.id}.weight`] as tf.Tensor2D, false, true);
      if (layer.hasBias) y = tf.add(y, params[`${layer.id}.bias`] as tf.Tensor) as tf.Tensor2D;
      x = y;
      continue;
    }
    const p = Object.fromEntries(
      Object.entries(layer.params).map(([k, v]) => [
        k,
        layer.learn.includes(k) ? (params[`${layer.id}.${k}`] as tf.Tensor) : tf.tensor1d(v),
      ]),
    );
    if (!layer.spiking) {
      x = layer.model.step(ops, x, {}, p, layer.resolved.context).output as tf.Tensor2D;
      continue;
    }
    let state: Record<string, tf.Tensor> = Object.fromEntries(
      layer.model.state.map((s) => [s.name, tf.fill([batch, layer.size], s.initial)]),
    );
    const outs: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = temporal ? tf.slice(x, [t * batch, 0], [batch, layer.size]) : x;
      const r = layer.model.step(ops, xt, state, p, layer.resolved.context);
      outs.push(r.output);
      state = { ...r.state };
    }
    x = tf.concat(outs, 0) as tf.Tensor2D;
    temporal = true;
  }
  return x;
}
