/**
 * Loads user plugins named on the command line (`--plugin ./my-plugin.js` or
 * `--plugin @me/neurobridge-adex`): a module whose default export, or export
 * named `plugin`, is a NeuroBridge plugin.
 */
import { createRequire } from "node:module";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describeThrown, NeuroBridgeError, type NeuroBridgePlugin } from "@neurobridge/core";

const isPlugin = (value: unknown): value is NeuroBridgePlugin =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as NeuroBridgePlugin).name === "string" &&
  typeof (value as NeuroBridgePlugin).register === "function";

/** Resolves a module specifier the way the user means it: paths from `cwd`, packages from `cwd`'s node_modules. */
function resolveSpecifier(specifier: string, cwd: string): string {
  if (specifier.startsWith(".") || isAbsolute(specifier)) return pathToFileURL(resolve(cwd, specifier)).href;
  const require = createRequire(resolve(cwd, "package.json"));
  return pathToFileURL(require.resolve(specifier)).href;
}

/**
 * Imports the plugin module `specifier`.
 *
 * @throws {@link NeuroBridgeError} `PLUGIN_LOAD` when the module cannot be found or exports no plugin
 */
export async function loadPlugin(specifier: string, cwd = process.cwd()): Promise<NeuroBridgePlugin> {
  let module: Record<string, unknown>;
  let url: string;
  // A module whose top-level await never settles empties the event loop: Node then exits with
  // code 13 and no word (the 'exit' event still says 0). Exiting while the import is pending is that case.
  const onExit = () => {
    process.stderr.write(
      `neurobridge: error: plugin module '${specifier}' never finished loading (a top-level await that never settles)\n`,
    );
  };
  process.once("exit", onExit);
  try {
    url = resolveSpecifier(specifier, cwd);
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new NeuroBridgeError("PLUGIN_LOAD", `cannot load plugin module '${specifier}': ${describeThrown(error)}`);
  } finally {
    process.off("exit", onExit);
  }
  const exportName = (["default", "plugin"] as const).find((name) => isPlugin(module[name]));
  const candidate = exportName ? (module[exportName] as NeuroBridgePlugin) : undefined;
  if (!candidate || !exportName) {
    throw new NeuroBridgeError(
      "PLUGIN_LOAD",
      `module '${specifier}' exports no NeuroBridge plugin; export an object { name, register(registrar) } as default or as 'plugin'`,
    );
  }
  // Remember where it came from, so worker threads can import it too.
  return candidate.source ? candidate : { ...candidate, source: { module: url, export: exportName } };
}
