/**
 * The step compiler's WebAssembly lowering: the same fused loops as its
 * JavaScript code (`step-compiler.ts`), emitted as a wasm module instead of
 * source text. A traced update becomes straight-line code over float32
 * locals — every spike and comparison a 0/1 conversion, every mask an
 * integer `select` on the values' bits (x64 has no conditional move for
 * float registers, so V8 lowers a float `select` to a branch), so no branch
 * depends on the data (the JavaScript's ternaries mispredict on spikes) —
 * and its reverse sweep the same code over float64 adjoints.
 *
 * Same bits as the JavaScript lowering, by construction and by test
 * (`step-wasm.test.ts`): float32 `add`/`sub`/`mul`/`div`/`min`/`max` are the
 * correctly rounded operations `Math.fround` of the float64 result gives;
 * `exp` and `log` call the very `Math.exp`/`Math.log` the JavaScript calls
 * (imported; V8 calls them directly); the backward does each float64
 * operation of the JavaScript expression in its order, and each adjoint's
 * contributions in the same sequence.
 *
 * Arrays are copied into the module's memory, the loops run, and results
 * are copied out, behind the compiled functions' own signatures — so the
 * caller picks either lowering without knowing which it got.
 */

import type { BackwardFn, ForwardFn, TraceNode } from "./step-compiler.js";
import { WasmKernels } from "./wasm.js";
import { assembleModule, FunctionBuilder, OP, SIMD, type ValType } from "./wasm-assembler.js";

type OpNode = Extract<TraceNode, { kind: "op" }>;

/** What the lowering needs of a trace and its analysis (computed by the step compiler). */
export interface WasmStepPlan {
  readonly nodes: readonly TraceNode[];
  readonly states: readonly string[];
  readonly params: readonly string[];
  readonly output: number;
  readonly next: Readonly<Record<string, number>>;
  readonly membrane: number | undefined;
  readonly N: number;
  readonly spiking: boolean;
}

const IMPORTS = [
  { module: "m", name: "exp", params: ["f64"], results: ["f64"] },
  { module: "m", name: "log", params: ["f64"], results: ["f64"] },
] as const satisfies readonly { module: string; name: string; params: ValType[]; results: ValType[] }[];
const EXP = 0;
const LOG = 1;
const imports = () => ({ m: { exp: Math.exp, log: Math.log } });

/** The loop skeleton's locals and the emitted addressing. */
class Loops {
  readonly t: number;
  readonly i: number;
  readonly nn: number;
  readonly k: number;
  readonly inOff: number;
  readonly outOff: number;
  readonly BN: number;
  readonly steps: number;
  readonly row: number;
  constructor(
    readonly f: FunctionBuilder,
    private readonly N: number,
  ) {
    this.t = f.local("i32");
    this.i = f.local("i32");
    this.nn = f.local("i32");
    this.k = f.local("i32");
    this.inOff = f.local("i32");
    this.outOff = f.local("i32");
    this.BN = f.local("i32");
    this.steps = f.local("i32");
    this.row = f.local("i32");
  }

  /** Pushes `base + index · 2^shift` (a byte address). */
  address(base: number, index: number, shift: number): void {
    this.f.get(base).get(index);
    if (shift > 0) this.f.i32(shift).op(OP.i32_shl);
    this.f.op(OP.i32_add);
  }

  /** Pushes `base + (offset + i) · 4`. */
  offsetAddress(base: number, offset: number): void {
    this.f.get(base).get(offset).get(this.i).op(OP.i32_add).i32(2).op(OP.i32_shl, OP.i32_add);
  }

