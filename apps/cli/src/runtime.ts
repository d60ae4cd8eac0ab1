/** The runtime the CLI works in: the bundled plugins (the pipeline's) plus user plugins named by `--plugin`. */

import type { TfjsBackendOptions } from "@neurobridge/backend-tfjs";
import { createRuntime, describeThrown, NeuroBridgeError, type Runtime } from "@neurobridge/core";
import { loadPlugin } from "./plugin-loader.js";

/** Creates the CLI runtime with the bundled plugins and the modules named by `--plugin`. */
export async function createCliRuntime(
  options: { plugins?: readonly string[]; seed?: number; tfjs?: TfjsBackendOptions } = {},
): Promise<Runtime> {
  const specifiers = options.plugins ?? [];
  const user = await Promise.all(specifiers.map((p) => loadPlugin(p)));
  // Loaded here, not at start-up: the bundled plugins pull in tfjs, ONNX Runtime and HDF5.
  const { bundledPlugins } = await import("@neurobridge/experiments");
  const runtime = createRuntime({ plugins: bundledPlugins(options.tfjs ? { tfjs: options.tfjs } : {}), seed: options.seed ?? 0 });
  user.forEach((plugin, i) => {
    try {
      runtime.use(plugin);
    } catch (error) {
      // A plugin's own register() failing is the plugin's problem: name it, never an internal error.
      const why = error instanceof NeuroBridgeError ? error.message : `its register() threw: ${describeThrown(error)}`;
      throw new NeuroBridgeError("PLUGIN_REGISTER", `plugin '${plugin.name}' (--plugin ${specifiers[i]}) could not be registered: ${why}`);
    }
  });
  return runtime;
}
