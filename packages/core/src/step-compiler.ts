/**
 * The step compiler: a `sequence` and an `infer` kernel, and an event-driven
 * emulator `population`, for any neuron model, derived from its `step` alone. A model's `step` is written against
 * {@link TensorOps}, whose operations are all elementwise; running it once on
 * a tracing `TensorOps` records the update of one neuron as a small
 * expression graph (input, state, per-neuron parameters, constants → output,
 * next state). That graph is compiled (JavaScript source, `new Function`)
 * into one fused loop over T × B × N — every operation rounded to float32 as
 * a float32 backend rounds it — and into its reverse-mode derivative for
 * BPTT: the backward recomputes each step from the saved state and sweeps
 * the graph backwards, with the spike's surrogate gradient traced from the
 * surrogate's own `gradient`.
 *
 * So a model without a hand-written kernel — a plugin's, EIF, AdEx, a rate
 * activation — still trains and evaluates in fused loops instead of one
 * tensor operation at a time. The runner takes it when no registered kernel
 * serves the layer (see `createKernel`); registered kernels win.
 *
 * Exactness: the forward gives the reference arrays' ({@link arrayOps}) bits
 * — spikes and states identical — and, on exactly rounded operations (add,
 * sub, mul, div, comparisons, max/min), the bits of any float32 backend.
 * Transcendentals (exp, log, sigmoid) are `Math`'s rounded to float32, which
 * a backend's own float32 library may differ from by an ulp. Gradients are
 * the same derivative rules as tfjs's autograd, accumulated in float64.
 *
 * Where `new Function` is forbidden (a strict Content-Security-Policy), the
 * compiler declines and the runner's generic path runs.
 *
 * @example
 * ```ts
 * const kernels = compileStep(plan.layers[1] as NeuronPlanLayer);
 * if (!("reason" in kernels)) kernels.sequence.forward(input, batch, layer.params);
 * ```
 */
import { NeuroBridgeError } from "./errors.js";
import {
  type Activation,
  type InferKernel,
  type LayerCounts,
  type PopulationKernel,
  type SequenceForward,
  type SequenceKernel,
  SynapticPopulation,
} from "./kernels.js";
import type { NeuronModel } from "./neuron-model.js";
import type { NeuronPlanLayer } from "./plan.js";
import { compileStepWasm } from "./step-wasm.js";
import type { BoundSurrogate, TensorOps } from "./tensor-ops.js";

/** The operations a traced step may contain. */
type OpName =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "neg"
  | "abs"
  | "exp"
  | "log"
  | "maximum"
  | "minimum"
  | "sigmoid"
  | "relu"
  | "greater"
  | "where"
  | "stop"
  | "spike";

/** One value of the traced update of a neuron. */
export type TraceNode =
  | { readonly id: number; readonly kind: "input" }
  | { readonly id: number; readonly kind: "state"; readonly name: string }
  | { readonly id: number; readonly kind: "param"; readonly name: string }
  | { readonly id: number; readonly kind: "const"; readonly value: number }
  | {
      readonly id: number;
      readonly kind: "op";
      readonly op: OpName;
      readonly args: readonly number[];
      /** For `spike`: the node of the surrogate's derivative at this spike's argument. */
      gradient?: number;
    };

/** A handle on a traced value (what the tracing ops pass around). */
interface Traced {
  readonly node: number;
}

/** The traced update of one neuron. */
export interface StepTrace {
  readonly nodes: readonly TraceNode[];
  readonly output: number;
  /** Next state by name (spiking models). */
  readonly next: Readonly<Record<string, number>>;
  /** The membrane a trace records: what the step handed its reset, else the first state's next value. */
  readonly membrane: number | undefined;
  readonly states: readonly string[];
  readonly params: readonly string[];
}

const isTraced = (x: unknown): x is Traced => typeof x === "object" && x !== null && typeof (x as Traced).node === "number";

