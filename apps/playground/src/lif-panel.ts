/**
 * The LIF panel: labelled sliders and number inputs for every parameter,
 * presets, and live views computed by `@neurobridge/neurons-lif` — the same
 * functions the CLI calls, so the page and `neurobridge lif simulate` agree.
 */
import {
  analyticRate,
  constantCurrent,
  fitRelu,
  fitSigmoid,
  type LifParameters,
  lifParameters,
  rheobase,
  scales,
  simulateLif,
} from "@neurobridge/neurons-lif";
import { drawChart, type Series } from "./chart.js";
import { type LifSettings, PRESET_NOTES, SEED_PRESET, TABLE1_PRESET } from "./presets.js";

interface NumberField {
  readonly key: keyof LifSettings;
  readonly label: string;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

const PARAMETERS: NumberField[] = [
  { key: "tauM", label: "Membrane time constant τ_m", unit: "ms", min: 1, max: 100, step: 0.5 },
  { key: "gL", label: "Leak conductance g_L", unit: "nS", min: 1, max: 100, step: 0.5 },
  { key: "eL", label: "Resting potential E_L", unit: "mV", min: -90, max: -40, step: 0.5 },
  { key: "vTh", label: "Threshold V_th", unit: "mV", min: -80, max: -20, step: 0.5 },
  { key: "vReset", label: "Reset V_reset", unit: "mV", min: -100, max: -40, step: 0.5 },
  { key: "tauRef", label: "Refractory period τ_ref", unit: "ms", min: 0, max: 20, step: 0.1 },
];
const SIMULATION: NumberField[] = [
  { key: "current", label: "Input current I", unit: "pA", min: 0, max: 2000, step: 5 },
  { key: "duration", label: "Simulated time", unit: "ms", min: 50, max: 2000, step: 10 },
];
const DT_CHOICES = [0.01, 0.05, 0.1, 0.2, 0.5];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "–");

function numberField(f: NumberField, value: number, onChange: (v: number) => void): HTMLElement {
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = document.createElement("label");
  label.htmlFor = f.key;
  label.textContent = `${f.label} (${f.unit})`;
  const range = document.createElement("input");
  Object.assign(range, { type: "range", min: String(f.min), max: String(f.max), step: String(f.step), value: String(value) });
  range.id = `${f.key}-range`;
  range.setAttribute("aria-label", `${f.label} slider (${f.unit})`);
  const num = document.createElement("input");
  Object.assign(num, { type: "number", min: String(f.min), max: String(f.max), step: String(f.step), value: String(value) });
  num.id = f.key;
  range.addEventListener("input", () => {
    num.value = range.value;
    onChange(Number(range.value));
  });
  num.addEventListener("input", () => {
    if (num.value === "" || !Number.isFinite(Number(num.value))) return;
    range.value = num.value;
    onChange(Number(num.value));
  });
  wrap.append(label, range, num);
  return wrap;
}

function selectField(id: string, label: string, options: readonly (string | number)[], value: string, onChange: (v: string) => void) {
  const wrap = document.createElement("div");
  wrap.className = "field";
  const l = document.createElement("label");
  l.htmlFor = id;
  l.textContent = label;
  const select = document.createElement("select");
  select.id = id;
  for (const o of options) select.append(new Option(String(o), String(o), false, String(o) === value));
  select.addEventListener("change", () => onChange(select.value));
  wrap.append(l, select);
  return wrap;
}

type FiData = ReturnType<typeof computeFi>;

/** The F–I curve, its fits and the simulated points: independent of the input current, so kept while only I moves. */
function computeFi(p: LifParameters, maxPA: number, duration: number, dt: number, integrator: LifSettings["integrator"]) {
  const xs = Array.from({ length: 201 }, (_, i) => (i * maxPA) / 200);
  const ys = xs.map((x) => analyticRate(p, x * 1e-12));
  const simXs = Array.from({ length: 21 }, (_, i) => (i * maxPA) / 20);
  const simYs = simXs.map(
    (x) => simulateLif(p, constantCurrent(x * 1e-12), { duration, dt, integrator, record: false }).spikeTimes.length / duration,
  );
  return { xs, ys, relu: fitRelu({ x: xs, y: ys }), sigmoid: fitSigmoid({ x: xs, y: ys }), simXs, simYs };
}

