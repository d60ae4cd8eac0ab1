/**
 * The numbers the paper (seeds/000) and its slides (seeds/001) report, as
 * data. The report puts each beside this run's measured figure; nothing here
 * is used as a result.
 */

/** One claimed figure and where it appears. */
export interface PaperClaim {
  readonly value: number;
  readonly unit: string;
  readonly where: string;
}

/** Every figure the paper or its slides state. */
export const PAPER_CLAIMS = {
  rheobasePA: { value: 200, unit: "pA", where: "paper §2.2; slides 'The F-I Curve'" },
  rate150pA: { value: 0, unit: "Hz", where: "slides 'Simulating LIF'" },
  rate200pA: { value: 0, unit: "Hz", where: "slides 'Simulating LIF'" },
  rate250pA: { value: 53.3, unit: "Hz", where: "slides 'Simulating LIF'" },
  rate350pA: { value: 93.3, unit: "Hz", where: "slides 'Simulating LIF'" },
  reluR2: { value: 0.9784, unit: "1", where: "slides 'Can Standard Activations Match'" },
  sigmoidR2: { value: 0.9788, unit: "1", where: "slides 'Can Standard Activations Match'" },
  ffnnParameters: { value: 269_322, unit: "parameters", where: "slides 'Feed-Forward Networks'" },
  ffnnFlopsPerSample: { value: 537_600, unit: "FLOPs", where: "slides 'Feed-Forward Networks'" },
  ffnnTrainingFlops: { value: 26.88e9, unit: "FLOPs", where: "slides 'Feed-Forward Networks'" },
  ffnnTestAccuracy: { value: 0.9355, unit: "1", where: "slides 'Feed-Forward Networks'" },
  ffnnActiveNeurons: { value: 0.58, unit: "1", where: "slides 'Feed-Forward Networks'" },
  snnTestAccuracy: { value: 0.9295, unit: "1", where: "slides 'Spiking Networks'" },
  snnSilentNeurons: { value: 0.889, unit: "1", where: "slides 'Spiking Networks'" },
  snnSopsPerSample: { value: 7_111, unit: "SOPs", where: "slides 'SNN (Spiking Neural Network)'" },
  operationsRatio: { value: 76, unit: "×", where: "slides 'Results: 76× Fewer Operations'" },
  snnTimeSteps: { value: 25, unit: "steps", where: "slides 'Spiking Networks'" },
  snnBeta: { value: 0.95, unit: "1", where: "slides 'Spiking Networks'" },
} as const satisfies Record<string, PaperClaim>;
