// Core's kernels in WebAssembly with 128-bit SIMD (AssemblyScript). Each
// computes what its JavaScript twin computes, with the same float operations
// in the same order, so results are the same bits (the tests compare them):
//
// - the event-driven emulator's synaptic accumulation (SynapticAccumulator
//   in src/kernels.ts): each arriving spike adds its presynaptic row of
//   weights into a float32 partial sum, folded into the current at every
//   `sliceK` boundary of presynaptic indices (the training GEMM's K slices);
//   and integer synapses (IntegerAccumulator);
// - ReLU forward and backward (src/builtins/models.ts);
// - the seeded generator's bulk draws (src/random.ts).

/**
 * Delivers the `count` spikes at `pres` (i32, ascending presynaptic index)
 * of one tick into a `size`-wide population whose weights are `[fanIn, size]`
 * at `weights`, followed by 64 readable bytes (see `deliverNarrow`). `c` (the current, float32) must hold the bias (or zeros);
 * the last slice is folded too, so `c` holds the tick's input on return.
 *
 * Register-blocked: for each band of columns, one slice's partial sum stays
 * in registers while every spike of the slice adds its row, and is folded
 * into `c` at the slice boundary. Each column sees the same additions in the
 * same order as a partial array would (+0, then the rows by ascending index,
 * then one add into `c`), so the bits are those of the JavaScript twin, and
 * only the weight rows are read per spike (no partial-sum loads and stores).
 */
export function deliverTick(
  count: i32,
  pres: usize,
  size: i32,
  weights: usize,
  sliceK: i32,
  c: usize,
): void {
  const bytes = (<usize>size) << 2;
  let j = 0;
  for (; j + 32 <= size; j += 32) deliverBand32(count, pres, bytes, weights + ((<usize>j) << 2), sliceK, c + ((<usize>j) << 2));
  // Then bands of 16 (four lane groups) and a last narrower one, each in one pass over the spikes.
  for (; j < size; j += 16) {
    deliverNarrow(count, pres, bytes, weights + ((<usize>j) << 2), sliceK, c + ((<usize>j) << 2), min(16, size - j));
  }
}

/**
 * {@link deliverTick} for `width` (1–16) columns in one pass over the spikes
 * (an output layer of 10: one pass instead of four): up to four lane groups
 * per spike, of which only the first `width` lanes are folded into `c`. The groups read past the row's end into the next row (or, for
 * the last row, into the 64 bytes the caller leaves readable after the
 * weights); those lanes are never stored.
 */
function deliverNarrow(count: i32, pres: usize, bytes: usize, w: usize, sliceK: i32, c: usize, width: i32): void {
  const zero = f32x4.splat(0);
  let a0 = zero;
  let a1 = zero;
  let a2 = zero;
  let a3 = zero;
  let blockEnd = sliceK;
  let touched = false;
  for (let s = 0; s < count; s++) {
    const pre = load<i32>(pres + ((<usize>s) << 2));
    if (pre >= blockEnd) {
      if (touched) {
        foldLanes(c, width, a0, a1, a2, a3);
        a0 = zero;
        a1 = zero;
        a2 = zero;
        a3 = zero;
        touched = false;
      }
      while (pre >= blockEnd) blockEnd += sliceK;
    }
    const row = w + (<usize>pre) * bytes;
    a0 = f32x4.add(a0, v128.load(row, 0));
    if (width > 4) a1 = f32x4.add(a1, v128.load(row, 16));
    if (width > 8) a2 = f32x4.add(a2, v128.load(row, 32));
    if (width > 12) a3 = f32x4.add(a3, v128.load(row, 48));
    touched = true;
  }
  if (touched) foldLanes(c, width, a0, a1, a2, a3);
}

/** c[0…width) += the first `width` lanes of a0…a3. */
function foldLanes(c: usize, width: i32, a0: v128, a1: v128, a2: v128, a3: v128): void {
  foldGroup(c, width, a0);
  if (width > 4) foldGroup(c + 16, width - 4, a1);
  if (width > 8) foldGroup(c + 32, width - 8, a2);
  if (width > 12) foldGroup(c + 48, width - 12, a3);
}