  /**
   * for t (forward or reverse) { stepStart; for each row b { for nn in steps
   * of 4 { vector } for the remaining nn { scalar } } stepEnd } — with
   * `i` = b·N + nn, `k` = t·B·N + i, and `steps` = T for spiking layers,
   * else T only for per-step input. Without `vector`, every nn is scalar.
   */
  emit(
    o: { x: { temporal: number; B: number; T: number }; spiking: boolean; reverse: boolean },
    stepStart: () => void,
    vector: (() => void) | undefined,
    scalar: () => void,
    stepEnd: () => void,
  ): void {
    const f = this.f;
    const N4 = vector ? this.N - (this.N % 4) : 0;
    f.get(o.x.B).i32(this.N).op(OP.i32_mul).set(this.BN);
    if (o.spiking) f.get(o.x.T).set(this.steps);
    else f.get(o.x.T).i32(1).get(o.x.temporal).op(OP.select).set(this.steps);
    if (o.reverse) f.get(this.steps).i32(1).op(OP.i32_sub).set(this.t);
    else f.i32(0).set(this.t);
    f.open(OP.block).open(OP.loop);
    // Leave when the steps are done.
    if (o.reverse) f.get(this.t).i32(0).op(OP.i32_lt_s);
    else f.get(this.t).get(this.steps).op(OP.i32_ge_s);
    f.br(OP.br_if, 1);
    f.get(this.t).get(this.BN).op(OP.i32_mul).set(this.outOff);
    f.get(this.outOff).i32(0).get(o.x.temporal).op(OP.select).set(this.inOff);
    stepStart();
    f.i32(0).set(this.row);
    f.open(OP.block).open(OP.loop);
    f.get(this.row).get(this.BN).op(OP.i32_ge_s).br(OP.br_if, 1);
    f.i32(0).set(this.nn);
    const neurons = (upTo: number, stride: number, body: () => void) => {
      f.open(OP.block).open(OP.loop);
      f.get(this.nn).i32(upTo).op(OP.i32_ge_s).br(OP.br_if, 1);
      f.get(this.row).get(this.nn).op(OP.i32_add).tee(this.i);
      f.get(this.outOff).op(OP.i32_add).set(this.k);
      body();
      f.get(this.nn).i32(stride).op(OP.i32_add).set(this.nn);
      f.br(OP.br, 0).op(OP.end, OP.end);
    };
    if (vector && N4 > 0) neurons(N4, 4, vector);
    if (N4 < this.N) neurons(this.N, 1, scalar);
    f.get(this.row).i32(this.N).op(OP.i32_add).set(this.row);
    f.br(OP.br, 0).op(OP.end, OP.end);
    stepEnd();
    f.get(this.t)
      .i32(o.reverse ? -1 : 1)
      .op(OP.i32_add)
      .set(this.t);
    f.br(OP.br, 0).op(OP.end, OP.end);
  }
}

/**
 * Emits the forward value of each node in `ids` into its local (states are
 * loaded by the caller): float32 locals at `width` 1, four neurons' values
 * in a v128 at `width` 4. `v` maps node ids to locals.
 */
function emitForward(
  f: FunctionBuilder,
  loops: Loops,
  nodes: readonly TraceNode[],
  ids: readonly number[],
  v: Map<number, number>,
  leaf: { x: number; param: (name: string) => number },
  width: 1 | 4,
): void {
  // Pushes node `id`'s local (returns the builder for the opcodes after it).
  const get = (id: number) => f.get(v.get(id) as number);
  const load = () => (width === 4 ? f.vmem(SIMD.v128_load) : f.mem(OP.f32_load, 2));
  for (const id of ids) {
    const n = nodes[id] as TraceNode;
    if (n.kind === "state") continue;
    const local = f.local(width === 4 ? "v128" : "f32");
    v.set(id, local);
    if (n.kind === "input") {
      loops.offsetAddress(leaf.x, loops.inOff);
      load();
    } else if (n.kind === "param") {
      loops.address(leaf.param(n.name), loops.nn, 2);
      load();
    } else if (n.kind === "const") {
      if (width === 4) f.f32x4(n.value);
      else f.f32(n.value);
    } else if (width === 4) lowerOpVector(f, n, get);
    else lowerOp(f, n, get);
    f.set(local);
  }
}

/** The ops that are one float32 instruction, by width: the same operation, scalar or in four lanes. */
const ELEMENTWISE: Partial<Record<OpNode["op"], { readonly arity: 1 | 2; readonly scalar: number; readonly vector: number }>> = {
  add: { arity: 2, scalar: OP.f32_add, vector: SIMD.f32x4_add },
  sub: { arity: 2, scalar: OP.f32_sub, vector: SIMD.f32x4_sub },
  mul: { arity: 2, scalar: OP.f32_mul, vector: SIMD.f32x4_mul },
  div: { arity: 2, scalar: OP.f32_div, vector: SIMD.f32x4_div },
  maximum: { arity: 2, scalar: OP.f32_max, vector: SIMD.f32x4_max },
  minimum: { arity: 2, scalar: OP.f32_min, vector: SIMD.f32x4_min },
  neg: { arity: 1, scalar: OP.f32_neg, vector: SIMD.f32x4_neg },
  abs: { arity: 1, scalar: OP.f32_abs, vector: SIMD.f32x4_abs },
};

/** Emits an {@link ELEMENTWISE} op (returns false for the others). */
function lowerElementwise(f: FunctionBuilder, n: OpNode, get: (id: number) => FunctionBuilder, vector: boolean): boolean {
  const op = ELEMENTWISE[n.op];
  if (!op) return false;
  for (const arg of n.args.slice(0, op.arity)) get(arg);
  if (vector) f.simd(op.vector);
  else f.op(op.scalar);
  return true;
}

