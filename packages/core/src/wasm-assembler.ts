/**
 * A minimal WebAssembly binary assembler: just enough of the format
 * (types, imports, one exported memory, functions with locals, the scalar
 * opcodes) for code generated at run time — the step compiler's wasm
 * lowering (`step-wasm.ts`). It writes bytes; it does not validate: the
 * engine's `WebAssembly.Module` does, and a lowering bug surfaces there as
 * a compile error, not as wrong numbers.
 *
 * @example
 * ```ts
 * const f = new FunctionBuilder(["i32"], []);
 * f.op(OP.end);
 * const bytes = assembleModule({ imports: [], functions: [{ name: "noop", body: f }] });
 * ```
 */

/** A value type. */
export type ValType = "i32" | "f32" | "f64" | "v128";
const TYPE_CODE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Opcodes used by the generated code (names as in the text format, `.` → `_`). */
export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  call: 0x10,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  f32_load: 0x2a,
  f64_load: 0x2b,
  i32_load8_u: 0x2d,
  i32_store: 0x36,
  f32_store: 0x38,
  f64_store: 0x39,
  i32_store8: 0x3a,
  i32_const: 0x41,
  f32_const: 0x43,
  f64_const: 0x44,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_ge_s: 0x4e,
  f32_eq: 0x5b,
  f32_ne: 0x5c,
  f32_lt: 0x5d,
  f32_gt: 0x5e,
  f32_le: 0x5f,
  f32_ge: 0x60,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_or: 0x72,
  i32_shl: 0x74,
  f32_abs: 0x8b,
  f32_neg: 0x8c,
  f32_add: 0x92,
  f32_sub: 0x93,
  f32_mul: 0x94,
  f32_div: 0x95,
  f32_min: 0x96,
  f32_max: 0x97,
  f64_neg: 0x9a,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  f64_div: 0xa3,
  f32_convert_i32_u: 0xb3,
  f32_demote_f64: 0xb6,
  f64_convert_i32_s: 0xb7,
  f64_promote_f32: 0xbb,
  i32_reinterpret_f32: 0xbc,
  i64_reinterpret_f64: 0xbd,
  f32_reinterpret_i32: 0xbe,
  f64_reinterpret_i64: 0xbf,
} as const;

/** 128-bit SIMD opcodes (after the 0xfd prefix). */
export const SIMD = {
  v128_load: 0x00,
  v128_store: 0x0b,
  i8x16_shuffle: 0x0d,
  f32x4_splat: 0x13,
  f64x2_splat: 0x14,
  i32x4_extract_lane: 0x1b,
  f32x4_extract_lane: 0x1f,
  f32x4_replace_lane: 0x20,
  f32x4_eq: 0x41,
  f32x4_ne: 0x42,
  f32x4_lt: 0x43,
  f32x4_gt: 0x44,
  f32x4_le: 0x45,
  f32x4_ge: 0x46,
  v128_and: 0x4e,
  v128_or: 0x50,
  v128_bitselect: 0x52,
  f32x4_demote_f64x2_zero: 0x5e,
  f64x2_promote_low_f32x4: 0x5f,
  i32x4_add: 0xae,
  i32x4_sub: 0xb1,
  i64x2_extend_low_i32x4_s: 0xc7,
  i64x2_extend_high_i32x4_s: 0xc8,
  f32x4_abs: 0xe0,
  f32x4_neg: 0xe1,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f32x4_div: 0xe7,
  f32x4_min: 0xe8,
  f32x4_max: 0xe9,
  f64x2_neg: 0xed,
  f64x2_add: 0xf0,
  f64x2_sub: 0xf1,
  f64x2_mul: 0xf2,
  f64x2_div: 0xf3,
} as const;

/** Unsigned LEB128. */
function uleb(n: number, out: number[]): void {
  let v = n >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v !== 0 ? byte | 0x80 : byte);
  } while (v !== 0);
}

