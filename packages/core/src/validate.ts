/**
 * The one validator of network specs. It checks structure (node types, ids,
 * edges, sizes along every edge, `dt`, `timeSteps`) and, given a
 * {@link SpecCatalog} (the runtime), that every neuron model, encoder, reset
 * and surrogate named is registered and its parameters are in range. Every
 * issue names its field and what is accepted; all issues are reported at once.
 */
import { TRAINING_DEFAULTS } from "./defaults.js";
import { SpecValidationError, type ValidationIssue } from "./errors.js";
import type { NeuronModel } from "./neuron-model.js";
import { type ParamSpec, type ParamValue, resolveParams } from "./params.js";
import {
  type NetworkNode,
  type NetworkSpec,
  type NeuronNode,
  NODE_TYPES,
  nodeOutputSize,
  SPEC_FORMAT,
  SPEC_VERSION,
  type StrategyRef,
  specEdges,
} from "./spec.js";
import type { Encoder, ResetMechanism, SurrogateGradient } from "./strategies.js";

/** What the validator needs to know about registered plugins (the runtime implements it). */
export interface SpecCatalog {
  findNeuronModel(name: string): NeuronModel | undefined;
  findEncoder(name: string): Encoder | undefined;
  findSurrogate(name: string): SurrogateGradient | undefined;
  findReset(name: string): ResetMechanism | undefined;
  names(kind: "neuronModel" | "encoder" | "surrogate" | "reset"): string[];
  /** Names of the registered plugins (a reader compares them with the plugins a file was written with). */
  pluginNames?(): string[];
}

/** Default reset mechanism of spiking neuron nodes. */
export const DEFAULT_RESET = "subtract";
/** Default surrogate gradient of spiking neuron nodes. */
export const DEFAULT_SURROGATE = TRAINING_DEFAULTS.surrogate;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;
const show = (v: unknown): string => (typeof v === "number" ? String(v) : (JSON.stringify(v) ?? String(v)));

function checkStrategy(
  ref: unknown,
  path: string,
  kind: "encoder" | "surrogate",
  catalog: SpecCatalog | undefined,
  issues: ValidationIssue[],
): void {
  if (!isObject(ref) || typeof ref.name !== "string" || ref.name === "") {
    issues.push({ path, message: `must be an object { name, params? } naming a registered ${kind}` });
    return;
  }
  if (!catalog) return;
  const found = kind === "encoder" ? catalog.findEncoder(ref.name) : catalog.findSurrogate(ref.name);
  if (!found) {
    issues.push({
      path: `${path}.name`,
      message: `unknown ${kind} '${ref.name}'; registered: ${catalog.names(kind).join(", ")}`,
    });
    return;
  }
  issues.push(...resolveParams(found.params, ref.params as Record<string, unknown> | undefined, `${path}.params`).issues);
}