/** One op's value for four neurons at once: the same float32 operations lane by lane, masks as bit selects. */
function lowerOpVector(f: FunctionBuilder, n: OpNode, get: (id: number) => FunctionBuilder): void {
  const [a, b, c] = n.args as [number, number, number];
  if (lowerElementwise(f, n, get, true)) return;
  // Lane by lane through a float64 scalar computation (the transcendentals).
  const perLane = (lane: (index: number) => void) => {
    get(a);
    for (let l = 0; l < 4; l++) {
      lane(l);
      f.simd(SIMD.f32x4_replace_lane, l);
    }
  };
  const lane = (l: number) => get(a).simd(SIMD.f32x4_extract_lane, l).op(OP.f64_promote_f32);
  switch (n.op) {
    case "exp":
      perLane((l) => lane(l).call(EXP).op(OP.f32_demote_f64));
      return;
    case "log":
      perLane((l) => lane(l).call(LOG).op(OP.f32_demote_f64));
      return;
    case "sigmoid":
      perLane((l) => {
        f.f64(1).f64(1);
        lane(l).op(OP.f64_neg).call(EXP).op(OP.f64_add, OP.f64_div, OP.f32_demote_f64);
      });
      return;
    case "relu":
      // a & (a > 0): a, or +0 (NaN too, as `a > 0 ? a : 0`).
      get(a);
      get(a).f32x4(0).simd(SIMD.f32x4_gt).simd(SIMD.v128_and);
      return;
    case "greater":
      // The all-ones mask & 1.0: 1 or +0.
      get(a);
      get(b).simd(SIMD.f32x4_gt).f32x4(1).simd(SIMD.v128_and);
      return;
    case "spike":
      get(a).f32x4(0).simd(SIMD.f32x4_gt).f32x4(1).simd(SIMD.v128_and);
      return;
    case "stop":
      get(a);
      return;
    case "where":
      // bitselect(b, bitselect(c, blend, a == 0), a == 1)
      get(b);
      get(c);
      get(a);
      get(b).simd(SIMD.f32x4_mul).f32x4(1);
      get(a).simd(SIMD.f32x4_sub);
      get(c).simd(SIMD.f32x4_mul).simd(SIMD.f32x4_add);
      get(a).f32x4(0).simd(SIMD.f32x4_eq).simd(SIMD.v128_bitselect);
      get(a).f32x4(1).simd(SIMD.f32x4_eq).simd(SIMD.v128_bitselect);
      return;
  }
}

/** One op's float32 value, as the JavaScript lowering computes it (see `forwardCode`). `get` pushes a node's local. */
function lowerOp(f: FunctionBuilder, n: OpNode, get: (id: number) => FunctionBuilder): void {
  const [a, b, c] = n.args as [number, number, number];
  if (lowerElementwise(f, n, get, false)) return;
  const transcendental = (fn: number) => get(a).op(OP.f64_promote_f32).call(fn).op(OP.f32_demote_f64);
  // (l > r ? 1 : 0) as the comparison's 0/1 converted; r absent: 0.
  const step = (l: number, r: number | undefined) => {
    get(l);
    if (r === undefined) f.f32(0);
    else get(r);
    f.op(OP.f32_gt, OP.f32_convert_i32_u);
  };
  switch (n.op) {
    case "exp":
      transcendental(EXP);
      return;
    case "log":
      transcendental(LOG);
      return;
    case "sigmoid":
      // f(1 / (1 + exp(−a))) in float64.
      f.f64(1).f64(1);
      get(a).op(OP.f64_promote_f32, OP.f64_neg).call(EXP).op(OP.f64_add, OP.f64_div, OP.f32_demote_f64);
      return;
    case "relu":
      // (a > 0 ? a : +0), selected on the bits.
      get(a).op(OP.i32_reinterpret_f32).i32(0);
      get(a).f32(0).op(OP.f32_gt, OP.select, OP.f32_reinterpret_i32);
      return;
    case "greater":
      step(a, b);
      return;
    case "spike":
      step(a, undefined);
      return;
    case "stop":
      get(a);
      return;
    case "where":
      // a == 1 ? b : a == 0 ? c : f(f(a·b) + f(f(1 − a)·c))
      // (selected on the bits)
      get(b).op(OP.i32_reinterpret_f32);
      get(c).op(OP.i32_reinterpret_f32);
      get(a);
      get(b).op(OP.f32_mul).f32(1);
      get(a).op(OP.f32_sub);
      get(c).op(OP.f32_mul, OP.f32_add, OP.i32_reinterpret_f32);
      get(a).f32(0).op(OP.f32_eq, OP.select);
      get(a).f32(1).op(OP.f32_eq, OP.select, OP.f32_reinterpret_i32);
      return;
  }
}

