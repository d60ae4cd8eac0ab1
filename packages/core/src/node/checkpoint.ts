/**
 * The checkpoint codec, one format for every backend (Node only: it reads
 * and writes files; import it from `@neurobridge/core/node`). A checkpoint
 * is a folder whose **manifest `training.json` is the single commit point**:
 *
 * - a generation's data files are content-addressed — `spec.<h>.json`,
 *   `weights.<h>.safetensors`, `optimizer.<h>.safetensors` (h: the first 16
 *   hex digits of their SHA-256) — written to a temporary name, fsynced and
 *   renamed, so an existing name is always complete;
 * - the manifest names them with their full SHA-256 and is replaced by one
 *   rename (after the previous one is kept as `training.prev.json`); a crash
 *   at any instant leaves the previous manifest, and every file it names,
 *   intact;
 * - after the commit, files named by neither manifest and stale temporaries
 *   are removed, and `spec.json` / `weights.safetensors` are refreshed as
 *   plain copies for people and other tools (never read back here).
 *
 * Loading always verifies every hash (a manifest without them is rejected)
 * and falls back to the previous generation, saying so, when the newest is
 * damaged. Version-1 folders (files named `spec.json` … in the manifest)
 * still load.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Checkpoint, CheckpointPlugin, TrainingProgressState } from "../backend.js";
import { DataFileError, NeuroBridgeError, ValidationError } from "../errors.js";
import { decodeSafetensors, encodeSafetensors } from "../safetensors.js";
import { parseSpec } from "../serialize.js";
import type { SpecCatalog } from "../validate.js";
import { validateWeights } from "../weights.js";
import { ensureFolder, processAlive, writeDurable } from "./files.js";

/** Identifies a checkpoint's `training.json`. */
export const CHECKPOINT_FORMAT = "neurobridge.checkpoint";
/** The manifest this version writes. */
const MANIFEST = "training.json";
const PREVIOUS = "training.prev.json";

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /**
   * Called before every file-system step with its name (`write spec.<h>.json`,
   * `commit training.json` …). A test that throws here simulates a crash at
   * that instant: nothing after it happens.
   */
  readonly onStep?: (step: string) => void;
}

/** A generation's data file name: `<stem>.<h>.<ext>`. */
const generationName = (stem: string, ext: string, hash: string) => `${stem}.${hash.slice(0, 16)}.${ext}`;

interface ManifestV2 {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: 2;
  /** Data files of this generation: role → { name, sha256 }. */
  readonly files: Readonly<Record<string, { readonly name: string; readonly sha256: string }>>;
  readonly progress?: TrainingProgressState;
  readonly plugins?: readonly CheckpointPlugin[];
}

