/**
 * Reads a sampled input current for `lif simulate --current-file`:
 * - CSV with a header `time_<unit>,current_<unit>` (e.g. `time_ms,current_pA`)
 *   and one row per sample at a uniform interval;
 * - JSON `{ "dt": "0.1ms", "unit": "pA", "samples": [250, 260, …] }`.
 * The current is held constant between samples (kind `trace`).
 */
import { DataFileError, parseQuantity } from "@neurobridge/core";
import type { CurrentInput } from "@neurobridge/neurons-lif";
import { readJsonFile, readTextFile } from "../files.js";

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
    const [t, i] = line.split(",").map((s) => Number(s.trim()));
    if (!Number.isFinite(t) || !Number.isFinite(i)) throw new DataFileError(file, `line ${k + 2}: expected two numbers, got '${line}'`);
    times.push((t as number) * ts);
    samples.push((i as number) * is);
  });
  if (samples.length < 2) throw new DataFileError(file, "needs at least two samples to know the sample interval");
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
  if (o.currentFile !== undefined) return readCurrentFile(o.currentFile);
  if (o.stepStart === undefined) return { kind: "constant", amplitude };
  return {
    kind: "step",
    amplitude,
    start: parseQuantity(o.stepStart, "time", "--step-start"),
    ...(o.stepStop !== undefined ? { stop: parseQuantity(o.stepStop, "time", "--step-stop") } : {}),
  };
}