/** A signature of i32 parameters in groups of the given sizes, with each group's first parameter index. */
function addressSignature(groups: readonly number[]): { sig: ValType[]; starts: number[] } {
  const starts: number[] = [];
  let count = 0;
  for (const size of groups) {
    starts.push(count);
    count += size;
  }
  return { sig: Array.from({ length: count }, (): ValType => "i32"), starts };
}

/**
 * The compiled forward (see `compileForward`) as a wasm function over
 * addresses: four neurons per iteration, the rest of a row one by one.
 * `everActive` is an int32 per neuron here (OR-ed masks); the host folds it
 * into the caller's bytes.
 */
function forwardFunction(plan: WasmStepPlan, ids: readonly number[]): FunctionBuilder {
  const { nodes, states, params, N } = plan;
  // (x, xTemporal, B, T), P…, out, S…, SV…, (mem, perStep, everActive)
  const { sig, starts } = addressSignature([4, params.length, 1, states.length, states.length, 3]);
  const [, P0, OUT, S0, SV0, MEM] = starts as [number, number, number, number, number, number];
  const PER_STEP = MEM + 1;
  const EVER = MEM + 2;
  const f = new FunctionBuilder(sig, []);
  const loops = new Loops(f, N);
  const events = f.local("i32");
  const eventLanes = f.local("v128");
  const stateNodes = nodes.filter((n): n is Extract<TraceNode, { kind: "state" }> => n.kind === "state");
  const body = (width: 1 | 4) => {
    const vector = width === 4;
    const load = () => (vector ? f.vmem(SIMD.v128_load) : f.mem(OP.f32_load, 2));
    const store = () => (vector ? f.vmem(SIMD.v128_store) : f.mem(OP.f32_store, 2));
    const v = new Map<number, number>();
    const stateLocals = stateNodes.map((n) => {
      const local = f.local(vector ? "v128" : "f32");
      v.set(n.id, local);
      return { local, j: states.indexOf(n.name) };
    });
    const nz = f.local(vector ? "v128" : "i32");
    for (const { local, j } of stateLocals) {
      loops.address(S0 + j, loops.i, 2);
      load();
      f.set(local);
    }
    for (const { local, j } of stateLocals) {
      f.get(SV0 + j).open(OP.if);
      loops.address(SV0 + j, loops.k, 2);
      f.get(local);
      store();
      f.op(OP.end);
    }
    emitForward(f, loops, nodes, ids, v, { x: 0, param: (name) => P0 + params.indexOf(name) }, width);
    const y = v.get(plan.output) as number;
    loops.address(OUT, loops.k, 2);
    f.get(y);
    store();
    // Counted without a branch: events += (y ≠ 0), everActive[nn] |= (y ≠ 0).
    if (vector) {
      f.get(y).f32x4(0).simd(SIMD.f32x4_ne).set(nz);
      f.get(eventLanes).get(nz).simd(SIMD.i32x4_sub).set(eventLanes);
    } else {
      f.get(y).f32(0).op(OP.f32_ne).set(nz);
      f.get(events).get(nz).op(OP.i32_add).set(events);
    }
    loops.address(EVER, loops.nn, 2);
    loops.address(EVER, loops.nn, 2);
    if (vector) f.vmem(SIMD.v128_load).get(nz).simd(SIMD.v128_or).vmem(SIMD.v128_store);
    else f.mem(OP.i32_load, 2).get(nz).op(OP.i32_or).mem(OP.i32_store, 2);
    if (plan.membrane !== undefined) {
      f.get(MEM).open(OP.if);
      loops.address(MEM, loops.k, 2);
      f.get(v.get(plan.membrane) as number);
      store();
      f.op(OP.end);
    }
    states.forEach((s, j) => {
      loops.address(S0 + j, loops.i, 2);
      f.get(v.get(plan.next[s] as number) as number);
      store();
    });
  };
  loops.emit(
    { x: { temporal: 1, B: 2, T: 3 }, spiking: plan.spiking, reverse: false },
    () => f.i32(0).set(events).f32x4(0).set(eventLanes),
    () => body(4),
    () => body(1),
    () => {
      for (let l = 0; l < 4; l++) f.get(events).get(eventLanes).simd(SIMD.i32x4_extract_lane, l).op(OP.i32_add).set(events);
      f.get(PER_STEP).open(OP.if);
      loops.address(PER_STEP, loops.t, 3);
      f.get(events).op(OP.f64_convert_i32_s).mem(OP.f64_store, 3).op(OP.end);
    },
  );
  return f;
}

