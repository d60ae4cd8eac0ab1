/**
 * The LIF recurrence in WebAssembly with 128-bit SIMD (`assembly/lif.ts`),
 * behind the same functions as the JavaScript kernels: the `sequence` and
 * `infer` kernels call these first and keep the JavaScript loops where the
 * module cannot serve (no WebAssembly, or a surrogate that declares no
 * {@link SurrogateShape}). Both compute the same bits; `lif-wasm.test.ts`
 * holds them to it.
 *
 * Measured here (AMD EPYC, one thread, batch 128 × 256 neurons × T 25): the
 * JavaScript forward takes 16.6 ns and the backward 19 ns per neuron-step.
 */
import { type LayerCounts, lazyWasmKernels, type ResetSemantics, type SurrogateShape, WasmKernels } from "@neurobridge/core";
import { LIF_WASM } from "../wasm/lif.generated.js";

interface LifExports {
  lifForward(
    T: number,
    B: number,
    N: number,
    input: number,
    inputStatic: boolean,
    beta: number,
    threshold: number,
    reset: number,
    v: number,
    spikes: number,
    uPre: number,
    active: number,
    perStep: number,
  ): void;
  lifBackward(
    T: number,
    B: number,
    N: number,
    uPre: number,
    spikes: number,
    dSpikes: number,
    dMembrane: number,
    beta: number,
    threshold: number,
    reset: number,
    form: number,
    p: number,
    c: number,
    inputStatic: boolean,
    wantBeta: boolean,
    dInput: number,
    dBeta: number,
    g: number,
    effective: number,
  ): void;
  alifForward(
    T: number,
    B: number,
    N: number,
    input: number,
    inputStatic: boolean,
    beta: number,
    threshold: number,
    rho: number,
    jump: number,
    reset: number,
    v: number,
    a: number,
    spikes: number,
    uPre: number,
    effective: number,
  ): void;
  cubaForward(
    T: number,
    B: number,
    N: number,
    input: number,
    inputStatic: boolean,
    alpha: number,
    beta: number,
    threshold: number,
    reset: number,
    cur: number,
    v: number,
    spikes: number,
    uPre: number,
    current: number,
    active: number,
    perStep: number,
  ): void;
  cubaBackward(
    T: number,
    B: number,
    N: number,
    uPre: number,
    spikes: number,
    current: number,
    dSpikes: number,
    dMembrane: number,
    alpha: number,
    beta: number,
    threshold: number,
    reset: number,
    form: number,
    p: number,
    c: number,
    inputStatic: boolean,
    wantBeta: boolean,
    wantAlpha: boolean,
    dInput: number,
    dBeta: number,
    dAlpha: number,
    gv: number,
    gi: number,
  ): void;
  eulerSweep(
    n: number,
    targets: number,
    steps: number,
    a: number,
    x0: number,
    threshold: number,
    reset: number,
    refractorySteps: number,
    dt: number,
    discard: number,
    count: number,
    first: number,
    last: number,
  ): void;
  lifTick(N: number, v: number, input: number, beta: number, threshold: number, reset: number, out: number, activeAt: number): number;
}

/** A fresh instance (own memory) of the module; the compiled module is shared per thread. */
const loadLif = (): WasmKernels<LifExports> | { unavailable: string } => WasmKernels.load<LifExports>(LIF_WASM);
const probe = lazyWasmKernels<LifExports>(() => LIF_WASM);

/** Whether the WebAssembly kernels run in this thread, or why not. */
export function lifWasmStatus(): { available: true } | { available: false; reason: string } {
  const m = probe();
  return "unavailable" in m ? { available: false, reason: m.unavailable } : { available: true };
}

const RESET: Record<ResetSemantics, number> = { zero: 0, subtract: 1, none: 2 };
const FORM: Record<SurrogateShape["form"], number> = { "fast-sigmoid": 0, atan: 1, triangle: 2 };

