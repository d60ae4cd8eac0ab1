/**
 * Recording one MNIST test sample through a checkpoint on any backend that
 * records, and the figures of it — what `neurobridge plot` draws.
 */
import { checkDataFits, type LayerRecording, NeuroBridgeError, type RecordKind, type Runtime } from "@neurobridge/core";
import { loadCheckpoint } from "@neurobridge/core/node";
import { checkpointNormalization, loadMnist } from "@neurobridge/mnist";
import { type FigureSpec, layerActivityFigure, membraneFigure, type PlotKind, rasterFigure, spikeCountHistogram } from "@neurobridge/plots";

/** Options of {@link recordSample}. */
export interface RecordSampleOptions {
  /** Index of the MNIST test image (default 0). */
  readonly sample?: number;
  /** Backend to run on (default `tfjs`, which records spikes and membrane). */
  readonly backend?: string;
  readonly record: readonly RecordKind[];
}

/** One recorded sample: the image's label, the network's prediction and every spiking layer's recording. */
export interface RecordedSample {
  readonly sample: number;
  readonly label: number;
  readonly prediction: number;
  readonly outputs: Float32Array;
  readonly backend: string;
  readonly recordings: readonly LayerRecording[];
}

/** Runs MNIST test image `sample` through the checkpoint in `dir`, recording what `record` asks for. */
export async function recordSample(runtime: Runtime, dir: string, options: RecordSampleOptions): Promise<RecordedSample> {
  const checkpoint = loadCheckpoint(dir, runtime);
  const plan = runtime.plan(checkpoint.spec, checkpoint.weights);
  if (!plan.layers.some((l) => l.kind === "neuron" && l.spiking)) {
    throw new NeuroBridgeError(
      "OPTION_INVALID",
      `--checkpoint: '${dir}' holds a network without spiking layers; there is nothing to record`,
    );
  }
  const test = loadMnist("test", { normalization: checkpointNormalization(checkpoint) });
  checkDataFits(plan, test, "the MNIST test images");
  const sample = options.sample ?? 0;
  if (!(Number.isInteger(sample) && sample >= 0 && sample < test.count)) {
    throw new NeuroBridgeError("OPTION_INVALID", `--sample: must be an integer 0…${test.count - 1} (an MNIST test image), got ${sample}`);
  }
  const backend = await runtime.backend(options.backend ?? "tfjs");
  const network = await backend.compile(plan);
  try {
    const run = await network.run(test.inputs.subarray(sample * test.features, (sample + 1) * test.features), 1, {
      record: options.record,
    });
    let prediction = 0;
    for (let c = 1; c < run.outputSize; c++) if ((run.outputs[c] as number) > (run.outputs[prediction] as number)) prediction = c;
    return {
      sample,
      label: test.labels[sample] as number,
      prediction,
      outputs: run.outputs,
      backend: backend.name,
      recordings: run.recordings ?? [],
    };
  } finally {
    network.dispose();
  }
}

/** The figure `kind` of a recorded sample; `layer` picks the layer of a membrane plot (default: the first). */
export function sampleFigure(
  kind: PlotKind,
  recorded: RecordedSample,
  options: { readonly layer?: string; readonly neurons?: readonly number[]; readonly count?: number } = {},
): FigureSpec {
  const ids = recorded.recordings.map((r) => r.id);
  const pick = (id: string | undefined): LayerRecording[] => {
    if (id === undefined) return [...recorded.recordings];
    const found = recorded.recordings.find((r) => r.id === id);
    if (!found) throw new NeuroBridgeError("OPTION_INVALID", `--layer: no spiking layer '${id}'; accepted: ${ids.join(", ")}`);
    return [found];
  };
  const title = `sample ${recorded.sample} (label ${recorded.label}, predicted ${recorded.prediction}, ${recorded.backend})`;
  switch (kind) {
    case "raster":
      return rasterFigure(pick(options.layer), { title: `Spike raster, ${title}` });
    case "membrane": {
      const layer = pick(options.layer ?? ids[0])[0] as LayerRecording;
      return membraneFigure(layer, {
        title: `Membrane of ${layer.id}, ${title}`,
        ...(options.neurons ? { neurons: options.neurons } : {}),
        ...(options.count ? { count: options.count } : {}),
      });
    }
    case "counts":
      return spikeCountHistogram(pick(options.layer), { title: `Spike counts per neuron, ${title}` });
    case "activity":
      return layerActivityFigure(pick(options.layer), { title: `Activity per layer and step, ${title}` });
  }
}
