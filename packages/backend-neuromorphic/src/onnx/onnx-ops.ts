/**
 * {@link TensorOps} that emit ONNX nodes: a value is the name of a tensor in
 * the graph being built. A neuron model's own `step` called with these ops
 * writes its ONNX step subgraph, so any registered model — a plugin's too —
 * exports without an ONNX port of its own.
 */
import type { BoundSurrogate, TensorOps } from "@neurobridge/core";
import { ELEM, type GraphBuilder } from "./proto.js";

/** ONNX-emitting tensor ops over `builder` (forward semantics; spikes are Heaviside). */
export function onnxOps(builder: GraphBuilder): TensorOps<string> {
  const toFloat = (x: string) => builder.node("Cast", [x], { to: ELEM.FLOAT });
  return {
    name: "onnx",
    scalar: (value) => builder.scalar(value),
    add: (a, b) => builder.node("Add", [a, b]),
    sub: (a, b) => builder.node("Sub", [a, b]),
    mul: (a, b) => builder.node("Mul", [a, b]),
    div: (a, b) => builder.node("Div", [a, b]),
    neg: (a) => builder.node("Neg", [a]),
    abs: (a) => builder.node("Abs", [a]),
    exp: (a) => builder.node("Exp", [a]),
    log: (a) => builder.node("Log", [a]),
    maximum: (a, b) => builder.node("Max", [a, b]),
    minimum: (a, b) => builder.node("Min", [a, b]),
    sigmoid: (a) => builder.node("Sigmoid", [a]),
    relu: (a) => builder.node("Relu", [a]),
    greater: (a, b) => toFloat(builder.node("Greater", [a, b])),
    where: (mask, a, b) => builder.node("Where", [builder.node("Cast", [mask], { to: ELEM.BOOL }), a, b]),
    // Inference graphs carry no gradients.
    stopGradient: (a) => a,
    spike: (x: string, _surrogate: BoundSurrogate) => toFloat(builder.node("Greater", [x, builder.scalar(0)])),
    zerosLike: (a) => builder.node("Mul", [a, builder.scalar(0)]),
  };
}
