/**
 * The neuron-model contract: a declarative description (parameters with units,
 * defaults and ranges; state variables; options) plus one pure, functional
 * `step(input, state, params) → { output, state }` written against
 * {@link TensorOps}. The training loop, the emulators and the ONNX step graph
 * all call the same `step`; state is explicit and reset is explicit.
 */
import type { ValidationIssue } from "./errors.js";
import type { ParamSpec } from "./params.js";
import type { ResetMechanism } from "./strategies.js";
import type { BoundSurrogate, TensorOps } from "./tensor-ops.js";

/** One state variable of a neuron model (e.g. membrane `v`). */
export interface StateVariableSpec {
  readonly name: string;
  readonly description: string;
  /** Value at the start of every sample. */
  readonly initial: number;
  readonly unit?: string;
}

/** Everything `step` needs besides tensors: the bound surrogate and reset strategy. */
export interface StepContext {
  /** The surrogate for `ops.spike` (spiking models only). */
  readonly surrogate: BoundSurrogate;
  /** The reset mechanism chosen in the spec (spiking models only). */
  readonly reset: ResetMechanism;
  /** Non-numeric options of the node, with defaults filled in. */
  readonly options: Readonly<Record<string, string | boolean>>;
}

/** Output of one step: the value passed downstream (spikes or rates) and the next state. */
export interface NeuronStepResult<T> {
  readonly output: T;
  readonly state: Readonly<Record<string, T>>;
}

/**
 * How many elementary operations one neuron update costs, for op counting and
 * energy estimates (e.g. LIF: 1 multiply for the decay, 1 add, 1 compare).
 */
export interface UpdateCost {
  readonly multiplies: number;
  readonly adds: number;
  readonly compares: number;
}

/**
 * A spiking neuron that stands in for a rate model (see
 * {@link NeuronModel.spikingCounterpart}): fed `inputGain`·x per step it fires
 * about `spikesPerOutput`·f(x) spikes per step, f being the rate model.
 */
export interface SpikingCounterpart {
  /** The spiking model, by registered name, and its parameters. */
  readonly model: string;
  readonly params: Readonly<Record<string, number>>;
  /** Input current per step per unit of the rate model's input. */
  readonly inputGain: number;
  /** Spikes per step per unit of the rate model's output. */
  readonly spikesPerOutput: number;
}

/** A neuron model as registered by a plugin. */
export interface NeuronModel {
  /** Name used in specs (`{ type: "neuron", model: "lif" }`). */
  readonly name: string;
  readonly description: string;
  /** `spiking`: binary output, stateful over time steps. `rate`: real output, stateless. */
  readonly dynamics: "spiking" | "rate";
  readonly params: readonly ParamSpec[];
  readonly state: readonly StateVariableSpec[];
  readonly updateCost: UpdateCost;
  /** Cross-parameter checks beyond each parameter's own range (optional). */
  validate?(params: Readonly<Record<string, number | number[]>>, path: string): ValidationIssue[];
  /**
   * The input around which this model responds, for models silent below a
   * threshold (e.g. `lif-rate`: rate 0 up to the rheobase x = 1). Fresh
   * weights start the biases of a dense layer feeding the model there, so its
   * units begin active and get gradient; without it biases start like the
   * weights, around 0 (right for ReLU, whose threshold is 0).
   */
  operatingInput?(params: Readonly<Record<string, number | number[]>>): number;
  /**
   * For rate models: a spiking neuron whose firing rate follows this model's
   * curve, for rate-matched ANN → SNN conversion. `maxOutput` is the largest
   * output the converted layer must represent (e.g. its 99.9th percentile on
   * calibration data); `resolution` how finely (the counterpart's own
   * meaning, e.g. steps per refractory period). Scalar parameters only.
   */
  spikingCounterpart?(
    params: Readonly<Record<string, number | number[]>>,
    options: { readonly maxOutput: number; readonly resolution: number },
  ): SpikingCounterpart;
  /**
   * Advances one time step. `params` hold each numeric parameter as a tensor
   * (scalar or per-neuron); `input` is the synaptic input `[batch, size]`.
   */
  step<T>(
    ops: TensorOps<T>,
    input: T,
    state: Readonly<Record<string, T>>,
    params: Readonly<Record<string, T>>,
    context: StepContext,
  ): NeuronStepResult<T>;
}

/** Names of the numeric (`number` / `integer`) parameters among `P`: the ones `step` receives as tensors. */
export type NumericParamNames<P extends readonly ParamSpec[]> = Extract<P[number], { readonly type: "number" | "integer" }>["name"];

/** Names of the state variables among `S`. */
export type StateNames<S extends readonly StateVariableSpec[]> = S[number]["name"];

/**
 * A neuron model whose `step` sees its own parameter and state names as
 * types: {@link defineNeuronModel} infers them from the declaration, so
 * `params.thresh` for a parameter named `threshold` — or a step that forgets
 * to return a declared state variable — is a compile error.
 */
export interface TypedNeuronModel<P extends readonly ParamSpec[], S extends readonly StateVariableSpec[]>
  extends Omit<NeuronModel, "params" | "state" | "step" | "validate"> {
  readonly params: P;
  readonly state: S;
  validate?(params: Readonly<Record<P[number]["name"], number | number[]>>, path: string): ValidationIssue[];
  step<T>(
    ops: TensorOps<T>,
    input: T,
    state: Readonly<Record<StateNames<S>, T>>,
    params: Readonly<Record<NumericParamNames<P>, T>>,
    context: StepContext,
  ): { readonly output: T; readonly state: { readonly [K in StateNames<S>]: T } };
}

/**
 * Declares a neuron model with typed parameter and state names (see
 * {@link TypedNeuronModel}); the result is the plain {@link NeuronModel} the
 * runtime registers (and checks: defaults in range, every declared state
 * returned, shapes).
 *
 * @example
 * ```ts
 * export const integrateAndFire = defineNeuronModel({
 *   name: "if",
 *   description: "Non-leaky integrate-and-fire",
 *   dynamics: "spiking",
 *   params: [{ name: "threshold", type: "number", default: 1, min: 0, exclusiveMin: true, perNeuron: true, description: "θ" }],
 *   state: [{ name: "v", description: "membrane", initial: 0 }],
 *   updateCost: { multiplies: 0, adds: 1, compares: 1 },
 *   step(ops, input, state, params, ctx) {
 *     const v = ops.add(state.v, input);          // state.u would not compile
 *     const s = ops.spike(ops.sub(v, params.threshold), ctx.surrogate);
 *     return { output: s, state: { v: ctx.reset.apply(ops, v, ops.stopGradient(s), params.threshold) } };
 *   },
 * });
 * ```
 */
export function defineNeuronModel<const P extends readonly ParamSpec[], const S extends readonly StateVariableSpec[]>(
  model: TypedNeuronModel<P, S>,
): NeuronModel {
  // The typed step is the untyped one with its records narrowed: the same function at run time.
  return model as unknown as NeuronModel;
}
