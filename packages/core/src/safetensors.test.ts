import { describe, expect, it } from "vitest";
import { DataFileError } from "./errors.js";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.js";

const tensors = {
  "fc1.weight": { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-7, -0]) },
  "fc1.bias": { shape: [2], data: Float32Array.from([0.25, Number.MAX_VALUE > 0 ? 3.4e38 : 0]) },
};

describe("safetensors", () => {
  it("round-trips tensors and metadata exactly", () => {
    const bytes = encodeSafetensors(tensors, { format: "pt", epoch: "3" });
    const { tensors: back, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: "pt", epoch: "3" });
    expect(back["fc1.weight"]).toEqual(tensors["fc1.weight"]);
    expect(back["fc1.bias"]).toEqual(tensors["fc1.bias"]);
  });

  it("writes the reference layout: u64 header length, JSON header, 8-byte aligned little-endian data", () => {
    const bytes = encodeSafetensors({ x: { shape: [1], data: Float32Array.of(1) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } });
    expect([...bytes.subarray(8 + n)]).toEqual([0, 0, 0x80, 0x3f]);
  });

  it("rejects truncated, malformed and unsupported files with the reason", () => {
    const good = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(good.subarray(0, 5), "w.safetensors")).toThrow(DataFileError);
    expect(() => decodeSafetensors(good.subarray(0, 5), "w.safetensors")).toThrow(
      /^w\.safetensors: not a valid safetensors file: only 5 bytes/,
    );
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4))).toThrow(
      /ends at byte \d+ but the data section has \d+ bytes \(truncated\)/,
    );
    expect(() => decodeSafetensors(new TextEncoder().encode("not a safetensors file at all"))).toThrow(/header claims \d+ bytes/);
    const f16 = new TextEncoder().encode(JSON.stringify({ x: { dtype: "F16", shape: [1], data_offsets: [0, 2] } }));
    const buf = new Uint8Array(8 + f16.length + 2);
    new DataView(buf.buffer).setBigUint64(0, BigInt(f16.length), true);
    buf.set(f16, 8);
    expect(() => decodeSafetensors(buf)).toThrow(/dtype "F16"; NeuroBridge reads F32 only/);
  });
});
