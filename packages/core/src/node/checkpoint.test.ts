import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Checkpoint } from "../backend.js";
import { createRuntime } from "../runtime.js";
import { sequentialSpec } from "../spec.js";
import { initWeights } from "../weights.js";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.js";
import { lockFolder } from "./files.js";

const runtime = createRuntime({ seed: 5 });
const spec = sequentialSpec({ layers: [6, 4, 3], neuron: "relu", outputNeuron: false });

/** A checkpoint whose every tensor is filled from `seed` (distinguishable generations). */
function generation(seed: number, epoch: number): Checkpoint {
  const weights = initWeights(spec, createRuntime({ seed }).random("w"), runtime);
  const optimizer = Object.fromEntries(
    Object.entries(weights).map(([k, t]) => [`m.${k}`, { shape: [t.data.length], data: t.data.map((x) => x * seed) }]),
  );
  return {
    spec,
    weights,
    optimizer,
    progress: {
      epoch,
      batch: 0,
      adamStep: epoch * 10,
      history: [],
      running: { loss: 0, correct: 0, seen: 0, seconds: 0 },
      config: { seed },
    },
  };
}

const same = (a: Checkpoint, b: Checkpoint) => {
  expect(a.progress?.epoch).toBe(b.progress?.epoch);
  for (const name of Object.keys(b.weights))
    expect(Array.from(a.weights[name]?.data ?? []), name).toEqual(Array.from(b.weights[name]?.data ?? []));
  for (const name of Object.keys(b.optimizer ?? {}))
    expect(Array.from(a.optimizer?.[name]?.data ?? []), name).toEqual(Array.from(b.optimizer?.[name]?.data ?? []));
};

/** The file-system steps of one save, by name. */
function stepsOfSave(dir: string, next: Checkpoint): string[] {
  const steps: string[] = [];
  saveCheckpoint(dir, next, { onStep: (s) => steps.push(s) });
  return steps;
}

describe("checkpoints: the manifest is the single commit point", () => {
  it("a crash at any file-system step leaves the previous checkpoint or the new one, whole, and the next save works", () => {
    const a = generation(1, 1);
    const b = generation(2, 2);
    const c = generation(3, 3);
    const base = mkdtempSync(join(tmpdir(), "nb-ckpt-crash-"));
    saveCheckpoint(base, generation(0, 0));
    saveCheckpoint(base, a);
    const steps = stepsOfSave(mkdtempSync(join(tmpdir(), "nb-ckpt-count-")), b).length + 4; // + the fallback copy's steps
    let crashed = 0;
    let sawOld = 0;
    let sawNew = 0;
    for (let k = 0; k < steps; k++) {
      const dir = mkdtempSync(join(tmpdir(), `nb-ckpt-k${k}-`));
      cpSync(base, dir, { recursive: true });
      let n = 0;
      try {
        saveCheckpoint(dir, b, {
          onStep: (s) => {
            if (n++ === k) throw new Error(`crash before ${s}`);
          },
        });
      } catch (error) {
        expect((error as Error).message).toMatch(/^crash before /);
        crashed++;
      }
      const loaded = loadCheckpoint(dir, runtime);
      expect(loaded.warnings).toBeUndefined();
      if (loaded.progress?.epoch === 1) {
        same(loaded, a);
        sawOld++;
      } else {
        same(loaded, b);
        sawNew++;
      }
      // A later save on the crashed folder works and leaves no stale temporaries of this process's previous attempt.
      saveCheckpoint(dir, c);
      same(loadCheckpoint(dir, runtime), c);
      expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
    }
    expect(crashed).toBeGreaterThanOrEqual(8);
    expect(sawOld).toBeGreaterThan(0);
    expect(sawNew).toBeGreaterThan(0);
  });

  it("falls back to the previous generation, saying so, when the newest is damaged", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-ckpt-fallback-"));
    saveCheckpoint(dir, generation(1, 1));
    saveCheckpoint(dir, generation(2, 2));
    const manifest = JSON.parse(readFileSync(join(dir, "training.json"), "utf8"));
    writeFileSync(join(dir, manifest.files.weights.name), "garbage");
    const loaded = loadCheckpoint(dir, runtime);
    same(loaded, generation(1, 1));
    expect(loaded.warnings?.[0]).toMatch(
      /newest checkpoint .* is damaged .* does not match the hash recorded in training\.json.*loaded the previous one/,
    );
  });

  it("keeps exactly two generations, and plain spec.json / weights.safetensors copies for people", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-ckpt-gc-"));
    for (let g = 1; g <= 4; g++) saveCheckpoint(dir, generation(g, g));
    const files = readdirSync(dir).sort();
    expect(files.filter((f) => /^weights\.[0-9a-f]{16}\.safetensors$/.test(f))).toHaveLength(2);
    expect(files).toEqual(expect.arrayContaining(["spec.json", "weights.safetensors", "training.json", "training.prev.json"]));
    // The plain copy is the current generation's weights.
    const manifest = JSON.parse(readFileSync(join(dir, "training.json"), "utf8"));
    expect(readFileSync(join(dir, "weights.safetensors"))).toEqual(readFileSync(join(dir, manifest.files.weights.name)));
  });

  it("rejects a manifest without hashes, and names a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-ckpt-nohash-"));
    saveCheckpoint(dir, generation(1, 1));
    const manifest = JSON.parse(readFileSync(join(dir, "training.json"), "utf8"));
    writeFileSync(
      join(dir, "training.json"),
      JSON.stringify({ ...manifest, files: { ...manifest.files, weights: { name: manifest.files.weights.name } } }),
    );
    expect(() => loadCheckpoint(dir, runtime)).toThrow(/file 'weights' has no name or no SHA-256; every file must carry its hash/);
    const v1 = mkdtempSync(join(tmpdir(), "nb-ckpt-v1-"));
    writeFileSync(
      join(v1, "training.json"),
      JSON.stringify({ format: "neurobridge.checkpoint", version: 1, files: { "spec.json": "ab" } }),
    );
    expect(() => loadCheckpoint(v1, runtime)).toThrow(/file 'spec\.json' has no SHA-256/);
    expect(() => loadCheckpoint(join(dir, "nope"), runtime)).toThrow(/checkpoint folder not found/);
  });

  it("locks an output folder: a second writer is refused naming the holder; a dead holder's lock is taken over", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-lock-"));
    // A lock held by another running process (this test's parent) is refused.
    writeFileSync(join(dir, ".lock"), `${process.ppid}\n`);
    expect(() => lockFolder(dir, "a training run")).toThrow(new RegExp(`is in use by process ${process.ppid} \\(a training run\\)`));
    // One whose process is gone is taken over, and released.
    writeFileSync(join(dir, ".lock"), "999999999\n");
    const lock = lockFolder(dir);
    expect(readFileSync(join(dir, ".lock"), "utf8")).toBe(`${process.pid}\n`);
    lock.release();
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });
});