/** A float64 expression of the backward rules (what the JavaScript lowering writes as text). */
type Adj =
  | { readonly g: true }
  | { readonly v: number }
  | { readonly c: number }
  | { readonly neg: Adj }
  | { readonly bin: "add" | "sub" | "mul" | "div"; readonly a: Adj; readonly b: Adj }
  /** `(va ⋈ vb ? ifTrue : ifFalse)`, compared as float32 values. */
  | { readonly cmp: "gt" | "ge" | "lt" | "le"; readonly l: number; readonly r: number | null; readonly ifTrue: Adj; readonly ifFalse: Adj };

const G: Adj = { g: true };
const V = (id: number): Adj => ({ v: id });
const ZERO: Adj = { c: 0 };
const ONE: Adj = { c: 1 };
const mul = (a: Adj, b: Adj): Adj => ({ bin: "mul", a, b });

/** Each op's adjoint contributions to its arguments, in the order the JavaScript lowering adds them (see `backwardCode`). */
function adjointRules(n: OpNode, self: number): [number, Adj][] {
  const [a, b, c] = n.args as [number, number, number];
  switch (n.op) {
    case "add":
      return [
        [a, G],
        [b, G],
      ];
    case "sub":
      return [
        [a, G],
        [b, { neg: G }],
      ];
    case "mul":
      return [
        [a, mul(G, V(b))],
        [b, mul(G, V(a))],
      ];
    case "div":
      return [
        [a, { bin: "div", a: G, b: V(b) }],
        [b, { bin: "div", a: mul({ neg: G }, V(a)), b: mul(V(b), V(b)) }],
      ];
    case "neg":
      return [[a, { neg: G }]];
    case "abs":
      return [[a, { cmp: "gt", l: a, r: null, ifTrue: G, ifFalse: { neg: G } }]];
    case "exp":
      return [[a, mul(G, V(self))]];
    case "log":
      return [[a, { bin: "div", a: G, b: V(a) }]];
    case "maximum":
      return [
        [a, { cmp: "ge", l: a, r: b, ifTrue: G, ifFalse: ZERO }],
        [b, { cmp: "lt", l: a, r: b, ifTrue: G, ifFalse: ZERO }],
      ];
    case "minimum":
      return [
        [a, { cmp: "le", l: a, r: b, ifTrue: G, ifFalse: ZERO }],
        [b, { cmp: "gt", l: a, r: b, ifTrue: G, ifFalse: ZERO }],
      ];
    case "sigmoid":
      return [[a, mul(mul(G, V(self)), { bin: "sub", a: ONE, b: V(self) })]];
    case "relu":
      return [[a, { cmp: "gt", l: a, r: null, ifTrue: G, ifFalse: ZERO }]];
    case "where":
      return [
        [a, mul(G, { bin: "sub", a: V(b), b: V(c) })],
        [b, mul(G, V(a))],
        [c, mul(G, { bin: "sub", a: ONE, b: V(a) })],
      ];
    case "spike":
      return [[a, mul(G, V(n.gradient as number))]];
    default:
      return []; // greater and stopGradient carry no gradient
  }
}

const CMP = { gt: OP.f32_gt, ge: OP.f32_ge, lt: OP.f32_lt, le: OP.f32_le } as const;
const BIN = { add: OP.f64_add, sub: OP.f64_sub, mul: OP.f64_mul, div: OP.f64_div } as const;

function emitAdj(f: FunctionBuilder, e: Adj, gz: number, v: Map<number, number>): void {
  if ("g" in e) f.get(gz);
  else if ("v" in e) f.get(v.get(e.v) as number).op(OP.f64_promote_f32);
  else if ("c" in e) f.f64(e.c);
  else if ("neg" in e) {
    emitAdj(f, e.neg, gz, v);
    f.op(OP.f64_neg);
  } else if ("bin" in e) {
    emitAdj(f, e.a, gz, v);
    emitAdj(f, e.b, gz, v);
    f.op(BIN[e.bin]);
  } else {
    // Selected on the bits (see the module doc).
    emitAdj(f, e.ifTrue, gz, v);
    f.op(OP.i64_reinterpret_f64);
    emitAdj(f, e.ifFalse, gz, v);
    f.op(OP.i64_reinterpret_f64);
    f.get(v.get(e.l) as number);
    if (e.r === null) f.f32(0);
    else f.get(v.get(e.r) as number);
    f.op(CMP[e.cmp], OP.select, OP.f64_reinterpret_i64);
  }
}

