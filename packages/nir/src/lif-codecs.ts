/**
 * NIR codecs of the LIF family (`@neurobridge/neurons-lif`):
 *
 * | model        | writes            | reads                                    |
 * |--------------|-------------------|------------------------------------------|
 * | `lif`        | LIF (IF when β=1) | LIF, IF with v_reset = 0                 |
 * | `cuba-lif`   | CubaLIF           | CubaLIF with v_reset = 0, v_leak = 0     |
 * | `lif-vreset` | LIF (v_reset)     | LIF, IF with any v_reset                 |
 *
 * NIR resets to v_reset; NeuroBridge's `lif` also subtracts θ or does not
 * reset. Those are written as v_reset = 0 (what readers without NeuroBridge
 * metadata simulate, with a warning) and the reset's name is kept in the
 * node's `neurobridge.reset` metadata, so a NeuroBridge reader restores it
 * exactly. Files from other tools carry no such metadata and read as reset
 * to v_reset (the `zero` reset when v_reset = 0).
 */
import type { NeuroBridgePlugin, NeuronPlanLayer } from "@neurobridge/core";
import type { NirConventions, NirNeuronCodec, NirReadNeuron, NirRefusal, NirWrittenNeuron } from "./codec.js";
import { field, type NirNode, type NirTensor, optionalField, tensor } from "./graph.js";
import { metaString } from "./hdf5.js";

const f64 = (values: ArrayLike<number>) => Float64Array.from(values);
const perNeuron = (layer: NeuronPlanLayer, name: string): Float64Array => f64(layer.params[name] ?? new Float32Array(layer.size));
const shaped = (data: Float64Array): NirTensor => tensor(data, [data.length]);

/** τ of a per-step decay, τ = dt / (1 − β) (∞ for β = 1). */
const tauOf = (beta: number, dt: number) => dt / (1 - beta);

/** NeuroBridge's metadata on a written neuron node. */
function neuronMetadata(layer: NeuronPlanLayer): Record<string, string> {
  return {
    "neurobridge.model": layer.model.name,
    "neurobridge.reset": layer.resolved.resetName,
    ...(layer.node.surrogate ? { "neurobridge.surrogate": JSON.stringify(layer.node.surrogate) } : {}),
  };
}

/** What a reader without NeuroBridge's metadata will do differently with this layer's reset. */
function resetWarnings(layer: NeuronPlanLayer, nirType: string): string[] {
  const semantics = layer.resolved.context.reset.semantics;
  if (semantics === "zero") return [];
  const what =
    semantics === "subtract"
      ? "subtracts θ after a spike"
      : semantics === "none"
        ? "does not reset"
        : `resets by '${layer.resolved.resetName}'`;
  return [
    `${layer.id}: the network ${what}; NIR's ${nirType} resets to v_reset = 0, so tools that ignore the node's neurobridge.reset metadata will reset to 0 and may count different spikes`,
  ];
}

/** The reset a node asks for: NeuroBridge's metadata when present, else NIR's reset to v_reset (zero). */
const resetOf = (node: NirNode): string => metaString(node.metadata, "neurobridge.reset") ?? "zero";

const nonzero = (t: NirTensor | undefined) => (t ? t.data.findIndex((v) => v !== 0) : -1);

/** LIF membrane in Euler form: β = 1 − dt/τ, input gain r·dt/τ, offset (dt/τ)·v_leak; τ = r = ∞ is a non-leaky neuron written with r = τ/dt. */
function membrane(
  tau: NirTensor,
  r: NirTensor,
  vLeak: NirTensor,
  dt: number,
  name: string,
): { beta: number[]; gain: Float64Array; offset: Float64Array } | NirRefusal {
  const n = tau.data.length;
  const beta: number[] = [];
  const gain = new Float64Array(n);
  const offset = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const t = tau.data[j] as number;
    const rj = r.data[j] as number;
    if (!(t >= dt)) {
      return {
        reason: `${name}: τ = ${t} s at neuron ${j} is shorter than dt = ${dt} s (forward Euler would overshoot); pass the dt the file was made with`,
      };
    }
    const k = dt / t; // 0 for τ = ∞
    beta.push(1 - k);
    gain[j] = Number.isFinite(t) ? rj * k : rj === Number.POSITIVE_INFINITY ? 1 : 0;
    offset[j] = k * (vLeak.data[j] as number);
  }
  return { beta, gain, offset };
}

