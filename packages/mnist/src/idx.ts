/**
 * The IDX format of the original MNIST files: a big-endian header (two zero
 * bytes, a type byte 0x08 for unsigned bytes, the number of dimensions, then
 * each dimension as a uint32) followed by the data. Images have magic 2051
 * (3 dimensions), labels 2049 (1 dimension).
 */
import { DataFileError } from "@neurobridge/core";

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  readonly magic: number;
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Magic numbers of the two IDX files kinds MNIST uses. */
export const IDX_MAGIC = { images: 2051, labels: 2049 } as const;

/**
 * Parses an IDX byte buffer, checking the magic number and that the data
 * length matches the declared dimensions.
 *
 * @throws `DataFileError` (core) naming the file and the inconsistency
 */
export function parseIdx(bytes: Uint8Array, source: string, expectedMagic?: number): IdxArray {
  if (bytes.length < 8) throw new DataFileError(source, `only ${bytes.length} bytes; an IDX header needs at least 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== 2051 && magic !== 2049) {
    throw new DataFileError(source, `not an MNIST IDX file: magic number ${magic}, expected 2051 (images) or 2049 (labels)`);
  }
  if (expectedMagic !== undefined && magic !== expectedMagic) {
    throw new DataFileError(
      source,
      `magic number ${magic} but this file should hold ${expectedMagic === 2051 ? "images (2051)" : "labels (2049)"}`,
    );
  }
  const rank = magic & 0xff;
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength)
    throw new DataFileError(source, `truncated header: ${bytes.length} bytes, ${headerLength} needed for ${rank} dimensions`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual !== expected) {
    throw new DataFileError(
      source,
      `holds ${actual} data bytes but its header declares ${dims.join("×")} = ${expected} (truncated or corrupt)`,
    );
  }
  return { magic, dims, data: bytes.subarray(headerLength) };
}
