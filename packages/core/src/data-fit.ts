/**
 * Does the data fit the network? One check for every entry point that takes
 * data — training, evaluation, a compiled network's `run`, a trainer's `fit`
 * and `evaluate` — on every backend, so a network that does not fit its data
 * is an error naming both sizes instead of an accuracy computed on nonsense.
 *
 * The runtime applies it to every backend it hands out ({@link guardBackend}),
 * so a plugin backend is held to it without writing it.
 */
import type { Backend, CompiledNetwork, Dataset, Trainer } from "./backend.js";
import { NeuroBridgeError } from "./errors.js";
import type { NetworkPlan } from "./plan.js";

/**
 * Throws `SHAPE_MISMATCH` when `data`'s examples are not the size of the
 * network's input, or it has more classes than the network has outputs;
 * `DATA_INVALID` when its arrays disagree with its counts. `what` names the
 * data in the message (e.g. `train`, `test`, `the evaluation data`).
 */
export function checkDataFits(plan: Pick<NetworkPlan, "inputSize" | "outputSize">, data: Dataset, what: string): void {
  if (data.features !== plan.inputSize) {
    throw new NeuroBridgeError(
      "SHAPE_MISMATCH",
      `${what}: examples have ${data.features} features; the network's input takes ${plan.inputSize}`,
    );
  }
  if (data.classes > plan.outputSize) {
    throw new NeuroBridgeError("SHAPE_MISMATCH", `${what}: has ${data.classes} classes; the network's output has ${plan.outputSize}`);
  }
  if (data.inputs.length !== data.count * data.features || data.labels.length !== data.count) {
    throw new NeuroBridgeError(
      "DATA_INVALID",
      `${what}: ${data.count} examples of ${data.features} features need ${data.count * data.features} inputs and ${data.count} labels; it has ${data.inputs.length} and ${data.labels.length}`,
    );
  }
}

/**
 * Throws `SHAPE_MISMATCH` unless `input` holds `batch` samples of the
 * network's input size: `[batch, features]`, or `[T, batch, features]` for a
 * sequence of the plan's `T` steps.
 */
export function checkInputFits(plan: Pick<NetworkPlan, "inputSize" | "timeSteps">, input: Float32Array, batch: number): void {
  if (!(Number.isInteger(batch) && batch > 0)) {
    throw new NeuroBridgeError("BATCH_INVALID", `batch must be a positive integer, got ${batch}`);
  }
  const frame = batch * plan.inputSize;
  if (input.length === frame || input.length === plan.timeSteps * frame) return;
  throw new NeuroBridgeError(
    "SHAPE_MISMATCH",
    `input of ${input.length} values is not ${batch} samples of the network's ${plan.inputSize} inputs: accepted ${frame} values ([batch, ${plan.inputSize}]) or ${plan.timeSteps * frame} ([${plan.timeSteps}, batch, ${plan.inputSize}])`,
  );
}

// The guards are async so that a refusal is a rejected promise, as the methods' own errors are.

/** A function-valued property bound to its owner; anything else as is. */
function bound(target: object, key: PropertyKey): unknown {
  const value = Reflect.get(target, key, target);
  return typeof value === "function" ? value.bind(target) : value;
}

/** `network` whose `run` checks its input first. */
function guardCompiled(network: CompiledNetwork): CompiledNetwork {
  return new Proxy(network, {
    get(target, key) {
      if (key !== "run") return bound(target, key);
      return async (input: Float32Array, batch: number, ...rest: unknown[]) => {
        checkInputFits(target.plan, input, batch);
        return (target.run as (...a: unknown[]) => unknown).call(target, input, batch, ...rest);
      };
    },
  });
}

/** `trainer` whose `fit` and `evaluate` check their data first. */
function guardTrainer(trainer: Trainer): Trainer {
  return new Proxy(trainer, {
    get(target, key) {
      if (key === "fit") {
        return async (options: Parameters<Trainer["fit"]>[0], ...rest: unknown[]) => {
          checkDataFits(target.plan, options.train, "train");
          if (options.test) checkDataFits(target.plan, options.test, "test");
          return (target.fit as (...a: unknown[]) => unknown).call(target, options, ...rest);
        };
      }
      if (key === "evaluate") {
        return async (data: Dataset, ...rest: unknown[]) => {
          checkDataFits(target.plan, data, "the evaluation data");
          return (target.evaluate as (...a: unknown[]) => unknown).call(target, data, ...rest);
        };
      }
      return bound(target, key);
    },
  });
}

/**
 * `backend` with {@link checkDataFits} and {@link checkInputFits} in front of
 * every method that takes data: `evaluate`, `compile(…).run`, and
 * `createTrainer(…)`'s `fit` and `evaluate`. Every other property is the
 * backend's own (methods bound to it), so a backend's extra API is kept.
 */
export function guardBackend<B extends Backend>(backend: B): B {
  return new Proxy(backend, {
    get(target, key) {
      if (key === "evaluate") {
        return async (plan: NetworkPlan, data: Dataset, ...rest: unknown[]) => {
          checkDataFits(plan, data, "the evaluation data");
          return (target.evaluate as (...a: unknown[]) => unknown).call(target, plan, data, ...rest);
        };
      }
      if (key === "compile") {
        return async (...args: unknown[]) =>
          guardCompiled(await (target.compile as (...a: unknown[]) => Promise<CompiledNetwork>).apply(target, args));
      }
      if (key === "createTrainer" && typeof target.createTrainer === "function") {
        return async (...args: unknown[]) =>
          guardTrainer(await (target.createTrainer as (...a: unknown[]) => Promise<Trainer>).apply(target, args));
      }
      return bound(target, key);
    },
  });
}