/** A surrogate shape bound to its parameter, as the module takes it. */
export interface WasmSurrogate {
  readonly form: number;
  readonly p: number;
  /** (π/2)·p for `atan` (computed here, as core's `compile` does). */
  readonly c: number;
}

/** The module's form of a declared surrogate shape with parameter values, or undefined (not declared). */
export function wasmSurrogate(shape: SurrogateShape | undefined, params: Readonly<Record<string, unknown>>): WasmSurrogate | undefined {
  if (!shape) return undefined;
  const p = params[shape.param];
  if (typeof p !== "number") return undefined;
  return { form: FORM[shape.form], p, c: (Math.PI / 2) * p };
}

/** Where one call's arrays live in a module's memory (byte addresses; 0 = absent). */
interface Layout {
  readonly input: number;
  readonly beta: number;
  readonly threshold: number;
  readonly v: number;
  readonly spikes: number;
  readonly uPre: number;
  readonly active: number;
  readonly perStep: number;
  readonly dSpikes: number;
  readonly dMembrane: number;
  readonly dInput: number;
  readonly dBeta: number;
  readonly g: number;
}

/**
 * Forward state a backward can run from: the arrays themselves, and — when
 * the forward left them in a {@link LifWasm}'s memory — which forward of
 * which workspace wrote them, so a backward reads them in place.
 */
export interface LifWasmSaved {
  readonly uPre: Float32Array;
  readonly spikes: Float32Array;
  readonly owner?: LifWasm;
  readonly generation?: number;
}

/**
 * A workspace of the WebAssembly LIF: its own module instance and memory,
 * holding the arrays of its latest forward. With `views`, a forward returns
 * its spikes and membrane as views of that memory and the backward reads
 * them in place — no copy and no fresh allocation (allocating and
 * page-faulting 3 MB arrays cost more than the recurrence itself) — valid
 * until this workspace's next forward. Without, everything is copied out.
 */
export class LifWasm {
  private generation = 0;

  private constructor(private readonly m: WasmKernels<LifExports>) {}

  /** A workspace with its own memory, or undefined where the module cannot run. */
  static create(): LifWasm | undefined {
    const m = loadLif();
    return "unavailable" in m ? undefined : new LifWasm(m);
  }

  /** Lays out every array a forward and its backward use, in one place so the backward never grows memory. */
  private layout(timeSteps: number, batch: number, N: number, inputLength: number, counts: boolean): Layout {
    const BN = batch * N;
    const TBN = timeSteps * BN;
    const [input, beta, threshold, v, spikes, uPre, active, perStep, dSpikes, dMembrane, dInput, dBeta, g] = this.m.layout([
      inputLength * 4,
      N * 4,
      N * 4,
      BN * 4,
      TBN * 4,
      TBN * 4,
      counts ? N * 4 : 0,
      counts ? timeSteps * 8 : 0,
      TBN * 4,
      TBN * 4,
      inputLength * 4,
      N * 8,
      BN * 8,
    ]) as number[] as [number, number, number, number, number, number, number, number, number, number, number, number, number];
    return { input, beta, threshold, v, spikes, uPre, active, perStep, dSpikes, dMembrane, dInput, dBeta, g };
  }

  /**
   * Forward over `timeSteps` steps; `input` is `[B, N]` (static) or `[T·B, N]`.
   * Returns the spikes and pre-reset membrane (views when `views`), filling `counts`.
   */
  forward(
    input: Float32Array,
    inputStatic: boolean,
    batch: number,
    timeSteps: number,
    beta: Float32Array,
    threshold: Float32Array,
    reset: ResetSemantics,
    views: boolean,
    counts?: LayerCounts,
  ): LifWasmSaved {
    const run = this.run(input, inputStatic, batch, timeSteps, beta, threshold, reset, true, counts);
    const uPre = run.uPre as Float32Array;
    return views
      ? { spikes: run.spikes, uPre, owner: this, generation: this.generation }
      : { spikes: run.spikes.slice(), uPre: uPre.slice() };
  }

