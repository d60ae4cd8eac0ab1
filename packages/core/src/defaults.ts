/**
 * The defaults of a training run, declared once. The API (`fit`, `train`),
 * the CLI's flags, sweep grids, the paper pipeline and NIR import read them
 * from here, so the same nominal run gives the same weights whichever door it
 * came through. `docs/defaults.md` lists them (a test holds the two equal).
 */
export const TRAINING_DEFAULTS = {
  /** Time steps per sample of a spiking network (the paper's T). */
  timeSteps: 25,
  /** Examples per optimiser step. */
  batchSize: 128,
  /** Adam's learning rate. */
  learningRate: 1e-3,
  /** Learning-rate schedule over the run: `constant`, as PyTorch and snnTorch users expect (`cosine` decays it). */
  lrSchedule: "constant",
  /** Seed of initialisation, shuffling and stochastic encoding. */
  seed: 42,
  /** Input encoder of a spiking network. */
  encoding: "direct",
  /** Surrogate gradient of spiking neurons. */
  surrogate: "fast-sigmoid",
  /** Pixel scaling of image data. */
  normalization: "unit",
  /** Batches between mid-epoch checkpoints. */
  checkpointEvery: 100,
} as const;

/** The learning-rate schedules the trainers know. */
export type LrSchedule = "constant" | "cosine";