const BIN_X2 = { add: SIMD.f64x2_add, sub: SIMD.f64x2_sub, mul: SIMD.f64x2_mul, div: SIMD.f64x2_div } as const;
const CMP_X4 = { gt: SIMD.f32x4_gt, ge: SIMD.f32x4_ge, lt: SIMD.f32x4_lt, le: SIMD.f32x4_le } as const;
/** i8x16.shuffle lanes moving the high 64 bits down (the upper half is don't-care). */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** i8x16.shuffle lanes joining two vectors' low halves. */
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** Pushes half `h` (neurons 0–1 or 2–3) of an f32x4 local as f64x2. */
function promoteHalf(f: FunctionBuilder, local: number, h: 0 | 1): void {
  f.get(local);
  if (h === 1) f.get(local).simd(SIMD.i8x16_shuffle, ...HIGH_HALF);
  f.simd(SIMD.f64x2_promote_low_f32x4);
}

/** {@link emitAdj} for half `h` of four neurons: the same float64 operations in f64x2 lanes. */
function emitAdjHalf(f: FunctionBuilder, e: Adj, gz: readonly [number, number], v: Map<number, number>, h: 0 | 1): void {
  if ("g" in e) f.get(gz[h]);
  else if ("v" in e) promoteHalf(f, v.get(e.v) as number, h);
  else if ("c" in e) f.f64(e.c).simd(SIMD.f64x2_splat);
  else if ("neg" in e) {
    emitAdjHalf(f, e.neg, gz, v, h);
    f.simd(SIMD.f64x2_neg);
  } else if ("bin" in e) {
    emitAdjHalf(f, e.a, gz, v, h);
    emitAdjHalf(f, e.b, gz, v, h);
    f.simd(BIN_X2[e.bin]);
  } else {
    emitAdjHalf(f, e.ifTrue, gz, v, h);
    emitAdjHalf(f, e.ifFalse, gz, v, h);
    // The float32 comparison's lanes, widened to this half's 64-bit masks.
    f.get(v.get(e.l) as number);
    if (e.r === null) f.f32x4(0);
    else f.get(v.get(e.r) as number);
    f.simd(CMP_X4[e.cmp]).simd(h === 0 ? SIMD.i64x2_extend_low_i32x4_s : SIMD.i64x2_extend_high_i32x4_s);
    f.simd(SIMD.v128_bitselect);
  }
}

/**
 * The compiled BPTT backward (see `compileBackward`) as a wasm function over
 * addresses: four neurons per iteration (float32 values in f32x4, each
 * adjoint as two f64x2 halves), the rest of a row one by one.
 */
