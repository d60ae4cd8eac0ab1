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