/** Signed LEB128 (32-bit). */
function sleb(n: number, out: number[]): void {
  let v = n | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

const text = (s: string, out: number[]) => {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
};

/** One function's signature, locals and instruction bytes. */
export class FunctionBuilder {
  private readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  /** Parameters are locals 0 … params.length − 1. */
  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}

  /** A new local of `type`; returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** Appends opcodes (and raw immediates). */
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  get(index: number): this {
    this.code.push(OP.local_get);
    uleb(index, this.code);
    return this;
  }
  set(index: number): this {
    this.code.push(OP.local_set);
    uleb(index, this.code);
    return this;
  }
  tee(index: number): this {
    this.code.push(OP.local_tee);
    uleb(index, this.code);
    return this;
  }
  i32(value: number): this {
    this.code.push(OP.i32_const);
    sleb(value, this.code);
    return this;
  }
  f32(value: number): this {
    this.code.push(OP.f32_const);
    const b = new Uint8Array(new Float32Array([value]).buffer);
    this.code.push(...b);
    return this;
  }
  f64(value: number): this {
    this.code.push(OP.f64_const);
    const b = new Uint8Array(new Float64Array([value]).buffer);
    this.code.push(...b);
    return this;
  }
  /** A SIMD instruction with its lane or other byte immediates. */
  simd(opcode: number, ...immediates: number[]): this {
    this.code.push(0xfd);
    uleb(opcode, this.code);
    this.code.push(...immediates);
    return this;
  }
  /** A v128 load or store (4-byte aligned, zero offset). */
  vmem(opcode: typeof SIMD.v128_load | typeof SIMD.v128_store): this {
    return this.simd(opcode, 2, 0);
  }
  /** Four copies of a float32 constant. */
  f32x4(value: number): this {
    return this.f32(value).simd(SIMD.f32x4_splat);
  }
  /** A load or store with its natural alignment (log2 bytes) and a zero offset. */
  mem(opcode: number, alignLog2: number): this {
    this.code.push(opcode, alignLog2, 0);
    return this;
  }
  call(index: number): this {
    this.code.push(OP.call);
    uleb(index, this.code);
    return this;
  }
  /** `block`/`loop`/`if` without results. */
  open(opcode: typeof OP.block | typeof OP.loop | typeof OP.if): this {
    this.code.push(opcode, 0x40);
    return this;
  }
  br(opcode: typeof OP.br | typeof OP.br_if, depth: number): this {
    this.code.push(opcode);
    uleb(depth, this.code);
    return this;
  }

  /** The function's body entry of the code section. */
  encode(): number[] {
    const body: number[] = [];
    // Locals in runs of one type.
    const runs: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = runs.at(-1);
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, body);
    for (const [n, t] of runs) {
      uleb(n, body);
      body.push(TYPE_CODE[t]);
    }
    body.push(...this.code, OP.end);
    const out: number[] = [];
    uleb(body.length, out);
    out.push(...body);
    return out;
  }
}

/** An imported function (`module.name`) with its signature. */
export interface ImportSpec {
  readonly module: string;
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/**
 * A module of imported functions (indices 0 … imports − 1), exported
 * functions (the following indices) and one exported memory `memory`.
 */
export function assembleModule(m: {
  imports: readonly ImportSpec[];
  functions: readonly { name: string; body: FunctionBuilder }[];
}): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, content: number[]) => {
    out.push(id);
    uleb(content.length, out);
    out.push(...content);
  };
  const signatures = [
    ...m.imports.map((i) => [i.params, i.results] as const),
    ...m.functions.map((f) => [f.body.params, f.body.results] as const),
  ];
  const types: number[] = [];
  uleb(signatures.length, types);
  for (const [params, results] of signatures) {
    types.push(0x60);
    uleb(params.length, types);
    for (const p of params) types.push(TYPE_CODE[p]);
    uleb(results.length, types);
    for (const r of results) types.push(TYPE_CODE[r]);
  }
  section(1, types);
  const imports: number[] = [];
  uleb(m.imports.length, imports);
  m.imports.forEach((imp, i) => {
    text(imp.module, imports);
    text(imp.name, imports);
    imports.push(0x00);
    uleb(i, imports);
  });
  section(2, imports);
  const funcs: number[] = [];
  uleb(m.functions.length, funcs);
  for (let i = 0; i < m.functions.length; i++) uleb(m.imports.length + i, funcs);
  section(3, funcs);
  section(5, [0x01, 0x00, 0x01]); // one memory, at least one page, no maximum
  const exports: number[] = [];
  uleb(m.functions.length + 1, exports);
  text("memory", exports);
  exports.push(0x02, 0x00);
  m.functions.forEach((f, i) => {
    text(f.name, exports);
    exports.push(0x00);
    uleb(m.imports.length + i, exports);
  });
  section(7, exports);
  const code: number[] = [];
  uleb(m.functions.length, code);
  for (const f of m.functions) code.push(...f.body.encode());
  section(10, code);
  return Uint8Array.from(out);
}