/** c[0…min(lanes, 4)) += the first lanes of `a`. */
function foldGroup(c: usize, lanes: i32, a: v128): void {
  if (lanes >= 4) {
    v128.store(c, f32x4.add(v128.load(c), a));
    return;
  }
  store<f32>(c, load<f32>(c) + f32x4.extract_lane(a, 0));
  if (lanes > 1) store<f32>(c, load<f32>(c, 4) + f32x4.extract_lane(a, 1), 4);
  if (lanes > 2) store<f32>(c, load<f32>(c, 8) + f32x4.extract_lane(a, 2), 8);
}

/** {@link deliverTick} for 32 columns starting at `w` (row stride `bytes`) and `c`: eight independent sums, so the adds pipeline. */
function deliverBand32(count: i32, pres: usize, bytes: usize, w: usize, sliceK: i32, c: usize): void {
  const zero = f32x4.splat(0);
  let a0 = zero;
  let a1 = zero;
  let a2 = zero;
  let a3 = zero;
  let a4 = zero;
  let a5 = zero;
  let a6 = zero;
  let a7 = zero;
  let blockEnd = sliceK;
  let touched = false;
  for (let s = 0; s < count; s++) {
    const pre = load<i32>(pres + ((<usize>s) << 2));
    if (pre >= blockEnd) {
      if (touched) {
        v128.store(c, f32x4.add(v128.load(c, 0), a0), 0);
        v128.store(c, f32x4.add(v128.load(c, 16), a1), 16);
        v128.store(c, f32x4.add(v128.load(c, 32), a2), 32);
        v128.store(c, f32x4.add(v128.load(c, 48), a3), 48);
        v128.store(c, f32x4.add(v128.load(c, 64), a4), 64);
        v128.store(c, f32x4.add(v128.load(c, 80), a5), 80);
        v128.store(c, f32x4.add(v128.load(c, 96), a6), 96);
        v128.store(c, f32x4.add(v128.load(c, 112), a7), 112);
        a0 = zero;
        a1 = zero;
        a2 = zero;
        a3 = zero;
        a4 = zero;
        a5 = zero;
        a6 = zero;
        a7 = zero;
        touched = false;
      }
      while (pre >= blockEnd) blockEnd += sliceK;
    }
    const row = w + (<usize>pre) * bytes;
    a0 = f32x4.add(a0, v128.load(row, 0));
    a1 = f32x4.add(a1, v128.load(row, 16));
    a2 = f32x4.add(a2, v128.load(row, 32));
    a3 = f32x4.add(a3, v128.load(row, 48));
    a4 = f32x4.add(a4, v128.load(row, 64));
    a5 = f32x4.add(a5, v128.load(row, 80));
    a6 = f32x4.add(a6, v128.load(row, 96));
    a7 = f32x4.add(a7, v128.load(row, 112));
    touched = true;
  }
  if (touched) {
    v128.store(c, f32x4.add(v128.load(c, 0), a0), 0);
    v128.store(c, f32x4.add(v128.load(c, 16), a1), 16);
    v128.store(c, f32x4.add(v128.load(c, 32), a2), 32);
    v128.store(c, f32x4.add(v128.load(c, 48), a3), 48);
    v128.store(c, f32x4.add(v128.load(c, 64), a4), 64);
    v128.store(c, f32x4.add(v128.load(c, 80), a5), 80);
    v128.store(c, f32x4.add(v128.load(c, 96), a6), 96);
    v128.store(c, f32x4.add(v128.load(c, 112), a7), 112);
  }
}

/**
 * Integer synapses (a fixed-point chip's): adds the int32 rows `[fanIn, size]`
 * at `weights` of the `count` spikes at `pres` into the float64 activation
 * `a`, as IntegerAccumulator does. The sums are exact, so their order is
 * free; register-blocked like {@link deliverTick}, a band of 16 columns sums
 * every spike's row in int32 lanes and adds into `a` once. The caller
 * guarantees no column's sum of |w| reaches 2^31 (so no partial sum can
 * overflow); otherwise it uses {@link deliverTickIntWide}.
 */