const integratorGain = (r: NirTensor, conventions: NirConventions) =>
  f64(Array.from(r.data, (x) => (conventions.integrator === "per-step" ? x : x * conventions.dt)));

/** `vReset` absent: the layer resets by its reset mechanism (written as v_reset = 0); present: the model resets to it itself. */
function writeLif(layer: NeuronPlanLayer, conventions: NirConventions, vReset?: Float64Array): NirWrittenNeuron {
  const beta = perNeuron(layer, "beta");
  const threshold = shaped(perNeuron(layer, "threshold"));
  const metadata = neuronMetadata(layer);
  const allOnes = beta.every((b) => b === 1);
  const warnings = vReset ? [] : resetWarnings(layer, allOnes ? "IF" : "LIF");
  const reset = shaped(vReset ?? new Float64Array(layer.size));
  if (allOnes) {
    // Non-leaky: NIR's IF, v ← v + r·I per step (snnTorch, Sinabs) or per second.
    const r = new Float64Array(layer.size).fill(conventions.integrator === "per-step" ? 1 : 1 / conventions.dt);
    return { node: { type: "IF", fields: { r: shaped(r), v_threshold: threshold, v_reset: reset }, metadata }, warnings };
  }
  const tau = f64(Array.from(beta, (b) => tauOf(b, conventions.dt)));
  const r = f64(Array.from(tau, (t) => t / conventions.dt));
  return {
    node: {
      type: "LIF",
      fields: { tau: shaped(tau), r: shaped(r), v_leak: shaped(new Float64Array(layer.size)), v_threshold: threshold, v_reset: reset },
      metadata,
    },
    warnings,
  };
}

/** Reads LIF or IF; `acceptReset` decides what v_reset the model can hold. */
function readLifLike(
  node: NirNode,
  conventions: NirConventions,
  name: string,
): (NirReadNeuron & { vReset: NirTensor | undefined }) | NirRefusal {
  const threshold = field(node, "v_threshold", name);
  const vReset = optionalField(node, "v_reset");
  if (node.type === "IF") {
    return {
      params: { beta: Array.from(threshold.data, () => 1), threshold: [...threshold.data] },
      inputGain: integratorGain(field(node, "r", name), conventions),
      warnings: [],
      vReset,
    };
  }
  const m = membrane(field(node, "tau", name), field(node, "r", name), field(node, "v_leak", name), conventions.dt, name);
  if ("reason" in m) return m;
  return { params: { beta: m.beta, threshold: [...threshold.data] }, inputGain: m.gain, inputOffset: m.offset, warnings: [], vReset };
}

/** `lif` ↔ NIR LIF (IF when every β is 1), v_reset = 0. */
export const lifNirCodec: NirNeuronCodec = {
  reads: ["LIF", "IF"],
  write: (layer, conventions) => writeLif(layer, conventions),
  read(node, conventions, name) {
    const read = readLifLike(node, conventions, name);
    if ("reason" in read) return read;
    const j = nonzero(read.vReset);
    if (j >= 0)
      return { reason: `${name}: v_reset = ${read.vReset?.data[j]} at neuron ${j}; lif resets to 0 (lif-vreset holds any v_reset)` };
    const { vReset: _, ...rest } = read;
    return { ...rest, reset: resetOf(node) };
  },
};

/** `lif-vreset` ↔ NIR LIF or IF with its v_reset. */
export const lifVResetNirCodec: NirNeuronCodec = {
  reads: ["LIF", "IF"],
  write: (layer, conventions) => writeLif(layer, conventions, perNeuron(layer, "vReset")),
  read(node, conventions, name) {
    const read = readLifLike(node, conventions, name);
    if ("reason" in read) return read;
    const { vReset, ...rest } = read;
    return { ...rest, params: { ...rest.params, vReset: vReset ? [...vReset.data] : (rest.params.threshold?.map(() => 0) ?? []) } };
  },
};

