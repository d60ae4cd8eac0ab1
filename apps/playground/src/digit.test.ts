import { describe, expect, it } from "vitest";
import { toMnist } from "./digit.js";

describe("toMnist", () => {
  it("scales a drawn stroke into a 20-pixel box centred by mass in 28 × 28", () => {
    const W = 280;
    const img = new Float32Array(W * W);
    // A vertical bar 20 px wide, 200 px tall, off-centre at the left.
    for (let y = 40; y < 240; y++) for (let x = 30; x < 50; x++) img[y * W + x] = 1;
    const out = toMnist(img, W, W);
    let rows = 0;
    let mass = 0;
    let mx = 0;
    let my = 0;
    for (let y = 0; y < 28; y++) {
      let any = false;
      for (let x = 0; x < 28; x++) {
        const v = out[y * 28 + x] as number;
        if (v > 0) any = true;
        mass += v;
        mx += v * x;
        my += v * y;
      }
      if (any) rows++;
    }
    expect(rows).toBe(20);
    expect(Math.abs(mx / mass - 13.5)).toBeLessThanOrEqual(1);
    expect(Math.abs(my / mass - 13.5)).toBeLessThanOrEqual(1);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
  });

  it("returns a blank image for a blank pad", () => {
    expect(toMnist(new Float32Array(100), 10, 10).every((v) => v === 0)).toBe(true);
  });
});
