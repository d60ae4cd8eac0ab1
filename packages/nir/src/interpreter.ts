/**
 * The reference interpreter: runs any NIR graph of the node types NIR
 * defines, one sample at a time, in float64, from NIR's equations alone
 * (forward Euler at the conventions' dt) — independent of NeuroBridge's
 * models and codecs, so it checks them. Recurrent edges carry the previous
 * step's value (one step of delay, as every discrete-time simulator does).
 *
 * Per step, in graph order: a node's input is the sum of what its
 * predecessors emit. LIF: v ← v + (dt/τ)·(v_leak − v + r·x); z = v > v_th;
 * v ← v_reset where z. CubaLIF: I ← I + (dt/τ_syn)·(w_in·x − I), then v as
 * LIF from the new I. IF and I: v ← v + r·x per step or dt·r·x per second
 * (the convention). A node's NeuroBridge `neurobridge.reset` metadata
 * (`subtract`, `none`) is honoured when `honourResetMetadata` is set.
 */
import type { NirConventions } from "./codec.js";
import { field, graphShapes, type NirGraph, type NirNode, type NodeShapes, type NodeTypes, optionalField, shapeSize } from "./graph.js";
import { metaString } from "./hdf5.js";

/** Options of {@link simulateNir}. */
export interface SimulateOptions {
  readonly conventions: NirConventions;
  /** Apply NeuroBridge's reset metadata (subtract θ, none) instead of NIR's reset to v_reset (default true). */
  readonly honourResetMetadata?: boolean;
  /** Record every spiking node's spikes per step (default false). */
  readonly recordSpikes?: boolean;
}

/** What one sample did. */
export interface Simulation {
  /** The Output node's value per step `[T][size]`. */
  readonly output: Float64Array[];
  /** Spikes per spiking node, summed over the steps. */
  readonly spikeCounts: Readonly<Record<string, Float64Array>>;
  /** Per step and spiking node, the neurons that fired (when recorded). */
  readonly raster?: Readonly<Record<string, Float64Array[]>>;
}

type Step = (x: Float64Array) => Float64Array;
type Reset = "nir" | "subtract" | "none";

const vec = (node: NirNode, name: string, fallback?: number, size = 0): Float64Array => {
  const t = optionalField(node, name);
  return t ? t.data : new Float64Array(size).fill(fallback ?? 0);
};