function checkNeuron(node: Record<string, unknown>, path: string, catalog: SpecCatalog | undefined, issues: ValidationIssue[]) {
  if (typeof node.model !== "string" || node.model === "") {
    issues.push({ path: `${path}.model`, message: "must name a registered neuron model, e.g. 'lif' or 'relu'" });
    return;
  }
  if (!isPositiveInt(node.size)) {
    issues.push({ path: `${path}.size`, message: `must be a positive integer, got ${show(node.size)}` });
  }
  if (!catalog) return;
  const model = catalog.findNeuronModel(node.model);
  if (!model) {
    issues.push({
      path: `${path}.model`,
      message: `unknown neuron model '${node.model}'; registered: ${catalog.names("neuronModel").join(", ")}`,
    });
    return;
  }
  const size = isPositiveInt(node.size) ? node.size : undefined;
  const resolved = resolveParams(model.params, node.params as Record<string, unknown> | undefined, `${path}.params`, size);
  issues.push(...resolved.issues);
  if (resolved.issues.length === 0 && model.validate) {
    issues.push(...model.validate(resolved.values as Record<string, number | number[]>, `${path}.params`));
  }
  if (node.learn !== undefined) {
    const learnable = model.params.filter((p) => p.learnable).map((p) => p.name);
    if (!Array.isArray(node.learn)) {
      issues.push({ path: `${path}.learn`, message: "must be an array of parameter names" });
    } else {
      node.learn.forEach((name, i) => {
        if (!learnable.includes(name as string)) {
          issues.push({
            path: `${path}.learn[${i}]`,
            message: `'${String(name)}' is not learnable in '${model.name}'; learnable: ${learnable.join(", ") || "(none)"}`,
          });
        }
      });
    }
  }
  if (model.dynamics === "rate") {
    for (const key of ["reset", "surrogate"] as const) {
      if (node[key] !== undefined) {
        issues.push({ path: `${path}.${key}`, message: `only spiking models take a ${key}; '${model.name}' is a rate model` });
      }
    }
    return;
  }
  if (node.reset !== undefined) {
    if (typeof node.reset !== "string" || !catalog.findReset(node.reset)) {
      issues.push({
        path: `${path}.reset`,
        message: `unknown reset mechanism ${show(node.reset)}; registered: ${catalog.names("reset").join(", ")}`,
      });
    }
  }
  if (node.surrogate !== undefined) checkStrategy(node.surrogate, `${path}.surrogate`, "surrogate", catalog, issues);
}

function checkNode(node: unknown, path: string, catalog: SpecCatalog | undefined, issues: ValidationIssue[]): void {
  if (!isObject(node)) {
    issues.push({ path, message: "must be an object with a 'type' and an 'id'" });
    return;
  }
  if (typeof node.id !== "string" || node.id === "") {
    issues.push({ path: `${path}.id`, message: "must be a non-empty string" });
  }
  switch (node.type) {
    case "input":
      if (!Array.isArray(node.shape) || node.shape.length === 0 || !node.shape.every(isPositiveInt)) {
        issues.push({ path: `${path}.shape`, message: `must be a non-empty array of positive integers, got ${show(node.shape)}` });
      }
      break;
    case "dense":
      for (const key of ["inFeatures", "outFeatures"]) {
        if (!isPositiveInt(node[key])) {
          issues.push({ path: `${path}.${key}`, message: `must be a positive integer, got ${show(node[key])}` });
        }
      }
      if (node.bias !== undefined && typeof node.bias !== "boolean") {
        issues.push({ path: `${path}.bias`, message: `must be true or false, got ${show(node.bias)}` });
      }
      break;
    case "neuron":
      checkNeuron(node, path, catalog, issues);
      break;
    case "output":
      if (!isPositiveInt(node.size)) {
        issues.push({ path: `${path}.size`, message: `must be a positive integer, got ${show(node.size)}` });
      }
      break;
    default:
      issues.push({
        path: `${path}.type`,
        message: `unknown node type ${show(node.type)}; accepted: ${NODE_TYPES.join(", ")}`,
      });
  }
}

/**
 * Bounds on a spec's sizes, so that a file (a checkpoint, a NIR graph) cannot
 * ask for more memory or time than any machine has: exceeding one is a
 * validation issue naming the limit, not an allocation that fails or a run
 * that never ends.
 */
export const SPEC_LIMITS = {
  /** Time steps per sample. */
  timeSteps: 1_000_000,
  /** Values in one node's output (neurons, features). */
  width: 1 << 24,
  /** Weights of one dense layer. */
  weights: 1 << 28,
} as const;

function checkLimits(nodes: readonly unknown[], issues: ValidationIssue[]): void {
  nodes.forEach((n, i) => {
    if (typeof n !== "object" || n === null) return;
    const node = n as Record<string, unknown>;
    const widths: [string, unknown][] = [
      ["size", node.size],
      ["inFeatures", node.inFeatures],
      ["outFeatures", node.outFeatures],
      ["shape", Array.isArray(node.shape) ? node.shape.reduce((p: number, d) => p * (typeof d === "number" ? d : 1), 1) : undefined],
    ];
    for (const [field, value] of widths) {
      if (typeof value === "number" && value > SPEC_LIMITS.width) {
        issues.push({ path: `nodes[${i}].${field}`, message: `${value} values is over the limit of ${SPEC_LIMITS.width} per node` });
      }
    }
    const weights = (node.inFeatures as number) * (node.outFeatures as number);
    if (Number.isFinite(weights) && weights > SPEC_LIMITS.weights) {
      issues.push({ path: `nodes[${i}]`, message: `${weights} weights is over the limit of ${SPEC_LIMITS.weights} per dense layer` });
    }
  });
}

