/**
 * A drawn digit to an MNIST-like input: MNIST digits are size-normalised to
 * fit a 20 × 20 box (aspect kept), anti-aliased, and centred by their centre
 * of mass in 28 × 28 (LeCun et al.). Pure function over a grey image.
 */

/** Grey levels in [0, 1], row-major `[height, width]`, to 784 values in [0, 1]. */
export function toMnist(pixels: Float32Array, width: number, height: number): Float32Array {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((pixels[y * width + x] as number) > 0.05) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const out = new Float32Array(784);
  if (bottom < 0) return out;
  const boxW = right - left + 1;
  const boxH = bottom - top + 1;
  const scale = 20 / Math.max(boxW, boxH);
  const w = Math.max(1, Math.round(boxW * scale));
  const h = Math.max(1, Math.round(boxH * scale));
  // Area-average the box into w × h.
  const small = new Float32Array(w * h);
  for (let sy = 0; sy < h; sy++) {
    for (let sx = 0; sx < w; sx++) {
      const x0 = left + (sx * boxW) / w;
      const x1 = left + ((sx + 1) * boxW) / w;
      const y0 = top + (sy * boxH) / h;
      const y1 = top + ((sy + 1) * boxH) / h;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const fy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const fx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += (pixels[y * width + x] ?? 0) * fx * fy;
          area += fx * fy;
        }
      }
      small[sy * w + sx] = area > 0 ? sum / area : 0;
    }
  }
  // Centre of mass of the small image → the centre of the 28 × 28 frame.
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const m = small[y * w + x] as number;
      mass += m;
      mx += m * x;
      my += m * y;
    }
  }
  const ox = Math.round(14 - (mass > 0 ? mx / mass : w / 2) - 0.5);
  const oy = Math.round(14 - (mass > 0 ? my / mass : h / 2) - 0.5);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const tx = x + ox;
      const ty = y + oy;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = Math.min(1, small[y * w + x] as number);
    }
  }
  return out;
}
