/** The runtime the CLI works in: every installed NeuroBridge package's plugin plus user plugins. */

import { tfjsPlugin } from "@neurobridge/backend-tfjs";
import { createRuntime, type NeuroBridgePlugin, type Runtime } from "@neurobridge/core";
import { lifPlugin } from "@neurobridge/neurons-lif";
import { loadPlugin } from "./plugin-loader.js";

/** Plugins the CLI always registers. */
export const BUNDLED_PLUGINS: readonly NeuroBridgePlugin[] = [lifPlugin, tfjsPlugin()];

/** Creates the CLI runtime with the bundled plugins and the modules named by `--plugin`. */
export async function createCliRuntime(options: { plugins?: readonly string[]; seed?: number } = {}): Promise<Runtime> {
  const user = await Promise.all((options.plugins ?? []).map((p) => loadPlugin(p)));
  return createRuntime({ plugins: [...BUNDLED_PLUGINS, ...user], seed: options.seed ?? 0 });
}
