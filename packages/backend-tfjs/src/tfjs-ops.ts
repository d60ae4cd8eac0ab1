/**
 * {@link TensorOps} over TensorFlow.js tensors, with the spike nonlinearity as
 * a `tf.customGrad`: exact Heaviside forward, the bound surrogate backward
 * (tfjs's own `step` has zero gradient everywhere). Neuron models written
 * against `TensorOps` therefore train here unchanged.
 */
import type { BoundSurrogate, TensorOps } from "@neurobridge/core";
import { tf } from "./tf.js";

type Tensor = tf.Tensor;
type SpikeFn = (x: Tensor) => Tensor;

/** `tf.customGrad` for a unary function (tfjs types its variadic form loosely). */
function unaryCustomGrad(
  f: (x: Tensor, save: (tensors: Tensor[]) => void) => { value: Tensor; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor },
): SpikeFn {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as SpikeFn;
}

/** Creates the tfjs {@link TensorOps}. Call inside `tf.tidy` to release intermediates. */
export function createTfjsOps(): TensorOps<Tensor> {
  // One customGrad function per bound surrogate (creating them per call is wasteful).
  const spikeFns = new WeakMap<BoundSurrogate, SpikeFn>();
  const stop = unaryCustomGrad((x) => ({ value: tf.clone(x), gradFunc: (dy) => tf.zerosLike(dy) }));
  // A comparison carries no gradient (TensorOps' contract). tfjs registers none for Greater, so
  // autograd through a taped Greater fails: one custom op computes the mask off the tape.
  const greaterMask = tf.customGrad(((a: Tensor, b: Tensor, save: (t: Tensor[]) => void) => {
    save([]);
    return { value: tf.cast(tf.greater(a, b), "float32"), gradFunc: () => [tf.zerosLike(a), tf.zerosLike(b)] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: Tensor, b: Tensor) => Tensor;

  const ops: TensorOps<Tensor> = {
    name: "tfjs",
    scalar: (v) => tf.scalar(v),
    add: (a, b) => tf.add(a, b),
    sub: (a, b) => tf.sub(a, b),
    mul: (a, b) => tf.mul(a, b),
    div: (a, b) => tf.div(a, b),
    neg: (a) => tf.neg(a),
    abs: (a) => tf.abs(a),
    exp: (a) => tf.exp(a),
    log: (a) => tf.log(a),
    maximum: (a, b) => tf.maximum(a, b),
    minimum: (a, b) => tf.minimum(a, b),
    sigmoid: (a) => tf.sigmoid(a),
    relu: (a) => tf.relu(a),
    greater: (a, b) => greaterMask(a, b),
    // mask·a + (1 − mask)·b broadcasts like the other ops and is differentiable in a and b.
    where: (mask, a, b) => tf.add(tf.mul(mask, a), tf.mul(tf.sub(1, mask), b)),
    stopGradient: (a) => stop(a),
    spike(x, surrogate) {
      let fn = spikeFns.get(surrogate);
      if (!fn) {
        fn = unaryCustomGrad((input, save) => {
          save([input]);
          return {
            value: tf.cast(tf.greater(input, 0), "float32"),
            gradFunc: (dy, saved) => tf.mul(dy, surrogate.gradient(ops, saved[0] as Tensor)),
          };
        });
        spikeFns.set(surrogate, fn);
      }
      return fn(x);
    },
    zerosLike: (a) => tf.zerosLike(a),
  };
  return ops;
}