/** Builds one node's step function (fresh state per sample). */
function makeStep(node: NirNode, name: string, c: NirConventions, types: NodeTypes, reset: Reset): { step: Step; spiking: boolean } {
  const dt = c.dt;
  const spikeReset = (v: Float64Array, z: Float64Array, vReset: Float64Array, th: Float64Array) => {
    for (let j = 0; j < v.length; j++) {
      const fired = (v[j] as number) > (th[j] as number);
      z[j] = fired ? 1 : 0;
      if (!fired) continue;
      if (reset === "nir") v[j] = vReset[j] as number;
      else if (reset === "subtract") v[j] = (v[j] as number) - (th[j] as number);
    }
  };
  const integratorScale = c.integrator === "per-step" ? 1 : dt;
  switch (node.type) {
    case "Input":
    case "Output":
    case "Flatten":
      return { step: (x) => x, spiking: false };
    case "Affine":
    case "Linear": {
      const w = field(node, "weight", name);
      const [out, inF] = [w.shape[0] as number, w.shape[1] as number];
      const b = node.type === "Affine" ? vec(node, "bias", 0, out) : new Float64Array(out);
      return {
        step: (x) => {
          const y = Float64Array.from(b);
          for (let j = 0; j < out; j++) {
            let s = y[j] as number;
            for (let k = 0; k < inF; k++) s += (w.data[j * inF + k] as number) * (x[k] as number);
            y[j] = s;
          }
          return y;
        },
        spiking: false,
      };
    }
    case "Scale": {
      const s = field(node, "scale", name).data;
      return { step: (x) => x.map((v, j) => v * (s[j] as number)), spiking: false };
    }
    case "Threshold": {
      const th = field(node, "threshold", name).data;
      return { step: (x) => x.map((v, j) => (v > (th[j] as number) ? 1 : 0)), spiking: true };
    }
    case "LIF":
    case "LI": {
      const tau = field(node, "tau", name).data;
      const r = field(node, "r", name).data;
      const vLeak = field(node, "v_leak", name).data;
      const n = tau.length;
      const spiking = node.type === "LIF";
      const th = spiking ? field(node, "v_threshold", name).data : new Float64Array(n);
      const vReset = vec(node, "v_reset", 0, n);
      const v = new Float64Array(n);
      return {
        step: (x) => {
          for (let j = 0; j < n; j++) {
            const t = tau[j] as number;
            const k = dt / t;
            // τ = r = ∞: a non-leaky neuron written with r = τ/dt (input gain 1).
            const drive = Number.isFinite(t) ? k * (r[j] as number) : r[j] === Number.POSITIVE_INFINITY ? 1 : 0;
            v[j] = (v[j] as number) + k * ((vLeak[j] as number) - (v[j] as number)) + drive * (x[j] as number);
          }
          if (!spiking) return Float64Array.from(v);
          const z = new Float64Array(n);
          spikeReset(v, z, vReset, th);
          return z;
        },
        spiking,
      };
    }
    case "CubaLIF":
    case "CubaLI": {
      const tauSyn = field(node, "tau_syn", name).data;
      const tauMem = field(node, "tau_mem", name).data;
      const r = field(node, "r", name).data;
      const vLeak = field(node, "v_leak", name).data;
      const n = tauMem.length;
      const wIn = vec(node, "w_in", 1, n);
      const spiking = node.type === "CubaLIF";
      const th = spiking ? field(node, "v_threshold", name).data : new Float64Array(n);
      const vReset = vec(node, "v_reset", 0, n);
      const i = new Float64Array(n);
      const v = new Float64Array(n);
      return {
        step: (x) => {
          for (let j = 0; j < n; j++) {
            i[j] = (i[j] as number) + (dt / (tauSyn[j] as number)) * ((wIn[j] as number) * (x[j] as number) - (i[j] as number));
            const k = dt / (tauMem[j] as number);
            v[j] = (v[j] as number) + k * ((vLeak[j] as number) - (v[j] as number) + (r[j] as number) * (i[j] as number));
          }
          if (!spiking) return Float64Array.from(v);
          const z = new Float64Array(n);
          spikeReset(v, z, vReset, th);
          return z;
        },
        spiking,
      };
    }
    case "IF":
    case "I": {
      const r = field(node, "r", name).data;
      const n = r.length;
      const spiking = node.type === "IF";
      const th = spiking ? field(node, "v_threshold", name).data : new Float64Array(n);
      const vReset = vec(node, "v_reset", 0, n);
      const v = new Float64Array(n);
      return {
        step: (x) => {
          for (let j = 0; j < n; j++) v[j] = (v[j] as number) + integratorScale * (r[j] as number) * (x[j] as number);
          if (!spiking) return Float64Array.from(v);
          const z = new Float64Array(n);
          spikeReset(v, z, vReset, th);
          return z;
        },
        spiking,
      };
    }
    case "Conv2d":
      return { step: conv2d(node, name, types), spiking: false };
    case "SumPool2d":
      return { step: sumPool2d(node, types), spiking: false };
    default:
      throw new Error(`the reference interpreter has no semantics for NIR type '${node.type}' (node '${name}')`);
  }
}

const pairOf = (node: NirNode, key: string, fallback: number): [number, number] => {
  const t = optionalField(node, key);
  const v = t ? [...t.data] : [];
  return [v[0] ?? fallback, v[1] ?? v[0] ?? fallback];
};

function conv2d(node: NirNode, name: string, types: NodeTypes): Step {
  const w = field(node, "weight", name);
  const [cin, h, wd] = types.input as [number, number, number];
  const [cout, oh, ow] = types.output as [number, number, number];
  const [kh, kw] = [w.shape[2] as number, w.shape[3] as number];
  const [sh, sw] = pairOf(node, "stride", 1);
  const [ph, pw] = pairOf(node, "padding", 0);
  const [dh, dw] = pairOf(node, "dilation", 1);
  const groups = optionalField(node, "groups")?.data[0] ?? 1;
  const bias = vec(node, "bias", 0, cout);
  const cinG = cin / groups;
  const coutG = cout / groups;
  return (x) => {
    const y = new Float64Array(cout * oh * ow);
    for (let o = 0; o < cout; o++) {
      const g = Math.floor(o / coutG);
      for (let yi = 0; yi < oh; yi++) {
        for (let xi = 0; xi < ow; xi++) {
          let s = bias[o] as number;
          for (let ci = 0; ci < cinG; ci++) {
            const c = g * cinG + ci;
            for (let a = 0; a < kh; a++) {
              const iy = yi * sh - ph + a * dh;
              if (iy < 0 || iy >= h) continue;
              for (let b = 0; b < kw; b++) {
                const ix = xi * sw - pw + b * dw;
                if (ix < 0 || ix >= wd) continue;
                s += (w.data[((o * cinG + ci) * kh + a) * kw + b] as number) * (x[(c * h + iy) * wd + ix] as number);
              }
            }
          }
          y[(o * oh + yi) * ow + xi] = s;
        }
      }
    }
    return y;
  };
}