/**
 * Traces one step of `model` as an expression graph. Throws a
 * `NeuroBridgeError` (`STEP_NOT_TRACEABLE`) when the step returns something
 * that is not a value computed with the ops it was given.
 */
export function traceStep(model: NeuronModel, layer: Pick<NeuronPlanLayer, "resolved" | "params" | "spiking">): StepTrace {
  const nodes: TraceNode[] = [];
  const constants = new Map<string, number>();
  type Unplaced = TraceNode extends infer N ? (N extends TraceNode ? Omit<N, "id"> : never) : never;
  const push = (node: Unplaced): Traced => {
    const id = nodes.length;
    nodes.push({ ...node, id } as TraceNode);
    return { node: id };
  };
  const constant = (value: number): Traced => {
    const v = Math.fround(value);
    const key = Object.is(v, -0) ? "-0" : String(v);
    const known = constants.get(key);
    if (known !== undefined) return { node: known };
    const made = push({ kind: "const", value: v });
    constants.set(key, made.node);
    return made;
  };
  const arg = (x: Traced): number => {
    if (!isTraced(x))
      throw new NeuroBridgeError("STEP_NOT_TRACEABLE", `model '${model.name}': its step passed a non-tensor value to an op`);
    return x.node;
  };
  const op = (name: OpName, ...args: Traced[]): Traced => push({ kind: "op", op: name, args: args.map(arg) });
  const spikes: { node: number; surrogate: BoundSurrogate }[] = [];
  const ops: TensorOps<Traced> = {
    name: "trace",
    scalar: constant,
    add: (a, b) => op("add", a, b),
    sub: (a, b) => op("sub", a, b),
    mul: (a, b) => op("mul", a, b),
    div: (a, b) => op("div", a, b),
    neg: (a) => op("neg", a),
    abs: (a) => op("abs", a),
    exp: (a) => op("exp", a),
    log: (a) => op("log", a),
    maximum: (a, b) => op("maximum", a, b),
    minimum: (a, b) => op("minimum", a, b),
    sigmoid: (a) => op("sigmoid", a),
    relu: (a) => op("relu", a),
    greater: (a, b) => op("greater", a, b),
    where: (m, a, b) => op("where", m, a, b),
    stopGradient: (a) => op("stop", a),
    spike(x, surrogate) {
      const s = op("spike", x);
      spikes.push({ node: s.node, surrogate });
      return s;
    },
    zerosLike: () => constant(0),
  };
  const input = push({ kind: "input" });
  const stateNames = layer.spiking ? model.state.map((s) => s.name) : [];
  const state = Object.fromEntries(stateNames.map((name) => [name, push({ kind: "state", name })]));
  const paramNames = Object.keys(layer.params);
  const params = Object.fromEntries(paramNames.map((name) => [name, push({ kind: "param", name })]));
  let membrane: number | undefined;
  const context = {
    ...layer.resolved.context,
    reset: {
      ...layer.resolved.context.reset,
      apply: <U>(o: TensorOps<U>, v: U, s: U, threshold: U): U => {
        membrane = (v as unknown as Traced).node;
        return layer.resolved.context.reset.apply(o, v, s, threshold);
      },
    },
  };
  const result = model.step(ops, input, state, params, context);
  if (!isTraced(result.output)) {
    throw new NeuroBridgeError("STEP_NOT_TRACEABLE", `model '${model.name}': its step's output is not a value computed with its ops`);
  }
  const next: Record<string, number> = {};
  for (const name of stateNames) {
    const v = result.state[name];
    if (!isTraced(v)) {
      throw new NeuroBridgeError("STEP_NOT_TRACEABLE", `model '${model.name}': its step returns no value for state '${name}'`);
    }
    next[name] = v.node;
  }
  // The surrogate derivatives, traced after the step: the backward pass alone evaluates them.
  for (const { node, surrogate } of spikes) {
    const spike = nodes[node] as Extract<TraceNode, { kind: "op" }>;
    spike.gradient = arg(surrogate.gradient(ops, { node: spike.args[0] as number }));
  }
  const first = stateNames[0];
  return {
    nodes,
    output: result.output.node,
    next,
    membrane: membrane ?? (first !== undefined ? next[first] : undefined),
    states: stateNames,
    params: paramNames,
  };
}

