/**
 * Reads a sampled input current for `lif simulate --current-file`:
 * - CSV with a header `time_<unit>,current_<unit>` (e.g. `time_ms,current_pA`)
 *   and one row per sample at a uniform interval;
 * - JSON `{ "dt": "0.1ms", "unit": "pA", "samples": [250, 260, …] }`.
 * The current is held constant between samples (kind `trace`).
 */

import { resolve } from "node:path";
import { DataFileError, NeuroBridgeError, parseQuantity } from "@neurobridge/core";
import type { CurrentInput } from "@neurobridge/neurons-lif";
import { readJsonFile, readTextFile } from "../files.js";
import { checkOutputFile, FORMATS } from "../output-files.js";

const unitScale = (file: string, unit: string, dimension: "time" | "current") => {
  try {
    return parseQuantity(`1${unit}`, dimension, `${dimension} unit`);
  } catch (error) {
    throw new DataFileError(file, `${(error as Error).message}`);
  }
};

function fromCsv(file: string, text: string): CurrentInput {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((s) => s.trim());
  const m0 = header[0]?.match(/^time_(\w+)$/);
  const m1 = header[1]?.match(/^current_(\w+)$/);
  if (!m0 || !m1) {
    throw new DataFileError(file, `the header must be 'time_<unit>,current_<unit>' (e.g. time_ms,current_pA); got '${lines[0] ?? ""}'`);
  }
  const ts = unitScale(file, m0[1] as string, "time");
  const is = unitScale(file, m1[1] as string, "current");
  const times: number[] = [];
  const samples: number[] = [];
  lines.slice(1).forEach((line, k) => {
    const fields = line.split(",").map((s) => s.trim());
    // Number("") is 0: an empty field must not pass as zero current.
    const [t, i] = fields.map((f) => (f === "" ? Number.NaN : Number(f)));
    if (fields.length !== 2 || !Number.isFinite(t) || !Number.isFinite(i)) {
      throw new DataFileError(file, `line ${k + 2}: expected two numbers 'time,current', got '${line}'`);
    }
    times.push((t as number) * ts);
    samples.push((i as number) * is);
  });
  if (samples.length < 2) throw new DataFileError(file, "needs at least two samples to know the sample interval");
  // Sample k is the current from k·dt on; a trace that starts later would be shifted to 0 silently.
  if (times[0] !== 0)
    throw new DataFileError(file, `the first sample is at ${lines[1]?.split(",")[0]?.trim()} ${m0[1]}; the trace must start at time 0`);
  const dt = (times[1] as number) - (times[0] as number);
  for (let k = 1; k < times.length; k++) {
    const step = (times[k] as number) - (times[k - 1] as number);
    if (!(dt > 0) || Math.abs(step - dt) > 1e-9 * Math.max(1, dt) + 1e-12) {
      throw new DataFileError(
        file,
        `samples must be evenly spaced in time; the interval at line ${k + 2} differs from the first (${dt} s)`,
      );
    }
  }
  return { kind: "trace", dt, samples: Float64Array.from(samples) };
}

function fromJson(file: string): CurrentInput {
  const value = readJsonFile(file) as { dt?: unknown; unit?: unknown; samples?: unknown };
  if (typeof value?.dt !== "string" || typeof value.unit !== "string" || !Array.isArray(value.samples)) {
    throw new DataFileError(file, `expected { "dt": "0.1ms", "unit": "pA", "samples": [numbers] }`);
  }
  const dt = parseQuantity(value.dt, "time", `${file}: dt`);
  const scale = unitScale(file, value.unit, "current");
  const samples = value.samples.map((x, k) => {
    if (typeof x !== "number" || !Number.isFinite(x))
      throw new DataFileError(file, `samples[${k}] is ${JSON.stringify(x)}; expected a number`);
    return x * scale;
  });
  return { kind: "trace", dt, samples: Float64Array.from(samples) };
}

/** The sampled current in `file` (.csv or .json). */
export function readCurrentFile(file: string): CurrentInput {
  return file.endsWith(".json") ? fromJson(file) : fromCsv(file, readTextFile(file));
}

/** The `--current` / `--current-file` / `--step-start` / `--step-stop` flags of a simulate command. */
export interface CurrentFlags {
  readonly currentFile?: string;
  readonly stepStart?: string;
  readonly stepStop?: string;
}

/**
 * The input current the flags describe: the sampled file, a step of
 * `amplitude` (A) from `--step-start` to `--step-stop`, or a constant.
 */
export function currentFromFlags(o: CurrentFlags, amplitude: number): CurrentInput {
  if (o.stepStop !== undefined && o.stepStart === undefined) {
    throw new NeuroBridgeError("OPTION_INVALID", "--step-stop needs --step-start (the step's onset)");
  }
  if (o.currentFile !== undefined) {
    if (o.stepStart !== undefined)
      throw new NeuroBridgeError("OPTION_INVALID", "--step-start shapes --current; a --current-file is already a time course");
    return readCurrentFile(o.currentFile);
  }
  if (o.stepStart === undefined) return { kind: "constant", amplitude };
  const start = parseQuantity(o.stepStart, "time", "--step-start");
  const stop = o.stepStop !== undefined ? parseQuantity(o.stepStop, "time", "--step-stop") : undefined;
  if (start < 0) throw new NeuroBridgeError("OPTION_INVALID", `--step-start ${o.stepStart}: must not be negative`);
  if (stop !== undefined && stop < start) {
    throw new NeuroBridgeError("OPTION_INVALID", `--step-stop ${o.stepStop} is before --step-start ${o.stepStart}`);
  }
  return { kind: "step", amplitude, start, ...(stop !== undefined ? { stop } : {}) };
}

/**
 * `--out` of a trace: a .csv or .json file that is not one of the run's
 * `inputs` (e.g. `--current-file`, `--params`) nor, without `--force`, a file
 * of another format or a checkpoint's own file.
 */
export function traceOutOption(out: string | undefined, options: { force?: boolean; inputs?: readonly (string | undefined)[] } = {}): void {
  if (out === undefined) return;
  checkOutputFile(out, [FORMATS.csv, FORMATS.json], { ...(options.force ? { force: true } : {}) });
  for (const input of options.inputs ?? []) {
    if (input !== undefined && resolve(input) === resolve(out)) {
      throw new NeuroBridgeError("OPTION_INVALID", `--out ${out}: is also an input of this run; write the trace to another file`);
    }
  }
}