/**
 * Writes `checkpoint` into folder `dir` (created if needed) as a new
 * generation (see the module doc: a crash at any instant leaves a loadable
 * checkpoint — the previous one or this one).
 */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint, options: SaveCheckpointOptions = {}): void {
  const step = options.onStep ?? (() => {});
  ensureFolder(dir);
  const payloads: Record<string, { stem: string; ext: string; bytes: Uint8Array | string }> = {
    spec: { stem: "spec", ext: "json", bytes: `${JSON.stringify(checkpoint.spec, null, 2)}\n` },
    weights: {
      stem: "weights",
      ext: "safetensors",
      bytes: encodeSafetensors(checkpoint.weights, { format: "pt", producer: "neurobridge" }),
    },
  };
  if (checkpoint.optimizer) {
    payloads.optimizer = {
      stem: "optimizer",
      ext: "safetensors",
      bytes: encodeSafetensors(checkpoint.optimizer, { producer: "neurobridge" }),
    };
  }
  const files: Record<string, { name: string; sha256: string }> = {};
  for (const [role, p] of Object.entries(payloads)) {
    const hash = sha256(p.bytes);
    const name = generationName(p.stem, p.ext, hash);
    files[role] = { name, sha256: hash };
    // Content-addressed: an existing file of this name already holds these bytes (it was renamed into place whole).
    if (!existsSync(join(dir, name))) writeDurable(dir, name, p.bytes, step);
  }
  const manifest: ManifestV2 = {
    format: CHECKPOINT_FORMAT,
    version: 2,
    files,
    ...(checkpoint.progress ? { progress: checkpoint.progress } : {}),
    ...(checkpoint.plugins?.length ? { plugins: checkpoint.plugins } : {}),
  };
  // Keep the generation being replaced as the fallback, then commit the new one with one rename.
  if (existsSync(join(dir, MANIFEST))) writeDurable(dir, PREVIOUS, readFileSync(join(dir, MANIFEST)), step);
  // The commit: the rename inside this write is the instant the new generation becomes current.
  writeDurable(dir, MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`, step);
  // After the commit: plain copies for people and other tools, then garbage.
  writeDurable(dir, "spec.json", payloads.spec?.bytes as string, step);
  writeDurable(dir, "weights.safetensors", payloads.weights?.bytes as Uint8Array, step);
  step("clean");
  removeUnreferenced(dir);
}

/** The data file names a manifest refers to (empty when it cannot be read). */
function referenced(dir: string, name: string): Set<string> {
  try {
    const m = JSON.parse(readFileSync(join(dir, name), "utf8")) as { version?: number; files?: Record<string, unknown> };
    if (m.version !== 2 || typeof m.files !== "object" || m.files === null) return new Set();
    return new Set(Object.values(m.files).map((f) => (f as { name: string }).name));
  } catch {
    return new Set();
  }
}

const GENERATION_FILE = /^(spec|weights|optimizer)\.[0-9a-f]{16}\.(json|safetensors)$/;

/** Removes generation files neither manifest names, and temporaries of writers no longer running. */
function removeUnreferenced(dir: string): void {
  const keep = new Set([...referenced(dir, MANIFEST), ...referenced(dir, PREVIOUS)]);
  for (const entry of readdirSync(dir)) {
    const stale = GENERATION_FILE.test(entry) && !keep.has(entry);
    // Saves are synchronous, so none of this process's temporaries is in flight now; another
    // process's is stale once that process is gone.
    const tmp = /\.tmp-(\d+)$/.exec(entry);
    const deadTmp = tmp !== null && (Number(tmp[1]) === process.pid || !processAlive(Number(tmp[1])));
    if (stale || deadTmp) {
      try {
        unlinkSync(join(dir, entry));
      } catch {
        // Already gone (another cleaner): nothing to do.
      }
    }
  }
}

/** True when a process with this id runs. */
function readFile(dir: string, name: string): Buffer {
  const path = join(dir, name);
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(
      path,
      code === "ENOENT"
        ? `missing; the checkpoint's manifest names it (a checkpoint folder holds ${MANIFEST} and the files it lists)`
        : `cannot read (${code})`,
    );
  }
}

interface LoadedManifest {
  readonly progress?: TrainingProgressState;
  readonly plugins?: readonly CheckpointPlugin[];
  /** role → file name and expected SHA-256 */
  readonly files: Readonly<Record<string, { readonly name: string; readonly sha256: string }>>;
}

/** Parses and checks a manifest; version 1 (names `spec.json` … with hashes) is read too. */
function parseManifest(dir: string, name: string): LoadedManifest {
  const path = join(dir, name);
  let m: { format?: unknown; version?: unknown; files?: unknown; progress?: TrainingProgressState; plugins?: unknown };
  try {
    m = JSON.parse(readFile(dir, name).toString("utf8"));
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(path, `not valid JSON: ${(error as Error).message}`);
  }
  if (m.format !== CHECKPOINT_FORMAT || typeof m.files !== "object" || m.files === null) {
    throw new DataFileError(path, `not a NeuroBridge checkpoint manifest (format must be '${CHECKPOINT_FORMAT}')`);
  }
  const files: Record<string, { name: string; sha256: string }> = {};
  const isHash = (h: unknown): h is string => typeof h === "string" && /^[0-9a-f]{64}$/.test(h);
  if (m.version === 2) {
    for (const [role, f] of Object.entries(m.files as Record<string, { name?: unknown; sha256?: unknown }>)) {
      if (typeof f?.name !== "string" || !isHash(f.sha256))
        throw new DataFileError(path, `file '${role}' has no name or no SHA-256; every file must carry its hash`);
      files[role] = { name: f.name, sha256: f.sha256 };
    }
  } else if (m.version === 1) {
    for (const [file, hash] of Object.entries(m.files as Record<string, unknown>)) {
      if (!isHash(hash)) throw new DataFileError(path, `file '${file}' has no SHA-256; every file must carry its hash`);
      files[file.replace(/\.(json|safetensors)$/, "")] = { name: file, sha256: hash };
    }
  } else {
    throw new DataFileError(path, `unknown manifest version ${String(m.version)}; accepted: 1, 2`);
  }
  if (!files.spec || !files.weights) throw new DataFileError(path, "names no spec or no weights file");
  const plugins = Array.isArray(m.plugins)
    ? m.plugins.filter(
        (x): x is CheckpointPlugin =>
          typeof x === "object" && x !== null && typeof x.name === "string" && (x.module === undefined || typeof x.module === "string"),
      )
    : [];
  return { files, ...(m.progress ? { progress: m.progress } : {}), ...(plugins.length ? { plugins } : {}) };
}