export function deliverTickInt(count: i32, pres: usize, size: i32, weights: usize, a: usize): void {
  const rowBytes = (<usize>size) << 2;
  let j = 0;
  for (; j + 16 <= size; j += 16) {
    const w = weights + ((<usize>j) << 2);
    let s0 = i32x4.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    for (let e = 0; e < count; e++) {
      const row = w + (<usize>load<i32>(pres + ((<usize>e) << 2))) * rowBytes;
      s0 = i32x4.add(s0, v128.load(row));
      s1 = i32x4.add(s1, v128.load(row, 16));
      s2 = i32x4.add(s2, v128.load(row, 32));
      s3 = i32x4.add(s3, v128.load(row, 48));
    }
    addInto(a + ((<usize>j) << 3), s0);
    addInto(a + ((<usize>j + 4) << 3), s1);
    addInto(a + ((<usize>j + 8) << 3), s2);
    addInto(a + ((<usize>j + 12) << 3), s3);
  }
  // Narrow remainders (an output layer of 10): four columns per lane group, then single columns.
  for (; j + 4 <= size; j += 4) {
    const w = weights + ((<usize>j) << 2);
    let s0 = i32x4.splat(0);
    for (let e = 0; e < count; e++) s0 = i32x4.add(s0, v128.load(w + (<usize>load<i32>(pres + ((<usize>e) << 2))) * rowBytes));
    addInto(a + ((<usize>j) << 3), s0);
  }
  for (; j < size; j++) {
    const w = weights + ((<usize>j) << 2);
    let sum: i32 = 0;
    for (let e = 0; e < count; e++) sum += load<i32>(w + (<usize>load<i32>(pres + ((<usize>e) << 2))) * rowBytes);
    const o = a + ((<usize>j) << 3);
    store<f64>(o, load<f64>(o) + <f64>sum);
  }
}

/** a[0…4) += the four int32 lanes of `s` (as float64, exact). */
function addInto(o: usize, s: v128): void {
  v128.store(o, f64x2.add(v128.load(o), f64x2.convert_low_i32x4_s(s)));
  v128.store(o, f64x2.add(v128.load(o, 16), f64x2.convert_low_i32x4_s(i32x4.shuffle(s, s, 2, 3, 0, 1))), 16);
}

/** {@link deliverTickInt} for weights whose column sums could overflow int32: every row added in float64 (exact below 2^53). */
export function deliverTickIntWide(count: i32, pres: usize, size: i32, weights: usize, a: usize): void {
  const n2 = size & ~1;
  const rowBytes = (<usize>size) << 2;
  for (let s = 0; s < count; s++) {
    const row = weights + (<usize>load<i32>(pres + ((<usize>s) << 2))) * rowBytes;
    let j = 0;
    for (; j < n2; j += 2) {
      const o = a + ((<usize>j) << 3);
      v128.store(o, f64x2.add(v128.load(o), f64x2.convert_low_i32x4_s(v128.load64_zero(row + ((<usize>j) << 2)))));
    }
    for (; j < size; j++) {
      const o = a + ((<usize>j) << 3);
      store<f64>(o, load<f64>(o) + <f64>load<i32>(row + ((<usize>j) << 2)));
    }
  }
}

/** ReLU forward over `n` float32 values: y = x > 0 ? x : 0 (NaN and −0 give +0, as the JavaScript). */
export function reluForward(n: i32, x: usize, y: usize): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const k = (<usize>i) << 2;
    const v = v128.load(x + k);
    v128.store(y + k, v128.bitselect(v, zero, f32x4.gt(v, zero)));
  }
  for (; i < n; i++) {
    const k = (<usize>i) << 2;
    const v = load<f32>(x + k);
    store<f32>(y + k, v > 0 ? v : 0);
  }
}

/**
 * ReLU forward counting activity, for evaluation: y = max(0, x) as
 * {@link reluForward}, over `steps` blocks of `rows × n` values; the non-zero
 * outputs of each block go to `perStep[t]` (float64) and `ever[j]` (int32,
 * one per neuron, OR-ed) becomes −1 once neuron j is non-zero in any row.
 * The caller zeroes `ever`. Non-zero y is exactly x > 0 (NaN and −0 give +0).
 */
