/**
 * `.nir` files: NIR graphs in HDF5, read and written with h5wasm (the HDF5 C
 * library compiled to WebAssembly, the same code in Node and the browser).
 * Layout as NIR's own serializer writes it: `/version`, `/node/type =
 * "NIRGraph"`, `/node/nodes/<name>/type` plus one dataset per field, an
 * optional `metadata` group per node, and `/node/edges` as `[E, 2]` strings.
 *
 * Files are handled as bytes (an in-memory HDF5 file system), so callers
 * decide where they come from and write them atomically.
 */
import h5wasm, { type Dataset, type Group } from "h5wasm";
import {
  checkGraph,
  NIR_VERSION,
  type NirDtype,
  NirFormatError,
  type NirGraph,
  type NirNode,
  type NirTensor,
  type NirValue,
} from "./graph.js";

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Where the HDF5 superblock says the file ends, read before h5wasm sees the
 * bytes so a missing signature or a cut file gets a plain message (and the
 * HDF5 library's error stack is never needed). HDF5 looks for the signature at
 * 0, 512, 1024, 2048, …
 */
function checkContainer(bytes: Uint8Array, source: string): void {
  let at = -1;
  for (let offset = 0; offset + 8 <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[offset + i] === b)) {
      at = offset;
      break;
    }
  }
  if (at < 0) {
    throw new NirFormatError(source, [
      bytes.length === 0
        ? "the file is empty"
        : `no HDF5 signature (a .nir file is HDF5; this one has ${bytes.length} bytes of something else)`,
    ]);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[at + 8];
  let eofAt: number;
  let offsetSize: number;
  if (version === 0 || version === 1) {
    offsetSize = bytes[at + 13] ?? 8;
    eofAt = at + 24 + (version === 1 ? 4 : 0) + 2 * offsetSize;
  } else if (version === 2 || version === 3) {
    offsetSize = bytes[at + 9] ?? 8;
    eofAt = at + 12 + 2 * offsetSize;
  } else {
    throw new NirFormatError(source, [`unknown HDF5 superblock version ${String(version)}`]);
  }
  if (eofAt + offsetSize > bytes.length) throw new NirFormatError(source, [`truncated inside the HDF5 superblock (${bytes.length} bytes)`]);
  const eof = offsetSize === 8 ? Number(view.getBigUint64(eofAt, true)) : view.getUint32(eofAt, true);
  if (eof > bytes.length - at) {
    throw new NirFormatError(source, [`truncated: the HDF5 superblock says the file has ${eof} bytes, it has ${bytes.length - at}`]);
  }
}

let fileCounter = 0;

/**
 * Runs `fn` on `bytes` mounted as an in-memory HDF5 file, with the HDF5
 * library's diagnostic stack kept off stderr (errors reach the caller as
 * exceptions instead).
 */
async function withH5<T>(bytes: Uint8Array | undefined, fn: (path: string, read: () => Uint8Array) => T): Promise<T> {
  const { FS } = await h5wasm.ready;
  const path = `/neurobridge-${process.pid ?? 0}-${fileCounter++}.h5`;
  const stderr = typeof process !== "undefined" ? process.stderr : undefined;
  const write = stderr?.write;
  if (stderr) stderr.write = (() => true) as typeof stderr.write;
  try {
    if (bytes) FS.writeFile(path, bytes);
    return fn(path, () => FS.readFile(path));
  } finally {
    if (stderr && write) stderr.write = write;
    try {
      FS.unlink(path);
    } catch {
      // not created
    }
  }
}

function dtypeOf(dataset: Dataset): NirDtype | "string" {
  const meta = dataset.metadata;
  if (meta.type === 3) return "string"; // H5T_STRING
  if (meta.type === 1) return meta.size === 4 ? "f32" : "f64"; // H5T_FLOAT
  if (meta.type === 0) return "i64"; // H5T_INTEGER
  throw new Error(`unsupported HDF5 type class ${meta.type}`);
}

