/**
 * A small builder over `onnx-proto` for ONNX graphs: unique value names,
 * initializers stored as raw little-endian bytes, and the model wrapper with
 * the opset and IR version the exporter targets.
 */
import onnxProto from "onnx-proto";

/** The generated protobuf namespace (ModelProto, GraphProto, …). */
export const { onnx } = onnxProto;
export type OnnxModel = import("onnx-proto").onnx.IModelProto;
export type OnnxGraph = import("onnx-proto").onnx.IGraphProto;
type Attribute = import("onnx-proto").onnx.IAttributeProto;
type ValueInfo = import("onnx-proto").onnx.IValueInfoProto;

/** The opset every exported model imports (default domain). */
export const OPSET = 17;
/** The IR version every exported model declares. */
export const IR_VERSION = 8;

/** ONNX element types used here. */
export const ELEM = { FLOAT: 1, BOOL: 9, INT64: 7 } as const;

/** A dimension: a fixed size or a symbolic name (e.g. `batch`). */
export type Dim = number | string;

/** An attribute value the builder knows how to encode. */
export type AttributeValue = number | number[] | { tensor: import("onnx-proto").onnx.ITensorProto };

function attribute(name: string, value: AttributeValue): Attribute {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === "number") return { name, type: T.INT, i: value };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return { name, type: T.TENSOR, t: value.tensor };
}

/** A float32 tensor proto (raw bytes, little-endian as ONNX requires). */
export function floatTensor(name: string, data: Float32Array, dims: readonly number[]): import("onnx-proto").onnx.ITensorProto {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] as number, true);
  return { name, dataType: ELEM.FLOAT, dims: [...dims], rawData: bytes };
}

/** An int64 tensor proto. */
export function int64Tensor(name: string, data: readonly number[], dims: readonly number[]): import("onnx-proto").onnx.ITensorProto {
  return { name, dataType: ELEM.INT64, dims: [...dims], int64Data: [...data] };
}

/** A typed value declaration for graph inputs and outputs. */
export function valueInfo(name: string, dims: readonly Dim[], elemType: number = ELEM.FLOAT): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Accumulates nodes and initializers; every intermediate value gets a fresh name. */
export class GraphBuilder {
  private readonly nodes: import("onnx-proto").onnx.INodeProto[] = [];
  private readonly initializers: import("onnx-proto").onnx.ITensorProto[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly scalars = new Map<number, string>();
  private counter = 0;

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** Adds one node; returns its (first) output name. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [out],
      name: out,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Adds a node with several outputs (e.g. Split). */
  multiNode(opType: string, inputs: readonly string[], outputs: number, attributes: Record<string, AttributeValue> = {}): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({
      opType,
      input: [...inputs],
      output: names,
      name: names[0] as string,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return names;
  }

  /** A float initializer. */
  constant(name: string, data: Float32Array, dims: readonly number[]): string {
    this.initializers.push(floatTensor(name, data, dims));
    return name;
  }

  /** An int64 initializer (shapes, axes). */
  ints(prefix: string, data: readonly number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push(int64Tensor(name, data, [data.length]));
    return name;
  }

  /** A shared rank-0 float constant. */
  scalar(value: number): string {
    let name = this.scalars.get(value);
    if (!name) {
      name = this.constant(this.fresh("scalar"), Float32Array.of(value), []);
      this.scalars.set(value, name);
    }
    return name;
  }

  input(name: string, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Declares `value` as the graph output `name` (through Identity when the names differ). */
  output(name: string, value: string, dims: readonly Dim[]): void {
    if (value !== name) this.node("Identity", [value], {}, name);
    this.outputs.push(valueInfo(name, dims));
  }

  /** The finished model, serialised. */
  build(name: string, docString: string, metadata: Record<string, string>): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: "", version: OPSET }],
      producerName: "neurobridge",
      producerVersion: "0.1.0",
      docString,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