  /** Inference: the forward's spikes only (a view when `views`); the membrane is not stored. */
  infer(
    input: Float32Array,
    inputStatic: boolean,
    batch: number,
    timeSteps: number,
    beta: Float32Array,
    threshold: Float32Array,
    reset: ResetSemantics,
    views: boolean,
    counts: LayerCounts,
  ): Float32Array {
    const { spikes } = this.run(input, inputStatic, batch, timeSteps, beta, threshold, reset, false, counts);
    return views ? spikes : spikes.slice();
  }

  /** Runs the module's forward; returns views of its outputs. */
  private run(
    input: Float32Array,
    inputStatic: boolean,
    batch: number,
    timeSteps: number,
    beta: Float32Array,
    threshold: Float32Array,
    reset: ResetSemantics,
    withMembrane: boolean,
    counts?: LayerCounts,
  ): { spikes: Float32Array; uPre?: Float32Array } {
    const { m } = this;
    const N = beta.length;
    const TBN = timeSteps * batch * N;
    const at = this.layout(timeSteps, batch, N, input.length, counts !== undefined);
    m.f32(at.input, input.length).set(input);
    m.f32(at.beta, N).set(beta);
    m.f32(at.threshold, N).set(threshold);
    if (counts) m.i32(at.active, N).fill(0);
    m.exports.lifForward(
      timeSteps,
      batch,
      N,
      at.input,
      inputStatic,
      at.beta,
      at.threshold,
      RESET[reset],
      at.v,
      at.spikes,
      withMembrane ? at.uPre : 0,
      counts ? at.active : 0,
      counts ? at.perStep : 0,
    );
    this.generation++;
    if (counts) {
      counts.perStep.set(m.f64(at.perStep, timeSteps));
      const active = m.i32(at.active, N);
      for (let n = 0; n < N; n++) if (active[n] !== 0) counts.everActive[n] = 1;
    }
    const spikes = m.f32(at.spikes, TBN);
    return withMembrane ? { spikes, uPre: m.f32(at.uPre, TBN) } : { spikes };
  }

  /**
   * The BPTT backward (see `lif-kernels.ts`). Reads the forward's arrays in
   * place when this workspace's latest forward wrote them, else copies them
   * in. `dInput` is a view when `views`.
   */
  backward(
    saved: LifWasmSaved,
    dSpikes: Float32Array,
    dMembrane: Float32Array | undefined,
    beta: Float32Array,
    threshold: Float32Array,
    batch: number,
    timeSteps: number,
    inputStatic: boolean,
    reset: ResetSemantics,
    surrogate: WasmSurrogate,
    wantBeta: boolean,
    views: boolean,
  ): { dInput: Float32Array; dBeta: Float32Array } {
    const { m } = this;
    const N = beta.length;
    const BN = batch * N;
    const TBN = timeSteps * BN;
    const inputLength = inputStatic ? BN : TBN;
    if (saved.owner !== undefined && (saved.owner !== this || saved.generation !== this.generation)) {
      throw new Error(
        "LIF backward: the forward's arrays were overwritten by a later forward of the same kernel; a transient forward must be back-propagated before the kernel runs forward again",
      );
    }
    const at = this.layout(timeSteps, batch, N, inputLength, false);
    if (saved.owner === undefined) {
      m.f32(at.uPre, TBN).set(saved.uPre);
      m.f32(at.spikes, TBN).set(saved.spikes);
    }
    m.f32(at.dSpikes, TBN).set(dSpikes);
    if (dMembrane) m.f32(at.dMembrane, TBN).set(dMembrane);
    m.f32(at.beta, N).set(beta);
    m.f32(at.threshold, N).set(threshold);
    m.exports.lifBackward(
      timeSteps,
      batch,
      N,
      at.uPre,
      at.spikes,
      at.dSpikes,
      dMembrane ? at.dMembrane : 0,
      at.beta,
      at.threshold,
      RESET[reset],
      surrogate.form,
      surrogate.p,
      surrogate.c,
      inputStatic,
      wantBeta,
      at.dInput,
      at.dBeta,
      at.g,
      0,
    );
    const dInput = m.f32(at.dInput, inputLength);
    return { dInput: views ? dInput : dInput.slice(), dBeta: Float32Array.from(m.f64(at.dBeta, N)) };
  }
}

