/**
 * `neurobridge lif simulate | fi | fit`: the single-neuron science of
 * `@neurobridge/neurons-lif` on the command line. Quantities take units
 * (`250pA`, `0.25nA`, `10ms`); a bad unit is a one-line error.
 */
import { type Dimension, NeuroBridgeError, parseQuantity } from "@neurobridge/core";
import {
  analyticRate,
  type CurrentInput,
  FI_METHODS,
  FI_PROTOCOLS,
  type FiProtocol,
  fiCurve,
  fitActivations,
  INTEGRATORS,
  type Integrator,
  type LifParameterInput,
  type LifParameters,
  lifParameters,
  rheobase,
  searchFitRange,
  simulateLif,
} from "@neurobridge/neurons-lif";
import type { Command } from "commander";
import { readJsonFile, writeFileAtomic } from "../files.js";
import { printJson } from "../output.js";
import { currentFromFlags, traceOutOption } from "./current-file.js";
import { checkSteps, checkSweep } from "./options.js";

const q = (text: string, dimension: Dimension, flag: string) => parseQuantity(text, dimension, flag);
const round = (x: number, digits = 6) => Number(x.toFixed(digits));

function integratorOption(value: string | undefined, fallback: Integrator): Integrator {
  const v = value ?? fallback;
  if (!(INTEGRATORS as readonly string[]).includes(v)) {
    throw new NeuroBridgeError("INTEGRATOR_INVALID", `--integrator: unknown integrator '${v}'; accepted: ${INTEGRATORS.join(", ")}`);
  }
  return v as Integrator;
}

function loadParameters(file: string | undefined): LifParameters {
  if (!file) return lifParameters();
  const raw = readJsonFile(file);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new NeuroBridgeError("LIF_PARAMS_INVALID", `${file}: must be a JSON object such as { "tauM": "10ms", "vTh": "-55mV" }`);
  }
  // Every LIF parameter has a dimension: a bare number (seconds? milliseconds?) is refused, not guessed.
  const bare = Object.entries(raw).filter(([, v]) => typeof v === "number");
  if (bare.length) {
    throw new NeuroBridgeError(
      "LIF_PARAMS_INVALID",
      `${file}: ${bare.map(([k, v]) => `${k}: ${v}`).join(", ")} has no unit; write values with their unit as strings, e.g. { "tauM": "20ms", "gL": "10nS" }`,
    );
  }
  try {
    return lifParameters(raw as LifParameterInput);
  } catch (error) {
    throw new NeuroBridgeError("LIF_PARAMS_INVALID", `${file}: ${(error as Error).message}`);
  }
}

/** Parameters in display units, for JSON output. */
const displayParameters = (p: LifParameters) => ({
  tauMMs: round(p.tauM * 1e3),
  gLNS: round(p.gL * 1e9),
  cMPF: round(p.cM * 1e12),
  eLMV: round(p.eL * 1e3),
  vThMV: round(p.vTh * 1e3),
  vResetMV: round(p.vReset * 1e3),
  tauRefMs: round(p.tauRef * 1e3),
});

interface SimulateOptions {
  current?: string;
  currentFile?: string;
  duration: string;
  dt: string;
  integrator?: string;
  params?: string;
  stepStart?: string;
  stepStop?: string;
  v0?: string;
  out?: string;
  force?: boolean;
  json?: boolean;
}

