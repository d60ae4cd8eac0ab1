/**
 * Sweep grids: a JSON file naming the experiments of a sweep as a base
 * config, axes whose values are crossed, and/or a list of configs. Expanding
 * a grid gives its jobs; checking one lists every problem with its path and
 * what is accepted (like the network spec's validation).
 *
 * @example
 * ```json
 * {
 *   "kind": "train",
 *   "base": { "model": "snn", "epochs": 1, "trainCount": 10000, "testCount": 2000 },
 *   "grid": { "seed": [1, 2, 3], "timeSteps": [5, 10, 25, 50] },
 *   "list": [{ "model": "snn" }, { "model": "snn", "network.neuron": "alif" }]
 * }
 * ```
 * gives 3 × 4 jobs per list entry. Keys may be dotted paths into the config
 * (`network.neuron`, `network.beta`).
 */
import { ValidationError, type ValidationIssue } from "@neurobridge/core";

/** A sweep as written in its file. */
export interface SweepGrid {
  /** The job kind every job runs (default `train`). */
  readonly kind?: string;
  /** Settings shared by every job. */
  readonly base?: Readonly<Record<string, unknown>>;
  /** Axes: each key's values are crossed with every other key's. */
  readonly grid?: Readonly<Record<string, readonly unknown[]>>;
  /** Configs run each with the whole grid (default: one empty entry). */
  readonly list?: readonly Readonly<Record<string, unknown>>[];
}

/** A job before its kind has completed it with defaults: the kind and the settings the grid gave. */
export interface GridJob {
  readonly kind: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** The grid axes and list keys this job's settings came from, with their values (for the results table). */
  readonly axes: Readonly<Record<string, unknown>>;
}

const KEYS = ["kind", "base", "grid", "list", "format", "version", "description"];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const MAX_JOBS = 100_000;

/** Every problem of `value` as a sweep grid (empty when it is one). */
export function checkSweepGrid(value: unknown): ValidationIssue[] {
  if (!isObject(value)) return [{ path: "(grid)", message: "must be a JSON object with base, grid and/or list" }];
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(value))
    if (!KEYS.includes(key)) issues.push({ path: key, message: `is not a grid key; accepted: ${KEYS.join(", ")}` });
  if (value.kind !== undefined && (typeof value.kind !== "string" || !value.kind))
    issues.push({ path: "kind", message: "must be the name of a job kind, e.g. train" });
  if (value.base !== undefined && !isObject(value.base)) issues.push({ path: "base", message: "must be an object of settings" });
  let jobs = 1;
  if (value.grid !== undefined) {
    if (!isObject(value.grid)) issues.push({ path: "grid", message: 'must be an object of axes, e.g. { "seed": [1, 2, 3] }' });
    else {
      for (const [axis, values] of Object.entries(value.grid)) {
        if (!Array.isArray(values) || values.length === 0)
          issues.push({ path: `grid.${axis}`, message: "must be a non-empty array of values" });
        else jobs *= values.length;
      }
    }
  }
  if (value.list !== undefined) {
    if (!Array.isArray(value.list) || value.list.length === 0)
      issues.push({ path: "list", message: "must be a non-empty array of objects" });
    else {
      value.list.forEach((entry, i) => {
        if (!isObject(entry)) issues.push({ path: `list[${i}]`, message: "must be an object of settings" });
      });
      jobs *= value.list.length;
    }
  }
  if (jobs > MAX_JOBS) issues.push({ path: "grid", message: `expands to ${jobs} jobs; at most ${MAX_JOBS} are accepted` });
  issues.push(...keyIssues(value), ...conflictIssues(value));
  return issues;
}

/** Keys that would reach an object's prototype when a setting is written by its path. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Every dotted setting path of `settings` (objects unfolded; arrays and scalars are leaves). */
function settingPaths(settings: unknown, prefix = ""): string[] {
  if (!isObject(settings)) return prefix ? [prefix] : [];
  return Object.entries(settings).flatMap(([key, value]) => settingPaths(value, prefix ? `${prefix}.${key}` : key));
}