function backwardFunction(
  plan: WasmStepPlan,
  ids: readonly number[],
  differentiable: ReadonlySet<number>,
  learned: readonly string[],
): FunctionBuilder {
  const { nodes, states, params, N } = plan;
  // (x, xTemporal, B, T), P…, SV…, (dOut, dMem, dIn), gS…, dP…
  const { sig, starts } = addressSignature([4, params.length, states.length, 3, states.length, learned.length]);
  const [, P0, SV0, D_OUT, GS0, DP0] = starts as [number, number, number, number, number, number];
  const D_MEM = D_OUT + 1;
  const D_IN = D_OUT + 2;
  const f = new FunctionBuilder(sig, []);
  const loops = new Loops(f, N);
  const stateNodes = nodes.filter((n): n is Extract<TraceNode, { kind: "state" }> => n.kind === "state");
  const adjoint = ids.filter((id) => differentiable.has(id));
  const inputNode = nodes.find((n) => n.kind === "input")?.id as number;
  /** One element (width 1) or four neurons (width 4, adjoints as two f64x2 halves) of the reverse sweep. */
  const body = (width: 1 | 4) => {
    const vector = width === 4;
    const halves = vector ? ([0, 1] as const) : ([0] as const);
    const v = new Map<number, number>();
    const g = new Map<number, [number, number]>();
    const stateLocals = stateNodes.map((n) => {
      const local = f.local(vector ? "v128" : "f32");
      v.set(n.id, local);
      return { n, local, j: states.indexOf(n.name) };
    });
    for (const id of adjoint) g.set(id, vector ? [f.local("v128"), f.local("v128")] : [f.local("f64"), -1]);
    // g[target] += emit(h), per half.
    const accumulate = (target: number, emit: (h: 0 | 1) => void) => {
      const locals = g.get(target);
      if (locals === undefined) return;
      for (const h of halves) {
        f.get(locals[h]);
        emit(h);
        if (vector) f.simd(SIMD.f64x2_add);
        else f.op(OP.f64_add);
        f.set(locals[h]);
      }
    };
    // Loads of float32 data at element `index` (this half promoted), float64 data (this half's two lanes).
    const loadF32 = (base: number, index: number, h: 0 | 1) => {
      loops.address(base, index, 2);
      if (!vector) {
        f.mem(OP.f32_load, 2).op(OP.f64_promote_f32);
        return;
      }
      f.vmem(SIMD.v128_load);
      if (h === 1) {
        const tmp = f.local("v128");
        f.tee(tmp)
          .get(tmp)
          .simd(SIMD.i8x16_shuffle, ...HIGH_HALF);
      }
      f.simd(SIMD.f64x2_promote_low_f32x4);
    };
    const addressF64 = (base: number, index: number, h: 0 | 1) => {
      loops.address(base, index, 3);
      if (h === 1) f.i32(16).op(OP.i32_add);
    };
    const loadF64 = (base: number, index: number, h: 0 | 1) => {
      addressF64(base, index, h);
      if (vector) f.vmem(SIMD.v128_load);
      else f.mem(OP.f64_load, 3);
    };
    const storeF64 = () => (vector ? f.vmem(SIMD.v128_store) : f.mem(OP.f64_store, 3));
    const zero = () => (vector ? f.f64(0).simd(SIMD.f64x2_splat) : f.f64(0));

    for (const { local, j } of stateLocals) {
      loops.address(SV0 + j, loops.k, 2);
      if (vector) f.vmem(SIMD.v128_load);
      else f.mem(OP.f32_load, 2);
      f.set(local);
    }
    emitForward(f, loops, nodes, ids, v, { x: 0, param: (name) => P0 + params.indexOf(name) }, width);
    for (const id of adjoint) {
      for (const h of halves) {
        zero();
        f.set((g.get(id) as [number, number])[h]);
      }
    }
    // Seeds: the output's gradient, each next state's carried gradient, the membrane's.
    accumulate(plan.output, (h) => loadF32(D_OUT, loops.k, h));
    states.forEach((s, j) => {
      accumulate(plan.next[s] as number, (h) => loadF64(GS0 + j, loops.i, h));
    });
    if (plan.membrane !== undefined && g.has(plan.membrane)) {
      f.get(D_MEM).open(OP.if);
      accumulate(plan.membrane, (h) => loadF32(D_MEM, loops.k, h));
      f.op(OP.end);
    }
    for (const id of [...ids].reverse()) {
      const n = nodes[id] as TraceNode;
      const gz = g.get(id);
      if (n.kind !== "op" || gz === undefined) continue;
      for (const [target, rule] of adjointRules(n, id)) {
        accumulate(target, (h) => (vector ? emitAdjHalf(f, rule, gz, v, h) : emitAdj(f, rule, gz[0], v)));
      }
    }
    const gIn = g.get(inputNode);
    if (ids.includes(inputNode) && gIn !== undefined) {
      // dIn[xTemporal ? k : i] += g, rounded to float32.
      const at = f.local("i32");
      f.get(D_IN).get(loops.k).get(loops.i).get(1).op(OP.select).i32(2).op(OP.i32_shl, OP.i32_add).tee(at);
      if (!vector) {
        f.get(at).mem(OP.f32_load, 2).op(OP.f64_promote_f32).get(gIn[0]).op(OP.f64_add, OP.f32_demote_f64).mem(OP.f32_store, 2);
      } else {
        const old = f.local("v128");
        f.get(at).vmem(SIMD.v128_load).set(old);
        // Each half: promote, add, demote (to the low two lanes); then the two halves joined.
        f.get(old).simd(SIMD.f64x2_promote_low_f32x4).get(gIn[0]).simd(SIMD.f64x2_add).simd(SIMD.f32x4_demote_f64x2_zero);
        f.get(old)
          .get(old)
          .simd(SIMD.i8x16_shuffle, ...HIGH_HALF)
          .simd(SIMD.f64x2_promote_low_f32x4);
        f.get(gIn[1]).simd(SIMD.f64x2_add).simd(SIMD.f32x4_demote_f64x2_zero);
        f.simd(SIMD.i8x16_shuffle, ...LOW_HALVES).vmem(SIMD.v128_store);
      }
    }
    for (const { n, j } of stateLocals) {
      for (const h of halves) {
        addressF64(GS0 + j, loops.i, h);
        const carried = g.get(n.id);
        if (carried !== undefined) f.get(carried[h]);
        else zero();
        storeF64();
      }
    }
    for (const n of nodes) {
      if (n.kind !== "param" || !ids.includes(n.id)) continue;
      const j = learned.indexOf(n.name);
      const gp = g.get(n.id);
      if (j < 0 || gp === undefined) continue;
      for (const h of halves) {
        addressF64(DP0 + j, loops.nn, h);
        loadF64(DP0 + j, loops.nn, h);
        f.get(gp[h]);
        if (vector) f.simd(SIMD.f64x2_add);
        else f.op(OP.f64_add);
        storeF64();
      }
    }
  };
  loops.emit(
    { x: { temporal: 1, B: 2, T: 3 }, spiking: plan.spiking, reverse: true },
    () => {},
    () => body(4),
    () => body(1),
    () => {},
  );
  return f;
}