/** A float literal that reads back as exactly `v`. */
function literal(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "Infinity";
  if (v === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (Object.is(v, -0)) return "-0";
  return `${v}`;
}

/** The nodes `roots` depend on, in id order. */
function cone(nodes: readonly TraceNode[], roots: readonly number[], withGradients: boolean): number[] {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const id = stack.pop() as number;
    if (seen.has(id)) continue;
    seen.add(id);
    const n = nodes[id] as TraceNode;
    if (n.kind !== "op") continue;
    stack.push(...n.args);
    if (withGradients && n.op === "spike" && n.gradient !== undefined) stack.push(n.gradient);
  }
  return [...seen].sort((a, b) => a - b);
}

/** JavaScript for the forward value `v<id>` of each node in `ids` (leaves are loaded by the caller's code). */
function forwardCode(nodes: readonly TraceNode[], ids: readonly number[], names: { param: (name: string) => string }): string[] {
  const lines: string[] = [];
  const v = (id: number) => `v${id}`;
  for (const id of ids) {
    const n = nodes[id] as TraceNode;
    if (n.kind === "input") lines.push(`const v${id} = xin;`);
    else if (n.kind === "state")
      continue; // loaded by the loop
    else if (n.kind === "param") lines.push(`const v${id} = ${names.param(n.name)}[nn];`);
    else if (n.kind === "const") lines.push(`const v${id} = ${literal(n.value)};`);
    else {
      const [a, b, c] = n.args.map(v) as [string, string, string];
      const expr = {
        add: `f(${a} + ${b})`,
        sub: `f(${a} - ${b})`,
        mul: `f(${a} * ${b})`,
        div: `f(${a} / ${b})`,
        neg: `-${a}`,
        abs: `Math.abs(${a})`,
        exp: `f(Math.exp(${a}))`,
        log: `f(Math.log(${a}))`,
        maximum: `Math.max(${a}, ${b})`,
        minimum: `Math.min(${a}, ${b})`,
        sigmoid: `f(1 / (1 + Math.exp(-${a})))`,
        relu: `(${a} > 0 ? ${a} : 0)`,
        greater: `(${a} > ${b} ? 1 : 0)`,
        // A 0/1 mask selects; any other value blends, as mask·a + (1 − mask)·b.
        where: `(${a} === 1 ? ${b} : ${a} === 0 ? ${c} : f(f(${a} * ${b}) + f(f(1 - ${a}) * ${c})))`,
        stop: a,
        spike: `(${a} > 0 ? 1 : 0)`,
      }[n.op];
      lines.push(`const v${id} = ${expr};`);
    }
  }
  return lines;
}

/**
 * Reverse-mode lines: given adjoints `g<id>` of the sinks, propagates them
 * to every node in `ids` (descending), by tfjs's derivative rules.
 */
