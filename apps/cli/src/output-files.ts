/**
 * Where a command may write a file: its name ends in the format's extension,
 * and it never replaces a file of another format, or a checkpoint's own file,
 * unless the user says `--force`. Checked before any work is done, so a
 * refusal costs nothing.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { NeuroBridgeError } from "@neurobridge/core";

/** A file format a command writes, and the extensions its files take. */
export interface OutputFormat {
  /** As a person names it, e.g. `ONNX`, `NIR (HDF5)`. */
  readonly name: string;
  /** Lower-case, with the dot: `.onnx`. */
  readonly extensions: readonly string[];
}

/** The formats the CLI writes or may find in the way. */
export const FORMATS = {
  onnx: { name: "ONNX", extensions: [".onnx"] },
  nir: { name: "NIR (HDF5)", extensions: [".nir", ".h5", ".hdf5"] },
  png: { name: "PNG", extensions: [".png"] },
  svg: { name: "SVG", extensions: [".svg"] },
  json: { name: "JSON", extensions: [".json"] },
  csv: { name: "CSV", extensions: [".csv"] },
  safetensors: { name: "safetensors", extensions: [".safetensors"] },
} as const satisfies Record<string, OutputFormat>;

/** The format a file's first bytes show, when they show one. */
export function sniffFormat(head: Uint8Array): OutputFormat | undefined {
  const ascii = (bytes: Uint8Array) => String.fromCharCode(...bytes);
  if (ascii(head.subarray(0, 8)) === "\x89HDF\r\n\x1a\n") return FORMATS.nir;
  if (ascii(head.subarray(0, 8)) === "\x89PNG\r\n\x1a\n") return FORMATS.png;
  // safetensors: an 8-byte little-endian header length, then the JSON header.
  if (head.length > 9 && head[8] === 0x7b && head[5] === 0 && head[6] === 0 && head[7] === 0) return FORMATS.safetensors;
  // ONNX: a ModelProto, whose first field is ir_version (field 1, varint).
  if (head[0] === 0x08 && head.length > 2 && (head[1] as number) < 0x20 && head[2] === 0x12) return FORMATS.onnx;
  const text = ascii(head.subarray(0, 256)).trimStart();
  if (/^(<\?xml[^>]*>\s*)?<svg/.test(text)) return FORMATS.svg;
  if (text.startsWith("{") || text.startsWith("[")) return FORMATS.json;
  return undefined;
}

/** A checkpoint's own files (see `@neurobridge/core/node`'s checkpoint codec), when `path` sits in a checkpoint folder. */
function isCheckpointFile(path: string): boolean {
  if (!existsSync(join(dirname(path), "training.json"))) return false;
  return /^(training(\.prev)?\.json|spec(\.[0-9a-f]+)?\.json|weights(\.[0-9a-f]+)?\.safetensors|optimizer.*)$/.test(basename(path));
}

function readHead(path: string): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(256);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks that `path` (given as `flag`) may receive a file of one of
 * `formats` (the one its extension names): unless `force`, it is not a
 * checkpoint's own file nor a file of another format. Returns that format.
 *
 * @throws `OPTION_INVALID` naming the flag, the path and what is accepted
 */
export function checkOutputFile(
  path: string,
  formats: OutputFormat | readonly OutputFormat[],
  options: { flag?: string; force?: boolean } = {},
): OutputFormat {
  const flag = options.flag ?? "--out";
  const accepted = "extensions" in formats ? [formats as OutputFormat] : (formats as readonly OutputFormat[]);
  const extensions = accepted.flatMap((f) => f.extensions).join(" or ");
  const names = accepted.map((f) => f.name).join(" or ");
  if (!path) throw new NeuroBridgeError("OPTION_INVALID", `${flag}: empty; give a file name ending in ${extensions}`);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new NeuroBridgeError("OPTION_INVALID", `${flag}: '${path}' is a folder; give a file name ending in ${extensions}`);
  }
  const ext = extname(path).toLowerCase();
  const format = accepted.find((f) => f.extensions.includes(ext));
  if (!format)
    throw new NeuroBridgeError("OPTION_INVALID", `${flag}: '${path}' does not end in ${extensions}; this command writes ${names}`);
  if (options.force || !existsSync(path)) return format;
  if (isCheckpointFile(path)) {
    throw new NeuroBridgeError(
      "OUTPUT_EXISTS",
      `${flag}: '${path}' is a file of the checkpoint in ${dirname(path)}; write elsewhere (or replace it with --force)`,
    );
  }
  const found = sniffFormat(readHead(path));
  if (found && found !== format) {
    throw new NeuroBridgeError(
      "OUTPUT_EXISTS",
      `${flag}: '${path}' already holds ${found.name} data, not ${format.name}; replace it with --force, or choose another name`,
    );
  }
  return format;
}
