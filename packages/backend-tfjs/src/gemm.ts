/**
 * Dense matrix products for the training executor, behind one small
 * interface so the fastest available implementation can serve them.
 *
 * Measured on this project's 2-core CI machine kind (float32, batch 128):
 * tfjs-wasm's matMul reaches 2.2 GMAC/s on [128×784]·[784×256] and 0.56
 * GMAC/s on the [3200×256]·[256×256] product that dominates SNN BPTT, while
 * ONNX Runtime's MLAS GEMM (onnxruntime-node, native, AVX2) reaches 30–75
 * GMAC/s on the same shapes. On Node the executor therefore multiplies with
 * ONNX Runtime; where it cannot load (a browser), tfjs serves.
 */
import { commonJsExports, mlasSliceK, NeuroBridgeError } from "@neurobridge/core";
import { tf } from "./tf.js";

/** Y = op(A)·op(B) (+ bias per column), row-major float32, op = transpose when asked. */
export interface Gemm {
  readonly name: string;
  /**
   * @param a - `[m, k]` (or `[k, m]` with `transA`)
   * @param b - `[k, n]` (or `[n, k]` with `transB`)
   * @param bias - `[n]`, added to every row (fused into the product where the provider can)
   */
  multiply(
    a: Float32Array,
    aRows: number,
    aCols: number,
    b: Float32Array,
    bRows: number,
    bCols: number,
    transA: boolean,
    transB: boolean,
    bias?: Float32Array,
  ): Promise<Float32Array>;
  /**
   * The summation order of `multiply`, where it is known: for a product
   * with `n` output columns and inner size `k` (A transposed or not), the GEMM sums K in slices of
   * this length (each slice's partial sum from zero, added into the output in
   * slice order). Spike-sparse products reproduce it bit for bit, so a
   * runner may use them in its place (see `spike-sparse.ts`).
   */
  kSlice?(n: number, k: number, transA: boolean): number;
  dispose(): Promise<void>;
}

function checkShapes(
  aRows: number,
  aCols: number,
  bRows: number,
  bCols: number,
  transA: boolean,
  transB: boolean,
  a: Float32Array,
  b: Float32Array,
) {
  // The arrays must hold their stated shapes; then the inner sizes must agree.
  for (const [name, data, rows, cols] of [
    ["A", a, aRows, aCols],
    ["B", b, bRows, bCols],
  ] as const) {
    if (data.length !== rows * cols) {
      throw new NeuroBridgeError(
        "SHAPE_MISMATCH",
        `GEMM: ${name} is stated as [${rows}, ${cols}] = ${rows * cols} values but holds ${data.length}`,
      );
    }
  }
  const k1 = transA ? aRows : aCols;
  const k2 = transB ? bCols : bRows;
  if (k1 !== k2) {
    throw new NeuroBridgeError(
      "SHAPE_MISMATCH",
      `GEMM: op(A) of [${aRows}, ${aCols}]${transA ? "ᵀ" : ""} and op(B) of [${bRows}, ${bCols}]${transB ? "ᵀ" : ""} do not multiply (inner sizes ${k1} and ${k2})`,
    );
  }
}

/** GEMM on tfjs (whatever kernel backend is active). */
export function createTfjsGemm(): Gemm {
  return {
    name: `tfjs-${tf.getBackend()}`,
    async multiply(a, aRows, aCols, b, bRows, bCols, transA, transB, bias) {
      checkShapes(aRows, aCols, bRows, bCols, transA, transB, a, b);
      return tf.tidy(() => {
        const y = tf.matMul(tf.tensor2d(a, [aRows, aCols]), tf.tensor2d(b, [bRows, bCols]), transA, transB);
        return (bias ? tf.add(y, tf.tensor1d(bias)) : y).dataSync() as Float32Array;
      });
    },
    async dispose() {},
  };
}

/** onnxruntime-node rejects tensors over a SharedArrayBuffer ("Invalid argument"): hand it a plain copy. */
const unshared = (x: Float32Array): Float32Array => (x.buffer instanceof SharedArrayBuffer ? x.slice() : x);

