/**
 * The paper's two networks (784-256-256-10 FFNN and SNN), built from the spec
 * language. They live beside the LIF model they default to, so building one
 * loads nothing but core and this package.
 */
import { type NetworkSpec, NeuroBridgeError, sequentialSpec, TRAINING_DEFAULTS } from "@neurobridge/core";
import { betaParam } from "./params.js";

/** Models of the paper. */
export const PAPER_MODELS = ["ffnn", "snn"] as const;
export type PaperModel = (typeof PAPER_MODELS)[number];

/** Options of {@link paperNetwork}. */
export interface PaperNetworkOptions {
  /** SNN time steps (paper: 25). */
  readonly timeSteps?: number;
  /** SNN membrane decay (paper: 0.95). */
  readonly beta?: number;
  readonly encoding?: string;
  readonly surrogate?: string;
  /** FFNN activation (paper: relu; also sigmoid and the activation-fit neurons). */
  readonly activation?: string;
  /**
   * Any registered neuron model for every layer — a rate model for the FFNN's
   * hidden layers, a spiking one for the SNN (a plugin's included). Default:
   * the paper's (relu / lif).
   */
  readonly neuron?: string;
  /** Parameters of that model (numbers or per-neuron arrays), validated against its declaration. */
  readonly neuronParams?: Readonly<Record<string, number | readonly number[]>>;
  readonly learnBeta?: boolean;
  /** Parameters to learn, by name (`learnBeta` adds `beta`). */
  readonly learn?: readonly string[];
}

/**
 * 784-256-256-10: the FFNN with logits out, or the SNN (T = 25, direct input
 * by default). With no `neuron`, the paper's: ReLU, and LIF with β = 0.95
 * (`beta`). With one, its `neuronParams` (and `beta`, when given) are that
 * model's parameters.
 *
 * @example
 * ```ts
 * const spec = runtime.validateSpec(paperNetwork("snn", { timeSteps: 25, beta: 0.95 }));
 * ```
 */
export function paperNetwork(model: string, o: PaperNetworkOptions = {}): NetworkSpec {
  const layers = [784, 256, 256, 10];
  const learn = [...(o.learn ?? []), ...(o.learnBeta ? ["beta"] : [])];
  if (model === "ffnn") {
    return sequentialSpec({
      name: "paper-ffnn",
      layers,
      neuron: o.neuron ?? o.activation ?? "relu",
      outputNeuron: false,
      ...(o.neuronParams ? { params: o.neuronParams } : {}),
      ...(learn.length ? { learn } : {}),
    });
  }
  if (model === "snn") {
    const params = o.neuron
      ? { ...(o.beta !== undefined ? { beta: o.beta } : {}), ...(o.neuronParams ?? {}) }
      : { beta: o.beta ?? (betaParam().default as number), ...(o.neuronParams ?? {}) };
    return sequentialSpec({
      name: "paper-snn",
      layers,
      neuron: o.neuron ?? "lif",
      ...(Object.keys(params).length ? { params } : {}),
      timeSteps: o.timeSteps ?? TRAINING_DEFAULTS.timeSteps,
      encoder: { name: o.encoding ?? TRAINING_DEFAULTS.encoding },
      surrogate: { name: o.surrogate ?? TRAINING_DEFAULTS.surrogate },
      ...(learn.length ? { learn } : {}),
    });
  }
  throw new NeuroBridgeError("OPTION_INVALID", `model: unknown paper model '${model}'; accepted: ${PAPER_MODELS.join(", ")}`);
}
