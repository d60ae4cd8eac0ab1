/**
 * The registration check of a neuron model: its declaration (names, types,
 * defaults inside their own ranges, state) and one smoke step on the
 * reference arrays (output shape, 0/1 spikes, every declared state variable
 * returned as a finite `[batch, size]` array). The runtime runs it when a
 * plugin registers a model, so a broken model fails where it is registered,
 * naming the model and the field, not deep inside a backend.
 *
 * The conformance suite (`@neurobridge/conformance`) goes further: the step
 * on every backend, kernels, gradients, ONNX and the emulator.
 */
import type { ValidationIssue } from "./errors.js";
import type { NeuronModel, StepContext } from "./neuron-model.js";
import { resolveParams } from "./params.js";
import { arrayOps } from "./reference.js";

const PARAM_TYPES = ["number", "integer", "boolean", "enum"];
const SIZE = 3;
const BATCH = 2;

const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Every problem of `model`, each with its path (`params.beta.default`,
 * `state[1].name`, `step` …). `context` (a bound surrogate and reset) enables
 * the smoke step; without it only the declaration is checked.
 */
export function neuronModelIssues(model: NeuronModel, context?: StepContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (typeof model !== "object" || model === null) return [{ path: "model", message: "must be an object" }];
  if (typeof model.name !== "string" || !/^\S+$/.test(model.name)) add("name", "must be a non-empty name without spaces");
  if (typeof model.description !== "string") add("description", "must be a string");
  if (model.dynamics !== "spiking" && model.dynamics !== "rate")
    add("dynamics", `must be 'spiking' or 'rate', got ${String(model.dynamics)}`);
  if (typeof model.step !== "function") add("step", "must be a function (ops, input, state, params, context) → { output, state }");
  const cost = model.updateCost as unknown as Record<string, unknown> | undefined;
  for (const key of ["multiplies", "adds", "compares"]) {
    if (!(isFiniteNumber(cost?.[key]) && (cost[key] as number) >= 0)) add(`updateCost.${key}`, "must be a number ≥ 0");
  }
  if (!Array.isArray(model.params)) add("params", "must be an array of parameter specs");
  if (!Array.isArray(model.state)) add("state", "must be an array of state variables");
  const params = Array.isArray(model.params) ? model.params : [];
  const state = Array.isArray(model.state) ? model.state : [];
  const seen = new Set<string>();
  for (const [i, p] of params.entries()) {
    if (typeof p?.name !== "string" || p.name === "") {
      add(`params[${i}].name`, "must be a non-empty string");
      continue;
    }
    if (seen.has(p.name)) add(`params[${i}].name`, `'${p.name}' is declared twice`);
    seen.add(p.name);
    if (!PARAM_TYPES.includes(p.type)) add(`params.${p.name}.type`, `must be one of ${PARAM_TYPES.join(", ")}, got ${String(p.type)}`);
    if (p.type === "enum" && !(Array.isArray(p.values) && p.values.length > 0))
      add(`params.${p.name}.values`, "an enum parameter must list its accepted values");
    if (p.min !== undefined && p.max !== undefined && p.min > p.max) add(`params.${p.name}`, `min ${p.min} is above max ${p.max}`);
  }
  if (issues.length === 0) {
    for (const i of resolveParams(params, {}, "params").issues) add(`${i.path}.default`, i.message);
  }
  const stateNames = new Set<string>();
  for (const [i, s] of state.entries()) {
    if (typeof s?.name !== "string" || s.name === "") {
      add(`state[${i}].name`, "must be a non-empty string");
      continue;
    }
    if (stateNames.has(s.name)) add(`state[${i}].name`, `'${s.name}' is declared twice`);
    stateNames.add(s.name);
    if (!isFiniteNumber(s.initial)) add(`state.${s.name}.initial`, `must be a finite number, got ${String(s.initial)}`);
  }
  if (model.dynamics === "spiking" && state.length === 0) add("state", "a spiking model needs at least one state variable (its membrane)");
  if (model.dynamics === "rate" && state.length > 0) add("state", "a rate model is stateless: declare no state variables");
  if (issues.length === 0 && context) issues.push(...smokeStep(model, context));
  return issues;
}

/** One step on the reference arrays from the initial state with default parameters. */
function smokeStep(model: NeuronModel, context: StepContext): ValidationIssue[] {
  const frame = BATCH * SIZE;
  const input = Float32Array.from({ length: frame }, (_, i) => -0.5 + (2 * i) / (frame - 1));
  const state = Object.fromEntries(model.state.map((s) => [s.name, new Float32Array(frame).fill(s.initial)]));
  const params: Record<string, Float32Array> = {};
  for (const p of model.params) {
    if (p.type === "number" || p.type === "integer") params[p.name] = new Float32Array(SIZE).fill(p.default as number);
  }
  const options = Object.fromEntries(
    model.params.filter((p) => p.type === "boolean" || p.type === "enum").map((p) => [p.name, p.default as string | boolean]),
  );
  let result: ReturnType<NeuronModel["step"]>;
  try {
    result = model.step(arrayOps, input, state, params, { ...context, options });
  } catch (error) {
    return [{ path: "step", message: `threw on default parameters: ${(error as Error)?.message ?? String(error)}` }];
  }
  const issues: ValidationIssue[] = [];
  const out = result?.output as Float32Array | undefined;
  const shape = `[${BATCH}, ${SIZE}]`;
  if (!(out instanceof Float32Array) || out.length !== frame) {
    issues.push({ path: "step.output", message: `must be a ${shape} tensor like its input, got ${out?.length ?? String(out)} values` });
  } else if (out.some((v) => !Number.isFinite(v))) {
    issues.push({ path: "step.output", message: "is not finite on default parameters" });
  } else if (model.dynamics === "spiking" && out.some((v) => v !== 0 && v !== 1)) {
    issues.push({ path: "step.output", message: "a spiking model's output must be 0 or 1 (use ops.spike)" });
  }
  const returned = Object.keys(result?.state ?? {});
  const declared = model.state.map((s) => s.name);
  for (const name of declared) {
    if (!returned.includes(name)) {
      issues.push({
        path: `step.state.${name}`,
        message: `is declared but the step does not return it (returned: [${returned.join(", ")}])`,
      });
      continue;
    }
    const v = result.state[name] as Float32Array;
    if (!(v instanceof Float32Array) || v.length !== frame || v.some((x) => !Number.isFinite(x)))
      issues.push({ path: `step.state.${name}`, message: `must be a finite ${shape} tensor` });
  }
  for (const name of returned) {
    if (!declared.includes(name))
      issues.push({ path: `step.state.${name}`, message: `is returned but not declared; declared: [${declared.join(", ")}]` });
  }
  return issues;
}
