/**
 * Step cache: each finished pipeline step is stored as JSON under a key made
 * of its name and a hash of its validated config, written atomically. A rerun
 * with the same config finds it and recomputes nothing; a changed config gets
 * a new key; `force` ignores what is there.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureFolder, writeFileDurable } from "@neurobridge/core/node";

/** JSON with object keys sorted, so equal configs hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** First 16 hex digits of the SHA-256 of the config's stable JSON. */
export const configHash = (config: unknown): string => createHash("sha256").update(stableStringify(config)).digest("hex").slice(0, 16);

/** Writes `content` to `path` durably and atomically (core's writer: temporary, fsync, rename, fsync of the folder). */
export function writeAtomic(path: string, content: string | Uint8Array): void {
  writeFileDurable(path, content);
}

/** A folder of cached step results. */
export class StepCache {
  constructor(
    readonly dir: string,
    private readonly force = false,
  ) {
    ensureFolder(dir);
  }

  /** Where step `name` with `config` lives. */
  path(name: string, config: unknown): string {
    return join(this.dir, `${name}-${configHash(config)}.json`);
  }

  /** A folder for a step's own files (e.g. a training checkpoint), stable across reruns. */
  folder(name: string, config: unknown): string {
    const dir = join(this.dir, `${name}-${configHash(config)}`);
    ensureFolder(dir);
    return dir;
  }

  /** The cached result, unless forced or absent (a corrupt file counts as absent). */
  get<T>(name: string, config: unknown): T | undefined {
    const path = this.path(name, config);
    if (this.force || !existsSync(path)) return undefined;
    try {
      return (JSON.parse(readFileSync(path, "utf8")) as { result: T }).result;
    } catch {
      return undefined;
    }
  }

  put<T>(name: string, config: unknown, result: T): T {
    writeAtomic(this.path(name, config), `${JSON.stringify({ step: name, config, result })}\n`);
    return result;
  }

  /** Runs `compute` unless a result for (`name`, `config`) is cached. */
  async run<T>(name: string, config: unknown, compute: () => Promise<T> | T): Promise<{ result: T; cached: boolean }> {
    const hit = this.get<T>(name, config);
    if (hit !== undefined) return { result: hit, cached: true };
    return { result: this.put(name, config, await compute()), cached: false };
  }
}