/** What the ALIF forward keeps for its backward: spikes, pre-reset membrane and θ + a, each `[T·B, N]`. */
export interface AlifArrays {
  readonly spikes: Float32Array;
  readonly uPre: Float32Array;
  readonly effective: Float32Array;
}

/**
 * The adaptive-threshold LIF (`alif`) in WebAssembly SIMD: the forward
 * (`alifForward`) and the LIF's BPTT backward with θ + a per neuron-step in
 * place of θ — the arithmetic of `alif.ts`'s JavaScript loops, the same bits
 * (`lif-wasm.test.ts`). Arrays are copied in and out on every call.
 */
export class AlifWasm {
  private constructor(private readonly m: WasmKernels<LifExports>) {}

  /** A workspace with its own memory, or undefined where the module cannot run. */
  static create(): AlifWasm | undefined {
    const m = loadLif();
    return "unavailable" in m ? undefined : new AlifWasm(m);
  }

  /** Forward over `timeSteps` steps; `input` is `[B, N]` (static) or `[T·B, N]`. */
  forward(
    input: Float32Array,
    inputStatic: boolean,
    batch: number,
    timeSteps: number,
    params: { beta: Float32Array; threshold: Float32Array; rho: Float32Array; jump: Float32Array },
    reset: ResetSemantics,
  ): AlifArrays {
    const { m } = this;
    const N = params.beta.length;
    const BN = batch * N;
    const TBN = timeSteps * BN;
    const [pIn, pBeta, pTh, pRho, pJump, pV, pA, pSpikes, pU, pEff] = m.layout([
      input.length * 4,
      N * 4,
      N * 4,
      N * 4,
      N * 4,
      BN * 4,
      BN * 4,
      TBN * 4,
      TBN * 4,
      TBN * 4,
    ]) as number[] as [number, number, number, number, number, number, number, number, number, number];
    m.f32(pIn, input.length).set(input);
    m.f32(pBeta, N).set(params.beta);
    m.f32(pTh, N).set(params.threshold);
    m.f32(pRho, N).set(params.rho);
    m.f32(pJump, N).set(params.jump);
    m.exports.alifForward(timeSteps, batch, N, pIn, inputStatic, pBeta, pTh, pRho, pJump, RESET[reset], pV, pA, pSpikes, pU, pEff);
    return { spikes: m.f32(pSpikes, TBN).slice(), uPre: m.f32(pU, TBN).slice(), effective: m.f32(pEff, TBN).slice() };
  }