/** Setting names with a key that reaches a prototype (`__proto__.x`): refused, not dropped. */
function keyIssues(value: Record<string, unknown>): ValidationIssue[] {
  const sections: [string, unknown][] = [
    ["base", value.base],
    ["grid", value.grid],
    ...(Array.isArray(value.list) ? value.list.map((entry, i): [string, unknown] => [`list[${i}]`, entry]) : []),
  ];
  const issues: ValidationIssue[] = [];
  for (const [where, section] of sections) {
    if (!isObject(section)) continue;
    // A grid axis's values are settings too (an axis "network" of objects).
    const paths = where === "grid" ? Object.keys(section) : settingPaths(section);
    for (const path of paths) {
      if (path.split(".").some((k) => FORBIDDEN_KEYS.has(k)))
        issues.push({
          path: `${where}.${path}`,
          message: `'${path}' names no setting (${[...FORBIDDEN_KEYS].join(", ")} are not setting names)`,
        });
    }
  }
  return issues;
}

/** A setting given by two axes, or by an axis and a list entry: which one wins would be silent. */
function conflictIssues(value: Record<string, unknown>): ValidationIssue[] {
  if (!isObject(value.grid)) return [];
  const axes = Object.keys(value.grid);
  const issues: ValidationIssue[] = [];
  const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
  axes.forEach((a, i) => {
    for (const b of axes.slice(i + 1))
      if (overlaps(a, b)) issues.push({ path: `grid.${b}`, message: `sets what axis '${a}' sets; keep one` });
  });
  if (Array.isArray(value.list)) {
    value.list.forEach((entry, i) => {
      for (const path of settingPaths(entry)) {
        const axis = axes.find((a) => overlaps(a, path));
        if (axis) issues.push({ path: `list[${i}].${path}`, message: `is also the grid axis '${axis}'; set it in one place` });
      }
    });
  }
  return issues;
}

/** `value` as a sweep grid, or a {@link ValidationError} listing every problem. */
export function parseSweepGrid(value: unknown, source = "sweep grid"): SweepGrid {
  const issues = checkSweepGrid(value);
  if (issues.length) throw new ValidationError(source, issues, "GRID_INVALID");
  return value as SweepGrid;
}

/** The value at the dotted `path` of `config` (`network.beta`), or undefined. */
export const valueAt = (config: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), config);

/** Sets the dotted `path` of `target` to `value` (creating objects on the way). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let at = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(at[key])) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys[keys.length - 1] as string] = value;
}

/** The settings with dotted keys unfolded into nested objects (`{"network.beta": 0.9}` → `{network: {beta: 0.9}}`). */
export function unfold(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (isObject(value) && isObject(out[key])) setPath(out, key, { ...(out[key] as object), ...value });
    else setPath(out, key, isObject(value) ? unfold(value) : value);
  }
  return out;
}

/** Deep merge of settings objects, later ones winning (arrays and scalars are replaced). */
export function mergeSettings(...parts: readonly Readonly<Record<string, unknown>>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part))
      out[key] = isObject(value) && isObject(out[key]) ? mergeSettings(out[key], value) : value;
  }
  return out;
}

/** The jobs of `grid`, in order: list entries outermost, then the axes in their file order (last fastest). */
export function expandGrid(grid: SweepGrid): GridJob[] {
  const kind = grid.kind ?? "train";
  const axes = Object.entries(grid.grid ?? {});
  const combos: Record<string, unknown>[] = [{}];
  for (const [axis, values] of axes) {
    const next: Record<string, unknown>[] = [];
    for (const combo of combos) for (const v of values) next.push({ ...combo, [axis]: v });
    combos.splice(0, combos.length, ...next);
  }
  const jobs: GridJob[] = [];
  for (const entry of grid.list ?? [{}]) {
    for (const combo of combos) {
      jobs.push({
        kind,
        settings: mergeSettings(unfold(grid.base ?? {}), unfold(entry), unfold(combo)),
        axes: { ...entry, ...combo },
      });
    }
  }
  return jobs;
}
