import { arrayOps, createRuntime, initWeights, type NeuronNode, sequentialSpec, simulatePopulation } from "@neurobridge/core";
import { describe, expect, it } from "vitest";
import { dimensionlessRate, toDimensionless } from "../biophysical/dimensionless.js";
import { FI_PROTOCOLS, fiCurve } from "../biophysical/fi-curve.js";
import { lifParameters, rheobase } from "../biophysical/parameters.js";
import {
  activationParamsFromFits,
  LIF_RATE_OPERATING_INPUT,
  lifRateModel,
  reluFitModel,
  sigmoidFitModel,
} from "../network/activation-models.js";
import { lifPlugin } from "../plugin.js";
import { fitActivations, fitLifCurve, fitRelu, fitSigmoid, rSquared } from "./activation-fits.js";
import { searchFitRange } from "./range-search.js";

const p = lifParameters();
const xs = Array.from({ length: 41 }, (_, i) => i * 25);

describe("activation fits", () => {
  it("computes R² by its definition", () => {
    expect(rSquared([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(rSquared([1, 2, 3], [2, 2, 2])).toBe(0);
  });

  it("recover known ReLU and sigmoid parameters from their own curves", () => {
    const relu = fitRelu({ x: xs, y: xs.map((x) => 0.3 * Math.max(0, x - 210)) });
    expect(relu.params.a).toBeCloseTo(0.3, 6);
    expect(relu.params.b).toBeCloseTo(210, 4);
    expect(relu.r2).toBeCloseTo(1, 10);
    const sig = fitSigmoid({ x: xs, y: xs.map((x) => 250 / (1 + Math.exp(-0.01 * (x - 450)))) });
    expect(sig.params.L).toBeCloseTo(250, 4);
    expect(sig.params.k).toBeCloseTo(0.01, 7);
    expect(sig.params.x0).toBeCloseTo(450, 4);
  });

  it("fit the LIF's own analytic curve almost perfectly, and recover τ_ref, τ_m and the rheobase", () => {
    const fit = fitLifCurve({ x: xs, y: xs.map((x) => 0 + (x > 200 ? 1000 / (2 + 10 * Math.log(x / (x - 200))) : 0)) });
    expect(fit.r2).toBeGreaterThan(0.99999);
    expect(fit.params.iRheoPA).toBeCloseTo(200, 0);
    expect(fit.params.tauMMs).toBeCloseTo(10, 0);
  });

  it("fit the simulated F–I curve: the LIF curve beats sigmoid beats ReLU", () => {
    const curve = fiCurve(p, { from: 0, to: 1000e-12, step: 10e-12 }, FI_PROTOCOLS.steady);
    const fits = fitActivations({ x: curve.rows.map((r) => r.currentPA), y: curve.rows.map((r) => r.simulatedHz) });
    expect(fits.lif.r2).toBeGreaterThan(0.9998);
    expect(fits.sigmoid.r2).toBeGreaterThan(fits.relu.r2);
    expect(fits.relu.r2).toBeGreaterThan(0.9);
  });

  it("explain unusable data", () => {
    expect(() => fitRelu({ x: [1, 2, 3, 4, 5], y: [0, 0, 0, 0, 0] })).toThrow(/never reaches rheobase/);
    expect(() => fitRelu({ x: [1, 2], y: [0, 1] })).toThrow(/at least 5 points/);
    expect(() => fitSigmoid({ x: [1, 2, 3, 4, 5], y: [0, 1, 2] })).toThrow(/x has 5 points but y has 3/);
  });

  it("find the current range whose R² comes closest to the paper's", () => {
    const { best, scores } = searchFitRange(p, FI_PROTOCOLS.steady, {
      targets: { relu: 0.9784, sigmoid: 0.9788 },
      candidatesToPA: [400, 1000, 2000],
    });
    expect(scores).toHaveLength(3);
    expect(best.distance).toBe(Math.min(...scores.map((s) => s.distance)));
    expect(best.toPA).toBe(400);
  });
});

describe("activation-fit network neurons", () => {
  const runtime = createRuntime({ plugins: [lifPlugin] });

  it("are registered as rate models", () => {
    for (const name of ["relu-fit", "sigmoid-fit", "lif-rate"]) expect(runtime.neuronModel(name).dynamics).toBe("rate");
  });

  it("lif-rate is the dimensionless LIF rate curve", () => {
    const x = Float32Array.from([0, 1, 1.0000001, 1.5, 3, 10]);
    const node: NeuronNode = { type: "neuron", id: "a", model: "lif-rate", size: 6 };
    const out = simulatePopulation(node, lifRateModel, runtime, x, 1, 1).outputs;
    const d = toDimensionless(p);
    [...x].forEach((v, i) => {
      expect(out[i]).toBeCloseTo(v > 1 + 1e-6 ? dimensionlessRate(v, d) : 0, 5);
    });
  });

  it("lif-rate units start above the rheobase: fresh biases of the layer feeding them are shifted to its operating input", () => {
    const spec = (model: string) => sequentialSpec({ name: "n", layers: [784, 64, 10], neuron: model, outputNeuron: false });
    const lif = initWeights(spec("lif-rate"), runtime.random("w"), runtime);
    const relu = initWeights(spec("relu"), runtime.random("w"), runtime);
    const bias = lif["fc1.bias"]?.data as Float32Array;
    // The same draws, shifted: weights equal, biases 1.5 higher (so every unit starts firing).
    expect(lif["fc1.weight"]?.data).toEqual(relu["fc1.weight"]?.data);
    for (let i = 0; i < bias.length; i++) expect(bias[i]).toBeCloseTo((relu["fc1.bias"]?.data[i] as number) + LIF_RATE_OPERATING_INPUT, 6);
    expect(Math.min(...bias)).toBeGreaterThan(1);
    // The output layer feeds no neuron: its biases are not shifted.
    expect(lif["fc2.bias"]?.data).toEqual(relu["fc2.bias"]?.data);
  });

  it("relu-fit and sigmoid-fit with converted parameters reproduce the physical fits", () => {
    const curve = fiCurve(p, { from: 0, to: 600e-12, step: 10e-12 }, FI_PROTOCOLS.steady);
    const data = { x: curve.rows.map((r) => r.currentPA), y: curve.rows.map((r) => r.simulatedHz) };
    const fits = { relu: fitRelu(data), sigmoid: fitSigmoid(data) };
    const params = activationParamsFromFits(fits, rheobase(p) * 1e12, p.tauM);
    const currentsPA = [150, 250, 400];
    const xTilde = Float32Array.from(currentsPA.map((c) => c / 200));
    const relu = reluFitModel.step(
      arrayOps,
      xTilde,
      {},
      { a: Float32Array.of(params["relu-fit"].a), b: Float32Array.of(params["relu-fit"].b) },
      {} as never,
    ).output;
    const sg = params["sigmoid-fit"];
    const sig = sigmoidFitModel.step(
      arrayOps,
      xTilde,
      {},
      { L: Float32Array.of(sg.L), k: Float32Array.of(sg.k), x0: Float32Array.of(sg.x0) },
      {} as never,
    ).output;
    currentsPA.forEach((c, i) => {
      expect(relu[i]! / p.tauM).toBeCloseTo(fits.relu.predict(c), 2);
      expect(sig[i]! / p.tauM).toBeCloseTo(fits.sigmoid.predict(c), 2);
    });
  });
});
