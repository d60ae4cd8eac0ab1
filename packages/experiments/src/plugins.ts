/**
 * The plugins a NeuroBridge installation registers by default: the LIF
 * family (with its NIR codecs), the tfjs backend and the emulated neuromorphic targets. The
 * pipeline and the CLI build their runtimes from this one list (plus user
 * plugins), so they see the same models, kernels and backends.
 */
import { neuromorphicPlugin } from "@neurobridge/backend-neuromorphic";
import { type TfjsBackendOptions, tfjsPlugin } from "@neurobridge/backend-tfjs";
import type { NeuroBridgePlugin } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { nirPlugin } from "@neurobridge/nir";

/** The bundled plugins, in registration order; `tfjs` configures the tfjs backend (kernel, GEMM, workers). */
export function bundledPlugins(options: { tfjs?: TfjsBackendOptions } = {}): NeuroBridgePlugin[] {
  return [lifPlugin, nirPlugin, tfjsPlugin(options.tfjs ?? {}), neuromorphicPlugin];
}