/** Expected input width of a node given its predecessor's output width, or undefined if unconstrained. */
function expectedInput(node: NetworkNode): { field: string; value: number } | undefined {
  switch (node.type) {
    case "dense":
      return { field: "inFeatures", value: node.inFeatures };
    case "neuron":
    case "output":
      return { field: "size", value: node.size };
    case "input":
      return undefined;
  }
}

function checkGraph(spec: NetworkSpec, issues: ValidationIssue[]): void {
  const index = new Map<string, number>();
  spec.nodes.forEach((n, i) => {
    if (index.has(n.id)) {
      issues.push({ path: `nodes[${i}].id`, message: `duplicate id '${n.id}' (first used by nodes[${index.get(n.id)}])` });
    } else {
      index.set(n.id, i);
    }
  });
  const inputs = spec.nodes.filter((n) => n.type === "input");
  if (inputs.length !== 1) {
    issues.push({ path: "nodes", message: `must contain exactly one 'input' node, found ${inputs.length}` });
  }
  if (!spec.nodes.some((n) => n.type === "output")) {
    issues.push({ path: "nodes", message: "must contain at least one 'output' node" });
  }
  if (spec.edges !== undefined && !Array.isArray(spec.edges)) {
    issues.push({ path: "edges", message: "must be an array of [from, to] id pairs" });
    return;
  }
  const edges = specEdges(spec);
  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  edges.forEach((edge, i) => {
    const path = spec.edges ? `edges[${i}]` : `nodes (sequential edge ${i})`;
    if (!Array.isArray(edge) || edge.length !== 2) {
      issues.push({ path, message: "must be a [from, to] pair of node ids" });
      return;
    }
    const [from, to] = edge;
    for (const id of [from, to]) {
      if (!index.has(id)) issues.push({ path, message: `refers to unknown node id ${show(id)}` });
    }
    incoming.set(to, [...(incoming.get(to) ?? []), from]);
    outgoing.set(from, [...(outgoing.get(from) ?? []), to]);
  });
  spec.nodes.forEach((node, i) => {
    const ins = incoming.get(node.id) ?? [];
    if (node.type === "input") {
      if (ins.length > 0) issues.push({ path: `nodes[${i}]`, message: "an input node cannot have incoming edges" });
      return;
    }
    if (node.type === "output" && (outgoing.get(node.id) ?? []).length > 0) {
      issues.push({ path: `nodes[${i}]`, message: "an output node cannot have outgoing edges" });
    }
    if (ins.length === 0) {
      issues.push({ path: `nodes[${i}]`, message: `node '${node.id}' has no incoming edge` });
      return;
    }
    if (ins.length > 1) {
      issues.push({
        path: `nodes[${i}]`,
        message: `node '${node.id}' has ${ins.length} incoming edges; nodes with several inputs are not supported yet (one per node)`,
      });
      return;
    }
    const source = spec.nodes[index.get(ins[0] as string) ?? -1];
    const expected = expectedInput(node);
    if (source && expected) {
      const got = nodeOutputSize(source);
      if (Number.isFinite(got) && got !== expected.value) {
        issues.push({
          path: `nodes[${i}].${expected.field}`,
          message: `is ${expected.value} but '${source.id}' (${source.type}) emits ${got} features; they must match`,
        });
      }
    }
  });
  if (issues.length === 0 && topologicalOrder(spec) === undefined) {
    issues.push({ path: "edges", message: "the graph has a cycle; recurrent connections are not supported yet" });
  }
}