  /** The BPTT backward: d input (`[B, N]` static or `[T·B, N]`) and dβ. */
  backward(
    saved: AlifArrays,
    dSpikes: Float32Array,
    dMembrane: Float32Array | undefined,
    beta: Float32Array,
    batch: number,
    timeSteps: number,
    inputStatic: boolean,
    reset: ResetSemantics,
    surrogate: WasmSurrogate,
    wantBeta: boolean,
  ): { dInput: Float32Array; dBeta: Float32Array } {
    const { m } = this;
    const N = beta.length;
    const BN = batch * N;
    const TBN = timeSteps * BN;
    const inputLength = inputStatic ? BN : TBN;
    const [pU, pS, pDs, pDm, pBeta, pTh, pEff, pDin, pDb, pG] = m.layout([
      TBN * 4,
      TBN * 4,
      TBN * 4,
      dMembrane ? TBN * 4 : 0,
      N * 4,
      N * 4,
      TBN * 4,
      inputLength * 4,
      N * 8,
      BN * 8,
    ]) as number[] as [number, number, number, number, number, number, number, number, number, number];
    m.f32(pU, TBN).set(saved.uPre);
    m.f32(pS, TBN).set(saved.spikes);
    m.f32(pDs, TBN).set(dSpikes);
    if (dMembrane) m.f32(pDm, TBN).set(dMembrane);
    m.f32(pBeta, N).set(beta);
    m.f32(pEff, TBN).set(saved.effective);
    m.exports.lifBackward(
      timeSteps,
      batch,
      N,
      pU,
      pS,
      pDs,
      dMembrane ? pDm : 0,
      pBeta,
      pTh,
      RESET[reset],
      surrogate.form,
      surrogate.p,
      surrogate.c,
      inputStatic,
      wantBeta,
      pDin,
      pDb,
      pG,
      pEff,
    );
    return { dInput: m.f32(pDin, inputLength).slice(), dBeta: Float32Array.from(m.f64(pDb, N)) };
  }
}

/** CUBA-LIF parameters per neuron. */
export interface CubaParams {
  readonly alpha: Float32Array;
  readonly beta: Float32Array;
  readonly threshold: Float32Array;
}

/** What the CUBA-LIF forward keeps for its backward, each `[T·B, N]`: spikes, pre-reset membrane, current after each step. */
export interface CubaArrays {
  readonly spikes: Float32Array;
  readonly uPre: Float32Array;
  readonly current: Float32Array;
}

/**
 * The current-based LIF (`cuba-lif`) in WebAssembly SIMD: `cubaForward` and
 * `cubaBackward`, the arithmetic of `cuba-lif.ts`'s JavaScript loops with
 * the same bits (`cuba-lif-wasm.test.ts`). Arrays are copied in and out on
 * every call.
 */
export class CubaLifWasm {
  private constructor(private readonly m: WasmKernels<LifExports>) {}

  /** A workspace with its own memory, or undefined where the module cannot run. */
  static create(): CubaLifWasm | undefined {
    const m = loadLif();
    return "unavailable" in m ? undefined : new CubaLifWasm(m);
  }

  /**
   * Forward over `timeSteps` steps; `input` is `[B, N]` (static) or `[T·B, N]`.
   * With `keep`, the membrane and current a backward needs; with `counts`, the activity.
   */
  forward(
    input: Float32Array,
    inputStatic: boolean,
    batch: number,
    timeSteps: number,
    params: CubaParams,
    reset: ResetSemantics,
    keep: boolean,
    counts?: LayerCounts,
  ): { spikes: Float32Array; uPre?: Float32Array; current?: Float32Array } {
    const { m } = this;
    const N = params.beta.length;
    const BN = batch * N;
    const TBN = timeSteps * BN;
    const [pIn, pAlpha, pBeta, pTh, pCur, pV, pSpikes, pU, pC, pActive, pPerStep] = m.layout([
      input.length * 4,
      N * 4,
      N * 4,
      N * 4,
      BN * 4,
      BN * 4,
      TBN * 4,
      keep ? TBN * 4 : 0,
      keep ? TBN * 4 : 0,
      counts ? N * 4 : 0,
      counts ? timeSteps * 8 : 0,
    ]) as number[] as [number, number, number, number, number, number, number, number, number, number, number];
    m.f32(pIn, input.length).set(input);
    m.f32(pAlpha, N).set(params.alpha);
    m.f32(pBeta, N).set(params.beta);
    m.f32(pTh, N).set(params.threshold);
    if (counts) m.i32(pActive, N).fill(0);
    m.exports.cubaForward(
      timeSteps,
      batch,
      N,
      pIn,
      inputStatic,
      pAlpha,
      pBeta,
      pTh,
      RESET[reset],
      pCur,
      pV,
      pSpikes,
      keep ? pU : 0,
      keep ? pC : 0,
      counts ? pActive : 0,
      counts ? pPerStep : 0,
    );
    if (counts) {
      counts.perStep.set(m.f64(pPerStep, timeSteps));
      const active = m.i32(pActive, N);
      for (let n = 0; n < N; n++) if (active[n] !== 0) counts.everActive[n] = 1;
    }
    const spikes = m.f32(pSpikes, TBN).slice();
    return keep ? { spikes, uPre: m.f32(pU, TBN).slice(), current: m.f32(pC, TBN).slice() } : { spikes };
  }