/** `cuba-lif` ↔ NIR CubaLIF: α = 1 − dt/τ_syn, β = 1 − dt/τ_mem, w_in = τ_syn/dt, r = τ_mem/dt (snnTorch's `Synaptic`). */
export const cubaLifNirCodec: NirNeuronCodec = {
  reads: ["CubaLIF"],
  write(layer, conventions) {
    const dt = conventions.dt;
    const tauSyn = f64(Array.from(perNeuron(layer, "alpha"), (a) => tauOf(a, dt)));
    const tauMem = f64(Array.from(perNeuron(layer, "beta"), (b) => tauOf(b, dt)));
    if (tauSyn.some((t) => !Number.isFinite(t)) || tauMem.some((t) => !Number.isFinite(t))) {
      return { reason: `${layer.id}: α or β of 1 (no decay) has no CubaLIF time constant` };
    }
    const zeros = shaped(new Float64Array(layer.size));
    return {
      node: {
        type: "CubaLIF",
        fields: {
          tau_syn: shaped(tauSyn),
          tau_mem: shaped(tauMem),
          r: shaped(f64(Array.from(tauMem, (t) => t / dt))),
          v_leak: zeros,
          v_threshold: shaped(perNeuron(layer, "threshold")),
          v_reset: zeros,
          w_in: shaped(f64(Array.from(tauSyn, (t) => t / dt))),
        },
        metadata: neuronMetadata(layer),
      },
      warnings: resetWarnings(layer, "CubaLIF"),
    };
  },
  read(node, conventions, name) {
    const dt = conventions.dt;
    const tauSyn = field(node, "tau_syn", name);
    const threshold = field(node, "v_threshold", name);
    const wIn = optionalField(node, "w_in");
    const j = nonzero(optionalField(node, "v_reset"));
    if (j >= 0) return { reason: `${name}: v_reset ≠ 0 at neuron ${j}; cuba-lif resets to 0` };
    const leak = nonzero(field(node, "v_leak", name));
    if (leak >= 0)
      return {
        reason: `${name}: v_leak ≠ 0 at neuron ${leak}; cuba-lif's membrane has no resting offset (its input passes the synaptic filter)`,
      };
    // Membrane: v ← β·v + (dt/τ_mem)·r·I; scaling the current by (dt/τ_mem)·r keeps v exact.
    const m = membrane(field(node, "tau_mem", name), field(node, "r", name), field(node, "v_leak", name), dt, name);
    if ("reason" in m) return m;
    const alpha: number[] = [];
    const gain = new Float64Array(threshold.data.length);
    for (let i = 0; i < gain.length; i++) {
      const t = tauSyn.data[i] as number;
      if (!(t >= dt) || !Number.isFinite(t))
        return { reason: `${name}: τ_syn = ${t} s at neuron ${i} must be finite and at least dt = ${dt} s` };
      alpha.push(1 - dt / t);
      // Current: I ← α·I + (dt/τ_syn)·w_in·S.
      gain[i] = (dt / t) * (wIn ? (wIn.data[i] as number) : 1) * (m.gain[i] as number);
    }
    return { params: { alpha, beta: m.beta, threshold: [...threshold.data] }, reset: resetOf(node), inputGain: gain, warnings: [] };
  },
};

/**
 * Registers the LIF family's NIR codecs. Requires `@neurobridge/neurons-lif`
 * (the models) to be registered first.
 */
export const nirPlugin: NeuroBridgePlugin = {
  name: "@neurobridge/nir",
  version: "0.1.0",
  description: "NIR codecs of the LIF family: lif ↔ LIF/IF, cuba-lif ↔ CubaLIF, lif-vreset ↔ LIF/IF with v_reset.",
  requires: ["@neurobridge/neurons-lif"],
  source: { module: import.meta.url, export: "nirPlugin" },
  register(r) {
    r.codec({ model: "lif", format: "nir", description: "LIF (IF when β = 1), v_reset 0; reset kept in metadata", codec: lifNirCodec });
    r.codec({ model: "cuba-lif", format: "nir", description: "CubaLIF (snnTorch's Synaptic convention)", codec: cubaLifNirCodec });
    r.codec({ model: "lif-vreset", format: "nir", description: "LIF or IF with its v_reset", codec: lifVResetNirCodec });
  },
};