function backwardCode(nodes: readonly TraceNode[], ids: readonly number[], differentiable: ReadonlySet<number>): string[] {
  const lines: string[] = [];
  const g = (id: number) => `g${id}`;
  const v = (id: number) => `v${id}`;
  const add = (target: number, expr: string) => {
    if (differentiable.has(target)) lines.push(`${g(target)} += ${expr};`);
  };
  for (const id of [...ids].reverse()) {
    const n = nodes[id] as TraceNode;
    if (n.kind !== "op" || !differentiable.has(id)) continue;
    const [a, b, c] = n.args as [number, number, number];
    const gz = g(id);
    switch (n.op) {
      case "add":
        add(a, gz);
        add(b, gz);
        break;
      case "sub":
        add(a, gz);
        add(b, `-${gz}`);
        break;
      case "mul":
        add(a, `${gz} * ${v(b)}`);
        add(b, `${gz} * ${v(a)}`);
        break;
      case "div":
        add(a, `${gz} / ${v(b)}`);
        add(b, `-${gz} * ${v(a)} / (${v(b)} * ${v(b)})`);
        break;
      case "neg":
        add(a, `-${gz}`);
        break;
      case "abs":
        add(a, `(${v(a)} > 0 ? ${gz} : -${gz})`);
        break;
      case "exp":
        add(a, `${gz} * ${v(id)}`);
        break;
      case "log":
        add(a, `${gz} / ${v(a)}`);
        break;
      case "maximum":
        add(a, `(${v(a)} >= ${v(b)} ? ${gz} : 0)`);
        add(b, `(${v(a)} < ${v(b)} ? ${gz} : 0)`);
        break;
      case "minimum":
        add(a, `(${v(a)} <= ${v(b)} ? ${gz} : 0)`);
        add(b, `(${v(a)} > ${v(b)} ? ${gz} : 0)`);
        break;
      case "sigmoid":
        add(a, `${gz} * ${v(id)} * (1 - ${v(id)})`);
        break;
      case "relu":
        add(a, `(${v(a)} > 0 ? ${gz} : 0)`);
        break;
      case "where":
        add(a, `${gz} * (${v(b)} - ${v(c)})`);
        add(b, `${gz} * ${v(a)}`);
        add(c, `${gz} * (1 - ${v(a)})`);
        break;
      case "spike":
        add(a, `${gz} * v${n.gradient}`);
        break;
      // greater and stopGradient carry no gradient.
    }
  }
  return lines;
}

/** Nodes that carry a gradient: reachable from an input, a state or a learned parameter through differentiable ops. */
function differentiableNodes(nodes: readonly TraceNode[], learned: ReadonlySet<string>): Set<number> {
  const out = new Set<number>();
  for (const n of nodes) {
    if (n.kind === "input" || n.kind === "state" || (n.kind === "param" && learned.has(n.name))) out.add(n.id);
    else if (n.kind === "op" && n.op !== "greater" && n.op !== "stop" && n.args.some((a) => out.has(a))) out.add(n.id);
  }
  return out;
}

/** A compiled forward over plain arrays (either lowering: JavaScript source or wasm). */
export type ForwardFn = (
  x: Float32Array,
  xTemporal: boolean,
  B: number,
  T: number,
  P: readonly Float32Array[],
  out: Float32Array,
  states: readonly Float32Array[],
  saved: readonly Float32Array[] | null,
  mem: Float32Array | null,
  perStep: Float64Array | null,
  everActive: Uint8Array | null,
) => void;

/** A compiled BPTT backward over plain arrays (either lowering). */
export type BackwardFn = (
  x: Float32Array,
  xTemporal: boolean,
  B: number,
  T: number,
  P: readonly Float32Array[],
  saved: readonly Float32Array[],
  dOut: Float32Array,
  dMem: Float32Array | null,
  dIn: Float32Array,
  gStates: readonly Float64Array[],
  dP: readonly Float64Array[],
) => void;

/**
 * The loops every compiled function runs: steps (forward or in reverse),
 * samples, neurons — with `i` the element of the frame, `k` of the output,
 * `nn` the neuron and `xin` this element's input — around `body`.
 */
function elementLoops(o: {
  N: number;
  spiking: boolean;
  reverse: boolean;
  header: readonly string[];
  stepStart: readonly string[];
  body: readonly string[];
  stepEnd: readonly string[];
}): string {
  const steps = o.spiking ? "T" : "xTemporal ? T : 1";
  return `
const N = ${o.N};
${o.header.join("\n")}
const BN = B * N;
const steps = ${steps};
for (let t = ${o.reverse ? "steps - 1; t >= 0; t--" : "0; t < steps; t++"}) {
  const inOff = xTemporal ? t * BN : 0;
  const outOff = t * BN;
  ${o.stepStart.join("\n  ")}
  for (let b = 0; b < B; b++) {
    const row = b * N;
    for (let nn = 0; nn < N; nn++) {
      const i = row + nn;
      const k = outOff + i;
      const xin = x[inOff + i];
      ${o.body.filter((line) => line !== "").join("\n      ")}
    }
  }
  ${o.stepEnd.join("\n  ")}
}`;
}

