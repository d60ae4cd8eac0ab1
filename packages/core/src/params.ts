/**
 * Declarative parameter descriptions shared by neuron models, encoders,
 * surrogates and losses, and the one function that validates user-supplied
 * values against them.
 */
import type { ValidationIssue } from "./errors.js";

/** A parameter value as it appears in a spec or on the command line. */
export type ParamValue = number | boolean | string;

/** Describes one parameter: its meaning, unit, default and accepted values. */
export interface ParamSpec {
  readonly name: string;
  readonly description: string;
  /** `number` (finite float), `integer`, `boolean` or `enum` (one of `values`). */
  readonly type: "number" | "integer" | "boolean" | "enum";
  readonly default: ParamValue;
  /** SI unit, or `1` for dimensionless quantities. */
  readonly unit?: string;
  /** Inclusive lower bound unless `exclusiveMin`. */
  readonly min?: number;
  /** Inclusive upper bound unless `exclusiveMax`. */
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  /** Accepted values of an `enum` parameter. */
  readonly values?: readonly string[];
  /** A neuron parameter that may be given per neuron (an array of `size` numbers). */
  readonly perNeuron?: boolean;
  /** A neuron parameter that training may learn (listed in the node's `learn`). */
  readonly learnable?: boolean;
}

/** Human-readable accepted range of a numeric parameter, e.g. `(0, 1)` or `>= 1`. */
export function describeRange(spec: ParamSpec): string {
  if (spec.type === "enum") return `one of ${(spec.values ?? []).map((v) => `'${v}'`).join(", ")}`;
  if (spec.type === "boolean") return "true or false";
  const kind = spec.type === "integer" ? "an integer" : "a finite number";
  const lo = spec.min === undefined ? "" : `${spec.exclusiveMin ? ">" : ">="} ${spec.min}`;
  const hi = spec.max === undefined ? "" : `${spec.exclusiveMax ? "<" : "<="} ${spec.max}`;
  const bounds = [lo, hi].filter(Boolean).join(" and ");
  return bounds ? `${kind} ${bounds}` : kind;
}

function checkNumber(spec: ParamSpec, value: unknown, path: string, issues: ValidationIssue[]): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    issues.push({ path, message: `must be ${describeRange(spec)}, got ${String(value)}` });
    return;
  }
  const bad =
    (spec.type === "integer" && !Number.isInteger(value)) ||
    (spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min)) ||
    (spec.max !== undefined && (spec.exclusiveMax ? value >= spec.max : value > spec.max));
  if (bad) issues.push({ path, message: `must be ${describeRange(spec)}, got ${value}` });
}

/**
 * Validates `given` against `specs` and returns the values with defaults filled
 * in, plus every issue found. Unknown names are issues (they are usually typos).
 *
 * @param size - for per-neuron parameters, the accepted array length
 */
export function resolveParams(
  specs: readonly ParamSpec[],
  given: Readonly<Record<string, unknown>> | undefined,
  path: string,
  size?: number,
): { values: Record<string, ParamValue | number[]>; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const values: Record<string, ParamValue | number[]> = {};
  const input = given ?? {};
  if (typeof input !== "object" || Array.isArray(input)) {
    return { values, issues: [{ path, message: "must be an object of named parameters" }] };
  }
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(input)) {
    if (!known.has(name)) {
      const accepted = specs.length ? specs.map((s) => s.name).join(", ") : "(this takes no parameters)";
      issues.push({ path: `${path}.${name}`, message: `unknown parameter; accepted: ${accepted}` });
    }
  }
  for (const spec of specs) {
    const p = `${path}.${spec.name}`;
    const value = input[spec.name] ?? spec.default;
    if (spec.type === "boolean") {
      if (typeof value !== "boolean") issues.push({ path: p, message: `must be true or false, got ${String(value)}` });
    } else if (spec.type === "enum") {
      if (typeof value !== "string" || !(spec.values ?? []).includes(value)) {
        issues.push({ path: p, message: `must be ${describeRange(spec)}, got ${JSON.stringify(value)}` });
      }
    } else if (Array.isArray(value)) {
      if (!spec.perNeuron) {
        issues.push({ path: p, message: `must be a single value (${describeRange(spec)}), got an array` });
      } else if (size !== undefined && value.length !== size) {
        issues.push({ path: p, message: `per-neuron array must have ${size} entries (the layer size), got ${value.length}` });
      } else {
        value.forEach((v, i) => {
          checkNumber(spec, v, `${p}[${i}]`, issues);
        });
      }
    } else {
      checkNumber(spec, value, p, issues);
    }
    values[spec.name] = value as ParamValue | number[];
  }
  return { values, issues };
}

/** The defaults of `specs` as an object. */
export function defaultParams(specs: readonly ParamSpec[]): Record<string, ParamValue> {
  return Object.fromEntries(specs.map((s) => [s.name, s.default]));
}