  /** The BPTT backward: d input (`[B, N]` static or `[T·B, N]`), dβ and dα. */
  backward(
    saved: CubaArrays,
    dSpikes: Float32Array,
    dMembrane: Float32Array | undefined,
    params: CubaParams,
    batch: number,
    timeSteps: number,
    inputStatic: boolean,
    reset: ResetSemantics,
    surrogate: WasmSurrogate,
    want: { beta: boolean; alpha: boolean },
  ): { dInput: Float32Array; dBeta: Float32Array; dAlpha: Float32Array } {
    const { m } = this;
    const N = params.beta.length;
    const BN = batch * N;
    const TBN = timeSteps * BN;
    const inputLength = inputStatic ? BN : TBN;
    const [pU, pS, pC, pDs, pDm, pAlpha, pBeta, pTh, pDin, pDb, pDa, pGv, pGi] = m.layout([
      TBN * 4,
      TBN * 4,
      TBN * 4,
      TBN * 4,
      dMembrane ? TBN * 4 : 0,
      N * 4,
      N * 4,
      N * 4,
      inputLength * 4,
      N * 8,
      N * 8,
      BN * 8,
      BN * 8,
    ]) as number[] as [number, number, number, number, number, number, number, number, number, number, number, number, number];
    m.f32(pU, TBN).set(saved.uPre);
    m.f32(pS, TBN).set(saved.spikes);
    m.f32(pC, TBN).set(saved.current);
    m.f32(pDs, TBN).set(dSpikes);
    if (dMembrane) m.f32(pDm, TBN).set(dMembrane);
    m.f32(pAlpha, N).set(params.alpha);
    m.f32(pBeta, N).set(params.beta);
    m.f32(pTh, N).set(params.threshold);
    m.exports.cubaBackward(
      timeSteps,
      batch,
      N,
      pU,
      pS,
      pC,
      pDs,
      dMembrane ? pDm : 0,
      pAlpha,
      pBeta,
      pTh,
      RESET[reset],
      surrogate.form,
      surrogate.p,
      surrogate.c,
      inputStatic,
      want.beta,
      want.alpha,
      pDin,
      pDb,
      pDa,
      pGv,
      pGi,
    );
    return {
      dInput: m.f32(pDin, inputLength).slice(),
      dBeta: Float32Array.from(m.f64(pDb, N)),
      dAlpha: Float32Array.from(m.f64(pDa, N)),
    };
  }
}

/** What {@link wasmEulerSweep} returns per unit: spikes at t ≥ discard, and the steps of the first and last. */
export interface EulerSweepSpikes {
  readonly count: Int32Array;
  readonly first: Int32Array;
  readonly last: Int32Array;
}

/**
 * Many explicit-Euler leaky units under constant drives at once (the F–I
 * sweep): `targets[u]` = rest + drive of unit u, all starting at `x0`; a spike
 * at step k is at t = (k+1)·dt. The same float64 operations as
 * `integrateLeaky`'s Euler loop; undefined where the module cannot run.
 */