/**
 * Runs `read`; when it fails on a spec the catalog cannot host and the
 * checkpoint was written with plugins the catalog lacks, the error names them
 * and how to load them.
 */
function withPluginHint<T>(plugins: readonly CheckpointPlugin[] | undefined, catalog: SpecCatalog | undefined, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof NeuroBridgeError) || error instanceof DataFileError || !plugins?.length || !catalog?.pluginNames) throw error;
    const have = new Set(catalog.pluginNames());
    const missing = plugins.filter((p) => !have.has(p.name));
    if (!missing.length) throw error;
    const named = missing.map(
      (p) => `'${p.name}'${p.module ? ` (--plugin ${p.module.startsWith("file://") ? fileURLToPath(p.module) : p.module})` : ""}`,
    );
    const hinted = new NeuroBridgeError(
      error.code,
      `${error.message}\nthis checkpoint was written with plugin ${named.join(", ")}, which is not loaded; load it with --plugin`,
      { cause: error },
    );
    throw hinted;
  }
}

/** Reads the generation a manifest names, verifying every hash. */
function readGeneration(dir: string, manifestName: string, catalog: SpecCatalog | undefined): Checkpoint {
  const manifest = parseManifest(dir, manifestName);
  const read = (role: string): Buffer => {
    const f = manifest.files[role] as { name: string; sha256: string };
    const bytes = readFile(dir, f.name);
    if (sha256(bytes) !== f.sha256) {
      throw new DataFileError(
        join(dir, f.name),
        `does not match the hash recorded in ${manifestName} (the checkpoint is incomplete or was modified)`,
      );
    }
    return bytes;
  };
  const spec = withPluginHint(manifest.plugins, catalog, () =>
    parseSpec(read("spec").toString("utf8"), catalog, join(dir, manifest.files.spec?.name as string)),
  );
  const weights = decodeSafetensors(read("weights"), join(dir, manifest.files.weights?.name as string)).tensors;
  const optimizer = manifest.files.optimizer
    ? decodeSafetensors(read("optimizer"), join(dir, manifest.files.optimizer.name)).tensors
    : undefined;
  // Weights that hash right can still be unusable (NaN, wrong shapes): say which checkpoint holds them.
  try {
    validateWeights(spec, weights, catalog);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new DataFileError(
      join(dir, manifest.files.weights?.name as string),
      error.message.replace(/^Invalid weights:\s*/, "invalid weights: "),
    );
  }
  return {
    spec,
    weights,
    ...(optimizer ? { optimizer } : {}),
    ...(manifest.progress ? { progress: manifest.progress } : {}),
    ...(manifest.plugins ? { plugins: manifest.plugins } : {}),
  };
}

/**
 * The training progress a checkpoint folder's manifest records (its settings
 * under `config`), without reading the spec or the weights; `undefined` when
 * the folder holds no checkpoint or the checkpoint records no training. The
 * previous generation answers when the newest manifest is damaged.
 */
export function readCheckpointProgress(dir: string): TrainingProgressState | undefined {
  for (const name of [MANIFEST, PREVIOUS]) {
    if (!existsSync(join(dir, name))) continue;
    try {
      return parseManifest(dir, name).progress;
    } catch (error) {
      if (!(error instanceof DataFileError) || name === PREVIOUS) throw error;
    }
  }
  return undefined;
}

/**
 * Reads a checkpoint folder, verifying every file against the manifest's
 * hashes. When the newest generation is damaged and the previous one is
 * intact, the previous one is returned with a warning in `warnings`.
 *
 * @throws `DataFileError` naming the missing, corrupt or mismatched file
 */
export function loadCheckpoint(dir: string, catalog?: SpecCatalog): Checkpoint {
  if (!existsSync(dir)) throw new DataFileError(dir, "checkpoint folder not found");
  try {
    return readGeneration(dir, MANIFEST, catalog);
  } catch (error) {
    if (!(error instanceof DataFileError) || !existsSync(join(dir, PREVIOUS))) throw error;
    let previous: Checkpoint;
    try {
      previous = readGeneration(dir, PREVIOUS, catalog);
    } catch {
      throw error;
    }
    return {
      ...previous,
      warnings: [`the newest checkpoint in ${dir} is damaged (${error.message}); loaded the previous one (${PREVIOUS})`],
    };
  }
}
