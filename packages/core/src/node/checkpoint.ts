/**
 * The checkpoint codec, one format for every backend (Node only: it reads
 * and writes files; import it from `@neurobridge/core/node`). A checkpoint
 * is a folder holding
 *
 * - `spec.json` — the network spec (training settings in `metadata.training`);
 * - `weights.safetensors` — the weights (PyTorch/NumPy read it);
 * - `optimizer.safetensors` — Adam's moments and the raw trainable values;
 * - `training.json` — progress (epoch, next batch, history, running sums) and
 *   the SHA-256 of the three files above.
 *
 * Every file is written to a temporary name and renamed into place, and
 * `training.json` goes last, so a crash leaves either the previous
 * checkpoint or the new one — never a mix — and a torn or edited folder is
 * detected by its hashes.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Checkpoint, TrainingProgressState } from "../backend.js";
import { DataFileError } from "../errors.js";
import { decodeSafetensors, encodeSafetensors } from "../safetensors.js";
import { parseSpec } from "../serialize.js";
import type { SpecCatalog } from "../validate.js";

/** Identifies a checkpoint's `training.json`. */
export const CHECKPOINT_FORMAT = "neurobridge.checkpoint";

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

function writeAtomic(path: string, content: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Writes `checkpoint` into folder `dir` (created if needed). */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  mkdirSync(dir, { recursive: true });
  const specText = `${JSON.stringify(checkpoint.spec, null, 2)}\n`;
  const weights = encodeSafetensors(checkpoint.weights, { format: "pt", producer: "neurobridge" });
  const files: Record<string, string> = { "spec.json": sha256(specText), "weights.safetensors": sha256(weights) };
  writeAtomic(join(dir, "spec.json"), specText);
  writeAtomic(join(dir, "weights.safetensors"), weights);
  if (checkpoint.optimizer) {
    const optimizer = encodeSafetensors(checkpoint.optimizer, { producer: "neurobridge" });
    files["optimizer.safetensors"] = sha256(optimizer);
    writeAtomic(join(dir, "optimizer.safetensors"), optimizer);
  }
  const manifest = { format: CHECKPOINT_FORMAT, version: 1, files, ...(checkpoint.progress ? { progress: checkpoint.progress } : {}) };
  writeAtomic(join(dir, "training.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

function readFile(dir: string, name: string): Buffer {
  const path = join(dir, name);
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(
      path,
      code === "ENOENT" ? "missing; a checkpoint folder holds spec.json, weights.safetensors and training.json" : `cannot read (${code})`,
    );
  }
}

/**
 * Reads a checkpoint folder, verifying every file against the hashes in
 * `training.json`.
 *
 * @throws {@link DataFileError} naming the missing, corrupt or mismatched file
 */
export function loadCheckpoint(dir: string, catalog?: SpecCatalog): Checkpoint {
  if (!existsSync(dir)) throw new DataFileError(dir, "checkpoint folder not found");
  const manifestPath = join(dir, "training.json");
  let manifest: { format?: string; files?: Record<string, string>; progress?: TrainingProgressState };
  try {
    manifest = JSON.parse(readFile(dir, "training.json").toString("utf8"));
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(manifestPath, `not valid JSON: ${(error as Error).message}`);
  }
  if (manifest.format !== CHECKPOINT_FORMAT || typeof manifest.files !== "object") {
    throw new DataFileError(manifestPath, `not a NeuroBridge checkpoint manifest (format must be '${CHECKPOINT_FORMAT}')`);
  }
  const read = (name: string): Buffer => {
    const bytes = readFile(dir, name);
    const expected = manifest.files?.[name];
    if (expected && sha256(bytes) !== expected) {
      throw new DataFileError(
        join(dir, name),
        "does not match the hash recorded in training.json (the checkpoint is incomplete or was modified)",
      );
    }
    return bytes;
  };
  const spec = parseSpec(read("spec.json").toString("utf8"), catalog, join(dir, "spec.json"));
  const weights = decodeSafetensors(read("weights.safetensors"), join(dir, "weights.safetensors")).tensors;
  const optimizer = manifest.files["optimizer.safetensors"]
    ? decodeSafetensors(read("optimizer.safetensors"), join(dir, "optimizer.safetensors")).tensors
    : undefined;
  return { spec, weights, ...(optimizer ? { optimizer } : {}), ...(manifest.progress ? { progress: manifest.progress } : {}) };
}