/** Serialised one-node ONNX model `Y = Gemm(A, B[, C])` with the given transposes (opset 17). */
async function gemmModel(transA: boolean, transB: boolean, withBias: boolean): Promise<Uint8Array> {
  const { onnx } = commonJsExports<typeof import("onnx-proto")>(await import("onnx-proto"));
  const attr = (name: string, value: boolean) =>
    onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value ? 1 : 0 });
  const io = (name: string, withShape: boolean) =>
    onnx.ValueInfoProto.create({
      name,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({
          elemType: onnx.TensorProto.DataType.FLOAT,
          ...(withShape
            ? { shape: onnx.TensorShapeProto.create({ dim: [{ dimParam: `${name}_rows` }, { dimParam: `${name}_cols` }] }) }
            : {}),
        }),
      }),
    });
  const graph = onnx.GraphProto.create({
    name: "gemm",
    node: [
      onnx.NodeProto.create({
        opType: "Gemm",
        input: withBias ? ["A", "B", "C"] : ["A", "B"],
        output: ["Y"],
        attribute: [attr("transA", transA), attr("transB", transB)],
      }),
    ],
    input: withBias ? [io("A", true), io("B", true), io("C", false)] : [io("A", true), io("B", true)],
    output: [io("Y", false)],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: "", version: 17 }], graph, producerName: "neurobridge" });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Whether ONNX Runtime's MLAS, running an `m × n` product of inner size `k`
 * on up to `threads` threads, sums every output exactly as one thread does.
 * MLAS splits the larger of M and N: a split of M leaves each output's sum
 * alone; a split of N gives each thread a narrower product, and a narrower
 * one may take other K slices (`mlasSliceK`: narrow outputs trade N for K).
 * Every thread count up to `threads` is checked (MLAS uses fewer threads on
 * small products), under both ways MLAS versions cut N (16-column blocks
 * shared out, or ⌈N/t⌉ rounded up to 16). Measured against onnxruntime-node
 * in gemm.test.ts: never true where the bits differ.
 *
 * @example
 * ```ts
 * mlasSplitKeepsOrder(3200, 256, 256, false, 2); // true: M is split
 * mlasSplitKeepsOrder(32, 64, 784, false, 2); // false: 32-wide halves sum K in 512s, not 256s
 * ```
 */
export function mlasSplitKeepsOrder(m: number, n: number, k: number, transA: boolean, threads: number): boolean {
  if (!(n > m)) return true;
  const whole = mlasSliceK(n, k, transA);
  const same = (width: number) => {
    const slice = mlasSliceK(width, k, transA);
    // Equal slices, or both cover K in one slice.
    return slice === whole || (k <= slice && k <= whole);
  };
  const blocks = Math.ceil(n / 16);
  for (let t = 2; t <= threads; t++) {
    // 16-column blocks shared out, the first ones taking one block more.
    const parts = Math.min(t, blocks);
    const shared: number[] = [];
    for (let p = 0, from = 0; p < parts; p++) {
      const width = Math.min(n - from, (Math.floor(blocks / parts) + (p < blocks % parts ? 1 : 0)) * 16);
      shared.push(width);
      from += width;
    }
    // ⌈N/t⌉ rounded up to 16, the last segment taking the rest.
    const stride = Math.ceil(Math.ceil(n / t) / 16) * 16;
    const rounded: number[] = [];
    for (let from = 0; from < n; from += stride) rounded.push(Math.min(stride, n - from));
    if (![...shared, ...rounded].filter((w) => w > 0).every(same)) return false;
  }
  return true;
}

/**
 * Products smaller than this (multiply–adds) run on one thread: waking ONNX
 * Runtime's sleeping pool costs more than it saves on them (an FFNN epoch at
 * batch 128, all its products ≤ 26M, took 2.09 s threaded, 1.95 s not;
 * the quick SNN's 210M products gain 14%).
 */
export const MIN_THREADED_MACS = 2 ** 26;

