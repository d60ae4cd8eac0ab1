/**
 * Files written so that a crash at any instant leaves the previous good state
 * readable, and file-system failures said in words that name the path: a
 * full disk, a read-only mount, a dangling symbolic link or a file where a
 * folder belongs is the user's to fix, never an "internal error".
 */
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { DataFileError, NeuroBridgeError } from "../errors.js";

/** What a file-system error code means, in words. */
const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "a file is in the way",
  ENAMETOOLONG: "the name is too long",
  EMFILE: "too many open files",
  EIO: "input/output error",
  ENOENT: "that place does not exist, or cannot hold new entries",
};

/**
 * `error` as a `DataFileError` naming `path`, when it is a
 * file-system error (it has a `code`); anything else is returned as is.
 */
export function fileError(path: string, error: unknown, doing = "cannot write"): unknown {
  if (error instanceof NeuroBridgeError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string") return error;
  return new DataFileError(path, `${doing} (${FS_ERRORS[code] ?? code})`, { cause: error });
}

/** Flushes a directory entry to disk (where the platform allows it). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms cannot open or fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Creates folder `dir` and its missing parents, one level at a time (Node's
 * recursive `mkdir` loops for ever under some virtual file systems, e.g.
 * `/proc`). Every failure names the path and why.
 *
 * @throws `DataFileError` for an empty path, a file or a dangling link in the way, or a folder that cannot be made
 */
export function ensureFolder(dir: string): void {
  if (!dir) throw new DataFileError("(empty)", "an empty path is not a folder; give a folder name");
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    let kind: "folder" | "other" | "link" | "none";
    try {
      kind = statSync(at).isDirectory() ? "folder" : "other";
    } catch {
      // stat follows links: a link that exists but leads nowhere is dangling.
      try {
        lstatSync(at);
        kind = "link";
      } catch {
        kind = "none";
      }
    }
    if (kind === "folder") break;
    if (kind === "other")
      throw new DataFileError(at, `is a file, not a folder; ${at === resolve(dir) ? "give a folder" : `${dir} cannot be made under it`}`);
    if (kind === "link")
      throw new DataFileError(at, "is a symbolic link to something that does not exist; remove it or point it at a folder");
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const at of missing) {
    try {
      mkdirSync(at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && statSync(at).isDirectory()) continue;
      throw fileError(at, error, "cannot create the folder");
    }
  }
}

/**
 * Writes `content` as `dir/name` durably: a temporary beside it, fsync,
 * rename over it, fsync of the folder. A failure (a full disk …) removes the
 * temporary and names the file; the old file, if any, is untouched.
 * `step` is called before each stage (crash tests stop there).
 */
export function writeDurable(dir: string, name: string, content: Uint8Array | string, step: (s: string) => void): void {
  const tmp = join(dir, `${name}.tmp-${process.pid}`);
  step(`write ${name}`);
  try {
    const fd = openSync(tmp, "w");
    try {
      const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    step(`rename ${name}`);
    renameSync(tmp, join(dir, name));
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // Never created, or already renamed.
    }
    throw fileError(join(dir, name), error);
  }
  fsyncDir(dir);
}

/**
 * Writes one file so that a crash at any instant leaves either the old file
 * or the new one whole, never a torn one: a temporary beside it, fsync,
 * rename over it, fsync of the folder (parent folders are created). Every
 * file the project writes outside checkpoints goes through here — ONNX and
 * NIR models, the pipeline's cache, figures, reports.
 *
 * @throws `DataFileError` naming the path when it cannot be written
 *
 * @example
 * ```ts
 * writeFileDurable("out/models/snn.onnx", bytes);
 * ```
 */
export function writeFileDurable(path: string, content: Uint8Array | string): void {
  if (!path) throw new DataFileError("(empty)", "an empty path is not a file name");
  const dir = dirname(path);
  ensureFolder(dir);
  writeDurable(dir, basename(path), content, () => {});
}

/** Whether process `pid` is running (one we may not signal still counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** An exclusive hold on a folder; `release` gives it up (idempotent). */
export interface FolderLock {
  readonly dir: string;
  release(): void;
}

/**
 * Takes the exclusive lock of output folder `dir` (its `.lock` file, created
 * atomically, holding this process's id), so two runs never write one folder.
 * A lock left by a process that no longer runs is taken over.
 *
 * @throws `NeuroBridgeError` `FOLDER_LOCKED` naming the process that holds it;
 *   `DataFileError` when the folder cannot be made or locked
 */
export function lockFolder(dir: string, what = "this folder"): FolderLock {
  ensureFolder(dir);
  const path = join(dir, ".lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let held = true;
      return {
        dir,
        release() {
          if (!held) return;
          held = false;
          try {
            unlinkSync(path);
          } catch {
            // Already removed: nothing to release.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw fileError(path, error, "cannot take the folder's lock");
      let held: string;
      try {
        held = readFileSync(path, "utf8");
      } catch (readError) {
        const code = (readError as NodeJS.ErrnoException).code;
        if (code === "EISDIR") throw new DataFileError(path, "is a folder where the lock file belongs; remove it");
        throw fileError(path, readError, "cannot read the folder's lock");
      }
      const holder = Number.parseInt(held, 10);
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw new NeuroBridgeError(
          "FOLDER_LOCKED",
          `${dir} is in use by process ${holder} (${what}); wait for it to finish, or choose another folder`,
        );
      }
      // Stale (its process is gone) or unreadable: take it over.
      try {
        unlinkSync(path);
      } catch (unlinkError) {
        throw fileError(path, unlinkError, "cannot take over a stale lock");
      }
    }
  }
  throw new NeuroBridgeError("FOLDER_LOCKED", `${dir}: could not take its lock`);
}
