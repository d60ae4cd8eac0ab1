/**
 * How neuron models cross into NIR: the conventions (NIR stores no time step,
 * and tools read `r` and `w_in` differently) and the codec contract each
 * model registers (`registrar.codec({ model, format: "nir", codec })`).
 *
 * The discretisation is forward Euler at `dt`, as snnTorch, SpikingJelly and
 * Lava use: a membrane τ·dv/dt = (v_leak − v) + r·I becomes
 * v ← (1 − dt/τ)·v + (dt/τ)·v_leak + (r·dt/τ)·I, i.e. β = 1 − dt/τ with an
 * input gain r·dt/τ (1 under the snnTorch convention r = τ/dt).
 */
import { NeuroBridgeError, type NeuronPlanLayer } from "@neurobridge/core";
import type { NirNode } from "./graph.js";

/** The named conventions. */
export const NIR_CONVENTIONS = {
  /** snnTorch, SpikingJelly, Lava, the NIR paper's files: dt = 0.1 ms, r = τ/dt, w_in = τ_syn/dt; IF's r per step (Sinabs). */
  snntorch: { dt: 1e-4, integrator: "per-step" },
  /** Norse: dt = 1 ms, r = 1; IF and I integrate r·I per second (v ← v + dt·r·I). */
  norse: { dt: 1e-3, integrator: "per-second" },
  /** NIR's ODEs taken literally at dt = 0.1 ms: IF and I integrate per second. */
  nir: { dt: 1e-4, integrator: "per-second" },
} as const;

/** A convention's name. */
export type NirConventionName = keyof typeof NIR_CONVENTIONS;

/** The conventions a network is written or read with. */
export interface NirConventions {
  readonly name: NirConventionName;
  /** Seconds per step: turns τ into per-step decays (β = 1 − dt/τ). */
  readonly dt: number;
  /** How IF and I nodes' `r` is read: `per-step` (v ← v + r·I each step) or `per-second` (v ← v + dt·r·I). */
  readonly integrator: "per-step" | "per-second";
}

/** Options naming a convention and, optionally, a different dt. */
export interface NirConventionOptions {
  /** Writing: default `snntorch`. Reading: default the convention the file's numbers show (`detectConvention`). */
  readonly convention?: string;
  /** Seconds per step (> 0); default the convention's, or the dt a NeuroBridge file recorded. */
  readonly dt?: number;
}

/** Resolves options (and a dt recorded in the file, if any) into conventions; bad values are errors naming what is accepted. */
export function resolveConventions(options: NirConventionOptions = {}, recordedDt?: number): NirConventions {
  const name = (options.convention ?? "snntorch") as NirConventionName;
  const preset = NIR_CONVENTIONS[name];
  if (!preset) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `unknown NIR convention '${String(options.convention)}'; accepted: ${Object.keys(NIR_CONVENTIONS).join(", ")}`,
    );
  }
  const dt = options.dt ?? recordedDt ?? preset.dt;
  if (!(typeof dt === "number" && Number.isFinite(dt) && dt > 0)) {
    throw new NeuroBridgeError("OPTION_INVALID", `NIR dt must be a positive number of seconds (e.g. 1e-4), got ${String(dt)}`);
  }
  return { name, dt, integrator: preset.integrator };
}

/** A neuron layer written as a NIR node. */
export interface NirWrittenNeuron {
  readonly node: NirNode;
  /** What a reader that ignores NeuroBridge's metadata will simulate differently (e.g. the reset). */
  readonly warnings: readonly string[];
}

/** A NIR node read as one model's spec parameters. */
export interface NirReadNeuron {
  /** The model's parameters, one number per neuron. */
  readonly params: Readonly<Record<string, readonly number[]>>;
  /** Registered reset mechanism (default: the model's). */
  readonly reset?: string;
  /**
   * Per-neuron factor on the node's input (e.g. r·dt/τ), folded into the
   * preceding Affine or Linear; absent means 1.
   */
  readonly inputGain?: Float64Array;
  /** Per-neuron constant added to the scaled input every step (e.g. (dt/τ)·v_leak), folded into the preceding bias. */
  readonly inputOffset?: Float64Array;
  readonly warnings: readonly string[];
}

/** Why a codec cannot write or read something, said plainly. */
export interface NirRefusal {
  readonly reason: string;
}

/**
 * A model's NIR codec. `write` turns a resolved layer into a node whose
 * per-neuron fields are arrays of the layer's size; `read` accepts a node of
 * one of `reads` or refuses it with the reason. A codec must round-trip:
 * `read(write(layer))` gives back the layer's parameters bit for bit in float32.
 */
export interface NirNeuronCodec {
  /** NIR node types this codec reads (e.g. `LIF`, `IF`). */
  readonly reads: readonly string[];
  write(layer: NeuronPlanLayer, conventions: NirConventions): NirWrittenNeuron | NirRefusal;
  read(node: NirNode, conventions: NirConventions, name: string): NirReadNeuron | NirRefusal;
}

declare module "@neurobridge/core" {
  interface CodecFormats {
    nir: NirNeuronCodec;
  }
}

/** True when `x` is a refusal. */
export const refused = (x: object): x is NirRefusal => "reason" in x;