/** Builds a compiled function from generated source (`new Function`: the source is generated here, from node ids and float literals only). */
function build<F>(params: readonly string[], body: string): F {
  return new Function(...params, `"use strict";\nconst f = Math.fround;\n${body}`) as F;
}

/**
 * The compiled forward: every step of every neuron, loads and stores around
 * the traced update. `saved` (training) receives the state before each
 * step; `perStep`/`everActive` (evaluation) count non-zero outputs.
 */
function compileForward(trace: StepTrace, N: number, spiking: boolean): ForwardFn {
  const ids = forwardIds(trace);
  const paramIndex = new Map(trace.params.map((p, i) => [p, i]));
  const body = forwardCode(trace.nodes, ids, { param: (name) => `P${paramIndex.get(name)}` });
  const stateNodes = trace.nodes.filter((n): n is Extract<TraceNode, { kind: "state" }> => n.kind === "state");
  const stateIndex = new Map(trace.states.map((s, i) => [s, i]));
  const loads = stateNodes.map((n) => `const v${n.id} = S${stateIndex.get(n.name)}[i];`);
  // The saved-state arrays are looked up once per call, not per element (that lookup cost ~3.5 ns of ~11 per neuron-step).
  const saves = stateNodes.map((n) => `if (SV${stateIndex.get(n.name)} !== null) SV${stateIndex.get(n.name)}[k] = v${n.id};`);
  const stores = trace.states.map((s, i) => `S${i}[i] = v${trace.next[s]};`);
  const src = elementLoops({
    N,
    spiking,
    reverse: false,
    header: [
      ...trace.params.map((_, i) => `const P${i} = P[${i}];`),
      ...trace.states.map((_, i) => `const S${i} = states[${i}];`),
      ...trace.states.map((_, i) => `const SV${i} = saved ? saved[${i}] : null;`),
    ],
    stepStart: ["let events = 0;"],
    body: [
      ...loads,
      ...saves,
      ...body,
      `const y = v${trace.output};`,
      "out[k] = y;",
      "if (perStep !== null && y !== 0) { events++; everActive[nn] = 1; }",
      trace.membrane !== undefined ? `if (mem !== null) mem[k] = v${trace.membrane};` : "",
      ...stores,
    ],
    stepEnd: ["if (perStep !== null) perStep[t] = events;"],
  });
  return build<ForwardFn>(["x", "xTemporal", "B", "T", "P", "out", "states", "saved", "mem", "perStep", "everActive"], src);
}

/** What the backward computes: the nodes it recomputes (with the surrogate derivatives) and those that carry an adjoint. */
function backwardAnalysis(trace: StepTrace, learned: readonly string[]): { ids: number[]; differentiable: Set<number> } {
  const learnedSet = new Set(learned);
  const ids = cone(trace.nodes, sinksOf(trace), true);
  // Adjoints only where a gradient can flow: on the sinks' own cone (not the surrogate derivatives) from a differentiable leaf.
  const onPath = new Set(forwardIds(trace));
  const differentiable = new Set([...differentiableNodes(trace.nodes, learnedSet)].filter((id) => onPath.has(id)));
  return { ids, differentiable };
}

/** What a step produces: its output, each next state, the membrane (the forward's roots, the backward's sinks). */
function sinksOf(trace: StepTrace): number[] {
  return [trace.output, ...Object.values(trace.next), ...(trace.membrane !== undefined ? [trace.membrane] : [])];
}

