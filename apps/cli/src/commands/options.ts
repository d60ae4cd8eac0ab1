/** Parsing of command-line options, with errors that name the flag and what it accepts. */
import { NeuroBridgeError } from "@neurobridge/core";
import { MNIST_NORMALIZATIONS, type MnistNormalization } from "@neurobridge/mnist";

/** `--normalization`: a pixel scaling MNIST knows. */
export function normalizationOption(value: string): MnistNormalization {
  if (!(MNIST_NORMALIZATIONS as readonly string[]).includes(value)) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `--normalization: unknown normalization '${value}'; accepted: ${MNIST_NORMALIZATIONS.join(", ")}`,
    );
  }
  return value as MnistNormalization;
}

/** An integer ≥ `min` (default 1) and, when given, ≤ `max`. */
export function positiveInt(value: string, flag: string, min = 1, max?: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new NeuroBridgeError("OPTION_INVALID", `${flag}: expected an integer >= ${min}, got '${value}'`);
  if (max !== undefined && n > max) throw new NeuroBridgeError("OPTION_INVALID", `${flag}: at most ${max}, got '${value}'`);
  return n;
}

/** A finite number > 0 and, when given, ≤ `max`. */
export function positiveNumber(value: string, flag: string, max?: number): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new NeuroBridgeError("OPTION_INVALID", `${flag}: expected a positive number, got '${value}'`);
  if (max !== undefined && n > max) throw new NeuroBridgeError("OPTION_INVALID", `${flag}: at most ${max}, got '${value}'`);
  return n;
}

/**
 * Upper bounds of the options that size work or waiting: past them a value is
 * a typo, or it overflows a timer (Node's timers hold ~24.8 days) and turns a
 * wait into a busy loop.
 */
export const OPTION_LIMITS = {
  /** Threads or processes at once (workers, concurrency, emulator threads). */
  parallel: 256,
  /** Attempts per sweep job. */
  attempts: 100,
  /** Seconds of a lock or an idle wait: a day. */
  waitSeconds: 86_400,
  /** Epochs of one training run. */
  epochs: 100_000,
  /** Examples per batch. */
  batch: 1 << 20,
} as const;

/** Most time steps one simulated neuron may take (a trace of this many samples is ~160 MB). */
export const MAX_STEPS = 20_000_000;
/** Most neuron-steps one sweep may take (about a minute of work). */
export const MAX_SWEEP_STEPS = 2_000_000_000;

/**
 * Refuses a simulation too long to finish or to hold in memory: `duration / dt`
 * steps (times `neurons` for a sweep) against the budget, naming the flags.
 */
export function checkSteps(duration: number, dt: number, neurons = 1): void {
  if (!(dt > 0)) throw new NeuroBridgeError("OPTION_INVALID", `--dt: must be a positive time, got ${dt} s`);
  if (!(duration > 0) || !Number.isFinite(duration))
    throw new NeuroBridgeError("OPTION_INVALID", `--duration: must be a positive, finite time, got ${duration} s`);
  if (dt > duration) throw new NeuroBridgeError("OPTION_INVALID", `--dt ${dt} s is longer than --duration ${duration} s`);
  const steps = Math.ceil(duration / dt);
  const budget = neurons > 1 ? MAX_SWEEP_STEPS : MAX_STEPS;
  if (steps * neurons > budget) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      neurons > 1
        ? `--duration / --dt: ${neurons} currents × ${steps.toExponential(2)} steps is ${(steps * neurons).toExponential(2)} neuron-steps; at most ${budget.toExponential(0)} (shorten --duration, raise --dt or --step)`
        : `--duration / --dt: ${steps.toExponential(2)} time steps; at most ${budget.toExponential(0)} (shorten --duration or raise --dt)`,
    );
  }
}

/** Most currents in one F–I sweep. */
export const MAX_SWEEP_POINTS = 10_000;

/**
 * Checks an F–I sweep (`--from`, `--to`, `--step` in amperes) and its protocol's
 * length; returns the number of currents.
 */
export function checkSweep(
  sweep: { from: number; to: number; step: number },
  protocol: { duration: number; dt: number },
  given: { from?: string; to?: string; step?: string } = {},
  flags = { from: "--from", to: "--to", step: "--step" },
): number {
  const pa = (x: number) => `${+(x * 1e12).toPrecision(6)}pA`;
  if (!(sweep.step > 0))
    throw new NeuroBridgeError("SWEEP_INVALID", `${flags.step}: must be a positive current, got ${given.step ?? pa(sweep.step)}`);
  if (!(sweep.to >= sweep.from))
    throw new NeuroBridgeError(
      "SWEEP_INVALID",
      `${flags.from} ${given.from ?? pa(sweep.from)} must not be above ${flags.to} ${given.to ?? pa(sweep.to)}`,
    );
  const points = Math.floor((sweep.to - sweep.from) / sweep.step + 1e-9) + 1;
  if (!(points <= MAX_SWEEP_POINTS)) {
    throw new NeuroBridgeError("SWEEP_INVALID", `the sweep has ${points} currents; at most ${MAX_SWEEP_POINTS} (raise ${flags.step})`);
  }
  checkSteps(protocol.duration, protocol.dt, points);
  return points;
}

/** `--seed`: an integer in [0, 4294967295] (the runtime's seed range). */
export function seedOption(value: string, flag = "--seed"): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new NeuroBridgeError("OPTION_INVALID", `${flag}: expected an integer in [0, 4294967295], got '${value}'`);
  }
  return n;
}