/** Node ids in an order where every edge points forward, or undefined when there is a cycle. */
export function topologicalOrder(spec: Pick<NetworkSpec, "nodes" | "edges">): string[] | undefined {
  const edges = specEdges(spec);
  const indegree = new Map(spec.nodes.map((n) => [n.id, 0]));
  for (const [, to] of edges) indegree.set(to, (indegree.get(to) ?? 0) + 1);
  const ready = spec.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const [from, to] of edges) {
      if (from !== id) continue;
      const d = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, d);
      if (d === 0) ready.push(to);
    }
  }
  return order.length === spec.nodes.length ? order : undefined;
}

/**
 * Lists every problem with `value` as a network spec (empty when valid).
 * Without `catalog` only structure is checked; with it, registered names and
 * parameter ranges too.
 */
export function checkNetworkSpec(value: unknown, catalog?: SpecCatalog): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!isObject(value)) return [{ path: "(root)", message: "a network spec must be a JSON object" }];
  if (value.format !== SPEC_FORMAT) {
    issues.push({ path: "format", message: `must be '${SPEC_FORMAT}', got ${show(value.format)}` });
  }
  if (value.version !== SPEC_VERSION) {
    issues.push({
      path: "version",
      message: `must be ${SPEC_VERSION} (this NeuroBridge reads spec version ${SPEC_VERSION}), got ${show(value.version)}`,
    });
  }
  if (typeof value.dt !== "number" || !Number.isFinite(value.dt) || value.dt <= 0) {
    issues.push({ path: "dt", message: `must be a positive, finite time step in seconds (e.g. 0.001), got ${show(value.dt)}` });
  }
  if (!isPositiveInt(value.timeSteps)) {
    issues.push({ path: "timeSteps", message: `must be a positive integer (1 for a feed-forward ANN), got ${show(value.timeSteps)}` });
  } else if (value.timeSteps > SPEC_LIMITS.timeSteps) {
    issues.push({ path: "timeSteps", message: `${value.timeSteps} is over the limit of ${SPEC_LIMITS.timeSteps} steps per sample` });
  }
  if (Array.isArray(value.nodes)) checkLimits(value.nodes, issues);
  checkStrategy(value.encoder, "encoder", "encoder", catalog, issues);
  if (!Array.isArray(value.nodes) || value.nodes.length === 0) {
    issues.push({ path: "nodes", message: "must be a non-empty array of nodes" });
    return issues;
  }
  const before = issues.length;
  value.nodes.forEach((node, i) => {
    checkNode(node, `nodes[${i}]`, catalog, issues);
  });
  const nodesValid = issues.slice(before).every((i) => !i.path.startsWith("nodes") || i.path.includes(".params"));
  if (nodesValid) checkGraph(value as unknown as NetworkSpec, issues);
  return issues;
}

/**
 * Validates `value` as a network spec and returns it typed.
 *
 * @throws {@link SpecValidationError} listing every issue, each naming its field
 */
export function validateNetworkSpec(value: unknown, catalog?: SpecCatalog): NetworkSpec {
  const issues = checkNetworkSpec(value, catalog);
  if (issues.length > 0) throw new SpecValidationError(issues);
  return value as NetworkSpec;
}

/** A neuron node's parameters with the model's defaults filled in (assumes a valid spec). */
export function neuronParams(node: NeuronNode, model: NeuronModel): Record<string, number | number[]> {
  const { values } = resolveParams(model.params, node.params as Record<string, unknown> | undefined, node.id, node.size);
  const numeric: Record<string, number | number[]> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === "number" || Array.isArray(v)) numeric[k] = v;
  }
  return numeric;
}

/** The strategy's parameters with defaults filled in (assumes a valid spec). */
export function strategyParams(ref: StrategyRef | undefined, strategy: { params: readonly ParamSpec[] }): Record<string, ParamValue> {
  const { values } = resolveParams(strategy.params, ref?.params, "params");
  return values as Record<string, ParamValue>;
}