/** The nodes the forward computes: the cone of {@link sinksOf}. */
function forwardIds(trace: StepTrace): number[] {
  return cone(trace.nodes, sinksOf(trace), false);
}

/** The compiled BPTT backward: steps in reverse, each recomputed from its saved state, then swept backwards. */
function compileBackward(trace: StepTrace, N: number, spiking: boolean, learned: readonly string[]): BackwardFn {
  const learnedSet = new Set(learned);
  const { ids, differentiable } = backwardAnalysis(trace, learned);
  const paramIndex = new Map(trace.params.map((p, i) => [p, i]));
  const stateIndex = new Map(trace.states.map((s, i) => [s, i]));
  const forward = forwardCode(trace.nodes, ids, { param: (name) => `P${paramIndex.get(name)}` });
  const stateNodes = trace.nodes.filter((n): n is Extract<TraceNode, { kind: "state" }> => n.kind === "state");
  const loads = stateNodes.map((n) => `const v${n.id} = SV${stateIndex.get(n.name)}[k];`);
  const adjoints = ids.filter((id) => differentiable.has(id)).map((id) => `let g${id} = 0;`);
  const seed = (id: number, expr: string) => (differentiable.has(id) ? `g${id} += ${expr};` : "");
  const seeds = [
    seed(trace.output, "dOut[k]"),
    ...trace.states.map((s, i) => seed(trace.next[s] as number, `gS${i}[i]`)),
    trace.membrane !== undefined ? `if (dMem !== null) { ${seed(trace.membrane, "dMem[k]")} }` : "",
  ];
  const sweep = backwardCode(trace.nodes, ids, differentiable);
  const inputNode = trace.nodes.find((n) => n.kind === "input")?.id as number;
  // Each state's gradient goes back one step; a state the update never reads (or only through no-gradient ops) carries 0.
  const carry = stateNodes.map((n) => `gS${stateIndex.get(n.name)}[i] = ${differentiable.has(n.id) ? `g${n.id}` : "0"};`);
  const paramGrads = trace.nodes
    .filter((n): n is Extract<TraceNode, { kind: "param" }> => n.kind === "param" && learnedSet.has(n.name) && ids.includes(n.id))
    .map((n) => `dP${learned.indexOf(n.name)}[nn] += g${n.id};`);
  const dInput = ids.includes(inputNode) ? `dIn[xTemporal ? k : i] += g${inputNode};` : "";
  const src = elementLoops({
    N,
    spiking,
    reverse: true,
    header: [
      ...trace.params.map((_, i) => `const P${i} = P[${i}];`),
      ...trace.states.map((_, i) => `const SV${i} = saved[${i}];`),
      ...trace.states.map((_, i) => `const gS${i} = gStates[${i}];`),
      ...learned.map((_, i) => `const dP${i} = dP[${i}];`),
    ],
    stepStart: [],
    body: [...loads, ...forward, ...adjoints, ...seeds, ...sweep, dInput, ...carry, ...paramGrads],
    stepEnd: [],
  });
  return build<BackwardFn>(["x", "xTemporal", "B", "T", "P", "saved", "dOut", "dMem", "dIn", "gStates", "dP"], src);
}

/** What a compiled forward keeps for its backward. */
interface Saved {
  readonly input: Activation;
  readonly batch: number;
  readonly steps: number;
  readonly params: readonly Float32Array[];
  readonly states: readonly Float32Array[];
  /** The kernel's generation when the forward ran into reused scratch memory (transient), else undefined. */
  readonly generation: number | undefined;
}

/** The compiled kernels of one layer, or why the layer cannot have them. */
export type CompiledStep =
  | { readonly sequence: SequenceKernel; readonly infer: InferKernel; readonly population: PopulationKernel }
  | { readonly reason: string };

