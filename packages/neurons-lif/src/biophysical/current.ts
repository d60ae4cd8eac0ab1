/**
 * Input currents for the biophysical LIF: a constant, a step, or any sampled
 * trace (held constant between samples). All in amperes and seconds.
 */
import { NeuroBridgeError } from "@neurobridge/core";

/** An input current. */
export type CurrentInput =
  | { readonly kind: "constant"; readonly amplitude: number }
  | { readonly kind: "step"; readonly amplitude: number; readonly start: number; readonly stop?: number; readonly baseline?: number }
  | { readonly kind: "trace"; readonly dt: number; readonly samples: ArrayLike<number> };

/** A constant current (A). */
export const constantCurrent = (amplitude: number): CurrentInput => ({ kind: "constant", amplitude });

/** Checks a current input, naming what is wrong. */
export function checkCurrent(input: CurrentInput, duration: number): void {
  const bad = (message: string) => new NeuroBridgeError("CURRENT_INVALID", `input current: ${message}`);
  switch (input.kind) {
    case "constant":
      if (!Number.isFinite(input.amplitude)) throw bad(`amplitude must be a finite current in A, got ${input.amplitude}`);
      return;
    case "step":
      if (![input.amplitude, input.start, input.stop ?? 0, input.baseline ?? 0].every(Number.isFinite))
        throw bad("step amplitude, start, stop and baseline must be finite");
      if (input.start < 0 || (input.stop !== undefined && input.stop < input.start))
        throw bad(`step needs 0 <= start <= stop, got start ${input.start} s, stop ${input.stop} s`);
      return;
    case "trace": {
      if (!(input.dt > 0)) throw bad(`trace sample interval must be > 0 s, got ${input.dt}`);
      if (input.samples.length === 0) throw bad("trace has no samples");
      const covered = input.samples.length * input.dt;
      if (covered < duration * (1 - 1e-9))
        throw bad(`trace covers ${covered} s but the simulation lasts ${duration} s; give more samples or a shorter duration`);
      for (let i = 0; i < input.samples.length; i++) {
        if (!Number.isFinite(input.samples[i])) throw bad(`sample ${i} is ${input.samples[i]}; currents must be finite`);
      }
      return;
    }
    default:
      throw bad(`unknown kind '${(input as { kind: string }).kind}'; accepted: constant, step, trace`);
  }
}

/** The current during grid step k of width dt (its value at the step's start). */
export function currentAtStep(input: CurrentInput, dt: number): (step: number) => number {
  switch (input.kind) {
    case "constant": {
      const a = input.amplitude;
      return () => a;
    }
    case "step": {
      const { amplitude, start, stop = Number.POSITIVE_INFINITY, baseline = 0 } = input;
      // A small tolerance keeps "start = 50 ms" on the 50 ms grid point despite rounding of k·dt.
      return (k) => {
        const t = k * dt + 1e-12;
        return t >= start && t < stop ? amplitude : baseline;
      };
    }
    case "trace": {
      const { samples } = input;
      const ratio = dt / input.dt;
      return (k) => samples[Math.min(samples.length - 1, Math.floor(k * ratio + 1e-9))] as number;
    }
  }
}
