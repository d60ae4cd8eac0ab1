/**
 * Physical quantities written with SI units and prefixes (`250pA`, `0.25nA`,
 * `10ms`, `-75mV`). Parsing always checks the dimension, so a time passed where
 * a current is expected is an error rather than a silently wrong number.
 *
 * All values inside NeuroBridge are SI base units (A, s, V, S, F, Hz, Ω).
 */
import { UnitError } from "./errors.js";

/** The physical dimensions NeuroBridge accepts in user input. */
export type Dimension = "current" | "time" | "voltage" | "conductance" | "capacitance" | "frequency" | "resistance";

const BASE_UNIT: Record<Dimension, readonly string[]> = {
  current: ["A"],
  time: ["s"],
  voltage: ["V"],
  conductance: ["S"],
  capacitance: ["F"],
  frequency: ["Hz"],
  resistance: ["Ohm", "ohm", "Ω"],
};

const PREFIX: Record<string, number> = {
  f: 1e-15,
  p: 1e-12,
  n: 1e-9,
  u: 1e-6,
  µ: 1e-6,
  μ: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
};

const DISPLAY_PREFIXES = ["f", "p", "n", "u", "m", "", "k", "M", "G"] as const;

/** Units accepted for a dimension, for error messages (e.g. `fA, pA, nA, uA, mA, A, kA …`). */
export function acceptedUnits(dimension: Dimension): string[] {
  const base = BASE_UNIT[dimension][0] as string;
  return DISPLAY_PREFIXES.map((p) => `${p}${base}`);
}

const NUMBER = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$/;

function unitScale(unit: string, dimension: Dimension): number | undefined {
  for (const base of BASE_UNIT[dimension]) {
    if (!unit.endsWith(base)) continue;
    const prefix = unit.slice(0, unit.length - base.length);
    const scale = PREFIX[prefix];
    if (scale !== undefined) return scale;
  }
  return undefined;
}

/**
 * Parses a quantity such as `250pA` into SI base units (here 2.5e-10 A).
 *
 * A bare number is rejected (its unit would be a guess) except `0`, which means
 * zero in any unit.
 *
 * @param text - the quantity as written by a user
 * @param dimension - the dimension the caller expects
 * @param what - what the value is, for the error message (e.g. `--current`)
 * @throws {@link UnitError} naming the accepted units when the text is not a
 *   finite number followed by a unit of `dimension`
 */
export function parseQuantity(text: string, dimension: Dimension, what: string = dimension): number {
  const accepted = acceptedUnits(dimension).join(", ");
  const match = NUMBER.exec(String(text));
  if (!match) {
    throw new UnitError(
      `${what}: '${text}' is not a ${dimension}. Write a number with a unit, e.g. ${example(dimension)} (accepted units: ${accepted}).`,
    );
  }
  const value = Number(match[1]);
  const unit = match[2] ?? "";
  if (!Number.isFinite(value)) {
    throw new UnitError(`${what}: '${text}' is not a finite number.`);
  }
  if (unit === "") {
    if (value === 0) return 0;
    throw new UnitError(`${what}: '${text}' has no unit. Write e.g. ${example(dimension)} (accepted units: ${accepted}).`);
  }
  const scale = unitScale(unit, dimension);
  if (scale === undefined) {
    throw new UnitError(`${what}: unit '${unit}' in '${text}' is not a unit of ${dimension}. Accepted units: ${accepted}.`);
  }
  return value * scale;
}

function example(dimension: Dimension): string {
  switch (dimension) {
    case "current":
      return "250pA";
    case "time":
      return "10ms";
    case "voltage":
      return "-55mV";
    case "conductance":
      return "10nS";
    case "capacitance":
      return "100pF";
    case "frequency":
      return "40Hz";
    case "resistance":
      return "100MOhm";
  }
}

/**
 * Formats an SI value with the prefix that keeps the mantissa in [1, 1000),
 * e.g. `formatQuantity(2.5e-10, "current")` → `"250 pA"`.
 */
export function formatQuantity(value: number, dimension: Dimension, digits = 4): string {
  const base = BASE_UNIT[dimension][0] as string;
  if (value === 0 || !Number.isFinite(value)) return `${value} ${base}`;
  const exp = Math.floor(Math.log10(Math.abs(value)) / 3) * 3;
  const clamped = Math.min(9, Math.max(-15, exp));
  const prefix = DISPLAY_PREFIXES[(clamped + 15) / 3] ?? "";
  const mantissa = value / 10 ** clamped;
  return `${Number(mantissa.toPrecision(digits))} ${prefix}${base}`;
}
