/**
 * Importing a plugin from its {@link PluginSource}, so another thread or
 * process (trainer workers, job runners) can rebuild a runtime with the same
 * registrations. Browser-safe: a dynamic `import()`.
 */
import { describeThrown, NeuroBridgeError } from "./errors.js";
import type { NeuroBridgePlugin, PluginSource } from "./runtime.js";

const isPlugin = (value: unknown): value is NeuroBridgePlugin =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as NeuroBridgePlugin).name === "string" &&
  typeof (value as NeuroBridgePlugin).register === "function";

/**
 * A TypeScript source URL (`…/src/x.ts`, as `import.meta.url` reads while
 * tests run from sources) maps to the package's compiled `…/dist/x.js`,
 * which a plain Node worker can import.
 */
function compiledUrl(module: string): string | undefined {
  if (!module.startsWith("file:") || !module.endsWith(".ts")) return undefined;
  const at = module.lastIndexOf("/src/");
  return at < 0 ? undefined : `${module.slice(0, at)}/dist/${module.slice(at + 5, -3)}.js`;
}

/**
 * Imports the plugin `source` names: its `export` (default: `default`, then
 * `plugin`), called with `source.options` when it is a factory. The plugin
 * keeps `source`, so it can travel on.
 *
 * @throws {@link NeuroBridgeError} `PLUGIN_LOAD` naming the module and what is wrong
 */
export async function importPlugin(source: PluginSource): Promise<NeuroBridgePlugin> {
  let module: Record<string, unknown>;
  const compiled = compiledUrl(source.module);
  try {
    module = (await import(compiled ?? source.module)) as Record<string, unknown>;
  } catch (error) {
    if (!compiled) throw new NeuroBridgeError("PLUGIN_LOAD", `cannot import plugin module '${source.module}': ${describeThrown(error)}`);
    try {
      module = (await import(source.module)) as Record<string, unknown>;
    } catch {
      throw new NeuroBridgeError(
        "PLUGIN_LOAD",
        `cannot import plugin module '${source.module}' (nor its build ${compiled}; run \`npm run build\`)`,
      );
    }
  }
  const names = source.export ? [source.export] : ["default", "plugin"];
  for (const name of names) {
    let value = module[name];
    if (typeof value === "function") value = (value as (options: unknown) => unknown)(source.options);
    if (isPlugin(value)) return value.source ? value : { ...value, source };
  }
  throw new NeuroBridgeError(
    "PLUGIN_LOAD",
    `module '${source.module}' has no NeuroBridge plugin as ${names.map((n) => `'${n}'`).join(" or ")}; export an object { name, register(registrar) } (or a function returning one)`,
  );
}
