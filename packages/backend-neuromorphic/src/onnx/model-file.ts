/**
 * Reading `.onnx` files back: decode, check that the graph is whole (every
 * node input is produced somewhere, so a file cut at a field boundary is
 * caught too), and describe it. Every failure is a {@link DataFileError}
 * naming the file and what is wrong, never a protobuf stack trace.
 */
import { existsSync, readFileSync } from "node:fs";
import { DataFileError } from "@neurobridge/core";
import { METADATA_PREFIX, type OnnxExportInfo } from "./export.js";
import { type OnnxModel, onnx } from "./proto.js";

/** A tensor declared as a graph input or output. */
export interface OnnxValueDescription {
  readonly name: string;
  /** Sizes, or symbolic names for dynamic dimensions. */
  readonly dims: readonly (number | string)[];
  readonly elemType: number;
}

/** What an ONNX file holds. */
export interface OnnxModelDescription {
  readonly irVersion: number;
  readonly opset: number;
  readonly producer: string;
  readonly graphName: string;
  readonly nodes: number;
  readonly operators: Readonly<Record<string, number>>;
  readonly initializers: number;
  /** Parameters stored in initializers. */
  readonly parameters: number;
  readonly inputs: readonly OnnxValueDescription[];
  readonly outputs: readonly OnnxValueDescription[];
  /** NeuroBridge's own metadata, when the file came from `exportOnnx`. */
  readonly neurobridge?: OnnxExportInfo;
  readonly bytes: number;
}

const describeValue = (v: import("onnx-proto").onnx.IValueInfoProto): OnnxValueDescription => ({
  name: v.name ?? "",
  dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0))),
  elemType: v.type?.tensorType?.elemType ?? 0,
});

/** Decodes and checks `bytes` read from `file` (the name is for messages). */
export function decodeOnnx(bytes: Uint8Array, file: string): { model: OnnxModel; description: OnnxModelDescription } {
  if (bytes.length === 0) throw new DataFileError(file, "the file is empty; expected an ONNX model (.onnx protobuf)");
  let model: OnnxModel;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new DataFileError(
      file,
      `not a readable ONNX model (protobuf decoding failed: ${(error as Error).message}); the file is corrupt, truncated or not ONNX`,
    );
  }
  const graph = model.graph;
  if (!graph || !model.irVersion) {
    throw new DataFileError(file, "not an ONNX model: no graph or IR version found (is this really a .onnx file?)");
  }
  const produced = new Set<string>([
    ...(graph.input ?? []).map((v) => v.name ?? ""),
    ...(graph.initializer ?? []).map((t) => t.name ?? ""),
    "",
  ]);
  const operators: Record<string, number> = {};
  for (const node of graph.node ?? []) {
    for (const input of node.input ?? []) {
      if (!produced.has(input)) {
        throw new DataFileError(
          file,
          `graph is incomplete: node '${node.name ?? node.opType}' (${node.opType}) reads '${input}', which nothing produces; the file is probably truncated`,
        );
      }
    }
    for (const output of node.output ?? []) produced.add(output);
    operators[node.opType ?? "?"] = (operators[node.opType ?? "?"] ?? 0) + 1;
  }
  for (const output of graph.output ?? []) {
    if (!produced.has(output.name ?? "")) {
      throw new DataFileError(file, `graph is incomplete: output '${output.name}' is never computed; the file is probably truncated`);
    }
  }
  if ((graph.output ?? []).length === 0) throw new DataFileError(file, "the graph declares no outputs");
  const meta = new Map((model.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""]));
  let neurobridge: OnnxExportInfo | undefined;
  const infoText = meta.get(`${METADATA_PREFIX}info`);
  if (infoText) {
    try {
      neurobridge = JSON.parse(infoText) as OnnxExportInfo;
    } catch {
      throw new DataFileError(file, `metadata '${METADATA_PREFIX}info' is not valid JSON`);
    }
  }
  const opset = (model.opsetImport ?? []).find((o) => !o.domain)?.version;
  const description: OnnxModelDescription = {
    irVersion: Number(model.irVersion),
    opset: Number(opset ?? 0),
    producer: `${model.producerName ?? ""} ${model.producerVersion ?? ""}`.trim(),
    graphName: graph.name ?? "",
    nodes: (graph.node ?? []).length,
    operators,
    initializers: (graph.initializer ?? []).length,
    parameters: (graph.initializer ?? []).reduce((s, t) => s + (t.dims ?? []).reduce((p: number, d) => p * Number(d), 1), 0),
    inputs: (graph.input ?? []).map(describeValue),
    outputs: (graph.output ?? []).map(describeValue),
    ...(neurobridge ? { neurobridge } : {}),
    bytes: bytes.length,
  };
  return { model, description };
}

/** Reads and checks an `.onnx` file. */
export function readOnnxFile(file: string): { bytes: Uint8Array; description: OnnxModelDescription } {
  if (!existsSync(file)) throw new DataFileError(file, "no such file; expected an ONNX model written by 'neurobridge export onnx'");
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new DataFileError(file, `cannot read: ${(error as Error).message}`);
  }
  return { bytes, description: decodeOnnx(bytes, file).description };
}
