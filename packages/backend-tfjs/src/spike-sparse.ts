/**
 * Spike-sparse dense layers for the executor: a dense layer fed by spikes
 * (a multi-step input, every entry 0 or 1) multiplies through core's
 * `spikeProduct` and its weight gradient through `spikeWeightGradient`,
 * which read only the rows of the inputs that spiked — when its input is
 * sparse enough to pay, densely otherwise.
 *
 * Both sparse products reproduce the GEMM's summation order (its K slices,
 * {@link Gemm.kSlice}), so the choice changes no bit of any result: it is
 * made by speed alone, per layer, from the density its input had last time.
 * A layer found too dense is re-probed every {@link REPROBE_EVERY} calls
 * (activity changes as a network trains); one found not to carry spikes is
 * never tried again. Without a known GEMM order (tfjs's, in a browser) every
 * product is dense.
 */
import { spikeProduct, spikeWeightGradient } from "@neurobridge/core";
import type { Gemm } from "./gemm.js";

/**
 * The largest fraction of spiking inputs at which the sparse products run.
 * Measured by `npm run bench:sparse` (AMD EPYC, 1,600 rows = T 25 × B 64,
 * against ONNX Runtime's single-thread GEMM): fc2's forward 1.77 vs 3.66 ms
 * at 2% of inputs spiking, 2.22 vs 3.07 at 5%, 2.89 vs 3.01 at 10%, 3.90 vs
 * 3.01 at 15%; its weight gradient and a 784-input fc1 cross at about the
 * same density.
 */
export const SPARSE_MAX_DENSITY = 0.08;
/**
 * Narrower outputs than this stay dense: the GEMM's cost per row is small
 * there (fc3, `[1600 × 256]·[256 × 10]`: 0.27 ms dense, 0.40 ms sparse even at 2%).
 */
export const SPARSE_MIN_OUTPUTS = 32;
/** A layer found too dense tries the sparse product again after this many dense calls. */
export const REPROBE_EVERY = 32;

type Verdict = { readonly kind: "sparse" } | { readonly kind: "dense"; since: number } | { readonly kind: "never" };

/** Sparse-or-dense choice per (layer, product), and the products. */
export class SpikeSparsity {
  private readonly verdicts = new Map<string, Verdict>();

  /** @param sliceK - the GEMM's K slice for `n` output columns and inner size `k`, A transposed or not */
  constructor(private readonly sliceK: (n: number, k: number, transA: boolean) => number) {}

  /** One for `gemm`, or `undefined` when its summation order is unknown (then every product stays dense). */
  static for(gemm: Gemm): SpikeSparsity | undefined {
    const kSlice = gemm.kSlice?.bind(gemm);
    return kSlice ? new SpikeSparsity(kSlice) : undefined;
  }

  /** Whether to try the sparse product under `key` this time. */
  private worth(key: string): boolean {
    const v = this.verdicts.get(key);
    if (!v || v.kind === "sparse") return true;
    if (v.kind === "never") return false;
    v.since++;
    return v.since % REPROBE_EVERY === 0;
  }

  private record(key: string, result: ReturnType<typeof spikeProduct>): Float32Array | undefined {
    if ("product" in result) {
      this.verdicts.set(key, { kind: "sparse" });
      return result.product;
    }
    this.verdicts.set(key, result.declined === "too dense" ? { kind: "dense", since: 0 } : { kind: "never" });
    return undefined;
  }

  /** `x·wᵀ + bias` of a dense layer's forward, or `undefined` to multiply densely. */
  forward(
    key: string,
    x: Float32Array,
    rows: number,
    inFeatures: number,
    w: Float32Array,
    outFeatures: number,
    bias: Float32Array | undefined,
  ): Float32Array | undefined {
    // One row may take the GEMM's matrix–vector path, which sums differently.
    if (rows < 2 || outFeatures < SPARSE_MIN_OUTPUTS || !this.worth(`${key} forward`)) return undefined;
    const slice = this.sliceK(outFeatures, inFeatures, false);
    return this.record(
      `${key} forward`,
      spikeProduct(x, rows, inFeatures, w, outFeatures, bias, slice, { maxDensity: SPARSE_MAX_DENSITY }),
    );
  }

  /** `dyᵀ·x` of a dense layer's weight gradient, or `undefined` to multiply densely. */
  weightGradient(
    key: string,
    dy: Float32Array,
    rows: number,
    outFeatures: number,
    x: Float32Array,
    inFeatures: number,
  ): Float32Array | undefined {
    if (outFeatures < SPARSE_MIN_OUTPUTS || !this.worth(`${key} weight gradient`)) return undefined;
    const slice = this.sliceK(inFeatures, rows, true);
    return this.record(
      `${key} weight gradient`,
      spikeWeightGradient(dy, rows, outFeatures, x, inFeatures, slice, { maxDensity: SPARSE_MAX_DENSITY }),
    );
  }

  /** The current choice per product (`fc2 forward: sparse` …), for reports and tests. */
  choices(): Record<string, Verdict["kind"]> {
    return Object.fromEntries([...this.verdicts].map(([key, v]) => [key, v.kind]));
  }
}
