/** File helpers for commands: atomic writes and readable errors for user files. */
import { readFileSync } from "node:fs";
import { DataFileError } from "@neurobridge/core";
import { fileError, writeFileDurable } from "@neurobridge/core/node";

/**
 * Writes `content` to `path` durably and atomically (core's writer: temporary,
 * fsync, rename, fsync of the folder), creating parent folders; a folder or an
 * unwritable place is a {@link DataFileError} naming the path.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  try {
    writeFileDurable(path, content);
  } catch (error) {
    // Core's writer names the path for file-system failures; anything else is mapped the same way.
    throw fileError(path, error);
  }
}

/**
 * Reads a text file a user named.
 *
 * @throws {@link DataFileError} when it is missing or unreadable
 */
export function readTextFile(path: string): string {
  return new TextDecoder().decode(readBinaryFile(path));
}

/**
 * Reads a binary file a user named.
 *
 * @throws {@link DataFileError} when it is missing, a folder or unreadable
 */
export function readBinaryFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataFileError(
      path,
      code === "ENOENT"
        ? "file not found"
        : code === "EISDIR"
          ? "is a folder, not a file"
          : `cannot read (${code ?? (error as Error).message})`,
    );
  }
}

/**
 * Reads and parses a JSON file a user named.
 *
 * @throws {@link DataFileError} when it is missing, unreadable or not JSON
 */
export function readJsonFile(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataFileError(path, `not valid JSON: ${(error as Error).message}`);
  }
}
