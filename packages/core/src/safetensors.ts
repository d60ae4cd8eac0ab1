/**
 * The safetensors format (Hugging Face), so checkpoints open in PyTorch
 * (`safetensors.torch.load_file`) and NumPy. Layout: an 8-byte little-endian
 * header length N, N bytes of JSON mapping tensor names to
 * `{ dtype, shape, data_offsets }` (plus optional string `__metadata__`),
 * then the raw little-endian data. Only float32 (`F32`) tensors are written
 * and read. Pure TypeScript on `Uint8Array`s: no file system here.
 */
import { DataFileError } from "./errors.js";
import type { Weights, WeightTensor } from "./weights.js";

const HEADER_LIMIT = 100 * 1024 * 1024;

/** Encodes named float32 tensors (in name order) and string metadata. */
export function encodeSafetensors(tensors: Weights, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name] as WeightTensor;
    const bytes = t.data.length * 4;
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference implementation does).
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name] as WeightTensor;
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i] as number, true);
    at += t.data.length * 4;
  }
  return out;
}

/**
 * Decodes a safetensors buffer.
 *
 * @param source - file name for error messages
 * @throws {@link DataFileError} when the buffer is truncated, the header is
 *   malformed, a dtype other than F32 appears, or offsets do not match shapes
 */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors data"): { tensors: Weights; metadata: Record<string, string> } {
  const fail = (message: string): never => {
    throw new DataFileError(source, `not a valid safetensors file: ${message}`);
  };
  if (bytes.length < 8) fail(`only ${bytes.length} bytes; the 8-byte header length is missing`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > HEADER_LIMIT || 8 + headerLength > bytes.length) {
    fail(`header claims ${headerLength} bytes but the file has ${bytes.length - 8} after the length field (truncated or not safetensors)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch (error) {
    return fail(`header is not JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header is not a JSON object");
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors: Weights = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== "F32") fail(`tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; NeuroBridge reads F32 only`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor '${name}' has an invalid shape`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      fail(`tensor '${name}' has invalid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const shape = e.shape as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4) fail(`tensor '${name}' spans ${end - begin} bytes but shape [${shape.join(", ")}] needs ${count * 4}`);
    if (end > dataLength) fail(`tensor '${name}' ends at byte ${end} but the data section has ${dataLength} bytes (truncated)`);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + begin + 4 * i, true);
    tensors[name] = { shape, data };
  }
  return { tensors, metadata };
}