type Exports = { forward: (...addresses: number[]) => void; backward: (...addresses: number[]) => void };

/** Copies arrays into a module's memory, runs one of its functions, copies the results out. */
function host(kernels: WasmKernels<Exports>) {
  return {
    kernels,
    /** Lays out `blocks` (typed arrays or byte sizes of zeroed scratch; null → address 0) and returns their addresses. */
    place(blocks: readonly (Float32Array | Float64Array | Uint8Array | number | null)[]): number[] {
      const sizes = blocks.map((b) => (b === null ? 0 : typeof b === "number" ? b : b.byteLength));
      const at = kernels.layout(sizes);
      return blocks.map((b, i) => {
        const address = at[i] as number;
        if (b === null) return 0;
        if (typeof b === "number") kernels.u8(address, b).fill(0);
        else if (b instanceof Float32Array) kernels.f32(address, b.length).set(b);
        else if (b instanceof Float64Array) kernels.f64(address, b.length).set(b);
        else kernels.u8(address, b.length).set(b);
        return address;
      });
    },
  };
}

/**
 * The forward and backward of a traced step as wasm, with the JavaScript
 * lowering's signatures. Returns `{ unavailable }` where generated wasm
 * cannot run (no WebAssembly, or a policy forbids compiling it).
 */
export function compileStepWasm(
  plan: WasmStepPlan,
  forwardIds: readonly number[],
):
  | {
      readonly forward: ForwardFn;
      readonly backward: (
        ids: readonly number[],
        differentiable: ReadonlySet<number>,
        learned: readonly string[],
      ) => BackwardFn | undefined;
    }
  | { readonly unavailable: string } {
  const forwardKernels = WasmKernels.fromBytes<Exports>(
    assembleModule({ imports: IMPORTS, functions: [{ name: "forward", body: forwardFunction(plan, forwardIds) }] }),
    imports(),
  );
  if ("unavailable" in forwardKernels) return forwardKernels;
  const fw = host(forwardKernels);
  const { N } = plan;
  const forward: ForwardFn = (x, xTemporal, B, T, P, out, states, saved, mem, perStep, everActive) => {
    const steps = plan.spiking || xTemporal ? T : 1;
    const size = steps * B * N;
    const a = fw.place([
      x,
      ...P,
      size * 4,
      ...states,
      ...states.map(() => (saved ? size * 4 : null)),
      mem ? size * 4 : null,
      perStep ? steps * 8 : null,
      N * 4,
    ]);
    fw.kernels.exports.forward(a[0] as number, xTemporal ? 1 : 0, B, T, ...a.slice(1));
    let at = 1 + P.length;
    out.set(fw.kernels.f32(a[at++] as number, size));
    for (const s of states) s.set(fw.kernels.f32(a[at++] as number, s.length));
    for (const sv of saved ?? []) sv.set(fw.kernels.f32(a[at++] as number, size));
    if (!saved) at += states.length;
    const memAt = a[at++] as number;
    if (mem) mem.set(fw.kernels.f32(memAt, size));
    const perStepAt = a[at++] as number;
    if (perStep) perStep.set(fw.kernels.f64(perStepAt, steps));
    if (everActive) {
      const ever = fw.kernels.i32(a[at] as number, N);
      for (let j = 0; j < N; j++) if (ever[j] !== 0) everActive[j] = 1;
    }
  };
  const backward = (ids: readonly number[], differentiable: ReadonlySet<number>, learned: readonly string[]): BackwardFn | undefined => {
    const kernels = WasmKernels.fromBytes<Exports>(
      assembleModule({ imports: IMPORTS, functions: [{ name: "backward", body: backwardFunction(plan, ids, differentiable, learned) }] }),
      imports(),
    );
    if ("unavailable" in kernels) return undefined;
    const bw = host(kernels);
    return (x, xTemporal, B, T, P, saved, dOut, dMem, dIn, gStates, dP) => {
      const a = bw.place([x, ...P, ...saved, dOut, dMem, dIn, ...gStates, ...dP]);
      bw.kernels.exports.backward(a[0] as number, xTemporal ? 1 : 0, B, T, ...a.slice(1));
      let at = 1 + P.length + saved.length + 2;
      dIn.set(bw.kernels.f32(a[at++] as number, dIn.length));
      for (const gs of gStates) gs.set(bw.kernels.f64(a[at++] as number, gs.length));
      for (const d of dP) d.set(bw.kernels.f64(a[at++] as number, d.length));
    };
  };
  return { forward, backward };
}
