/**
 * Where sweep jobs and their results live: a folder (local, or shared by
 * workers over NFS or a Kubernetes volume). Each finished job is one JSON
 * file named by its content hash, written atomically, so a crash at any
 * instant leaves every finished result readable and never a half-written one.
 *
 * ```
 * DIR/jobs/<id>.json      finished: config, code, result, attempts, timings
 * DIR/failed/<id>.json    failed for good: the error and the attempts
 * DIR/running/<id>.json   started and not finished: who runs it (pid, host)
 * DIR/work/<id>/          the job's own files: resumable state, then what it leaves
 *                         (a training job's checkpoint, which eval, deploy and export read)
 * ```
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { NeuroBridgeError } from "@neurobridge/core";
import { ensureFolder } from "@neurobridge/core/node";
import { stableStringify, writeAtomic } from "../cache.js";

/** A job as the runner hands it to an executor: its name, kind, full config and the fingerprint of the code it needs. */
export interface JobSpec {
  /** Content hash of kind, config and code: equal jobs have equal ids, and run once. */
  readonly id: string;
  readonly kind: string;
  readonly config: unknown;
  readonly code: string;
}

/** A finished job. */
export interface JobRecord {
  readonly format: "neurobridge.sweep-job";
  readonly version: 1;
  readonly id: string;
  readonly kind: string;
  readonly config: unknown;
  readonly code: string;
  readonly result: unknown;
  /** Which attempt finished it (1 = the first). */
  readonly attempt: number;
  readonly seconds: number;
  readonly host: string;
  readonly finishedAt: string;
}

/** A job that failed for good. */
export interface JobFailure {
  readonly id: string;
  readonly error: string;
  readonly attempts: number;
  readonly at: string;
}

/** Who is running a job. */
export interface RunningMarker {
  readonly id: string;
  readonly pid: number;
  readonly host: string;
  readonly attempt: number;
  readonly startedAt: string;
}

/** The id of a job: the first 16 hex digits of the SHA-256 of its kind, config and code fingerprint. */
export function jobId(kind: string, config: unknown, code: string): string {
  return createHash("sha256").update(stableStringify({ kind, config, code })).digest("hex").slice(0, 16);
}

const readJson = <T>(path: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    // Absent, or not ours to read: treated as absent (atomic writes never leave a partial file).
    return undefined;
  }
};

/**
 * `id` when it is a job id (16 hex digits), else `QUEUE_FORGED`: ids name
 * files and folders of the store, so nothing else may reach a path.
 */
export function checkJobId(id: unknown): string {
  if (typeof id !== "string" || !/^[0-9a-f]{16}$/.test(id)) {
    throw new NeuroBridgeError("QUEUE_FORGED", `${JSON.stringify(id)} is not a sweep job id (16 hex digits); refused`);
  }
  return id;
}

/** A folder of sweep jobs and results. */
export class JobStore {
  constructor(readonly dir: string) {
    for (const sub of ["jobs", "failed", "running", "work"]) ensureFolder(join(dir, sub));
  }

  /** The finished record of job `id`, if any. */
  get(id: string): JobRecord | undefined {
    const record = readJson<JobRecord>(join(this.dir, "jobs", `${checkJobId(id)}.json`));
    return record?.format === "neurobridge.sweep-job" && record.id === id ? record : undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Stores a finished job (atomically); clears its failure and running marker. */
  put(record: JobRecord): void {
    writeAtomic(join(this.dir, "jobs", `${checkJobId(record.id)}.json`), `${JSON.stringify(record)}\n`);
    rmSync(join(this.dir, "failed", `${record.id}.json`), { force: true });
    rmSync(join(this.dir, "running", `${record.id}.json`), { force: true });
  }

  failure(id: string): JobFailure | undefined {
    return readJson<JobFailure>(join(this.dir, "failed", `${checkJobId(id)}.json`));
  }

  fail(id: string, error: string, attempts: number): void {
    writeAtomic(
      join(this.dir, "failed", `${checkJobId(id)}.json`),
      `${JSON.stringify({ id, error, attempts, at: new Date().toISOString() })}\n`,
    );
    rmSync(join(this.dir, "running", `${checkJobId(id)}.json`), { force: true });
  }

  /** Marks job `id` as started by this process. */
  markRunning(id: string, attempt: number, pid = process.pid): void {
    const marker: RunningMarker = { id, pid, host: hostname(), attempt, startedAt: new Date().toISOString() };
    writeAtomic(join(this.dir, "running", `${checkJobId(id)}.json`), `${JSON.stringify(marker)}\n`);
  }

  clearRunning(id: string): void {
    rmSync(join(this.dir, "running", `${checkJobId(id)}.json`), { force: true });
  }

  /** The running markers (a marker of a killed process stays until its job is retried or finished). */
  running(): RunningMarker[] {
    return readdirSync(join(this.dir, "running"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => readJson<RunningMarker>(join(this.dir, "running", f)))
      .filter((m): m is RunningMarker => m !== undefined);
  }

  /** The folder for job `id`'s resumable state. */
  workDir(id: string): string {
    const dir = join(this.dir, "work", checkJobId(id));
    ensureFolder(dir);
    return dir;
  }
}