/** Options of {@link createOrtGemm}. */
export interface OrtGemmOptions {
  /**
   * Thread only the products whose sums stay those of one thread
   * ({@link mlasSplitKeepsOrder}) and that are large enough to gain
   * ({@link MIN_THREADED_MACS}), the rest on one thread (default true), so
   * results do not depend on the thread count and `kSlice` holds for every
   * product. False hands every product to the pool, as ONNX Runtime alone
   * would (bits may then move with the thread count).
   */
  readonly keepOrder?: boolean;
}

/**
 * GEMM on ONNX Runtime (Node). One session per transpose combination and
 * thread count, created on first use. With more than one thread, its
 * intra-op threads do not spin between calls: spinning, they took the core
 * the caller's own work between products needs (an FFNN epoch on 2 threads
 * took 4.4 s spinning, 1.9 s not).
 *
 * @param threads - intra-op threads (default 2, the machine's cores)
 */
export async function createOrtGemm(threads = 2, options: OrtGemmOptions = {}): Promise<Gemm> {
  const ort = commonJsExports<typeof import("onnxruntime-node")>(await import("onnxruntime-node"));
  const keepOrder = options.keepOrder ?? true;
  const sessions = new Map<string, Promise<import("onnxruntime-node").InferenceSession>>();
  const session = (transA: boolean, transB: boolean, withBias: boolean, used: number) => {
    const key = `${transA}${transB}${withBias}${used}`;
    let s = sessions.get(key);
    if (!s) {
      s = gemmModel(transA, transB, withBias).then((bytes) =>
        ort.InferenceSession.create(bytes, {
          intraOpNumThreads: used,
          interOpNumThreads: 1,
          graphOptimizationLevel: "all",
          // Only where there is a pool: a 1-thread session runs on the caller (measured the same either way).
          ...(used > 1 ? { extra: { session: { intra_op: { allow_spinning: "0" } } } } : {}),
        }),
      );
      sessions.set(key, s);
    }
    return s;
  };
  return {
    name: `onnxruntime-${threads}t`,
    async multiply(a, aRows, aCols, b, bRows, bCols, transA, transB, bias) {
      checkShapes(aRows, aCols, bRows, bCols, transA, transB, a, b);
      const [m, k] = transA ? [aCols, aRows] : [aRows, aCols];
      const n = transB ? bRows : bCols;
      const used =
        threads > 1 && (!keepOrder || (m * n * k >= MIN_THREADED_MACS && mlasSplitKeepsOrder(m, n, k, transA, threads))) ? threads : 1;
      const s = await session(transA, transB, bias !== undefined, used);
      const feeds: Record<string, import("onnxruntime-node").Tensor> = {
        A: new ort.Tensor("float32", unshared(a), [aRows, aCols]),
        B: new ort.Tensor("float32", unshared(b), [bRows, bCols]),
      };
      if (bias) feeds.C = new ort.Tensor("float32", unshared(bias), [bias.length]);
      const out = await s.run(feeds);
      return (out.Y as import("onnxruntime-node").Tensor).data as Float32Array;
    },
    // MLAS's K slices (checked in gemm.test.ts): every product sums as on one thread, unless told otherwise.
    ...(threads === 1 || keepOrder ? { kSlice: mlasSliceK } : {}),
    async dispose() {
      for (const s of sessions.values()) await (await s).release();
      sessions.clear();
    },
  };
}

/** The fastest GEMM available: ONNX Runtime on Node, else tfjs. */
export async function createGemm(options: { prefer?: "onnxruntime" | "tfjs"; threads?: number } = {}): Promise<Gemm> {
  if (options.prefer === "tfjs") return createTfjsGemm();
  try {
    return await createOrtGemm(options.threads);
  } catch (error) {
    if (options.prefer === "onnxruntime") {
      throw new NeuroBridgeError("GEMM_UNAVAILABLE", `onnxruntime-node could not load: ${(error as Error).message}`);
    }
    return createTfjsGemm();
  }
}