let compiles: boolean | undefined;
/** Whether this JavaScript engine may compile generated source (a Content-Security-Policy can forbid it); asked once. */
function canCompile(): boolean {
  if (compiles === undefined) {
    try {
      compiles = (new Function("return 1") as () => number)() === 1;
    } catch {
      compiles = false;
    }
  }
  return compiles;
}

/** Options of {@link compileStep}. */
export interface CompileStepOptions {
  /**
   * Which lowering runs the loops: `"wasm"` (the default where WebAssembly
   * runs: SIMD, branch-free, 3–15× faster by `npm run bench:step`) or `"js"` (generated source). Both give
   * the same bits; the choice exists to hold them to each other.
   */
  readonly lowering?: "wasm" | "js";
}

/**
 * Compiles `layer`'s model step into fused `sequence` and `infer` kernels
 * (see the module doc). Returns `{ reason }` when it cannot: the step is not
 * traceable, or generated code may not run here.
 */
export function compileStep(layer: NeuronPlanLayer, options: CompileStepOptions = {}): CompiledStep {
  let trace: StepTrace;
  try {
    trace = traceStep(layer.model, layer);
  } catch (error) {
    return { reason: (error as Error).message };
  }
  const N = layer.size;
  const spiking = layer.spiking;
  const initial = layer.model.state.map((s) => s.initial);
  // wasm first (a policy may forbid it, or WebAssembly may be absent); then JavaScript source.
  const wasm = options.lowering === "js" ? undefined : compileStepWasm({ ...trace, N, spiking }, forwardIds(trace));
  const lowered = wasm && !("unavailable" in wasm) ? wasm : undefined;
  if (!lowered && !canCompile()) {
    const why = wasm && "unavailable" in wasm ? `${wasm.unavailable}; ` : "";
    return { reason: `${why}this JavaScript engine forbids compiling generated code (Content-Security-Policy)` };
  }
  const runsOn = lowered ? "wasm" : "js";
  // A backward the wasm lowering could not assemble (a lowering bug, never expected) falls back to JavaScript, visibly.
  let backwardRunsOn = runsOn;
  const forwardFn = lowered ? lowered.forward : compileForward(trace, N, spiking);
  const backwards = new Map<string, BackwardFn>();
  const backwardFor = (learned: readonly string[]) => {
    const key = learned.join(",");
    let fn = backwards.get(key);
    if (!fn) {
      const { ids, differentiable } = backwardAnalysis(trace, learned);
      const wasmBackward = lowered?.backward(ids, differentiable, learned);
      if (lowered && !wasmBackward) backwardRunsOn = "js";
      fn = wasmBackward ?? compileBackward(trace, N, spiking, learned);
      backwards.set(key, fn);
    }
    return fn;
  };
  // Every numeric parameter is a leaf of the trace, so every one can learn.
  const learnable = trace.params;
  // Scratch for transient passes: reused while the sizes stay the same.
  let scratch: { size: number; out: Float32Array; saved: Float32Array[] } | undefined;
  let generation = 0;
  const paramArrays = (params: Readonly<Record<string, Float32Array>>) =>
    trace.params.map((name) => {
      const p = params[name];
      if (!p || p.length !== N) {
        throw new NeuroBridgeError(
          "PARAMS_INVALID",
          `layer '${layer.id}': parameter '${name}' must hold ${N} values, got ${p?.length ?? "none"}`,
        );
      }
      return p;
    });
  const stepsOf = (input: Activation, batch: number) => (input.temporal ? input.rows / batch : spiking ? layer.timeSteps : 1);
  const outputOf = (input: Activation, batch: number, steps: number, data: Float32Array): Activation => ({
    data,
    rows: spiking || input.temporal ? steps * batch : batch,
    cols: N,
    temporal: spiking || input.temporal,
  });
  const freshStates = (batch: number) => initial.map((v) => new Float32Array(batch * N).fill(v));

  const sequence: SequenceKernel = {
    learnable,
    /** "wasm", "js", or "wasm forward, js backward" once a backward fell back. */
    get runsOn() {
      return backwardRunsOn === runsOn ? runsOn : `${runsOn} forward, ${backwardRunsOn} backward`;
    },
    forward(input, batch, params, options = {}) {
      const steps = stepsOf(input, batch);
      const size = steps * batch * N;
      const transient = options.transient === true;
      let out: Float32Array;
      let saved: Float32Array[];
      if (transient) {
        if (scratch?.size !== size) {
          scratch = { size, out: new Float32Array(size), saved: trace.states.map(() => new Float32Array(size)) };
        }
        out = scratch.out;
        saved = scratch.saved;
        generation++;
      } else {
        out = new Float32Array(size);
        saved = trace.states.map(() => new Float32Array(size));
      }
      const P = paramArrays(params);
      const mem = options.keepMembrane && spiking ? new Float32Array(size) : null;
      forwardFn(input.data, input.temporal, batch, steps, P, out, freshStates(batch), saved, mem, null, null);
      const keep: Saved = { input, batch, steps, params: P, states: saved, generation: transient ? generation : undefined };
      return { output: outputOf(input, batch, steps, out), ...(mem ? { membrane: mem } : {}), saved: keep } satisfies SequenceForward;
    },
    backward(forward, dOutput, learn, dMembrane) {
      const saved = forward.saved as Saved;
      if (saved.generation !== undefined && saved.generation !== generation) {
        throw new NeuroBridgeError(
          "KERNEL_STATE_LOST",
          `layer '${layer.id}': this transient forward was overwritten by a later one; run backward before the next forward`,
        );
      }
      const learned = learn.filter((p) => learnable.includes(p));
      const { input, batch, steps } = saved;
      const dIn = new Float32Array(input.data.length);
      const gStates = trace.states.map(() => new Float64Array(batch * N));
      const dP = learned.map(() => new Float64Array(N));
      backwardFor(learned)(
        input.data,
        input.temporal,
        batch,
        steps,
        saved.params,
        saved.states,
        dOutput,
        dMembrane ?? null,
        dIn,
        gStates,
        dP,
      );
      return { dInput: dIn, dParams: Object.fromEntries(learned.map((name, i) => [name, Float32Array.from(dP[i] as Float64Array)])) };
    },
  };

  let inferOut: Float32Array | undefined;
  const infer: InferKernel = {
    runsOn,
    run(input, batch, params, options = {}) {
      const steps = stepsOf(input, batch);
      const size = steps * batch * N;
      const transient = options.transient === true;
      const out = transient && inferOut?.length === size ? inferOut : new Float32Array(size);
      if (transient) inferOut = out;
      const countedSteps = spiking || input.temporal ? steps : 1;
      const counts: LayerCounts = { perStep: new Float64Array(countedSteps), everActive: new Uint8Array(N) };
      forwardFn(
        input.data,
        input.temporal,
        batch,
        steps,
        paramArrays(params),
        out,
        freshStates(batch),
        null,
        null,
        counts.perStep,
        counts.everActive,
      );
      return { output: outputOf(input, batch, steps, out), counts };
    },
  };
  // The event-driven emulator's population: one step per tick on its own state, synapses summed by the base class.
  const P = () => paramArrays(layer.params);
  const population: PopulationKernel = {
    create: (synapses) =>
      new (class extends SynapticPopulation {
        private states = freshStates(1);
        private readonly out = new Float32Array(N);
        private readonly params = P();
        reset(): void {
          this.states = freshStates(1);
        }
        update(spiked: Int32Array): { spikes: number; active: number } {
          forwardFn(this.tickInput(), false, 1, 1, this.params, this.out, this.states, null, null, null, null);
          let spikes = 0;
          for (let j = 0; j < N; j++) if ((this.out[j] as number) !== 0) spiked[spikes++] = j;
          return { spikes, active: N };
        }
      })(layer.id, N, synapses),
  };
  return { sequence, infer, population };
}
