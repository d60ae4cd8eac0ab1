/**
 * `neurobridge neuron simulate | fi | fit --model lif|eif|adex|alif|coba`:
 * the LIF family of `@neurobridge/neurons-lif` on the command line, with the
 * `lif` command's units, protocols and JSON (`neurobridge lif …` keeps
 * working). Models come from the family's catalog; `--preset` picks a
 * published parameter set and `--params` overrides any parameter.
 */
import { NeuroBridgeError, parseQuantity } from "@neurobridge/core";
import {
  adaptationIndex,
  type CurrentInput,
  displayParams,
  type FamilyProtocol,
  familyFi,
  familyFits,
  interSpikeIntervals,
  POINT_NEURONS,
  type PointNeuron,
  type PointParamInput,
  type PointParams,
  pointParams,
} from "@neurobridge/neurons-lif";
import type { Command } from "commander";
import { readJsonFile, writeFileAtomic } from "../files.js";
import { printJson } from "../output.js";
import { currentFromFlags, traceOutOption } from "./current-file.js";
import { checkSteps, checkSweep, seedOption } from "./options.js";

const round = (x: number, digits = 6) => Number(x.toFixed(digits));
const models = Object.keys(POINT_NEURONS);

function modelOption(name: string): PointNeuron {
  const model = POINT_NEURONS[name];
  if (!model) throw new NeuroBridgeError("OPTION_INVALID", `--model: unknown neuron model '${name}'; accepted: ${models.join(", ")}`);
  return model;
}

interface CommonOptions {
  model: string;
  preset?: string;
  params?: string;
  json?: boolean;
}

/** The model's parameters: defaults, then `--preset`, then `--params` (JSON, values with units). */
function parameters(model: PointNeuron, o: CommonOptions): PointParams {
  let raw: PointParamInput = {};
  if (o.params) {
    const value = readJsonFile(o.params);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new NeuroBridgeError("NEURON_PARAMS_INVALID", `${o.params}: must be a JSON object such as { "tauW": "144ms", "b": "80.5pA" }`);
    }
    raw = value as PointParamInput;
  }
  try {
    return pointParams(model, raw, o.preset);
  } catch (error) {
    throw new NeuroBridgeError("NEURON_PARAMS_INVALID", `${o.params ? `${o.params}: ` : ""}${(error as Error).message}`);
  }
}

function integratorOption(model: PointNeuron, value: string | undefined): string {
  const v = value ?? (model.integrators[0] as string);
  if (!model.integrators.includes(v)) {
    throw new NeuroBridgeError(
      "INTEGRATOR_INVALID",
      `--integrator: '${v}' does not integrate ${model.name}; accepted: ${model.integrators.join(", ")}`,
    );
  }
  return v;
}

interface SimulateOptions extends CommonOptions {
  current?: string;
  currentFile?: string;
  duration: string;
  dt: string;
  integrator?: string;
  stepStart?: string;
  stepStop?: string;
  seed: string;
  out?: string;
  force?: boolean;
}