function readValue(dataset: Dataset, path: string, problems: string[]): NirValue | undefined {
  let kind: NirDtype | "string";
  try {
    kind = dtypeOf(dataset);
  } catch (e) {
    problems.push(`${path}: ${(e as Error).message}`);
    return undefined;
  }
  const value = dataset.value;
  if (kind === "string") {
    if (typeof value === "string") return value;
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join("\u0000");
    problems.push(`${path}: expected a string`);
    return undefined;
  }
  const shape = dataset.shape ?? [];
  const values: number[] =
    typeof value === "number" || typeof value === "bigint"
      ? [Number(value)]
      : ArrayBuffer.isView(value)
        ? Array.from(value as unknown as ArrayLike<number | bigint>, Number)
        : [];
  return { shape, data: Float64Array.from(values), dtype: kind };
}

function readGroupValues(group: Group, path: string, problems: string[]): Record<string, NirValue> {
  // Keys come from the file: a node or field named __proto__ must stay a key, not reach the prototype.
  const out: Record<string, NirValue> = Object.create(null);
  for (const key of group.keys()) {
    const entity = group.get(key);
    if (entity instanceof h5wasm.Dataset) {
      const v = readValue(entity, `${path}/${key}`, problems);
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

function readEdges(group: Group, problems: string[]): [string, string][] {
  const dataset = group.get("edges");
  if (!(dataset instanceof h5wasm.Dataset)) {
    problems.push("/node/edges is missing");
    return [];
  }
  const value = dataset.value;
  const flat = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  if (!flat.every((v) => typeof v === "string") || flat.length % 2 !== 0) {
    problems.push("/node/edges must be [E, 2] strings (source, target)");
    return [];
  }
  const edges: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) edges.push([flat[i] as string, flat[i + 1] as string]);
  return edges;
}

/** Options of {@link readNirGraph}. */
export interface ReadNirOptions {
  /** Names the file in errors (default `the NIR file`). */
  readonly source?: string;
  /**
   * Run NIR's type check (shapes along every edge), as `nir.read` does by
   * default; a failure is a {@link NirFormatError} listing each mismatch. With
   * `false` the mismatches are returned as `typeProblems` instead.
   */
  readonly typeCheck?: boolean;
}

/** A graph read from a file, with what the type check found when it was not enforced. */
export interface ReadNirResult {
  readonly graph: NirGraph;
  readonly typeProblems: readonly string[];
}

/**
 * Reads a `.nir` file's bytes into a {@link NirGraph}.
 *
 * @throws {@link NirFormatError} for bytes that are not HDF5, a cut file, a
 *   missing `/node` or `/node/edges`, a node without `type`, or (with
 *   `typeCheck`) a graph whose shapes do not join — each problem named
 */
export async function readNirGraph(bytes: Uint8Array, options: ReadNirOptions = {}): Promise<ReadNirResult> {
  const source = options.source ?? "the NIR file";
  checkContainer(bytes, source);
  const problems: string[] = [];
  const graph = await withH5(bytes, (path): NirGraph | undefined => {
    let file: InstanceType<typeof h5wasm.File>;
    try {
      file = new h5wasm.File(path, "r");
    } catch (e) {
      problems.push(`HDF5 could not open it (${(e as Error).message})`);
      return undefined;
    }
    try {
      const versionSet = file.get("version");
      const version = versionSet instanceof h5wasm.Dataset ? String(versionSet.value) : "";
      if (!version) problems.push("/version is missing");
      const root = file.get("node");
      if (!(root instanceof h5wasm.Group)) {
        problems.push("/node is missing (not a NIR file)");
        return undefined;
      }
      const rootType = root.get("type");
      if (!(rootType instanceof h5wasm.Dataset) || rootType.value !== "NIRGraph") problems.push("/node/type must be 'NIRGraph'");
      const nodesGroup = root.get("nodes");
      if (!(nodesGroup instanceof h5wasm.Group)) {
        problems.push("/node/nodes is missing");
        return undefined;
      }
      const nodes: Record<string, NirNode> = Object.create(null);
      for (const name of nodesGroup.keys()) {
        const group = nodesGroup.get(name);
        if (!(group instanceof h5wasm.Group)) {
          problems.push(`/node/nodes/${name} is not a group`);
          continue;
        }
        const fields = readGroupValues(group, `/node/nodes/${name}`, problems);
        const type = fields.type;
        delete fields.type;
        if (typeof type !== "string") {
          problems.push(`/node/nodes/${name} has no 'type'`);
          continue;
        }
        if (type === "NIRGraph") {
          problems.push(
            `/node/nodes/${name} is a nested NIRGraph (a subgraph); nested graphs are not supported yet — flatten it before export`,
          );
          continue;
        }
        const meta = group.get("metadata");
        const metadata = meta instanceof h5wasm.Group ? readGroupValues(meta, `/node/nodes/${name}/metadata`, problems) : {};
        nodes[name] = { type, fields, metadata };
      }
      const edges = readEdges(root, problems);
      const meta = root.get("metadata");
      const metadata = meta instanceof h5wasm.Group ? readGroupValues(meta, "/node/metadata", problems) : {};
      return { version, nodes, edges, metadata };
    } catch (e) {
      problems.push(`HDF5 read failed (${(e as Error).message}); the file is damaged`);
      return undefined;
    } finally {
      file.close();
    }
  });
  if (!graph || problems.length) throw new NirFormatError(source, problems);
  const typeProblems = checkGraph(graph);
  if (typeProblems.length && options.typeCheck !== false) {
    throw new NirFormatError(source, [
      ...typeProblems,
      "(NIR's own reader, nir.read, rejects this file too; to load it anyway, read it without the type check: --no-type-check, or typeCheck: false)",
    ]);
  }
  return { graph, typeProblems };
}

function writeValue(group: Group, name: string, value: NirValue): void {
  if (typeof value === "string") {
    group.create_dataset({ name, data: value });
    return;
  }
  const data =
    value.dtype === "f32"
      ? Float32Array.from(value.data)
      : value.dtype === "i64"
        ? BigInt64Array.from(value.data, (v) => BigInt(Math.trunc(v)))
        : value.data;
  // A 0-d tensor is a scalar dataset (NIR writes groups, start_dim … that way).
  group.create_dataset({ name, data: value.shape.length === 0 ? (data as Float64Array) : data, shape: [...value.shape] });
}

/**
 * Writes `graph` as `.nir` bytes (NIR's layout; readable by `nir.read`).
 * Graph and node metadata go into `metadata` groups.
 *
 * @throws when the graph fails NIR's type check (a file we write always loads in NIR's reader)
 */
export async function writeNirGraph(graph: NirGraph): Promise<Uint8Array> {
  const problems = checkGraph(graph);
  if (problems.length) throw new NirFormatError("the graph to write", problems);
  return withH5(undefined, (path, read) => {
    const file = new h5wasm.File(path, "w");
    try {
      file.create_dataset({ name: "version", data: graph.version || NIR_VERSION });
      const root = file.create_group("node");
      root.create_dataset({ name: "type", data: "NIRGraph" });
      root.create_dataset({ name: "edges", data: graph.edges.flat() as string[], shape: [graph.edges.length, 2] });
      const nodes = root.create_group("nodes");
      for (const [name, node] of Object.entries(graph.nodes)) {
        const group = nodes.create_group(name);
        group.create_dataset({ name: "type", data: node.type });
        for (const [k, v] of Object.entries(node.fields)) writeValue(group, k, v);
        const meta = Object.entries(node.metadata);
        if (meta.length) {
          const m = group.create_group("metadata");
          for (const [k, v] of meta) writeValue(m, k, v);
        }
      }
      const meta = Object.entries(graph.metadata);
      if (meta.length) {
        const m = root.create_group("metadata");
        for (const [k, v] of meta) writeValue(m, k, v);
      }
      file.flush();
    } finally {
      file.close();
    }
    return new Uint8Array(read());
  });
}

/** A string metadata value, if present. */
export const metaString = (meta: Readonly<Record<string, NirValue>>, key: string): string | undefined => {
  const v = meta[key];
  return typeof v === "string" ? v : undefined;
};

/** A numeric metadata value (first element), if present. */
export const metaNumber = (meta: Readonly<Record<string, NirValue>>, key: string): number | undefined => {
  const v = meta[key];
  return v !== undefined && typeof v !== "string" ? (v as NirTensor).data[0] : undefined;
};
