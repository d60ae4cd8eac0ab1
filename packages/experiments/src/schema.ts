/** The JSON Schema of `results.json`, and its validator (Ajv). */

import { NeuroBridgeError } from "@neurobridge/core";
import { Ajv } from "ajv";

const num = { type: "number" } as const;
const trainResult = {
  type: "object",
  required: ["config", "history", "testAccuracy", "secondsPerEpoch", "inferenceSamplesPerSecond", "activity", "ops", "parameters"],
  properties: {
    testAccuracy: { type: "number", minimum: 0, maximum: 1 },
    secondsPerEpoch: num,
    history: { type: "array", minItems: 1, items: { type: "object", required: ["epoch", "trainLoss", "trainAccuracy", "seconds"] } },
    activity: {
      type: "array",
      items: { type: "object", required: ["nodeId", "size", "eventsPerSample", "silentFraction", "neverActiveFraction"] },
    },
    ops: { type: "object", required: ["timeSteps", "macs", "accumulates", "flops", "neuronUpdates", "layers"] },
  },
} as const;

/** JSON Schema (draft 2020-12 subset) of the pipeline's results. */
export const RESULTS_SCHEMA = {
  $id: "https://neurobridge.dev/schemas/paper-results-1.json",
  type: "object",
  required: [
    "format",
    "version",
    "meta",
    "lif",
    "neuronModels",
    "training",
    "cost",
    "sweep",
    "seeds",
    "deployment",
    "paperComparison",
    "figures",
  ],
  properties: {
    format: { const: "neurobridge.paper-results" },
    version: { const: 1 },
    meta: {
      type: "object",
      required: ["profile", "seed", "wallSeconds", "steps"],
      properties: { profile: { enum: ["quick", "full"] }, seed: { type: "integer" }, wallSeconds: num },
    },
    lif: {
      type: "object",
      required: ["traces", "fiCurve", "fits", "collapse"],
      properties: {
        fiCurve: { type: "object", required: ["rheobasePA", "rows", "slides"], properties: { rows: { type: "array", minItems: 2 } } },
        fits: { type: "object", required: ["relu", "sigmoid", "lif", "closestRange"] },
      },
    },
    neuronModels: {
      type: "object",
      required: ["models", "gallery", "mnist"],
      properties: {
        models: { type: "array", minItems: 5, items: { type: "object", required: ["name", "rheobasePA", "rows", "reluR2", "sigmoidR2"] } },
        gallery: { type: "array", minItems: 6, items: { type: "object", required: ["preset", "spikeCount", "adaptationIndex"] } },
        mnist: {
          type: "array",
          minItems: 3,
          items: { type: "object", required: ["neuron", "testAccuracy", "spikesPerSample", "energyCmos45J", "energyLoihiJ"] },
        },
      },
    },
    training: { type: "object", required: ["ffnn", "snn"], properties: { ffnn: trainResult, snn: trainResult } },
    cost: { type: "object", required: ["ffnn", "snn", "constants"] },
    sweep: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: [
          "timeSteps",
          "testAccuracy",
          "testAccuracySd",
          "testAccuracyMin",
          "testAccuracyMax",
          "seeds",
          "energyCmos45",
          "energyLoihi",
        ],
      },
    },
    bridge: {
      type: "object",
      required: ["ffnnAccuracy", "routes", "curves", "withinOnePointAt", "fineTune", "scratch"],
      properties: {
        routes: {
          type: "array",
          minItems: 3,
          items: { type: "object", required: ["route", "timeSteps", "accuracy", "accumulates", "macs", "energyJ"] },
        },
        curves: { type: "object", required: ["if", "matched"] },
      },
    },
    seeds: {
      type: "object",
      required: ["seeds", "ffnn", "snn"],
      properties: {
        seeds: { type: "array", minItems: 3, items: { type: "integer" } },
        ffnn: { type: "object", required: ["epochs", "n", "testAccuracy"], properties: { n: { type: "integer", minimum: 3 } } },
        snn: {
          type: "array",
          minItems: 1,
          items: { type: "object", required: ["timeSteps", "n", "testAccuracy"], properties: { n: { type: "integer", minimum: 3 } } },
        },
      },
    },
    deployment: {
      type: "object",
      required: ["testCount", "onnx", "nir", "loihi", "truenorth", "truenorthUnconstrained"],
      properties: {
        nir: {
          type: "object",
          required: ["file", "bytes", "convention", "dt", "nodes", "weightsIdentical", "samePredictions", "maxAbsDifference", "warnings"],
        },
        onnx: {
          type: "array",
          minItems: 3,
          items: {
            type: "object",
            required: ["model", "mode", "file", "accuracy", "samplesPerSecond", "samePredictions", "maxAbsDifference"],
          },
        },
        loihi: {
          type: "object",
          required: [
            "target",
            "deployed",
            "accuracy",
            "floatAccuracy",
            "cores",
            "synapticEvents",
            "energyJoules",
            "ticksPerSample",
            "quantization",
          ],
        },
        truenorth: { type: "object", required: ["target", "deployed"] },
        truenorthUnconstrained: { type: "object", required: ["target", "deployed"] },
      },
    },
    paperComparison: { type: "array", minItems: 5, items: { type: "object", required: ["quantity", "paper", "thisRun", "why"] } },
    figures: { type: "array", minItems: 10, items: { type: "object", required: ["id", "title", "caption", "files"] } },
  },
} as const;

const validator = new Ajv({ allErrors: true, strict: false }).compile(RESULTS_SCHEMA);

/**
 * Validates a results object against {@link RESULTS_SCHEMA}.
 *
 * @throws `NeuroBridgeError` (core) listing every violation
 */
export function validateResults(value: unknown): void {
  if (!validator(value)) {
    const lines = (validator.errors ?? []).map((e) => `  - ${e.instancePath || "(root)"}: ${e.message}`);
    throw new NeuroBridgeError("RESULTS_INVALID", `results do not match the schema:\n${lines.join("\n")}`);
  }
}