function runSimulate(o: SimulateOptions): void {
  const model = modelOption(o.model);
  const p = parameters(model, o);
  if (o.current !== undefined && o.currentFile !== undefined) {
    throw new NeuroBridgeError("OPTION_INVALID", "give one of --current and --current-file, not both");
  }
  const presetCurrent = o.preset ? model.presets[o.preset]?.current : undefined;
  if (o.current === undefined && o.currentFile === undefined && presetCurrent === undefined) {
    throw new NeuroBridgeError("OPTION_INVALID", "give --current (e.g. 250pA) or --current-file (a sampled current, .csv or .json)");
  }
  traceOutOption(o.out, { ...(o.force ? { force: true } : {}), inputs: [o.currentFile, o.params] });
  const sampled = o.currentFile !== undefined;
  const amplitude = o.current !== undefined ? parseQuantity(o.current, "current", "--current") : (presetCurrent ?? Number.NaN);
  const duration = parseQuantity(o.duration, "time", "--duration");
  const dt = parseQuantity(o.dt, "time", "--dt");
  const integrator = integratorOption(model, o.integrator);
  const seed = seedOption(o.seed);
  checkSteps(duration, dt);
  const input: CurrentInput = currentFromFlags(o, amplitude);
  const trace = model.simulate(p, input, { duration, dt, integrator, record: o.out !== undefined, seed });
  const spikeTimesMs = trace.spikeTimes.map((t) => round(t * 1e3, 6));
  const isi = interSpikeIntervals(trace.spikeTimes);
  const analytic = input.kind === "constant" ? model.analyticRate?.(p, amplitude) : undefined;
  const result = {
    model: model.name,
    preset: o.preset ?? null,
    currentPA: sampled ? null : round(amplitude * 1e12),
    ...(o.currentFile ? { currentFile: o.currentFile } : {}),
    durationMs: round(duration * 1e3),
    dtMs: round(dt * 1e3),
    integrator,
    spikeTimesMs,
    spikeCount: spikeTimesMs.length,
    rateHz: round(spikeTimesMs.length / duration),
    analyticRateHz: analytic === undefined || Number.isNaN(analytic) ? null : round(analytic),
    firstIsiHz: isi.length ? round(1 / (isi[0] as number)) : null,
    steadyIsiHz: isi.length ? round(1 / (isi.at(-1) as number)) : null,
    adaptationIndex: isi.length >= 2 ? round(adaptationIndex(trace.spikeTimes)) : null,
    rheobasePA: round(model.rheobase(p) * 1e12),
    parameters: displayParams(model, p),
    ...(o.out ? { traceFile: o.out } : {}),
  };
  if (o.out && trace.states) {
    const states = Object.entries(trace.states);
    const steps = (states[0]?.[1].length ?? 1) - 1;
    if (o.out.endsWith(".json")) {
      writeFileAtomic(
        o.out,
        `${JSON.stringify({ dtMs: result.dtMs, spikeTimesMs, states: Object.fromEntries(states.map(([k, v]) => [k, Array.from(v)])) })}\n`,
      );
    } else {
      const lines = [["t_ms", ...states.map(([k]) => `${k}_SI`)].join(",")];
      for (let k = 0; k <= steps; k++) lines.push([round(k * dt * 1e3), ...states.map(([, v]) => v[k] as number)].join(","));
      writeFileAtomic(o.out, `${lines.join("\n")}\n`);
    }
  }
  if (o.json) {
    printJson(result);
    return;
  }
  process.stdout.write(
    [
      `${model.name}${o.preset ? ` (${o.preset})` : ""} at ${result.currentPA !== null ? `${result.currentPA} pA` : `the current in ${o.currentFile}`} for ${result.durationMs} ms (dt ${result.dtMs} ms, ${integrator}; rheobase ${result.rheobasePA} pA)`,
      `spikes: ${result.spikeCount}  rate: ${result.rateHz} Hz${result.firstIsiHz !== null ? `  first ISI: ${result.firstIsiHz} Hz  last ISI: ${result.steadyIsiHz} Hz  adaptation index: ${result.adaptationIndex}` : ""}`,
      `spike times (ms): ${spikeTimesMs.length ? spikeTimesMs.map((t) => t.toFixed(2)).join(", ") : "none"}`,
      ...(o.out ? [`trace written to ${o.out}`] : []),
      "",
    ].join("\n"),
  );
}

interface FiOptions extends CommonOptions {
  from: string;
  to: string;
  step: string;
  duration: string;
  dt: string;
  integrator?: string;
  method: string;
  discard: string;
}

function protocolFrom(model: PointNeuron, o: FiOptions): FamilyProtocol {
  if (o.method !== "count" && o.method !== "isi") {
    throw new NeuroBridgeError("PROTOCOL_INVALID", `--method: unknown method '${o.method}'; accepted: count, isi`);
  }
  const duration = parseQuantity(o.duration, "time", "--duration");
  const discard = parseQuantity(o.discard, "time", "--discard");
  if (!(discard >= 0 && discard < duration)) {
    throw new NeuroBridgeError("PROTOCOL_INVALID", `--discard ${o.discard}: must be at least 0 and shorter than --duration ${o.duration}`);
  }
  return {
    duration,
    dt: parseQuantity(o.dt, "time", "--dt"),
    integrator: integratorOption(model, o.integrator),
    discard,
    method: o.method,
  };
}

function curve(o: FiOptions) {
  const model = modelOption(o.model);
  const p = parameters(model, o);
  const protocol = protocolFrom(model, o);
  const sweep = {
    from: parseQuantity(o.from, "current", "--from"),
    to: parseQuantity(o.to, "current", "--to"),
    step: parseQuantity(o.step, "current", "--step"),
  };
  checkSweep(sweep, protocol, o);
  const fi = familyFi(model, p, sweep, protocol);
  const rows = fi.rows.map((r) => ({
    currentPA: r.currentPA,
    simulatedHz: round(r.simulatedHz),
    analyticHz: r.analyticHz === null ? null : round(r.analyticHz),
    firstIsiHz: r.firstIsiHz === null ? null : round(r.firstIsiHz),
    steadyIsiHz: r.steadyIsiHz === null ? null : round(r.steadyIsiHz),
  }));
  const protocolJson = {
    durationMs: round(protocol.duration * 1e3),
    dtMs: round(protocol.dt * 1e3),
    integrator: protocol.integrator,
    discardMs: round(protocol.discard * 1e3),
    method: protocol.method,
  };
  return { model, p, fi, rows, protocolJson, sweep };
}

