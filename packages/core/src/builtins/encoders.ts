/**
 * Built-in input encoders. They need no backend: they turn a batch of
 * `[batch, features]` inputs (or a `[steps, batch, features]` sequence) into
 * `timeSteps` frames. Stochastic ones draw only from the RNG they are given.
 */
import { NeuroBridgeError } from "../errors.js";
import type { ParamValue } from "../params.js";
import type { Encoder, Frames } from "../strategies.js";

type Params = Readonly<Record<string, ParamValue>>;
const num = (p: Params, name: string): number => p[name] as number;

/** The frame `t` of `input` (the same frame for every t when `input.steps` is 1). */
function frameAt(input: Frames, t: number): Float32Array {
  const size = input.batch * input.features;
  const s = input.steps === 1 ? 0 : t;
  return input.data.subarray(s * size, (s + 1) * size);
}

function checkSteps(encoder: string, input: Frames, timeSteps: number): void {
  if (input.data.length !== input.steps * input.batch * input.features) {
    throw new NeuroBridgeError(
      "SHAPE_MISMATCH",
      `${encoder} encoder: input has ${input.data.length} values but steps×batch×features = ${input.steps}×${input.batch}×${input.features}`,
    );
  }
  if (input.steps !== 1 && input.steps !== timeSteps) {
    throw new NeuroBridgeError(
      "SHAPE_MISMATCH",
      `${encoder} encoder: input sequence has ${input.steps} steps; expected 1 (a static input) or ${timeSteps} (one frame per time step)`,
    );
  }
}

function output(timeSteps: number, input: Frames): Frames & { data: Float32Array } {
  return {
    steps: timeSteps,
    batch: input.batch,
    features: input.features,
    data: new Float32Array(timeSteps * input.batch * input.features),
  };
}

/** Direct (constant-current) encoding: the scaled input is presented at every step. */
export const directEncoder: Encoder = {
  name: "direct",
  description: "Presents gain·x as a constant input current at every time step (no spikes at the input).",
  params: [{ name: "gain", type: "number", default: 1, unit: "1", description: "scale applied to the input" }],
  timeInvariant: true,
  emitsSpikes: false,
  encode(input, timeSteps, params) {
    checkSteps("direct", input, timeSteps);
    const gain = num(params, "gain");
    // 1·x is x for every float (−0 and NaN included): with as many frames in as out, the input is the output.
    if (gain === 1 && input.steps === timeSteps) return { ...input };
    const out = output(timeSteps, input);
    const size = input.batch * input.features;
    for (let t = 0; t < timeSteps; t++) {
      const src = frameAt(input, t);
      // 1·x is x for every float (−0 and NaN included): a copy, at memcpy speed.
      if (gain === 1) out.data.set(src, t * size);
      else for (let i = 0; i < size; i++) out.data[t * size + i] = gain * (src[i] as number);
    }
    return out;
  },
};

/** Rate (Bernoulli/Poisson) encoding: each step spikes with probability clamp(gain·x, 0, 1). */
export const rateEncoder: Encoder = {
  name: "rate",
  description: "Bernoulli spikes per step with probability clamp(gain·x, 0, 1) (Poisson-like rate code).",
  params: [{ name: "gain", type: "number", default: 1, min: 0, unit: "1", description: "spike probability per unit input" }],
  timeInvariant: false,
  emitsSpikes: true,
  encode(input, timeSteps, params, rng) {
    checkSteps("rate", input, timeSteps);
    const out = output(timeSteps, input);
    const gain = num(params, "gain");
    const size = input.batch * input.features;
    const data = out.data;
    // One draw per input and step, spiking or not, in order: the stream of one rng.next() per value.
    // Each input's spike probability, computed once when every step sees the same frame (NaN stays NaN: never spikes).
    const probability = new Float64Array(size);
    for (let t = 0; t < timeSteps; t++) {
      if (t === 0 || input.steps > 1) {
        const src = frameAt(input, t);
        for (let i = 0; i < size; i++) probability[i] = Math.min(1, Math.max(0, gain * (src[i] as number)));
      }
      rng.fillBernoulli(probability, data, t * size);
    }
    return out;
  },
};

/**
 * Latency (time-to-first-spike) encoding: brighter inputs spike earlier; each
 * input spikes at most once. `linear`: t = round((1 − x)·(T − 1));
 * `log`: t = round(τ·ln(x / (x − θ))), as an RC neuron charging to θ would.
 */
export const latencyEncoder: Encoder = {
  name: "latency",
  description: "One spike per input, earlier for larger inputs (time-to-first-spike code).",
  params: [
    { name: "mode", type: "enum", values: ["linear", "log"], default: "linear", description: "spike-time mapping" },
    { name: "threshold", type: "number", default: 0.01, min: 0, unit: "1", description: "inputs at or below this never spike" },
    { name: "tau", type: "number", default: 5, min: 0, exclusiveMin: true, unit: "steps", description: "RC time constant of the log mode" },
  ],
  timeInvariant: false,
  emitsSpikes: true,
  encode(input, timeSteps, params) {
    if (input.steps !== 1) {
      throw new NeuroBridgeError("SHAPE_MISMATCH", `latency encoder: needs a static input (1 step), got a ${input.steps}-step sequence`);
    }
    checkSteps("latency", input, timeSteps);
    const out = output(timeSteps, input);
    const threshold = num(params, "threshold");
    const tau = num(params, "tau");
    const size = input.batch * input.features;
    for (let i = 0; i < size; i++) {
      const x = Math.min(1, input.data[i] as number);
      if (!(x > threshold)) continue;
      const t = params.mode === "log" ? Math.round(tau * Math.log(x / (x - threshold))) : Math.round((1 - x) * (timeSteps - 1));
      if (t >= 0 && t < timeSteps) out.data[t * size + i] = 1;
    }
    return out;
  },
};

/**
 * Delta modulation: a spike where the input rose by at least `threshold` since
 * the last emitted level (and −1 where it fell, with `offSpikes`). A static
 * input is a step at t = 0, so it spikes once.
 */
export const deltaEncoder: Encoder = {
  name: "delta",
  description: "Spikes on changes of at least `threshold` between consecutive frames (event-camera style).",
  params: [
    { name: "threshold", type: "number", default: 0.1, min: 0, exclusiveMin: true, unit: "1", description: "change that triggers a spike" },
    { name: "offSpikes", type: "boolean", default: false, description: "emit −1 on decreases" },
  ],
  timeInvariant: false,
  emitsSpikes: true,
  encode(input, timeSteps, params) {
    checkSteps("delta", input, timeSteps);
    const out = output(timeSteps, input);
    const threshold = num(params, "threshold");
    const off = params.offSpikes === true;
    const size = input.batch * input.features;
    const level = new Float32Array(size);
    for (let t = 0; t < timeSteps; t++) {
      const src = frameAt(input, t);
      for (let i = 0; i < size; i++) {
        const change = (src[i] as number) - (level[i] as number);
        if (change >= threshold) {
          out.data[t * size + i] = 1;
          level[i] = src[i] as number;
        } else if (change <= -threshold) {
          if (off) out.data[t * size + i] = -1;
          level[i] = src[i] as number;
        }
      }
    }
    return out;
  },
};

/** All built-in encoders. */
export const builtinEncoders: readonly Encoder[] = [directEncoder, rateEncoder, latencyEncoder, deltaEncoder];