let fiCache: { key: string; data: FiData } | undefined;
function fiData(p: LifParameters, maxPA: number, duration: number, dt: number, integrator: LifSettings["integrator"]): FiData {
  const key = JSON.stringify([p, maxPA, duration, dt, integrator]);
  if (fiCache?.key !== key) fiCache = { key, data: computeFi(p, maxPA, duration, dt, integrator) };
  return fiCache.data;
}

/** Mounts the panel; returns a function that applies a preset by name. */
export function mountLifPanel(): (preset: "table1" | "seed") => void {
  let settings: LifSettings = { ...TABLE1_PRESET };
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render();
    });
  };
  const set = (key: keyof LifSettings) => (v: number | string) => {
    settings = { ...settings, [key]: v };
    schedule();
  };
  const build = () => {
    $("parameter-fields").replaceChildren(
      $("parameter-fields").querySelector("legend") as HTMLElement,
      ...PARAMETERS.map((f) => numberField(f, settings[f.key] as number, set(f.key))),
    );
    const note = document.createElement("p");
    note.className = "note";
    note.id = "derived";
    $("parameter-fields").append(note);
    $("simulation-fields").replaceChildren(
      ...SIMULATION.map((f) => numberField(f, settings[f.key] as number, set(f.key))),
      selectField("dt", "Time step dt (ms)", DT_CHOICES, String(settings.dt), (v) => set("dt")(Number(v))),
      selectField("integrator", "Integrator", ["euler", "exact"], settings.integrator, (v) => set("integrator")(v)),
    );
  };
  $<HTMLInputElement>("dimensionless").addEventListener("change", schedule);

  function parameters(): LifParameters {
    const s = settings;
    return lifParameters({
      tauM: s.tauM * 1e-3,
      gL: s.gL * 1e-9,
      eL: s.eL * 1e-3,
      vTh: s.vTh * 1e-3,
      vReset: s.vReset * 1e-3,
      tauRef: s.tauRef * 1e-3,
    });
  }

  function render(): void {
    const error = $("lif-error");
    let p: LifParameters;
    try {
      p = parameters();
      error.hidden = true;
    } catch (e) {
      error.textContent = (e as Error).message;
      error.hidden = false;
      return;
    }
    const s = settings;
    const I = s.current * 1e-12;
    const duration = s.duration * 1e-3;
    const dt = s.dt * 1e-3;
    const trace = simulateLif(p, constantCurrent(I), { duration, dt, integrator: s.integrator });
    // As `neurobridge lif simulate`: spikes counted over the simulated time.
    const rate = trace.spikeTimes.length / duration;
    const analytic = analyticRate(p, I);
    const iRheo = rheobase(p);
    const nd = $<HTMLInputElement>("dimensionless").checked;
    const sc = scales(p);
    $("rate").textContent = nd ? `${fmt(rate * p.tauM, 4)} spikes per τ_m (${fmt(rate)} Hz)` : `${fmt(rate)} Hz`;
    $("rate").dataset.hz = String(rate);
    $("analytic-rate").textContent = `${fmt(analytic)} Hz`;
    $("rheobase").textContent = `${fmt(iRheo * 1e12, 1)} pA`;
    $("derived").textContent = `C_m = τ_m·g_L = ${fmt(p.cM * 1e12, 1)} pF; R_m = 1/g_L = ${fmt(1e-6 / p.gL, 1)} MΩ`;
    const drive = (I / p.gL + p.eL) * 1e3;
    $("formula").textContent =
      I > iRheo
        ? `f = 1 / (τ_ref + τ_m · ln((I/g_L + E_L − V_reset) / (I/g_L + E_L − V_th))) = 1 / (${fmt(s.tauRef, 1)} ms + ${fmt(s.tauM, 1)} ms · ln((${fmt(drive, 1)} − ${fmt(s.vReset, 1)}) / (${fmt(drive, 1)} − ${fmt(s.vTh, 1)}))) = ${fmt(analytic)} Hz`
        : `I = ${fmt(s.current, 0)} pA ≤ I_rheo = g_L·(V_th − E_L) = ${fmt(iRheo * 1e12, 1)} pA: the membrane settles below threshold, f = 0`;

    // Voltage trace.
    const v = trace.voltage as Float64Array;
    const stride = Math.max(1, Math.floor(v.length / 1500));
    const tx = (k: number) => (nd ? (k * dt) / p.tauM : k * dt * 1e3);
    const vy = (x: number) => (nd ? (x - p.eL) / (p.vTh - p.eL) : x * 1e3);
    const points: [number, number][] = [];
    for (let k = 0; k < v.length; k += stride) points.push([tx(k), vy(v[k] as number)]);
    const lowV = Math.min(vy(p.vReset), vy(p.eL), ...points.map((q) => q[1]));
    const highV = Math.max(vy(p.vTh), ...points.map((q) => q[1]));
    drawChart($<HTMLElement>("trace") as unknown as SVGSVGElement, {
      width: 640,
      height: 260,
      x: { label: nd ? "t / τ_m" : "time (ms)", domain: [0, tx(v.length - 1)] },
      y: { label: nd ? "ṽ = (V − E_L)/(V_th − E_L)" : "V (mV)", domain: [lowV - 0.05 * (highV - lowV), highV + 0.1 * (highV - lowV)] },
      series: [{ label: `V (${trace.spikeTimes.length} spikes)`, points, kind: "line", color: "#1f6feb" }],
      guides: [{ axis: "y", at: vy(p.vTh), label: "V_th", color: "#c0392b" }],
      events: { at: trace.spikeTimes.map((t) => (nd ? t / p.tauM : t * 1e3)), color: "#c0392b", label: "spikes" },
    });

    // F–I curve with fits.
    const maxPA = Math.max(1000, Math.ceil((1.25 * s.current) / 100) * 100);
    const { xs, ys, relu, sigmoid, simXs, simYs } = fiData(p, maxPA, duration, dt, s.integrator);
    const cx = (pa: number) => (nd ? sc.toDimensionlessCurrent(pa * 1e-12) : pa);
    const cy = (hz: number) => (nd ? hz * p.tauM : hz);
    const pts = (x: number[], y: number[]) => x.map((xi, i) => [cx(xi), cy(y[i] as number)] as [number, number]);
    const series: Series[] = [
      { label: "analytic (steady state)", points: pts(xs, ys), kind: "line", color: "#1f6feb" },
      { label: `ReLU fit, R² = ${relu.r2.toFixed(4)}`, points: pts(xs, xs.map(relu.predict)), kind: "line", color: "#e67e22", dash: "6 4" },
      {
        label: `sigmoid fit, R² = ${sigmoid.r2.toFixed(4)}`,
        points: pts(xs, xs.map(sigmoid.predict)),
        kind: "line",
        color: "#27ae60",
        dash: "2 3",
      },
      {
        label: `simulated (${s.integrator}, dt ${s.dt} ms, count/${s.duration} ms)`,
        points: pts(simXs, simYs),
        kind: "dots",
        color: "#555",
      },
      { label: "you are here", points: [[cx(s.current), cy(rate)]], kind: "marker", color: "#c0392b" },
    ];
    const yMax = Math.max(...ys, ...simYs, rate, 1);
    drawChart($<HTMLElement>("fi") as unknown as SVGSVGElement, {
      width: 640,
      height: 300,
      x: { label: nd ? "ĩ = I / I_rheo" : "input current I (pA)", domain: [0, cx(maxPA)] },
      y: { label: nd ? "rate × τ_m" : "firing rate (Hz)", domain: [0, cy(yMax * 1.08)] },
      series,
      guides: [{ axis: "x", at: cx(iRheo * 1e12), label: `rheobase ${fmt(iRheo * 1e12, 0)} pA`, color: "#8e44ad" }],
    });
    $("fits").textContent =
      `Fits to the analytic F–I curve over 0–${maxPA} pA: ReLU R² = ${relu.r2.toFixed(4)}, sigmoid R² = ${sigmoid.r2.toFixed(4)}.`;
    document.body.dataset.lifReady = "true";
  }

  const apply = (preset: "table1" | "seed") => {
    settings = { ...(preset === "seed" ? SEED_PRESET : TABLE1_PRESET) };
    $("preset-note").textContent = PRESET_NOTES[preset] ?? "";
    build();
    schedule();
  };
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-preset]")) {
    button.addEventListener("click", () => apply(button.dataset.preset as "table1" | "seed"));
  }
  apply("table1");
  return apply;
}