function sumPool2d(node: NirNode, types: NodeTypes): Step {
  const [c, h, wd] = types.input as [number, number, number];
  const [, oh, ow] = types.output as [number, number, number];
  const [kh, kw] = pairOf(node, "kernel_size", 1);
  const [sh, sw] = pairOf(node, "stride", 1);
  const [ph, pw] = pairOf(node, "padding", 0);
  return (x) => {
    const y = new Float64Array(c * oh * ow);
    for (let ch = 0; ch < c; ch++) {
      for (let yi = 0; yi < oh; yi++) {
        for (let xi = 0; xi < ow; xi++) {
          let s = 0;
          for (let a = 0; a < kh; a++) {
            const iy = yi * sh - ph + a;
            if (iy < 0 || iy >= h) continue;
            for (let b = 0; b < kw; b++) {
              const ix = xi * sw - pw + b;
              if (ix >= 0 && ix < wd) s += x[(ch * h + iy) * wd + ix] as number;
            }
          }
          y[(ch * oh + yi) * ow + xi] = s;
        }
      }
    }
    return y;
  };
}

/**
 * Runs one sample through `graph`: `inputs[t]` is what the Input node emits
 * at step t (length = the Input's size); returns the Output per step and the
 * spike counts of every spiking node.
 */
export function simulateNir(graph: NirGraph, inputs: readonly ArrayLike<number>[], options: SimulateOptions): Simulation {
  const { order, incoming, nodes } = graphShapes(graph);
  const steps = new Map<string, { step: Step; spiking: boolean; size: number }>();
  for (const name of order) {
    const node = graph.nodes[name] as NirNode;
    const { types, emits } = nodes.get(name) as NodeShapes;
    const meta = options.honourResetMetadata === false ? undefined : metaString(node.metadata, "neurobridge.reset");
    const reset: Reset = meta === "subtract" ? "subtract" : meta === "none" ? "none" : "nir";
    const made = makeStep(node, name, options.conventions, types, reset);
    steps.set(name, { ...made, size: shapeSize(emits ?? [0]) });
  }
  const outputName = order.find((n) => graph.nodes[n]?.type === "Output");
  const inputName = order.find((n) => graph.nodes[n]?.type === "Input");
  let previous = new Map<string, Float64Array>();
  const output: Float64Array[] = [];
  const spikeCounts: Record<string, Float64Array> = {};
  const raster: Record<string, Float64Array[]> = {};
  for (const [name, s] of steps) if (s.spiking) spikeCounts[name] = new Float64Array(s.size);
  for (const frame of inputs) {
    const now = new Map<string, Float64Array>();
    for (const name of order) {
      const s = steps.get(name) as { step: Step; spiking: boolean; size: number };
      let x: Float64Array;
      if (name === inputName) x = Float64Array.from(frame);
      else {
        const edges = incoming.get(name) ?? [];
        x = new Float64Array(
          s.size === 0 ? 0 : (edges.map((e) => (e.delayed ? previous : now).get(e.from)?.length ?? 0).find((l) => l > 0) ?? s.size),
        );
        for (const e of edges) {
          const v = (e.delayed ? previous : now).get(e.from);
          if (v) for (let j = 0; j < x.length; j++) x[j] = (x[j] as number) + (v[j] as number);
        }
      }
      const y = s.step(x);
      now.set(name, y);
      if (s.spiking) {
        const counts = spikeCounts[name] as Float64Array;
        for (let j = 0; j < y.length; j++) counts[j] = (counts[j] as number) + (y[j] as number);
        if (options.recordSpikes) {
          const rows = raster[name] ?? [];
          rows.push(y);
          raster[name] = rows;
        }
      }
    }
    output.push(now.get(outputName ?? "") ?? new Float64Array(0));
    previous = now;
  }
  return { output, spikeCounts, ...(options.recordSpikes ? { raster } : {}) };
}
