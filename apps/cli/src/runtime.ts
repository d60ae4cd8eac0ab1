/** The runtime the CLI works in: the bundled plugins (the pipeline's) plus user plugins named by `--plugin`. */

import type { TfjsBackendOptions } from "@neurobridge/backend-tfjs";
import { createRuntime, type Runtime } from "@neurobridge/core";
import { bundledPlugins } from "@neurobridge/experiments";
import { loadPlugin } from "./plugin-loader.js";

/** Creates the CLI runtime with the bundled plugins and the modules named by `--plugin`. */
export async function createCliRuntime(
  options: { plugins?: readonly string[]; seed?: number; tfjs?: TfjsBackendOptions } = {},
): Promise<Runtime> {
  const user = await Promise.all((options.plugins ?? []).map((p) => loadPlugin(p)));
  return createRuntime({ plugins: [...bundledPlugins(options.tfjs ? { tfjs: options.tfjs } : {}), ...user], seed: options.seed ?? 0 });
}
