/** The paper's two networks, built from the spec language. */
import { type NetworkSpec, NeuroBridgeError, sequentialSpec } from "@neurobridge/core";

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
  readonly learnBeta?: boolean;
}

/** 784-256-256-10: ReLU FFNN with logits out, or LIF SNN (T = 25, β = 0.95, direct input by default). */
export function paperNetwork(model: string, o: PaperNetworkOptions = {}): NetworkSpec {
  const layers = [784, 256, 256, 10];
  if (model === "ffnn") return sequentialSpec({ name: "paper-ffnn", layers, neuron: o.activation ?? "relu", outputNeuron: false });
  if (model === "snn") {
    return sequentialSpec({
      name: "paper-snn",
      layers,
      neuron: "lif",
      params: { beta: o.beta ?? 0.95 },
      timeSteps: o.timeSteps ?? 25,
      encoder: { name: o.encoding ?? "direct" },
      surrogate: { name: o.surrogate ?? "fast-sigmoid" },
      ...(o.learnBeta ? { learn: ["beta"] } : {}),
    });
  }
  throw new NeuroBridgeError("OPTION_INVALID", `--model: unknown model '${model}'; accepted: ${PAPER_MODELS.join(", ")}`);
}