export function wasmEulerSweep(
  targets: Float64Array,
  steps: number,
  unit: { a: number; x0: number; threshold: number; reset: number; refractorySteps: number; dt: number; discard: number },
): EulerSweepSpikes | undefined {
  const m = probe();
  if ("unavailable" in m) return undefined;
  // Units that provably never reach threshold are not simulated (their count is 0): with 0 < a ≤ 1 each
  // Euler step is a convex combination, so x stays below max(x0, target) plus a few ulps of rounding —
  // the margin here is 10^4 times that bound. Below rheobase that is a fifth of an F–I sweep.
  const all = targets.length;
  const margin = 1e-12 * (Math.abs(unit.x0) + Math.abs(unit.threshold) + Math.abs(unit.reset));
  const silent = (t: number) =>
    unit.a > 0 && unit.a <= 1 && Math.max(unit.x0, t) + margin * (1 + Math.abs(t)) < unit.threshold && unit.x0 < unit.threshold;
  const live = Int32Array.from({ length: all }, (_, u) => u).filter((u) => !silent(targets[u] as number));
  const n = live.length;
  const [pT, pCount, pFirst, pLast] = m.layout([n * 8, n * 4, n * 4, n * 4]) as [number, number, number, number];
  const liveTargets = m.f64(pT, n);
  for (let k = 0; k < n; k++) liveTargets[k] = targets[live[k] as number] as number;
  m.exports.eulerSweep(
    n,
    pT,
    steps,
    unit.a,
    unit.x0,
    unit.threshold,
    unit.reset,
    unit.refractorySteps,
    unit.dt,
    unit.discard,
    pCount,
    pFirst,
    pLast,
  );
  const out = { count: new Int32Array(all), first: new Int32Array(all), last: new Int32Array(all) };
  const [count, first, last] = [m.i32(pCount, n), m.i32(pFirst, n), m.i32(pLast, n)];
  for (let k = 0; k < n; k++) {
    const u = live[k] as number;
    out.count[u] = count[k] as number;
    out.first[u] = first[k] as number;
    out.last[u] = last[k] as number;
  }
  return out;
}

/**
 * One float32 LIF population of the event-driven emulator in WebAssembly
 * SIMD: its membrane, parameters and the tick's input live in its own
 * module memory for the population's life; {@link LifTickWasm.tick} is
 * `lifAdvance` over one row plus the spike list, with the same bits.
 */
export class LifTickWasm {
  /** The tick's input current `[N]`, written by the caller before {@link LifTickWasm.tick}. */
  readonly input: Float32Array;
  /** Membrane `[N]`. */
  readonly v: Float32Array;
  private readonly fired: Int32Array;
  private readonly active: Int32Array;

  private constructor(
    private readonly m: WasmKernels<LifExports>,
    private readonly at: { v: number; input: number; beta: number; threshold: number; out: number; active: number },
    readonly size: number,
    private readonly reset: number,
  ) {
    // One layout for the population's life: the views stay valid.
    this.v = m.f32(at.v, size);
    this.input = m.f32(at.input, size);
    this.fired = m.i32(at.out, size);
    this.active = m.i32(at.active, 1);
  }

  /** A population of `beta.length` neurons, or undefined where the module cannot run. */
  static create(beta: Float32Array, threshold: Float32Array, reset: ResetSemantics): LifTickWasm | undefined {
    const m = loadLif();
    if ("unavailable" in m) return undefined;
    const N = beta.length;
    const [v, input, b, th, out, active] = m.layout([N * 4, N * 4, N * 4, N * 4, N * 4, 4]) as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    m.f32(b, N).set(beta);
    m.f32(th, N).set(threshold);
    return new LifTickWasm(m, { v, input, beta: b, threshold: th, out, active }, N, RESET[reset]);
  }

  /** Advances one tick on {@link LifTickWasm.input}; writes the indices of the neurons that fired into `out`. */
  tick(out: Int32Array): { spikes: number; active: number } {
    const { at } = this;
    const spikes = this.m.exports.lifTick(this.size, at.v, at.input, at.beta, at.threshold, this.reset, at.out, at.active);
    const fired = this.fired;
    for (let e = 0; e < spikes; e++) out[e] = fired[e] as number;
    return { spikes, active: this.active[0] as number };
  }
}