function runSimulate(o: SimulateOptions): void {
  const p = loadParameters(o.params);
  if ((o.current === undefined) === (o.currentFile === undefined)) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      "give exactly one of --current (e.g. 250pA) and --current-file (a sampled current, .csv or .json)",
    );
  }
  traceOutOption(o.out, { ...(o.force ? { force: true } : {}), inputs: [o.currentFile, o.params] });
  const sampled = o.currentFile !== undefined;
  const amplitude = o.current !== undefined ? q(o.current, "current", "--current") : Number.NaN;
  const duration = q(o.duration, "time", "--duration");
  const dt = q(o.dt, "time", "--dt");
  const integrator = integratorOption(o.integrator, "euler");
  checkSteps(duration, dt);
  const input: CurrentInput = currentFromFlags(o, amplitude);
  const trace = simulateLif(p, input, { duration, dt, integrator, ...(o.v0 !== undefined ? { v0: q(o.v0, "voltage", "--v0") } : {}) });
  const spikeTimesMs = trace.spikeTimes.map((t) => round(t * 1e3, 6));
  const result = {
    currentPA: sampled ? null : round(amplitude * 1e12),
    ...(o.currentFile ? { currentFile: o.currentFile } : {}),
    durationMs: round(duration * 1e3),
    dtMs: round(dt * 1e3),
    integrator,
    spikeTimesMs,
    spikeCount: spikeTimesMs.length,
    rateHz: round(spikeTimesMs.length / duration),
    analyticRateHz: input.kind === "constant" ? round(analyticRate(p, amplitude)) : null,
    rheobasePA: round(rheobase(p) * 1e12),
    parameters: displayParameters(p),
    ...(o.out ? { traceFile: o.out } : {}),
  };
  if (o.out) {
    const v = trace.voltage as Float64Array;
    if (o.out.endsWith(".json")) {
      writeFileAtomic(
        o.out,
        `${JSON.stringify({ dtMs: result.dtMs, voltageMV: Array.from(v, (x) => round(x * 1e3, 6)), spikeTimesMs })}\n`,
      );
    } else {
      const lines = ["t_ms,v_mV", ...Array.from(v, (x, k) => `${round(k * dt * 1e3, 6)},${round(x * 1e3, 6)}`)];
      writeFileAtomic(o.out, `${lines.join("\n")}\n`);
    }
  }
  if (o.json) {
    printJson(result);
    return;
  }
  const lines = [
    `LIF at ${result.currentPA !== null ? `${result.currentPA} pA` : `the current in ${o.currentFile}`} for ${result.durationMs} ms (dt ${result.dtMs} ms, ${integrator}; rheobase ${result.rheobasePA} pA)`,
    `spikes: ${result.spikeCount}  rate: ${result.rateHz} Hz (count/duration)${result.analyticRateHz !== null ? `  analytic steady state: ${result.analyticRateHz} Hz` : ""}`,
    `spike times (ms): ${spikeTimesMs.length ? spikeTimesMs.map((t) => t.toFixed(2)).join(", ") : "none"}`,
  ];
  if (o.out) lines.push(`trace written to ${o.out}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

interface FiOptions {
  from: string;
  to: string;
  step: string;
  protocol: string;
  duration?: string;
  dt?: string;
  integrator?: string;
  method?: string;
  discard?: string;
  params?: string;
  json?: boolean;
}

function protocolFrom(
  o: Pick<FiOptions, "protocol" | "duration" | "dt" | "integrator" | "method" | "discard">,
): FiProtocol & { name: string } {
  const base = (FI_PROTOCOLS as Record<string, FiProtocol>)[o.protocol];
  if (!base)
    throw new NeuroBridgeError(
      "PROTOCOL_INVALID",
      `--protocol: unknown protocol '${o.protocol}'; accepted: ${Object.keys(FI_PROTOCOLS).join(", ")}`,
    );
  if (o.method !== undefined && !(FI_METHODS as readonly string[]).includes(o.method)) {
    throw new NeuroBridgeError("PROTOCOL_INVALID", `--method: unknown method '${o.method}'; accepted: ${FI_METHODS.join(", ")}`);
  }
  const duration = o.duration !== undefined ? q(o.duration, "time", "--duration") : base.duration;
  const discard = o.discard !== undefined ? q(o.discard, "time", "--discard") : base.discard;
  if (!(discard >= 0 && discard < duration)) {
    throw new NeuroBridgeError(
      "PROTOCOL_INVALID",
      `--discard ${o.discard ?? `${discard}s`}: must be at least 0 and shorter than --duration (${duration} s)`,
    );
  }
  return {
    name: o.protocol,
    duration,
    dt: o.dt !== undefined ? q(o.dt, "time", "--dt") : base.dt,
    integrator: integratorOption(o.integrator, base.integrator),
    discard,
    method: (o.method as FiProtocol["method"] | undefined) ?? base.method,
  };
}

const protocolJson = (pr: FiProtocol & { name: string }) => ({
  name: pr.name,
  durationMs: round(pr.duration * 1e3),
  dtMs: round(pr.dt * 1e3),
  integrator: pr.integrator,
  discardMs: round(pr.discard * 1e3),
  method: pr.method,
});

function runFi(o: FiOptions): void {
  const p = loadParameters(o.params);
  const protocol = protocolFrom(o);
  const sweep = { from: q(o.from, "current", "--from"), to: q(o.to, "current", "--to"), step: q(o.step, "current", "--step") };
  checkSweep(sweep, protocol, o);
  const curve = fiCurve(p, sweep, protocol);
  const rows = curve.rows.map((r) => ({ currentPA: r.currentPA, analyticHz: round(r.analyticHz), simulatedHz: round(r.simulatedHz) }));
  if (o.json) {
    printJson({ rheobasePA: curve.rheobasePA, protocol: protocolJson(protocol), parameters: displayParameters(p), rows });
    return;
  }
  const header = `F–I curve (rheobase ${curve.rheobasePA} pA; protocol '${protocol.name}': ${protocol.integrator}, dt ${protocol.dt * 1e3} ms, ${protocol.duration * 1e3} ms, ${protocol.method})`;
  const table = rows.map(
    (r) => `${String(r.currentPA).padStart(10)}  ${r.analyticHz.toFixed(3).padStart(12)}  ${r.simulatedHz.toFixed(3).padStart(12)}`,
  );
  process.stdout.write(
    `${header}\n${"current_pA".padStart(10)}  ${"analytic_Hz".padStart(12)}  ${"simulated_Hz".padStart(12)}\n${table.join("\n")}\n`,
  );
}

interface FitOptions extends FiOptions {
  searchRange?: boolean;
}

async function runFit(o: FitOptions): Promise<void> {
  const p = loadParameters(o.params);
  const protocol = protocolFrom(o);
  const sweep = { from: q(o.from, "current", "--from"), to: q(o.to, "current", "--to"), step: q(o.step, "current", "--step") };
  checkSweep(sweep, protocol, o);
  const curve = fiCurve(p, sweep, protocol);
  const fits = fitActivations({ x: curve.rows.map((r) => r.currentPA), y: curve.rows.map((r) => r.simulatedHz) });
  const { PAPER_CLAIMS } = await import("@neurobridge/experiments");
  const paper = { relu: PAPER_CLAIMS.reluR2.value, sigmoid: PAPER_CLAIMS.sigmoidR2.value };
  const result = {
    rangePA: { from: round(sweep.from * 1e12), to: round(sweep.to * 1e12), step: round(sweep.step * 1e12) },
    protocol: protocolJson(protocol),
    relu: { ...roundAll(fits.relu.params), r2: round(fits.relu.r2, 6), rmseHz: round(fits.relu.rmse, 4) },
    sigmoid: { ...roundAll(fits.sigmoid.params), r2: round(fits.sigmoid.r2, 6), rmseHz: round(fits.sigmoid.rmse, 4) },
    lif: { ...roundAll(fits.lif.params), r2: round(fits.lif.r2, 6), rmseHz: round(fits.lif.rmse, 4) },
    paper,
    ...(o.searchRange
      ? {
          closestRangeToPaper: searchFitRange(p, protocol, {
            targets: paper,
            fromPA: round(sweep.from * 1e12),
            stepPA: round(sweep.step * 1e12),
          }).best,
        }
      : {}),
  };
  if (o.json) {
    printJson(result);
    return;
  }
  const lines = [
    `Fits to the simulated F–I curve over ${result.rangePA.from}–${result.rangePA.to} pA (protocol '${protocol.name}')`,
    `  ReLU     a·max(0, x − b)           R² = ${result.relu.r2.toFixed(4)} (paper ${paper.relu})  a=${result.relu.a}, b=${result.relu.b} pA`,
    `  sigmoid  L/(1+e^(−k(x − x0)))      R² = ${result.sigmoid.r2.toFixed(4)} (paper ${paper.sigmoid})  L=${result.sigmoid.L} Hz, k=${result.sigmoid.k}/pA, x0=${result.sigmoid.x0} pA`,
    `  LIF      1/(t_ref + τ·ln(…))       R² = ${result.lif.r2.toFixed(6)}`,
  ];
  if (result.closestRangeToPaper) {
    const b = result.closestRangeToPaper;
    lines.push(`closest to the paper: ${b.fromPA}–${b.toPA} pA (ReLU R² ${b.reluR2.toFixed(4)}, sigmoid R² ${b.sigmoidR2.toFixed(4)})`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

function roundAll<P extends Record<string, number>>(params: P): P {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, round(v, 6)])) as P;
}

const fiFlags = (cmd: Command, defaults: { from: string; to: string; step: string }) =>
  cmd
    .option("--from <current>", "first current of the sweep", defaults.from)
    .option("--to <current>", "last current of the sweep", defaults.to)
    .option("--step <current>", "current step", defaults.step)
    .option("--protocol <name>", `measurement protocol preset (${Object.keys(FI_PROTOCOLS).join(" | ")})`, "steady")
    .option("--duration <time>", "simulated time per current (overrides the protocol)")
    .option("--dt <time>", "time step (overrides the protocol)")
    .option("--integrator <name>", `${INTEGRATORS.join(" | ")} (overrides the protocol)`)
    .option("--method <name>", `rate measurement: ${FI_METHODS.join(" | ")} (overrides the protocol)`)
    .option("--discard <time>", "initial transient to ignore (overrides the protocol)")
    .option("--params <file.json>", "LIF parameters as JSON, values with units (default: the paper's Table 1)")
    .option("--json", "print one JSON object");

export function registerLifCommands(program: Command): void {
  const lif = program
    .command("lif")
    .description("single LIF neuron: simulate, F–I curve, activation fits (the paper's Table 1 by default)");
  lif
    .command("simulate")
    .description("simulate one neuron under a constant or step current; print spikes and rate, optionally write the trace")
    .option("--current <current>", "input current, e.g. 250pA or 0.25nA")
    .option("--current-file <file>", "a sampled current instead: CSV 'time_ms,current_pA' or JSON { dt, unit, samples }")
    .option("--duration <time>", "simulated time", "300ms")
    .option("--dt <time>", "time step", "0.1ms")
    .option("--integrator <name>", `${INTEGRATORS.join(" | ")}`, "euler")
    .option("--params <file.json>", "LIF parameters as JSON, values with units (default: the paper's Table 1)")
    .option("--step-start <time>", "make the input a step starting here (0 before)")
    .option("--step-stop <time>", "end of the step")
    .option("--v0 <voltage>", "initial membrane potential (default E_L)")
    .option("--out <file>", "write the voltage trace (.csv, or .json)")
    .option("--force", "replace a --out file of another format")
    .option("--json", "print one JSON object")
    .action((o: SimulateOptions) => runSimulate(o));
  fiFlags(lif.command("fi").description("F–I curve: analytic and simulated rate per current"), {
    from: "0pA",
    to: "1000pA",
    step: "10pA",
  }).action((o: FiOptions) => runFi(o));
  fiFlags(lif.command("fit").description("fit ReLU, sigmoid and the LIF curve to the simulated F–I curve; R² beside the paper's"), {
    from: "0pA",
    to: "1000pA",
    step: "10pA",
  })
    .option("--search-range", "also find the current range whose R² comes closest to the paper's (a few seconds)")
    .action((o: FitOptions) => runFit(o));
}