export function reluInfer(steps: i32, rows: i32, n: i32, x: usize, y: usize, ever: usize, perStep: usize): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  for (let t = 0; t < steps; t++) {
    let events: f64 = 0;
    for (let r = 0; r < rows; r++) {
      const row = (<usize>(t * rows + r) * <usize>n) << 2;
      // Lane counts of one row stay far below 2^31; they go to float64 per row.
      let acc = i32x4.splat(0);
      let j = 0;
      for (; j < n4; j += 4) {
        const k = row + ((<usize>j) << 2);
        const v = v128.load(x + k);
        const on = f32x4.gt(v, zero);
        v128.store(y + k, v128.and(v, on));
        acc = i32x4.sub(acc, on);
        const e = ever + ((<usize>j) << 2);
        v128.store(e, v128.or(v128.load(e), on));
      }
      let tail = 0;
      for (; j < n; j++) {
        const k = row + ((<usize>j) << 2);
        const v = load<f32>(x + k);
        if (v > 0) {
          tail++;
          store<i32>(ever + ((<usize>j) << 2), -1);
        }
        store<f32>(y + k, v > 0 ? v : 0);
      }
      events +=
        <f64>(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3) + tail);
    }
    store<f64>(perStep + ((<usize>t) << 3), events);
  }
}

/** ReLU backward: g = x > 0 ? dy : 0. */
export function reluBackward(n: i32, x: usize, dy: usize, g: usize): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const k = (<usize>i) << 2;
    v128.store(g + k, v128.bitselect(v128.load(dy + k), zero, f32x4.gt(v128.load(x + k), zero)));
  }
  for (; i < n; i++) {
    const k = (<usize>i) << 2;
    store<f32>(g + k, load<f32>(x + k) > 0 ? load<f32>(dy + k) : 0);
  }
}

/**
 * `n` draws of xoshiro128** (src/random.ts's `fill`) into float64 at `out`,
 * from and back into the four int32 state words at `state`: two outputs per
 * draw, 27 high bits then 26, as (hi·2^26 + lo)/2^53 — the same integers and
 * the same exact float64 operations, so the same stream.
 */
export function xoshiroFill(state: usize, out: usize, n: i32): void {
  let s0 = load<u32>(state);
  let s1 = load<u32>(state, 4);
  let s2 = load<u32>(state, 8);
  let s3 = load<u32>(state, 12);
  for (let i = 0; i < n; i++) {
    let r: u32 = rotl<u32>(s1 * 5, 7) * 9;
    let t: u32 = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    const hi = r >>> 5;
    r = rotl<u32>(s1 * 5, 7) * 9;
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl<u32>(s3, 11);
    const lo = r >>> 6;
    store<f64>(out + ((<usize>i) << 3), (<f64>hi * 67108864.0 + <f64>lo) / 9007199254740992.0);
  }
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
}

/**
 * `n` Bernoulli draws from xoshiro128** (src/random.ts's `fillBernoulli`):
 * out[i] = 1 (float32) when the i-th uniform draw — {@link xoshiroFill}'s,
 * drawn into `draws` (f64 scratch [n]) first — is below `p[i]` (float64),
 * else 0. The state words at `state` advance as there.
 */
export function xoshiroBernoulli(state: usize, p: usize, out: usize, n: i32, draws: usize): void {
  xoshiroFill(state, draws, n);
  for (let i = 0; i < n; i++) {
    store<f32>(out + ((<usize>i) << 2), <f32>(load<f64>(draws + ((<usize>i) << 3)) < load<f64>(p + ((<usize>i) << 3))));
  }
}

/**
 * The spikes of `rows` rows of `cols` float32 values at `x`, as lists: the
 * columns of row r's non-zero entries, ascending, at
 * `idx[offsets[r] … offsets[r + 1])` (i32; `offsets` holds rows + 1 words).
 * Returns how many there are; −1 when an entry is neither 0 nor 1 (these are
 * not spikes — NaN included; −0 counts as 0), or −2 as soon as more than
 * `limit` are found (too dense for a sparse product to pay). `idx` must hold
 * `limit + 4` words.
 */