function runFi(o: FiOptions): void {
  const { model, p, fi, rows, protocolJson } = curve(o);
  if (o.json) {
    printJson({
      model: model.name,
      preset: o.preset ?? null,
      rheobasePA: fi.rheobasePA,
      protocol: protocolJson,
      parameters: displayParams(model, p),
      rows,
    });
    return;
  }
  const head = `${model.name}${o.preset ? ` (${o.preset})` : ""} F–I curve (rheobase ${fi.rheobasePA} pA; ${protocolJson.integrator}, dt ${protocolJson.dtMs} ms, ${protocolJson.durationMs} ms, ${protocolJson.method})`;
  const cell = (v: number | null) => (v === null ? "-" : v.toFixed(3)).padStart(12);
  process.stdout.write(
    `${head}\n${"current_pA".padStart(10)}  ${"simulated_Hz".padStart(12)}  ${"analytic_Hz".padStart(12)}  ${"first_ISI_Hz".padStart(12)}  ${"last_ISI_Hz".padStart(12)}\n${rows
      .map(
        (r) =>
          `${String(r.currentPA).padStart(10)}  ${cell(r.simulatedHz)}  ${cell(r.analyticHz)}  ${cell(r.firstIsiHz)}  ${cell(r.steadyIsiHz)}`,
      )
      .join("\n")}\n`,
  );
}

function runFit(o: FiOptions): void {
  const { model, fi, protocolJson, sweep } = curve(o);
  const fits = familyFits(fi.rows);
  const result = {
    model: model.name,
    preset: o.preset ?? null,
    rangePA: { from: round(sweep.from * 1e12), to: round(sweep.to * 1e12), step: round(sweep.step * 1e12) },
    protocol: protocolJson,
    rheobasePA: fi.rheobasePA,
    relu: { a: round(fits.relu.params.a), b: round(fits.relu.params.b), r2: round(fits.relu.r2), rmseHz: round(fits.relu.rmse, 4) },
    sigmoid: {
      L: round(fits.sigmoid.params.L),
      k: round(fits.sigmoid.params.k),
      x0: round(fits.sigmoid.params.x0),
      r2: round(fits.sigmoid.r2),
      rmseHz: round(fits.sigmoid.rmse, 4),
    },
  };
  if (o.json) {
    printJson(result);
    return;
  }
  process.stdout.write(
    [
      `Fits to ${model.name}'s simulated F–I curve over ${result.rangePA.from}–${result.rangePA.to} pA`,
      `  ReLU     a·max(0, x − b)        R² = ${result.relu.r2.toFixed(4)}  a=${result.relu.a}, b=${result.relu.b} pA`,
      `  sigmoid  L/(1+e^(−k(x − x0)))   R² = ${result.sigmoid.r2.toFixed(4)}  L=${result.sigmoid.L} Hz, k=${result.sigmoid.k}/pA, x0=${result.sigmoid.x0} pA`,
      "",
    ].join("\n"),
  );
}

const common = (cmd: Command) =>
  cmd
    .requiredOption("--model <name>", models.join(" | "))
    .option(
      "--preset <name>",
      "a published parameter set (adex: brette-gerstner-2005, tonic, adapting, initial-burst, bursting, delayed-accelerating, irregular)",
    )
    .option("--params <file.json>", 'parameter overrides as JSON, values with units (e.g. { "b": "60pA" })')
    .option("--json", "print one JSON object");

const fiFlags = (cmd: Command) =>
  common(cmd)
    .option("--from <current>", "first current of the sweep", "0pA")
    .option("--to <current>", "last current of the sweep", "1000pA")
    .option("--step <current>", "current step", "50pA")
    .option("--duration <time>", "simulated time per current", "1s")
    .option("--dt <time>", "time step", "0.1ms")
    .option("--integrator <name>", "euler | rk4 (lif: euler | exact); default the model's first")
    .option("--method <name>", "rate measurement: count | isi", "isi")
    .option("--discard <time>", "initial transient to ignore", "0s");

export function registerNeuronCommands(program: Command): void {
  const neuron = program
    .command("neuron")
    .description(`one neuron of the LIF family (${models.join(", ")}): simulate, F–I curve, activation fits`);
  common(
    neuron
      .command("simulate")
      .description("simulate one neuron under a constant, step or sampled current; print spikes, rates and adaptation"),
  )
    .option("--current <current>", "input current, e.g. 500pA (default: the preset's, if it names one)")
    .option("--current-file <file>", "a sampled current instead: CSV 'time_ms,current_pA' or JSON { dt, unit, samples }")
    .option("--duration <time>", "simulated time", "500ms")
    .option("--dt <time>", "time step", "0.01ms")
    .option("--integrator <name>", "euler | rk4 (lif: euler | exact)")
    .option("--step-start <time>", "make the input a step starting here (0 before)")
    .option("--step-stop <time>", "end of the step")
    .option("--seed <n>", "seed of stochastic inputs (coba's Poisson trains)", "0")
    .option("--out <file>", "write every state's trace (.csv, or .json)")
    .option("--force", "replace a --out file of another format")
    .action((o: SimulateOptions) => runSimulate(o));
  fiFlags(
    neuron.command("fi").description("F–I curve: simulated rate per current, analytic where one exists, first- and last-ISI rates"),
  ).action((o: FiOptions) => runFi(o));
  fiFlags(neuron.command("fit").description("fit ReLU and sigmoid to the simulated F–I curve, with R²")).action((o: FiOptions) =>
    runFit(o),
  );
}
