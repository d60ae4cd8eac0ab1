/**
 * Strategies are small named registrations that a spec refers to by name:
 * surrogate gradients, reset mechanisms, input encoders and losses. Each is
 * declarative (name, description, parameters) plus, where it is backend-free,
 * its behaviour written against {@link TensorOps} or plain arrays.
 */
import type { Activation } from "./kernels.js";
import type { ParamSpec, ParamValue } from "./params.js";
import type { RandomSource } from "./random.js";
import type { BoundSurrogate, NumericParams, TensorOps } from "./tensor-ops.js";

/** A surrogate gradient for the spike nonlinearity. */
export interface SurrogateGradient {
  readonly name: string;
  readonly description: string;
  /** The formula of d spike / d x in plain text, for docs and `plugins` listings. */
  readonly formula: string;
  readonly params: readonly ParamSpec[];
  /** Scalar reference of the derivative at x = v − threshold (tests, plots). */
  derivative(x: number, params: NumericParams): number;
  /**
   * The scalar derivative with its parameters bound, for hot loops (fused
   * kernels call it once per neuron-step). Defaults to `derivative`.
   */
  compile?(params: NumericParams): (x: number) => number;
  /** The same derivative written against any backend's {@link TensorOps}. */
  gradient<T>(ops: TensorOps<T>, x: T, params: NumericParams): T;
  /**
   * The closed form this derivative computes, declared so compiled kernels
   * (WebAssembly) evaluate it without calling back into JavaScript — as a
   * reset declares its {@link ResetSemantics}. A surrogate without one runs
   * in the JavaScript kernels. See {@link SurrogateShape}.
   */
  readonly shape?: SurrogateShape;
}

/**
 * A surrogate's closed form, with `param` naming the parameter p that sets
 * it; x = v − θ, evaluated in float64 exactly as written (left to right):
 *
 * - `fast-sigmoid`: d = 1 + p·|x|, then 1 / (d·d);
 * - `atan`: c = (π/2)·p, then (p/2) / (1 + c·x·c·x);
 * - `triangle`: max(0, 1 − |x|/p) / p.
 *
 * A kernel that honours a shape must produce the same bits as the
 * surrogate's `compile` (or `derivative`); the kernels' tests compare them.
 */
export interface SurrogateShape {
  readonly form: "fast-sigmoid" | "atan" | "triangle";
  readonly param: string;
}

/** Binds a surrogate to parameter values (defaults filled in by the caller). */
export function bindSurrogate(surrogate: SurrogateGradient, params: NumericParams): BoundSurrogate {
  return {
    name: surrogate.name,
    params,
    gradient: <T>(ops: TensorOps<T>, x: T) => surrogate.gradient(ops, x, params),
  };
}

/**
 * The arithmetic a reset performs, declared so fast kernels can specialise on
 * it without knowing its name: `subtract` v − s·θ, `zero` v·(1 − s), `none` v.
 * A reset without one runs only on generic paths (its `apply`).
 */
export type ResetSemantics = "subtract" | "zero" | "none";

/** What happens to the membrane after a spike. */
export interface ResetMechanism {
  readonly name: string;
  readonly description: string;
  /** What `apply` computes, for kernels (see {@link ResetSemantics}). */
  readonly semantics?: ResetSemantics;
  /**
   * The membrane after reset, given the membrane `v`, this step's `spikes`
   * (0/1) and the `threshold`.
   */
  apply<T>(ops: TensorOps<T>, v: T, spikes: T, threshold: T): T;
}

/** A batch of input frames: `[steps, batch, features]`, row-major. */
export interface Frames {
  readonly data: Float32Array;
  readonly steps: number;
  readonly batch: number;
  readonly features: number;
}

/** Turns static inputs (or a sequence) into per-step network inputs. */
export interface Encoder {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  /**
   * True when every step's output is identical (direct current). Backends may
   * then compute the first layer's product once per sample instead of once
   * per step, and op counting counts those MACs once.
   */
  readonly timeInvariant: boolean;
  /** True when the output is binary events (the first layer accumulates instead of multiplying). */
  readonly emitsSpikes: boolean;
  /**
   * Encodes `input` (one frame, `steps = 1`, or a sequence of `timeSteps`
   * frames) into `timeSteps` frames. Stochastic encoders draw only from `rng`.
   * The frames returned are read, never written: they may be `input`'s own
   * memory (direct encoding with gain 1 hands the input back).
   */
  encode(input: Frames, timeSteps: number, params: Readonly<Record<string, ParamValue>>, rng: RandomSource): Frames;
}

/** What a loss is computed from. */
export interface LossInput {
  /** The network's output: `[B, C]` logits, or `[T·B, C]` per-step outputs when `temporal`. */
  readonly output: Activation;
  readonly labels: Uint8Array;
  readonly batch: number;
  readonly timeSteps: number;
  /** Samples the loss is averaged over: `batch`, or the whole batch when this is one shard of it (shard gradients then add up). */
  readonly meanOver: number;
  /** The output layer's pre-reset membrane `[T·B, C]` (losses that read `membrane`). */
  readonly membrane?: Float32Array;
  /** The loss's parameters with defaults filled in. */
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** A loss value and its gradients. */
export interface LossResult {
  /** This shard's contribution to the batch-mean loss. */
  readonly loss: number;
  /** d loss / d output, the output's layout. */
  readonly grad: Float32Array;
  /** d loss / d pre-reset membrane of the output layer (membrane losses). */
  readonly dMembrane?: Float32Array;
}

/**
 * A training loss: declared by name, with its value and gradient in plain JS
 * so every backend that trains computes the same thing (a plugin loss trains).
 */
export interface LossSpec {
  readonly name: string;
  readonly description: string;
  /** What the loss reads from the network output; `logits` losses take static outputs, the others per-step ones. */
  readonly reads: "logits" | "spike-counts" | "membrane";
  readonly params: readonly ParamSpec[];
  compute(input: LossInput): LossResult;
}
