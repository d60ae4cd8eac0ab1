/**
 * A minimal, backend-agnostic tensor algebra. Neuron models, reset mechanisms
 * and surrogate gradients are written once against {@link TensorOps}; each
 * backend supplies an implementation (Float32Array loops, TensorFlow.js
 * tensors, ONNX graph nodes), so a plugin's neuron runs everywhere without a
 * per-backend port. Backends may still register a fused kernel for speed.
 *
 * Shapes: binary ops broadcast a scalar (from {@link TensorOps.scalar}) or a
 * per-neuron vector against a `[batch, neurons]` operand; implementations need
 * not support more general broadcasting.
 */

/** Parameters of a surrogate gradient, e.g. `{ k: 25 }`. */
export type NumericParams = Readonly<Record<string, number>>;

/**
 * A surrogate gradient bound to its parameters: the forward pass of a spike is
 * the exact Heaviside step, the backward pass uses `gradient`.
 */
export interface BoundSurrogate {
  /** The registered surrogate's name, e.g. `fast-sigmoid`. */
  readonly name: string;
  /** Its parameters with defaults filled in. */
  readonly params: NumericParams;
  /** d spike / d x at `x` (x = v − threshold), written against {@link TensorOps}. */
  gradient<T>(ops: TensorOps<T>, x: T): T;
}

/** Elementwise tensor operations a neuron model may use. */
export interface TensorOps<T> {
  /** Backend name, for diagnostics. */
  readonly name: string;
  /** A scalar that broadcasts against any operand. */
  scalar(value: number): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  neg(a: T): T;
  abs(a: T): T;
  exp(a: T): T;
  /** Natural logarithm. */
  log(a: T): T;
  maximum(a: T, b: T): T;
  minimum(a: T, b: T): T;
  sigmoid(a: T): T;
  relu(a: T): T;
  /** 1 where a > b, else 0 (as float); carries no gradient. */
  greater(a: T, b: T): T;
  /** Selects `a` where `mask` is 1 and `b` where it is 0. */
  where(mask: T, a: T, b: T): T;
  /** Identity in the forward pass, zero gradient in the backward pass. */
  stopGradient(a: T): T;
  /**
   * The spike nonlinearity: Heaviside step H(x) (1 where x > 0) forward, and
   * `surrogate.gradient(x)` backward.
   */
  spike(x: T, surrogate: BoundSurrogate): T;
  /** Zeros with the shape of `a`. */
  zerosLike(a: T): T;
}
