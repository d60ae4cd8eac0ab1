import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configHash, StepCache, stableStringify } from "./cache.js";

describe("step cache", () => {
  it("hashes configs independently of key order, and differently when a value changes", () => {
    expect(stableStringify({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    expect(configHash({ a: 1, b: 2 })).not.toBe(configHash({ a: 1, b: 3 }));
  });

  it("computes once, then serves the cached result; force recomputes; corrupt files count as absent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-cache-"));
    let calls = 0;
    const compute = () => ({ value: ++calls });
    const cache = new StepCache(dir);
    expect(await cache.run("step", { x: 1 }, compute)).toEqual({ result: { value: 1 }, cached: false });
    expect(await cache.run("step", { x: 1 }, compute)).toEqual({ result: { value: 1 }, cached: true });
    expect(await cache.run("step", { x: 2 }, compute)).toEqual({ result: { value: 2 }, cached: false });
    expect(await new StepCache(dir, true).run("step", { x: 1 }, compute)).toEqual({ result: { value: 3 }, cached: false });
    writeFileSync(cache.path("step", { x: 1 }), "{ truncated");
    expect((await cache.run("step", { x: 1 }, compute)).cached).toBe(false);
    expect(existsSync(cache.folder("train", { x: 1 }))).toBe(true);
  });
});