export function spikeLists(rows: i32, cols: i32, x: usize, idx: usize, offsets: usize, limit: i32): i32 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const c4 = cols & ~3;
  let n = 0;
  for (let r = 0; r < rows; r++) {
    store<i32>(offsets + ((<usize>r) << 2), n);
    const row = x + ((<usize>r * <usize>cols) << 2);
    let j = 0;
    for (; j < c4; j += 4) {
      const v = v128.load(row + ((<usize>j) << 2));
      const nz = f32x4.ne(v, zero);
      if (!v128.any_true(nz)) continue;
      if (v128.any_true(v128.and(nz, f32x4.ne(v, one)))) return -1;
      let bits = i32x4.bitmask(nz);
      while (bits != 0) {
        store<i32>(idx + ((<usize>n) << 2), j + ctz<i32>(bits));
        n++;
        bits &= bits - 1;
      }
      if (n > limit) return -2;
    }
    for (; j < cols; j++) {
      const v = load<f32>(row + ((<usize>j) << 2));
      if (v == 0) continue;
      if (v != 1) return -1;
      store<i32>(idx + ((<usize>n) << 2), j);
      n++;
      if (n > limit) return -2;
    }
  }
  store<i32>(offsets + ((<usize>rows) << 2), n);
  return n;
}

/**
 * Turns row lists (from {@link spikeLists}: `rows` lists of column indices)
 * into column lists: for each of `cols` columns, the rows that spiked in it,
 * ascending, at `colIdx[colOffsets[c] … colOffsets[c + 1])`. `cursor` is
 * scratch of `cols` words.
 */
export function transposeLists(rows: i32, cols: i32, idx: usize, offsets: usize, colIdx: usize, colOffsets: usize, cursor: usize): void {
  memory.fill(colOffsets, 0, (<usize>cols + 1) << 2);
  const total = load<i32>(offsets + ((<usize>rows) << 2));
  for (let e = 0; e < total; e++) {
    const at = colOffsets + ((<usize>load<i32>(idx + ((<usize>e) << 2)) + 1) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  for (let c = 0; c < cols; c++) {
    const at = colOffsets + ((<usize>c) << 2);
    const start = load<i32>(at);
    store<i32>(at, load<i32>(at, 4) + start, 4);
    store<i32>(cursor + ((<usize>c) << 2), start);
  }
  for (let r = 0; r < rows; r++) {
    const to = load<i32>(offsets + ((<usize>r + 1) << 2));
    for (let e = load<i32>(offsets + ((<usize>r) << 2)); e < to; e++) {
      const at = cursor + ((<usize>load<i32>(idx + ((<usize>e) << 2))) << 2);
      const k = load<i32>(at);
      store<i32>(colIdx + ((<usize>k) << 2), r);
      store<i32>(at, k + 1);
    }
  }
}

/**
 * A spike-sparse product: for each of `lists` lists (from {@link spikeLists}
 * or {@link transposeLists}), row l of `out` (`size` wide, float32) is the
 * bias (`bias`, or zeros when it is 0) plus the rows of `rows` (`[·, size]`)
 * that the list names, summed in slices of `sliceK` indices as
 * {@link deliverTick} sums them — a GEMM that sums K in slices (ONNX
 * Runtime's MLAS), computed from the spikes only: the same bits, because
 * 1·w = w and 0·w adds nothing. The bias starts as bias + 0, so a −0 bias
 * ends as +0 as the GEMM's would.
 */
export function accumulateLists(lists: i32, idx: usize, offsets: usize, size: i32, rows: usize, sliceK: i32, bias: usize, out: usize): void {
  const bytes = (<usize>size) << 2;
  for (let l = 0; l < lists; l++) {
    const c = out + (<usize>l) * bytes;
    if (bias != 0) {
      for (let j = 0; j < size; j++) store<f32>(c + ((<usize>j) << 2), load<f32>(bias + ((<usize>j) << 2)) + 0);
    } else memory.fill(c, 0, bytes);
    const from = load<i32>(offsets + ((<usize>l) << 2));
    const to = load<i32>(offsets + ((<usize>l + 1) << 2));
    deliverTick(to - from, idx + ((<usize>from) << 2), size, rows, sliceK, c);
  }
}

/** `dst` `[cols, rows]` = `src` `[rows, cols]` transposed (float32). */
export function transpose(rows: i32, cols: i32, src: usize, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const from = src + ((<usize>r * <usize>cols) << 2);
    for (let c = 0; c < cols; c++) store<f32>(dst + ((<usize>c * <usize>rows + <usize>r) << 2), load<f32>(from + ((<usize>c) << 2)));
  }
}
